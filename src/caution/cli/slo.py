"""`caution slo`: error-budget burn for each SLO."""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path

import typer

slo_app = typer.Typer(
    help="Service level objectives: burn-rate alerts and error budgets.", no_args_is_help=True
)


class SloFormat(StrEnum):
    text = "text"
    json = "json"


@slo_app.command("status")
def status(
    config: Path = typer.Option(..., "--config", help="SLO definitions (YAML)."),
    output: SloFormat = typer.Option(SloFormat.text, "--format", "-f"),
    now: float | None = typer.Option(None, "--now", help="Judge at this unix time (default: now)."),
) -> None:
    """Multi-window, multi-burn-rate alerts (the SRE workbook's four pairs) and the budget left.

    Exit code 0 when nothing fires, 1 when a page or ticket alert fires, 2 on bad input.
    """
    from caution.rollout.burn import assess_burn
    from caution.rollout.slo import load_slos, read_buckets

    moment = time.time() if now is None else now
    reports = []
    for slo in load_slos(config):
        buckets = read_buckets((config.parent / slo.events).resolve())
        report = assess_burn(buckets, slo.objective / 100, now=moment, min_events=slo.min_events)
        reports.append((slo, report))
    if output is SloFormat.json:
        payload = [
            {
                "name": slo.name,
                "objective": slo.objective,
                "severity": r.severity,
                "budget_remaining": r.budget_remaining,
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
        sys.stdout.write(json.dumps({"slos": payload}, indent=2) + "\n")
    else:
        for slo, r in reports:
            budget = (
                "no traffic"
                if r.budget_remaining is None
                else f"{r.budget_remaining:.1%} of budget left"
            )
            sys.stdout.write(f"{slo.name} ({slo.objective:g} %): {r.severity.upper()}, {budget}\n")
            for w in r.firing:
                sys.stdout.write(
                    f"  {w.window.severity}: burning {w.long_rate:.1f}x over "
                    f"{w.window.long // 3600} h and {w.short_rate:.1f}x over "
                    f"{w.window.short // 60} min (threshold {w.window.burn_rate:g}x)\n"
                )
    raise typer.Exit(1 if any(r.firing for _, r in reports) else 0)
