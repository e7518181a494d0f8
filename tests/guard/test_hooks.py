"""Agent hook protocols: payloads in the shapes the agents' documentation gives, the hook
process end to end (with and without the resident guard), and failing closed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from caution.guard.agents import PayloadError, parse_payload, respond
from caution.guard.hook import decode_reply, encode_request
from tests.guard.conftest import stop_resident_guards

# --- payloads (shapes from each agent's hook documentation; see caution/guard/agents.py) ----

CLAUDE_BASH = {
    "session_id": "abc123",
    "transcript_path": "/home/user/.claude/projects/t.jsonl",
    "cwd": "/home/user/my-project",
    "permission_mode": "default",
    "hook_event_name": "PreToolUse",
    "tool_name": "Bash",
    "tool_input": {"command": "npm test"},
}
CLAUDE_WRITE = {
    **CLAUDE_BASH,
    "tool_name": "Write",
    "tool_input": {"file_path": "/home/user/my-project/.env", "content": "X=1"},
}
CURSOR_SHELL = {
    "conversation_id": "c",
    "generation_id": "g",
    "model": "m",
    "hook_event_name": "beforeShellExecution",
    "cursor_version": "2.0",
    "workspace_roots": ["/home/user/my-project"],
    "user_email": None,
    "command": "git push --force origin main",
    "cwd": "/home/user/my-project",
}
CURSOR_PRE_TOOL = {
    "hook_event_name": "preToolUse",
    "tool_name": "Write",
    "cwd": "/home/user/p",
    "tool_input": {"file_path": ".github/workflows/ci.yml", "content": "x"},
}
GEMINI_SHELL = {
    "session_id": "s",
    "cwd": "/home/user/my-project",
    "hook_event_name": "BeforeTool",
    "timestamp": "2026-01-01T00:00:00Z",
    "tool_name": "run_shell_command",
    "tool_input": {"command": "terraform destroy -auto-approve", "dir_path": "infra"},
}
COPILOT_BASH = {
    "timestamp": 1704614600000,
    "cwd": "/path/to/project",
    "toolName": "bash",
    "toolArgs": '{"command":"rm -rf dist","description":"Clean build directory"}',
}
COPILOT_EDIT = {
    "timestamp": 1704614600000,
    "cwd": "/path/to/project",
    "toolName": "edit",
    "toolArgs": {"path": "src/app.py"},
}
CODEX_BASH = {
    "session_id": "s",
    "turn_id": "t",
    "transcript_path": None,
    "cwd": "/path/to/cwd",
    "hook_event_name": "PreToolUse",
    "model": "gpt-5",
    "permission_mode": "default",
    "tool_name": "Bash",
    "tool_input": {"command": "rm -f /tmp/example"},
}
CODEX_PATCH = {
    **CODEX_BASH,
    "tool_name": "apply_patch",
    "tool_input": {
        "command": "*** Begin Patch\n*** Update File: src/a.py\n@@\n-x\n+y\n"
        "*** Add File: .env\n+K=1\n*** End Patch\n"
    },
}


@pytest.mark.parametrize(
    ("agent", "payload", "actions", "cwd"),
    [
        (
            "claude-code",
            CLAUDE_BASH,
            [{"kind": "shell", "command": "npm test"}],
            "/home/user/my-project",
        ),
        (
            "claude-code",
            CLAUDE_WRITE,
            [{"kind": "write", "path": "/home/user/my-project/.env"}],
            "/home/user/my-project",
        ),
        (
            "cursor",
            CURSOR_SHELL,
            [{"kind": "shell", "command": "git push --force origin main"}],
            "/home/user/my-project",
        ),
        (
            "cursor",
            CURSOR_PRE_TOOL,
            [{"kind": "write", "path": ".github/workflows/ci.yml"}],
            "/home/user/p",
        ),
        (
            "gemini",
            GEMINI_SHELL,
            [{"kind": "shell", "command": "terraform destroy -auto-approve"}],
            "/home/user/my-project/infra",
        ),
        (
            "copilot",
            COPILOT_BASH,
            [{"kind": "shell", "command": "rm -rf dist"}],
            "/path/to/project",
        ),
        ("copilot", COPILOT_EDIT, [{"kind": "write", "path": "src/app.py"}], "/path/to/project"),
        ("codex", CODEX_BASH, [{"kind": "shell", "command": "rm -f /tmp/example"}], "/path/to/cwd"),
        (
            "codex",
            CODEX_PATCH,
            [{"kind": "write", "path": "src/a.py"}, {"kind": "write", "path": ".env"}],
            "/path/to/cwd",
        ),
        (
            "claude-code",
            {**CLAUDE_BASH, "tool_name": "Read", "tool_input": {"file_path": "x"}},
            [{"kind": "read", "path": "x"}],
            "/home/user/my-project",
        ),
        (
            "claude-code",
            {**CLAUDE_BASH, "tool_name": "TodoWrite", "tool_input": {"todos": []}},
            [],
            "/home/user/my-project",
        ),
    ],
)
def test_payloads(
    agent: str, payload: dict[str, object], actions: list[dict[str, str]], cwd: str
) -> None:
    found, where, _ = parse_payload(agent, payload)
    assert found == actions
    assert where == cwd


def test_unreadable_payloads() -> None:
    with pytest.raises(PayloadError):
        parse_payload("claude-code", {"tool_name": "Bash", "tool_input": {}})
    with pytest.raises(PayloadError):
        parse_payload("vim", CLAUDE_BASH)


def test_answers_in_each_protocol() -> None:
    out, _, code = respond("claude-code", "PreToolUse", "ask", "why")
    assert code == 0
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "ask"
    out, _, _ = respond("cursor", "beforeShellExecution", "deny", "why")
    assert json.loads(out)["permission"] == "deny" and "why" in json.loads(out)["agent_message"]
    out, _, _ = respond("cursor", "preToolUse", "ask", "why")
    assert json.loads(out)["permission"] == "deny"  # Cursor's preToolUse cannot ask
    out, _, _ = respond("gemini", "BeforeTool", "deny", "why")
    assert json.loads(out) == {"decision": "deny", "reason": "caution guard: why"}
    for agent in ("copilot", "codex", "gemini"):
        out, _, _ = respond(agent, "", "ask", "why")
        assert "deny" in out and "needs a person" in out  # these agents honour only deny
    assert respond("codex", "PreToolUse", "allow", "") == ("", "", 0)  # bare allow is unsupported


def test_framing_round_trip() -> None:
    request = encode_request("claude-code", "/w", "/h", b'{"x": "\x00?"}', "n0nce", 0.75)
    assert request.split(b"\0", 6)[1:6] == [b"n0nce", b"claude-code", b"/w", b"/h", b"750"]
    assert request.split(b"\0", 6)[6] == b'{"x": "\x00?"}'
    assert decode_reply(b"2\0out\0err\0more") == ("out", "err\0more", 2)
    assert decode_reply(b"garbage") is None


# --- the hook process ------------------------------------------------------------------------


def hook(
    agent: str, payload: bytes, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The hook as an agent starts it: in the session's folder (the payload's, by default)."""
    if cwd is None:
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
        where = data.get("cwd") if isinstance(data, dict) else None
        cwd = Path(where) if isinstance(where, str) and Path(where).is_dir() else None
    return subprocess.run(
        [sys.executable, "-m", "caution", "guard", "hook", "--agent", agent],
        input=payload,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=30,
        check=False,
    )


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[dict[str, str]]:
    folder = tmp_path / "rt"
    env = {**os.environ, "CAUTION_GUARD_RUNTIME_DIR": str(folder)}
    yield env
    stop_resident_guards(folder)  # it would leave by itself when idle


