"""Deploy freezes: windows on a schedule or between dates, and the error-budget freeze.

A freeze window holds every change while it is in force. An error-budget freeze — some
SLO has spent its budget over the recent window — holds every change but those marked
exempt (a P0 fix, a security fix): they are how the budget gets earned back. Plain values
in, plain values out; the clock and the files are read by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from caution.rollout.burn import Budget
from caution.rollout.cron import Cron, active_until


@dataclass(frozen=True)
class CronWindow:
    """Frozen for `duration` from each time `cron` names in `zone`."""

    name: str
    cron: Cron
    duration: timedelta
    zone: tzinfo


@dataclass(frozen=True)
class DateWindow:
    """Frozen from `start` (inclusive) to `end` (exclusive), both aware."""

    name: str
    start: datetime
    end: datetime
    zone: tzinfo  # for showing the times as the configuration wrote them


Window = CronWindow | DateWindow


@dataclass(frozen=True)
class ActiveWindow:
    name: str
    start: datetime
    until: datetime  # in the window's zone
    open_ended: bool = False  # it restarts before it ends: frozen at least until `until`


def active_window(window: Window, now: datetime) -> ActiveWindow | None:
    """The window's freeze in force at `now` (aware), or None."""
    if isinstance(window, DateWindow):
        if window.start <= now < window.end:
            return ActiveWindow(window.name, window.start, window.end.astimezone(window.zone))
        return None
    found = active_until(window.cron, window.zone, window.duration, now)
    if found is None:
        return None
    until = found.end.astimezone(window.zone)
    return ActiveWindow(window.name, found.start, until, found.open_ended)


@dataclass(frozen=True)
class SloBudget:
    """One SLO's error budget over the freeze's window."""

    slo: str
    source: str  # the SLO file, as configured
    objective: float  # percent
    window_days: float
    budget: Budget


@dataclass(frozen=True)
class ExemptMarker:
    """What makes a change exempt: a commit and the trailer it carries."""

    commit: str
    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.commit[:10]} has {self.key}: {self.value}"


@dataclass(frozen=True)
class Reason:
    kind: str  # freeze | budget | canary | exempt
    message: str


@dataclass(frozen=True)
class FreezeStatus:
    """The freezes in force at one instant, for one change."""

    windows: tuple[ActiveWindow, ...]
    budgets: tuple[SloBudget, ...]
    exempt: tuple[ExemptMarker, ...]
    unmarked: tuple[str, ...] = ()  # commits of the change that carry no marker

    @property
    def is_exempt(self) -> bool:
        """Every change the deployment ships is marked. One marked fix must not carry
        unmarked changes through the freeze, wherever it sits in the range: that would
        let any commit, spoofed or honest, open the freeze for everything before it."""
        return bool(self.exempt) and not self.unmarked

    @property
    def spent(self) -> tuple[SloBudget, ...]:
        """Budgets spent — or unknown, with no events in the window: a broken event
        pipeline must not read as a healthy service."""
        return tuple(b for b in self.budgets if b.budget.spent or b.budget.unknown)

    @property
    def frozen(self) -> bool:
        """A freeze is in force, whether or not this change is exempt from it."""
        return bool(self.windows or self.spent)

    @property
    def holds(self) -> bool:
        """The freeze applies to this change: a window, or a spent budget it is not
        exempt from."""
        return bool(self.windows or (self.spent and not self.is_exempt))

    def reasons(self) -> tuple[Reason, ...]:
        reasons = [
            Reason(
                "freeze",
                f"freeze window {w.name!r} in force until "
                f"{'at least ' if w.open_ended else ''}{_when(w.until)}",
            )
            for w in self.windows
        ]
        spent = [_spent(b) for b in self.spent]
        markers = "; ".join(str(m) for m in self.exempt)
        if spent and not self.is_exempt:
            reasons.extend(Reason("budget", message) for message in spent)
            if self.exempt:
                reasons.append(Reason("budget", _partly_marked(self.unmarked, markers)))
        elif spent:
            reasons.append(
                Reason("exempt", f"{'; '.join(spent)} — but the change is exempt ({markers})")
            )
        elif self.is_exempt:
            reasons.append(
                Reason("exempt", f"the change is exempt from error-budget freezes ({markers})")
            )
        return tuple(reasons)


def _partly_marked(unmarked: Sequence[str], markers: str) -> str:
    shown = ", ".join(sha[:10] for sha in unmarked[:5])
    more = f" and {len(unmarked) - 5} more" if len(unmarked) > 5 else ""
    verb = "carries" if len(unmarked) == 1 else "carry"
    return (
        f"not exempt: {shown}{more} {verb} no exempt marker ({markers} does not "
        "cover the rest of the change)"
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _spent(item: SloBudget) -> str:
    remaining = item.budget.remaining
    newest = item.budget.newest
    if item.budget.stale and remaining is not None and newest is not None:
        return (
            f"SLO {item.slo!r} ({item.objective:g} %) has no events since "
            f"{_when(datetime.fromtimestamp(newest, UTC))}: its error budget is unknown, "
            "which is not safe"
        )
    if remaining is None:
        return (
            f"SLO {item.slo!r} ({item.objective:g} %) has no events over the last "
            f"{item.window_days:g} days: its error budget is unknown, which is not safe"
        )
    return (
        f"SLO {item.slo!r} ({item.objective:g} %) has spent {1 - remaining:.0%} of its error "
        f"budget over the last {item.window_days:g} days"
    )


def freeze_status(
    windows: Sequence[Window],
    budgets: Sequence[SloBudget],
    exempt: Sequence[ExemptMarker],
    now: datetime,
    *,
    unmarked: Sequence[str] = (),
) -> FreezeStatus:
    active = tuple(a for a in (active_window(w, now) for w in windows) if a is not None)
    return FreezeStatus(active, tuple(budgets), tuple(exempt), tuple(unmarked))
