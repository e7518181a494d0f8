"""Kayenta's canary score (WeightedSumScorer and ThresholdScoreClassifier): metric labels
→ group scores → one 0–100 score → pass, marginal or fail.

- Per group: share of Pass among Pass, High, Low and NodataFailMetric, × 100; Nodata and
  Error are not counted; a group with nothing countable scores 0 but counts as 100 in the
  summary (Kayenta's rule: no evidence against it).
- Summary: any metric flagged critical and not Pass → 0; Nodata for 50 % or more of the
  metrics → 0; otherwise Σ group score × weight / 100, where groups without a configured
  weight share what the configured weights leave of 100; rounded half-up to 2 decimals.
Muted metrics are left out before any of this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from caution.rollout.classify import Label

NODATA_THRESHOLD = 50.0


@dataclass(frozen=True)
class MetricOutcome:
    name: str
    label: Label
    groups: tuple[str, ...]
    critical: bool = False
    muted: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class GroupScore:
    name: str
    score: float
    no_data: bool


@dataclass(frozen=True)
class Score:
    score: float
    groups: tuple[GroupScore, ...]
    reason: str | None
    failure: str | None = None  # "critical" or "nodata" when a rule forced the score to 0


def _round(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def group_scores(results: Sequence[MetricOutcome]) -> list[GroupScore]:
    names = list(dict.fromkeys(g for r in results for g in r.groups))
    scores = []
    for name in names:
        labels = [r.label for r in results if name in r.groups]
        passed = labels.count(Label.PASS)
        total = sum(labels.count(x) for x in (Label.PASS, Label.HIGH, Label.LOW, Label.NODATA_FAIL))
        scores.append(GroupScore(name, 0.0 if total == 0 else passed / total * 100, total == 0))
    return scores


def score(results: Sequence[MetricOutcome], weights: Mapping[str, float]) -> Score:
    counted = [r for r in results if not r.muted]
    groups = tuple(group_scores(counted))
    failures = [r for r in counted if r.critical and r.label is not Label.PASS]
    if failures:
        reason = f"Canary Failed: {failures[0].reason or failures[0].name}"
        return Score(0.0, groups, reason, "critical")
    nodata = sum(1 for r in counted if r.label is Label.NODATA)
    if counted and nodata / len(counted) * 100 >= NODATA_THRESHOLD:
        return Score(0.0, groups, "Canary Failed: 50% or more metrics returned NODATA", "nodata")
    unweighted = {g.name for g in groups} - set(weights)
    shared = (100 - sum(weights.values())) / len(unweighted) if unweighted else 0.0
    total = 0.0
    for group in groups:
        effective = 100.0 if group.no_data else group.score
        total += effective * (weights.get(group.name, shared) / 100)
    return Score(_round(total), groups, None)


def verdict(value: float, pass_threshold: float, marginal_threshold: float) -> str:
    if value >= pass_threshold:
        return "pass"
    if value >= marginal_threshold:
        return "marginal"
    return "fail"
