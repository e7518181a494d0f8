"""Five-field cron expressions (minute hour day-of-month month day-of-week), as Vixie cron
reads them, and the instants they name in a time zone — for freeze windows that start on a
schedule ("0 18 * * FRI" for 62 hours).

Fields take `*`, numbers, names (JAN–DEC, SUN–SAT, any case), lists (`1,15`), ranges
(`MON-FRI`), steps (`*/15`, `0-30/10`; `5/15` is `5-59/15`). Day of week 0 and 7 are Sunday.
Vixie's day rule: when both day fields are restricted (neither starts with `*`), a day matches
when *either* matches; otherwise both must (so `*/2` counts as unrestricted, as in Vixie).

Wall-clock times become instants in the schedule's zone. A time the clocks skip (02:30 on a
spring-forward night) starts at the jump; a time they repeat (02:30 on a fall-back night)
starts at its first occurrence — each scheduled time starts once, and later wall times never
start earlier. Plain functions over values: the zone is passed in, the clock is not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# the longest each month gets, February in leap years
_LONGEST = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


class CronError(ValueError):
    """An expression that is not five valid cron fields."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, {n: i + 1 for i, n in enumerate(_MONTHS)}),
    _Field("day of week", 0, 7, {n: i for i, n in enumerate(_DAYS)}),
)


@dataclass(frozen=True)
class Cron:
    """A parsed expression: the allowed values of each field, sorted."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]
    months: tuple[int, ...]
    weekdays: tuple[int, ...]  # 0 = Sunday … 6 = Saturday
    dom_star: bool  # the day-of-month field starts with `*`
    dow_star: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = day.isoweekday() % 7 in self.weekdays
        if self.dom_star or self.dow_star:
            return dom and dow
        return dom or dow

    def matches(self, wall: datetime) -> bool:
        """Whether the wall-clock minute `wall` (its zone ignored) is a scheduled time."""
        return wall.minute in self.minutes and wall.hour in self.hours and self.matches_day(wall)


def _number(text: str, field: _Field) -> int:
    value = field.names.get(text.upper())
    if value is None:
        if not text.isdigit():
            raise CronError(f"{field.name}: {text!r} is not a number or a name")
        value = int(text)
    if not field.low <= value <= field.high:
        raise CronError(f"{field.name}: {value} is outside {field.low}-{field.high}")
    return value


def _part(part: str, field: _Field) -> set[int]:
    body, slash, step_text = part.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) < 1:
            raise CronError(f"{field.name}: step {step_text!r} must be a whole number above 0")
        step = int(step_text)
    if body == "*":
        low, high = field.low, field.high
    elif "-" in body:
        first, _, last = body.partition("-")
        low, high = _number(first, field), _number(last, field)
        if low > high:
            raise CronError(f"{field.name}: range {body} runs backwards")
    else:
        low = _number(body, field)
        high = field.high if slash else low
    return set(range(low, high + 1, step))


def _values(text: str, field: _Field) -> tuple[int, ...]:
    if not text:
        raise CronError(f"{field.name}: empty")
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"{field.name}: empty item in {text!r}")
        values |= _part(part, field)
    return tuple(sorted(values))


def parse_cron(text: str) -> Cron:
    fields = text.split()
    if len(fields) != 5:
        raise CronError(
            f"{text!r}: expected 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(fields)}"
        )
    minutes, hours, days, months, weekdays = (
        _values(f, spec) for f, spec in zip(fields, _FIELDS, strict=True)
    )
    dow_star = fields[4].startswith("*")
    if dow_star and not any(day <= _LONGEST[month] for month in months for day in days):
        # 31 February: accepted by cron, never run. A freeze window that never starts is a
        # typo someone relies on, and it would fail open without a word.
        raise CronError(f"{text!r} never starts: no month of {fields[3]!r} has day {fields[2]!r}")
    return Cron(
        text=" ".join(fields),
        minutes=minutes,
        hours=hours,
        days=days,
        months=months,
        weekdays=tuple(sorted({d % 7 for d in weekdays})),
        dom_star=fields[2].startswith("*"),
        dow_star=dow_star,
    )


# --- wall clock ↔ instants -----------------------------------------------------------------------


def wall_clock(instant: datetime, zone: tzinfo) -> datetime:
    """What a clock in `zone` shows at `instant`, naive, to the minute."""
    return instant.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0, fold=0)


def instant_of(wall: datetime, zone: tzinfo) -> datetime:
    """The instant (UTC) a naive wall-clock time names in `zone`: the first of two when the
    clocks fall back, the moment of the jump when they skip it."""
    utc = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return utc
    # `wall` is skipped: fold=1 reads it with the later offset (an instant before the jump),
    # fold=0 with the earlier (after it); the jump is the first second showing a later time
    lo = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    hi = int(utc.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) > wall:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


# Any zone's offset differs from another instant's by far less than this: a search by wall
# days covers every instant of its span when widened by it.
_MARGIN = timedelta(days=2)


def _walls_down(cron: Cron, top: datetime, bottom: date) -> Iterator[datetime]:
    """Scheduled wall times ≤ `top`, newest first, down to the day `bottom`. Steps by day,
    then by the field's allowed hours and minutes, so a long span costs days, not minutes."""
    day = top.date()
    while day >= bottom:
        if cron.matches_day(day):
            for hour in reversed(cron.hours):
                if day == top.date() and hour > top.hour:
                    continue
                for minute in reversed(cron.minutes):
                    wall = datetime(day.year, day.month, day.day, hour, minute)
                    if wall <= top:
                        yield wall
        day -= timedelta(days=1)


