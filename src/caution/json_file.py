"""Reading a JSON file a user handed us (metrics, SLO events, plans, canary verdicts, run
records) with one kind of error: `path[:line]: problem`. Deep nesting is an error here too,
not a RecursionError traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class JsonFileError(ValueError):
    """The file cannot be read as JSON; the message names the file and the problem."""


class TooDeepError(ValueError):
    """JSON nested deeper than Python's parser recurses."""


def loads(text: str | bytes, **options: Any) -> Any:
    """`json.loads`, with nesting too deep for the parser raised as a ValueError like every
    other malformed input, so callers that handle ValueError never see a RecursionError."""
    try:
        return json.loads(text, **options)
    except RecursionError:
        raise TooDeepError("nested too deeply") from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text; JsonFileError when it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JsonFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonFileError(f"{path}: not UTF-8 text") from None


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        raise JsonFileError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
    except TooDeepError:
        raise JsonFileError(f"{path}: not JSON this program can read (nested too deeply)") from None
