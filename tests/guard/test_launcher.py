"""The command `guard install` writes, run the way each agent runs it (a shell, the agent's
variables, a sub-folder of the project) on machines with and without caution: it answers
when caution is there, however it was installed, and denies (exit 2, with the install
message) when it is not, never 127."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caution.guard.hook_config import LAUNCHER, agent_environment, installed
from caution.guard.probes import PROBES, probe_payload, read_answer
from tests.conftest import Repo, cli

AGENTS = ["claude-code", "codex", "cursor", "gemini", "copilot"]
SETTINGS = {
    "claude-code": ".claude/settings.json",
    "codex": ".codex/hooks.json",
    "cursor": ".cursor/hooks.json",
    "gemini": ".gemini/settings.json",
    "copilot": ".github/hooks/caution-guard.json",
}
MISSING = "caution is not installed: pip install caution"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with the guard installed for all five agents, as committed."""
    repo = Repo.init(tmp_path_factory.mktemp("launcher") / "repo")
    repo.commit("base", {"README": "x\n", "src/app.py": "x = 1\n"})
    from caution.cli import main

    for agent in AGENTS:
        with pytest.raises(SystemExit) as exit_info:
            main(["guard", "install", "--agent", agent, "--cwd", str(repo.path)])
        assert exit_info.value.code == 0
    return repo.path


def script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A teammate's machine without caution: a home folder, and a PATH holding only a
    shell, git, and a python3 that cannot import caution."""
    home = tmp_path / "home"
    home.mkdir()
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("sh", "bash", "git"):
        found = subprocess.run(["which", tool], capture_output=True, text=True, check=True)
        (bin_ / tool).symlink_to(found.stdout.strip())
    script(bin_ / "python3", f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    return {"home": home, "bin": bin_}


def written(project: Path, agent: str) -> tuple[str, Path]:
    """The command in the agent's settings, and the folder the agent runs it in."""
    data = json.loads((project / SETTINGS[agent]).read_text())
    found = installed(agent, data)
    assert found and len({f.command for f in found}) == 1
    cwd = found[0].entry.get("cwd")
    return found[0].command, (project / cwd if isinstance(cwd, str) else project / "src")


