"""`caution demo`: build the demo shop and walk through caution's gate."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer


def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Build the demo here (default: a new temporary directory)."
    ),
) -> int:
    """Build a small online shop monorepo with human, Claude Code-assisted and Copilot-agent
    commits and a roster with SSH keys, then walk through the gate: a pending AI change, a
    senior's signed approval, a stale approval, a refused self-approval and a blocked agent."""
    from caution.demo import build_shop, run_walkthrough
    from caution.report.console import stdout_console

    root = directory or Path(tempfile.mkdtemp(prefix="caution-demo-"))
    shop = build_shop(root)
    run_walkthrough(shop, stdout_console())
    return 0
