"""Provenance results as JSON (a stable interface) and as text for people."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from caution.git.blame import UNCOMMITTED
from caution.provenance.blame import BlamedLine
from caution.provenance.model import CommitProvenance, Level, RangeProvenance
from caution.report.safe import plain

LEVEL_STYLE = {
    Level.AUTONOMOUS: "bold red",
    Level.ASSISTED: "yellow",
    Level.UNKNOWN: "dim",
    Level.HUMAN: "green",
}


def commit_to_json(item: CommitProvenance) -> dict[str, Any]:
    commit = item.commit
    return {
        "sha": commit.sha,
        "subject": commit.subject,
        "author": {"name": commit.author.name, "email": commit.author.email},
        "committer": {"name": commit.committer.name, "email": commit.committer.email},
        "time": commit.committer.time.isoformat(),
        "level": item.level.value,
        "tools": list(item.tools),
        "evidence": [
            {
                "kind": e.kind,
                "tool": e.tool,
                "detail": e.detail,
                "confidence": e.confidence,
                "marker": e.marker,
            }
            for e in item.evidence
        ],
        "lines": {
            "added": item.lines.added,
            "ai": item.lines.ai,
            "human": item.lines.human,
            "unknown": item.lines.unknown,
        },
    }


def range_to_json(result: RangeProvenance) -> dict[str, Any]:
    return {
        "range": result.range,
        "commits": [commit_to_json(item) for item in result.commits],
        "summary": {
            "level": result.level.value,
            "tools": list(result.tools),
            "commits": len(result.commits),
            "by_level": dict(result.by_level),
        },
    }


def _lines_text(item: CommitProvenance) -> str:
    lines = item.lines
    if lines.added is None:
        return "?"
    if lines.ai is None:
        return f"+{lines.added}"
    if lines.ai:
        return f"+{lines.added} ({lines.ai} ai)"
    return f"+{lines.added} ({lines.human} human)"


def _level_text(level: Level) -> Text:
    return Text(level.value, style=LEVEL_STYLE[level])


def render_range(result: RangeProvenance, console: Console, *, verbose: bool = False) -> None:
    """A table on a terminal; one tab-separated line per commit in a pipe."""
    if not console.is_terminal:
        for item in result.commits:
            fields = [
                item.commit.sha[:12],
                item.level.value,
                ",".join(item.tools) or "-",
                _lines_text(item),
                plain(f"{item.commit.author.name} <{item.commit.author.email}>"),
                plain(item.commit.subject),
            ]
            console.file.write("\t".join(fields) + "\n")  # rich would expand the tabs
            if verbose:
                for e in item.evidence:
                    console.file.write(f"\t{e.kind}\t{e.tool}\t{e.confidence}\t{plain(e.detail)}\n")
    else:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")

        def widest(values: list[str], header: str) -> int:
            return max([len(header), *(len(v) for v in values)])

        tools = [", ".join(item.tools) or "-" for item in result.commits]
        lines = [_lines_text(item) for item in result.commits]
        levels = [item.level.value for item in result.commits]
        table.add_column("commit", no_wrap=True, min_width=10)
        table.add_column("level", no_wrap=True, min_width=widest(levels, "level"))
        table.add_column("tools", no_wrap=True, min_width=min(widest(tools, "tools"), 24))
        table.add_column("lines", no_wrap=True, justify="right", min_width=widest(lines, "lines"))
        table.add_column("author", no_wrap=True, overflow="ellipsis", min_width=10, max_width=24)
        table.add_column("subject", no_wrap=True, overflow="ellipsis", min_width=16)
        for item in result.commits:
            table.add_row(
                item.commit.sha[:10],
                _level_text(item.level),
                ", ".join(item.tools) or "-",
                _lines_text(item),
                plain(item.commit.author.name),
                plain(item.commit.subject),
            )
            if verbose:
                for e in item.evidence:
                    detail = Text(f"  {e.kind} · {e.confidence} · {plain(e.detail)}", style="dim")
                    table.add_row("", "", e.tool, "", "", detail)
        console.print(table)
    summary = Text(f"{len(result.commits)} commits in {result.range}: ")
    summary.append(result.level.value, style=LEVEL_STYLE[result.level])
    if result.tools:
        summary.append(f" ({', '.join(result.tools)})")
    counts = ", ".join(f"{n} {level}" for level, n in sorted(result.by_level.items()))
    if counts:
        summary.append(f"; {counts}")
    console.print(summary, highlight=False)


def blame_to_json(path: str, rev: str | None, lines: list[BlamedLine]) -> dict[str, Any]:
    return {
        "path": path,
        "rev": rev,
        "lines": [
            {
                "line": item.blame.line,
                "sha": None if item.blame.sha == UNCOMMITTED else item.blame.sha,
                "author": {"name": item.blame.author, "email": item.blame.author_email},
                "level": item.level.value,
                "origin": item.origin,
                "tool": item.tool,
                "basis": item.basis,
                "content": item.blame.content,
            }
            for item in lines
        ],
    }


ORIGIN_STYLE = {"ai": "yellow", "human": "green", "unknown": "dim"}


def render_blame(lines: list[BlamedLine], console: Console) -> None:
    """Aligned and cut to the terminal's width; in a pipe, whole tab-separated lines (so
    `caution blame f.py | grep` sees every character of every line)."""
    width = len(str(len(lines)))
    for item in lines:
        sha = "uncommitted" if item.blame.sha == UNCOMMITTED else item.blame.sha[:10]
        who = item.tool if item.origin == "ai" and item.tool else item.origin
        if not console.is_terminal:
            fields = [sha, item.level.value, who, str(item.blame.line), plain(item.blame.content)]
            console.file.write("\t".join(fields) + "\n")
            continue
        row = Text()
        row.append(f"{sha:<11} ", style="dim")
        row.append(f"{item.level.value:<10} ", style=LEVEL_STYLE[item.level])
        row.append(f"{who:<12} ", style=ORIGIN_STYLE.get(item.origin, ""))
        row.append(f"{item.blame.line:>{width}} ", style="dim")
        row.append(plain(item.blame.content))
        console.print(row, highlight=False, markup=False, no_wrap=True, overflow="ellipsis")
