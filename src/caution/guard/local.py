"""One hook call judged in this process: payload in, the agent's answer out. Used by
the resident guard process and, when that is absent, by the hook itself."""

from __future__ import annotations

from caution import json_file
from caution.guard.agents import PayloadError, failure, parse_payload, respond
from caution.guard.config import guard_settings
from caution.guard.engine import SEVERITY
from caution.guard.log import append
from caution.guard.rules import default_rules
from caution.guard.service import check_action, places_for
from caution.yaml_source import SourceError


def judge(agent: str, payload: bytes, cwd: str, home: str) -> tuple[str, str, int]:
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
    where = agent_cwd or cwd
    places = places_for(where, home)
    try:
        settings = guard_settings(places.workspace)
    except SourceError as exc:
        return failure(f"the guard settings do not load: {exc}")
    rules = default_rules()
    decision, rule, reason = "allow", None, "no rule matched"
    try:
        for action in actions:
            verdict = check_action(action, places, rules, settings)
            append(places.workspace, agent, action, verdict.decision, verdict.rule, verdict.reason)
            if SEVERITY[verdict.decision] > SEVERITY[decision]:
                decision, rule, reason = verdict.decision, verdict.rule, verdict.reason
    except Exception as exc:  # fail closed, unless the team chose otherwise
        if settings.mode == "fail-open":
            return respond(agent, event, "allow", "")
        return failure(f"{type(exc).__name__}: {exc}")
    detail = f"[{rule}] {reason}" if rule else reason
    return respond(agent, event, decision, detail)
