"""One hook call judged in process: what `mode: fail-open` may and may not let through."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caution.guard import local
from caution.guard.service import check_action
from caution.guard_settings import GuardSettings

PATCH = "*** Begin Patch\n*** Update File: {0}\n*** Update File: b.txt\n*** End Patch\n"


def _payload(path: str) -> bytes:
    tool = {"tool_name": "apply_patch", "tool_input": {"command": PATCH.format(path)}}
    return json.dumps({"hook_event_name": "PreToolUse", **tool}).encode()


@pytest.fixture
def fail_open_and_a_crash(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail-open settings, and a judge that crashes on the second action it sees."""
    monkeypatch.setattr(local, "guard_settings", lambda *a, **k: GuardSettings(mode="fail-open"))
    seen: list[str] = []

    def second_crashes(action: dict[str, Any], *args: Any) -> Any:
        seen.append(str(action.get("path")))
        if len(seen) == 2:
            raise RuntimeError("the judge broke")
        return check_action(action, *args)

    monkeypatch.setattr(local, "check_action", second_crashes)
    return seen


def test_fail_open_never_drops_a_deny_already_found(
    fail_open_and_a_crash: list[str], tmp_path: Path
) -> None:
    home = str(tmp_path / "home")
    out, _, code = local.judge("codex", _payload(f"{home}/.bashrc"), str(tmp_path), home)
    assert fail_open_and_a_crash == [f"{home}/.bashrc", "b.txt"]
    answer = json.loads(out)["hookSpecificOutput"]
    assert code == 0 and answer["permissionDecision"] in ("deny", "ask")


def test_fail_open_allows_what_it_could_not_judge(
    fail_open_and_a_crash: list[str], tmp_path: Path
) -> None:
    home = str(tmp_path / "home")
    out, err, code = local.judge("codex", _payload("a.txt"), str(tmp_path), home)
    assert (out, err, code) == ("", "", 0)  # the team chose fail-open: nothing was found


def test_no_resident_guard_is_started_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A guard process whose answers nobody could authenticate exits at once: starting one
    on every call would only cost every call a process."""
    from caution.guard import fallback

    blocked = tmp_path / "state"
    blocked.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    started: list[object] = []
    monkeypatch.setattr(fallback.subprocess, "Popen", lambda *a, **k: started.append(a))
    fallback.start_daemon(str(tmp_path))
    assert started == []
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "fine"))
    fallback.start_daemon(str(tmp_path))
    assert len(started) == 1
