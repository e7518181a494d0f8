"""The guard's entry in each agent's hook settings: the command, the entry, merging it into
what is there and taking it out again. Pure: settings in, settings out.

The facts about each agent are data, `caution/data/agent-hooks.toml`, with their sources:
Claude Code (code.claude.com/docs/en/hooks: `$CLAUDE_PROJECT_DIR`, `timeout` in seconds),
Codex (openai/codex codex-rs/config/src/hook_config.rs and
codex-rs/hooks/src/engine/command_runner.rs: `$SHELL -lc COMMAND` in the session's working
directory, no project variable), Cursor (cursor.com/docs/reference/hooks: `failClosed`,
`matcher`, `$CURSOR_PROJECT_DIR`), Gemini CLI (google-gemini/gemini-cli
docs/hooks/reference.md: `timeout` in milliseconds; `$GEMINI_PROJECT_DIR`), GitHub Copilot
(docs.github.com …/cli-hooks-reference: `bash`, `cwd` relative to the repository root,
`timeoutSec`).

Every agent runs the command through a shell, in the folder the agent works in, which may
be a sub-folder of the project. So the project command names the committed launcher from
the project root as the agent gives it (`$CLAUDE_PROJECT_DIR`, `$GEMINI_PROJECT_DIR`,
`$CURSOR_PROJECT_DIR`, else `git rev-parse --show-toplevel`; Copilot's `cwd` is the root),
runs it with `sh` (no executable bit needed), and turns any failure of its own (no
launcher, a shell error) into exit 2, the one exit code every agent takes as a block.
"""

from __future__ import annotations

import copy
import re
import shlex
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LAUNCHER = ".caution/bin/guard-hook"
GIT_ROOT = "$(git rev-parse --show-toplevel)"


class InstallError(Exception):
    """The guard cannot be installed as asked: an unknown agent, or settings that are not
    the shape the agent reads (left as they are)."""


@dataclass(frozen=True)
class Event:
    name: str
    matcher: str  # "" for none


@dataclass(frozen=True)
class Agent:
    id: str
    description: str
    sources: tuple[str, ...]
    project_file: str
    user_file: str
    own_file: bool
    file_fields: dict[str, Any]
    layout: str  # grouped | flat
    events: tuple[Event, ...]
    command_key: str
    timeout_key: str
    timeout: int
    timeout_unit: str  # s | ms
    entry: dict[str, Any]
    project_env: tuple[str, ...]
    hook_cwd: str | None
    trust: str
    unanswered: str


def _agent(raw: dict[str, Any]) -> Agent:
    return Agent(
        id=raw["id"],
        description=raw["description"],
        sources=tuple(raw["sources"]),
        project_file=raw["project_file"],
        user_file=raw["user_file"],
        own_file=bool(raw["own_file"]),
        file_fields=dict(raw.get("file_fields", {})),
        layout=raw["layout"],
        events=tuple(Event(e["event"], e.get("matcher", "")) for e in raw["events"]),
        command_key=raw["command_key"],
        timeout_key=raw["timeout_key"],
        timeout=int(raw["timeout"]),
        timeout_unit=raw["timeout_unit"],
        entry=dict(raw.get("entry", {})),
        project_env=tuple(raw.get("project_env", ())),
        hook_cwd=raw.get("hook_cwd"),
        trust=raw["trust"],
        unanswered=raw["unanswered"],
    )


@cache
def agents() -> dict[str, Agent]:
    text = resources.files("caution.data").joinpath("agent-hooks.toml").read_text("utf-8")
    return {a["id"]: _agent(a) for a in tomllib.loads(text)["agent"]}


def agent(name: str) -> Agent:
    known = agents()
    if name not in known:
        raise InstallError(f"unknown agent {name!r} (known: {', '.join(known)})")
    return known[name]


def settings_path(name: str, scope: str) -> str:
    """The settings file, relative to the project root (project) or the home folder (user)."""
    spec = agent(name)
    return spec.project_file if scope == "project" else spec.user_file