def _latest_wall(now: datetime, zone: tzinfo) -> datetime:
    """The latest wall time whose instant is not after `now`. Usually the clock's reading;
    in the hour after clocks fall back, the reading before they did (02:50 has started
    though the clock shows 02:10 again). Offsets are sampled hourly over the last day."""
    utc = now.astimezone(UTC)
    offsets = (
        (utc - timedelta(hours=k)).astimezone(zone).utcoffset() or timedelta() for k in range(26)
    )
    return (utc + max(offsets)).replace(tzinfo=None, second=0, microsecond=0)


def latest_start(cron: Cron, zone: tzinfo, now: datetime, horizon: timedelta) -> datetime | None:
    """The latest scheduled instant `s` with `now - horizon < s <= now`, or None.

    Instants never run backwards as wall times go forward, so the first scheduled wall time
    (walking back) whose instant is not after `now` is the latest."""
    floor = now - horizon
    bottom = wall_clock(floor - _MARGIN, zone).date()
    for wall in _walls_down(cron, _latest_wall(now, zone), bottom):
        start = instant_of(wall, zone)
        if start > now:
            continue
        return start if start > floor else None
    return None


# How far ahead a freeze that restarts before it ends is followed: a schedule whose starts
# come closer together than its duration never ends, and is reported as lasting at least this.
LOOKAHEAD = timedelta(days=31)
# ... and for at most this many restarts: an every-minute schedule would otherwise take
# tens of thousands of steps to reach LOOKAHEAD (seconds of CPU for one gate).
MAX_RESTARTS = 500


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    open_ended: bool = False  # restarts went on past the lookahead: frozen at least until `end`


def active_until(cron: Cron, zone: tzinfo, duration: timedelta, now: datetime) -> Span | None:
    """The freeze in force at `now` — from a start ≤ now within `duration` — with its end
    pushed on by every later start that comes before it ends; None when not frozen."""
    start = latest_start(cron, zone, now, duration)
    if start is None:
        return None
    end = start + duration
    for _ in range(MAX_RESTARTS):
        if end - now >= LOOKAHEAD:
            break
        later = latest_start(cron, zone, end, duration)
        if later is None or later + duration <= end:
            return Span(start, end)
        end = later + duration
    return Span(start, end, open_ended=True)
