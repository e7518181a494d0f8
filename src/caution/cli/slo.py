"""`caution slo`: error-budget burn for each SLO."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from caution.cli.options import Format

slo_app = typer.Typer(
    help="Service level objectives: burn-rate alerts and error budgets.", no_args_is_help=True
)


@slo_app.command("status")
def status(
    config: Path = typer.Option(..., "--config", help="SLO definitions (YAML)."),
    output: Format = typer.Option(Format.text, "--format", "-f"),
    now: float | None = typer.Option(None, "--now", help="Judge at this unix time (default: now)."),
) -> None:
    """Multi-window, multi-burn-rate alerts (the SRE workbook's four pairs) and the budget left.

    Exit code 0 when nothing fires, 1 when a page or ticket alert fires, the events are
    stale (none newer than the SLO's `stale_after`) or count nothing over 30 days (the budget
    is unknown: `caution deploy gate` holds on it too), 2 on bad input.
    """
    from caution.cli.options import unix_time
    from caution.report.slo import render_slos, slos_to_json
    from caution.rollout.slo import slo_status

    reports = slo_status(config, unix_time(now, time.time()))
    if output is Format.json:
        sys.stdout.write(json.dumps(slos_to_json(reports), indent=2) + "\n")
    else:
        render_slos(reports, sys.stdout)
    raise typer.Exit(0 if all(r.healthy for _, r in reports) else 1)
