"""Agent Trace records (agent-trace.dev, spec v0.1.0), one JSON record per line.

A record names a VCS revision, files, and per conversation a contributor
(`human`, `ai`, `mixed`, `unknown`) with line ranges; a range may override the
conversation's contributor. The reference implementation appends records to
`.agent-trace/traces.jsonl` with `vcs.revision` set to HEAD *before* the edit
was committed, so a record applies to the commit whose parent it names (or to
the commit itself, for writers that record after committing). `mixed`
(human-edited AI output) counts as AI. Format: cursor/agent-trace README
(CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from caution import json_file
from caution.provenance.lines import AI, HUMAN, UNKNOWN, LineAttribution, Span

_ORIGINS = {"ai": AI, "mixed": AI, "human": HUMAN, "unknown": UNKNOWN}


@dataclass(frozen=True, slots=True)
class TraceRecord:
    revision: str
    timestamp: str
    tool: str
    files: dict[str, tuple[Span, ...]]


@dataclass(frozen=True, slots=True)
class TraceFile:
    records: tuple[TraceRecord, ...]
    skipped_lines: int
    # records by the revision they name: each commit looks up its own, not every record
    by_revision: dict[str, list[tuple[int, TraceRecord]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[tuple[int, TraceRecord]]] = {}
        for position, record in enumerate(self.records):
            index.setdefault(record.revision, []).append((position, record))
        object.__setattr__(self, "by_revision", index)

    def for_commit(
        self, sha: str, parents: tuple[str, ...], paths: frozenset[str] | None = None
    ) -> list[TraceRecord]:
        """Records for the commit `sha`: those naming it or its first parent (the
        reference implementation records HEAD before the edit is committed) and, when
        `paths` is given, describing a file the commit changed — so a record naming
        a parent does not also attach to that parent's own, unrelated commit."""
        found = sorted(
            (entry for rev in {sha, *parents[:1]} for entry in self.by_revision.get(rev, ())),
            key=lambda entry: entry[0],  # file order: later records win overlaps
        )
        return [r for _, r in found if paths is None or not paths.isdisjoint(r.files)]


def _contributor(value: Any, fallback: str) -> str:
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return _ORIGINS.get(value["type"], UNKNOWN)
    return fallback


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _record(data: Any, resolve_tool: Callable[[str], str | None]) -> TraceRecord | None:
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    vcs = data.get("vcs")
    revision = vcs.get("revision") if isinstance(vcs, dict) else None
    tool_info = data.get("tool")
    tool_name = tool_info.get("name") if isinstance(tool_info, dict) else None
    tool = (resolve_tool(tool_name) if isinstance(tool_name, str) else None) or "other"
    files: dict[str, list[Span]] = {}
    for entry in data["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        conversations = entry.get("conversations")
        for conversation in conversations if isinstance(conversations, list) else []:
            if not isinstance(conversation, dict):
                continue
            base = _contributor(conversation.get("contributor"), UNKNOWN)
            ranges = conversation.get("ranges")
            for item in ranges if isinstance(ranges, list) else []:
                if not isinstance(item, dict):
                    continue
                start, end = _line(item.get("start_line")), _line(item.get("end_line"))
                if start is None or end is None or end < start:
                    continue
                origin = _contributor(item.get("contributor"), base)
                who = str(conversation.get("url") or tool_name or "agent-trace")
                span = Span(start, end, origin, tool if origin == AI else None, who)
                files.setdefault(entry["path"], []).append(span)
    return TraceRecord(
        revision=revision if isinstance(revision, str) else "",
        timestamp=str(data.get("timestamp", "")),
        tool=tool,
        files={path: tuple(spans) for path, spans in files.items()},
    )


def parse_traces(text: str, resolve_tool: Callable[[str], str | None]) -> TraceFile:
    """Parse a traces.jsonl file; unreadable lines are counted, not fatal."""
    records = []
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = _record(json_file.loads(line), resolve_tool)
        except ValueError:  # json_file's errors, deep nesting included, are ValueErrors
            record = None
        if record is None:
            skipped += 1
        else:
            records.append(record)
    records.sort(key=lambda r: r.timestamp)
    return TraceFile(tuple(records), skipped)


def attribution(records: list[TraceRecord]) -> LineAttribution | None:
    """The records of one commit merged in time order (later records win)."""
    if not records:
        return None
    files: dict[str, list[Span]] = {}
    for record in records:
        for path, spans in record.files.items():
            files.setdefault(path, []).extend(spans)
    detail = f"Agent Trace: {len(records)} record{'s' if len(records) != 1 else ''}"
    return LineAttribution("trace", detail, {p: tuple(s) for p, s in files.items()})
