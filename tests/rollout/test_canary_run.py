"""The live canary loop with a fake clock and a fake source: schedule, windows, phases,
Argo's limits and the sequential test, without waiting for real intervals."""

from __future__ import annotations

import pytest

from caution.rollout.analysis import Phase, Status, Tally
from caution.rollout.canary_run import (
    Measurement,
    RunConfigError,
    phase_of,
    plan_run,
    run_canary,
)
from caution.rollout.config import CanaryConfig, canary_config_from_doc
from caution.rollout.source import MeasurementError
from caution.yaml_source import parse_yaml

CONFIG = """\
metrics:
  - {name: latency, query: 'avg(lat{${scope}})', direction: increase}
  - {name: errors, query: 'sum(err{${scope}})', direction: increase, critical: true}
scopes: {baseline: 'v="1"', canary: 'v="2"'}
analysis: {interval: 30s, count: 3, step: 10s}
"""
HEALTHY = [100.0 + i % 7 for i in range(40)]
BASELINE = [100.0 + (i + 3) % 7 for i in range(40)]  # the same values in another order
SLOW = [200.0 + i % 7 for i in range(40)]


def config(text: str = CONFIG, **analysis: object) -> CanaryConfig:
    cfg = canary_config_from_doc(parse_yaml(text, "c.yml"))
    return cfg.model_copy(update={"analysis": cfg.analysis.model_copy(update=analysis)})


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.time = now
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds


class FakeSource:
    """Answers per arm; a list of answers is used one measurement after another."""

    def __init__(self, canary: list[list[float] | Exception], clock: FakeClock) -> None:
        self.canary = canary
        self.clock = clock
        self.started = clock.now()
        self.checks: list[str] = []  # the queries asked once before the first interval
        self.calls: list[tuple[str, float, float, float]] = []
        self.ends: list[float] = []

    def __call__(self, query: str, start: float, end: float, step: float) -> list[float]:
        if end == self.started:
            self.checks.append(query)
            return BASELINE
        self.calls.append((query, start, end, step))
        if end not in self.ends:
            self.ends.append(end)
        if 'v="1"' in query:
            return BASELINE
        answer = self.canary[min(len(self.canary), len(self.ends)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def waiting(self, index: int, due: float) -> None:
        self.events.append(("waiting", index))

    def measured(self, measurement: Measurement, status: Status, tally: Tally) -> None:
        self.events.append((str(measurement.phase), measurement.index))


def test_a_healthy_canary_passes_after_count_measurements_one_interval_apart() -> None:
    clock = FakeClock()
    source = FakeSource([HEALTHY], clock)
    progress = Recorder()
    result = run_canary(plan_run(config()), source, clock, progress=progress)
    assert result.status.phase is Phase.SUCCESSFUL and "count (3)" in result.status.reason
    assert clock.slept == [30.0, 30.0, 30.0]
    assert [m.window.end for m in result.measurements] == [1030.0, 1060.0, 1090.0]
    assert {m.window.start for m in result.measurements} == {1000.0}  # since the start
    assert source.checks == [
        'avg(lat{v="1"})',
        'avg(lat{v="2"})',
        'sum(err{v="1"})',
        'sum(err{v="2"})',
    ]
    assert source.calls[0] == ('avg(lat{v="1"})', 1000.0, 1030.0, 10.0)
    assert source.calls[1][0] == 'avg(lat{v="2"})'
    assert progress.events[:2] == [("waiting", 1), ("Successful", 1)]
    assert result.samples is not None and result.samples[1]["latency"] == HEALTHY


def test_a_slow_canary_fails_at_the_first_measurement() -> None:
    clock = FakeClock()
    result = run_canary(plan_run(config()), FakeSource([SLOW], clock), clock)
    assert result.status.phase is Phase.FAILED and len(result.measurements) == 1
    judgement = result.measurements[0].judgement
    assert judgement is not None and judgement.verdict == "fail"


def test_lookback_moves_the_window() -> None:
    clock = FakeClock()
    result = run_canary(plan_run(config(lookback=45.0)), FakeSource([HEALTHY], clock), clock)
    assert [(m.window.start, m.window.end) for m in result.measurements] == [
        (985.0, 1030.0),
        (1015.0, 1060.0),
        (1045.0, 1090.0),
    ]


def test_errors_do_not_count_and_too_many_in_a_row_end_in_error() -> None:
    clock = FakeClock()
    down = MeasurementError("connection refused")
    source = FakeSource([HEALTHY, down, HEALTHY, HEALTHY], clock)
    result = run_canary(plan_run(config()), source, clock)
    assert [m.phase for m in result.measurements] == [
        Phase.SUCCESSFUL,
        Phase.ERROR,
        Phase.SUCCESSFUL,
        Phase.SUCCESSFUL,
    ]
    assert result.status.phase is Phase.SUCCESSFUL
    assert result.measurements[1].error == "latency (canary): connection refused"
    assert clock.slept == [30.0, 30.0, 10.0, 30.0]  # Argo retries an error after 10 s
    clock = FakeClock()
    result = run_canary(
        plan_run(config(consecutive_error_limit=1)), FakeSource([down], clock), clock
    )
    assert result.status.phase is Phase.ERROR and len(result.measurements) == 2
    assert result.samples is None


def test_no_data_is_inconclusive_never_a_pass() -> None:
    clock = FakeClock()
    plain = CONFIG.replace("critical: true", "critical: false")
    result = run_canary(plan_run(config(plain)), FakeSource([[]], clock), clock)
    assert result.status.phase is Phase.INCONCLUSIVE and len(result.measurements) == 1
    assert result.measurements[0].judgement is not None
    assert result.measurements[0].judgement.verdict == "inconclusive"
    clock = FakeClock()  # no data for a critical metric: the judge fails the canary
    result = run_canary(plan_run(config()), FakeSource([[]], clock), clock)
    assert result.status.phase is Phase.FAILED


def test_limits_let_some_failures_through() -> None:
    clock = FakeClock()
    source = FakeSource([SLOW, HEALTHY], clock)
    text = CONFIG.replace("critical: true", "critical: false")
    result = run_canary(plan_run(config(text, failure_limit=1)), source, clock)
    assert [m.phase for m in result.measurements] == [Phase.FAILED] + [Phase.SUCCESSFUL] * 2
    assert result.status.phase is Phase.SUCCESSFUL


def test_without_an_interval_one_measurement_at_once_over_the_lookback() -> None:
    clock = FakeClock()
    cfg = config(interval=None, count=None, lookback=600.0)
    result = run_canary(plan_run(cfg), FakeSource([HEALTHY], clock), clock)
    assert clock.slept == [] and len(result.measurements) == 1
    assert result.measurements[0].window.start == 400.0


def test_marginal_is_inconclusive_as_in_argos_kayenta_provider() -> None:
    clock = FakeClock()
    result = run_canary(plan_run(config()), FakeSource([SLOW], clock), clock)
    judgement = result.measurements[0].judgement
    assert judgement is not None
    marginal = type(judgement)("marginal", 80.0, None, judgement.metrics, judgement.groups)
    assert phase_of(marginal) is Phase.INCONCLUSIVE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("metrics: [{name: x, query: 'a{${scope}}'}]\n", "no scopes"),
        (
            "metrics: [{name: x}, {name: y}]\nscopes: {baseline: a, canary: b}\n",
            "metric 'x' has no query",
        ),
        (
            "metrics: [{name: x, query: 'a{${scope}}'}]\nscopes: {baseline: a, canary: b}\n",
            "needs a lookback",
        ),
    ],
)
def test_configurations_that_cannot_run_are_refused(text: str, problem: str) -> None:
    with pytest.raises(RunConfigError, match=problem):
        plan_run(canary_config_from_doc(parse_yaml(text, "c.yml")))


