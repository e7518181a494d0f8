"""Path globs with `**`, as policies write them (`services/checkout/**`).

`*` and `?` stay within one path segment, `**` spans any number of segments
(including none), `[abc]` is a character class. A pattern without a slash
matches a file name at any depth, as .gitignore does, unless it starts with `/`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


class GlobError(ValueError):
    pass


def _translate(pattern: str) -> str:
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if pattern.startswith("**", i):
                at_start = i == 0 or pattern[i - 1] == "/"
                followed = pattern[i + 2 : i + 3]
                if at_start and followed == "/":
                    out.append("(?:.*/)?")
                    i += 3
                    continue
                if at_start and followed == "":
                    out.append(".*")
                    i += 2
                    continue
                raise GlobError(f"'**' must be a whole path segment in {pattern!r}")
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end < 0:
                raise GlobError(f"unclosed '[' in {pattern!r}")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Glob:
    pattern: str
    regex: re.Pattern[str]

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


@functools.lru_cache(maxsize=4096)
def compile_glob(pattern: str, *, ignore_case: bool = False) -> Glob:
    """Compiled once per pattern: the guard checks every written path against the same
    few dozen globs, on the hook's hot path. `ignore_case` matches as a case-insensitive
    file system would open the file (`.CAUTION.yml` is `.caution.yml` on macOS)."""
    if not pattern or pattern.strip() != pattern:
        raise GlobError(f"empty or padded glob {pattern!r}")
    anchored = pattern.startswith("/")
    body = pattern.lstrip("/")
    if body.endswith("/"):
        body += "**"
    translated = _translate(body)
    if "/" not in body and not anchored:
        translated = "(?:.*/)?" + translated
    try:
        # DOTALL: a file name may hold a newline, and must not slip past a rule for it
        flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        return Glob(pattern, re.compile(translated, flags))
    except re.error as exc:
        raise GlobError(f"bad glob {pattern!r}: {exc}") from exc
