"""Every guard test gets its own user configuration and state folders (the guard's user
settings, log and key live there), so no test reads another's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    dirs = {"config": tmp_path / "xdg-config", "state": tmp_path / "xdg-state"}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)
    monkeypatch.delenv("GEMINI_PROJECT_DIR", raising=False)
    monkeypatch.delenv("CAUTION_GUARD_DEADLINE", raising=False)
    return dirs
