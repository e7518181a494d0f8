"""The guard's decision log: `.caution/guard.log` in the workspace, one JSON line each."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

LOG = Path(".caution") / "guard.log"


def append(
    workspace: str, agent: str, action: dict[str, Any], decision: str, rule: str | None, reason: str
) -> None:
    """Best effort: a read-only workspace must not turn a verdict into a crash."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "agent": agent,
        "action": action,
        "decision": decision,
        "rule": rule,
        "reason": reason,
    }
    path = Path(workspace) / LOG
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    try:
        try:
            handle = path.open("a", encoding="utf-8")
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", encoding="utf-8")
        with handle:
            handle.write(line)
            created = handle.tell() == len(line.encode("utf-8"))
        if created:  # a new log: keep it out of the repository (no cost on later calls)
            _ignore(path)
    except OSError:
        pass


def _ignore(log: Path) -> None:
    ignore = log.parent / ".gitignore"
    present = ignore.read_text("utf-8").splitlines() if ignore.exists() else []
    missing = [name for name in (log.name, ".gitignore") if name not in present]
    if missing:
        with ignore.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{name}\n" for name in missing))
