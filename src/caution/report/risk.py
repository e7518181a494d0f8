"""Risk scores as JSON (the `caution risk score` interface) and as text."""

from __future__ import annotations

from typing import Any, TextIO

from caution.risk.scoring import Score
from caution.risk.service import RangeRisk


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def score_to_json(score: Score) -> dict[str, Any]:
    return {
        "sha": score.sha,
        "probability": round(score.probability, 4),
        "percentile": score.percentile,
        "features": {k: _number(v) for k, v in score.features.items()},
        "top_factors": [
            {"feature": f.feature, "value": _number(f.value), "effect": f.effect}
            for f in score.top_factors
        ],
    }


def risk_to_json(result: RangeRisk) -> dict[str, Any]:
    top = result.max_probability
    return {
        "commits": [score_to_json(s) for s in result.scores],
        "max_probability": None if top is None else round(top, 4),
        "model": result.model_kind,
        "trained_at": result.trained_at,
        **({"note": result.note} if result.note else {}),
    }


def factors_line(score: Score) -> str:
    return ", ".join(f"{f.feature}={_number(f.value)} ({f.effect})" for f in score.top_factors)


def render_risk(result: RangeRisk, out: TextIO) -> None:
    if result.note:
        out.write(f"note: {result.note}\n")
    if not result.scores:
        out.write("no non-merge commits in this range\n")
        return
    for s in result.scores:
        out.write(f"{s.sha[:10]}  p={s.probability:.2f}  p{s.percentile:<3}  {factors_line(s)}\n")
    out.write(f"max probability {result.max_probability:.2f}\n")
