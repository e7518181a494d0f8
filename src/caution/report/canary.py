"""A canary judgement as JSON (the `caution canary judge` interface) and as text; a live
canary run (`caution canary run`) likewise, and as the `--record` file."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, TextIO

from caution.rollout.analysis import Phase
from caution.rollout.canary_run import PHASE_OF_VERDICT, RunResult
from caution.rollout.config import CanaryConfig
from caution.rollout.duration import format_duration
from caution.rollout.judge import Judgement
from caution.rollout.samples import Samples
from caution.rollout.sequential import Look


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


VERDICT_OF_PHASE = {
    Phase.SUCCESSFUL: "pass",
    Phase.FAILED: "fail",
    Phase.INCONCLUSIVE: "inconclusive",
    Phase.ERROR: "error",
}


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def run_to_json(result: RunResult) -> dict[str, Any]:
    """The `caution canary run --format json` document."""
    plan, tally = result.plan, result.tally
    return {
        "verdict": VERDICT_OF_PHASE.get(result.status.phase, "inconclusive"),
        "status": {"phase": str(result.status.phase), "reason": result.status.reason},
        "counts": {
            "measured": len(result.measurements),
            "successful": tally.successful,
            "failed": tally.failed,
            "inconclusive": tally.inconclusive,
            "error": tally.error,
        },
        "analysis": {
            "interval": None if plan.interval is None else format_duration(plan.interval),
            "count": plan.limits.count,
            "step": format_duration(plan.step),
            "lookback": None if plan.lookback is None else format_duration(plan.lookback),
            "failure_limit": plan.limits.failure_limit,
            "inconclusive_limit": plan.limits.inconclusive_limit,
            "consecutive_error_limit": plan.limits.consecutive_error_limit,
        },
        "queries": {
            name: {"baseline": base, "canary": canary}
            for name, (base, canary) in plan.queries.items()
        },
        "measurements": [
            {
                "index": m.index,
                "at": _iso(m.window.end),
                "window": {"start": _iso(m.window.start), "end": _iso(m.window.end)},
                "phase": str(m.phase),
                "judgement": None if m.judgement is None else judgement_to_json(m.judgement),
                "error": m.error,
                **({} if m.sequential is None else {"sequential": look_to_json(m.sequential)}),
            }
            for m in result.measurements
        ],
        **({"alpha": plan.config.sequential.alpha} if plan.sequential else {}),
    }


def look_to_json(look: Look) -> dict[str, Any]:
    return {
        "decision": str(look.decision),
        "reason": look.reason,
        "evidence": [
            {
                "name": e.name,
                "log_e": round(e.log_e, 6) if math.isfinite(e.log_e) else None,
                "log_threshold": round(e.log_threshold, 6),
                "estimate": _number(e.estimate),
                "n_baseline": e.n_baseline,
                "n_canary": e.n_canary,
                "rejected": e.rejected,
            }
            for e in look.evidence
        ],
    }


def record_to_json(result: RunResult, config: str | None = None) -> dict[str, Any]:
    """`--record`: the run's JSON and the last samples of each arm (NaN as null), so a report
    can be drawn from the numbers the verdict rests on."""
    baseline, canary = result.samples or ({}, {})
    return {
        **run_to_json(result),
        "config": config,
        "thresholds": _thresholds(result.plan.config),
        "samples": _samples_json(baseline, canary),
    }


def judgement_record(
    judgement: Judgement,
    config: CanaryConfig,
    baseline: Samples,
    canary: Samples,
    *,
    config_name: str,
    at: float,
) -> dict[str, Any]:
    """A `caution canary judge` as a one-measurement run record, for the same report."""
    phase = PHASE_OF_VERDICT[judgement.verdict]
    return {
        "config": config_name,
        "verdict": judgement.verdict,
        "status": {
            "phase": str(phase),
            "reason": judgement.reason
            or (
                f"score {judgement.score:g} (pass from {config.thresholds.pass_:g}, "
                f"marginal from {config.thresholds.marginal:g})"
            ),
        },
        "thresholds": _thresholds(config),
        "measurements": [
            {
                "index": 1,
                "at": _iso(at),
                "phase": str(phase),
                "judgement": judgement_to_json(judgement),
            }
        ],
        "samples": _samples_json(baseline, canary),
    }


def _thresholds(config: CanaryConfig) -> dict[str, float]:
    return {"pass": config.thresholds.pass_, "marginal": config.thresholds.marginal}


def _samples_json(baseline: Samples, canary: Samples) -> dict[str, Any]:
    return {
        "baseline": {k: [_sample(v) for v in vs] for k, vs in baseline.items()},
        "canary": {k: [_sample(v) for v in vs] for k, vs in canary.items()},
    }


def _sample(value: float) -> float | None:
    return None if math.isnan(value) else value


def render_run(result: RunResult, out: TextIO) -> None:
    verdict = VERDICT_OF_PHASE.get(result.status.phase, "inconclusive")
    out.write(
        f"canary run: {verdict.upper()} ({result.status.phase}: {result.status.reason}) "
        f"after {len(result.measurements)} measurement(s)\n"
    )
    last = next((m for m in reversed(result.measurements) if m.judgement is not None), None)
    errors = [m for m in result.measurements if m.error]
    if errors:
        out.write(f"  last error: {errors[-1].error}\n")
    if last is not None and last.judgement is not None:
        out.write(f"last judged measurement ({last.index}, {_iso(last.window.end)}):\n")
        render_judgement(last.judgement, out)
