"""`caution guard doctor`: the installed hooks run as their agents run them (real shells,
real hook processes), judged on what the agent would do with the answer."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from caution.guard.hook_config import LAUNCHER
from caution.guard.probes import PROBES
from tests.conftest import Repo, cli

VENV_BIN = Path(sys.executable).parent
MISSING = "caution is not installed: pip install caution"


@pytest.fixture
def with_caution(monkeypatch: pytest.MonkeyPatch) -> None:
    """caution on the PATH the hooks see; no resident guard left behind by the probes."""
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("CAUTION_GUARD_NO_DAEMON", "1")


@pytest.fixture
def without_caution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_ = tmp_path / "bare-bin"
    bin_.mkdir()
    for tool in ("sh", "git"):
        found = subprocess.run(["which", tool], capture_output=True, text=True, check=True)
        (bin_ / tool).symlink_to(found.stdout.strip())
    monkeypatch.setenv("PATH", str(bin_))
    monkeypatch.setenv("CAUTION_GUARD_NO_DAEMON", "1")


def install(capsys: pytest.CaptureFixture[str], repo: Repo, *agents: str) -> None:
    for agent in agents:
        code, _, err = cli(capsys, "guard", "install", "--agent", agent, "--cwd", str(repo.path))
        assert code == 0, err


def doctor(capsys: pytest.CaptureFixture[str], where: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, err = cli(capsys, "guard", "doctor", "--cwd", str(where), "-f", "json", *args)
    assert err == ""
    return code, json.loads(out)


def row(report: dict, agent: str, scope: str = "project") -> dict:  # type: ignore[type-arg]
    return next(h for h in report["hooks"] if (h["agent"], h["scope"]) == (agent, scope))


@pytest.mark.usefixtures("with_caution")
def test_healthy_hooks_answer_and_are_timed(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("base", {"src/app.py": "x = 1\n"})
    install(capsys, repo, "claude-code", "cursor", "copilot")
    code, report = doctor(
        capsys,
        repo.path / "src",
        "--agent",
        "claude-code",
        "--agent",
        "cursor",
        "--agent",
        "copilot",
    )
    assert code == 0 and report["healthy"] is True and report["installed"] == 3
    assert {(h["agent"], h["scope"]) for h in report["hooks"]} == {
        (a, s) for a in ("claude-code", "cursor", "copilot") for s in ("project", "user")
    }
    for agent in ("claude-code", "cursor", "copilot"):
        hook = row(report, agent)
        assert hook["installed"] and hook["resolves"] and hook["answers"] and hook["healthy"]
        assert hook["runs"].endswith(f"guard hook --agent {agent}")
        assert hook["runs"].startswith(str(VENV_BIN))
        assert hook["problems"] == [] and hook["notes"]
        assert hook["probes"]["allow"]["decision"] == "allow" and hook["probes"]["allow"]["ok"]
        deny = hook["probes"]["deny"]
        assert (deny["decision"], deny["ok"]) == ("deny", True)
        assert "fs.rm-recursive-outside-workspace" in deny["detail"]
        assert hook["latency_ms"]["cold"] > 0
        assert hook["latency_ms"]["warm"] is None  # CAUTION_GUARD_NO_DAEMON: no warm call
        user = row(report, agent, "user")
        assert (user["installed"], user["healthy"], user["probes"]) == (False, None, {})
    code, out, _ = cli(capsys, "guard", "doctor", "--cwd", str(repo.path), "--agent", "cursor")
    assert code == 0 and out.startswith("OK      cursor (project)") and "latency: cold" in out


@pytest.mark.usefixtures("with_caution")
def test_nothing_installed_is_not_healthy(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = doctor(capsys, repo.path)
    assert code == 1 and report["healthy"] is False and report["installed"] == 0
    assert len(report["hooks"]) == 10 and not any(h["installed"] for h in report["hooks"])
    code, out, _ = cli(capsys, "guard", "doctor", "--cwd", str(repo.path))
    assert code == 1 and "not installed for any agent" in out


@pytest.mark.usefixtures("without_caution")
def test_a_machine_without_caution_does_not_resolve(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    install(capsys, repo, "codex", "gemini")
    code, report = doctor(capsys, repo.path, "--agent", "codex", "--agent", "gemini")
    assert code == 1 and report["healthy"] is False
    for agent in ("codex", "gemini"):
        hook = row(report, agent)
        assert hook["installed"] and hook["resolves"] is False and hook["healthy"] is False
        assert MISSING in hook["runs"] and hook["probes"] == {}


@pytest.mark.usefixtures("with_caution")
def test_the_old_absolute_install_is_found_out(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's two faults: a path into one venv, and Gemini's 60 meaning 60 ms. It
    answers here, on the machine that wrote it, and still is not healthy."""
    repo.write(
        ".gemini/settings.json",
        json.dumps(
            {
                "hooks": {
                    "BeforeTool": [
                        {
                            "matcher": "run_shell_command|write_file|replace",
                            "hooks": [
                                {
                                    "type": "command",
                                    "command": f"{VENV_BIN}/caution guard hook --agent gemini",
                                    "timeout": 60,
                                }
                            ],
                        }
                    ]
                }
            }
        ),
    )
    repo.write(
        ".cursor/hooks.json",
        json.dumps(
            {
                "version": 1,
                "hooks": {
                    "beforeShellExecution": [{"command": "caution guard hook --agent cursor"}],
                    "preToolUse": [{"command": "caution guard hook --agent cursor"}],
                },
            }
        ),
    )
    code, report = doctor(capsys, repo.path, "--agent", "gemini", "--agent", "cursor")
    assert code == 1
    gemini = row(report, "gemini")
    assert gemini["resolves"] and gemini["answers"] and gemini["healthy"] is False
    assert gemini["runs"] == f"{VENV_BIN}/caution"
    assert any("60 milliseconds" in p for p in gemini["problems"])
    assert any("committed launcher" in p for p in gemini["problems"])
    cursor = row(report, "cursor")
    assert any("failClosed is not true" in p for p in cursor["problems"])
    assert any("matcher" in p for p in cursor["problems"])
    install(capsys, repo, "gemini", "cursor")  # the fix the report names
    code, report = doctor(capsys, repo.path, "--agent", "gemini", "--agent", "cursor")
    assert code == 0, report