def project_root(name: str) -> str:
    """The shell words that give the project root when the agent runs the hook."""
    spec = agent(name)
    if spec.hook_cwd is not None:
        return "."
    if spec.project_env:
        return "${%s:-%s}" % (spec.project_env[0], GIT_ROOT)  # noqa: UP031 (shell syntax)
    return GIT_ROOT


def hook_command(
    name: str, scope: str, launcher: str | None = None, executable: str | None = None
) -> str:
    """The command written into the agent's settings.

    Project scope: the committed launcher, found from the project root on any machine.
    User scope: `launcher`, the absolute path of the user's own copy, told first about
    `executable` (the caution that installed it) should that still exist."""
    agent(name)
    tail = f"--agent {name} || exit 2"
    if scope == "project":
        root = project_root(name)
        where = LAUNCHER if root == "." else f'"{root}/{LAUNCHER}"'
        return f"sh {where} {tail}"
    if launcher is None:
        raise InstallError("a user-scope hook needs the launcher's path")
    prefix = f"CAUTION_BIN={shlex.quote(executable)} " if executable else ""
    return f"{prefix}sh {shlex.quote(launcher)} {tail}"


def hook_entry(
    name: str, command: str, scope: str = "project", matcher: str = ""
) -> dict[str, Any]:
    spec = agent(name)
    entry: dict[str, Any] = {}
    if "type" in spec.entry:
        entry["type"] = spec.entry["type"]
    entry[spec.command_key] = command
    if spec.hook_cwd is not None and scope == "project":
        entry["cwd"] = spec.hook_cwd
    entry[spec.timeout_key] = spec.timeout
    entry.update({k: v for k, v in spec.entry.items() if k != "type"})
    if matcher and spec.layout == "flat":
        entry["matcher"] = matcher
    return entry


_DIRECT = r"caution['\"]?\s+guard\s+hook\s+--agent[= ]['\"]?{agent}(?![\w-])"
_LAUNCHED = r"guard-hook['\"]?\s+--agent[= ]['\"]?{agent}(?![\w-])"


def is_guard_command(command: object, name: str) -> bool:
    """Whether `command` is the guard's hook for `name` in any form caution has written:
    `caution guard hook --agent NAME` (a path to caution, `python -m caution`) or the
    launcher. A re-install replaces such an entry instead of adding a second one."""
    if not isinstance(command, str):
        return False
    escaped = re.escape(name)
    return any(re.search(p.format(agent=escaped), command) for p in (_DIRECT, _LAUNCHED))


def command_of(entry: object, name: str) -> str | None:
    if not isinstance(entry, dict):
        return None
    value = entry.get(agent(name).command_key)
    if value is None:
        value = entry.get("command", entry.get("bash"))
    return value if isinstance(value, str) else None


def _ours(entry: object, name: str, command: str | None) -> bool:
    found = command_of(entry, name)
    return found is not None and (found == command or is_guard_command(found, name))


def _hooks(settings: dict[str, Any]) -> dict[str, Any]:
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise InstallError("the settings' `hooks` is not an object")
    return hooks


def _event_list(hooks: dict[str, Any], event: str) -> list[Any]:
    entries = hooks.setdefault(event, [])
    if not isinstance(entries, list):
        raise InstallError(f"the settings' hooks.{event} is not a list")
    return entries


def _without_ours(
    name: str, entries: list[Any], grouped: bool, command: str | None
) -> tuple[list[Any], int | None]:
    """`entries` without the guard's hooks, and the position the first of them had."""
    kept: list[Any] = []
    first: int | None = None
    for entry in entries:
        if not grouped:
            if _ours(entry, name, command):
                first = len(kept) if first is None else first
            else:
                kept.append(entry)
            continue
        inner = entry.get("hooks") if isinstance(entry, dict) else None
        if isinstance(inner, list) and any(_ours(h, name, command) for h in inner):
            first = len(kept) if first is None else first
            rest = [h for h in inner if not _ours(h, name, command)]
            if not rest:
                continue
            entry = {**entry, "hooks": rest}
        kept.append(entry)
    return kept, first


