"""SLO definitions for `caution slo status`, and their event counts from JSON files.

```yaml
slos:
  - name: checkout-availability
    objective: 99.9            # percent of good events over 30 days
    min_events: 100            # minimum-traffic guard per window (default 0)
    stale_after: 15m           # no bucket newer than this → "stale", not "ok" (default 15m)
    events: checkout.json      # {"buckets": [{"end": 1767225600, "good": 998, "total": 1000}, …]}
```
The events path is relative to the configuration file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from caution.json_file import JsonFileError, read_json
from caution.repo_paths import text_problem
from caution.rollout.burn import Bucket, Budget, BurnReport, assess_burn, error_budget
from caution.rollout.duration import Duration
from caution.rollout.samples import SampleError, finite
from caution.yaml_source import SourceDoc, read_yaml, validate_at


def _path_text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(f"the path {value!r} {problem}")
    return value


# a file a configuration names: no NUL (a ValueError in every os call), no line breaks
PathText = Annotated[str, AfterValidator(_path_text)]


class SloConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1)
    objective: float = Field(gt=0, lt=100)
    min_events: float = Field(default=0, ge=0, le=2.0**53)  # as event counts themselves
    events: PathText = Field(min_length=1)
    stale_after: Duration = 15 * 60.0  # seconds; written like "15m"


class SloFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    slos: list[SloConfig] = Field(min_length=1)


def load_slos(path: Path, *, follow_symlinks: bool = True) -> list[SloConfig]:
    """The SLOs of `path`; `follow_symlinks=False` when another file named it."""
    return slos_from_doc(read_yaml(path, str(path), follow_symlinks=follow_symlinks))


def slos_from_doc(doc: SourceDoc) -> list[SloConfig]:
    """The SLOs of a parsed SLO file (read from a file, or from a commit by the gate)."""
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with a list of slos")
    parsed: SloFile = validate_at(doc, (), SloFile, doc.data)
    return parsed.slos


_EXACT = 2.0**53


def read_buckets(path: Path) -> list[Bucket]:
    """Event counts per time bucket; every problem names the file and the bucket. The SLO
    file names this one, so a link is not followed (nor a FIFO, device or huge file read)."""
    try:
        doc = read_json(path, follow_symlinks=False)
    except JsonFileError as exc:
        raise SampleError(str(exc)) from exc
    return buckets_from_json(doc, path)


def buckets_from_json(doc: Any, path: Path | str) -> list[Bucket]:
    """The buckets of a parsed events file; `path` names it in errors."""
    rows = doc.get("buckets") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise SampleError(f'{path}: expected {{"buckets": [{{"end", "good", "total"}}, …]}}')
    buckets = []
    seen: set[float] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != {"end", "good", "total"}:
            raise SampleError(f"{path}: bucket {i} needs exactly end, good and total")
        raw = [row["end"], row["good"], row["total"]]
        values = [
            None if isinstance(v, bool) or not isinstance(v, int | float) else finite(v)
            for v in raw
        ]
        if any(v is None for v in values):
            raise SampleError(f"{path}: bucket {i}: end, good and total must be finite numbers")
        if any(abs(v) > _EXACT for v in values if v is not None):
            # sums of counts this large lose precision, then overflow to inf and NaN: the
            # burn rate of a broken export must not read as "ok"
            raise SampleError(f"{path}: bucket {i}: counts above 2**53 are not event counts")
        end, good, total = (float(v) for v in values if v is not None)
        if not 0 <= good <= total:
            raise SampleError(f"{path}: bucket {i}: need 0 <= good <= total")
        if end in seen:
            # summed twice, a file delivered twice would halve the budget: say so instead
            raise SampleError(f"{path}: bucket {i}: a second bucket ending at {end:g}")
        seen.add(end)
        buckets.append(Bucket(end, good, total))
    return buckets


def slo_status(config: Path, now: float) -> list[tuple[SloConfig, BurnReport]]:
    """Each SLO of `config` with its burn report at `now`; event files are found relative
    to the configuration."""
    reports = []
    for slo in load_slos(config):
        buckets = read_buckets(config.parent / slo.events)
        report = assess_burn(
            buckets,
            slo.objective / 100,
            now=now,
            min_events=slo.min_events,
            stale_after=slo.stale_after,
        )
        reports.append((slo, report))
    return reports


def slo_budgets(
    config: Path, now: float, span: float, *, follow_symlinks: bool = True
) -> list[tuple[SloConfig, Budget]]:
    """Each SLO of `config` with its error budget over the `span` seconds before `now`,
    from the same event files as `slo_status`."""
    budgets = []
    for slo in load_slos(config, follow_symlinks=follow_symlinks):
        buckets = read_buckets(config.parent / slo.events)
        budgets.append((slo, slo_budget(slo, buckets, now, span)))
    return budgets


def slo_budget(slo: SloConfig, buckets: list[Bucket], now: float, span: float) -> Budget:
    """The error budget of one SLO over the `span` seconds before `now`."""
    return error_budget(buckets, slo.objective / 100, now, span, slo.stale_after)
