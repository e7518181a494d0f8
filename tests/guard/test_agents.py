"""Agents' tools (issue item 12): argv lists are quoted, never joined bare; tools an
adapter does not know are judged by the command or path they carry, or asked about;
read-only tools stay allowed (unless they read a private key). The tool lists are data
with their sources (`agent_tools.toml`)."""

from __future__ import annotations

import json
import shlex
import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.guard.agents import (
    AGENTS,
    PayloadError,
    command_text,
    parse_payload,
    tool_lists,
)
from tests.guard.conftest import Session


def actions(agent: str, tool: str, tool_input: dict[str, Any]) -> list[dict[str, Any]]:
    payload = {"hook_event_name": "PreToolUse", "cwd": "/w", "tool_name": tool}
    payload["tool_input"] = tool_input  # type: ignore[assignment]
    if agent == "copilot":
        payload = {"cwd": "/w", "toolName": tool, "toolArgs": json.dumps(tool_input)}
    return parse_payload(agent, payload)[0]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["bash", "-lc", "rm -rf ~"], "bash -lc 'rm -rf ~'"),
        (["sh", "-c", "git push --force origin main"], "sh -c 'git push --force origin main'"),
        (["touch", "x; rm -rf ~"], "touch 'x; rm -rf ~'"),
        (["echo", "$(rm -rf ~)"], "echo '$(rm -rf ~)'"),
        (["git", "commit", "-m", "it's done"], "git commit -m 'it'\"'\"'s done'"),
    ],
)
def test_argv_lists_are_quoted(argv: list[str], command: str) -> None:
    assert command_text(argv) == command
    assert actions("codex", "shell", {"command": argv}) == [{"kind": "shell", "command": command}]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\x00")), min_size=1))
def test_a_quoted_argv_list_splits_back_into_itself(argv: list[str]) -> None:
    assert shlex.split(command_text(argv) or "") == argv


@pytest.mark.parametrize(
    ("agent", "tool", "tool_input", "expected"),
    [
        ("codex", "exec_command", {"cmd": "rm -rf ~"}, [{"kind": "shell", "command": "rm -rf ~"}]),
        (
            "codex",
            "local_shell",
            {"command": ["rm", "-rf", "/"]},
            [{"kind": "shell", "command": "rm -rf /"}],
        ),
        (
            "codex",
            "write_stdin",
            {"chars": "rm -rf ~\n"},
            [{"kind": "shell", "command": "rm -rf ~\n"}],
        ),
        (
            "cursor",
            "run_terminal_cmd",
            {"command": "git push -f"},
            [{"kind": "shell", "command": "git push -f"}],
        ),
        (
            "cursor",
            "edit_file",
            {"target_file": ".caution.yml"},
            [{"kind": "write", "path": ".caution.yml"}],
        ),
        (
            "cursor",
            "delete_file",
            {"target_file": "src/a.py"},
            [{"kind": "delete", "path": "src/a.py"}],
        ),
        ("copilot", "str_replace_editor", {"path": ".env"}, [{"kind": "write", "path": ".env"}]),
        (
            "gemini",
            "replace",
            {"file_path": ".git/config"},
            [{"kind": "write", "path": ".git/config"}],
        ),
        ("claude-code", "mcp__fs__write_file", {"path": "a"}, [{"kind": "write", "path": "a"}]),
        ("claude-code", "mcp__shell__run", {"command": "ls"}, [{"kind": "shell", "command": "ls"}]),
        (
            "claude-code",
            "mcp__github__create_issue",
            {"title": "x"},
            [{"kind": "unknown", "tool": "mcp__github__create_issue"}],
        ),
        ("gemini", "frobnicate", {}, [{"kind": "unknown", "tool": "frobnicate"}]),
        ("claude-code", "mcp__github__get_issue", {"number": 1}, []),
        (
            "claude-code",
            "mcp__fs__read_file",
            {"path": "~/.ssh/id_rsa"},
            [{"kind": "read", "path": "~/.ssh/id_rsa"}],
        ),
        ("claude-code", "mcp__db__listTables", {}, []),
        ("claude-code", "Grep", {"pattern": "x", "path": "src"}, [{"kind": "read", "path": "src"}]),
        ("claude-code", "WebFetch", {"url": "https://example.com"}, []),
        ("gemini", "search_file_content", {"pattern": "x"}, []),
        ("copilot", "view", {"path": "README.md"}, [{"kind": "read", "path": "README.md"}]),
        # a name another agent documents is understood the same way
        (
            "claude-code",
            "run_shell_command",
            {"command": "ls"},
            [{"kind": "shell", "command": "ls"}],
        ),
    ],
)
def test_tools_by_kind(
    agent: str, tool: str, tool_input: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    assert actions(agent, tool, tool_input) == expected


def test_cursor_reads_and_mcp_calls() -> None:
    read = {"hook_event_name": "beforeReadFile", "file_path": "/h/.ssh/id_ed25519", "content": "k"}
    assert parse_payload("cursor", read)[0] == [{"kind": "read", "path": "/h/.ssh/id_ed25519"}]
    mcp = {
        "hook_event_name": "beforeMCPExecution",
        "tool_name": "delete_branch",
        "tool_input": '{"branch": "main"}',
    }
    assert parse_payload("cursor", mcp)[0] == [{"kind": "unknown", "tool": "mcp__delete_branch"}]


def test_workdir_moves_the_command() -> None:
    payload = {
        "cwd": "/w",
        "tool_name": "exec_command",
        "tool_input": {"cmd": "rm -rf build", "workdir": "/elsewhere"},
    }
    assert parse_payload("codex", payload)[1] == "/elsewhere"


def test_every_agent_has_documented_tools_with_a_source() -> None:
    lists = tool_lists()
    assert set(lists.by_agent) == set(AGENTS)
    for agent, tools in lists.by_agent.items():
        kinds = set(tools.values())
        assert {"shell", "write", "read"} <= kinds, agent
    folder = resources.files("caution.data").joinpath("guard")
    data = tomllib.loads(folder.joinpath("agent_tools.toml").read_text("utf-8"))
    assert all(entry["source"].strip() for entry in data["agent"])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    ["tool_name", "toolName", "tool_input", "toolArgs", "cwd", "hook_event_name", "command"]
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(AGENTS),
    st.dictionaries(_KEYS, _JSON | st.sampled_from(["Bash", "Write", "shell"])),
)
def test_any_payload_gives_actions_or_a_payload_error(agent: str, data: dict[str, Any]) -> None:
    """Outside input: an agent's payload never crashes the adapter another way."""
    try:
        found, cwd, event = parse_payload(agent, data)
    except PayloadError:
        return
    assert isinstance(event, str) and (cwd is None or isinstance(cwd, str))
    for action in found:
        assert action["kind"] in ("shell", "write", "delete", "read", "unknown")


