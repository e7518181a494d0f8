"""The guard's decision log: one JSON line per judged action, in the user's state folder
(`$XDG_STATE_HOME/caution/guard.log`, default `~/.local/state/caution/guard.log`), never in
the work tree: a committed link there (`.caution/guard.log -> ~/.bashrc`) or a FIFO must
not turn every hook call into a write to a shell start-up file, or a hang. The file is
opened without following links, non-blocking, and only when it is a plain file of the user."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

from caution.guard.userfiles import append_line, log_path

MAX_FIELD = 4096  # characters of a command or path kept in the log


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD:
        return value[:MAX_FIELD] + f"… ({len(value)} characters)"
    return value


def append(
    workspace: str,
    agent: str,
    action: dict[str, Any],
    decision: str,
    rule: str | None,
    reason: str,
    home: str | None = None,
) -> None:
    """Best effort: a log that cannot be written must not turn a verdict into a crash."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "agent": agent,
        "workspace": workspace,
        "action": {k: _short(v) for k, v in action.items()},
        "decision": decision,
        "rule": rule,
        "reason": _short(reason),
    }
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with contextlib.suppress(OSError, ValueError):
        append_line(log_path(home), line.encode("utf-8", "surrogateescape"))
