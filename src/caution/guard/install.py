"""Installing the guard into each agent's settings: merged into what is there, idempotent,
and removable without touching anything caution did not add.

Where (see agents.py for the sources): Claude Code `.claude/settings.json` (user:
`~/.claude/settings.json`) hooks.PreToolUse; Cursor `.cursor/hooks.json` beforeShellExecution
and preToolUse; Gemini CLI `.gemini/settings.json` hooks.BeforeTool; Codex
`.codex/hooks.json` hooks.PreToolUse; Copilot a file of its own, `.github/hooks/caution-guard.json`
(user: `~/.copilot/hooks/caution-guard.json`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caution import json_file
from caution.user_file import CONFIG_LIMIT, read_user_file


class InstallError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    path: Path
    own_file: bool  # the whole file is caution's (Copilot)


def target(agent: str, scope: str, workspace: Path, home: Path) -> Target:
    base = workspace if scope == "project" else home
    places = {
        "claude-code": (".claude/settings.json", False),
        "cursor": (".cursor/hooks.json", False),
        "gemini": (".gemini/settings.json", False),
        "codex": (".codex/hooks.json", False),
        "copilot": (
            ".github/hooks/caution-guard.json"
            if scope == "project"
            else ".copilot/hooks/caution-guard.json",
            True,
        ),
    }
    if agent not in places:
        raise InstallError(f"unknown agent {agent!r} (known: {', '.join(places)})")
    relative, own = places[agent]
    return Target(base / relative, own)


def _command_entry(agent: str, command: str) -> dict[str, Any]:
    if agent == "copilot":
        return {"type": "command", "bash": command, "timeoutSec": 30}
    if agent == "cursor":
        return {"command": command}
    return {"type": "command", "command": command, "timeout": 30 if agent == "codex" else 60}


def _ours(entry: Any, command: str) -> bool:
    return isinstance(entry, dict) and command in (entry.get("command"), entry.get("bash"))


def _groups(agent: str) -> list[tuple[str, str | None]]:
    """(event, matcher) pairs the guard hooks into."""
    if agent == "claude-code":
        return [("PreToolUse", "Bash|Write|Edit|MultiEdit|NotebookEdit")]
    if agent == "gemini":
        return [("BeforeTool", "run_shell_command|write_file|replace")]
    if agent == "codex":
        return [("PreToolUse", "Bash|apply_patch")]
    if agent == "cursor":
        return [("beforeShellExecution", None), ("preToolUse", None)]
    return [("preToolUse", None)]


def merged(agent: str, settings: dict[str, Any], command: str) -> dict[str, Any]:
    """`settings` with the guard's hook added once."""
    out = copy.deepcopy(settings)
    if agent in ("cursor", "copilot"):
        out.setdefault("version", 1)
    hooks = out.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise InstallError("the settings' `hooks` is not an object")
    for event, matcher in _groups(agent):
        entries = hooks.setdefault(event, [])
        if not isinstance(entries, list):
            raise InstallError(f"the settings' hooks.{event} is not a list")
        if matcher is None:  # Cursor and Copilot: a flat list of commands
            if not any(_ours(e, command) for e in entries):
                entries.append(_command_entry(agent, command))
            continue
        present = any(
            isinstance(group, dict) and any(_ours(h, command) for h in group.get("hooks", []))
            for group in entries
        )
        if not present:
            entries.append({"matcher": matcher, "hooks": [_command_entry(agent, command)]})
    return out


def removed(agent: str, settings: dict[str, Any], command: str) -> dict[str, Any]:
    """`settings` without the guard's hook; groups emptied by that go too, nothing else."""
    out = copy.deepcopy(settings)
    hooks = out.get("hooks")
    if not isinstance(hooks, dict):
        return out
    for event, matcher in _groups(agent):
        entries = hooks.get(event)
        if not isinstance(entries, list):
            continue
        kept = []
        for entry in entries:
            if matcher is None:
                if not _ours(entry, command):
                    kept.append(entry)
                continue
            if isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                inner = [h for h in entry["hooks"] if not _ours(h, command)]
                if inner != entry["hooks"] and not inner:
                    continue
                entry = {**entry, "hooks": inner}
            kept.append(entry)
        if kept:
            hooks[event] = kept
        else:
            del hooks[event]
    if not hooks:
        del out["hooks"]
    return out


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        raw = read_user_file(path, CONFIG_LIMIT)
    except OSError as exc:
        raise InstallError(f"{path}: cannot read ({exc.strerror or exc}); left as it is") from exc
    try:
        data = json_file.loads(raw.decode("utf-8"))
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        raise InstallError(f"{where}: not valid JSON ({exc}); left as it is") from exc
    if not isinstance(data, dict):
        raise InstallError(f"{path}: not a JSON object; left as it is")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".caution-tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    temporary.replace(path)


def install(agent: str, where: Target, command: str) -> bool:
    """True when the settings changed."""
    before = _read(where.path)
    after = merged(agent, before, command)
    if after == before and where.path.exists():
        return False
    _write(where.path, after)
    return True


def uninstall(agent: str, where: Target, command: str) -> bool:
    if not where.path.exists():
        return False
    before = _read(where.path)
    if where.own_file:
        if removed(agent, before, command).get("hooks"):
            raise InstallError(f"{where.path} holds hooks caution did not add; left as it is")
        where.path.unlink()
        return True
    after = removed(agent, before, command)
    if after == before:
        return False
    _write(where.path, after)
    return True
