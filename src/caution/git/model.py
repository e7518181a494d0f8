"""Typed records of what git knows about a commit.

Plain frozen values, so every capability can be tested with literal inputs and
nothing downstream has to know how the records were read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from caution.git.trailers import Trailers


@dataclass(frozen=True, slots=True)
class Person:
    """An author or committer as git recorded them (name, email, time with its zone)."""

    name: str
    email: str
    time: datetime


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of a commit's diff against its first parent.

    `added`/`deleted` are None when git could not count them: binary files, or
    blobs missing from a partial clone. `old_path` is set for renames and copies.
    """

    path: str
    added: int | None
    deleted: int | None
    old_path: str | None = None
    binary: bool = False

    @property
    def is_rename(self) -> bool:
        return self.old_path is not None and self.old_path != self.path


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit with its diff summary.

    `stats_complete` is False when git could not produce line counts for the
    commit (a blob was missing); its files are then listed with None counts.
    """

    sha: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str
    trailers: Trailers = field(default_factory=lambda: Trailers(()))
    files: tuple[FileChange, ...] = ()
    stats_complete: bool = True

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def lines_added(self) -> int | None:
        """Lines added over all text files, or None when any count is unknown."""
        total = 0
        for change in self.files:
            if change.added is None:
                if change.binary:
                    continue
                return None
            total += change.added
        return total
