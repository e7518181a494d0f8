"""Installing the guard into each agent's settings: merged into what is there, idempotent,
and removable without touching anything caution did not add.

Project scope writes what works on every teammate's machine: the agent's settings file
(`.claude/settings.json`, `.codex/hooks.json`, `.cursor/hooks.json`, `.gemini/settings.json`,
`.github/hooks/caution-guard.json`) and the launcher `.caution/bin/guard-hook`, both to be
committed; the command names no path into one person's environment (see hook_config.py
and the agents' sources in `caution/data/agent-hooks.toml`). User scope writes the same
into the home folder (`~/.claude/settings.json`, …, `~/.copilot/hooks/caution-guard.json`,
`~/.caution/bin/guard-hook`) with absolute paths, which are this user's own.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from caution import json_file
from caution.git.errors import GitError
from caution.git.process import run_git
from caution.guard.hook_config import (
    LAUNCHER,
    InstallError,
    agent,
    agents,
    hook_command,
    installed,
    merged,
    removed,
    settings_path,
)
from caution.user_file import CONFIG_LIMIT

__all__ = [
    "InstallError",
    "Outcome",
    "Target",
    "install",
    "install_guard",
    "merged",
    "read_settings",
    "removed",
    "target",
    "uninstall",
    "uninstall_guard",
]


@dataclass(frozen=True)
class Target:
    path: Path
    own_file: bool  # the whole file is caution's (Copilot)


def target(name: str, scope: str, workspace: Path, home: Path) -> Target:
    base = workspace if scope == "project" else home
    return Target(base / settings_path(name, scope), agent(name).own_file)


def read_settings(path: Path) -> dict[str, Any]:
    """An agent's settings file as a JSON object, {} when there is none. A link is not
    followed: a committed `.claude/settings.json -> ~/.bashrc` must not be rewritten."""
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        data = json_file.read_json(path, CONFIG_LIMIT, follow_symlinks=False)
    except json_file.JsonFileError as exc:
        raise InstallError(f"{exc}; left as it is") from exc
    if not isinstance(data, dict):
        raise InstallError(f"{path}: not a JSON object; left as it is")
    return data


def _replace(path: Path, text: str, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".caution-tmp")
    temporary.write_text(text, "utf-8")
    if mode is not None:
        temporary.chmod(mode)
    temporary.replace(path)


def _write(path: Path, data: dict[str, Any]) -> None:
    _replace(path, json.dumps(data, indent=2) + "\n")


def install(
    name: str,
    where: Target,
    command: str,
    scope: str = "project",
    before: dict[str, Any] | None = None,
) -> bool:
    """Put the guard's hook into `where` (whose settings are `before`, when already read);
    True when the settings changed."""
    before = read_settings(where.path) if before is None else before
    after = merged(name, before, command, scope=scope)
    if after == before and where.path.exists():
        return False
    _write(where.path, after)
    return True


def uninstall(name: str, where: Target, command: str | None = None) -> bool:
    """Take the guard's hook (any form of it) out of `where`; True when something went."""
    if not where.path.exists():
        return False
    before = read_settings(where.path)
    after = removed(name, before, command)
    if where.own_file:
        if after.get("hooks"):
            raise InstallError(f"{where.path} holds hooks caution did not add; left as it is")
        if after == before:
            return False  # nothing of the guard's in it
        where.path.unlink()
        return True
    if after == before:
        return False
    _write(where.path, after)
    return True


def launcher_text() -> str:
    return resources.files("caution.data").joinpath("guard-hook.sh").read_text("utf-8")


def write_launcher(path: Path) -> bool:
    """The launcher at `path`, executable; True when it was missing or different."""
    text = launcher_text()
    try:
        same = path.read_text("utf-8") == text and os.access(path, os.X_OK)
    except (OSError, UnicodeDecodeError):
        same = False
    if same:
        return False
    _replace(path, text, 0o755)
    return True