@pytest.mark.parametrize(
    ("agent", "tool", "tool_input", "decision"),
    [
        ("codex", "exec_command", {"cmd": "rm -rf ~"}, "deny"),
        (
            "codex",
            "local_shell",
            {"command": ["bash", "-c", "git push --force origin main"]},
            "deny",
        ),
        ("cursor", "run_terminal_cmd", {"command": "rm -rf ~"}, "deny"),
        ("cursor", "edit_file", {"target_file": ".caution.yml"}, "deny"),
        ("claude-code", "mcp__filesystem__write_file", {"path": ".github/workflows/ci.yml"}, "ask"),
        ("claude-code", "mcp__github__merge_pull_request", {"number": 1}, "ask"),
        ("gemini", "frobnicate", {"x": 1}, "deny"),  # gemini cannot ask: a person must
        ("claude-code", "Read", {"file_path": "README.md"}, "allow"),
        ("claude-code", "Grep", {"pattern": "TODO"}, "allow"),
        ("claude-code", "Glob", {"pattern": "**/*.py"}, "allow"),
        ("claude-code", "WebFetch", {"url": "https://example.com", "prompt": "x"}, "allow"),
        ("copilot", "view", {"path": "README.md"}, "allow"),
        ("gemini", "read_file", {"file_path": "README.md"}, "allow"),
        ("claude-code", "mcp__github__get_pull_request", {"number": 1}, "allow"),
    ],
)
def test_unknown_tools_through_the_hook(
    session: Session, agent: str, tool: str, tool_input: dict[str, Any], decision: str
) -> None:
    if agent == "copilot":
        payload: dict[str, Any] = {
            "cwd": str(session.project),
            "toolName": tool,
            "toolArgs": json.dumps(tool_input),
        }
    else:
        payload = {
            "hook_event_name": "PreToolUse" if agent != "gemini" else "BeforeTool",
            "cwd": str(session.project),
            "tool_name": tool,
            "tool_input": tool_input,
        }
    answer = session.hook(agent, payload)
    assert answer.decision == decision, answer
