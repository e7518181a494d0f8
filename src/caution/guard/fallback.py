"""The hook's slow path, when no resident guard answered (in time, or with the right
mac): judge the action in this process under an alarm set for the hook's deadline, then
start a resident guard for the next call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from caution.guard.hook import DeadlineError, runtime_dir, socket_path
from caution.guard.local import judge
from caution.guard.userfiles import make_key


def _alarm(_signum: int, _frame: object) -> None:
    raise DeadlineError


def _timer(seconds: float) -> bool:
    """An alarm in `seconds` that raises DeadlineError (0 cancels it). False where there
    are none (not the main thread, not POSIX): the judge's own deadline still holds."""
    try:
        if seconds:
            signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    except (AttributeError, ValueError, OSError):
        return False
    return True


def judge_here(
    agent: str, payload: bytes, start: str, home: str, end: float
) -> tuple[str, str, int]:
    """`end` is the hook's deadline (time.monotonic)."""
    import time

    armed = _timer(max(0.001, end - time.monotonic()))
    try:
        result = judge(agent, payload, start, home, end - 0.05)
    finally:
        if armed:
            _timer(0)
    if not os.environ.get("CAUTION_GUARD_NO_DAEMON"):
        start_daemon(home)
    return result


def start_daemon(home: str | None = None) -> None:
    """Start a resident guard for the next calls — only when there is a key to
    authenticate its answers: without one it would exit at once, and every call would
    start another."""
    if make_key(home) is None:
        return
    folder = Path(runtime_dir())
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            return
        subprocess.Popen(
            [sys.executable, "-m", "caution.guard.daemon", socket_path()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        pass
