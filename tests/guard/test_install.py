"""`caution guard install`: merged into existing settings, idempotent, cleanly removable,
portable (no path into one person's environment) and fail-closed in each agent's terms."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from caution.cli import main
from caution.guard.hook_config import LAUNCHER, hook_command, installed, problems
from caution.guard.install import (
    InstallError,
    Target,
    install,
    launcher_text,
    merged,
    removed,
    uninstall,
)
from tests.conftest import Repo, cli

AGENTS = ["claude-code", "codex", "cursor", "gemini", "copilot"]
SETTINGS = {
    "claude-code": ".claude/settings.json",
    "codex": ".codex/hooks.json",
    "cursor": ".cursor/hooks.json",
    "gemini": ".gemini/settings.json",
    "copilot": ".github/hooks/caution-guard.json",
}
COMMAND = "caution guard hook --agent claude-code"
EXISTING = {
    "permissions": {"allow": ["Bash(npm test)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "other.sh"}]}],
        "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt.sh"}]}],
    },
}


def entries(data: dict[str, object], agent: str) -> list[dict[str, object]]:
    """Every hook entry of the guard's for `agent`, in any event."""
    return [f.entry for f in installed(agent, data)]  # type: ignore[arg-type]


def test_merge_keeps_everything_and_is_idempotent() -> None:
    once = merged("claude-code", EXISTING, COMMAND)
    assert once["permissions"] == EXISTING["permissions"]
    assert once["hooks"]["PostToolUse"] == EXISTING["hooks"]["PostToolUse"]
    groups = once["hooks"]["PreToolUse"]
    assert groups[0] == EXISTING["hooks"]["PreToolUse"][0]
    assert groups[1]["matcher"] == "*"  # every tool: reads of keys and unknown tools too
    assert groups[1]["hooks"][0]["command"] == COMMAND
    assert merged("claude-code", once, COMMAND) == once
    assert removed("claude-code", once, COMMAND) == EXISTING


@pytest.mark.parametrize("agent", AGENTS)
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
    assert len(entries(data, "claude-code")) == 1
    assert "nothing to change" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["guard", "install", "--agent", "claude-code", "--cwd", str(tmp_path), "--uninstall"])
    assert json.loads(settings.read_text()) == EXISTING
    assert not (tmp_path / LAUNCHER).exists()  # the last agent using it took it along


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
    with pytest.raises(InstallError, match=r"settings\.json:1: not JSON"):
        install("claude-code", where, COMMAND)
    assert where.path.read_text() == "{not json"


def test_a_broken_settings_file_stops_the_cli_before_anything_is_written(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(".gemini/settings.json", '{"hooks": [1, 2]}')
    code, out, err = cli(capsys, "guard", "install", "--agent", "gemini", "--cwd", str(repo.path))
    assert code == 2 and out == "" and err.count("\n") == 1 and "hooks" in err
    assert not (repo.path / LAUNCHER).exists()
    code, _, err = cli(capsys, "guard", "install", "--agent", "vim", "--cwd", str(repo.path))
    assert code == 2 and "unknown agent 'vim'" in err


# --- what is written: portable, fail-closed, in each agent's units ----------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_project_commands_name_no_path_of_this_machine(
    agent: str, repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.path / "sub").mkdir()
    code, out, _ = cli(
        capsys, "guard", "install", "--agent", agent, "--cwd", str(repo.path / "sub"), "-f", "json"
    )
    assert code == 0
    report = json.loads(out)
    text = (repo.path / SETTINGS[agent]).read_text()
    assert str(repo.path) not in text and str(Path.home()) not in text and "/.venv" not in text
    for entry in entries(json.loads(text), agent):
        command = str(entry.get("command") or entry.get("bash"))
        assert LAUNCHER in command and command.endswith("|| exit 2")
        assert command == report["command"] == hook_command(agent, "project")
    assert report["file"] == str(repo.path / SETTINGS[agent])
    assert report["launcher"] == {"path": str(repo.path / LAUNCHER), "changed": True}
    assert report["commit"] == [SETTINGS[agent], LAUNCHER]
    assert (report["agent"], report["scope"], report["action"], report["changed"]) == (
        agent,
        "project",
        "install",
        True,
    )
    # the launcher goes into git as an executable
    repo.git("add", SETTINGS[agent], LAUNCHER)
    modes = dict(
        (line.split("\t")[1], line.split()[0]) for line in repo.git("ls-files", "-s").splitlines()
    )
    assert modes[LAUNCHER] == "100755"