def run(
    agent: str,
    project: Path,
    machine: dict[str, Path],
    payload: bytes,
    *,
    path: str | None = None,
    shell: tuple[str, ...] = ("/bin/sh", "-c"),
    agent_env: bool = True,
    extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    command, cwd = written(project, agent)
    env = {
        "PATH": path or str(machine["bin"]),
        "HOME": str(machine["home"]),
        "CAUTION_GUARD_NO_DAEMON": "1",
        **(agent_environment(agent, str(project)) if agent_env else {}),
        **(extra or {}),
    }
    return subprocess.run(
        [*shell, command], input=payload, cwd=cwd, env=env, capture_output=True, timeout=60
    )


def destructive(agent: str, project: Path) -> bytes:
    return probe_payload(agent, PROBES["deny"], str(project / "src"), str(project))


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("shell", [("/bin/sh", "-c"), ("bash", "-lc")], ids=["sh", "bash-login"])
@pytest.mark.parametrize("agent_env", [True, False], ids=["agent-variables", "git-root"])
def test_without_caution_the_written_command_denies(
    agent: str,
    shell: tuple[str, ...],
    agent_env: bool,
    project: Path,
    machine: dict[str, Path],
) -> None:
    proc = run(
        agent, project, machine, destructive(agent, project), shell=shell, agent_env=agent_env
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode().strip().endswith(MISSING)
    assert proc.stdout == b""
    assert read_answer(agent, proc.returncode, "", proc.stderr.decode()).decision == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_with_caution_on_path_the_written_command_answers(
    agent: str, project: Path, machine: dict[str, Path]
) -> None:
    path = f"{VENV_BIN}{os.pathsep}{machine['bin']}"
    proc = run(agent, project, machine, destructive(agent, project), path=path)
    answer = read_answer(agent, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert (answer.decision, answer.well_formed) == ("deny", True), proc
    assert "fs.rm-recursive-outside-workspace" in answer.detail
    harmless = probe_payload(agent, PROBES["allow"], str(project / "src"), str(project))
    proc = run(agent, project, machine, harmless, path=path)
    answer = read_answer(agent, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert (answer.decision, answer.well_formed) == ("allow", True), proc


def install_as(kind: str, machine: dict[str, Path]) -> dict[str, str]:
    """caution installed the way `kind` does it; the environment that sees it."""
    caution = VENV_BIN / "caution"
    forward = f'#!/bin/sh\nexec "{caution}" "$@"\n'
    home = machine["home"]
    if kind == "pipx":
        script(home / ".local" / "bin" / "caution", forward)
    elif kind == "pipx-venv":
        script(
            home / ".local" / "share" / "pipx" / "venvs" / "caution" / "bin" / "caution", forward
        )
    elif kind == "uv-tool":
        script(home / ".local" / "share" / "uv" / "tools" / "caution" / "bin" / "caution", forward)
    elif kind == "python3-m":
        script(machine["bin"] / "python3", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    elif kind == "CAUTION_BIN":
        return {"CAUTION_BIN": str(caution)}
    return {}


@pytest.mark.parametrize("kind", ["pipx", "pipx-venv", "uv-tool", "python3-m", "CAUTION_BIN"])
def test_the_launcher_finds_caution_off_the_path(
    kind: str, project: Path, machine: dict[str, Path]
) -> None:
    extra = install_as(kind, machine)
    proc = run("claude-code", project, machine, destructive("claude-code", project), extra=extra)
    assert proc.returncode == 0, proc.stderr
    decision = json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"]
    assert decision == "deny"
    which = run("claude-code", project, machine, b"", extra={**extra, "CAUTION_GUARD_WHICH": "1"})
    assert which.returncode == 0 and which.stdout.decode().rstrip().endswith(
        "guard hook --agent claude-code"
    )


def test_a_stale_caution_bin_falls_through(project: Path, machine: dict[str, Path]) -> None:
    proc = run(
        "gemini",
        project,
        machine,
        destructive("gemini", project),
        extra={"CAUTION_BIN": str(machine["home"] / "gone" / "caution")},
    )
    assert proc.returncode == 2 and MISSING in proc.stderr.decode()


def test_a_broken_caution_on_the_path_still_denies(project: Path, machine: dict[str, Path]) -> None:
    script(machine["bin"] / "caution", "#!/nonexistent/python\n")
    for agent in AGENTS:
        proc = run(agent, project, machine, destructive(agent, project))
        assert proc.returncode == 2, (agent, proc)


@pytest.mark.parametrize("agent", AGENTS)
def test_a_missing_or_unexecutable_launcher_still_denies(
    agent: str, tmp_path: Path, machine: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo.init(tmp_path / "repo")
    (repo.path / "src").mkdir()
    cli(capsys, "guard", "install", "--agent", agent, "--cwd", str(repo.path))
    launcher = repo.path / LAUNCHER
    launcher.chmod(0o644)  # a checkout that lost the executable bit: sh runs it anyway
    path = f"{VENV_BIN}{os.pathsep}{machine['bin']}"
    proc = run(agent, repo.path, machine, destructive(agent, repo.path), path=path)
    answer = read_answer(agent, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert answer.decision == "deny"
    launcher.unlink()  # never committed: the command cannot start it
    proc = run(agent, repo.path, machine, destructive(agent, repo.path), path=path)
    assert proc.returncode == 2 and b"guard-hook" in proc.stderr


def test_the_launcher_itself_denies_without_caution(
    project: Path, machine: dict[str, Path]
) -> None:
    """Its own contract, apart from the `|| exit 2` of the command around it."""
    env = {"PATH": str(machine["bin"]), "HOME": str(machine["home"])}
    launcher = project / LAUNCHER
    for argv in ([str(launcher)], ["sh", str(launcher)]):
        proc = subprocess.run(
            [*argv, "--agent", "claude-code"],
            input=b"{}",
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert (proc.returncode, proc.stderr.decode()) == (2, MISSING + "\n")
