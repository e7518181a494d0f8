"""Line-level attribution: which lines of which files an AI or a known human wrote.

Both git-ai notes and Agent Trace records reduce to spans per file, where a
later span wins over an earlier one that it overlaps (the rule both formats
use). Counting works on intervals, so a hostile `1-999999999` costs nothing.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

AI = "ai"
HUMAN = "human"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Span:
    """Lines `start`..`end` (1-based, inclusive) of a file, and who wrote them."""

    start: int
    end: int
    origin: str  # ai | human | unknown
    tool: str | None  # canonical tool id for AI spans
    who: str  # the record's key or contributor, for explanations


@dataclass(frozen=True, slots=True)
class LineAttribution:
    """The line-level record for one commit, from one source (`note` or `trace`)."""

    source: str
    detail: str
    files: dict[str, tuple[Span, ...]]

    def span_at(self, path: str, line: int) -> Span | None:
        """The span that decides `line` of `path`: the last one covering it."""
        for span in reversed(self.files.get(path, ())):
            if span.start <= line <= span.end:
                return span
        return None

    def counts(self) -> dict[str, int]:
        totals = {AI: 0, HUMAN: 0, UNKNOWN: 0}
        for spans in self.files.values():
            for origin, count in _count(spans).items():
                totals[origin] += count
        return totals

    def ai_tools(self) -> list[str]:
        tools: list[str] = []
        for spans in self.files.values():
            for span in spans:
                if span.origin == AI and span.tool and span.tool not in tools:
                    tools.append(span.tool)
        return tools


def _count(spans: tuple[Span, ...]) -> dict[str, int]:
    """Lines per origin, where a later span wins over an earlier one it overlaps. A sweep
    over the spans' ends with a heap of the spans in force (the latest on top): n log n,
    so a record of 80,000 ranges costs what its size does, not its square."""
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for index, span in enumerate(spans):
        starts.setdefault(span.start, []).append(index)
        ends.setdefault(span.end + 1, []).append(index)
    positions = sorted(starts.keys() | ends.keys())
    counts: dict[str, int] = {}
    active: list[int] = []  # negated indices: the latest span first
    ended: set[int] = set()
    for number, position in enumerate(positions):
        ended.update(ends.get(position, ()))
        for index in starts.get(position, ()):
            heapq.heappush(active, -index)
        while active and -active[0] in ended:
            heapq.heappop(active)
        if active and number + 1 < len(positions):
            origin = spans[-active[0]].origin
            counts[origin] = counts.get(origin, 0) + positions[number + 1] - position
    return counts


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """`1-4,9,12-14` → [(1, 4), (9, 9), (12, 14)]; malformed parts are skipped."""
    ranges = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, sep, last = part.partition("-")
        if not first.isdigit() or (sep and not last.isdigit()):
            continue
        start = int(first)
        end = int(last) if sep else start
        if 1 <= start <= end:
            ranges.append((start, end))
    return ranges
