"""SLO burn reports as JSON (the `caution slo status --format json` shape) and as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from caution.rollout.burn import BurnReport
from caution.rollout.slo import SloConfig


def slos_to_json(reports: Sequence[tuple[SloConfig, BurnReport]]) -> dict[str, Any]:
    return {
        "slos": [
            {
                "name": slo.name,
                "objective": slo.objective,
                "severity": r.severity,
                "budget_remaining": r.budget_remaining,
                "stale": r.stale,
                "newest_bucket": r.newest,
                "windows": [
                    {
                        "severity": w.window.severity,
                        "burn_rate_threshold": w.window.burn_rate,
                        "long_seconds": w.window.long,
                        "short_seconds": w.window.short,
                        "long_burn_rate": w.long_rate,
                        "short_burn_rate": w.short_rate,
                        "firing": w.firing,
                    }
                    for w in r.windows
                ],
            }
            for slo, r in reports
        ]
    }


def render_slos(reports: Sequence[tuple[SloConfig, BurnReport]], out: TextIO) -> None:
    for slo, r in reports:
        left = r.budget_remaining
        budget = "no traffic" if left is None else f"{left:.1%} of budget left"
        out.write(f"{slo.name} ({slo.objective:g} %): {r.severity.upper()}, {budget}\n")
        if r.stale:
            age = None if r.newest is None else r.now - r.newest
            seen = "no events at all" if age is None else f"newest {age:.0f} s old"
            out.write(f"  stale: {seen} — silence is not health; check the event pipeline\n")
        elif r.unknown:
            out.write(
                "  unknown: the buckets are fresh but count no events in 30 days — a budget "
                "nobody can see is not healthy (deploy gate holds on it too)\n"
            )
        for w in r.firing:
            out.write(
                f"  {w.window.severity}: burning {w.long_rate:.1f}x over "
                f"{w.window.long // 3600} h and {w.short_rate:.1f}x over "
                f"{w.window.short // 60} min (threshold {w.window.burn_rate:g}x)\n"
            )
