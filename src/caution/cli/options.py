"""Options shared by every command, set by the top-level callback."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from caution.git.repo import find_root


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
