"""The canary judge: configuration + baseline and canary samples → per-metric classes, group
scores, a score and a verdict (Kayenta's NetflixACAJudge, step for step).

Per metric: NaN strategy (remove, or replace with 0), then outliers (kept, or removed when
outside both Tukey's fences at `outlier_factor` × IQR and the 1st–99th percentiles), then
the classifier at tolerance 0.25 and 98 % confidence (Kayenta hard-codes both). Then the
weighted-sum score and the thresholds. Where Kayenta answers "0, fail" because half the
metrics had no data, the verdict here is `inconclusive`: nobody saw the canary, so it is
neither passed nor proven bad — and never a pass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caution.rollout.classify import Classification, classify
from caution.rollout.config import CanaryConfig, MetricConfig, NanStrategy, Outliers
from caution.rollout.samples import SampleError, Samples
from caution.rollout.score import GroupScore, MetricOutcome, score, verdict

TOLERANCE, CONF_LEVEL = 0.25, 0.98


def handle_nans(values: Sequence[float], strategy: NanStrategy) -> list[float]:
    if strategy is NanStrategy.REMOVE:
        return [v for v in values if not math.isnan(v)]
    return [0.0 if math.isnan(v) else v for v in values]


def remove_outliers(
    values: Sequence[float], factor: float, *, reduce_sensitivity: bool = True
) -> list[float]:
    """Kayenta's IQR detector (percentiles as R's type 7). The judge reduces its sensitivity:
    a value must also lie outside the 1st–99th percentiles to be dropped."""
    if not values:
        return []
    data = np.asarray(values, dtype=float)
    p1, p25, p75, p99 = np.percentile(data, [1, 25, 75, 99])
    iqr = p75 - p25
    lower, upper = p25 - factor * iqr, p75 + factor * iqr
    if reduce_sensitivity:
        lower, upper = min(p1, lower), max(p99, upper)
    return [v for v in values if lower <= v <= upper]


def prepare(values: Sequence[float], metric: MetricConfig) -> list[float]:
    clean = handle_nans(values, metric.nan_strategy)
    if metric.outliers is Outliers.REMOVE:
        clean = remove_outliers(clean, metric.outlier_factor)
    return clean


@dataclass(frozen=True)
class MetricJudgement:
    config: MetricConfig
    classification: Classification


@dataclass(frozen=True)
class Judgement:
    verdict: str  # pass | marginal | fail | inconclusive
    score: float
    reason: str | None
    metrics: tuple[MetricJudgement, ...]
    groups: tuple[GroupScore, ...]


def judge(
    config: CanaryConfig,
    baseline: Samples,
    canary: Samples,
    *,
    baseline_name: str = "the baseline",
    canary_name: str = "the canary",
) -> Judgement:
    """Raises SampleError when a configured metric is absent from either side: a misspelt
    name would otherwise read as no data and, outside the score, let a bad canary pass."""
    for metric in config.metrics:
        for samples, where in ((baseline, baseline_name), (canary, canary_name)):
            if not metric.muted and metric.name not in samples:
                known = ", ".join(sorted(samples)) or "none"
                raise SampleError(f"{where}: no metric {metric.name!r} (it has: {known})")
    judged = []
    for metric in config.metrics:
        result = classify(
            prepare(canary.get(metric.name, []), metric),
            prepare(baseline.get(metric.name, []), metric),
            name=metric.name,
            direction=metric.direction,
            nan_strategy=metric.nan_strategy,
            critical=metric.critical,
            must_have_data=metric.must_have_data,
            tolerance=TOLERANCE,
            conf_level=CONF_LEVEL,
            allowed=(metric.effect_size.allowed_decrease, metric.effect_size.allowed_increase),
            critical_limits=(
                metric.effect_size.critical_decrease,
                metric.effect_size.critical_increase,
            ),
            measure=metric.effect_size.measure,
        )
        judged.append(MetricJudgement(metric, result))
    outcomes = [
        MetricOutcome(
            j.config.name,
            j.classification.label,
            (j.config.group or j.config.name,),  # ungrouped: a group of its own
            j.classification.critical,
            j.config.muted,
            j.classification.reason,
        )
        for j in judged
    ]
    scored = score(outcomes, config.groups)
    if scored.failure == "nodata" or all(o.muted for o in outcomes):
        outcome = "inconclusive"  # nobody saw the canary: neither passed nor proven bad
    else:
        outcome = verdict(scored.score, config.thresholds.pass_, config.thresholds.marginal)
    return Judgement(outcome, scored.score, scored.reason, tuple(judged), scored.groups)