def _uses_launcher(base: Path, scope: str, launcher: Path) -> bool:
    """Whether any agent's settings at `base` still run the launcher. An unreadable file
    counts as yes: the launcher stays rather than breaking a hook that may use it."""
    for name in agents():
        path = base / settings_path(name, scope)
        if not path.exists():
            continue
        try:
            found = installed(name, read_settings(path))
        except InstallError:
            return True
        if any(LAUNCHER in f.command or str(launcher) in f.command for f in found):
            return True
    return False


def _ignored(workspace: Path, paths: list[Path]) -> list[str]:
    """Those of `paths` git would not commit (ignored and not tracked)."""
    names = [str(p.relative_to(workspace)) for p in paths if p.is_relative_to(workspace)]
    if not names:
        return []
    try:
        out = run_git(["check-ignore", "--", *names], workspace, ok_codes=(0, 1))
    except (GitError, OSError):
        return []  # not a repository, or no git: nothing to say
    return out.decode("utf-8", "replace").split()


@dataclass(frozen=True)
class Outcome:
    """What `guard install` did, for the report."""

    agent: str
    scope: str
    action: str  # install | uninstall
    file: Path
    changed: bool
    command: str | None
    launcher: Path | None
    launcher_changed: bool
    commit: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _base(scope: str, workspace: Path, home: Path) -> Path:
    return workspace if scope == "project" else home


def _is_bare(folder: Path) -> bool:
    try:
        out = run_git(["rev-parse", "--is-bare-repository"], folder)
    except GitError:
        return False  # not a repository (yet): the files can still be written and committed
    return out.strip() == b"true"


def install_guard(
    name: str, scope: str, workspace: Path, home: Path, executable: str | None = None
) -> Outcome:
    """Install the guard for agent `name`: the launcher, then the agent's settings, which
    then replace any earlier form of the guard's entry (an absolute path, an old timeout)."""
    spec = agent(name)
    if scope == "project" and _is_bare(workspace):
        raise InstallError(
            f"{workspace} has no work tree (a bare repository): project hooks are committed "
            "from a clone; run this in one, or use --scope user"
        )
    where = target(name, scope, workspace, home)
    launcher = _base(scope, workspace, home) / LAUNCHER
    command = hook_command(
        name, scope, launcher=str(launcher), executable=executable if scope == "user" else None
    )
    # settings caution cannot read or edit stop the install before anything is written
    before = read_settings(where.path)
    merged(name, before, command, scope=scope)
    launcher_changed = write_launcher(launcher)
    changed = install(name, where, command, scope, before)
    commit: tuple[str, ...] = ()
    notes: list[str] = []
    if scope == "project":
        files = [where.path, launcher]
        commit = tuple(str(p.relative_to(workspace)) for p in files)
        ignored = _ignored(workspace, files)
        if ignored:
            notes.append(
                "ignored by git, so teammates would not get it: "
                + ", ".join(ignored)
                + " (git add -f, or un-ignore it)"
            )
        notes.append(spec.trust)
    return Outcome(
        name,
        scope,
        "install",
        where.path,
        changed,
        command,
        launcher,
        launcher_changed,
        commit,
        tuple(notes),
    )


def uninstall_guard(name: str, scope: str, workspace: Path, home: Path) -> Outcome:
    """Remove the guard's entry for `name` in every form caution wrote; the launcher goes
    with the last agent that used it."""
    where = target(name, scope, workspace, home)
    changed = uninstall(name, where)
    base = _base(scope, workspace, home)
    launcher = base / LAUNCHER
    launcher_changed = False
    if launcher.exists() and not _uses_launcher(base, scope, launcher):
        launcher.unlink()
        launcher_changed = True
        for folder in (launcher.parent, launcher.parent.parent):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
    return Outcome(
        name,
        scope,
        "uninstall",
        where.path,
        changed,
        None,
        launcher if launcher_changed else None,
        launcher_changed,
    )
