"""Multi-window, multi-burn-rate alerts for a 30-day SLO, as in Google's SRE workbook
("Alerting on SLOs", table 5-8): an alert fires when the error budget burns faster than
its rate over both its long and its short window — the long window proves it matters,
the short one that it is still happening.

| severity | burn rate | long window | short window | budget spent when it fires |
| page     | 14.4      | 1 h         | 5 m          | 2 %                        |
| page     | 6         | 6 h         | 30 m         | 5 %                        |
| ticket   | 3         | 1 d         | 2 h          | 10 %                       |
| ticket   | 1         | 3 d         | 6 h          | 10 %                       |

Burn rate over a window = (bad events / all events in it) / (1 − objective). A window with
fewer events than the minimum-traffic guard does not fire: a single failed request at 3 a.m.
is not an outage. Events come as counts per time bucket.

Silence is not health: when the newest bucket is older than `stale_after` (or there is none),
the report says `stale` instead of `ok` — a pipeline that stopped delivering events would
otherwise read as a service that stopped failing.

Nor is emptiness: fresh buckets that count no events at all over the SLO period leave the
error budget unknown (there is nothing to divide by). `caution slo status` reports that as
`unknown`, not `ok`, and exits 1; `caution deploy gate` holds on the same budget ("its error
budget is unknown, which is not safe"). Both read `Budget.unknown`/`BurnReport.unknown`, so a
budget nobody can see holds a deployment and fails a status check alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MINUTE, HOUR, DAY = 60, 3600, 86400
SLO_PERIOD = 30 * DAY


@dataclass(frozen=True)
class Bucket:
    """Events in one time bucket ending at `end` (unix seconds)."""

    end: float
    good: float
    total: float


@dataclass(frozen=True)
class AlertWindow:
    severity: str
    burn_rate: float
    long: int  # seconds
    short: int


WORKBOOK_WINDOWS = (
    AlertWindow("page", 14.4, HOUR, 5 * MINUTE),
    AlertWindow("page", 6.0, 6 * HOUR, 30 * MINUTE),
    AlertWindow("ticket", 3.0, DAY, 2 * HOUR),
    AlertWindow("ticket", 1.0, 3 * DAY, 6 * HOUR),
)


@dataclass(frozen=True)
class WindowBurn:
    window: AlertWindow
    long_rate: float | None  # None: too little traffic to say
    short_rate: float | None
    firing: bool


@dataclass(frozen=True)
class BurnReport:
    objective: float
    now: float
    windows: tuple[WindowBurn, ...]
    budget_remaining: float | None  # share of the 30-day budget left; negative when overspent
    period_events: float
    newest: float | None = None  # end of the newest bucket at or before `now`
    stale: bool = False

    @property
    def firing(self) -> tuple[WindowBurn, ...]:
        return tuple(w for w in self.windows if w.firing)

    @property
    def unknown(self) -> bool:
        """No budget figure: no events over the period, however fresh the buckets."""
        return self.budget_remaining is None

    @property
    def severity(self) -> str:
        """page, ticket, stale, unknown or ok: only `ok` is healthy."""
        fired = {w.window.severity for w in self.firing}
        if "page" in fired or "ticket" in fired:
            return "page" if "page" in fired else "ticket"
        if self.stale:
            return "stale"
        return "unknown" if self.unknown else "ok"

    @property
    def healthy(self) -> bool:
        return self.severity == "ok"


def _totals(buckets: Sequence[Bucket], now: float, span: float) -> tuple[float, float]:
    good = total = 0.0
    for bucket in buckets:
        if now - span < bucket.end <= now:
            good += bucket.good
            total += bucket.total
    return good, total


@dataclass(frozen=True)
class Budget:
    """The error budget over a span: the share left (negative when overspent; None with no
    events in the span) and how many events it rests on."""

    remaining: float | None
    events: float
    newest: float | None = None  # end of the newest bucket at or before `now`
    stale: bool = False  # no bucket newer than `stale_after`: the figure may be out of date

    @property
    def spent(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    @property
    def unknown(self) -> bool:
        return self.remaining is None or self.stale


def newest_bucket(buckets: Sequence[Bucket], now: float) -> float | None:
    return max((b.end for b in buckets if b.end <= now), default=None)


def error_budget(
    buckets: Sequence[Bucket],
    objective: float,
    now: float,
    span: float = SLO_PERIOD,
    stale_after: float | None = None,
) -> Budget:
    """Bad events over the `span` seconds before `now`, against what `objective` (a
    fraction, 0.999) allows of the same events: 1 − (bad / total) / (1 − objective)."""
    good, total = _totals(buckets, now, span)
    remaining = None if total <= 0 else 1 - ((total - good) / total) / (1 - objective)
    newest = newest_bucket(buckets, now)
    stale = stale_after is not None and (newest is None or now - newest > stale_after)
    return Budget(remaining, total, newest, stale)


def burn_rate(
    buckets: Sequence[Bucket], now: float, span: float, objective: float, min_events: float
) -> float | None:
    good, total = _totals(buckets, now, span)
    if total < max(min_events, 1e-12):
        return None
    return ((total - good) / total) / (1 - objective)


def assess_burn(
    buckets: Sequence[Bucket],
    objective: float,
    *,
    now: float | None = None,
    min_events: float = 0,
    windows: Sequence[AlertWindow] = WORKBOOK_WINDOWS,
    stale_after: float = 15 * MINUTE,
) -> BurnReport:
    """`objective` as a fraction (0.999). `now` defaults to the newest bucket's end."""
    if not 0 < objective < 1:
        raise ValueError(f"objective must be between 0 and 1 (exclusive), not {objective}")
    for bucket in buckets:
        if bucket.total < 0 or bucket.good < 0 or bucket.good > bucket.total:
            raise ValueError(f"bucket at {bucket.end}: need 0 <= good <= total")
    if now is None:
        now = max((b.end for b in buckets), default=0.0)
    burns = []
    for window in windows:
        long_rate = burn_rate(buckets, now, window.long, objective, min_events)
        short_rate = burn_rate(buckets, now, window.short, objective, min_events)
        firing = (
            long_rate is not None
            and short_rate is not None
            and long_rate > window.burn_rate
            and short_rate > window.burn_rate
        )
        burns.append(WindowBurn(window, long_rate, short_rate, firing))
    budget = error_budget(buckets, objective, now, SLO_PERIOD, stale_after)
    return BurnReport(
        objective, now, tuple(burns), budget.remaining, budget.events, budget.newest, budget.stale
    )
