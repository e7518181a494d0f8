"""The deploy gate's decision as JSON (the `caution deploy gate --format json` interface)
and as text: one verdict line, then one line per reason."""

from __future__ import annotations

from typing import Any, TextIO

from caution.rollout.gate import GateDecision


def gate_to_json(decision: GateDecision) -> dict[str, Any]:
    return {
        "service": decision.service,
        "decision": decision.decision,
        "reasons": [{"kind": r.kind, "message": r.message} for r in decision.reasons],
        "frozen": decision.frozen,
        "exempt": decision.exempt,
        "note": decision.note,
    }


def render_gate(decision: GateDecision, out: TextIO) -> None:
    if decision.decision == "allow":
        tail = "" if decision.reasons else " — no freeze in force"
        out.write(f"deploy {decision.service}: ALLOW{tail}\n")
    else:
        count = len([r for r in decision.reasons if r.kind != "exempt"])
        out.write(f"deploy {decision.service}: HOLD ({count} reason{'s' * (count != 1)})\n")
    for reason in decision.reasons:
        out.write(f"  {reason.kind}: {reason.message}\n")
    if decision.note:
        out.write(f"  note: {decision.note}\n")
