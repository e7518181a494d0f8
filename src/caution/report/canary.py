"""A canary judgement as JSON (the `caution canary judge` interface) and as text."""

from __future__ import annotations

import math
from typing import Any, TextIO

from caution.rollout.judge import Judgement


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 6)


def judgement_to_json(judgement: Judgement) -> dict[str, Any]:
    return {
        "verdict": judgement.verdict,
        "score": judgement.score,
        "reason": judgement.reason,
        "metrics": [
            {
                "name": m.config.name,
                "classification": str(m.classification.label),
                "reason": m.classification.reason,
                "critical": m.classification.critical,
                "estimate": _number(m.classification.estimate),
                "ci": (
                    [_number(m.classification.ci[0]), _number(m.classification.ci[1])]
                    if m.classification.ci
                    else None
                ),
                "effect": _number(m.classification.effect),
                "ratio": _number(m.classification.deviation),
            }
            for m in judgement.metrics
        ],
        "groups": [
            {"name": g.name, "score": round(g.score, 2), "no_data": g.no_data}
            for g in judgement.groups
        ],
    }


def render_judgement(judgement: Judgement, out: TextIO) -> None:
    out.write(f"canary: {judgement.verdict.upper()} — score {judgement.score:g}")
    out.write(f" ({judgement.reason})\n" if judgement.reason else "\n")
    for m in judgement.metrics:
        c = m.classification
        ci = f"  CI [{c.ci[0]:.4g}, {c.ci[1]:.4g}]" if c.ci else ""
        ratio = "" if math.isnan(c.deviation) else f"  ratio {c.deviation:.3f}"
        mark = " (critical)" if c.critical else ""
        out.write(f"  {c.label:<16} {m.config.name}{mark}{ratio}{ci}\n")
    for g in judgement.groups:
        out.write(f"  group {g.name}: {g.score:.2f}{' (no data)' if g.no_data else ''}\n")
