"""The canary configuration: Kayenta's canary config in snake case, with Kayenta's defaults
where a key is absent (direction either, NaN removed, outliers kept with factor 3, effect
size by mean ratio with nothing allowed beyond the Mann-Whitney verdict, not critical, no
data allowed), loaded with `file:line` errors.

```yaml
metrics:
  - name: latency_ms
    group: latency
    direction: increase          # increase | decrease | either
    critical: false
    must_have_data: false
    nan_strategy: remove         # remove | replace
    outliers: keep               # keep | remove  (outlier_factor: 3.0)
    effect_size: {measure: mean_ratio, allowed_increase: 1.0, allowed_decrease: 1.0}
  - {name: errors, group: errors, direction: increase, critical: true}
groups: {latency: 50, errors: 50}
thresholds: {pass: 95, marginal: 75}
```

For `caution canary run`, each metric may carry a PromQL `query` template (Kayenta's
customInlineTemplate) in which `${scope}` stands for the label matchers of one arm, and two
optional top-level sections say which matchers and how often to measure (Argo Rollouts' names
in snake case, durations written as Argo writes them):

```yaml
metrics:
  - name: latency_p90
    query: histogram_quantile(0.9, sum by (le) (rate(http_seconds_bucket{${scope}}[1m])))
scopes: {baseline: 'version="v1"', canary: 'version="v2"'}
analysis: {interval: 30s, count: 10, step: 10s, lookback: 5m,
           failure_limit: 0, inconclusive_limit: 0, consecutive_error_limit: 4}
```
Whether a configuration can drive a run (scopes present, every metric with a query) is checked
by the run (rollout/canary_run.py), not here: `caution canary judge` needs none of it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from caution.rollout.duration import Duration
from caution.yaml_source import SourceDoc, read_yaml, validate_at

SCOPE = "${scope}"
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def _in_string_literal(query: str, text: str) -> bool:
    """Whether `text` starts inside a PromQL string ("…" and '…' with backslash escapes,
    `…` raw). Filled in there, matchers become part of a label value: the query either
    does not parse (found only after the first interval) or quietly means something else."""
    quote: str | None = None
    i = 0
    while i < len(query):
        char = query[i]
        if quote is None:
            if char in "\"'`":
                quote = char
            i += 1
            continue
        if query.startswith(text, i):
            return True
        if char == "\\" and quote != "`":
            i += 2
            continue
        if char == quote:
            quote = None
        i += 1
    return False


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    EITHER = "either"


class NanStrategy(StrEnum):
    REMOVE = "remove"
    REPLACE = "replace"


class Outliers(StrEnum):
    KEEP = "keep"
    REMOVE = "remove"


class EffectMeasure(StrEnum):
    MEAN_RATIO = "mean_ratio"
    CLES = "cles"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Upper bounds past which a number is a typo, not a setting: a canary allowed to be a
# thousand times slower is not judged at all, and ten thousand measurements are a week of
# one-minute intervals.
MAX_RATIO = 1000.0
MAX_COUNT = 10_000


class EffectSize(_Strict):
    measure: EffectMeasure = EffectMeasure.MEAN_RATIO
    allowed_increase: float = Field(default=1.0, gt=0, le=MAX_RATIO)
    allowed_decrease: float = Field(default=1.0, gt=0, le=MAX_RATIO)
    critical_increase: float = Field(default=1.0, gt=0, le=MAX_RATIO)
    critical_decrease: float = Field(default=1.0, gt=0, le=MAX_RATIO)


class SequentialMethod(StrEnum):
    MEAN = "mean"
    POISSON = "poisson"


class MetricSequential(_Strict):
    """How `canary run --sequential` tests this metric: `mean` compares means (latency);
    `poisson` compares counts per step (errors), per unit of the `exposure` metric
    (requests) when one is named. `scale` is the prior's scale: the relative difference
    worth detecting for `mean` (default 0.05), the log rate ratio for `poisson` (default
    log 2)."""

    test: SequentialMethod = SequentialMethod.MEAN
    scale: float | None = Field(default=None, gt=0, le=MAX_RATIO)
    exposure: str | None = None
    min_samples: int = Field(default=5, ge=2, le=1_000_000)


class CanarySequential(_Strict):
    alpha: float = Field(default=0.05, gt=0, lt=1)


class MetricConfig(_Strict):
    name: str = Field(min_length=1)
    group: str | None = None
    direction: Direction = Direction.EITHER
    critical: bool = False
    must_have_data: bool = False
    muted: bool = False
    nan_strategy: NanStrategy = NanStrategy.REMOVE
    outliers: Outliers = Outliers.KEEP
    outlier_factor: float = Field(default=3.0, gt=0, le=MAX_RATIO)
    effect_size: EffectSize = EffectSize()
    sequential: MetricSequential = MetricSequential()
    query: str | None = Field(default=None, min_length=1)

    @field_validator("query")
    @classmethod
    def _scoped(cls, query: str | None) -> str | None:
        """A query without `${scope}` asks the same question of both arms: the canary would
        be compared with itself and always pass."""
        if query is None:
            return None
        unknown = sorted({p for p in _PLACEHOLDER.findall(query) if p != "scope"})
        if unknown:
            raise ValueError(f"unknown placeholder ${{{unknown[0]}}} (only {SCOPE} is filled in)")
        if SCOPE not in query:
            raise ValueError(f"the query must contain {SCOPE}, where each arm's matchers go")
        if _in_string_literal(query, SCOPE):
            raise ValueError(
                f"{SCOPE} is inside a string literal: it stands for label matchers "
                '(version="v2"), so write it between the braces, e.g. up{${scope}}'
            )
        return query


class Thresholds(_Strict):
    pass_: float = Field(default=95.0, alias="pass", ge=0, le=100)
    marginal: float = Field(default=75.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.marginal > self.pass_:
            raise ValueError("marginal must not be above pass")
        return self


class Scopes(_Strict):
    """The label matchers that select each arm, put where a query says `${scope}`."""

    baseline: str = Field(min_length=1)
    canary: str = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Scopes:
        for arm, matchers in (("baseline", self.baseline), ("canary", self.canary)):
            if not matchers.strip():
                # `up{ }` selects every series: both arms, the canary among the baseline
                raise ValueError(f"the {arm} scope is blank: it would select both arms")
        if self.baseline.strip() == self.canary.strip():
            raise ValueError(
                "baseline and canary scopes are the same: the canary would be judged against itself"
            )
        return self


class Analysis(_Strict):
    """How often and over what window `caution canary run` measures (Argo Rollouts' metric
    fields). `count` measurements, one every `interval`, the first one interval after the
    start; without an interval a single measurement, at once. `lookback` is how far back each
    measurement queries; without it, back to the start of the run."""

    interval: Duration | None = None
    count: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    step: Duration = 60.0  # Kayenta's default step
    lookback: Duration | None = None
    failure_limit: int = Field(default=0, ge=0, le=MAX_COUNT)
    inconclusive_limit: int = Field(default=0, ge=0, le=MAX_COUNT)
    consecutive_error_limit: int = Field(default=4, ge=0, le=MAX_COUNT)

    @model_validator(mode="after")
    def _bounded(self) -> Analysis:
        if self.interval is None and self.count is not None and self.count > 1:
            raise ValueError("count above 1 needs an interval between measurements (Argo)")
        if self.interval is not None and self.count is None:
            # Argo runs such a metric until the rollout stops it; a command must end by itself
            raise ValueError("an interval needs a count: a run without one would never pass")
        return self


class CanaryConfig(_Strict):
    metrics: list[MetricConfig] = Field(min_length=1)
    groups: dict[str, Annotated[float, Field(ge=0, le=100)]] = {}  # percent of the score
    thresholds: Thresholds = Thresholds()
    sequential: CanarySequential = CanarySequential()
    scopes: Scopes | None = None
    analysis: Analysis = Analysis()

    @model_validator(mode="after")
    def _consistent(self) -> CanaryConfig:
        names = [m.name for m in self.metrics]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"metric names must be unique: {', '.join(twice)}")
        for metric in self.metrics:
            exposure = metric.sequential.exposure
            if exposure is not None and exposure not in names:
                raise ValueError(f"metric {metric.name!r}: exposure {exposure!r} is not a metric")
            if exposure is not None and metric.sequential.test is not SequentialMethod.POISSON:
                raise ValueError(f"metric {metric.name!r}: exposure needs test: poisson")
        if sum(self.groups.values()) > 100 + 1e-9:
            raise ValueError("group weights add up to more than 100")
        return self  # groups without a weight share what is left (Kayenta)


def canary_config_from_doc(doc: SourceDoc) -> CanaryConfig:
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with metrics, groups and thresholds")
    config: CanaryConfig = validate_at(doc, (), CanaryConfig, doc.data)
    return config


def load_canary_config(path: Path) -> CanaryConfig:
    return canary_config_from_doc(read_yaml(path, str(path)))
