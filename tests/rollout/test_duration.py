"""Durations as Argo writes them (Go's time.ParseDuration, without a sign)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.rollout.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("1h30m", 5400),
        ("250ms", 0.25),
        ("1.5s", 1.5),
        ("1d12h", 129600),  # beyond Go: days and weeks, for freezes and staleness
        ("2w", 1209600),
    ],
)
def test_argo_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "30", "5 m", "-1s", "1x", "s", "1h 30m", "1e3s"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**6))
def test_whole_seconds_read_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
