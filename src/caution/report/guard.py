"""`caution guard install` and `caution guard doctor`, as text and as JSON."""

from __future__ import annotations

from typing import Any, TextIO

from caution.guard.doctor import Diagnosis, HookHealth
from caution.guard.install import Outcome
from caution.report.safe import plain


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
    if outcome.action == "uninstall" and not outcome.changed:
        out.write(f"caution guard was not installed in {outcome.file}: nothing removed\n")
    else:
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


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def hook_to_json(health: HookHealth) -> dict[str, Any]:
    return {
        "agent": health.agent,
        "scope": health.scope,
        "file": str(health.file),
        "installed": health.installed,
        "error": health.error,
        "command": health.command,
        "resolves": health.resolves,
        "runs": health.runs,
        "answers": health.answers,
        "probes": {
            name: {
                "expected": p.expected,
                "decision": p.decision,
                "ok": p.ok,
                "exit": p.exit,
                "ms": _ms(p.ms),
                "detail": p.detail,
            }
            for name, p in health.probes.items()
        },
        "latency_ms": {"cold": _ms(health.cold_ms), "warm": _ms(health.warm_ms)},
        "problems": list(health.problems),
        "notes": list(health.notes),
        "healthy": health.healthy,
    }


def diagnosis_to_json(diagnosis: Diagnosis) -> dict[str, Any]:
    return {
        "healthy": diagnosis.healthy,
        "installed": len(diagnosis.installed),
        "hooks": [hook_to_json(h) for h in diagnosis.hooks],
    }


def _hook_lines(health: HookHealth) -> list[str]:
    head = f"{health.agent} ({health.scope}) {health.file}"
    if health.error:
        return [f"BROKEN  {head}", f"  {plain(health.error)}"]
    if not health.installed:
        return [f"-       {head}: not installed"]
    mark = "OK     " if health.healthy else "PROBLEM"
    lines = [f"{mark} {head}", f"  command: {plain(health.command or '')}"]
    resolved = "resolves to" if health.resolves else "does not resolve:"
    lines.append(f"  {resolved} {plain(health.runs or '')}")
    for probe in health.probes.values():
        verdict = "ok" if probe.ok else "WRONG"
        lines.append(
            f"  {probe.expected} probe: {verdict}, the agent would {probe.decision}"
            f" (exit {probe.exit}, {round(probe.ms)} ms): {plain(probe.detail)[:120]}"
        )
    if health.cold_ms is not None:
        warm = (
            f"warm {_ms(health.warm_ms)} ms"
            if health.warm_ms is not None
            else "no warm calls (CAUTION_GUARD_NO_DAEMON is set)"
        )
        lines.append(f"  latency: cold {_ms(health.cold_ms)} ms, {warm}")
    lines.extend(f"  problem: {plain(p)}" for p in health.problems)
    lines.extend(f"  note: {plain(n)}" for n in health.notes)
    return lines


def render_diagnosis(diagnosis: Diagnosis, out: TextIO) -> None:
    for health in diagnosis.hooks:
        out.write("\n".join(_hook_lines(health)) + "\n")
    found = diagnosis.installed
    if not found:
        out.write("the guard is not installed for any agent: caution guard install --agent NAME\n")
    elif diagnosis.healthy:
        out.write(f"healthy: {len(found)} installed hook{'s' * (len(found) != 1)} answer\n")
    else:
        sick = [h for h in found if not h.healthy]
        names = ", ".join(f"{h.agent} ({h.scope})" for h in sick)
        out.write(f"not healthy: {names}; caution guard install --agent NAME rewrites a hook\n")
