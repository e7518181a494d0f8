"""`caution check`: the gate. Exit 0 pass, 1 pending or blocked, 2 bad input."""

from __future__ import annotations

import json
import os
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


def _say(message: str) -> None:
    print(f"caution: {message}", file=sys.stderr)


def check(
    revrange: str | None = typer.Argument(
        None,
        metavar="[REVRANGE]",
        help="The change: TARGET..HEAD, or one revision judged against --target. Default: "
        "the pull request CI runs for, else the branch's commits not on the default branch.",
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Policy file to try out (default: .caution.yml on the target)."
    ),
    output: CheckFormat = typer.Option(
        CheckFormat.text, "--format", "-f", help="text, json, markdown (a PR comment) or sarif."
    ),
    target: str | None = typer.Option(
        None,
        "--target",
        help="Branch the change merges into; NAME, else origin/NAME. Approvals name it.",
    ),
    plan: Path | None = typer.Option(
        None,
        "--plan",
        help="A Terraform plan as JSON (terraform show -json plan.out), for reach rules on "
        "stateful deletes.",
    ),
    reviews: Path | None = typer.Option(
        None,
        "--reviews",
        help="Forge reviews as approvals: GitHub's pull request reviews JSON, or GitLab's "
        "merge request approvals JSON.",
    ),
    fetch: bool = typer.Option(
        False, "--fetch", help="Fetch and merge the remote's approval notes first."
    ),
    remote: str | None = typer.Option(None, "--remote", help="The remote for --fetch."),
    deepen: bool = typer.Option(
        True,
        "--deepen/--no-deepen",
        help="In a shallow clone, fetch the missing history from the remote (default) or "
        "refuse with exit 2.",
    ),
    warn_only: bool = typer.Option(
        False,
        "--warn-only",
        help="Print the same result but exit 0 when the change does not pass (a soft launch).",
    ),
) -> int:
    """Decide whether a change may merge: provenance, reach, risk, approvals and the policy.

    The change is what merging its head into the target would do. Exit 0 when it passes,
    1 when it is pending approval or blocked, 2 on a usage, input or configuration error
    (a shallow history that cannot be deepened, a merge with conflicts, a bad policy).
    """
    from caution.git.repo import require_commits
    from caution.policy.check import CheckOptions, exit_code, run_check
    from caution.report.check import check_to_json, check_to_markdown, check_to_sarif, render_check
    from caution.report.console import stdout_console

    repo = state.repository()
    require_commits(repo)
    options = CheckOptions(
        config_path=config,
        target=target,
        plan=plan,
        reviews=reviews,
        may_fetch=deepen,
        fetch_approvals=fetch,
        remote=remote,
        env=os.environ,
        report=_say,
    )
    result = run_check(repo, revrange, options)
    if output is CheckFormat.json:
        data = check_to_json(result, warn_only=warn_only)
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif output is CheckFormat.markdown:
        sys.stdout.write(check_to_markdown(result))
    elif output is CheckFormat.sarif:
        sarif = check_to_sarif(result, __version__)
        sys.stdout.write(json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")
    else:
        render_check(result, stdout_console())
    code = exit_code(result, warn_only=warn_only)
    if code == 0 and result.decision.decision != "pass":
        _say(f"--warn-only: the change is {result.decision.decision}, exiting 0 anyway")
    return code
