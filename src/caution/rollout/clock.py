"""The real clock for `caution canary run`; tests pass a fake one (rollout/canary_run.Clock)."""

from __future__ import annotations

import time


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
