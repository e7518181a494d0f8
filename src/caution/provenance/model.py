"""What provenance says about a change: levels, evidence, line counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from caution.git.model import Commit


class Level(StrEnum):
    """How far AI was involved in a change, from least to most known-AI.

    `unknown` sits above `human` on purpose: missing evidence is not evidence
    that a human wrote the change.
    """

    HUMAN = "human"
    UNKNOWN = "unknown"
    ASSISTED = "assisted"
    AUTONOMOUS = "autonomous"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.HUMAN: 0, Level.UNKNOWN: 1, Level.ASSISTED: 2, Level.AUTONOMOUS: 3}


def most_involved(levels: list[Level]) -> Level:
    """The most AI-involved level of several (autonomous > assisted > unknown > human)."""
    return max(levels, key=lambda level: level.rank, default=Level.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation that a tool was (or may have been) involved, and where it was seen."""

    kind: str  # identity | trailer | footer | note | trace | message
    tool: str
    detail: str
    confidence: str  # high | medium | low
    marker: str  # the marker id or line-level source that produced it
    implies: Level | None  # None: evidence only, never raises the level


@dataclass(frozen=True, slots=True)
class LineCounts:
    """Added lines by origin; `ai`/`human`/`unknown` are None without line-level records."""

    added: int | None
    ai: int | None = None
    human: int | None = None
    unknown: int | None = None
    trusted: bool = False  # the record's source may say lines are not AI (policy's trust)


@dataclass(frozen=True, slots=True)
class CommitProvenance:
    commit: Commit
    level: Level
    tools: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    lines: LineCounts


@dataclass(frozen=True, slots=True)
class RangeProvenance:
    range: str
    commits: tuple[CommitProvenance, ...]
    level: Level = Level.UNKNOWN
    tools: tuple[str, ...] = ()
    by_level: dict[str, int] = field(default_factory=dict)


def summarize(spec: str, commits: list[CommitProvenance]) -> RangeProvenance:
    """The range's level is its most AI-involved commit's; tools in first-seen order."""
    tools: list[str] = []
    by_level: dict[str, int] = {}
    for item in commits:
        by_level[item.level.value] = by_level.get(item.level.value, 0) + 1
        tools.extend(tool for tool in item.tools if tool not in tools)
    level = most_involved([c.level for c in commits]) if commits else Level.UNKNOWN
    return RangeProvenance(spec, tuple(commits), level, tuple(tools), by_level)
