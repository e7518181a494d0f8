"""The `deploy:` section of `.caution.yml`: freeze windows, the error-budget freeze, what
exempts a change from it, and per-service additions.

```yaml
deploy:
  freezes:                              # apply to every service
    - name: weekend
      cron: "0 18 * * FRI"              # starts (5-field cron, in `timezone`)
      duration: 62h                     # w, d, h, m: "1d12h"
      timezone: Europe/Berlin           # IANA name; default UTC
    - name: year-end
      from: 2026-12-20                  # dates are whole days in `timezone`, `to` included;
      to: 2027-01-04                    # or ISO timestamps (2026-12-20T18:00:00+01:00)
  budget:
    slos: ops/slos.yml                  # the `caution slo status` file, relative to this one
    window_days: 28
  exempt:                               # may deploy through a spent budget (the default shown)
    trailers: {Priority: [P0], Change-Type: [security]}
  services:
    checkout:
      slos: ops/checkout-slos.yml       # replaces budget.slos for this service
      freezes: [{name: black-friday, from: 2026-11-27, to: 2026-11-30}]   # added to the above
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from caution.repo_paths import normal_path
from caution.rollout.cron import CronError, parse_cron
from caution.rollout.duration import parse_duration
from caution.rollout.freeze import CronWindow, DateWindow, Window
from caution.rollout.slo import PathText

MAX_DURATION = timedelta(days=366)


def window_length(text: str) -> timedelta:
    """`62h`, `1d12h`, `90m`, `2w` (the project's duration syntax): elapsed time, not
    wall-clock time."""
    seconds = parse_duration(text)
    value = timedelta(seconds=seconds) if seconds <= MAX_DURATION.total_seconds() else None
    if value is None or not timedelta(0) < value:
        raise ValueError(f"duration {text!r}: must be above 0 and at most 366 days")
    return value


def load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Berlin)"
        ) from exc


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FreezeWindowSettings(_Strict):
    """One freeze window: `cron` + `duration`, or `from` + `to`."""

    name: str = Field(min_length=1)
    description: str | None = None
    cron: str | None = None
    duration: str | None = None
    from_: datetime | date | None = Field(default=None, alias="from")
    to: datetime | date | None = None
    timezone: str = "UTC"

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_cron(value)
            except CronError as exc:
                raise ValueError(f"cron {exc}") from exc
        return value

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str):
            window_length(value)
        elif value is not None:
            raise ValueError("duration needs a unit, such as 62h or 1d12h")
        return value

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _moment(cls, value: object) -> object:
        if isinstance(value, int | float):
            # pydantic would read a number as seconds after 1970: `from: 2026` is 1970
            raise ValueError(f"{value!r} is not an ISO date or timestamp (2026-12-20)")
        if isinstance(value, str):
            try:
                return (
                    date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
                )
            except ValueError as exc:
                raise ValueError(f"{value!r} is not an ISO date or timestamp") from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        load_zone(value)
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> FreezeWindowSettings:
        scheduled = self.cron is not None or self.duration is not None
        dated = self.from_ is not None or self.to is not None
        if scheduled and dated:
            raise ValueError("a freeze is either cron + duration or from + to, not both")
        if scheduled and (self.cron is None or self.duration is None):
            raise ValueError("a scheduled freeze needs both cron and duration")
        if not scheduled and (self.from_ is None or self.to is None):
            raise ValueError("a freeze needs cron + duration, or from + to")
        if dated:
            window = self.window()
            assert isinstance(window, DateWindow)
            if window.end <= window.start:
                raise ValueError("'to' must come after 'from'")
        return self

    def window(self) -> Window:
        zone = load_zone(self.timezone)
        if self.cron is not None and self.duration is not None:
            return CronWindow(self.name, parse_cron(self.cron), window_length(self.duration), zone)
        assert self.from_ is not None and self.to is not None
        start = _instant(self.from_, zone, end=False)
        end = _instant(self.to, zone, end=True)
        return DateWindow(self.name, start, end, zone)


def _instant(value: date, zone: ZoneInfo, *, end: bool) -> datetime:
    """A date is a whole day in `zone` (so `to` runs to the next midnight); a timestamp
    without an offset is read in `zone`."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _unique_names(windows: list[FreezeWindowSettings]) -> list[FreezeWindowSettings]:
    seen: set[str] = set()
    for window in windows:
        if window.name in seen:
            raise ValueError(f"freeze name {window.name!r} is used twice")
        seen.add(window.name)
    return windows


def _repo_path(value: str | None) -> str | None:
    return None if value is None else normal_path(value)


class BudgetSettings(_Strict):
    slos: PathText = Field(min_length=1, description="SLO file, relative to the configuration")
    window_days: int = Field(default=28, ge=1, le=366)

    _path = field_validator("slos")(classmethod(lambda cls, value: _repo_path(value)))


def _default_exempt() -> dict[str, list[str]]:
    return {"Priority": ["P0"], "Change-Type": ["security"]}


class ExemptSettings(_Strict):
    trailers: dict[str, list[str]] = Field(default_factory=_default_exempt)

    @field_validator("trailers")
    @classmethod
    def _keys(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, values in value.items():
            if not key.strip() or not values or not all(v.strip() for v in values):
                raise ValueError(f"trailer {key!r} needs a name and a list of values")
        return value


class ServiceSettings(_Strict):
    slos: PathText | None = Field(default=None, min_length=1)
    freezes: list[FreezeWindowSettings] = []

    _path = field_validator("slos")(classmethod(lambda cls, value: _repo_path(value)))

    @field_validator("freezes")
    @classmethod
    def _names(cls, value: list[FreezeWindowSettings]) -> list[FreezeWindowSettings]:
        return _unique_names(value)


class DeploySettings(_Strict):
    freezes: list[FreezeWindowSettings] = []
    budget: BudgetSettings | None = None
    exempt: ExemptSettings = Field(default_factory=ExemptSettings)
    services: dict[str, ServiceSettings] = {}
    # the configuration line of each SLO file named, by where it is named ("budget",
    # "services.checkout"), set by the loader so a missing file is reported there
    _lines: dict[str, int | None] = PrivateAttr(default_factory=dict)

    @field_validator("freezes")
    @classmethod
    def _names(cls, value: list[FreezeWindowSettings]) -> list[FreezeWindowSettings]:
        return _unique_names(value)

    @property
    def window_days(self) -> int:
        return self.budget.window_days if self.budget else 28

    def plan(self, service: str | None) -> DeployPlan:
        """What applies to `service`: the top-level freezes plus its own, its SLO file or
        the top-level one. With no service, the union of every service's."""
        top = [("budget", self.budget.slos)] if self.budget else []
        if service is None:
            windows = list(self.freezes)
            slos = list(top)
            for name, entry in self.services.items():
                windows.extend(entry.freezes)
                if entry.slos:
                    slos.append((f"services.{name}", entry.slos))
            return DeployPlan(tuple(windows), tuple(dict.fromkeys(slos)), self.window_days)
        entry = self.services.get(service, ServiceSettings())
        own = [(f"services.{service}", entry.slos)] if entry.slos else top
        return DeployPlan((*self.freezes, *entry.freezes), tuple(own), self.window_days)

    def line_of(self, where: str) -> int | None:
        return self._lines.get(where)


@dataclass(frozen=True)
class DeployPlan:
    """The freezes and SLO files that apply to one service (or to all)."""

    windows: tuple[FreezeWindowSettings, ...]
    slos: tuple[tuple[str, str], ...]  # (where it is configured, path)
    window_days: int
