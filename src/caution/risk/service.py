"""Risk from a repository: mine the metrics, label with SZZ, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caution.git.log import read_commits
from caution.risk.evaluate import evaluate
from caution.risk.features import FEATURES, Dataset
from caution.risk.mining import mine
from caution.risk.szz import labels


def mined_dataset(repo: Path, maturity_days: float = 90) -> Dataset:
    """Every labelled non-merge commit reachable from HEAD, oldest first."""
    history = sorted(read_commits(repo, "HEAD", reachable=True), key=lambda c: c.author.time)
    marks = labels(repo, history, maturity_days)
    rows, ys, times = [], [], []
    for change in mine(history):
        label = marks.get(change.sha)
        if label is None:
            continue
        rows.append([change.values[f] for f in FEATURES])
        ys.append(label)
        times.append(change.time)
    return Dataset(rows, ys, times)


def evaluate_repository(
    repo: Path, train_fraction: float, gap_days: float, maturity_days: float = 90
) -> dict[str, Any]:
    return evaluate(mined_dataset(repo, maturity_days), train_fraction, gap_days)
