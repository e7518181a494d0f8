"""Running a hook command as an agent does: through `/bin/sh -c`, in a working directory,
with the agent's environment and the payload on stdin; timed."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HookRun:
    code: int  # -1: no answer within the timeout
    stdout: str
    stderr: str
    ms: float


def run_hook(
    command: str, payload: bytes, cwd: Path, env: dict[str, str], timeout: float
) -> HookRun:
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            ["/bin/sh", "-c", command],
            input=payload,
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return HookRun(-1, "", f"no answer within {timeout:g} s", timeout * 1000)
    except OSError as exc:
        return HookRun(127, "", f"cannot start /bin/sh: {exc.strerror}", 0.0)
    elapsed = (time.perf_counter() - started) * 1000
    return HookRun(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        elapsed,
    )
