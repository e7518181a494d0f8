"""`caution canary run`: measure a live canary again and again, judge each measurement with
the Kayenta judge, and let Argo Rollouts' rules (rollout/analysis.py) say when the run is over.

Like Argo, the next measurement comes `interval` after the last one finished, or 10 s after
an Error; unlike Argo the first one also waits an interval (Argo measures at once), so a
run started with the canary has something to look at. Each measurement queries both arms over
[start, now] — or [now - lookback, now] — at `step`, and is judged:

    judge verdict   pass         marginal       fail     inconclusive (no data)   query error
    phase           Successful   Inconclusive   Failed   Inconclusive             Error

which is Argo's Kayenta provider (score ≥ pass → Successful, marginal ≤ score < pass →
Inconclusive, below → Failed), except that the score is not truncated to an integer first
and that "no data" is Inconclusive rather than a score of 0.

No clock, no network here: the source (a RangeQuery), the clock and the display are passed in,
so a ten-minute run is tested in microseconds and the loop is the same whatever the source.

With `sequential`, the Kayenta judgement of each measurement is shown but no longer decides:
the anytime-valid test of rollout/sequential.py does, over everything since the start (so a
lookback is refused). A measurement is Failed when the canary is clearly worse — which ends
the run whatever the failure limit, the evidence being cumulative — Inconclusive when there is
no data yet, or when the planned count is reached with too little data, else Successful.

Before the first interval every query is asked once (`check_queries`), so PromQL the server
cannot parse or a wrong URL ends the run at once instead of an interval later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from caution.rollout.analysis import Limits, Phase, Status, Tally, assess
from caution.rollout.config import SCOPE, CanaryConfig
from caution.rollout.judge import Judgement, judge
from caution.rollout.samples import Samples
from caution.rollout.sequential import CountError, Decision, Look
from caution.rollout.sequential_canary import sequential_look, specs_of
from caution.rollout.source import MeasurementError, RangeQuery

PHASE_OF_VERDICT = {
    "pass": Phase.SUCCESSFUL,
    "marginal": Phase.INCONCLUSIVE,
    "fail": Phase.FAILED,
    "inconclusive": Phase.INCONCLUSIVE,
}


# Argo's DefaultErrorRetryInterval: after an Error the next try comes this soon, interval or not
ERROR_RETRY = 10.0


class RunConfigError(ValueError):
    """A canary configuration that cannot drive a run (exit 2)."""


class Clock(Protocol):
    def now(self) -> float:
        """Unix time in seconds."""
        ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Window:
    start: float
    end: float


@dataclass(frozen=True)
class Measurement:
    index: int  # 1-based, errors included
    window: Window
    phase: Phase
    judgement: Judgement | None = None
    error: str | None = None
    sequential: Look | None = None


class Progress(Protocol):
    def waiting(self, index: int, due: float) -> None:
        """Measurement `index` will be taken at unix time `due`."""
        ...

    def measured(self, measurement: Measurement, status: Status, tally: Tally) -> None: ...


class _Quiet:
    def waiting(self, index: int, due: float) -> None:
        pass

    def measured(self, measurement: Measurement, status: Status, tally: Tally) -> None:
        pass


@dataclass(frozen=True)
class Plan:
    """What a runnable configuration asks for, checked once before the first query."""

    config: CanaryConfig
    queries: dict[str, tuple[str, str]]  # metric → (baseline query, canary query)
    limits: Limits
    interval: float | None
    lookback: float | None
    step: float
    sequential: bool = False


@dataclass
class RunResult:
    plan: Plan
    status: Status
    measurements: list[Measurement] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    samples: tuple[Samples, Samples] | None = None  # the last measured (baseline, canary)


def plan_run(config: CanaryConfig, *, sequential: bool = False) -> Plan:
    """Raises RunConfigError naming what is missing: scopes, a metric's query, a lookback."""
    if config.scopes is None:
        raise RunConfigError(
            "no scopes: say which label matchers select each arm, e.g. "
            "scopes: {baseline: 'version=\"v1\"', canary: 'version=\"v2\"'}"
        )
    missing = [m.name for m in config.metrics if m.query is None and not m.muted]
    if missing:
        raise RunConfigError(
            f"metric {missing[0]!r} has no query: a live run needs a PromQL query with "
            f"{SCOPE} for every metric that is not muted"
            + (f" (also: {', '.join(missing[1:])})" if missing[1:] else "")
        )
    a = config.analysis
    if a.interval is None and a.lookback is None:
        raise RunConfigError(
            "analysis: a single measurement at once (no interval) needs a lookback, "
            "e.g. analysis: {lookback: 10m}"
        )
    if sequential and a.interval is None:
        raise RunConfigError("analysis: a sequential run looks again every interval; set one")
    if sequential and a.lookback is not None:
        raise RunConfigError(
            "analysis: a sequential run weighs everything since the start; drop the lookback"
        )
    if sequential and not specs_of(config):
        raise RunConfigError(
            "sequential: nothing to test — every metric is muted or only another metric's "
            "exposure, so no test could ever fail the canary"
        )
    unqueried = [
        m.name
        for m in config.metrics
        if m.query is None and any(o.sequential.exposure == m.name for o in config.metrics)
    ]
    if sequential and unqueried:
        raise RunConfigError(f"metric {unqueried[0]!r} is an exposure and needs a query")
    scopes = config.scopes
    queries = {
        m.name: (m.query.replace(SCOPE, scopes.baseline), m.query.replace(SCOPE, scopes.canary))
        for m in config.metrics
        if m.query is not None
    }
    limits = Limits(
        count=a.count or 1,
        failure_limit=a.failure_limit,
        inconclusive_limit=a.inconclusive_limit,
        consecutive_error_limit=a.consecutive_error_limit,
    )
    return Plan(config, queries, limits, a.interval, a.lookback, a.step, sequential)


