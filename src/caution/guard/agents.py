"""Each coding agent's pre-tool hook protocol: what it sends, how it wants the answer. Pure.

Sources (see bench notes): Claude Code PreToolUse (code.claude.com/docs/en/hooks); Cursor
hooks.json (beforeShellExecution, beforeReadFile, beforeMCPExecution, preToolUse); Gemini CLI
BeforeTool (google-gemini/gemini-cli docs/hooks/reference.md); GitHub Copilot preToolUse
(github/docs hooks reference); Codex PreToolUse (openai/codex codex-rs/hooks). Which tool
names each agent uses, and what each does, is data: `caution/data/guard/agent_tools.toml`,
with its sources. A tool no list names is judged by what it carries, or asked about. Deny is
the one decision every agent honours: where an agent cannot ask (Gemini, Copilot,
Codex, Cursor's preToolUse), `ask` is sent as a deny whose reason says a person must
run it. An internal failure is answered with exit 2 and the reason on stderr, which
every one of them treats as a block.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from caution import json_file

AGENTS = ("claude-code", "codex", "cursor", "gemini", "copilot")
KINDS = ("shell", "write", "read", "other")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$", re.M)
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


class PayloadError(ValueError):
    """The agent sent something this adapter cannot read."""


@dataclass(frozen=True)
class ToolLists:
    """Each agent's documented tools by kind (`agent_tools.toml`), names folded to lower case."""

    by_agent: dict[str, dict[str, str]]  # agent → tool name → kind
    anywhere: dict[str, str]  # tool name → kind, from any agent's list
    delete: frozenset[str]
    command_keys: tuple[str, ...]
    workdir_keys: tuple[str, ...]
    path_keys: tuple[str, ...]
    read_verbs: frozenset[str]

    def kind(self, agent: str, tool: str) -> str | None:
        name = tool.lower()
        return self.by_agent.get(agent, {}).get(name) or self.anywhere.get(name)


@cache
def tool_lists() -> ToolLists:
    text = resources.files("caution.data").joinpath("guard", "agent_tools.toml").read_text("utf-8")
    data = tomllib.loads(text)
    by_agent: dict[str, dict[str, str]] = {}
    anywhere: dict[str, str] = {}
    for entry in data["agent"]:
        if entry.get("id") not in AGENTS or not entry.get("source"):
            raise ValueError(
                f"agent_tools.toml: every agent needs a known id and a source: {entry}"
            )
        tools = by_agent.setdefault(entry["id"], {})
        for kind in KINDS:
            for name in entry.get(kind, []):
                tools[name.lower()] = kind
                anywhere.setdefault(name.lower(), kind)
    common = data["tools"]
    return ToolLists(
        by_agent=by_agent,
        anywhere=anywhere,
        delete=frozenset(n.lower() for n in common["delete"]),
        command_keys=tuple(common["command_keys"]),
        workdir_keys=tuple(common["workdir_keys"]),
        path_keys=tuple(common["path_keys"]),
        read_verbs=frozenset(common["read_verbs"]),
    )


