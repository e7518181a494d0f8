"""Anytime-valid canary tests: look after every interval, stop as soon as the canary is clearly
worse, and still keep the false-alarm rate at α.

A fixed-horizon test (Kayenta's Mann-Whitney) checked again at every interval gets as many
chances to raise a false alarm as there are looks. A mixture sequential probability ratio test
(mSPRT; Robbins 1970, Johari et al. "Always Valid Inference", Operations Research 2022) does
not: its statistic Λₙ — the likelihood ratio of "the canary differs by θ" against "it does
not", averaged over a prior on θ — is a non-negative (super)martingale while the canary is no
worse, so by Ville's inequality P(Λₙ ever reaches 1/α) ≤ α however often it is looked at.
The idea for deployments follows Lindon et al., "Rapid Regression Detection in Software
Deployments through Sequential Testing" (KDD 2022).

Two tests, both computed from everything seen so far (so a stateless recomputation at each
look equals an online update):

- `mean`: the difference of means, canary − baseline, with its Welch variance as a plug-in
  (the Gaussian mSPRT of Johari et al.). The prior on the difference is a normal with scale
  `scale` × |baseline mean| — a relative effect, so one setting fits milliseconds and bytes —
  folded to the harmful side when the direction is `increase` or `decrease`:

      Λ = 2 · √(v/(v+τ²)) · exp(D²τ² / (2v(v+τ²))) · Φ(Dτ / √(v(v+τ²)))

  where D is the difference, v its variance and τ the prior scale (without the factor 2 and
  Φ for `either`). Plug-in variances make it valid as samples grow, not exactly at small n,
  so no decision is taken before `min_samples` on each side.
- `poisson`: counts per step (errors), each side with its exposure (requests; equal when not
  given). Given a step's total, the canary's share is binomial with p = ρs / (ρs + 1 − s),
  s the canary's exposure share and ρ the rate ratio; Λ averages the likelihood ratio of
  ρ against ρ = 1 over a half-normal prior on log ρ (scale `scale`), discretised into equal-
  weight quantiles — a finite mixture, so exactly a martingale, no plug-in needed.

Several metrics share α equally (Bonferroni), so the whole canary keeps α.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.special import log_ndtr, logsumexp, ndtri

from caution.rollout.config import Direction, SequentialMethod

_GRID = 64  # quantiles of the prior on log ρ
# Below this many values on a side the mean test weighs nothing (its t widening needs n > 3)
MEAN_MIN_VALUES = 4


class CountError(ValueError):
    """Values the count test cannot weigh (negative counts): the query does not count
    events. In a live run the measurement is an Error, as for any value it cannot judge."""


@dataclass(frozen=True)
class SequentialSpec:
    name: str
    test: SequentialMethod = SequentialMethod.MEAN
    direction: Direction = Direction.INCREASE
    scale: float = 0.05  # mean: relative difference; poisson: log rate ratio
    min_samples: int = 5


@dataclass(frozen=True)
class Evidence:
    """One metric's evidence after a look. `log_e` is log Λ; the metric is rejected (the
    canary is worse) once it reaches `log_threshold` = log(m/α)."""

    name: str
    log_e: float
    log_threshold: float
    estimate: float  # mean: relative difference; poisson: rate ratio; NaN without data
    n_baseline: int  # mean: finite values; poisson: usable paired steps (same on both sides)
    n_canary: int
    enough_data: bool

    @property
    def rejected(self) -> bool:
        return self.enough_data and self.log_e >= self.log_threshold


class Decision(StrEnum):
    CONTINUE = "continue"
    FAIL = "fail"
    PASS = "pass"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Look:
    decision: Decision
    evidence: tuple[Evidence, ...]
    reason: str


def mean_log_e(
    baseline: Sequence[float], canary: Sequence[float], direction: Direction, scale: float
) -> tuple[float, float]:
    """log Λ of the Gaussian mSPRT for the difference of means, and the relative difference."""
    x, y = np.asarray(baseline, dtype=float), np.asarray(canary, dtype=float)
    if len(x) < MEAN_MIN_VALUES or len(y) < MEAN_MIN_VALUES:
        return 0.0, math.nan
    largest = float(max(np.abs(x).max(), np.abs(y).max()))
    if largest == 0:
        return 0.0, math.nan
    x, y = x / largest, y / largest  # the statistic is scale-free; this keeps it in range
    mx, my = float(x.mean()), float(y.mean())
    diff = my - mx
    relative = diff / abs(mx) if mx else math.nan
    # Each plug-in variance is widened by its t-distribution's (n−1)/(n−3): early looks,
    # where a lucky small variance would otherwise raise false alarms, ask for more.
    v = sum(float(s.var(ddof=1)) / len(s) * _t_widening(len(s)) for s in (x, y))
    spread = math.sqrt(float(x.var(ddof=1)) + float(y.var(ddof=1)))
    tau = scale * (abs(mx) if mx else spread)
    if tau == 0:
        return 0.0, relative
    v = max(v, tau * tau * 1e-9)  # two constant samples: strong, not infinite, evidence
    t2 = tau * tau
    two_sided = -0.5 * math.log1p(t2 / v) + diff * diff * t2 / (2 * v * (v + t2))
    if direction is Direction.EITHER:
        return two_sided, relative
    signed = diff if direction is Direction.INCREASE else -diff
    z = signed * tau / math.sqrt(v * (v + t2))
    return math.log(2) + two_sided + float(log_ndtr(z)), relative


def _t_widening(n: int) -> float:
    return (n - 1) / (n - 3)


def poisson_log_e(
    baseline: Sequence[float],
    canary: Sequence[float],
    direction: Direction,
    scale: float,
    exposure: tuple[Sequence[float], Sequence[float]] | None = None,
) -> tuple[float, float]:
    """log Λ of the conditional-binomial mixture test for the canary's rate ratio, and the
    estimated ratio. Steps are paired by position; see `paired_steps` for which count."""
    a, b, eb, ec = paired_steps(baseline, canary, exposure)
    if np.any(a < 0) or np.any(b < 0):
        raise CountError("counts cannot be negative: query increase() of a counter")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = (b.sum() / ec.sum()) / (a.sum() / eb.sum()) if a.sum() > 0 else math.nan
    if not len(a) or a.sum() + b.sum() == 0:
        return 0.0, float(ratio)
    quantiles = (np.arange(_GRID) + 0.5) / _GRID
    u = scale * ndtri(0.5 + 0.5 * quantiles)  # half-normal quantiles of log ρ
    if direction is Direction.DECREASE:
        u = -u
    elif direction is Direction.EITHER:
        u = np.concatenate([u, -u])
    share = ec / (ec + eb)
    rho = np.exp(u)[:, None]
    p = rho * share / (rho * share + 1 - share)
    llr = (b * np.log(p / share) + a * np.log((1 - p) / (1 - share))).sum(axis=1)
    return float(logsumexp(llr) - math.log(len(u))), float(ratio)


def paired_steps(
    baseline: Sequence[float],
    canary: Sequence[float],
    exposure: tuple[Sequence[float], Sequence[float]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(baseline counts, canary counts, baseline exposure, canary exposure) of the steps the
    count test can use: paired by position, every value finite, both exposures positive.
    Steps past the shortest series are left out — Prometheus omits steps without samples,
    so a requests series may be shorter than the errors series — and a step with no
    exposure on a side (no traffic) says nothing about that side's rate."""
    series = [baseline, canary] if exposure is None else [baseline, canary, *exposure]
    steps = min(len(s) for s in series)
    a = np.asarray(baseline[:steps], dtype=float)
    b = np.asarray(canary[:steps], dtype=float)
    if exposure is None:
        eb, ec = np.ones(steps), np.ones(steps)
    else:
        eb = np.asarray(exposure[0][:steps], dtype=float)
        ec = np.asarray(exposure[1][:steps], dtype=float)
    keep = np.isfinite(a) & np.isfinite(b) & np.isfinite(eb) & np.isfinite(ec) & (eb > 0) & (ec > 0)
    return a[keep], b[keep], eb[keep], ec[keep]


