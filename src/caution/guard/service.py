"""Judging one agent action in a place: a shell command or a file write, with the
workspace found from the working directory."""

from __future__ import annotations

import os
import posixpath
from functools import lru_cache
from pathlib import Path
from typing import Any

from caution.globs import compile_glob
from caution.guard.engine import ALLOW, Verdict, check_shell
from caution.guard.filesystem import private_key, readlink
from caution.guard.hook import runtime_dir
from caution.guard.paths import Places, classify_resolved, under
from caution.guard.rules import RuleSet, default_rules
from caution.guard.userfiles import config_dir, state_dir
from caution.guard_settings import GuardSettings


def _workspace_of(cwd: str) -> str:
    folder = cwd
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):  # noqa: PTH118 - hot path
            return folder
        parent = os.path.dirname(folder)  # noqa: PTH120
        if parent == folder:
            return cwd
        folder = parent


def places_for(cwd: Path | str, home: str | None = None, start: Path | str | None = None) -> Places:
    """Where an action happens. The one way the CLI and every hook find the workspace.

    `start` is where the session began (the folder the agent was started in): when the
    action's working directory has moved out of the workspace found there, that workspace
    stays the one judged against, so everything outside it stays outside."""
    where = os.path.realpath(cwd)
    home = home or os.environ.get("HOME") or str(Path.home())
    workspace = _workspace_of(where)
    if start is not None:
        first = _workspace_of(os.path.realpath(start))
        if not under(where, first):
            workspace = first
    real_home = os.path.realpath(home) if home.startswith("/") else home
    return Places(
        cwd=where,
        workspace=workspace,
        home=real_home,
        readlink=readlink,
        caution_dirs=caution_dirs(real_home),
        private_key=private_key,
    )


def caution_dirs(home: str) -> tuple[str, ...]:
    """The user's own caution folders (configuration, state, the resident guard's socket
    folder) and the installed guard itself (its code and rules, when installed as a
    package rather than worked on from a source checkout), links resolved."""
    installed = str(Path(__file__).resolve().parents[1])
    package = (installed,) if "-packages" in installed else ()
    return _real(config_dir(home), state_dir(home), runtime_dir(), *package)


@lru_cache(maxsize=16)
def _real(*folders: str) -> tuple[str, ...]:
    return tuple(os.path.realpath(folder) for folder in folders)


def _matches(patterns: tuple[str, ...], relative: str) -> bool:
    """Globs matched without regard to case: `.GIT/config` is `.git/config` on the
    case-insensitive file systems of macOS and Windows."""
    folded = relative.lower()
    return any(compile_glob(p.lower()).matches(folded) for p in patterns)


def _caution_relative(resolved: str, places: Places) -> str | None:
    dirs = places.caution_dirs or caution_dirs_default(places.home)
    folded = resolved.lower()
    for folder in dirs:
        base = folder.rstrip("/").lower()
        if folded == base or folded.startswith(base + "/"):
            return posixpath.relpath(resolved, folder) if folded != base else "."
    return None


def caution_dirs_default(home: str) -> tuple[str, ...]:
    """Without the environment (literal places in tests and benchmarks): XDG's defaults."""
    return (
        posixpath.join(home, ".config", "caution"),
        posixpath.join(home, ".local", "state", "caution"),
    )


