"""Deciding a commit's provenance from its markers and line-level records.

Pure: a Commit, the marker catalogue and whatever line-level record exists go
in; a level, tools, evidence and line counts come out.

Levels:
- autonomous: the author is an agent identity, or the tool declares an agent
  author (`Replit-Commit-Author: Agent`);
- assisted: any AI marker with a human author (co-author trailer, footer,
  tool trailer, an agent committer, AI lines in a line-level record);
- human: a line-level record attributes every added line to known humans, and that
  record's source is one the policy trusts for such claims (`trusted_human`): a change can
  commit Agent Trace records, and anyone can write git notes, so by default a claim of
  "human" lowers nothing and the commit stays unknown;
- unknown: anything else. A bare mention of a tool is evidence only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import replace

from caution.git.model import Commit
from caution.provenance.lines import AI, HUMAN, LineAttribution
from caution.provenance.markers import Marker, MarkerCatalog
from caution.provenance.model import CommitProvenance, Evidence, Level, LineCounts

_AGENT_MODEL = re.compile(r"^\s*(?P<agent>[A-Za-z][A-Za-z0-9._-]*)\s*:\s*(?P<model>\S+)")
_CO_AUTHOR = "co-authored-by"


def _email_of(value: str) -> str:
    """The address of `Name <email>`: found from the right, in one pass (a regular
    expression here backtracked quadratically on a trailer of many spaces)."""
    text = value.rstrip()
    if not text.endswith(">"):
        return ""
    start = text.rfind("<")
    email = text[start + 1 : -1] if start >= 0 else ""
    return "" if start < 0 or "<" in email or ">" in email else email.strip().lower()


def _evidence(marker: Marker, detail: str, implies: Level | None, tool: str = "") -> Evidence:
    return Evidence(
        kind=marker.kind,
        tool=tool or marker.tool,
        detail=detail,
        confidence=marker.confidence,
        marker=marker.id,
        implies=implies,
    )


def _identity(commit: Commit, catalog: MarkerCatalog) -> Iterable[Evidence]:
    people = (("author", commit.author), ("committer", commit.committer))
    author, committer = commit.author, commit.committer
    if not catalog.may_match(
        "identity", author.email, committer.email, author.name, committer.name
    ):
        return
    for marker in catalog.by_match("identity"):
        for role, person in people:
            email = person.email.strip().lower()
            hit = (marker.regex is not None and email and marker.regex.fullmatch(email)) or (
                marker.name_regex is not None and marker.name_regex.fullmatch(person.name)
            )
            if not hit:
                continue
            implies = marker.level if role == "author" else Level.ASSISTED
            detail = f"{role} {person.name} <{person.email}>"
            yield _evidence(marker, detail, implies)
            break  # the author decides; the committer only matters without it


def _trailers(commit: Commit, catalog: MarkerCatalog) -> Iterable[Evidence]:
    coauthors = [
        (f"{t.key}: {t.value}", _email_of(t.value))
        for t in commit.trailers
        if t.key.lower() == _CO_AUTHOR
    ]
    if not catalog.may_match("coauthor", *(email for _, email in coauthors)):
        coauthors = []
    for marker in catalog.by_match("coauthor"):
        for line, email in coauthors:
            if email and marker.regex is not None and marker.regex.fullmatch(email):
                yield _evidence(marker, line, marker.level)
    if len(commit.trailers) == 0:
        return
    values: dict[str, list[str]] = {}
    for trailer in commit.trailers:
        values.setdefault(trailer.key.lower(), []).append(trailer.value)
    for marker in catalog.by_match("trailer"):
        for value in values.get(marker.key.lower(), ()):
            if marker.regex is not None and marker.regex.search(value):
                yield _evidence(marker, f"{marker.key}: {value}", marker.level)
    for marker in catalog.by_match("tool-trailer"):
        for value in values.get(marker.key.lower(), ()):
            tool = _tool_in_value(value, catalog, allow_unknown=marker.allow_unknown)
            if tool is not None:
                yield _evidence(marker, f"{marker.key}: {value}", marker.level, tool)


def _tool_in_value(value: str, catalog: MarkerCatalog, *, allow_unknown: bool) -> str | None:
    """The tool an `Assisted-by:`-style value names, or None for a person's name.

    An unlisted `AGENT:MODEL` is `other` where the marker allows it.
    """
    shaped = _AGENT_MODEL.match(value)
    first = shaped.group("agent") if shaped else value.strip().split(" ", 1)[0]
    tool = catalog.resolve_tool(first) if first else None
    if tool is not None:
        return tool
    return "other" if shaped and allow_unknown else None


def _body_lines(commit: Commit) -> list[str]:
    """Message lines after the subject, without trailer lines (those are matched as trailers)."""
    keys = {t.key.lower() for t in commit.trailers}
    lines = commit.message.split("\n")[1:]
    if not keys:
        return lines
    return [line for line in lines if line.split(":", 1)[0].strip().lower() not in keys]


def _message(commit: Commit, catalog: MarkerCatalog) -> Iterable[Evidence]:
    lines = _body_lines(commit) if catalog.may_match("footer", commit.message) else []
    claimed: set[int] = set()
    footers = sorted(catalog.by_match("footer"), key=lambda m: m.tool == "other")
    for marker in footers:
        for index, line in enumerate(lines):
            if index in claimed or marker.regex is None:
                continue
            found = marker.regex.search(line)
            if found:
                claimed.add(index)
                yield _evidence(marker, line.strip()[:200], marker.level)
    for marker in catalog.by_match("subject"):
        if marker.regex is not None and marker.regex.match(commit.subject):
            yield _evidence(marker, f"subject: {commit.subject[:200]}", marker.level)


def _mentions(commit: Commit, catalog: MarkerCatalog) -> Iterable[Evidence]:
    for marker in catalog.by_match("mention"):
        if marker.regex is None:
            continue
        for found in marker.regex.finditer(commit.message):
            word = found.group(0)
            tool = catalog.resolve_tool(word) or marker.tool
            yield _evidence(marker, f"message mentions {word!r}", None, tool)
            break


def _notes(notes_present: Iterable[str], catalog: MarkerCatalog) -> Iterable[Evidence]:
    present = set(notes_present)
    for marker in catalog.by_match("note"):
        if marker.pattern in present:
            yield _evidence(marker, f"note under {marker.pattern}", marker.level)


def _line_counts(added: int | None, record: LineAttribution | None) -> LineCounts:
    if record is None:
        return LineCounts(added=added)
    counts = record.counts()
    ai, human = counts[AI], counts[HUMAN]
    if added is None:
        return LineCounts(added=None, ai=ai, human=human, unknown=None)
    ai = min(ai, added)
    human = min(human, added - ai)
    return LineCounts(added=added, ai=ai, human=human, unknown=added - ai - human)


def _line_evidence(record: LineAttribution, lines: LineCounts) -> list[Evidence]:
    if not lines.ai:
        return []
    tools = record.ai_tools() or ["other"]
    return [
        Evidence(
            kind=record.source,
            tool=tool,
            detail=f"{record.detail}: {lines.ai} of {lines.added} added lines by AI",
            confidence="high",
            marker=f"line-level.{record.source}",
            implies=Level.ASSISTED,
        )
        for tool in tools
    ]


SOURCE_NAMES = {"note": "git-ai", "trace": "agent-trace"}  # how policies name record sources


def classify_commit(
    commit: Commit,
    catalog: MarkerCatalog,
    *,
    record: LineAttribution | None = None,
    notes_present: Iterable[str] = (),
    trusted_human: Collection[str] = (),
) -> CommitProvenance:
    evidence = [
        *_identity(commit, catalog),
        *_trailers(commit, catalog),
        *_message(commit, catalog),
        *_notes(notes_present, catalog),
    ]
    lines = _line_counts(commit.lines_added, record)
    if record is not None and SOURCE_NAMES.get(record.source, record.source) in trusted_human:
        lines = replace(lines, trusted=True)
    if record is not None:
        evidence.extend(_line_evidence(record, lines))

    if not any(e.implies is not None for e in evidence):
        evidence.extend(_mentions(commit, catalog))  # only worth showing when nothing else is

    implied = {e.implies for e in evidence if e.implies is not None}
    if Level.AUTONOMOUS in implied:
        level = Level.AUTONOMOUS
    elif Level.ASSISTED in implied:
        level = Level.ASSISTED
    elif lines.added and lines.human == lines.added and not lines.ai and record is not None:
        source = SOURCE_NAMES.get(record.source, record.source)
        if source in trusted_human:
            level = Level.HUMAN
        else:
            level = Level.UNKNOWN
            evidence.append(
                Evidence(
                    kind=record.source,
                    tool="",
                    detail=f"{record.detail}: every added line claimed human, but {source} is "
                    "not trusted for that (provenance.trust_human_claims_from)",
                    confidence="low",
                    marker=f"line-level.{record.source}.untrusted-human",
                    implies=None,
                )
            )
    else:
        level = Level.UNKNOWN

    tools: list[str] = []
    for item in evidence:
        if item.implies is not None and item.tool not in tools:
            tools.append(item.tool)
    return CommitProvenance(commit, level, tuple(tools), tuple(evidence), lines)


def ai_identity(name: str, email: str, catalog: MarkerCatalog) -> str | None:
    """The tool whose identity `name <email>` is, or None for anyone else.

    Used to keep AI identities from counting as approvers or reviewers.
    """
    lowered = email.strip().lower()
    if not catalog.may_match("identity", lowered, name):
        return None
    for marker in catalog.by_match("identity"):
        if (marker.regex is not None and lowered and marker.regex.fullmatch(lowered)) or (
            marker.name_regex is not None and marker.name_regex.fullmatch(name)
        ):
            return marker.tool
    return None
