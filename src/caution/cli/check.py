"""`caution check`: the gate. Exit 0 pass, 1 pending or blocked, 2 bad input."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from caution import __version__
from caution.cli.options import state


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


def check(
    revrange: str | None = typer.Argument(
        None,
        metavar="[REVRANGE]",
        help="The change: a rev-list range (main..HEAD). Default: the branch's commits not on "
        "the default branch.",
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Policy file (default: .caution.yml at the repository root)."
    ),
    output: CheckFormat = typer.Option(
        CheckFormat.text, "--format", "-f", help="text, json, markdown (a PR comment) or sarif."
    ),
    target: str | None = typer.Option(
        None, "--target", help="Branch the change merges into (for targets_branch rules)."
    ),
    plan: Path | None = typer.Option(
        None,
        "--plan",
        help="A Terraform plan as JSON (terraform show -json plan.out), for reach rules on "
        "stateful deletes.",
    ),
) -> int:
    """Decide whether a change may merge: provenance, approvals and the policy.

    Exit 0 when it passes, 1 when it is pending approval or blocked, 2 on a usage,
    input or configuration error. Approvals are the signed notes under
    refs/notes/caution-approvals present locally (git fetch origin
    refs/notes/caution-approvals:refs/notes/caution-approvals).
    """
    from caution.git.repo import require_commits
    from caution.policy.check import default_change, run_check
    from caution.report.check import check_to_json, check_to_markdown, check_to_sarif, render_check
    from caution.report.console import stdout_console

    repo = state.repository()
    require_commits(repo)
    spec = revrange or default_change(repo, target)
    result = run_check(repo, spec, config_path=config, target=target, plan=plan)
    if output is CheckFormat.json:
        sys.stdout.write(json.dumps(check_to_json(result), indent=2, ensure_ascii=False) + "\n")
    elif output is CheckFormat.markdown:
        sys.stdout.write(check_to_markdown(result))
    elif output is CheckFormat.sarif:
        sarif = check_to_sarif(result, __version__)
        sys.stdout.write(json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")
    else:
        render_check(result, stdout_console())
    return 0 if result.decision.decision == "pass" else 1