@pytest.mark.usefixtures("with_caution")
def test_a_hook_that_lets_everything_through_is_caught(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probes reach the hook as payload only: a probe text that would leave a file
    behind if a shell ever ran it leaves none."""
    install(capsys, repo, "claude-code")
    seen = tmp_path / "seen"
    seen.mkdir()
    (repo.path / LAUNCHER).write_text(
        '#!/bin/sh\n[ "$CAUTION_GUARD_WHICH" = 1 ] && { echo a-hook-that-allows; exit 0; }\n'
        f'cat > "{seen}/$$.json"\nexit 0\n'
    )
    ran = tmp_path / "a-probe-ran"
    monkeypatch.setitem(PROBES, "deny", f"touch {ran}")
    code, report = doctor(capsys, repo.path, "--agent", "claude-code")
    hook = row(report, "claude-code")
    assert code == 1 and hook["resolves"] and hook["answers"] is False
    assert hook["probes"]["allow"]["ok"] is True
    assert (hook["probes"]["deny"]["decision"], hook["probes"]["deny"]["ok"]) == ("allow", False)
    assert not ran.exists()
    payloads = [json.loads(p.read_text()) for p in seen.iterdir() if p.read_text()]
    commands = {p["tool_input"]["command"] for p in payloads}
    assert commands == {PROBES["allow"], f"touch {ran}"}


@pytest.mark.usefixtures("with_caution")
def test_failures_are_reported_not_raised(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".codex/hooks.json", "{not json")
    code, report = doctor(capsys, repo.path, "--agent", "codex")
    assert code == 1 and row(report, "codex")["error"].endswith("left as it is")
    code, _, err = cli(capsys, "guard", "doctor", "--cwd", str(repo.path), "--agent", "vim")
    assert code == 2 and err.count("\n") == 1 and "unknown agent" in err


@pytest.mark.usefixtures("with_caution")
def test_user_scope_is_checked_too(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code, _, _ = cli(
        capsys, "guard", "install", "--agent", "codex", "--scope", "user", "--cwd", str(repo.path)
    )
    assert code == 0
    code, report = doctor(capsys, repo.path, "--agent", "codex")
    user = row(report, "codex", "user")
    assert code == 0 and user["installed"] and user["healthy"], user
    assert user["file"] == str(home / ".codex" / "hooks.json")
    assert row(report, "codex")["installed"] is False


def _stop_guards_under(folder: Path) -> None:
    """End the resident guard processes this test started: by their id, found by the
    private folder their socket is in."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(str(folder).encode() in arg for arg in argv):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGTERM)


def test_warm_calls_use_the_resident_guard(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "rt"
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("CAUTION_GUARD_NO_DAEMON", raising=False)
    monkeypatch.setenv("CAUTION_GUARD_RUNTIME_DIR", str(runtime))
    install(capsys, repo, "gemini")
    try:
        code, report = doctor(capsys, repo.path, "--agent", "gemini")
    finally:
        _stop_guards_under(runtime)
    hook = row(report, "gemini")
    assert code == 0 and hook["healthy"], hook
    assert 0 < hook["latency_ms"]["warm"] < hook["latency_ms"]["cold"]
