"""Line-level attribution: which lines of which files an AI or a known human wrote.

Both git-ai notes and Agent Trace records reduce to spans per file, where a
later span wins over an earlier one that it overlaps (the rule both formats
use). Counting works on intervals, so a hostile `1-999999999` costs nothing.
"""

from __future__ import annotations

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
    counts: dict[str, int] = {}
    covered: list[tuple[int, int]] = []  # disjoint, sorted
    for span in reversed(spans):
        fresh = _subtract((span.start, span.end), covered)
        counts[span.origin] = counts.get(span.origin, 0) + sum(b - a + 1 for a, b in fresh)
        covered = _merge(covered + fresh)
    return counts


def _subtract(interval: tuple[int, int], covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    start, end = interval
    pieces = []
    for a, b in covered:
        if b < start or a > end:
            continue
        if a > start:
            pieces.append((start, a - 1))
        start = max(start, b + 1)
        if start > end:
            return pieces
    if start <= end:
        pieces.append((start, end))
    return pieces


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


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