def check_queries(plan: Plan, query_range: RangeQuery, now: float) -> None:
    """Ask every query once, over the last step, before the first interval: PromQL the
    server cannot parse or a wrong URL (QueryError) stops the run now rather than an
    interval later. A server that cannot answer yet is left to the run's error limits."""
    for base_query, canary_query in plan.queries.values():
        for query in (base_query, canary_query):
            try:
                query_range(query, now - plan.step, now, plan.step)
            except MeasurementError:
                return


def phase_of(judgement: Judgement) -> Phase:
    return PHASE_OF_VERDICT[judgement.verdict]


def run_canary(
    plan: Plan,
    query_range: RangeQuery,
    clock: Clock,
    *,
    progress: Progress | None = None,
    error_retry: float = ERROR_RETRY,
) -> RunResult:
    """Measure until Argo's rules (or the sequential test) complete the run. Raises
    QueryError when a query is wrong (checked first when there is an interval to wait)."""
    show = progress or _Quiet()
    start = finished = clock.now()
    if plan.interval is not None:  # without one, the first measurement comes at once anyway
        check_queries(plan, query_range, start)
    result = RunResult(plan, assess(plan.limits, Tally()))
    index = 0
    while not result.status.phase.completed:
        index += 1
        last = result.measurements[-1].phase if result.measurements else None
        wait = error_retry if last is Phase.ERROR else plan.interval
        if wait is not None:
            due = finished + wait
            show.waiting(index, due)
            clock.sleep(max(0.0, due - clock.now()))
        end = clock.now()
        window = Window(end - plan.lookback if plan.lookback is not None else start, end)
        final = result.tally.count + 1 >= plan.limits.count if plan.limits.count else False
        measurement, samples = _measure(plan, query_range, index, window, final=final)
        result.tally.record(measurement.phase)
        status = assess(plan.limits, result.tally)
        look = measurement.sequential
        if look is not None and look.decision in (Decision.FAIL, Decision.INCONCLUSIVE):
            status = Status(measurement.phase, look.reason)
        elif status.phase is Phase.SUCCESSFUL and not result.tally.successful:
            # Argo would pass a run whose every measurement was inconclusive within the
            # limit; a canary nobody could judge is never a pass.
            status = Status(Phase.INCONCLUSIVE, "no measurement could judge the canary")
        if samples is not None:
            result.samples = samples
        result.measurements.append(measurement)
        result.status = status
        finished = clock.now()
        show.measured(measurement, status, result.tally)
    return result


def _measure(
    plan: Plan, query_range: RangeQuery, index: int, window: Window, *, final: bool = False
) -> tuple[Measurement, tuple[Samples, Samples] | None]:
    baseline: Samples = {}
    canary: Samples = {}
    for name, (base_query, canary_query) in plan.queries.items():
        for arm, query, into in (
            ("baseline", base_query, baseline),
            ("canary", canary_query, canary),
        ):
            try:
                into[name] = query_range(query, window.start, window.end, plan.step)
            except MeasurementError as exc:
                return Measurement(index, window, Phase.ERROR, error=f"{name} ({arm}): {exc}"), None
    if _same_series(plan, baseline, canary):
        why = (
            "baseline and canary answered the very same values for every metric: do the "
            "scopes select the same series?"
        )
        return Measurement(index, window, Phase.INCONCLUSIVE, error=why), None
    judgement = judge(plan.config, baseline, canary)
    if not plan.sequential:
        return Measurement(index, window, phase_of(judgement), judgement), (baseline, canary)
    try:
        look = sequential_look(plan.config, baseline, canary, final=final)
    except CountError as exc:
        return Measurement(index, window, Phase.ERROR, judgement, error=str(exc)), None
    phase = {
        Decision.FAIL: Phase.FAILED,
        Decision.INCONCLUSIVE: Phase.INCONCLUSIVE,
    }.get(look.decision, Phase.SUCCESSFUL)
    if phase is Phase.SUCCESSFUL and judgement.verdict == "inconclusive":
        phase = Phase.INCONCLUSIVE  # nothing measured yet: never a silent pass
    measurement = Measurement(index, window, phase, judgement, sequential=look)
    return measurement, (baseline, canary)


def _same_series(plan: Plan, baseline: Samples, canary: Samples) -> bool:
    """Two deployments never report identical values at every step of every metric; two
    scopes that select the same series do (Kayenta would pass them: identical data)."""
    names = list(plan.queries)
    return bool(names) and all(
        baseline[n] and len(baseline[n]) > 1 and _identical(baseline[n], canary[n]) for n in names
    )


def _identical(a: list[float], b: list[float]) -> bool:
    """Equal, NaN matching NaN."""
    if len(a) != len(b):
        return False
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))
