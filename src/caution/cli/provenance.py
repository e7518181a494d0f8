"""`caution provenance`: which commits were made with AI, by which tool, how autonomously."""

from __future__ import annotations

import json
import sys

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from caution.cli.options import Format, state


def provenance(
    revrange: str | None = typer.Argument(
        None,
        metavar="[REVRANGE]",
        help=(
            "Commits to read, as git rev-list takes them (main..HEAD, HEAD~5..HEAD); a single "
            "revision means that one commit. Default: the branch's commits not on the default "
            "branch, else HEAD."
        ),
    ),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
    reachable: bool = typer.Option(
        False, "--reachable", help="Treat a single revision as it and all its ancestors."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show each commit's evidence."),
) -> None:
    """Show which commits were made with AI, by which tool, and how autonomously.

    Levels: autonomous (an agent authored the commit), assisted (an AI marker on a human's
    commit), human (line-level records from a source .caution.yml trusts, under
    provenance.trust_human_claims_from, attribute every added line to known humans),
    unknown (no evidence either way; never read as human).
    """
    from caution.git.history import HistoryGapError, range_gap
    from caution.git.repo import default_range, require_commits
    from caution.policy.config import trusted_human_sources
    from caution.provenance import provenance_of_range
    from caution.report.console import stderr_console, stdout_console
    from caution.report.provenance import range_to_json, render_range

    repo = state.repository()
    require_commits(repo)
    spec = revrange or default_range(repo)
    gap = range_gap(repo, spec, reachable=reachable)
    if gap is not None:
        raise HistoryGapError(gap.message())
    trusted = trusted_human_sources(repo)
    err = stderr_console()
    if (err.is_terminal and output is Format.text) or (err.is_terminal and sys.stdout.isatty()):
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("reading commits", total=None)
            result = provenance_of_range(
                repo,
                spec,
                reachable=reachable,
                progress=lambda n: (
                    bar.update(task, description=f"reading commits: {n}") if n % 250 == 0 else None
                ),
                trusted_human=trusted,
            )
    else:
        result = provenance_of_range(repo, spec, reachable=reachable, trusted_human=trusted)
    if output is Format.json:
        sys.stdout.write(json.dumps(range_to_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        render_range(result, stdout_console(), verbose=verbose)
