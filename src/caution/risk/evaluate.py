"""`caution risk evaluate`: the time-ordered protocol of the just-in-time defect
prediction literature. Sort by time; train on the first fraction; test on the rest; with a
gap, drop training changes in the last N days before the cut (their labels would not be
known yet). Nothing from the test changes is used for fitting, scaling or thresholds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from caution.risk.features import FEATURES, Dataset
from caution.risk.metrics import auc, brier, capture_at, popt, recall_at_effort
from caution.risk.model import fit

_LA, _LD = FEATURES.index("la"), FEATURES.index("ld")


class EvaluationError(ValueError):
    pass


@dataclass(frozen=True)
class Split:
    train: list[int]
    test: list[int]


def split(data: Dataset, train_fraction: float, gap_days: float) -> Split:
    if not 0 < train_fraction < 1:
        raise EvaluationError("--train-fraction must be between 0 and 1")
    if not 0 <= gap_days < math.inf:  # False for NaN too
        raise EvaluationError("--gap-days must be a number of days, not negative")
    order = sorted(range(len(data)), key=lambda i: data.times[i])
    cut = int(len(order) * train_fraction)
    train, test = order[:cut], order[cut:]
    if not train or not test:
        raise EvaluationError("too few changes to split into training and test sets")
    if gap_days:
        boundary = data.times[test[0]] - gap_days * 86400
        train = [i for i in train if data.times[i] < boundary]
        if not train:
            raise EvaluationError("the gap leaves no training changes")
    return Split(train, test)


def evaluate(data: Dataset, train_fraction: float = 0.8, gap_days: float = 0) -> dict[str, Any]:
    parts = split(data, train_fraction, gap_days)
    model = fit(
        [data.rows[i] for i in parts.train],
        [data.labels[i] for i in parts.train],
        [data.times[i] for i in parts.train],
    )
    rows = [data.rows[i] for i in parts.test]
    labels = [data.labels[i] for i in parts.test]
    probabilities = [float(p) for p in model.predict(rows)]
    churn = [row[_LA] + row[_LD] for row in rows]
    efforts = [max(c, 1.0) for c in churn]
    density = [p / e for p, e in zip(probabilities, efforts, strict=True)]
    return {
        "auc": auc(labels, probabilities),
        "brier": brier(labels, probabilities),
        "capture_at_5": capture_at(labels, probabilities, 0.05),
        "capture_at_10": capture_at(labels, probabilities, 0.10),
        "capture_at_20": capture_at(labels, probabilities, 0.20),
        "recall_at_20_effort": recall_at_effort(labels, density, efforts, 0.20),
        "popt": popt(labels, density, efforts),
        "n_train": len(parts.train),
        "n_test": len(parts.test),
        "baseline_la_auc": auc(labels, [row[_LA] for row in rows]),
        "baseline_size_popt": popt(labels, [-e for e in efforts], efforts),
        "model": model.kind,
        "note": model.note,
    }
