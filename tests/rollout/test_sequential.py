"""The sequential (mSPRT) tests: formulas against numerical integration, the martingale
property, false alarms and power on simulated canaries, and the decision rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from caution.rollout.config import Direction, SequentialMethod
from caution.rollout.sequential import (
    Decision,
    SequentialSpec,
    evidence,
    look,
    mean_log_e,
    poisson_log_e,
)


def _mixture_by_quadrature(diff: float, v: float, tau: float, direction: Direction) -> float:
    """∫ N(D; θ, v)/N(D; 0, v) · prior(θ) dθ, the prior normal (or half-normal) with scale τ."""

    def integrand(theta: float) -> float:
        ratio = math.exp((theta * diff - theta * theta / 2) / v)
        density = stats.norm.pdf(theta, scale=tau)
        return ratio * density * (1 if direction is Direction.EITHER else 2)

    low, high = {
        Direction.EITHER: (-math.inf, math.inf),
        Direction.INCREASE: (0, math.inf),
        Direction.DECREASE: (-math.inf, 0),
    }[direction]
    value, _ = integrate.quad(integrand, low, high)
    return math.log(value)


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("shift", [-3.0, 0.0, 1.5, 4.0])
def test_mean_mixture_matches_numerical_integration(direction: Direction, shift: float) -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(100, 10, 40)
    can = rng.normal(100 + shift, 10, 30)
    log_e, relative = mean_log_e(base.tolist(), can.tolist(), direction, 0.05)
    diff = can.mean() - base.mean()
    widen = [(n - 1) / (n - 3) for n in (40, 30)]
    v = base.var(ddof=1) / 40 * widen[0] + can.var(ddof=1) / 30 * widen[1]
    expected = _mixture_by_quadrature(diff, v, 0.05 * abs(base.mean()), direction)
    assert log_e == pytest.approx(expected, abs=1e-7)
    assert relative == pytest.approx(diff / base.mean())


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize(("total", "share"), [(1, 0.5), (7, 0.5), (12, 0.2), (30, 0.73)])
def test_poisson_mixture_is_a_martingale_under_no_change(
    direction: Direction, total: int, share: float
) -> None:
    """Given a step's total, the canary's count is binomial(total, share) when nothing
    changed; the mixture's expectation over it must be exactly 1 (Ville's inequality needs
    no more). A wrong likelihood or prior weight breaks the equality."""
    expected = 0.0
    for canary in range(total + 1):
        log_e, _ = poisson_log_e(
            [total - canary], [canary], direction, math.log(2), ([1 - share], [share])
        )
        expected += stats.binom.pmf(canary, total, share) * math.exp(log_e)
    assert expected == pytest.approx(1.0, rel=1e-9)


def test_poisson_estimate_is_the_rate_ratio_per_exposure() -> None:
    _, ratio = poisson_log_e([2, 2], [4, 8], Direction.INCREASE, 1.0, ([100, 100], [100, 200]))
    assert ratio == pytest.approx((12 / 300) / (4 / 200))


def _first_alarm(test: SequentialMethod, effect: float, rng: np.random.Generator) -> int:
    steps, looks = 6, 20
    if test is SequentialMethod.MEAN:
        base = 100 * rng.lognormal(0, 0.1, steps * looks)
        can = 100 * (1 + effect) * rng.lognormal(0, 0.1, steps * looks)
    else:
        base = rng.poisson(1.0, steps * looks).astype(float)
        can = rng.poisson(1.0 + effect, steps * looks).astype(float)
    spec = SequentialSpec("m", test, Direction.INCREASE, 0.05 if effect < 1 else math.log(2))
    for i in range(1, looks + 1):
        state = look(
            [spec],
            {"m": base[: steps * i].tolist()},
            {"m": can[: steps * i].tolist()},
            alpha=0.05,
            final=i == looks,
        )
        if state.decision is Decision.FAIL:
            return i
    return 0


@pytest.mark.parametrize("test", list(SequentialMethod))
def test_false_alarms_stay_under_alpha_when_looking_after_every_interval(
    test: SequentialMethod,
) -> None:
    rng = np.random.default_rng(11)
    alarms = sum(1 for _ in range(300) if _first_alarm(test, 0.0, rng))
    assert alarms / 300 <= 0.05


@pytest.mark.parametrize(
    ("test", "effect"), [(SequentialMethod.MEAN, 0.2), (SequentialMethod.POISSON, 2)]
)
def test_a_clearly_worse_canary_is_caught_early(test: SequentialMethod, effect: float) -> None:
    rng = np.random.default_rng(5)
    alarms = [_first_alarm(test, effect, rng) for _ in range(50)]
    assert all(alarms) and sorted(alarms)[25] <= 3


def test_direction_decides_which_change_is_worse() -> None:
    rng = np.random.default_rng(2)
    base = rng.normal(100, 5, 60).tolist()
    faster = rng.normal(80, 5, 60).tolist()
    for direction, rejected in [
        (Direction.INCREASE, False),
        (Direction.DECREASE, True),
        (Direction.EITHER, True),
    ]:
        spec = SequentialSpec("latency", direction=direction)
        assert evidence(spec, base, faster, alpha=0.05).rejected is rejected


def test_metrics_share_alpha() -> None:
    spec = SequentialSpec("a")
    one = evidence(spec, [1.0] * 10, [1.0] * 10, alpha=0.05, metrics=1)
    three = evidence(spec, [1.0] * 10, [1.0] * 10, alpha=0.05, metrics=3)
    assert one.log_threshold == pytest.approx(math.log(20))
    assert three.log_threshold == pytest.approx(math.log(60))


def test_the_planned_end_passes_a_healthy_canary_and_names_the_worse_metric() -> None:
    rng = np.random.default_rng(4)
    base = {"a": rng.normal(100, 5, 60).tolist(), "b": rng.normal(100, 5, 60).tolist()}
    good = {"a": rng.normal(100, 5, 60).tolist(), "b": rng.normal(100, 5, 60).tolist()}
    specs = [SequentialSpec("a"), SequentialSpec("b")]
    assert look(specs, base, good, alpha=0.05, final=False).decision is Decision.CONTINUE
    assert look(specs, base, good, alpha=0.05, final=True).decision is Decision.PASS
    bad = {"a": good["a"], "b": rng.normal(130, 5, 60).tolist()}
    state = look(specs, base, bad, alpha=0.05, final=False)
    assert state.decision is Decision.FAIL
    assert "b (e-value" in state.reason and "a (" not in state.reason


def test_no_data_is_never_a_pass() -> None:
    specs = [SequentialSpec("a"), SequentialSpec("errors", SequentialMethod.POISSON)]
    state = look(specs, {}, {}, alpha=0.05, final=True)
    assert state.decision is Decision.INCONCLUSIVE
    assert "a, errors" in state.reason
    nan = {"a": [math.nan] * 50, "errors": [math.nan] * 50}
    assert look(specs, nan, nan, alpha=0.05, final=True).decision is Decision.INCONCLUSIVE


def test_too_little_data_cannot_fail_a_canary() -> None:
    spec = SequentialSpec("a", min_samples=5)
    found = evidence(spec, [1.0, 1.1, 0.9, 1.0], [9.0, 9.1, 8.9, 9.0], alpha=0.05)
    assert not found.enough_data and not found.rejected


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="alpha"):
        look([SequentialSpec("a")], {}, {}, alpha=1.5, final=True)
    with pytest.raises(ValueError, match="no metric"):
        look([], {}, {}, alpha=0.05, final=True)
    with pytest.raises(ValueError, match="negative"):
        poisson_log_e([-1], [2], Direction.INCREASE, 1.0)


values = st.lists(
    st.one_of(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
        st.just(math.nan),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(values, values, st.sampled_from(list(Direction)))
def test_any_finite_input_gives_a_number_not_a_crash(
    base: list[float], can: list[float], direction: Direction
) -> None:
    found = evidence(SequentialSpec("m", direction=direction), base, can, alpha=0.05)
    assert not math.isnan(found.log_e)
    counts = [abs(v) if math.isfinite(v) else v for v in base]
    other = [abs(v) if math.isfinite(v) else v for v in can]
    spec = SequentialSpec("e", SequentialMethod.POISSON, direction)
    assert not math.isnan(evidence(spec, counts, other, alpha=0.05).log_e)


def test_a_canary_without_traffic_is_never_a_pass() -> None:
    """Errors per request with no requests on the canary: every step is unusable, so the
    counts say nothing — too little data, not a healthy canary with no errors."""
    spec = SequentialSpec("errors", SequentialMethod.POISSON, min_samples=5)
    base_errors, base_requests = [5.0] * 30, [1000.0] * 30
    for requests in ([0.0] * 30, [math.nan] * 30, []):
        state = look(
            [spec],
            {"errors": base_errors},
            {"errors": [0.0] * 30},
            alpha=0.05,
            final=True,
            exposures={"errors": (base_requests, requests)},
        )
        assert state.decision is Decision.INCONCLUSIVE, requests
        assert state.evidence[0].n_canary == 0


def test_exposure_shorter_than_the_counts_uses_the_steps_it_covers() -> None:
    """Prometheus leaves out steps without samples, so a requests series can be shorter
    than the errors series: the steps it does not cover are skipped, not a crash."""
    spec = SequentialSpec("errors", SequentialMethod.POISSON, min_samples=5)
    found = evidence(
        spec,
        [5.0] * 30,
        [5.0] * 30,
        alpha=0.05,
        exposure=([1000.0] * 30, [1000.0] * 12),
    )
    assert (found.n_baseline, found.n_canary) == (12, 12)
    assert found.enough_data and not found.rejected


def test_a_mean_needs_four_values_whatever_min_samples_says() -> None:
    """The mean test weighs nothing below four values on a side; a lower min_samples must
    not turn that silence into a pass."""
    spec = SequentialSpec("a", min_samples=2)
    state = look([spec], {"a": [1.0, 1.1, 0.9]}, {"a": [9.0, 9.1, 8.9]}, alpha=0.05, final=True)
    assert state.decision is Decision.INCONCLUSIVE