def check_path(
    path: str,
    places: Places,
    rules: RuleSet,
    settings: GuardSettings | None = None,
    *,
    access: str = "write",
    follow_last: bool = True,
    program: str | None = None,
) -> Verdict:
    """The verdict for a file that an action writes (or reads): the file rules for that
    access, after every link in the path is resolved."""
    if path.startswith("~") and not (path == "~" or path.startswith("~/")):
        resolved = lexical = path  # ~user: another home, outside whatever it is
        kind = "outside"
    else:
        resolved = places.resolve(path, follow_last)
        lexical = posixpath.normpath(places.absolute(path))
        kind = classify_resolved(resolved, places)
    workspace = posixpath.normpath(places.workspace)
    inside = kind in ("inside", "workspace-root")
    relative = posixpath.relpath(resolved, workspace) if inside else None
    shown = relative if relative is not None else path
    if lexical != resolved:  # a link was followed: say where to
        shown = f"{path} (a link to {resolved})"
    if (
        access == "write"
        and relative is not None
        and settings is not None
        and _matches(tuple(settings.protected_paths), relative)
    ):
        return Verdict("deny", "files.protected-path", f"protected by the guard settings: {shown}")
    home = posixpath.normpath(places.home)
    home_relative = None
    if not inside and (resolved.lower().startswith(home.lower().rstrip("/") + "/")):
        home_relative = resolved[len(home.rstrip("/")) + 1 :]
    caution_relative = _caution_relative(resolved, places)
    for rule in rules.read_rules if access == "read" else rules.write_rules:
        if program is not None and program in rule.users:
            continue
        if rule.caution_dirs:
            if caution_relative is not None and (
                not rule.globs or _matches(rule.globs, caution_relative)
            ):
                return Verdict(rule.decision, rule.id, f"{rule.description}: {shown}")
            continue
        if (
            rule.home_globs
            and home_relative is not None
            and _matches(rule.home_globs, home_relative)
            and not _matches(rule.except_globs, home_relative)
        ):
            return Verdict(rule.decision, rule.id, f"{rule.description}: {shown}")
        if (
            rule.private_key
            and kind not in ("inside", "workspace-root", "temp")
            and places.private_key is not None
            and places.private_key(resolved)
        ):
            return Verdict(rule.decision, rule.id, f"{rule.description}: {shown}")
        if rule.outside_workspace and kind in ("root", "home", "system", "device", "outside"):
            return Verdict(rule.decision, rule.id, f"{rule.description}: {shown} ({kind})")
        if relative is None or not rule.globs or not _matches(rule.globs, relative):
            continue
        if _matches(rule.except_globs, relative):
            continue
        return Verdict(rule.decision, rule.id, f"{rule.description}: {shown}")
    return ALLOW


def check_write(
    path: str,
    places: Places,
    rules: RuleSet,
    settings: GuardSettings | None = None,
    follow_last: bool = True,
) -> Verdict:
    return check_path(path, places, rules, settings, access="write", follow_last=follow_last)


def check_read(path: str, places: Places, rules: RuleSet, program: str | None = None) -> Verdict:
    return check_path(path, places, rules, access="read", program=program)


def check_action(
    action: dict[str, Any],
    places: Places,
    rules: RuleSet | None = None,
    settings: GuardSettings | None = None,
    deadline: float | None = None,
) -> Verdict:
    """The verdict for one action of `guard eval`'s shape."""
    ruleset = rules or default_rules()
    kind = action.get("kind")
    if kind == "shell":
        command = action.get("command")
        if not isinstance(command, str):
            return Verdict("ask", "guard.bad-action", "a shell action needs a command string")
        return check_shell(
            command,
            places,
            ruleset,
            settings,
            lambda p, at, follow=True: check_write(p, at, ruleset, settings, follow),
            deadline=deadline,
            read_check=lambda p, at, program: check_read(p, at, ruleset, program),
        )
    if kind in ("write", "edit", "multi-edit", "patch", "delete"):
        path = action.get("path")
        if not isinstance(path, str) or not path:
            return Verdict("ask", "guard.bad-action", f"a {kind} action needs a path")
        return check_write(path, places, ruleset, settings, follow_last=kind != "delete")
    if kind == "read":
        path = action.get("path")
        if not isinstance(path, str) or not path:
            return ALLOW  # a search without a path reads the workspace
        return check_read(path, places, ruleset)
    if kind == "unknown":
        tool = action.get("tool", "?")
        return Verdict(
            "ask",
            "guard.unknown-tool",
            f"the tool {tool} is not one the guard knows, and it carries no command or path "
            "to judge",
        )
    return Verdict("ask", "guard.bad-action", f"unknown action kind {kind!r}")