def test_each_agent_gets_its_own_units_and_fail_closed_fields(repo: Repo) -> None:
    for agent in AGENTS:
        main_args = ["guard", "install", "--agent", agent, "--cwd", str(repo.path)]
        with pytest.raises(SystemExit):
            main(main_args)
    gemini = json.loads((repo.path / SETTINGS["gemini"]).read_text())
    assert gemini["hooks"]["BeforeTool"][0]["hooks"][0]["timeout"] == 60000  # milliseconds
    cursor = json.loads((repo.path / SETTINGS["cursor"]).read_text())
    assert cursor["version"] == 1
    shell, tools = cursor["hooks"]["beforeShellExecution"], cursor["hooks"]["preToolUse"]
    assert all(e["failClosed"] is True for e in shell + tools)
    assert "Write" in tools[0]["matcher"] and "Shell" in tools[0]["matcher"]
    copilot = json.loads((repo.path / SETTINGS["copilot"]).read_text())
    assert copilot["hooks"]["preToolUse"][0]["cwd"] == "."
    assert copilot["hooks"]["preToolUse"][0]["timeoutSec"] == 30
    claude = json.loads((repo.path / SETTINGS["claude-code"]).read_text())
    assert claude["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"] == 60  # seconds
    for agent in AGENTS:
        found = installed(agent, json.loads((repo.path / SETTINGS[agent]).read_text()))
        assert problems(agent, "project", found) == []


# --- migration from the absolute-path commands of earlier versions ----------------------------

OLD = {
    "claude-code": {
        "hooks": {
            "PreToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "lint.sh"}]},
                {
                    "matcher": "Bash|Write|Edit|MultiEdit|NotebookEdit",
                    "hooks": [
                        {
                            "type": "command",
                            "command": "/home/alice/src/app/.venv/bin/caution guard hook "
                            "--agent claude-code",
                            "timeout": 60,
                        }
                    ],
                },
            ]
        }
    },
    "gemini": {
        "hooks": {
            "BeforeTool": [
                {
                    "matcher": "run_shell_command|write_file|replace",
                    "hooks": [
                        {
                            "type": "command",
                            "command": "'/Users/bob/my app/.venv/bin/caution' guard hook "
                            "--agent gemini",
                            "timeout": 60,
                        }
                    ],
                }
            ]
        }
    },
    "cursor": {
        "version": 1,
        "hooks": {
            "beforeShellExecution": [
                {"command": "caution guard hook --agent cursor"},
                {"command": "./audit.sh"},
            ],
            "preToolUse": [{"command": "/opt/venv/bin/caution guard hook --agent cursor"}],
        },
    },
    "copilot": {
        "version": 1,
        "hooks": {
            "preToolUse": [
                {
                    "type": "command",
                    "bash": "/home/alice/.venv/bin/caution guard hook --agent copilot",
                    "timeoutSec": 30,
                }
            ]
        },
    },
    "codex": {
        "hooks": {
            "PreToolUse": [
                {
                    "matcher": "Bash|apply_patch",
                    "hooks": [
                        {
                            "type": "command",
                            "command": "python3 -m caution guard hook --agent codex",
                        }
                    ],
                }
            ]
        }
    },
}


@pytest.mark.parametrize("agent", AGENTS)
def test_reinstall_replaces_the_old_absolute_command(
    agent: str, repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo.path / SETTINGS[agent]
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(OLD[agent]))
    before = installed(agent, OLD[agent])
    assert before and problems(agent, "project", before)  # the doctor's view of the old entry
    code, _, _ = cli(capsys, "guard", "install", "--agent", agent, "--cwd", str(repo.path))
    assert code == 0
    data = json.loads(path.read_text())
    found = installed(agent, data)
    assert [f.command for f in found] == [hook_command(agent, "project")] * len(found)
    assert len(found) == len({f.event for f in found})  # one entry per event, not two
    assert problems(agent, "project", found) == []
    text = json.dumps(data)
    assert "/home/alice" not in text and "/Users/bob" not in text and "/opt/venv" not in text
    assert ("lint.sh" in text) == (agent == "claude-code")  # other hooks stay
    assert ("./audit.sh" in text) == (agent == "cursor")
    if agent == "claude-code":  # the guard's entry keeps its place among the groups
        assert data["hooks"]["PreToolUse"][0]["hooks"][0]["command"] == "lint.sh"
    code, _, _ = cli(
        capsys, "guard", "install", "--agent", agent, "--cwd", str(repo.path), "--uninstall"
    )
    assert code == 0
    if agent == "copilot":
        assert not path.exists()
    else:
        assert installed(agent, json.loads(path.read_text())) == []


@pytest.mark.parametrize("agent", AGENTS)
def test_uninstall_removes_the_old_form_too(agent: str, tmp_path: Path) -> None:
    assert installed(agent, removed(agent, OLD[agent])) == []
    assert installed(agent, removed(agent, merged(agent, OLD[agent], "x"))) == []


