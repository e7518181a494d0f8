"""Every guard test gets its own user configuration and state folders (the guard's user
settings, log and key live there), so no test reads another's; `session` drives the real
hook process the way an agent does: started in the project folder, payload on stdin."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    dirs = {"config": tmp_path / "xdg-config", "state": tmp_path / "xdg-state"}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    for name in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CAUTION_GUARD_DEADLINE"):
        monkeypatch.delenv(name, raising=False)
    return dirs


def stop_resident_guards(folder: Path) -> None:
    """Stop the resident guard processes serving sockets under `folder` (started by the
    test's hook calls), each by its process id, found by its command line."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"caution.guard.daemon" in argv and any(str(folder).encode() in a for a in argv):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGTERM)


@dataclass
class Answer:
    """What the hook told the agent: the decision as the agent reads it, and the reason."""

    decision: str
    reason: str
    code: int
    stdout: str
    stderr: str


def read_answer(agent: str, proc: subprocess.CompletedProcess[bytes]) -> Answer:
    out, err = proc.stdout.decode(), proc.stderr.decode()
    if proc.returncode == 2:
        return Answer("deny", err, 2, out, err)  # every agent blocks on exit 2
    if proc.returncode != 0:
        return Answer("error", err, proc.returncode, out, err)
    if not out.strip():
        return Answer("allow", "", 0, out, err)
    data = json.loads(out)
    if agent in ("claude-code", "codex"):
        inner = data["hookSpecificOutput"]
        return Answer(inner["permissionDecision"], inner["permissionDecisionReason"], 0, out, err)
    if agent == "cursor":
        return Answer(data["permission"], data.get("agent_message", ""), 0, out, err)
    if agent == "gemini":
        return Answer(data["decision"], data.get("reason", ""), 0, out, err)
    return Answer(data["permissionDecision"], data.get("permissionDecisionReason", ""), 0, out, err)


@dataclass
class Session:
    """A user's home and a project in it, and an agent working there through the hook."""

    home: Path
    project: Path
    env: dict[str, str] = field(default_factory=dict)

    def hook(
        self,
        agent: str,
        payload: dict[str, Any] | bytes,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Answer:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        proc = subprocess.run(
            [sys.executable, "-m", "caution", "guard", "hook", "--agent", agent],
            input=data,
            capture_output=True,
            cwd=cwd or self.project,
            env={**self.env, **(env or {})},
            timeout=timeout,
            check=False,
        )
        return read_answer(agent, proc)

    def bash(self, command: str, *, cwd: Path | None = None, **kwargs: Any) -> Answer:
        payload = {
            "hook_event_name": "PreToolUse",
            "cwd": str(cwd or self.project),
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
        return self.hook("claude-code", payload, **kwargs)

    def tool(self, name: str, tool_input: dict[str, Any], agent: str = "claude-code") -> Answer:
        payload = {
            "hook_event_name": "PreToolUse",
            "cwd": str(self.project),
            "tool_name": name,
            "tool_input": tool_input,
        }
        return self.hook(agent, payload)

    def write(self, path: str) -> Answer:
        return self.tool("Write", {"file_path": path, "content": "x"})


@pytest.fixture
def session(tmp_path: Path) -> Session:
    """HOME is a fresh folder, the project a fresh repository in it; the hook judges in
    process (no resident guard) with a generous deadline, as the machine may be busy."""
    home = tmp_path / "home"
    home.mkdir()
    project = Repo.init(home / "project").path.resolve()
    env = {
        **os.environ,
        "HOME": str(home.resolve()),
        "CAUTION_GUARD_NO_DAEMON": "1",
        "CAUTION_GUARD_DEADLINE": "20",
    }
    return Session(home.resolve(), project, env)
