"""One hook call judged in this process: payload in, the agent's answer out. Used by
the resident guard process and, when that is absent, by the hook itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caution import json_file
from caution.guard.agents import PayloadError, failure, parse_payload, respond
from caution.guard.config import guard_settings
from caution.guard.engine import SEVERITY
from caution.guard.hook import MAX_PAYLOAD
from caution.guard.log import append
from caution.guard.rules import default_rules
from caution.guard.service import check_action, places_for
from caution.yaml_source import SourceError


def _start(agent: str, data: dict[str, Any], cwd: str) -> str:
    """Where the session started: the folder the agent runs hooks from, or for Cursor the
    workspace root it names (its hooks may run from ~/.cursor). Never the payload's `cwd`,
    which follows the agent wherever its commands `cd`."""
    roots = data.get("workspace_roots")
    if agent == "cursor" and isinstance(roots, list) and roots:
        first = roots[0]
        if isinstance(first, str) and Path(first).is_absolute():
            return first
    return cwd


def judge(
    agent: str, payload: bytes, cwd: str, home: str, deadline: float | None = None
) -> tuple[str, str, int]:
    """`cwd` is where the session started (the hook's own folder, or the project folder the
    agent names); `deadline` (time.monotonic) bounds the whole judgement."""
    if len(payload) > MAX_PAYLOAD:
        return respond(
            agent,
            "",
            "deny",
            f"[guard.too-large] the hook payload is {len(payload)} bytes, more than the "
            f"{MAX_PAYLOAD} the guard reads",
        )
    try:
        data = json_file.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        return failure("the hook payload is not JSON")
    if not isinstance(data, dict):
        return failure("the hook payload is not a JSON object")
    try:
        actions, agent_cwd, event = parse_payload(agent, data)
    except PayloadError as exc:
        return failure(str(exc))
    start = _start(agent, data, cwd)
    places = places_for(agent_cwd or start, home, start=start)
    try:
        settings = guard_settings(start, also=[places.cwd], home=home, deadline=deadline)
    except SourceError as exc:
        return failure(f"the guard settings do not load: {exc}")
    rules = default_rules()
    decision, rule, reason = "allow", None, "no rule matched"
    try:
        for action in actions:
            verdict = check_action(action, places, rules, settings, deadline)
            append(
                places.workspace,
                agent,
                action,
                verdict.decision,
                verdict.rule,
                verdict.reason,
                home=home,
            )
            if SEVERITY[verdict.decision] > SEVERITY[decision]:
                decision, rule, reason = verdict.decision, verdict.rule, verdict.reason
    except Exception as exc:  # fail closed, unless the team chose otherwise
        if settings.mode != "fail-open":
            return failure(f"{type(exc).__name__}: {exc}")
        # fail-open lets through what could not be judged, never what already was: a deny
        # or ask found for an earlier action of the same call stands
        if decision == "allow":
            return respond(agent, event, "allow", "")
    detail = f"[{rule}] {reason}" if rule else reason
    return respond(agent, event, decision, detail)
