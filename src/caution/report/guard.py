"""`caution guard install`, as text and as JSON."""

from __future__ import annotations

from typing import Any, TextIO

from caution.guard.install import Outcome


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "agent": outcome.agent,
        "scope": outcome.scope,
        "action": outcome.action,
        "file": str(outcome.file),
        "changed": outcome.changed,
        "command": outcome.command,
        "launcher": (
            {"path": str(outcome.launcher), "changed": outcome.launcher_changed}
            if outcome.launcher
            else None
        ),
        "commit": list(outcome.commit),
        "notes": list(outcome.notes),
    }


def render_outcome(outcome: Outcome, out: TextIO) -> None:
    verb = "removed from" if outcome.action == "uninstall" else "installed in"
    state = "" if outcome.changed else " (nothing to change)"
    out.write(f"caution guard {verb} {outcome.file}{state}\n")
    if outcome.launcher is not None:
        if outcome.action == "uninstall":
            out.write(f"launcher removed: {outcome.launcher} (no agent uses it any more)\n")
        else:
            written = "written" if outcome.launcher_changed else "up to date"
            out.write(f"launcher {written}: {outcome.launcher}\n")
    if outcome.commit:
        out.write(f"commit both: git add {' '.join(outcome.commit)}\n")
    for note in outcome.notes:
        out.write(f"note: {note}\n")
