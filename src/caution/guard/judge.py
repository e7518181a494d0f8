"""`caution guard check` and `caution guard eval`: actions a person hands over, judged as
the hook judges an agent's — the same places, settings, rules and log."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from caution import json_file
from caution.guard.config import guard_settings
from caution.guard.engine import Verdict
from caution.guard.log import append
from caution.guard.paths import Places
from caution.guard.service import check_action, places_for
from caution.guard_settings import GuardSettings


def action_of(command: str | None, write: str | None, words: list[str] | None) -> dict[str, Any]:
    """The one action given: a write, a shell string, or words joined as a shell would.
    One word holding spaces (`guard check "cd ~ && rm -rf x"`) is a shell string."""
    given = [x for x in (command, write, words or None) if x]
    if len(given) != 1:
        raise ValueError("give exactly one of --command STRING, --write PATH or -- COMMAND...")
    if write is not None:
        return {"kind": "write", "path": write}
    if command is None and words and len(words) == 1 and any(c.isspace() for c in words[0]):
        command = words[0]
    return {"kind": "shell", "command": command if command is not None else shlex.join(words or [])}


def _settings(cwd: Path, home: str | None) -> tuple[Places, GuardSettings]:
    places = places_for(cwd, home, start=cwd)
    return places, guard_settings(str(places.workspace), also=[places.cwd], home=home)


def judge_one(action: dict[str, Any], cwd: Path, home: str | None = None) -> Verdict:
    """One action, logged like an agent's (as agent `cli`)."""
    places, settings = _settings(cwd, home)
    verdict = check_action(action, places, None, settings)
    append(places.workspace, "cli", action, verdict.decision, verdict.rule, verdict.reason, home)
    return verdict


def judge_lines(lines: Iterable[str], cwd: Path, source: str) -> Iterator[dict[str, Any]]:
    """Each JSON line with its `decision`, `rule` and `reason`. A line that is not a JSON
    object is not understood, and what is not understood is asked about."""
    places, settings = _settings(cwd, None)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            action = json_file.loads(line)
        except ValueError:
            action = None
        if not isinstance(action, dict):
            yield {
                "line": number,
                "raw": line.rstrip("\n"),
                "decision": "ask",
                "rule": "guard.bad-action",
                "reason": f"{source}:{number}: not a JSON object",
            }
            continue
        verdict = check_action(action, places, None, settings)
        yield {
            **action,
            "decision": verdict.decision,
            "rule": verdict.rule,
            "reason": verdict.reason,
        }


__all__ = ["action_of", "judge_lines", "judge_one"]
