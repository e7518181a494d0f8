"""The deploy gate's decision: allow, or hold with every reason.

A change holds while a freeze applies to it (see `freeze.py`) or when its canary did not
pass. Only `pass` passes: a marginal or inconclusive canary is not evidence of safety.
"""

from __future__ import annotations

from dataclasses import dataclass

from caution.rollout.freeze import FreezeStatus, Reason

CANARY_VERDICTS = ("pass", "marginal", "fail", "inconclusive")


@dataclass(frozen=True)
class CanaryResult:
    """What `caution canary judge --format json` said."""

    verdict: str
    score: float | None
    source: str


@dataclass(frozen=True)
class GateDecision:
    service: str
    decision: str  # allow | hold
    reasons: tuple[Reason, ...]
    frozen: bool  # a freeze is in force (the change may still be exempt from it)
    exempt: bool  # every commit of the change carries an exempt marker
    note: str | None = None  # something the person deploying should know (not a reason)


def decide_gate(service: str, status: FreezeStatus, canary: CanaryResult | None) -> GateDecision:
    reasons = list(status.reasons())
    hold = status.holds
    if canary is not None and canary.verdict != "pass":
        score = "" if canary.score is None else f", score {canary.score:g}"
        reasons.append(
            Reason("canary", f"canary verdict is {canary.verdict}{score} ({canary.source})")
        )
        hold = True
    return GateDecision(
        service, "hold" if hold else "allow", tuple(reasons), status.frozen, status.is_exempt
    )
