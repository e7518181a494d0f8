"""Kayenta's ScorerSuite as vectors (Apache-2.0), plus the pass/marginal/fail thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caution.rollout.classify import Label
from caution.rollout.score import MetricOutcome, score, verdict

DATA = json.loads(
    (Path(__file__).parent.parent / "data" / "rollout" / "kayenta_scorer.json").read_text()
)


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["test"])
def test_kayenta_scorer_suite(case: dict[str, Any]) -> None:
    results = [
        MetricOutcome(r["name"], Label(r["classification"]), tuple(r["groups"]), r["critical"])
        for r in case["results"]
    ]
    outcome = score(results, case["group_weights"])
    expected = case["expected"]
    assert outcome.score == expected["summaryScore"]
    by_name = {g.name: g for g in outcome.groups}
    for name, value in expected.get("group_scores", {}).items():
        assert by_name[name].score == value
    for name, value in expected.get("group_noData", {}).items():
        assert by_name[name].no_data is value
    if "group_scores_sorted" in expected:
        assert sorted(g.score for g in outcome.groups) == expected["group_scores_sorted"]


def test_muted_metrics_do_not_count() -> None:
    results = [
        MetricOutcome("a", Label.PASS, ("g",)),
        MetricOutcome("b", Label.HIGH, ("g",), muted=True),
    ]
    assert score(results, {}).score == 100.0


def test_thresholds() -> None:
    assert verdict(95.0, 95, 75) == "pass"
    assert verdict(94.99, 95, 75) == "marginal"
    assert verdict(75.0, 95, 75) == "marginal"
    assert verdict(74.99, 95, 75) == "fail"
