"""Kayenta's ClassifierSuite (Mann-Whitney cases), re-expressed as vectors (Apache-2.0)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from caution.rollout.classify import Label, classify, cles, mean_ratio
from caution.rollout.config import Direction, EffectMeasure, NanStrategy

DATA = json.loads(
    (Path(__file__).parent.parent / "data" / "rollout" / "kayenta_classifier.json").read_text()
)


def numbers(values: list[Any]) -> list[float]:
    return [math.nan if v == "NaN" else float(v) for v in values]


def run(case: dict[str, Any]) -> Any:
    setup, args = case["classifier"], case["classify"]
    strategy = NanStrategy(args["nanStrategy"].lower())
    experiment, control = numbers(case["experiment"]["values"]), numbers(case["control"]["values"])
    if strategy is NanStrategy.REMOVE:
        experiment = [v for v in experiment if not math.isnan(v)]
        control = [v for v in control if not math.isnan(v)]
    else:
        experiment = [0.0 if math.isnan(v) else v for v in experiment]
        control = [0.0 if math.isnan(v) else v for v in control]
    return classify(
        experiment,
        control,
        name=case["experiment"]["name"],
        direction=Direction(args["direction"].lower()),
        nan_strategy=strategy,
        critical=args["isCriticalMetric"],
        must_have_data=args["isDataRequired"],
        tolerance=setup["tolerance"],
        conf_level=setup["confLevel"],
        allowed=(
            setup["effectSizeThresholds"]["decrease"],
            setup["effectSizeThresholds"]["increase"],
        ),
        critical_limits=(
            setup["criticalThresholds"]["decrease"],
            setup["criticalThresholds"]["increase"],
        ),
        measure=EffectMeasure.CLES
        if setup["effectSizeMeasure"] == "cles"
        else EffectMeasure.MEAN_RATIO,
    )


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["test"])
def test_kayenta_classifier_suite(case: dict[str, Any]) -> None:
    result = run(case)
    expected = case["expected"]
    if "classification" in expected:
        assert result.label == Label(expected["classification"]), result.reason
    if "critical" in expected:
        assert result.critical is expected["critical"]
    if "deviation" in expected:
        if expected["deviation"] == "NaN":
            assert math.isnan(result.deviation)
        else:
            assert result.deviation == pytest.approx(expected["deviation"])
    if expected.get("reason_non_empty"):
        assert result.reason


def test_effect_sizes() -> None:
    assert mean_ratio([1.0, 3.0], [4.0, 4.0]) == 2.0
    assert math.isnan(mean_ratio([0.0, 0.0], [1.0]))
    assert cles([1.0, 2.0], [3.0, 4.0]) == 1.0
    assert cles([1.0, 2.0], [1.0, 2.0]) == 0.5
