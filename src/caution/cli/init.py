"""`caution init`: write a commented .caution.yml for this repository."""

from __future__ import annotations

import typer

from caution.cli.options import state


def init(force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
    """Write a commented .caution.yml (roster, approval and block rules) for this repository."""
    from caution.policy.init import write_initial_config
    from caution.report.console import stdout_console

    path = write_initial_config(state.repository(), force=force)
    stdout_console().print(
        f"wrote {path}; edit the roster, then run `caution check`", highlight=False, markup=False
    )
