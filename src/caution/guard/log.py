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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError:
        pass
