"""Kayenta's metric classifier (NetflixACAJudge's MannWhitneyClassifier): one metric's canary
sample against its baseline → Pass, High, Low, Nodata, NodataFailMetric or Error.

In order (spinnaker/kayenta, `MannWhitneyClassifier.classify`):
1. no data on either side → NodataFailMetric when data is required of a non-critical metric,
   else Nodata (critical when the metric is); with NaN replacement, Pass;
2. identical samples (as multisets) → Pass; one distinct value across both → Pass;
3. Mann-Whitney interval at `conf_level` against a band of ± tolerance × |estimate|: High when
   the interval's lower end clears the band upwards (direction increase or either) and the
   effect size reaches `allowed_increase`; Low symmetrically; otherwise Pass;
4. a critical metric is a critical failure when High (Low) also reaches `critical_increase`
   (falls to `critical_decrease`); a NaN effect size never blocks.
Both samples constant (and different) get Gaussian noise of 1e-5 of their value first, as
in Kayenta, so the test has something to rank; seeded here, so a judgement is repeatable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.stats import rankdata

from caution.rollout.config import Direction, EffectMeasure, NanStrategy
from caution.rollout.mannwhitney import StatisticsError, mann_whitney


class Label(StrEnum):
    PASS = "Pass"
    HIGH = "High"
    LOW = "Low"
    NODATA_FAIL = "NodataFailMetric"
    NODATA = "Nodata"
    ERROR = "Error"


@dataclass(frozen=True)
class Classification:
    label: Label
    reason: str | None
    deviation: float  # mean ratio canary / baseline (NaN when a mean is 0)
    critical: bool
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    effect: float | None = None


def mean(values: Sequence[float]) -> float:
    """commons-math's corrected two-pass mean, as Kayenta computes it."""
    data = np.asarray(values, dtype=float)
    first = float(np.sum(data) / len(data))
    return first + float(np.sum(data - first) / len(data))


def mean_ratio(control: Sequence[float], experiment: Sequence[float]) -> float:
    control_mean, experiment_mean = mean(control), mean(experiment)
    if control_mean == 0.0 or experiment_mean == 0.0:
        return math.nan
    return experiment_mean / control_mean


def cles(control: Sequence[float], experiment: Sequence[float]) -> float:
    """Common-language effect size: P(canary > baseline) + ½ P(tie)."""
    m, n = len(experiment), len(control)
    ranks = rankdata(np.concatenate([np.asarray(experiment, float), np.asarray(control, float)]))
    return float((2 * np.sum(ranks[:m]) - m * (m + 1)) / (2 * n * m))


def _noised(values: list[float], rng: np.random.Generator) -> list[float]:
    scale = abs(values[0]) * 1e-5
    return [v + float(rng.normal(0.0, scale)) if scale else v for v in values]


def classify(
    experiment: Sequence[float],
    control: Sequence[float],
    *,
    name: str = "metric",
    direction: Direction = Direction.EITHER,
    nan_strategy: NanStrategy = NanStrategy.REMOVE,
    critical: bool = False,
    must_have_data: bool = False,
    tolerance: float = 0.25,
    conf_level: float = 0.98,
    allowed: tuple[float, float] = (1.0, 1.0),  # (decrease, increase)
    critical_limits: tuple[float, float] = (1.0, 1.0),
    measure: EffectMeasure = EffectMeasure.MEAN_RATIO,
    seed: int = 0,
) -> Classification:
    canary, baseline = list(experiment), list(control)
    if not canary or not baseline:
        if nan_strategy is NanStrategy.REMOVE:
            reason = f"Missing data for {name}"
            if must_have_data and not critical:
                return Classification(Label.NODATA_FAIL, reason, 1.0, False)
            return Classification(Label.NODATA, reason, 1.0, critical)
        return Classification(Label.PASS, None, 1.0, False)
    if sorted(canary) == sorted(baseline):
        return Classification(Label.PASS, "The canary and baseline data are identical", 1.0, False)
    if len(set(canary) | set(baseline)) == 1:
        return Classification(Label.PASS, None, 1.0, False)

    if len(set(canary)) == 1 and len(set(baseline)) == 1:
        rng = np.random.default_rng(seed)
        canary, baseline = _noised(canary, rng), _noised(baseline, rng)
    try:
        test = mann_whitney(canary, baseline, conf_level=conf_level)
    except StatisticsError as exc:
        return Classification(Label.ERROR, f"Metric Classification Failed: {exc}", math.nan, False)
    deviation = mean_ratio(baseline, canary)
    effect = deviation if measure is EffectMeasure.MEAN_RATIO else cles(baseline, canary)
    band = tolerance * abs(test.estimate)
    low, high = test.ci
    is_high = (
        direction in (Direction.INCREASE, Direction.EITHER)
        and low > band
        and (math.isnan(effect) or effect >= allowed[1])
    )
    is_low = (
        not is_high
        and direction in (Direction.DECREASE, Direction.EITHER)
        and high < -band
        and (math.isnan(effect) or effect <= allowed[0])
    )
    label = Label.HIGH if is_high else Label.LOW if is_low else Label.PASS
    critical_high = label is Label.HIGH and (math.isnan(effect) or effect >= critical_limits[1])
    critical_low = label is Label.LOW and (math.isnan(effect) or effect <= critical_limits[0])
    failed_critically = critical and (critical_high or critical_low)
    if failed_critically:
        why: str | None = f"The metric {name} was classified as {label} (Critical)"
    else:
        why = None if label is Label.PASS else f"{name} was classified as {label}"
    return Classification(label, why, deviation, failed_critically, test.estimate, test.ci, effect)
