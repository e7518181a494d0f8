"""`caution guard install`: merged into existing settings, idempotent, cleanly removable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caution.cli import main
from caution.guard.install import InstallError, Target, install, merged, removed, uninstall

COMMAND = "caution guard hook --agent claude-code"
EXISTING = {
    "permissions": {"allow": ["Bash(npm test)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "other.sh"}]}],
        "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt.sh"}]}],
    },
}


def test_merge_keeps_everything_and_is_idempotent() -> None:
    once = merged("claude-code", EXISTING, COMMAND)
    assert once["permissions"] == EXISTING["permissions"]
    assert once["hooks"]["PostToolUse"] == EXISTING["hooks"]["PostToolUse"]
    groups = once["hooks"]["PreToolUse"]
    assert groups[0] == EXISTING["hooks"]["PreToolUse"][0]
    assert groups[1]["matcher"] == "Bash|Write|Edit|MultiEdit|NotebookEdit"
    assert groups[1]["hooks"][0]["command"] == COMMAND
    assert merged("claude-code", once, COMMAND) == once
    assert removed("claude-code", once, COMMAND) == EXISTING


@pytest.mark.parametrize("agent", ["claude-code", "codex", "cursor", "gemini", "copilot"])
def test_every_agent_round_trips(agent: str) -> None:
    command = f"caution guard hook --agent {agent}"
    once = merged(agent, {}, command)
    assert merged(agent, once, command) == once
    assert command in json.dumps(once)
    left = removed(agent, once, command)
    assert command not in json.dumps(left)


def test_cli_install_and_uninstall_in_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps(EXISTING))
    for _ in range(2):
        with pytest.raises(SystemExit) as exit_info:
            main(["guard", "install", "--agent", "claude-code", "--cwd", str(tmp_path)])
        assert exit_info.value.code == 0
    data = json.loads(settings.read_text())
    ours = [g for g in data["hooks"]["PreToolUse"] if "guard hook" in json.dumps(g)]
    assert len(ours) == 1
    assert "nothing to change" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["guard", "install", "--agent", "claude-code", "--cwd", str(tmp_path), "--uninstall"])
    assert json.loads(settings.read_text()) == EXISTING


def test_copilot_gets_a_file_of_its_own(tmp_path: Path) -> None:
    where = Target(tmp_path / ".github" / "hooks" / "caution-guard.json", own_file=True)
    command = "caution guard hook --agent copilot"
    assert install("copilot", where, command)
    assert json.loads(where.path.read_text())["hooks"]["preToolUse"][0]["bash"] == command
    assert not install("copilot", where, command)
    assert uninstall("copilot", where, command)
    assert not where.path.exists()


def test_broken_settings_are_left_alone(tmp_path: Path) -> None:
    where = Target(tmp_path / "settings.json", own_file=False)
    where.path.write_text("{not json")
    with pytest.raises(InstallError, match="not valid JSON"):
        install("claude-code", where, COMMAND)
    assert where.path.read_text() == "{not json"


def test_settings_that_are_no_regular_file_are_left_alone(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "settings.json")
    where = Target(tmp_path / "settings.json", own_file=False)
    with pytest.raises(InstallError, match="cannot read \\(a FIFO"):
        install("claude-code", where, COMMAND)
    where = Target(tmp_path / "dup.json", own_file=False)
    where.path.write_text('{"hooks": {}, "hooks": {}}')
    with pytest.raises(InstallError, match=r"dup\.json:1: not valid JSON .*duplicate key 'hooks'"):
        install("claude-code", where, COMMAND)
