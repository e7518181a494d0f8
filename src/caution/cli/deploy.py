"""`caution deploy`: may this change be deployed to a service now?"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from caution.cli.options import Format, state, unix_time

deploy_app = typer.Typer(
    help="Deployment safeguards: freeze windows, error-budget freezes, canary verdicts.",
    no_args_is_help=True,
)


@deploy_app.command("gate")
def gate(
    service: str = typer.Option(..., "--service", help="The service to deploy to."),
    revrange: str = typer.Argument(
        "HEAD", metavar="[REVRANGE]", help="The change: a commit or a range (default: HEAD)."
    ),
    now: float | None = typer.Option(
        None, "--now", help="Decide at this unix time (default: now)."
    ),
    canary_result: Path | None = typer.Option(
        None,
        "--canary-result",
        help="The JSON `caution canary judge --format json` printed; anything but pass holds.",
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Policy file (default: .caution.yml at the repository root)."
    ),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Allow or hold a deployment: freeze windows, spent error budgets (unless the change
    is marked P0 or security) and the canary's verdict.

    Exit 0 allow, 1 hold, 2 on a usage, input or configuration error.
    """
    from caution.git.repo import require_commits
    from caution.policy.deploy import run_gate
    from caution.report.deploy import gate_to_json, render_gate

    repo = state.repository()
    require_commits(repo)
    when = unix_time(now, time.time())
    decision = run_gate(
        repo, service, revrange, now=when, config_path=config, canary_path=canary_result
    )
    if output is Format.json:
        sys.stdout.write(json.dumps(gate_to_json(decision), indent=2, ensure_ascii=False) + "\n")
    else:
        render_gate(decision, sys.stdout)
    raise typer.Exit(0 if decision.decision == "allow" else 1)
