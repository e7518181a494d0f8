"""Burn-rate alerts on constructed traffic, with the SRE workbook's numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.rollout.burn import (
    DAY,
    HOUR,
    MINUTE,
    SLO_PERIOD,
    Bucket,
    assess_burn,
    error_budget,
)

NOW = 1_800_000_000.0


def steady(error_rate: float, span: float, per_minute: float = 1000) -> list[Bucket]:
    """One bucket per minute over `span` seconds before NOW."""
    count = int(span // MINUTE)
    return [
        Bucket(NOW - i * MINUTE, per_minute * (1 - error_rate), per_minute) for i in range(count)
    ]


def test_a_fast_burn_pages() -> None:
    # 99.9 % objective; 2 % errors burn 20x the budget: the 1 h / 5 m page fires.
    report = assess_burn(steady(0.02, 3 * DAY), 0.999)
    assert report.severity == "page"
    fast = report.windows[0]
    assert fast.firing and fast.long_rate == pytest.approx(20.0)
    # bad events over the 30 days, against what the objective allows of the same events
    assert report.budget_remaining == pytest.approx(1 - 20)


def test_a_slow_burn_files_a_ticket() -> None:
    # 0.2 % errors: burn rate 2, above the 3 d / 6 h ticket's 1, below every page.
    report = assess_burn(steady(0.002, 3 * DAY), 0.999)
    assert report.severity == "ticket"
    assert [w.window.burn_rate for w in report.firing] == [1.0]


def test_both_windows_must_exceed() -> None:
    # An hour of 2 % errors that stopped 10 minutes ago: the long window still burns, the
    # short window has recovered, so nothing pages.
    buckets = [
        Bucket(NOW - i * MINUTE, 1000 if i < 10 else 980, 1000) for i in range(int(HOUR / MINUTE))
    ]
    report = assess_burn(buckets, 0.999)
    fast = report.windows[0]
    assert fast.long_rate is not None and fast.long_rate > 14.4
    assert fast.short_rate == 0
    assert not fast.firing


def test_minimum_traffic_guard() -> None:
    buckets = [Bucket(NOW, 0, 1)]  # one failed request
    assert assess_burn(buckets, 0.999).severity == "page"
    guarded = assess_burn(buckets, 0.999, min_events=100)
    assert guarded.severity == "ok"
    assert all(w.long_rate is None for w in guarded.windows)


def test_no_traffic_is_no_budget_figure_and_not_ok() -> None:
    report = assess_burn([], 0.999, now=NOW)
    assert report.budget_remaining is None and report.stale and report.severity == "stale"


def test_events_that_stopped_arriving_are_stale_not_healthy() -> None:
    old = [Bucket(NOW - 3600 - i * 60, 1000, 1000) for i in range(600)]
    report = assess_burn(old, 0.999, now=NOW)
    assert report.stale and report.severity == "stale" and report.newest == NOW - 3600
    fresh = [*old, Bucket(NOW - 60, 1000, 1000)]
    assert assess_burn(fresh, 0.999, now=NOW).severity == "ok"
    assert not assess_burn(old, 0.999, now=NOW, stale_after=7200).stale
    future = [Bucket(NOW + 600, 1000, 1000)]  # not yet happened at `now`: not evidence
    assert assess_burn(future, 0.999, now=NOW).stale


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="objective"):
        assess_burn([], 99.9)
    with pytest.raises(ValueError, match="good <= total"):
        assess_burn([Bucket(NOW, 5, 3)], 0.99)


@given(
    st.lists(
        st.tuples(st.integers(0, 4 * DAY), st.integers(0, 1000), st.integers(0, 1000)), max_size=50
    ),
    st.floats(0.5, 0.99999),
)
def test_rates_are_never_negative(events: list[tuple[int, int, int]], objective: float) -> None:
    buckets = [Bucket(NOW - age, min(a, b), max(a, b)) for age, a, b in events]
    report = assess_burn(buckets, objective, now=NOW)
    for window in report.windows:
        for rate in (window.long_rate, window.short_rate):
            assert rate is None or rate >= 0
    assert report.budget_remaining is None or report.budget_remaining <= 1


def test_fresh_buckets_without_events_leave_the_budget_unknown_not_ok() -> None:
    silent = [Bucket(NOW - i * 60, 0, 0) for i in range(600)]
    report = assess_burn(silent, 0.999, now=NOW)
    assert not report.stale and report.unknown and report.severity == "unknown"
    assert not report.healthy
    assert error_budget(silent, 0.999, NOW, SLO_PERIOD, 900).unknown


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-600, 40 * DAY), st.integers(0, 50), st.integers(0, 50)),
        max_size=30,
    ),
    st.sampled_from([0.9, 0.99, 0.999]),
    st.sampled_from([60.0, 900.0, 7200.0]),
)
def test_a_healthy_status_is_never_a_budget_the_gate_cannot_see(
    events: list[tuple[int, int, int]], objective: float, stale_after: float
) -> None:
    """slo status and deploy gate read the same buckets: whenever status says ok, the gate's
    budget over the same 30 days is known and fresh; whenever the gate's budget is unknown,
    status is not ok."""
    buckets = [Bucket(NOW - age, min(a, b), max(a, b)) for age, a, b in events]
    report = assess_burn(buckets, objective, now=NOW, stale_after=stale_after)
    budget = error_budget(buckets, objective, NOW, SLO_PERIOD, stale_after)
    assert report.healthy == (not budget.unknown and not report.firing)
