"""The `caution` executable. `caution guard hook` runs on every agent action, so it is
dispatched before the full CLI (Typer, Rich, pydantic) is imported."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:3] == ["guard", "hook"] and not {"-h", "--help"} & set(sys.argv[3:]):
        from caution.guard.hook import main as hook

        sys.exit(hook(sys.argv[3:]))
    from caution.cli import main as cli

    cli()