def evidence(
    spec: SequentialSpec,
    baseline: Sequence[float],
    canary: Sequence[float],
    *,
    alpha: float,
    metrics: int = 1,
    exposure: tuple[Sequence[float], Sequence[float]] | None = None,
) -> Evidence:
    """The metric's evidence so far; NaN observations are dropped (steps, for counts)."""
    threshold = math.log(metrics / alpha)
    if spec.test is SequentialMethod.POISSON:
        try:
            log_e, estimate = poisson_log_e(baseline, canary, spec.direction, spec.scale, exposure)
        except CountError as exc:
            raise CountError(f"{spec.name}: {exc}") from exc
        # the steps the test could use, not the values present: a canary with no traffic
        # has zero errors in every step and must not count as data
        n_b = n_c = len(paired_steps(baseline, canary, exposure)[0])
        needed = spec.min_samples
    else:
        x = [v for v in baseline if math.isfinite(v)]
        y = [v for v in canary if math.isfinite(v)]
        log_e, estimate = mean_log_e(x, y, spec.direction, spec.scale)
        n_b, n_c = len(x), len(y)
        needed = max(spec.min_samples, MEAN_MIN_VALUES)
    enough = min(n_b, n_c) >= needed
    return Evidence(spec.name, log_e, threshold, estimate, n_b, n_c, enough)


def look(
    specs: Sequence[SequentialSpec],
    baseline: dict[str, list[float]],
    canary: dict[str, list[float]],
    *,
    alpha: float,
    final: bool,
    exposures: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Look:
    """The canary's state after one look: fail as soon as any metric is rejected; at the
    planned end (`final`) pass — unless some metric never had enough data, which is
    inconclusive, never a pass."""
    if not specs:
        raise ValueError("no metric to test")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    found = tuple(
        evidence(
            spec,
            baseline.get(spec.name, []),
            canary.get(spec.name, []),
            alpha=alpha,
            metrics=len(specs),
            exposure=(exposures or {}).get(spec.name),
        )
        for spec in specs
    )
    worse = [e for e in found if e.rejected]
    if worse:
        names = ", ".join(
            f"{e.name} (e-value {math.exp(min(e.log_e, 700)):.3g} ≥ {math.exp(e.log_threshold):g})"
            for e in worse
        )
        return Look(Decision.FAIL, found, f"the canary is worse: {names}")
    if not final:
        return Look(Decision.CONTINUE, found, "no metric is clearly worse yet")
    starved = [e.name for e in found if not e.enough_data]
    if starved:
        return Look(Decision.INCONCLUSIVE, found, f"too little data for {', '.join(starved)}")
    return Look(Decision.PASS, found, "planned sample reached with no metric clearly worse")