def socket_path_for(env: dict[str, str]) -> str:
    saved = os.environ.get("CAUTION_GUARD_RUNTIME_DIR")
    os.environ["CAUTION_GUARD_RUNTIME_DIR"] = env["CAUTION_GUARD_RUNTIME_DIR"]
    try:
        from caution.guard.hook import socket_path

        return socket_path()
    finally:
        if saved is None:
            del os.environ["CAUTION_GUARD_RUNTIME_DIR"]
        else:
            os.environ["CAUTION_GUARD_RUNTIME_DIR"] = saved


def _payload(command: str, cwd: Path) -> bytes:
    return json.dumps({**CLAUDE_BASH, "cwd": str(cwd), "tool_input": {"command": command}}).encode()


def test_hook_without_a_resident_guard(tmp_path: Path, user_dirs: dict[str, Path]) -> None:
    env = {**os.environ, "CAUTION_GUARD_NO_DAEMON": "1"}
    proc = hook("claude-code", _payload("rm -rf ~", tmp_path), env)
    assert proc.returncode == 0
    decision = json.loads(proc.stdout)["hookSpecificOutput"]
    assert decision["permissionDecision"] == "deny"
    assert "fs.rm-recursive-outside-workspace" in decision["permissionDecisionReason"]
    log = (user_dirs["state"] / "caution" / "guard.log").read_text().splitlines()
    assert json.loads(log[-1])["agent"] == "claude-code"
    proc = hook("claude-code", _payload("ls -la", tmp_path), env)
    assert (proc.returncode, proc.stdout) == (0, b"")


