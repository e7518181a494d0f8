"""Options shared by every command, set by the top-level callback."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from caution.cli.errors import CautionError
from caution.git.repo import find_root

# unix seconds --now accepts: from 1970 to the year 3000, so that windows of days and years
# around it stay dates (NaN or 1e300 are no time at all)
LATEST_NOW = 32_503_680_000.0


def unix_time(value: float | None, default: float) -> float:
    """`--now` as given, or `default` (the clock's reading) when absent."""
    if value is None:
        return default
    if not 0 <= value <= LATEST_NOW:  # False for NaN too
        raise CautionError(f"--now {value}: expected unix seconds from 0 to {LATEST_NOW:.0f}")
    return value


class Format(StrEnum):
    text = "text"
    json = "json"


@dataclass
class State:
    repo: str = "."
    debug: bool = False

    def repository(self) -> Path:
        return find_root(Path(self.repo).resolve())


state = State()
