"""Probing an installed hook the way its agent calls it: a payload in the agent's shape,
and its answer read the way the agent reads it. Pure.

Two probes: a harmless command the guard must allow, and a destructive one it must deny.
They go to the hook as payload only, never to a shell; even so each is chosen to do nothing
if it ever ran (the destructive one deletes a path that does not exist). The comment in
each marks them in the guard's log.
Payload shapes follow the agents' hook documentation (see caution/guard/agents.py and
caution/data/agent-hooks.toml); how each agent reads an answer: exit 2 blocks everywhere,
exit 0 is read as JSON (empty stdout: no opinion, the tool runs; Cursor wants an explicit
`permission`, and with `failClosed` takes silence as a failure), anything else lets the tool
run (Cursor's `failClosed` aside).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PROBES = {
    "allow": "true # caution guard doctor: a harmless probe",
    "deny": "rm -rf /nonexistent/caution-guard-doctor # caution guard doctor: a destructive probe",
}


def probe_payload(agent: str, command: str, cwd: str, workspace: str) -> bytes:
    """A pre-tool payload for a shell command, as `agent` sends it."""
    data: dict[str, Any]
    if agent == "cursor":
        data = {
            "conversation_id": "caution-guard-doctor",
            "generation_id": "caution-guard-doctor",
            "hook_event_name": "beforeShellExecution",
            "workspace_roots": [workspace],
            "command": command,
            "cwd": cwd,
        }
    elif agent == "gemini":
        data = {
            "session_id": "caution-guard-doctor",
            "hook_event_name": "BeforeTool",
            "cwd": cwd,
            "tool_name": "run_shell_command",
            "tool_input": {"command": command},
        }
    elif agent == "copilot":
        data = {"cwd": cwd, "toolName": "bash", "toolArgs": json.dumps({"command": command})}
    else:  # claude-code, codex
        data = {
            "session_id": "caution-guard-doctor",
            "hook_event_name": "PreToolUse",
            "cwd": cwd,
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
    return json.dumps(data).encode("utf-8")


@dataclass(frozen=True)
class Answer:
    decision: str  # what the agent does: allow | ask | deny
    well_formed: bool  # an answer in the agent's protocol, not a failure it shrugs off
    detail: str


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _reason_in(data: dict[str, Any]) -> str:
    inner = data.get("hookSpecificOutput")
    for where, key in (
        (inner, "permissionDecisionReason"),
        (data, "permissionDecisionReason"),
        (data, "agent_message"),
        (data, "user_message"),
        (data, "reason"),
    ):
        if isinstance(where, dict) and isinstance(where.get(key), str):
            return str(where[key])
    return ""


def _decision_in(agent: str, data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    value: Any
    if agent in ("claude-code", "codex"):
        inner = data.get("hookSpecificOutput")
        value = inner.get("permissionDecision") if isinstance(inner, dict) else None
    elif agent == "cursor":
        value = data.get("permission")
    elif agent == "gemini":
        value = data.get("decision")
        value = "deny" if value == "block" else value
    else:
        value = data.get("permissionDecision")
    return value if value in ("allow", "ask", "deny") else None


def read_answer(agent: str, code: int, stdout: str, stderr: str) -> Answer:
    """What `agent` makes of a hook that exited `code` with this output."""
    if code == 2:
        reason = _first_line(stderr)
        return Answer("deny", bool(reason), reason or "exit 2 without a reason on stderr")
    if code != 0:
        where = f"exit {code}" if code >= 0 else "no answer in time"
        tail = f": {_first_line(stderr)}" if _first_line(stderr) else ""
        fate = "blocked only with failClosed" if agent == "cursor" else "the tool runs"
        return Answer("allow", False, f"{where}{tail} ({fate})")
    if not stdout.strip():
        if agent == "cursor":
            return Answer("allow", False, "no answer on stdout (Cursor wants a permission)")
        return Answer("allow", True, "no objection")
    try:
        data = json.loads(stdout)
    except ValueError:
        return Answer("allow", False, f"stdout is not JSON: {_first_line(stdout)[:80]}")
    decision = _decision_in(agent, data)
    if decision is None:
        return Answer("allow", False, f"no decision in the answer: {_first_line(stdout)[:80]}")
    return Answer(decision, True, _reason_in(data) or _first_line(stdout)[:200])
