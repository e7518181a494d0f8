"""A change's probability, its percentile among the training history, and the features
that moved it most.

Top factors are found by occlusion: each feature in turn is set to its training median
and the change in calibrated probability is its effect. That explains the averaged
linear-plus-trees model without assuming either is the one that matters, and reads the
way a reviewer thinks ("812 lines added pushed it up").
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caution.risk.features import FEATURES
from caution.risk.model import RiskModel

TOP_FACTORS = 3
_MIN_EFFECT = 0.005


@dataclass(frozen=True)
class Factor:
    feature: str
    value: float
    effect: str  # "+" raises the probability, "-" lowers it
    delta: float


@dataclass(frozen=True)
class Score:
    sha: str
    probability: float
    percentile: int
    features: dict[str, float]
    top_factors: tuple[Factor, ...]


@dataclass(frozen=True)
class Scorer:
    """A fitted model with what it needs to place and explain a score."""

    model: RiskModel
    training_scores: list[float]  # the model's raw scores of its training history, sorted
    medians: list[float]

    @classmethod
    def build(cls, model: RiskModel, training_rows: Sequence[Sequence[float]]) -> Scorer:
        if not training_rows:
            return cls(model, [], [0.0] * len(FEATURES))
        scores = sorted(model.raw(training_rows).tolist())
        medians = np.median(np.asarray(training_rows, dtype=float), axis=0).tolist()
        return cls(model, scores, medians)

    def percentile(self, raw: float) -> int:
        """Mid-rank of the model's raw score among the training history (the ranking, which
        calibration may flatten but never reverses); ties count half, so a model that cannot
        tell changes apart puts them all at 50, not at 100."""
        known = self.training_scores
        if not known:
            return 50
        below = bisect.bisect_left(known, raw)
        equal = bisect.bisect_right(known, raw) - below
        return round(100 * (below + equal / 2) / len(known))

    def score(self, shas: Sequence[str], rows: Sequence[Sequence[float]]) -> list[Score]:
        if not rows:
            return []
        probabilities = self.model.predict(rows)
        base = self.model.raw(rows)
        variants = [
            [*row[:i], self.medians[i], *row[i + 1 :]] for row in rows for i in range(len(FEATURES))
        ]
        # factors explain the ranking: how the raw score moves when a feature is typical
        moved = self.model.raw(variants).reshape(len(rows), len(FEATURES))
        scores = []
        for k, (sha, row) in enumerate(zip(shas, rows, strict=True)):
            deltas = base[k] - moved[k]
            order = np.argsort(-np.abs(deltas))[:TOP_FACTORS]
            factors = tuple(
                Factor(FEATURES[i], float(row[i]), "+" if deltas[i] > 0 else "-", float(deltas[i]))
                for i in order
                if abs(deltas[i]) >= _MIN_EFFECT
            )
            scores.append(
                Score(
                    sha,
                    float(probabilities[k]),
                    self.percentile(float(base[k])),
                    dict(zip(FEATURES, (float(v) for v in row), strict=True)),
                    factors,
                )
            )
        return scores
