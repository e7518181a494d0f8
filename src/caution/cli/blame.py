"""`caution blame`: each line of a file with its commit's provenance, and its own where recorded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from caution.cli.options import Format, state


def blame(
    path: str = typer.Argument(..., help="File to blame, relative to the current directory."),
    rev: str | None = typer.Option(None, "--rev", help="Blame the file at this revision."),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
) -> None:
    """Show who or what wrote each line of a file: git blame, refined by git-ai notes and
    Agent Trace records where they exist (no git-ai needed)."""
    from caution.git.repo import require_commits
    from caution.provenance.blame import blame_file
    from caution.report.console import stdout_console
    from caution.report.provenance import blame_to_json, render_blame

    repo = state.repository()
    require_commits(repo)
    lines = blame_file(repo, path, rev, base=Path(state.repo).resolve())
    if output is Format.json:
        sys.stdout.write(json.dumps(blame_to_json(path, rev, lines), indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
    else:
        render_blame(lines, stdout_console())
