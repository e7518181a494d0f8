"""The catalogue of AI tool markers, loaded from `caution/data/markers.toml`.

Markers are data so that adding a tool, or a new way a tool signs its work, is
an edit to one file with its source next to it, not a code change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from caution.provenance.model import Level

MATCH_KINDS = frozenset(
    {"identity", "coauthor", "trailer", "tool-trailer", "footer", "subject", "mention", "note"}
)
EVIDENCE_KINDS = frozenset({"identity", "trailer", "footer", "note", "trace", "message"})
CONFIDENCES = ("high", "medium", "low")
_WHOLE_VALUE = frozenset({"identity", "coauthor"})


class MarkerError(ValueError):
    """The marker catalogue is malformed."""


@dataclass(frozen=True, slots=True)
class Marker:
    id: str
    tool: str
    kind: str
    match: str
    pattern: str
    level: Level | None
    confidence: str
    description: str
    source: str
    key: str = ""
    name_pattern: str = ""
    allow_unknown: bool = False
    regex: re.Pattern[str] | None = None
    name_regex: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class MarkerCatalog:
    markers: tuple[Marker, ...]
    tools: dict[str, str]
    aliases: dict[str, str]
    _by_match: dict[str, tuple[Marker, ...]] = field(default_factory=dict, repr=False)
    _any: dict[str, re.Pattern[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for match in MATCH_KINDS:
            chosen = tuple(m for m in self.markers if m.match == match)
            self._by_match[match] = chosen
            patterns = [p for m in chosen for p in (m.pattern, m.name_pattern) if p]
            if chosen and match != "note":
                # A superset of what the markers match, with the same case rules.
                joined = "|".join(f"(?:{p})" for p in patterns)
                flags = 0 if match in ("footer", "subject") else re.IGNORECASE
                self._any[match] = re.compile(joined, flags)

    def by_match(self, match: str) -> tuple[Marker, ...]:
        return self._by_match.get(match, ())

    def may_match(self, match: str, *texts: str) -> bool:
        """A cheap first look: False means no marker of this kind can match `texts`.

        One combined regex instead of one call per marker keeps classifying a
        long history cheap; the markers are then run one by one on the hits.
        Identity and co-author patterns are whole-value patterns (fullmatch).
        """
        combined = self._any.get(match)
        if combined is None:
            return True
        if match in _WHOLE_VALUE:
            return any(combined.fullmatch(text) is not None for text in texts)
        return any(combined.search(text) is not None for text in texts)

    def resolve_tool(self, name: str) -> str | None:
        """The canonical id of a tool named in free text (`Claude`, `github-copilot`), or None."""
        key = re.sub(r"[\s_]+", "-", name.strip().lower())
        if key in self.tools and key != "other":
            return key
        return self.aliases.get(key)


def _compile(marker_id: str, pattern: str, flags: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise MarkerError(f"marker {marker_id}: bad pattern {pattern!r}: {exc}") from exc


def _marker(entry: dict[str, Any], tools: dict[str, str]) -> Marker:
    marker_id = str(entry.get("id", "?"))
    for name in ("id", "tool", "kind", "match", "level", "confidence", "source"):
        if not entry.get(name):
            raise MarkerError(f"marker {marker_id}: missing {name!r}")
    if entry["tool"] not in tools:
        raise MarkerError(f"marker {marker_id}: unknown tool {entry['tool']!r}")
    if entry["match"] not in MATCH_KINDS:
        raise MarkerError(f"marker {marker_id}: unknown match {entry['match']!r}")
    if entry["kind"] not in EVIDENCE_KINDS:
        raise MarkerError(f"marker {marker_id}: unknown kind {entry['kind']!r}")
    if entry["confidence"] not in CONFIDENCES:
        raise MarkerError(f"marker {marker_id}: unknown confidence {entry['confidence']!r}")
    level = None if entry["level"] == "none" else Level(entry["level"])
    pattern = str(entry.get("pattern", ""))
    name_pattern = str(entry.get("name_pattern", ""))
    match = entry["match"]
    flags = re.IGNORECASE if match in ("identity", "coauthor", "trailer", "mention") else 0
    if match in ("trailer", "tool-trailer") and not entry.get("key"):
        raise MarkerError(f"marker {marker_id}: a {match} marker needs a 'key'")
    if not pattern and not name_pattern and match != "tool-trailer":
        raise MarkerError(f"marker {marker_id}: needs a 'pattern'")
    return Marker(
        id=marker_id,
        tool=entry["tool"],
        kind=entry["kind"],
        match=match,
        pattern=pattern,
        level=level,
        confidence=entry["confidence"],
        description=str(entry.get("description", "")),
        source=entry["source"],
        key=str(entry.get("key", "")),
        name_pattern=name_pattern,
        allow_unknown=bool(entry.get("allow_unknown", False)),
        regex=_compile(marker_id, pattern, flags) if pattern and match != "note" else None,
        name_regex=_compile(marker_id, name_pattern, 0) if name_pattern else None,
    )


def parse_catalog(data: dict[str, Any]) -> MarkerCatalog:
    tools = {str(k): str(v) for k, v in data.get("tools", {}).items()}
    aliases = {str(k): str(v) for k, v in data.get("aliases", {}).items()}
    for alias, tool in aliases.items():
        if tool not in tools:
            raise MarkerError(f"alias {alias!r} names unknown tool {tool!r}")
    markers = tuple(_marker(entry, tools) for entry in data.get("marker", []))
    ids = [m.id for m in markers]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise MarkerError(f"duplicate marker ids: {', '.join(duplicates)}")
    return MarkerCatalog(markers, tools, aliases)


@cache
def default_catalog() -> MarkerCatalog:
    """The built-in catalogue, read once per process."""
    text = resources.files("caution.data").joinpath("markers.toml").read_text("utf-8")
    return parse_catalog(tomllib.loads(text))
