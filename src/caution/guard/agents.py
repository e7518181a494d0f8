"""Each coding agent's pre-tool hook protocol: what it sends, how it wants the answer. Pure.

Sources (see bench notes): Claude Code PreToolUse (code.claude.com/docs/en/hooks); Cursor
hooks.json (beforeShellExecution, preToolUse); Gemini CLI BeforeTool
(google-gemini/gemini-cli docs/hooks/reference.md); GitHub Copilot preToolUse
(github/docs hooks reference); Codex PreToolUse (openai/codex codex-rs/hooks). Deny is
the one decision every agent honours: where an agent cannot ask (Gemini, Copilot,
Codex, Cursor's preToolUse), `ask` is sent as a deny whose reason says a person must
run it. An internal failure is answered with exit 2 and the reason on stderr, which
every one of them treats as a block.
"""

from __future__ import annotations

import json
import re
from typing import Any

from caution import json_file

AGENTS = ("claude-code", "codex", "cursor", "gemini", "copilot")
SHELL_TOOLS = {"bash", "shell", "run_shell_command", "powershell", "terminal", "exec"}
WRITE_TOOLS = {
    "write",
    "edit",
    "multiedit",
    "notebookedit",
    "write_file",
    "replace",
    "create",
    "str_replace_editor",
    "delete",
    "apply_patch",
}
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$", re.M)


class PayloadError(ValueError):
    """The agent sent something this adapter cannot read."""


def _object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json_file.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _write_actions(tool: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    if tool == "apply_patch":
        patch = args.get("command") or args.get("patch") or args.get("input") or ""
        paths = [a or b for a, b in _PATCH_FILE.findall(str(patch))]
        if not paths:
            return [{"kind": "shell", "command": "apply_patch"}]
        return [{"kind": "write", "path": p.strip()} for p in paths]
    path = (
        args.get("file_path")
        or args.get("path")
        or args.get("filePath")
        or args.get("notebook_path")
    )
    if not isinstance(path, str) or not path:
        raise PayloadError(f"a {tool} call without a file path")
    return [{"kind": "write", "path": path}]


def _from_tool(tool: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    name = tool.lower()
    if name in SHELL_TOOLS:
        command = args.get("command") or args.get("cmd")
        if isinstance(command, list):
            command = " ".join(str(c) for c in command)
        if not isinstance(command, str):
            raise PayloadError(f"a {tool} call without a command")
        return [{"kind": "shell", "command": command}]
    if name in WRITE_TOOLS:
        return _write_actions(name, args)
    return []  # reads, searches, web fetches: not this guard's business


def parse_payload(agent: str, data: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None, str]:
    """(actions, cwd, event) from a hook payload."""
    if agent not in AGENTS:
        raise PayloadError(f"unknown agent {agent!r} (known: {', '.join(AGENTS)})")
    cwd = data.get("cwd") if isinstance(data.get("cwd"), str) else None
    event = str(data.get("hook_event_name") or data.get("hookEventName") or "")
    if agent == "cursor":
        roots = data.get("workspace_roots")
        if cwd is None and isinstance(roots, list) and roots and isinstance(roots[0], str):
            cwd = roots[0]
        if event == "beforeShellExecution" or ("command" in data and "tool_name" not in data):
            command = data.get("command")
            if not isinstance(command, str):
                raise PayloadError("beforeShellExecution without a command")
            return [{"kind": "shell", "command": command}], cwd, event or "beforeShellExecution"
        if event in ("beforeMCPExecution", "beforeReadFile", "beforeSubmitPrompt"):
            return [], cwd, event
    if agent == "copilot" and "toolName" in data:
        return _from_tool(str(data["toolName"]), _object(data.get("toolArgs"))), cwd, "preToolUse"
    tool = data.get("tool_name") or data.get("toolName")
    if not isinstance(tool, str):
        raise PayloadError("no tool_name in the hook payload")
    args = _object(data.get("tool_input") if "tool_input" in data else data.get("toolArgs"))
    if agent == "gemini" and isinstance(args.get("dir_path"), str) and cwd:
        cwd = args["dir_path"] if args["dir_path"].startswith("/") else f"{cwd}/{args['dir_path']}"
    return _from_tool(tool, args), cwd, event


def respond(agent: str, event: str, decision: str, reason: str) -> tuple[str, str, int]:
    """(stdout, stderr, exit code) telling `agent` the decision."""
    if decision == "allow":
        if agent == "cursor":
            return json.dumps({"permission": "allow"}) + "\n", "", 0
        return "", "", 0  # no opinion: the agent's own permission flow applies
    text = f"caution guard: {reason}"
    can_ask = agent == "claude-code" or (agent == "cursor" and event != "preToolUse")
    if decision == "ask" and not can_ask:
        decision = "deny"
        text += " (this needs a person: run it yourself if it is intended)"
    out: dict[str, object]
    if agent in ("claude-code", "codex"):
        out = {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": decision,
                "permissionDecisionReason": text,
            }
        }
    elif agent == "cursor":
        out = {
            "permission": decision,
            "user_message": text,
            "agent_message": text,
            "userMessage": text,
            "agentMessage": text,
        }
    elif agent == "gemini":
        out = {"decision": decision, "reason": text}
    else:  # copilot
        out = {"permissionDecision": decision, "permissionDecisionReason": text}
    return json.dumps(out) + "\n", "", 0


def failure(reason: str) -> tuple[str, str, int]:
    """A guard that cannot judge denies: exit 2 with the reason on stderr blocks in every agent."""
    return "", f"caution guard could not judge this action, so it is denied: {reason}\n", 2