def test_the_launcher_stays_while_an_agent_uses_it(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    for agent in ("claude-code", "codex"):
        cli(capsys, "guard", "install", "--agent", agent, "--cwd", str(repo.path))
    launcher = repo.path / LAUNCHER
    launcher.write_text("#!/bin/sh\nexit 0\n")  # edited: the next install restores it
    code, out, _ = cli(capsys, "guard", "install", "--agent", "codex", "--cwd", str(repo.path))
    assert code == 0 and "launcher written" in out
    assert launcher.read_text() == launcher_text()
    assert launcher.stat().st_mode & stat.S_IXUSR
    cli(capsys, "guard", "install", "--agent", "codex", "--cwd", str(repo.path), "--uninstall")
    assert launcher.exists()
    code, out, _ = cli(
        capsys,
        "guard",
        "install",
        "--agent",
        "claude-code",
        "--cwd",
        str(repo.path),
        "--uninstall",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert report["action"] == "uninstall" and report["changed"] is True
    assert report["launcher"] == {"path": str(launcher), "changed": True}
    assert not launcher.exists() and not (repo.path / ".caution" / "bin").exists()


def test_an_ignored_launcher_is_named(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(".gitignore", ".caution/\n")
    code, out, _ = cli(
        capsys, "guard", "install", "--agent", "cursor", "--cwd", str(repo.path), "-f", "json"
    )
    assert code == 0
    notes = json.loads(out)["notes"]
    assert any("ignored by git" in n and LAUNCHER in n for n in notes), notes


def test_user_scope_writes_into_home_with_absolute_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home dir"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    project = Repo.init(tmp_path / "project")
    code, out, _ = cli(
        capsys,
        "guard",
        "install",
        "--agent",
        "copilot",
        "--scope",
        "user",
        "--cwd",
        str(project.path),
        "-f",
        "json",
    )
    assert code == 0
    report = json.loads(out)
    settings = home / ".copilot" / "hooks" / "caution-guard.json"
    assert report["file"] == str(settings) and report["commit"] == []
    entry = json.loads(settings.read_text())["hooks"]["preToolUse"][0]
    assert "cwd" not in entry  # relative to a repository root: meaningless for the user
    assert f"'{home / LAUNCHER}'" in entry["bash"] and entry["bash"].endswith("|| exit 2")
    assert (home / LAUNCHER).exists() and not (project.path / LAUNCHER).exists()
    assert (
        problems("copilot", "user", installed("copilot", {"hooks": {"preToolUse": [entry]}})) == []
    )


def test_the_readme_install_block_is_copy_paste_ready(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's commands, run as written: every file its `git add` names exists
    afterwards, and every file the installs wrote is in it."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Agent guard", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    lines = [line.split("#", 1)[0].split() for line in block.splitlines()]
    installs = [words[1:] for words in lines if words[:3] == ["caution", "guard", "install"]]
    assert sorted(words[words.index("--agent") + 1] for words in installs) == sorted(AGENTS)
    for words in installs:
        code, _, err = cli(capsys, *words, "--cwd", str(repo.path))
        assert code == 0, err
    add = next(words for words in lines if words[:2] == ["git", "add"])
    repo.git(*add[1:])
    staged = set(repo.git("diff", "--cached", "--name-only").splitlines())
    assert staged == {*SETTINGS.values(), LAUNCHER}
    untracked = repo.git("status", "--porcelain", "--untracked-files=all")
    assert "??" not in untracked, untracked


def test_settings_that_are_no_regular_file_are_left_alone(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "settings.json")
    where = Target(tmp_path / "settings.json", own_file=False)
    with pytest.raises(InstallError, match="cannot read \\(a FIFO"):
        install("claude-code", where, COMMAND)
    where = Target(tmp_path / "dup.json", own_file=False)
    where.path.write_text('{"hooks": {}, "hooks": {}}')
    with pytest.raises(InstallError, match=r"dup\.json:1:\d+: duplicate key 'hooks'"):
        install("claude-code", where, COMMAND)


def test_settings_behind_a_link_are_not_rewritten(tmp_path: Path) -> None:
    """A committed `.claude/settings.json -> ~/.bashrc` must not lead install elsewhere."""
    elsewhere = tmp_path / "bashrc"
    elsewhere.write_text("# a shell start-up file\n")
    (tmp_path / "settings.json").symlink_to(elsewhere)
    where = Target(tmp_path / "settings.json", own_file=False)
    with pytest.raises(InstallError, match="a symbolic link; not followed"):
        install("claude-code", where, COMMAND)
    assert elsewhere.read_text() == "# a shell start-up file\n"


def test_project_hooks_need_a_work_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    code, out, err = cli(capsys, "guard", "install", "--agent", "codex", "--cwd", str(bare))
    assert code == 2 and out == "" and "has no work tree" in err
    assert not (bare / ".codex").exists() and not (bare / ".caution").exists()


def test_uninstalling_what_is_not_there_says_so(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "guard", "install", "--agent", "codex", "--uninstall", "--cwd",
                       str(repo.path))  # fmt: skip
    assert code == 0 and "was not installed in" in out and "nothing removed" in out


def test_the_hook_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "caution", "guard", "hook", "--help"],
        input=b"",
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0 and b"agent's payload on" in proc.stdout
