"""`caution canary`: judge a canary against its baseline."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

canary_app = typer.Typer(
    help="Judge a canary deployment against a baseline running at the same time.",
    no_args_is_help=True,
)


class CanaryFormat(StrEnum):
    text = "text"
    json = "json"


@canary_app.command("judge")
def judge(
    config: Path = typer.Option(..., "--config", help="Canary configuration (YAML)."),
    baseline: Path = typer.Option(..., "--baseline", help="Baseline metrics (JSON)."),
    canary: Path = typer.Option(..., "--canary", help="Canary metrics (JSON)."),
    output: CanaryFormat = typer.Option(CanaryFormat.text, "--format", "-f"),
) -> None:
    """Judge the canary's metrics against the baseline's, as Kayenta does.

    Exit code 0 when the canary passes, 1 when it is marginal, fails or is inconclusive (no
    data is never a pass), 2 when an input is malformed.
    """
    from caution.report.canary import judgement_to_json, render_judgement
    from caution.rollout.config import load_canary_config
    from caution.rollout.judge import judge as run_judge
    from caution.rollout.samples import read_samples

    result = run_judge(
        load_canary_config(config),
        read_samples(baseline),
        read_samples(canary),
        baseline_name=str(baseline),
        canary_name=str(canary),
    )
    if output is CanaryFormat.json:
        sys.stdout.write(json.dumps(judgement_to_json(result), indent=2) + "\n")
    else:
        render_judgement(result, sys.stdout)
    raise typer.Exit(0 if result.verdict == "pass" else 1)
