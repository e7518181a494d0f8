"""`caution demo`: build the sample repository and show what caution sees in it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from caution.demo import build_sample_repo
from caution.provenance import provenance_of_range
from caution.provenance.blame import blame_file
from caution.report.console import stdout_console
from caution.report.provenance import render_blame, render_range


def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Build the demo repository here (default: a new temporary directory)."
    ),
) -> None:
    """Create a sample shop repository with human, AI-assisted and agent commits, then run
    `caution provenance` and `caution blame` on it."""
    target = directory or Path(tempfile.mkdtemp(prefix="caution-demo-")) / "shop"
    repo = build_sample_repo(target)
    console = stdout_console()
    console.print(f"Demo repository: {repo}\n", highlight=False)
    console.print("$ caution provenance --reachable HEAD --verbose", style="bold", highlight=False)
    render_range(provenance_of_range(repo, "HEAD", reachable=True), console, verbose=True)
    console.print("\n$ caution blame services/payments/log.py", style="bold", highlight=False)
    render_blame(blame_file(repo, "services/payments/log.py", None), console)
