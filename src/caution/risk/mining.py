"""Kamei's 14 change metrics mined from history in one pass, oldest commit first. Pure:
Commit records in, one ChangeMetrics per non-merge commit out.

Definitions (Kamei et al., "A Large-Scale Empirical Study of Just-in-Time Quality
Assurance", TSE 2013), as computed here:
- NS: subsystems touched (a file's top-level folder; files at the root form one).
- ND: folders touched. NF: files touched (renames count once, under the new path).
- Entropy: -Σ p_i log2 p_i with p_i the share of the change's modified lines (added +
  deleted) in file i; 0 for one file or no modified lines.
- LA, LD: lines added and deleted (binary files and unknown counts add nothing).
- LT: lines in the touched files before the change, from running counts (each commit adds
  LA − LD to its files; a rename carries the count over) — no blob is read.
- FIX: 1 when the message looks like a fix (keywords or an issue reference).
- NDEV: distinct authors (by email) who changed the touched files before.
- AGE: mean days since each touched file was last changed (0 for new files).
- NUC: distinct earlier commits that changed the touched files.
- EXP: the author's earlier commits. REXP: Σ 1 / (1 + years since each of them).
  SEXP: the author's earlier commits in the subsystems this change touches.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from caution.git.model import Commit
from caution.risk.settings import DEFAULT_FIX_PATTERN

FIX_PATTERN = re.compile(DEFAULT_FIX_PATTERN)
_YEAR = 365.25 * 86400


@dataclass(frozen=True)
class ChangeMetrics:
    sha: str
    time: float
    values: dict[str, float]


@dataclass
class _File:
    loc: int = 0
    last_time: float | None = None
    authors: set[str] = field(default_factory=set)
    commits: set[int] = field(default_factory=set)


def _subsystem(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


class Miner:
    """The running state of one pass over history, oldest commit first. It can be saved
    and resumed, so a second run only feeds the commits that are new."""

    def __init__(self, fix_pattern: re.Pattern[str] = FIX_PATTERN) -> None:
        self.fix_pattern = fix_pattern
        self.files: dict[str, _File] = {}
        self.author_times: dict[str, list[float]] = {}
        self.author_subsystems: dict[tuple[str, str], int] = {}
        self.fed = 0  # commits seen so far: NUC counts them by this index

    def feed(self, commit: Commit) -> ChangeMetrics | None:
        """The metrics of `commit` (None for a merge), then fold it into the state."""
        index, self.fed = self.fed, self.fed + 1
        if commit.is_merge:
            return None
        files = self.files
        now = commit.author.time.timestamp()
        author = commit.author.email.lower()
        paths = [c.path for c in commit.files]
        subsystems = {_subsystem(p) for p in paths}
        churn = [(c.added or 0) + (c.deleted or 0) for c in commit.files]
        total = sum(churn)
        entropy = -sum((n / total) * math.log2(n / total) for n in churn if n) if total else 0.0
        states = []
        for change in commit.files:
            state = files.get(change.path)
            if change.old_path and change.old_path != change.path and change.old_path in files:
                state = files.pop(change.old_path)
                files[change.path] = state
            states.append(state)
        known = [s for s in states if s is not None]
        ages = [max(now - s.last_time, 0) / 86400 for s in known if s.last_time is not None]
        previous = self.author_times.get(author, [])
        values = {
            "ns": float(len(subsystems)),
            "nd": float(len({posixpath.dirname(p) for p in paths})),
            "nf": float(len(paths)),
            "entropy": entropy,
            "la": float(sum(c.added or 0 for c in commit.files)),
            "ld": float(sum(c.deleted or 0 for c in commit.files)),
            "lt": float(sum(s.loc for s in known)),
            "fix": 1.0 if self.fix_pattern.search(commit.message) else 0.0,
            "ndev": float(len(set().union(*(s.authors for s in known)))) if known else 0.0,
            "age": sum(ages) / len(ages) if ages else 0.0,
            "nuc": float(len(set().union(*(s.commits for s in known)))) if known else 0.0,
            "exp": float(len(previous)),
            "rexp": float(sum(1 / (1 + max(now - t, 0) / _YEAR) for t in previous)),
            "sexp": float(sum(self.author_subsystems.get((author, s), 0) for s in subsystems)),
        }
        for change, state in zip(commit.files, states, strict=True):
            if state is None:
                state = files.setdefault(change.path, _File())
            state.loc = max(0, state.loc + (change.added or 0) - (change.deleted or 0))
            state.last_time = now
            state.authors.add(author)
            state.commits.add(index)
        self.author_times.setdefault(author, []).append(now)
        for subsystem in subsystems:
            key = (author, subsystem)
            self.author_subsystems[key] = self.author_subsystems.get(key, 0) + 1
        return ChangeMetrics(commit.sha, now, values)

    def to_json(self) -> dict[str, Any]:
        return {
            "fed": self.fed,
            "files": {
                path: [f.loc, f.last_time, sorted(f.authors), sorted(f.commits)]
                for path, f in self.files.items()
            },
            "author_times": self.author_times,
            "author_subsystems": [[a, s, n] for (a, s), n in self.author_subsystems.items()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], fix_pattern: re.Pattern[str] = FIX_PATTERN) -> Miner:
        """The inverse of to_json; raises KeyError, TypeError or ValueError on bad data."""
        miner = cls(fix_pattern)
        miner.fed = int(data["fed"])
        for path, (loc, last_time, authors, commits) in dict(data["files"]).items():
            miner.files[str(path)] = _File(
                int(loc),
                None if last_time is None else float(last_time),
                {str(a) for a in authors},
                {int(c) for c in commits},
            )
        miner.author_times = {
            str(a): [float(t) for t in times] for a, times in dict(data["author_times"]).items()
        }
        miner.author_subsystems = {
            (str(a), str(s)): int(n) for a, s, n in data["author_subsystems"]
        }
        return miner


def mine(
    commits: Iterable[Commit], fix_pattern: re.Pattern[str] = FIX_PATTERN
) -> Iterator[ChangeMetrics]:
    """Metrics for each non-merge commit of `commits`, which must come oldest first."""
    miner = Miner(fix_pattern)
    for commit in commits:
        found = miner.feed(commit)
        if found is not None:
            yield found
