"""How good a ranking of changes is: AUC, Brier score, capture in the top k %, and the
effort-aware measures (recall within 20 % of the churn, Popt), all on plain lists."""

from __future__ import annotations

from collections.abc import Sequence


def auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """ROC AUC with ties counted half (Mann-Whitney)."""
    pairs = sorted(zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    rank_sum = 0.0
    index = 0
    while index < len(pairs):
        end = index
        while end + 1 < len(pairs) and pairs[end + 1][0] == pairs[index][0]:
            end += 1
        average_rank = (index + end) / 2 + 1
        rank_sum += average_rank * sum(label for _, label in pairs[index : end + 1])
        index = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def brier(labels: Sequence[int], probabilities: Sequence[float]) -> float:
    return sum((p - y) ** 2 for p, y in zip(probabilities, labels, strict=True)) / len(labels)


def capture_at(labels: Sequence[int], scores: Sequence[float], share: float) -> float:
    """Share of all defective changes found in the top `share` of changes by score."""
    total = sum(labels)
    if total == 0:
        return float("nan")
    order = sorted(range(len(labels)), key=lambda i: -scores[i])
    top = order[: max(1, round(len(labels) * share))]
    return sum(labels[i] for i in top) / total


def _curve_area(labels: Sequence[int], efforts: Sequence[float], order: Sequence[int]) -> float:
    """Area under cumulative share of defects against cumulative share of effort."""
    total_effort = sum(efforts) or 1.0
    total_bugs = sum(labels) or 1
    area = 0.0
    x = y = 0.0
    for i in order:
        nx = x + efforts[i] / total_effort
        ny = y + labels[i] / total_bugs
        area += (nx - x) * (y + ny) / 2
        x, y = nx, ny
    return area


def popt(labels: Sequence[int], scores: Sequence[float], efforts: Sequence[float]) -> float:
    """Kamei's Popt: 1 - (optimal - model) / (optimal - worst) areas, effort = churn."""
    n = range(len(labels))
    optimal = _curve_area(labels, efforts, sorted(n, key=lambda i: (-labels[i], efforts[i])))
    worst = _curve_area(labels, efforts, sorted(n, key=lambda i: (labels[i], -efforts[i])))
    model = _curve_area(labels, efforts, sorted(n, key=lambda i: -scores[i]))
    if optimal == worst:
        return float("nan")
    return 1 - (optimal - model) / (optimal - worst)


def recall_at_effort(
    labels: Sequence[int], scores: Sequence[float], efforts: Sequence[float], share: float
) -> float:
    """Share of defects found when inspecting changes by score until `share` of the effort."""
    total_effort = sum(efforts) or 1.0
    total_bugs = sum(labels)
    if total_bugs == 0:
        return float("nan")
    spent = found = 0.0
    for i in sorted(range(len(labels)), key=lambda i: -scores[i]):
        if spent + efforts[i] > share * total_effort:
            break
        spent += efforts[i]
        found += labels[i]
    return found / total_bugs