def test_hook_starts_and_then_uses_the_resident_guard(
    tmp_path: Path, runtime: dict[str, str]
) -> None:
    proc = hook("gemini", _payload("git push --force origin main", tmp_path), runtime)
    assert json.loads(proc.stdout)["decision"] == "deny"
    sock = Path(socket_path_for(runtime))
    for _ in range(100):
        if sock.exists():
            break
        time.sleep(0.05)
    assert sock.exists()
    assert oct(sock.parent.stat().st_mode & 0o777) == "0o700"
    proc = hook("gemini", _payload("kubectl delete ns prod", tmp_path), runtime)
    assert "k8s.delete-namespace-or-all" in json.loads(proc.stdout)["reason"]


@pytest.mark.parametrize("agent", ["claude-code", "codex", "cursor", "gemini", "copilot"])
@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"tool_name": 7}'])
def test_a_guard_that_cannot_judge_denies(agent: str, payload: bytes) -> None:
    env = {**os.environ, "CAUTION_GUARD_NO_DAEMON": "1"}
    proc = hook(agent, payload, env)
    assert proc.returncode == 2
    assert b"denied" in proc.stderr


def test_a_hook_without_agent_denies() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "caution", "guard", "hook"],
        input=b"{}",
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 2 and b"--agent" in proc.stderr


def test_the_hook_and_the_cli_find_the_same_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through a symlinked folder of a git worktree (a `.git` file), both resolve the real
    path and stop at the worktree: `rm -rf` of its root is the workspace root for both."""
    from caution.guard.local import judge
    from caution.guard.service import places_for
    from tests.conftest import Repo, cli

    main = Repo.init(tmp_path / "main")
    main.commit("base", {"a.txt": "1\n"})
    main.git("worktree", "add", "-q", str(tmp_path / "wt"), "-b", "wt")
    (tmp_path / "wt" / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "wt" / "sub")
    places = places_for(tmp_path / "link", home=str(tmp_path / "home"))
    assert places.workspace == str((tmp_path / "wt").resolve())
    assert places.cwd == str((tmp_path / "wt" / "sub").resolve())
    payload = json.dumps(
        {
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "rm -rf .."},
            "cwd": str(tmp_path / "link"),
        }
    ).encode()
    out, _, _ = judge("claude-code", payload, str(tmp_path), str(tmp_path / "home"))
    hook_reason = json.loads(out)["hookSpecificOutput"]["permissionDecisionReason"]
    code, cli_out, _ = cli(capsys, "guard", "check", "--cwd", str(tmp_path / "link"), "rm -rf ..")
    assert code == 1
    for reason in (hook_reason, cli_out):  # `..` of wt/sub is the worktree's root, for both
        assert "fs.rm-workspace-root" in reason and "is workspace-root" in reason, reason