def test_a_muted_metric_needs_no_query() -> None:
    text = "metrics: [{name: x, query: 'a{${scope}}'}, {name: y, muted: true}]\n"
    text += "scopes: {baseline: a, canary: b}\nanalysis: {lookback: 5m}\n"
    plan = plan_run(canary_config_from_doc(parse_yaml(text, "c.yml")))
    assert plan.queries == {"x": ("a{a}", "a{b}")}


class GrowingSource:
    """Prometheus-like: one value per step since `origin`, the same values at every look."""

    def __init__(self, baseline: list[float], canary: list[float], origin: float) -> None:
        errors = [1.0, 0.0, 2.0, 1.0] * 100
        self.series = {
            'lat{v="1"}': baseline,
            'lat{v="2"}': canary,
            'err{v="1"}': errors,
            'err{v="2"}': errors[1:],
        }
        self.origin = origin

    def __call__(self, query: str, start: float, end: float, step: float) -> list[float]:
        values = next(v for key, v in self.series.items() if key in query)
        first, last = int((start - self.origin) // step), int((end - self.origin) // step)
        return values[first:last]


SEQUENTIAL = CONFIG.replace("count: 3", "count: 12").replace(
    "critical: true}", "critical: true, sequential: {test: poisson}}"
)


def test_sequential_run_stops_as_soon_as_the_canary_is_clearly_worse() -> None:
    import numpy as np

    rng = np.random.default_rng(9)
    base = (100 * rng.lognormal(0, 0.1, 400)).tolist()
    slow = (125 * rng.lognormal(0, 0.1, 400)).tolist()
    clock = FakeClock()
    plan = plan_run(config(SEQUENTIAL, failure_limit=5), sequential=True)
    result = run_canary(plan, GrowingSource(base, slow, 1000.0), clock)
    assert result.status.phase is Phase.FAILED, result.status.reason
    assert result.status.reason.startswith("the canary is worse: latency")
    assert len(result.measurements) < 12  # well before the planned count, despite the limit
    looks = [m.sequential for m in result.measurements]
    assert all(look is not None for look in looks)
    assert looks[-1] is not None and looks[-1].decision.value == "fail"


def test_sequential_run_passes_a_healthy_canary_at_the_planned_count() -> None:
    import numpy as np

    rng = np.random.default_rng(10)
    base = (100 * rng.lognormal(0, 0.1, 400)).tolist()
    same = (100 * rng.lognormal(0, 0.1, 400)).tolist()
    clock = FakeClock()
    result = run_canary(
        plan_run(config(SEQUENTIAL), sequential=True), GrowingSource(base, same, 1000.0), clock
    )
    assert result.status.phase is Phase.SUCCESSFUL, result.status.reason
    assert len(result.measurements) == 12
    last = result.measurements[-1].sequential
    assert last is not None and last.decision.value == "pass"
    assert {e.name for e in last.evidence} == {"latency", "errors"}


def test_sequential_run_with_too_little_data_at_the_end_is_inconclusive() -> None:
    clock = FakeClock()
    sparse = GrowingSource([100.0] * 2, [100.0] * 2, 1000.0)  # two points, ever
    plan = plan_run(config(SEQUENTIAL, count=3, inconclusive_limit=5), sequential=True)
    result = run_canary(plan, sparse, clock)
    assert result.status.phase is Phase.INCONCLUSIVE
    assert result.measurements[-1].phase is Phase.INCONCLUSIVE


@pytest.mark.parametrize(
    ("update", "problem"),
    [({"lookback": 300.0}, "drop the lookback"), ({"interval": None, "lookback": 60.0}, "")],
)
def test_sequential_runs_refuse_a_lookback_or_no_interval(
    update: dict[str, object], problem: str
) -> None:
    with pytest.raises(RunConfigError, match=problem or "every interval"):
        plan_run(config(SEQUENTIAL, **update), sequential=True)


def test_a_run_that_never_had_data_is_not_a_pass_even_within_the_inconclusive_limit() -> None:
    clock = FakeClock()
    plan = plan_run(config(CONFIG.replace(", critical: true", ""), inconclusive_limit=5))
    result = run_canary(plan, FakeSource([[]], clock), clock)
    assert [m.phase for m in result.measurements] == [Phase.INCONCLUSIVE] * 3
    assert result.status.phase is Phase.INCONCLUSIVE
    assert result.status.reason == "no measurement could judge the canary"


NAN = float("nan")


@pytest.mark.parametrize(
    ("answers", "limits", "phases", "final"),
    [
        # NaN answers are removed by the metric's nan_strategy: no data, Inconclusive
        ([[NAN] * 20], {}, [Phase.INCONCLUSIVE], Phase.INCONCLUSIVE),
        # some NaN among good values: judged on what is left
        ([[*HEALTHY[:20], NAN, NAN]], {}, [Phase.SUCCESSFUL] * 3, Phase.SUCCESSFUL),
        # empty answers: Inconclusive, and within a generous limit still not a pass
        ([[]], {"inconclusive_limit": 9}, [Phase.INCONCLUSIVE] * 3, Phase.INCONCLUSIVE),
        # an error streak of four is tolerated, errors do not count towards count
        (
            [MeasurementError("down")] * 4 + [HEALTHY],
            {},
            [Phase.ERROR] * 4 + [Phase.SUCCESSFUL] * 3,
            Phase.SUCCESSFUL,
        ),
        # five in a row end the run in Error
        ([MeasurementError("down")] * 5, {}, [Phase.ERROR] * 5, Phase.ERROR),
        # data, then none: the first inconclusive stops the run for a human
        ([HEALTHY, []], {}, [Phase.SUCCESSFUL, Phase.INCONCLUSIVE], Phase.INCONCLUSIVE),
        # failures within the limit, then the count
        (
            [SLOW, HEALTHY],
            {"failure_limit": 1},
            [Phase.FAILED] + [Phase.SUCCESSFUL] * 2,
            Phase.SUCCESSFUL,
        ),
    ],
)
def test_measurement_table(
    answers: list[list[float] | Exception],
    limits: dict[str, int],
    phases: list[Phase],
    final: Phase | None,
) -> None:
    """What the source answers, measurement by measurement → each measurement's phase and
    the run's end (Argo's rules, with no data never a pass)."""
    clock = FakeClock()
    plain = CONFIG.replace("critical: true", "critical: false")
    result = run_canary(plan_run(config(plain, **limits)), FakeSource(answers, clock), clock)
    assert [m.phase for m in result.measurements] == phases
    if final is not None:
        assert result.status.phase is final, result.status.reason


def test_scopes_that_select_the_same_series_are_inconclusive_not_a_pass() -> None:
    """`version!="v2"` for the baseline also selects the canary; identical answers for every
    metric mean the arms are the same series, which Kayenta would pass as identical data."""
    clock = FakeClock()

    def same(query: str, start: float, end: float, step: float) -> list[float]:
        return HEALTHY  # both arms, every metric: the same values

    plain = CONFIG.replace(", critical: true", "")
    result = run_canary(plan_run(config(plain, inconclusive_limit=5)), same, clock)
    assert result.status.phase is Phase.INCONCLUSIVE
    assert all(m.phase is Phase.INCONCLUSIVE for m in result.measurements)
    assert "do the scopes select the same series?" in str(result.measurements[0].error)
