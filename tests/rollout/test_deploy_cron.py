"""The cron matcher against a brute-force reference, and freeze starts across DST changes.

The reference matcher reads each cron item arithmetically (no value sets); the reference
schedule walks instant by instant, minute by minute: a scheduled wall time starts at the
first instant the clock shows it or jumps past it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.rollout.cron import (
    LOOKAHEAD,
    MAX_RESTARTS,
    CronError,
    Span,
    active_until,
    instant_of,
    latest_start,
    parse_cron,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


# --- reference ---------------------------------------------------------------------------------


def _ref_number(text: str, field: int) -> int:
    if field == 3 and text.upper() in MONTHS:
        return MONTHS.index(text.upper()) + 1
    if field == 4 and text.upper() in DAYS:
        return DAYS.index(text.upper())
    return int(text)


def _ref_item(item: str, value: int, field: int) -> bool:
    low, high = BOUNDS[field]
    found = re.fullmatch(r"(\*|\w+)(?:-(\w+))?(?:/(\d+))?", item)
    assert found, item
    first, last, step = found.groups()
    step_n = int(step) if step else 1
    if first == "*":
        a, b = low, high
    else:
        a = _ref_number(first, field)
        b = _ref_number(last, field) if last else (high if step else a)
    return a <= value <= b and (value - a) % step_n == 0


def _ref_field(text: str, value: int, field: int) -> bool:
    values = [value, 7] if field == 4 and value == 0 else [value]
    return any(_ref_item(item, v, field) for item in text.split(",") for v in values)


def ref_matches(expr: str, wall: datetime) -> bool:
    minute, hour, dom, month, dow = expr.split()
    weekday = wall.isoweekday() % 7
    dom_ok, dow_ok = _ref_field(dom, wall.day, 2), _ref_field(dow, weekday, 4)
    either = not dom.startswith("*") and not dow.startswith("*")  # Vixie: both restricted
    days = (dom_ok or dow_ok) if either else (dom_ok and dow_ok)
    return (
        _ref_field(minute, wall.minute, 0)
        and _ref_field(hour, wall.hour, 1)
        and _ref_field(month, wall.month, 3)
        and days
    )


def ref_starts(expr: str, zone: ZoneInfo, begin: datetime, end: datetime) -> list[datetime]:
    """Every start in [begin, end], walking instants minute by minute."""
    starts = []
    seen = begin.astimezone(zone).replace(tzinfo=None)
    t = begin + timedelta(minutes=1)
    while t <= end:
        shown = t.astimezone(zone).replace(tzinfo=None)
        wall = seen + timedelta(minutes=1)
        while wall <= shown:  # every wall time the clock reaches or skips for the first time
            if ref_matches(expr, wall):
                starts.append(t)
                break
            wall += timedelta(minutes=1)
        seen = max(seen, shown)
        t += timedelta(minutes=1)
    return starts


# --- strategies --------------------------------------------------------------------------------


@st.composite
def cron_field(draw: st.DrawFn, field: int) -> str:
    low, high = BOUNDS[field]

    def number() -> str:
        value = draw(st.integers(low, high))
        if field == 3 and draw(st.booleans()):
            return MONTHS[value - 1].lower() if draw(st.booleans()) else MONTHS[value - 1]
        if field == 4 and value < 7 and draw(st.booleans()):
            return DAYS[value]
        return str(value)

    items = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["*", "*/", "n", "n-n", "n-n/", "n/"]))
        step = str(draw(st.integers(1, high - low + 2)))
        if kind == "*":
            items.append("*")
        elif kind == "*/":
            items.append(f"*/{step}")
        elif kind == "n":
            items.append(number())
        elif kind == "n/":
            items.append(f"{number()}/{step}")
        else:
            a, b = number(), number()
            if _ref_number(a, field) > _ref_number(b, field):
                a, b = b, a
            items.append(f"{a}-{b}" + (f"/{step}" if kind == "n-n/" else ""))
    return ",".join(items)


cron_exprs = st.tuples(*(cron_field(i) for i in range(5))).map(" ".join)
walls = st.datetimes(datetime(2020, 1, 1), datetime(2032, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@settings(max_examples=400, deadline=None)
@given(cron_exprs, st.lists(walls, min_size=1, max_size=20))
def test_matcher_agrees_with_the_reference(expr: str, moments: list[datetime]) -> None:
    cron = parse_cron(expr)
    for wall in moments:
        assert cron.matches(wall) == ref_matches(expr, wall), (expr, wall)


# DST changes in 2026 (and a leap day) where schedules are most likely to go wrong
EDGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin springs forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin falls back
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York springs forward
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York falls back
    datetime(2028, 2, 29, 12, tzinfo=UTC),
]
dense_exprs = st.one_of(
    cron_exprs,
    st.sampled_from(["*/7 * * * *", "30 2 * * *", "0,30 1-3 * * *", "*/20 2 * * SUN", "0 * * * *"]),
)


@settings(max_examples=120, deadline=None)
@given(
    dense_exprs,
    st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Australia/Lord_Howe")]),
    st.sampled_from(EDGES),
    st.integers(-6 * 60, 6 * 60),
    st.integers(1, 8 * 60),
)
def test_latest_start_agrees_with_a_minute_walk(
    expr: str, zone: ZoneInfo, edge: datetime, offset: int, horizon_minutes: int
) -> None:
    now = edge + timedelta(minutes=offset)
    horizon = timedelta(minutes=horizon_minutes)
    starts = ref_starts(expr, zone, now - horizon - timedelta(hours=3), now)
    expected = next((s for s in reversed(starts) if s > now - horizon), None)
    assert latest_start(parse_cron(expr), zone, now, horizon) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["*/30 * * * *", "0 */2 * * *", "15 1-4 * * *", "0 0 * * *"]),
    st.sampled_from([BERLIN, NEW_YORK]),
    st.sampled_from(EDGES),
    st.integers(-3 * 60, 3 * 60),
    st.integers(10, 4 * 60),
)
def test_a_freeze_lasts_while_starts_overlap(
    expr: str, zone: ZoneInfo, edge: datetime, offset: int, minutes: int
) -> None:
    now = edge + timedelta(minutes=offset)
    duration = timedelta(minutes=minutes)
    ahead = now + timedelta(hours=12)
    starts = ref_starts(expr, zone, now - duration - timedelta(hours=3), ahead)
    covered = [s for s in starts if s <= now < s + duration]
    found = active_until(parse_cron(expr), zone, duration, now)
    if not covered:
        assert found is None
        return
    assert found is not None and found.start == max(covered)
    end = max(s + duration for s in covered)
    for s in starts:  # later starts before the end keep it frozen
        if now < s <= end:
            end = max(end, s + duration)
    if end < ahead:
        assert found.end == end and not found.open_ended
    else:  # frozen past what the reference walked: at least as long
        assert found.end >= end


# --- parsing -----------------------------------------------------------------------------------


def test_names_lists_ranges_and_steps() -> None:
    cron = parse_cron("*/15 9-17 * jan,Jul MON-FRI")
    assert cron.minutes == (0, 15, 30, 45)
    assert cron.hours == tuple(range(9, 18))
    assert cron.months == (1, 7)
    assert cron.weekdays == (1, 2, 3, 4, 5)
    assert parse_cron("5/20 * * * *").minutes == (5, 25, 45)
    assert parse_cron("0 0 * * 7").weekdays == (0,)  # 7 is Sunday too


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("* * * *", "expected 5 fields"),
        ("60 * * * *", "minute: 60 is outside 0-59"),
        ("* 24 * * *", "hour: 24"),
        ("* * 0 * *", "day of month: 0"),
        ("* * * 13 *", "month: 13"),
        ("* * * * 8", "day of week: 8"),
        ("*/0 * * * *", "step"),
        ("5-1 * * * *", "runs backwards"),
        ("1,,2 * * * *", "empty item"),
        ("* * * FOO *", "not a number or a name"),
        ("* * * * JAN", "not a number or a name"),
        # schedules that can never start: a freeze nobody would ever be held by
        ("0 0 31 2 *", "never starts"),
        ("0 0 30,31 2 *", "never starts"),
        ("0 0 31 4,6,9,11 *", "never starts"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expr: str, problem: str) -> None:
    with pytest.raises(CronError, match=re.escape(problem)):
        parse_cron(expr)


def test_both_day_fields_restricted_match_either() -> None:
    cron = parse_cron("0 12 13 * FRI")  # every 13th and every Friday
    assert cron.matches(datetime(2026, 1, 13, 12))  # a Tuesday, the 13th
    assert cron.matches(datetime(2026, 1, 16, 12))  # a Friday, the 16th
    assert not cron.matches(datetime(2026, 1, 14, 12))
    # a starred field (even */2) makes the other the only restriction: both must match
    cron = parse_cron("0 12 */2 * FRI")
    assert cron.matches(datetime(2026, 1, 23, 12))  # Friday, odd day
    assert not cron.matches(datetime(2026, 1, 16, 12))  # Friday, even day
    assert not cron.matches(datetime(2026, 1, 13, 12))  # odd day, Tuesday


# --- DST and the calendar ----------------------------------------------------------------------


def test_a_skipped_time_starts_at_the_jump() -> None:
    # Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 never shows
    assert instant_of(datetime(2026, 3, 29, 2, 30), BERLIN) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    cron = parse_cron("30 2 * * *")
    now = datetime(2026, 3, 29, 1, 20, tzinfo=UTC)
    assert latest_start(cron, BERLIN, now, timedelta(hours=1)) == datetime(
        2026, 3, 29, 1, tzinfo=UTC
    )
    # New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC)
    assert instant_of(datetime(2026, 3, 8, 2, 15), NEW_YORK) == datetime(2026, 3, 8, 7, tzinfo=UTC)


def test_a_repeated_time_starts_once() -> None:
    # Berlin, 2026-10-25: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET)
    cron = parse_cron("30 2 * * *")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert active_until(cron, BERLIN, timedelta(minutes=30), first) == Span(
        first, first + timedelta(minutes=30)
    )
    assert active_until(cron, BERLIN, timedelta(minutes=30), first + timedelta(hours=1)) is None
    # New York, 2026-11-01: 01:30 EDT (05:30 UTC) then 01:30 EST (06:30 UTC)
    cron = parse_cron("30 1 * * *")
    second = datetime(2026, 11, 1, 6, 40, tzinfo=UTC)
    assert latest_start(cron, NEW_YORK, second, timedelta(hours=2)) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )
    # in the repeated hour, a time the clock shows again later already started
    cron = parse_cron("50 1 * * *")
    assert latest_start(
        cron, NEW_YORK, datetime(2026, 11, 1, 6, 10, tzinfo=UTC), timedelta(hours=1)
    ) == datetime(2026, 11, 1, 5, 50, tzinfo=UTC)


def test_a_weekend_freeze_over_the_spring_change_lasts_62_real_hours() -> None:
    cron = parse_cron("0 18 * * FRI")
    friday = datetime(2026, 3, 27, 17, tzinfo=UTC)  # 18:00 CET
    found = active_until(cron, BERLIN, timedelta(hours=62), friday + timedelta(days=2))
    assert found == Span(friday, datetime(2026, 3, 30, 7, tzinfo=UTC))  # Monday 09:00 CEST
    assert active_until(cron, BERLIN, timedelta(hours=62), friday - timedelta(minutes=1)) is None
    assert active_until(cron, BERLIN, timedelta(hours=62), friday + timedelta(hours=62)) is None


def test_leap_day_schedules_and_long_horizons() -> None:
    cron = parse_cron("0 0 29 2 *")
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert latest_start(cron, ZoneInfo("UTC"), leap + timedelta(days=300), timedelta(days=366)) == (
        leap
    )
    assert latest_start(
        cron, ZoneInfo("UTC"), leap - timedelta(minutes=1), timedelta(days=366)
    ) is (
        None  # 2027 has no 29 February; 2024's is more than 366 days back
    )
    assert not cron.matches_day(date(2027, 3, 1))


def test_a_freeze_that_always_restarts_is_open_ended() -> None:
    now = datetime(2026, 6, 1, 12, 10, tzinfo=UTC)
    found = active_until(parse_cron("0 * * * *"), ZoneInfo("UTC"), timedelta(minutes=90), now)
    assert found is not None and found.open_ended
    assert found.start == datetime(2026, 6, 1, 12, tzinfo=UTC)
    # followed for MAX_RESTARTS restarts, each an hour on, unless LOOKAHEAD comes first
    assert found.end == min(
        found.start + timedelta(minutes=90) + timedelta(hours=MAX_RESTARTS), now + LOOKAHEAD
    )
    every_minute = active_until(parse_cron("* * * * *"), ZoneInfo("UTC"), timedelta(minutes=2), now)
    assert every_minute is not None and every_minute.open_ended
    assert every_minute.end == every_minute.start + timedelta(minutes=2) * (MAX_RESTARTS + 1)
    # with a gap between windows, the chain of overlapping starts ends where the gap begins
    found = active_until(parse_cron("0 8-10 * * *"), ZoneInfo("UTC"), timedelta(minutes=90), now)
    assert found is None
    morning = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    found = active_until(
        parse_cron("0 8-10 * * *"), ZoneInfo("UTC"), timedelta(minutes=90), morning
    )
    assert found == Span(
        datetime(2026, 6, 1, 8, tzinfo=UTC), datetime(2026, 6, 1, 11, 30, tzinfo=UTC)
    )


def test_rare_schedules_that_do_start_are_kept() -> None:
    assert parse_cron("0 0 29 2 *").days == (29,)  # leap years
    assert parse_cron("0 0 31 2 MON").weekdays == (1,)  # Mondays in February (Vixie's or)
    assert parse_cron("0 0 31 1-2 *").months == (1, 2)  # January 31
