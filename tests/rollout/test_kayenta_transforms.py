"""Kayenta's NaN and IQR outlier cases (TransformSuite, DetectorSuite) as vectors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from caution.rollout.config import NanStrategy
from caution.rollout.judge import handle_nans, remove_outliers

DATA = json.loads(
    (Path(__file__).parent.parent / "data" / "rollout" / "kayenta_transforms.json").read_text()
)


def numbers(values: list[Any]) -> list[float]:
    return [math.nan if v == "NaN" else float(v) for v in values]


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["test"])
def test_kayenta_transforms(case: dict[str, Any]) -> None:
    values = numbers(case["input"])
    if case["kind"] == "remove_nans":
        assert handle_nans(values, NanStrategy.REMOVE) == case["expected"]
    elif case["kind"] == "replace_nans":
        assert handle_nans(values, NanStrategy.REPLACE) == case["expected"]
    else:
        detector = case["detector"]
        kept = remove_outliers(
            values, detector["factor"], reduce_sensitivity=detector["reduceSensitivity"]
        )
        if case["kind"] == "remove_outliers":
            assert kept == case["expected"]
        else:  # outlier_detect: flags per value
            assert [v not in kept for v in values] == case["expected"]


def test_reduced_sensitivity_keeps_more() -> None:
    values = [float(v) for v in range(100)] + [400.0]
    assert 400.0 not in remove_outliers(values, 1.5, reduce_sensitivity=False)
    assert remove_outliers(values, 1.5) != []
