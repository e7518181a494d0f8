"""git-ai authorship notes (`refs/notes/ai`, schema `authorship/3.0.0`).

A note is an attestation section, a line `---`, then JSON metadata:

    src/main.rs
      s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
      h_31dce776f88375 42-50
    ---
    {"schema_version": "authorship/3.0.0", "prompts": {}, "sessions": {...}, "humans": {...}}

Keys: `s_<hex>::t_<hex>` an AI session (looked up in `sessions` by the part
before `::`), `h_<hex>` a known human (`humans`), a bare hex key a legacy AI
prompt (`prompts`). Lines under no key are untracked: unknown, not human. Line
numbers are 1-based in the file as of the noted commit; a later entry wins where
ranges overlap. Format: git-ai-project/git-ai specs/git_ai_standard_v3.0.0.md
and src/authorship/authorship_log_serialization.rs (Apache-2.0).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caution import json_file
from caution.provenance.lines import AI, HUMAN, UNKNOWN, LineAttribution, Span, parse_ranges

_LEGACY_KEY = re.compile(r"[0-9a-f]{7,64}")


@dataclass(frozen=True, slots=True)
class GitAiNote:
    files: dict[str, list[tuple[str, list[tuple[int, int]]]]]
    metadata: dict[str, Any]
    schema: str


def parse_note(text: str) -> GitAiNote | None:
    """Parse a note; None when it is not a git-ai authorship note at all."""
    lines = text.split("\n")
    try:
        divider = next(i for i, line in enumerate(lines) if line.rstrip("\r") == "---")
    except StopIteration:
        return None
    metadata: dict[str, Any] = {}
    try:
        loaded = json_file.loads("\n".join(lines[divider + 1 :]))
    except ValueError:  # json_file's errors, deep nesting included, are ValueErrors
        loaded = None
    if isinstance(loaded, dict):
        metadata = loaded
    schema = str(metadata.get("schema_version", ""))
    if metadata and not schema.startswith("authorship/"):
        return None

    files: dict[str, list[tuple[str, list[tuple[int, int]]]]] = {}
    current: str | None = None
    for raw in lines[:divider]:
        line = raw.rstrip()
        if not line:
            continue
        if line.startswith("  "):
            if current is None:
                continue
            key, _, ranges = line[2:].partition(" ")
            parsed = parse_ranges(ranges)
            if key and parsed:
                files.setdefault(current, []).append((key, parsed))
        else:
            quoted = len(line) >= 2 and line.startswith('"') and line.endswith('"')
            current = line[1:-1] if quoted else line
    if not files and not metadata:
        return None
    return GitAiNote(files, metadata, schema)


def _section(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    value = metadata.get(name)
    return value if isinstance(value, dict) else {}


def _agent_tool(record: Any) -> str:
    if isinstance(record, dict):
        agent = record.get("agent_id")
        if isinstance(agent, dict) and isinstance(agent.get("tool"), str):
            return str(agent["tool"])
    return ""


def classify_key(
    note: GitAiNote, key: str, resolve_tool: Callable[[str], str | None]
) -> tuple[str, str | None, str]:
    """(origin, tool, who) for an attestation key."""
    if key.startswith("s_"):
        session = key.split("::", 1)[0]
        name = _agent_tool(_section(note.metadata, "sessions").get(session))
        return AI, (resolve_tool(name) if name else None) or "other", name or session
    if key.startswith("h_"):
        human = _section(note.metadata, "humans").get(key.split("::", 1)[0])
        author = human.get("author") if isinstance(human, dict) else None
        return HUMAN, None, str(author) if author else key
    if _LEGACY_KEY.fullmatch(key):
        name = _agent_tool(_section(note.metadata, "prompts").get(key))
        return AI, (resolve_tool(name) if name else None) or "other", name or key
    return UNKNOWN, None, key


def attribution(note: GitAiNote, resolve_tool: Callable[[str], str | None]) -> LineAttribution:
    files: dict[str, tuple[Span, ...]] = {}
    for path, entries in note.files.items():
        spans: list[Span] = []
        for key, ranges in entries:
            origin, tool, who = classify_key(note, key, resolve_tool)
            spans.extend(Span(a, b, origin, tool, who) for a, b in ranges)
        files[path] = tuple(spans)
    version = note.metadata.get("git_ai_version")
    detail = f"git-ai note ({note.schema or 'no schema'}{f', git-ai {version}' if version else ''})"
    return LineAttribution("note", detail, files)
