"""The consoles caution writes to: colour only on a terminal, NO_COLOR honoured."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=not sys.stdout.isatty())


def stderr_console(*, soft_wrap: bool = False) -> Console:
    """`soft_wrap`: lines as long as they are (a hook's output, which git prefixes with
    `remote: ` and relays to a terminal of unknown width)."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=soft_wrap)
