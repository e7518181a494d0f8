"""Commit-message trailers, found by the same rules git uses.

A port of git's trailer.c (v2.39) as `git log --format=%(trailers:unfold)` and
`git interpret-trailers --parse --no-divider` apply it: the trailer block is the
last paragraph after the title, and it counts only if every line in it is a
trailer, or if it holds a git-generated trailer (`Signed-off-by: `, `(cherry
picked from commit `) and at least a quarter of its lines are trailers. Lines
that start with whitespace continue the previous trailer. Tests compare this
module with `git interpret-trailers` on generated messages.

Reading trailers ourselves (rather than asking git for `%(trailers)`) keeps one
parser for commit messages, PR descriptions and any other text with trailers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# git's sane_ctype: isspace is exactly these four, isalnum is ASCII only.
_SPACE = frozenset(" \t\n\r")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_GIT_GENERATED_PREFIXES = ("Signed-off-by: ", "(cherry picked from commit ")
_COMMENT = "#"
_SEPARATORS = ":"
_SCISSORS = "# ------------------------ >8 ------------------------\n"


@dataclass(frozen=True, slots=True)
class Trailer:
    """One `Key: value` trailer; `key` keeps its spelling, lookups ignore case."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Trailers:
    """The trailers of one message, in order, with case-insensitive lookup."""

    items: tuple[Trailer, ...]

    def get(self, key: str) -> list[str]:
        """All values of `key` (any case), in message order."""
        wanted = key.lower()
        return [t.value for t in self.items if t.key.lower() == wanted]

    def __iter__(self) -> Iterator[Trailer]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and any(t.key.lower() == key.lower() for t in self.items)


def _is_space(ch: str) -> bool:
    return ch in _SPACE


def _is_blank(line: str) -> bool:
    return all(ch in _SPACE for ch in line)


def _strip(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return text[start:end]


def find_separator(line: str) -> int:
    """Index of the `:` that ends a trailer key, or -1 (git's find_separator)."""
    whitespace_found = False
    for i, ch in enumerate(line):
        if ch in _SEPARATORS:
            return i
        if not whitespace_found and (ch in _ALNUM or ch == "-"):
            continue
        if i != 0 and ch in " \t":
            whitespace_found = True
            continue
        break
    return -1


def _split_lines(text: str) -> list[str]:
    """Lines split on LF only, newline kept, as git's strbuf_split does."""
    lines = []
    start = 0
    while start < len(text):
        nl = text.find("\n", start)
        end = len(text) if nl < 0 else nl + 1
        lines.append(text[start:end])
        start = end
    return lines


def _end_of_message(lines: list[str]) -> int:
    """Number of leading lines that are message (git's ignore_non_trailer).

    Trailing comment lines, blank lines and an old-style `Conflicts:` block are
    not part of the message; nor is anything after a scissors line.
    """
    cutoff = len(lines)
    for i, line in enumerate(lines):
        if line == _SCISSORS:
            cutoff = i
            break
    start_of_ignored: int | None = None
    in_conflicts = False
    for i in range(cutoff):
        line = lines[i]
        if line.startswith(_COMMENT) or line.startswith("\n"):
            if start_of_ignored is None:
                start_of_ignored = i
        elif line == "Conflicts:\n":
            in_conflicts = True
            if start_of_ignored is None:
                start_of_ignored = i
        elif in_conflicts and line.startswith("\t"):
            pass
        elif start_of_ignored is not None:
            start_of_ignored = None
            in_conflicts = False
    return start_of_ignored if start_of_ignored is not None else cutoff


def _trailer_block_start(lines: list[str], end: int) -> int:
    """Index of the first line of the trailer block, or `end` when there is none."""
    title_end = 0
    while title_end < end:
        line = lines[title_end]
        if not line.startswith(_COMMENT) and _is_blank(line):
            break
        title_end += 1

    only_spaces = True
    recognized_prefix = False
    trailer_lines = non_trailer_lines = possible_continuation = 0
    for i in range(end - 1, title_end - 1, -1):
        line = lines[i]
        if line.startswith(_COMMENT):
            non_trailer_lines += possible_continuation
            possible_continuation = 0
            continue
        if _is_blank(line):
            if only_spaces:
                continue
            non_trailer_lines += possible_continuation
            if recognized_prefix and trailer_lines * 3 >= non_trailer_lines:
                return i + 1
            if trailer_lines and not non_trailer_lines:
                return i + 1
            return end
        only_spaces = False
        if line.startswith(_GIT_GENERATED_PREFIXES):
            trailer_lines += 1
            possible_continuation = 0
            recognized_prefix = True
            continue
        if find_separator(line) >= 1 and not _is_space(line[0]):
            trailer_lines += 1
            possible_continuation = 0
        elif _is_space(line[0]):
            possible_continuation += 1
        else:
            non_trailer_lines += 1 + possible_continuation
            possible_continuation = 0
    return end


def _unfold(value: str) -> str:
    out = []
    i = 0
    while i < len(value):
        ch = value[i]
        i += 1
        if ch == "\n":
            while i < len(value) and value[i] in _SPACE:
                i += 1
            out.append(" ")
        else:
            out.append(ch)
    return _strip("".join(out))


def parse_trailers(message: str) -> Trailers:
    """The trailers of a commit message, unfolded, as git would report them."""
    if ":" not in message:
        return Trailers(())
    lines = _split_lines(message)
    end = _end_of_message(lines)
    start = _trailer_block_start(lines, end)
    if start >= end:
        return Trailers(())

    entries: list[str] = []
    last: int | None = None
    for line in lines[start:end]:
        if last is not None and _is_space(line[0]):
            entries[last] += line
            continue
        entries.append(line)
        last = len(entries) - 1 if find_separator(line) >= 1 else None

    items = []
    for entry in entries:
        if entry.startswith(_COMMENT):
            continue
        sep = find_separator(entry)
        if sep >= 1:
            items.append(Trailer(_strip(entry[:sep]), _unfold(_strip(entry[sep + 1 :]))))
    return Trailers(tuple(items))
