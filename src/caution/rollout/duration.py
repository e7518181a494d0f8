"""Durations written as Argo Rollouts writes them ("30s", "5m", "1h30m", "250ms").

Argo's `DurationString` is Go's `time.ParseDuration`: one or more decimal numbers, each with a
unit (ns, us, µs, ms, s, m, h), no sign here because a negative interval means nothing. A bare
number is refused, as Go refuses it (except "0"): "30" could be seconds or minutes, and a
canary run that waits 30 minutes instead of 30 seconds is a silent mistake. Days and weeks
(d, w), which Go lacks, are accepted too: freeze windows and staleness are written in them.
This is the project's one duration syntax, for every key that takes one.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, Field

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
_UNITS.update({"h": 3600.0, "d": 86400.0, "w": 604800.0})
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)")


def parse_duration(text: str) -> float:
    """Seconds in `text`; ValueError naming the problem otherwise."""
    if text == "0":
        return 0.0
    if not text:
        raise ValueError("empty duration")
    total, pos = 0.0, 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            raise ValueError(
                f"invalid duration {text!r}: expected numbers with units, like 30s, 5m or 1h30m"
            )
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not math.isfinite(total):
        raise ValueError(f"duration {text!r} is too long")
    return total


def format_duration(seconds: float) -> str:
    """A short form for display ("90s" → "1m30s")."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    whole = int(seconds)
    if whole != seconds or whole < 60:
        return f"{seconds:g}s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


MAX_SECONDS = 366 * 86400.0  # no interval, step, lookback or staleness is longer than a year


def _duration(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError("a duration is text with a unit, like 30s, 5m or 1h")
    seconds = parse_duration(value)
    if seconds > MAX_SECONDS:
        raise ValueError(f"duration {value!r} is longer than 366 days")
    return seconds


# a configuration key holding seconds, written "30s", "5m", "1h30m", "2d"
Duration = Annotated[float, BeforeValidator(_duration), Field(gt=0)]