def _object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json_file.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def command_text(value: Any) -> str | None:
    """A command as the shell would run it: a string as it is, an argv list quoted word by
    word (`["bash", "-lc", "rm -rf ~"]` is `bash -lc 'rm -rf ~'`, never `bash -lc rm -rf ~`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
        return shlex.join(str(v) for v in value)
    return None


def _paths(args: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for key in keys:
        value = args.get(key)
        if isinstance(value, str) and value:
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str) and v)
    return found


def _command(args: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in args:
            text = command_text(args[key])
            if text is not None:
                return text
    return None


def _write_actions(tool: str, args: dict[str, Any], lists: ToolLists) -> list[dict[str, Any]]:
    if tool == "apply_patch" or isinstance(args.get("patch"), str):
        patch = args.get("command") or args.get("patch") or args.get("input") or ""
        if isinstance(patch, list):  # `apply_patch` called through the shell tool's argv
            patch = "\n".join(str(p) for p in patch)
        paths = [a or b for a, b in _PATCH_FILE.findall(str(patch))]
        if not paths:
            return [{"kind": "shell", "command": "apply_patch"}]
        return [{"kind": "write", "path": p.strip()} for p in paths]
    paths = _paths(args, lists.path_keys)
    if not paths:
        raise PayloadError(f"a {tool} call without a file path")
    kind = "delete" if tool in lists.delete else "write"
    return [{"kind": kind, "path": p} for p in paths]


def _mcp_verb(tool: str) -> str:
    """`mcp__github__create_issue` → `create`; `MCP:fs.readFile` → `read`."""
    name = tool.split("__")[-1] if "__" in tool else tool
    name = re.split(r"[:.]", name)[-1]
    words = _WORDS.findall(name)
    return words[0].lower() if words else ""


def _by_content(tool: str, args: dict[str, Any], lists: ToolLists) -> list[dict[str, Any]]:
    """A tool the lists do not name: judged by what it carries, asked about otherwise."""
    command = _command(args, lists.command_keys)
    if command is not None:
        return [{"kind": "shell", "command": command}]
    paths = _paths(args, lists.path_keys)
    if paths:
        return [{"kind": "write", "path": p} for p in paths]
    return [{"kind": "unknown", "tool": tool}]


def _from_tool(agent: str, tool: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    lists = tool_lists()
    name = tool.lower()
    kind = lists.kind(agent, tool)
    if kind == "shell":
        command = _command(args, lists.command_keys)
        if command is None:
            raise PayloadError(f"a {tool} call without a command")
        if command.lstrip().startswith("apply_patch") and "*** Begin Patch" in command:
            return _write_actions("apply_patch", {"command": command}, lists)
        return [{"kind": "shell", "command": command}]
    if kind == "write":
        return _write_actions(name, args, lists)
    if kind == "read":
        return [{"kind": "read", "path": p} for p in _paths(args, lists.path_keys)]
    if kind == "other":
        return []
    if name.startswith("mcp") and _mcp_verb(tool) in lists.read_verbs:
        return [{"kind": "read", "path": p} for p in _paths(args, lists.path_keys)]
    return _by_content(tool, args, lists)


def _workdir(args: dict[str, Any], cwd: str | None, lists: ToolLists) -> str | None:
    """The folder a shell tool runs its command in (`workdir`, Gemini's `dir_path`)."""
    for key in lists.workdir_keys:
        value = args.get(key)
        if isinstance(value, str) and value:
            if value.startswith("/"):
                return value
            return f"{cwd}/{value}" if cwd else None
    return cwd


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
            command = command_text(data.get("command"))
            if command is None:
                raise PayloadError("beforeShellExecution without a command")
            return [{"kind": "shell", "command": command}], cwd, event or "beforeShellExecution"
        if event == "beforeReadFile":
            path = data.get("file_path")
            return ([{"kind": "read", "path": path}] if isinstance(path, str) else []), cwd, event
        if event == "beforeSubmitPrompt":
            return [], cwd, event
        if event == "beforeMCPExecution":
            tool = data.get("tool_name")
            if not isinstance(tool, str):
                raise PayloadError("beforeMCPExecution without a tool_name")
            args = _object(data.get("tool_input"))
            return _from_tool(agent, f"mcp__{tool}", args), cwd, event
    if agent == "copilot" and "toolName" in data:
        tool = data["toolName"]
        if not isinstance(tool, str):
            raise PayloadError("no toolName in the hook payload")
        args = _object(data.get("toolArgs"))
        return _from_tool(agent, tool, args), _shell_cwd(agent, tool, args, cwd), "preToolUse"
    tool = data.get("tool_name") or data.get("toolName")
    if not isinstance(tool, str):
        raise PayloadError("no tool_name in the hook payload")
    args = _object(data.get("tool_input") if "tool_input" in data else data.get("toolArgs"))
    return _from_tool(agent, tool, args), _shell_cwd(agent, tool, args, cwd), event


def _shell_cwd(agent: str, tool: str, args: dict[str, Any], cwd: str | None) -> str | None:
    lists = tool_lists()
    if lists.kind(agent, tool) == "shell":
        return _workdir(args, cwd, lists)
    return cwd


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
