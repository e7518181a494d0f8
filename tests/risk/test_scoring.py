"""Scores, percentiles and top factors of a fitted model, the stored training set, and
the `risk` policy predicate."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.cache import write_cache
from caution.policy.change import Change
from caution.policy.predicates import REGISTRY, RiskCondition
from caution.risk.features import FEATURES, Dataset
from caution.risk.model import fit
from caution.risk.scoring import Scorer
from caution.risk.service import RangeRisk
from caution.risk.store import (
    TRAINING_FILE,
    TrainingSet,
    TrainingStoreError,
    load,
    save,
    training_path,
)

LA = FEATURES.index("la")


def synthetic(n: int = 600, seed: int = 1) -> Dataset:
    """Defects driven by lines added, everything else noise."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 20, size=(n, len(FEATURES))).astype(float)
    rows[:, LA] = rng.lognormal(3, 1.5, size=n)
    p = 1 / (1 + np.exp(-(np.log1p(rows[:, LA]) - 5)))
    labels = (rng.random(n) < p).astype(int)
    return Dataset(rows.tolist(), labels.tolist(), [float(i * 3600) for i in range(n)])


def test_top_factor_of_a_huge_change_is_lines_added() -> None:
    data = synthetic()
    model = fit(data.rows, data.labels, data.times)
    assert model.kind == "ensemble"
    scorer = Scorer.build(model, data.rows)
    small = [float(v) for v in scorer.medians]
    huge = [*small[:LA], 20000.0, *small[LA + 1 :]]
    low, high = scorer.score(["a" * 40, "b" * 40], [small, huge])
    assert high.probability > low.probability + 0.2
    assert high.percentile > 90 > low.percentile
    assert high.top_factors[0].feature == "la"
    assert high.top_factors[0].effect == "+"
    assert high.features["la"] == 20000.0


def test_percentile_counts_ties_half() -> None:
    data = synthetic()
    scorer = Scorer(fit(data.rows, data.labels, data.times), [0.1, 0.2, 0.2, 0.3], [0.0] * 14)
    assert scorer.percentile(0.2) == 50
    assert scorer.percentile(0.05) == 0
    assert scorer.percentile(0.9) == 100


def test_store_round_trip_and_gitignore(tmp_path: Path) -> None:
    data = synthetic(50)
    save(tmp_path, TrainingSet("f" * 40, 30.0, data))
    again = load(tmp_path)
    assert again is not None and again.head == "f" * 40 and again.maturity_days == 30.0
    assert again.data.rows == data.rows and again.data.labels == data.labels
    assert load(tmp_path / "elsewhere") is None
    # a training set nobody signed (committed, copied, planted) is never read
    training_path(tmp_path).write_text(training_path(tmp_path).read_text("latin-1")[:40])
    assert load(tmp_path) is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 99}',
        json.dumps({"version": 1, "features": ["la"]}),
        json.dumps(
            {"version": 1, "features": list(FEATURES), "rows": [[1]], "labels": [0], "times": [0]}
        ),
        json.dumps(
            {
                "version": 1,
                "features": list(FEATURES),
                "rows": [[0] * 14],
                "labels": [2],
                "times": [0],
            }
        ),
        '{"version": 1, "features": FEATURES, "rows": [[0,0,0,0,0,0,0,0,0,0,0,0,0,0]],'
        ' "labels": [0], "times": [NaN]}'.replace("FEATURES", json.dumps(list(FEATURES))),
        '{"version": 1, "features": FEATURES, "rows": [], "labels": [], "times": [],'
        ' "maturity_days": "abc"}'.replace("FEATURES", json.dumps(list(FEATURES))),
        "[" * 100000,
    ],
)
def test_a_broken_store_is_a_clear_error(tmp_path: Path, content: str) -> None:
    write_cache(tmp_path, TRAINING_FILE, content.encode())  # signed: an older caution's file
    with pytest.raises(TrainingStoreError, match=r"risk-training\.json"):
        load(tmp_path)


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=5),
        lambda kids: (
            st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_json_loads_or_fails_cleanly(
    tmp_path_factory: pytest.TempPathFactory, doc: object
) -> None:
    root = tmp_path_factory.mktemp("store")
    payload = {"version": 1, "features": list(FEATURES), "rows": doc, "labels": doc, "times": doc}
    write_cache(root, TRAINING_FILE, json.dumps(doc if isinstance(doc, dict) else payload).encode())
    with contextlib.suppress(TrainingStoreError):
        load(root)


def change_with(risk: object) -> Change:
    change = Change.__new__(Change)
    object.__setattr__(change, "facts", {"risk": risk} if risk is not None else {})
    return change


def range_risk(probability: float, percentile: int) -> RangeRisk:
    data = synthetic(200)
    scorer = Scorer(fit(data.rows, data.labels, data.times), [], [0.0] * 14)
    (score,) = scorer.score(["c" * 40], [data.rows[0]])
    fixed = type(score)(score.sha, probability, percentile, score.features, ())
    return RangeRisk([fixed], "ensemble", "", "d" * 40)


def test_risk_predicate() -> None:
    spec = REGISTRY["risk"]
    above = RiskCondition.model_validate({"probability": "> 0.4"})
    top = RiskCondition.model_validate({"percentile": ">= 90"})
    assert spec.evaluate(above, change_with(range_risk(0.55, 70)), None).matched  # type: ignore[arg-type]
    assert not spec.evaluate(above, change_with(range_risk(0.2, 95)), None).matched  # type: ignore[arg-type]
    assert spec.evaluate(top, change_with(range_risk(0.2, 95)), None).matched  # type: ignore[arg-type]
    unknown = spec.evaluate(top, change_with(None), None)  # type: ignore[arg-type]
    assert not unknown.matched and "caution risk train" in unknown.reason
    with pytest.raises(ValueError, match="probability or percentile"):
        RiskCondition.model_validate({})


def test_defects_on_one_side_of_the_calibration_cut_fall_back() -> None:
    data = synthetic(400)
    cut = int(400 * 0.8)
    newest_only = [0] * cut + [1] * (400 - cut)
    model = fit(data.rows, newest_only, data.times)
    assert model.kind == "lines-added" and "older or only in the newer" in model.note
    oldest_only = [1 if i % 3 == 0 else 0 for i in range(cut)] + [0] * (400 - cut)
    assert fit(data.rows, oldest_only, data.times).kind == "lines-added"
