"""`caution reach`: the blast radius of a change."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from caution.cli.options import state


class ReachFormat(StrEnum):
    text = "text"
    json = "json"
    dot = "dot"
    html = "html"


def reach(
    revrange: str | None = typer.Argument(
        None,
        metavar="[REVRANGE]",
        help="The change (main..HEAD). Default: the branch's commits not on the default branch.",
    ),
    plan: Path | None = typer.Option(
        None, "--plan", help="A Terraform plan as JSON (terraform show -json plan.out)."
    ),
    output: ReachFormat = typer.Option(
        ReachFormat.text, "--format", "-f", help="text, json, dot (Graphviz) or html (one page)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy file (reach: section)."),
) -> None:
    """Show what a change can reach: the components it touches (Backstage catalog), everything
    that depends on them, their tiers and owners (catalog and CODEOWNERS), the Python modules
    that import what changed, and what a Terraform plan would create, change or delete."""
    from caution.git.history import HistoryGapError, range_gap
    from caution.git.repo import default_range, require_commits
    from caution.policy.config import load_config
    from caution.reach import reach_of_range
    from caution.report.console import stdout_console
    from caution.report.reach import reach_to_dot, reach_to_html, reach_to_json, render_reach

    repo = state.repository()
    require_commits(repo)
    spec = revrange or default_range(repo)
    gap = range_gap(repo, spec)
    if gap is not None:
        raise HistoryGapError(gap.message())
    settings = load_config(repo, config).reach
    result = reach_of_range(repo, spec, settings, plan)
    if output is ReachFormat.json:
        sys.stdout.write(json.dumps(reach_to_json(result), indent=2) + "\n")
    elif output is ReachFormat.dot:
        sys.stdout.write(reach_to_dot(result))
    elif output is ReachFormat.html:
        sys.stdout.write(reach_to_html(result, f"Reach of {spec}"))
    else:
        render_reach(result, stdout_console())
