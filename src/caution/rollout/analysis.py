"""Repeated canary measurements with Argo Rollouts' semantics.

A canary is judged again at every interval; each judgement is one measurement whose phase is
Successful, Failed, Inconclusive or Error. The run's status follows Argo Rollouts'
`assessMetricStatus` (argoproj/argo-rollouts, analysis/analysis.go, Apache-2.0), checked in
this order, a later match overriding an earlier one:

- failed > failure_limit (default 0) → Failed;
- inconclusive > inconclusive_limit (default 0) → Inconclusive (a human must look);
- consecutive errors > consecutive_error_limit (default 4) → Error;
- otherwise, once `count` measurements have completed → Successful; before that → Running.

Errors do not count towards `count` and a non-error measurement resets the error streak,
as in Argo. Where Argo leaves "no data" to each provider, here it is always Inconclusive:
a canary nobody could measure is never a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Phase(StrEnum):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCESSFUL = "Successful"
    INCONCLUSIVE = "Inconclusive"
    ERROR = "Error"
    FAILED = "Failed"

    @property
    def completed(self) -> bool:
        return self not in (Phase.PENDING, Phase.RUNNING)


# Argo's order of severity, mildest first: the worst phase of several metrics wins.
SEVERITY = (
    Phase.PENDING,
    Phase.RUNNING,
    Phase.SUCCESSFUL,
    Phase.INCONCLUSIVE,
    Phase.ERROR,
    Phase.FAILED,
)


@dataclass(frozen=True)
class Limits:
    count: int | None = None  # None: run until stopped
    failure_limit: int = 0
    inconclusive_limit: int = 0
    consecutive_error_limit: int = 4

    def __post_init__(self) -> None:
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        for name in ("failure_limit", "inconclusive_limit", "consecutive_error_limit"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")


@dataclass
class Tally:
    """What Argo calls a MetricResult: counters over the measurements so far."""

    count: int = 0
    successful: int = 0
    failed: int = 0
    inconclusive: int = 0
    error: int = 0
    consecutive_error: int = 0
    phases: list[Phase] = field(default_factory=list)

    def record(self, phase: Phase) -> None:
        if not phase.completed:
            raise ValueError(
                f"a measurement ends Successful, Failed, Inconclusive or Error, not {phase}"
            )
        self.phases.append(phase)
        if phase is Phase.ERROR:
            self.error += 1
            self.consecutive_error += 1
            return
        self.count += 1
        self.consecutive_error = 0
        if phase is Phase.SUCCESSFUL:
            self.successful += 1
        elif phase is Phase.FAILED:
            self.failed += 1
        else:
            self.inconclusive += 1


@dataclass(frozen=True)
class Status:
    phase: Phase
    reason: str


def assess(limits: Limits, tally: Tally, *, terminating: bool = False) -> Status:
    """The run's status after the measurements in `tally`."""
    if not tally.phases:
        if terminating:
            return Status(Phase.SUCCESSFUL, "stopped before any measurement")
        return Status(Phase.PENDING, "no measurement yet")
    verdict: Status | None = None
    if tally.failed > limits.failure_limit:
        verdict = Status(
            Phase.FAILED, f"failed ({tally.failed}) > failure_limit ({limits.failure_limit})"
        )
    if tally.inconclusive > limits.inconclusive_limit:
        verdict = Status(
            Phase.INCONCLUSIVE,
            f"inconclusive ({tally.inconclusive}) > inconclusive_limit "
            f"({limits.inconclusive_limit})",
        )
    if tally.consecutive_error > limits.consecutive_error_limit:
        verdict = Status(
            Phase.ERROR,
            f"consecutive errors ({tally.consecutive_error}) > consecutive_error_limit "
            f"({limits.consecutive_error_limit})",
        )
    if verdict is not None:
        return verdict
    if limits.count is not None and tally.count >= limits.count:
        return Status(Phase.SUCCESSFUL, f"count ({limits.count}) reached")
    if terminating:
        return Status(Phase.SUCCESSFUL, "stopped with no limit exceeded")
    return Status(Phase.RUNNING, f"{tally.count} of {limits.count or '∞'} measurements")


def run(limits: Limits, phases: Iterable[Phase]) -> tuple[Status, Tally]:
    """Feed measurements until the run completes; later ones are not taken."""
    tally = Tally()
    status = assess(limits, tally)
    for phase in phases:
        tally.record(phase)
        status = assess(limits, tally)
        if status.phase.completed:
            break
    return status, tally


def worst(statuses: Iterable[Status]) -> Status:
    """The overall status of several metrics: the most severe."""
    ordered = sorted(statuses, key=lambda s: SEVERITY.index(s.phase))
    if not ordered:
        raise ValueError("no metric to assess")
    return ordered[-1]
