"""Text from outside (commit subjects, names, approval comments) made safe to show.

Control characters could move the cursor or retitle the terminal; Markdown and
HTML in a PR comment could render links or images nobody wrote on purpose.
"""

from __future__ import annotations

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def plain(text: str) -> str:
    """`text` without control characters (tabs and newlines become spaces)."""
    return _CONTROL.sub("", text.replace("\t", " ").replace("\n", " "))


def markdown(text: str) -> str:
    """`text` as literal Markdown: no links, images, HTML or table breaks."""
    return _MARKDOWN.sub(r"\\\1", html.escape(plain(text), quote=False))