def merged(
    name: str, settings: dict[str, Any], command: str, *, scope: str = "project"
) -> dict[str, Any]:
    """`settings` with the guard's hook for `name` present exactly once, as `command`:
    an earlier form of it (an absolute path, an old timeout) is replaced where it stood."""
    spec = agent(name)
    out = copy.deepcopy(settings)
    for key, value in spec.file_fields.items():
        out.setdefault(key, value)
    hooks = _hooks(out)
    grouped = spec.layout == "grouped"
    for event in spec.events:
        entries = _event_list(hooks, event.name)
        kept, first = _without_ours(name, entries, grouped, command)
        entry = hook_entry(name, command, scope, event.matcher)
        new: Any = {"matcher": event.matcher, "hooks": [entry]} if grouped else entry
        kept.insert(len(kept) if first is None else first, new)
        hooks[event.name] = kept
    return out


def removed(name: str, settings: dict[str, Any], command: str | None = None) -> dict[str, Any]:
    """`settings` without the guard's hook for `name`, in any form; groups and events left
    empty by that go too, nothing else."""
    spec = agent(name)
    out = copy.deepcopy(settings)
    hooks = out.get("hooks")
    if not isinstance(hooks, dict):
        return out
    for event in spec.events:
        entries = hooks.get(event.name)
        if not isinstance(entries, list):
            continue
        kept, first = _without_ours(name, entries, spec.layout == "grouped", command)
        if first is None:
            continue
        if kept:
            hooks[event.name] = kept
        else:
            del hooks[event.name]
    if not hooks:
        del out["hooks"]
    return out


@dataclass(frozen=True)
class Installed:
    """One guard entry found in an agent's settings."""

    event: str
    entry: dict[str, Any]
    command: str
    matcher: str | None


def installed(name: str, settings: dict[str, Any]) -> list[Installed]:
    """The guard's entries for `name` in `settings`, in any form."""
    spec = agent(name)
    hooks = settings.get("hooks")
    found: list[Installed] = []
    if not isinstance(hooks, dict):
        return found
    for event in spec.events:
        entries = hooks.get(event.name)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if spec.layout == "flat":
                pairs = [(entry, entry.get("matcher") if isinstance(entry, dict) else None)]
            else:
                inner = entry.get("hooks") if isinstance(entry, dict) else None
                matcher = entry.get("matcher") if isinstance(entry, dict) else None
                pairs = [(h, matcher) for h in inner] if isinstance(inner, list) else []
            for hook, matcher in pairs:
                command = command_of(hook, name)
                if command is not None and is_guard_command(command, name):
                    found.append(Installed(event.name, hook, command, matcher))
    return found


def problems(name: str, scope: str, found: list[Installed]) -> list[str]:
    """What is wrong with the guard's entries as written: each makes the guard fail open
    somewhere or for someone. Empty when they are what `guard install` writes today."""
    spec = agent(name)
    issues: list[str] = []
    events = {f.event for f in found}
    for event in spec.events:
        if event.name not in events:
            issues.append(f"no hook on {event.name}")
    for f in found:
        where = f.event
        timeout = f.entry.get(spec.timeout_key)
        if spec.timeout_unit == "ms" and isinstance(timeout, int | float) and timeout < 1000:
            issues.append(
                f"{where}: timeout {timeout} is {timeout} milliseconds for {spec.description}; "
                "the hook is cut off and the tool runs"
            )
        for key, value in spec.entry.items():
            if key != "type" and f.entry.get(key) != value:
                issues.append(f"{where}: {key} is not {str(value).lower()}")
        wanted = next(e.matcher for e in spec.events if e.name == f.event)
        if wanted and f.matcher != wanted:
            issues.append(f"{where}: matcher {f.matcher!r}, not {wanted!r}")
        if scope == "project" and LAUNCHER not in f.command:
            issues.append(
                f"{where}: the command is not the committed launcher, so it may not resolve "
                f"on a teammate's machine: {f.command}"
            )
        if "|| exit 2" not in f.command:
            issues.append(f"{where}: a command that cannot start exits with a code other than 2")
    return issues


def agent_environment(name: str, project: str) -> dict[str, str]:
    """The variables the agent sets for its hooks (see `project_env`)."""
    return {variable: project for variable in agent(name).project_env}
