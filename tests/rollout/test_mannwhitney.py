"""Mann-Whitney with Hodges-Lehmann interval against R's wilcox.test, value for value."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.rollout.mannwhitney import StatisticsError, mann_whitney
from caution.rollout.zeroin import zeroin

VECTORS = Path(__file__).parent.parent / "data" / "rollout" / "wilcox_r.tsv"


def r_cases() -> list[dict[str, str]]:
    with VECTORS.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize("case", r_cases(), ids=lambda c: f"n{c['x'].count(',') + 1}")
def test_matches_r(case: dict[str, str]) -> None:
    x = [float(v) for v in case["x"].split(",")]
    y = [float(v) for v in case["y"].split(",")]
    result = mann_whitney(x, y, conf_level=0.98)
    assert result.statistic == pytest.approx(float(case["W"]), abs=1e-9)
    assert result.p_value == pytest.approx(float(case["p"]), abs=1e-12)
    assert result.estimate == pytest.approx(float(case["estimate"]), abs=1e-6)
    assert result.ci[0] == pytest.approx(float(case["low"]), abs=1e-6)
    assert result.ci[1] == pytest.approx(float(case["high"]), abs=1e-6)


def test_enough_vectors() -> None:
    assert len(r_cases()) >= 30


def test_degenerate_samples() -> None:
    with pytest.raises(StatisticsError, match="tied"):
        mann_whitney([1.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(StatisticsError, match="at least one"):
        mann_whitney([], [1.0])
    with pytest.raises(StatisticsError, match="finite"):
        mann_whitney([float("nan"), 1.0], [1.0, 2.0])


def test_zeroin_finds_a_root_and_refuses_a_bad_bracket() -> None:
    found = zeroin(lambda v: v**3 - 2, 0.0, 3.0, tol=1e-10)
    assert found.converged and found.root == pytest.approx(2 ** (1 / 3), abs=1e-9)
    with pytest.raises(ValueError, match="opposite signs"):
        zeroin(lambda v: v * v + 1, -1.0, 1.0)


samples = st.lists(st.integers(-50, 50).map(float), min_size=2, max_size=30)


@given(samples, samples)
def test_interval_holds_the_estimate(x: list[float], y: list[float]) -> None:
    try:
        result = mann_whitney(x, y)
    except StatisticsError:
        return  # every observation tied
    low, high = result.ci
    assert min(x) - max(y) <= low <= high <= max(x) - min(y)
    assert low - 1e-3 <= result.estimate <= high + 1e-3
    assert 0 <= result.p_value <= 1
