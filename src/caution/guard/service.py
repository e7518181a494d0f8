"""Judging one agent action in a place: a shell command or a file write, with the
workspace found from the working directory."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from caution.globs import compile_glob
from caution.guard.engine import ALLOW, Verdict, check_shell
from caution.guard.paths import Places, classify
from caution.guard.rules import RuleSet, default_rules
from caution.guard.settings import GuardSettings


def workspace_of(cwd: Path) -> Path:
    """The git root above `cwd` (a `.git` folder, or file for a worktree), else `cwd`
    itself (a bare repository, or no repository) — found without starting git, as the
    hook must answer in milliseconds."""
    for candidate in (cwd, *cwd.parents):
        if (candidate / ".git").exists():
            return candidate
    return cwd


def places_for(cwd: Path | str, home: str | None = None) -> Places:
    """Where an action happens. The one way the CLI and every hook find the workspace."""
    where = Path(cwd).resolve()
    home = home or os.environ.get("HOME") or str(Path.home())
    return Places(cwd=str(where), workspace=str(workspace_of(where)), home=home)


def check_write(
    path: str, places: Places, rules: RuleSet, settings: GuardSettings | None = None
) -> Verdict:
    resolved = places.resolve(path)
    kind = classify(path, places)
    workspace = posixpath.normpath(places.workspace)
    inside = kind in ("inside", "workspace-root")
    relative = posixpath.relpath(resolved, workspace) if inside else None
    if relative is not None and settings is not None:
        for pattern in settings.protected_paths:
            if compile_glob(pattern).matches(relative):
                return Verdict(
                    "deny", "files.protected-path", f"protected in .caution.yml: {relative}"
                )
    for rule in rules.file_rules:
        if rule.outside_workspace and kind in ("root", "home", "system", "device", "outside"):
            return Verdict(rule.decision, rule.id, f"{rule.description}: {path} ({kind})")
        if relative is None or not any(compile_glob(g).matches(relative) for g in rule.globs):
            continue
        if any(compile_glob(g).matches(relative) for g in rule.except_globs):
            continue
        return Verdict(rule.decision, rule.id, f"{rule.description}: {relative}")
    return ALLOW


def check_action(
    action: dict[str, Any],
    places: Places,
    rules: RuleSet | None = None,
    settings: GuardSettings | None = None,
) -> Verdict:
    """The verdict for one action of `guard eval`'s shape."""
    ruleset = rules or default_rules()
    kind = action.get("kind")
    if kind == "shell":
        command = action.get("command")
        if not isinstance(command, str):
            return Verdict("ask", "guard.bad-action", "a shell action needs a command string")
        return check_shell(
            command, places, ruleset, settings, lambda p, at: check_write(p, at, ruleset, settings)
        )
    if kind in ("write", "edit", "multi-edit", "patch"):
        path = action.get("path")
        if not isinstance(path, str) or not path:
            return Verdict("ask", "guard.bad-action", f"a {kind} action needs a path")
        return check_write(path, places, ruleset, settings)
    return Verdict("ask", "guard.bad-action", f"unknown action kind {kind!r}")
