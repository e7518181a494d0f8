"""The risk model: logistic regression and gradient boosting on log-transformed Kamei
metrics (plus churn ratios), both weighting recent history more, averaged, and calibrated
on the most recent part of the training history. The same settings for every repository.

Why this shape: on time-ordered splits, deep models barely beat "lines added" (Zeng et
al., ISSTA 2021); a careful model on the 14 metrics does. Projects drift, so training
changes are weighted by exp(-age / 0.25 of the training span). Averaging a linear and a
tree model is steadier across projects than either alone. With too little history (fewer
than 100 training changes or 10 defects) the model falls back to ranking by lines added
with the training base rate as its scale, and says so; so it does when every defect lies
in the fitting part or every one in the calibrating part, where neither step could learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from caution.risk.features import FEATURES

RECENCY = 0.25  # weight half-life-ish, as a share of the training span
MIN_TRAIN, MIN_DEFECTS = 100, 10
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def design(rows: Sequence[Sequence[float]]) -> np.ndarray:
    x = np.asarray(rows, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(FEATURES):
        raise ValueError(f"expected rows of {len(FEATURES)} features")
    la, ld, lt, nf = (x[:, _INDEX[n]] for n in ("la", "ld", "lt", "nf"))
    ratios = np.column_stack([la / (lt + 1), ld / (lt + 1), lt / (nf + 1), (la + ld) / (nf + 1)])
    return np.asarray(np.log1p(np.clip(np.column_stack([x, ratios]), 0, None)), dtype=float)


def recency_weights(times: Sequence[float]) -> np.ndarray:
    t = np.asarray(times, dtype=float)
    span = float(t.max() - t.min()) or 1.0
    return np.asarray(np.exp(-(t.max() - t) / span / RECENCY), dtype=float)


@dataclass
class RiskModel:
    kind: str  # ensemble | lines-added
    models: list[Any]
    scale: tuple[float, float]  # Platt calibration a, b of the averaged score
    base_rate: float
    note: str = ""

    def raw(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        x = design(rows)
        if self.kind == "lines-added":
            return np.asarray(x[:, _INDEX["la"]], dtype=float)
        scaler, linear, trees = self.models
        p_linear = linear.predict_proba(scaler.transform(x))[:, 1]
        p_trees = trees.predict_proba(x)[:, 1]
        return np.asarray((p_linear + p_trees) / 2, dtype=float)

    def predict(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        a, b = self.scale
        z = a * self.raw(rows) + b
        return np.asarray(1 / (1 + np.exp(-np.clip(z, -50, 50))), dtype=float)


def _platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if len(set(labels.tolist())) < 2:
        rate = float(labels.mean()) if len(labels) else 0.5
        rate = min(max(rate, 1e-3), 1 - 1e-3)
        return 0.0, math.log(rate / (1 - rate))
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(scores.reshape(-1, 1), labels)
    slope = float(fit.coef_[0][0])
    if slope < 0:
        # calibration may sharpen or flatten the model's ranking, never reverse it: a few
        # defects among small changes must not make the largest change the safest
        rate = min(max(float(labels.mean()), 1e-3), 1 - 1e-3)
        return 0.0, math.log(rate / (1 - rate))
    return slope, float(fit.intercept_[0])


def _base_models(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> list[Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    linear = LogisticRegression(max_iter=3000).fit(scaler.transform(x), y, sample_weight=w)
    trees = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.05,
        max_leaf_nodes=15,
        l2_regularization=1.0,
        min_samples_leaf=50,
        random_state=0,
    ).fit(x, y, sample_weight=w)
    return [scaler, linear, trees]


def fit(
    rows: Sequence[Sequence[float]], labels: Sequence[int], times: Sequence[float]
) -> RiskModel:
    """Train on changes in time order (oldest first)."""
    y = np.asarray(labels, dtype=int)
    base_rate = float(y.mean()) if len(y) else 0.0
    cut = int(len(y) * 0.8)  # the most recent 20 % of training calibrates
    too_little = len(y) < MIN_TRAIN or int(y.sum()) < MIN_DEFECTS or int(y.sum()) == len(y)
    one_sided = len(set(y[:cut].tolist())) < 2 or len(set(y[cut:].tolist())) < 2
    if too_little or one_sided:
        why = (
            "too little history to learn from"
            if too_little
            else "defects only in the older or only in the newer history"
        )
        model = RiskModel("lines-added", [], (0.0, 0.0), base_rate, f"{why}: ranked by lines added")
        x = design(rows)[:, _INDEX["la"]] if len(y) else np.zeros(0)
        model.scale = _platt(x, y) if len(y) else (0.0, 0.0)
        return model
    x = design(rows)
    w = recency_weights(times)
    fitting = RiskModel("ensemble", _base_models(x[:cut], y[:cut], w[:cut]), (1.0, 0.0), base_rate)
    scale = _platt(fitting.raw(list(rows)[cut:]), y[cut:])
    return RiskModel("ensemble", _base_models(x, y, w), scale, base_rate)
