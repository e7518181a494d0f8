"""Kayenta's own MannWhitneySuite, re-expressed as vectors (Apache-2.0, see SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caution.rollout.mannwhitney import mann_whitney, normal_quantile

DATA = json.loads(
    (Path(__file__).parent.parent / "data" / "rollout" / "kayenta_mannwhitney.json").read_text()
)


def cases(kind: str) -> list[dict[str, Any]]:
    return [c for c in DATA["cases"] if c["kind"] == kind]


@pytest.mark.parametrize("case", cases("mann_whitney_u_test"), ids=lambda c: c["test"])
def test_interval_and_estimate(case: dict[str, Any]) -> None:
    result = mann_whitney(case["x"], case["y"], conf_level=case["confidence_level"])
    expected, tol = case["expected"], case["abs_tol"]
    assert result.ci[0] == pytest.approx(expected["ci_low"], abs=tol["ci_low"])
    assert result.ci[1] == pytest.approx(expected["ci_high"], abs=tol["ci_high"])
    assert result.estimate == pytest.approx(expected["estimate"], abs=tol["estimate"])


def test_normal_quantile() -> None:
    (case,) = cases("normal_quantile")
    assert normal_quantile(case["p"]) == pytest.approx(case["expected"], abs=case["abs_tol"])


def test_suite_is_all_here() -> None:
    assert len(cases("mann_whitney_u_test")) == 4
