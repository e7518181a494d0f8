"""Reading JSON someone handed us (metrics, SLO events, plans, canary verdicts, run records,
hook payloads, notes) with one kind of error: `path[:line[:column]]: problem`.

Python's parser accepts more than a program should act on. Here these are malformed input,
each reported at its place, never a traceback and never a silent guess:

- an object that names a key twice: `json` keeps the last value, so
  `{"actions": ["delete"], "actions": ["no-op"]}` would hide a delete;
- an integer of more than `MAX_INT_DIGITS` digits (no count, time or id has that many; Python
  refuses to convert one of 4,300 with a ValueError nobody expects);
- `NaN`, `Infinity` and `-Infinity`, which are not JSON at all;
- nesting deeper than `MAX_DEPTH`: the code that walks the value must not run out of stack.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from caution.user_file import DEFAULT_LIMIT, read_user_file

MAX_INT_DIGITS = 100
MAX_DEPTH = 100


class JsonFileError(ValueError):
    """The file cannot be read as JSON; the message names the file and the problem."""


class TooDeepError(ValueError):
    """JSON nested deeper than this program reads."""


class RefusedJsonError(json.JSONDecodeError):
    """Well-formed JSON that means two things or nothing: a key named twice, an integer too
    long to be a number, NaN or Infinity. `msg`, `lineno` and `colno` say what and where."""


class _RefusedError(Exception):
    """Raised by the parser's hooks; turned into a RefusedJsonError at its place."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _RefusedError("duplicate key")
    return out


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS + 1 and len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _RefusedError("integer too long")
    return int(text)


def _no_constant(name: str) -> Any:
    raise _RefusedError(name)


def loads(text: str | bytes, **options: Any) -> Any:
    """`json.loads` that refuses what the module docstring lists: RefusedJsonError (a
    JSONDecodeError, with the place) or TooDeepError, both ValueErrors like every other
    malformed input, so callers that handle ValueError never see a RecursionError."""
    options.setdefault("parse_constant", _no_constant)
    source = text if isinstance(text, str) else _decode(text)
    try:
        value = json.loads(
            source, object_pairs_hook=_unique_keys, parse_int=_bounded_int, **options
        )
    except RecursionError:
        raise TooDeepError("nested too deeply") from None
    except _RefusedError as refused:
        pos, problem = _first_problem(source) or (0, str(refused))
        raise RefusedJsonError(problem, source, pos) from None
    # only a text with that many brackets can nest that deep: most never need the walk
    brackets = source.count("[") + source.count("{")
    if brackets > MAX_DEPTH and isinstance(value, dict | list) and not _shallow(value):
        raise TooDeepError("nested too deeply")
    return value


def _decode(data: bytes) -> str:
    """Bytes as `json.loads` decodes them (UTF-8, or UTF-16/32 with their marks); bytes that
    are none of them are refused at their place, not raised as a UnicodeDecodeError."""
    encoding = json.detect_encoding(data)
    try:
        return data.decode(encoding, "surrogatepass")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, "replace")
        raise RefusedJsonError(f"not {encoding.upper()} text", before, len(before)) from None


def _shallow(value: dict[str, Any] | list[Any]) -> bool:
    """Whether no container in `value` sits deeper than MAX_DEPTH (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?P<fraction>\.\d+)?(?P<exponent>[eE][-+]?\d+)?)
      | (?P<constant>NaN|-?Infinity)
      | (?P<punct>[{}\[\]:,])
      | (?P<literal>true|false|null)
    )""",
    re.VERBOSE | re.DOTALL,
)


def _first_problem(text: str) -> tuple[int, str] | None:
    """The place and description of the first refused thing in `text`; called only after the
    parser refused something, so it need not be fast."""
    frames: list[set[str] | None] = []  # per open container: an object's keys so far, or None
    expect_key = False
    pos = 0
    while (match := _TOKEN.match(text, pos)) is not None:
        kind = match.lastgroup or ""
        token, start = match.group(kind), match.start(kind)
        pos = match.end()
        in_object = bool(frames) and frames[-1] is not None
        if kind == "punct":
            if token in "{[":
                frames.append(set() if token == "{" else None)
                expect_key = token == "{"
            elif token in "}]":
                if frames:
                    frames.pop()
                expect_key = False
            elif token == ",":
                expect_key = in_object
        elif kind == "string" and expect_key and in_object:
            keys = frames[-1]
            assert keys is not None
            key = json.loads(token)
            if key in keys:
                return start, f"duplicate key {key!r}: each key of an object must be named once"
            keys.add(key)
            expect_key = False
        elif kind == "number" and not match.group("fraction") and not match.group("exponent"):
            digits = len(token.lstrip("-"))
            if digits > MAX_INT_DIGITS:
                return start, (
                    f"an integer of {digits} digits is too large to be a number here "
                    f"(at most {MAX_INT_DIGITS} digits)"
                )
        elif kind == "constant":
            return start, f"{token} is not JSON (write a number, or null)"
    return None


def problem_text(exc: json.JSONDecodeError | TooDeepError, file: str) -> str:
    """One line for a `loads` error in `file`."""
    if isinstance(exc, TooDeepError):
        return f"{file}: not JSON this program can read (nested too deeply)"
    if isinstance(exc, RefusedJsonError):
        return f"{file}:{exc.lineno}:{exc.colno}: {exc.msg}"
    return f"{file}:{exc.lineno}: not JSON ({exc.msg})"


def parse_json(text: str | bytes, file: str, **options: Any) -> Any:
    """`loads`, with every problem raised as a JsonFileError naming `file` and the place."""
    try:
        return loads(text, **options)
    except (json.JSONDecodeError, TooDeepError) as exc:
        raise JsonFileError(problem_text(exc, file)) from None


def read_text(path: Path, limit: int = DEFAULT_LIMIT, *, follow_symlinks: bool = True) -> str:
    """The file as UTF-8 text; JsonFileError when it cannot be read (missing, not a regular
    file, larger than `limit`) or is not UTF-8."""
    try:
        data = read_user_file(path, limit, follow_symlinks=follow_symlinks)
    except OSError as exc:
        raise JsonFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise JsonFileError(f"{path}:{line}: not UTF-8 text") from None


def read_json(path: Path, limit: int = DEFAULT_LIMIT, *, follow_symlinks: bool = True) -> Any:
    return parse_json(read_text(path, limit, follow_symlinks=follow_symlinks), str(path))
