"""The consoles caution writes to: colour only on a terminal, NO_COLOR honoured."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=not sys.stdout.isatty())


def stderr_console() -> Console:
    return Console(file=sys.stderr, highlight=False)
