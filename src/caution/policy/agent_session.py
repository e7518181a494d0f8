"""Is this process running inside a coding agent's session? From the environment markers
in `data/agent-sessions.toml`. `caution approve` refuses to sign there: an agent in its
human's checkout can reach the human's key, and what it signs would read as theirs.

Markers only catch agents that set them; a hardware key that needs a touch
(`roster.require_security_key`) is what no process can get past without a person.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class SessionMarker:
    id: str
    agent: str
    description: str
    all: tuple[str, ...]
    source: str

    def holds(self, env: Mapping[str, str]) -> bool:
        for item in self.all:
            name, sep, value = item.partition("=")
            present = env.get(name)
            if (sep and present != value) or (not sep and not present):
                return False
        return True


def parse_markers(data: Mapping[str, object]) -> tuple[SessionMarker, ...]:
    entries = data.get("session")
    if not isinstance(entries, list):
        raise ValueError("agent-sessions.toml: expected [[session]] entries")
    markers = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("agent-sessions.toml: each session must be a table")
        needed = ("id", "agent", "description", "all", "source")
        missing = [k for k in needed if k not in entry]
        if missing or not entry["all"] or not all(isinstance(x, str) for x in entry["all"]):
            raise ValueError(f"agent-sessions.toml: {entry.get('id', '?')}: incomplete entry")
        markers.append(
            SessionMarker(
                str(entry["id"]),
                str(entry["agent"]),
                str(entry["description"]),
                tuple(entry["all"]),
                str(entry["source"]),
            )
        )
    return tuple(markers)


@functools.cache
def session_markers() -> tuple[SessionMarker, ...]:
    text = resources.files("caution.data").joinpath("agent-sessions.toml").read_text("utf-8")
    return parse_markers(tomllib.loads(text))


def agent_session(env: Mapping[str, str]) -> SessionMarker | None:
    """The first marker `env` shows, or None for what looks like a person's terminal."""
    return next((m for m in session_markers() if m.holds(env)), None)


__all__ = ["SessionMarker", "agent_session", "parse_markers", "session_markers"]
