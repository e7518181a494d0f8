"""CODEOWNERS with GitHub's rules. Pure.

Looked up in `.github/`, the root, then `docs/` (the first found is used). The
last matching pattern wins; a matching line with no owners leaves a file
unowned. Patterns follow gitignore as GitHub applies it: no `!` negation and
no `[ ]` ranges; a pattern without a slash (other than a trailing one)
matches at any depth; a pattern that matches a directory owns everything in
it, except that a final lone `*` owns only the directory's direct children.
Test vectors: hmarr/codeowners testdata/patterns.json (MIT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class OwnerRule:
    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Codeowners:
    file: str
    rules: tuple[OwnerRule, ...]
    warnings: tuple[str, ...] = ()

    def owners_of(self, path: str) -> tuple[str, ...]:
        """The owners of `path`: the last matching rule's (empty when it lists none)."""
        for rule in reversed(self.rules):
            if rule.regex.fullmatch(path):
                return rule.owners
        return ()


def _segment(segment: str) -> str:
    out = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    if "[" in pattern and "\\[" not in pattern:
        raise ValueError("character ranges [ ] are not supported in CODEOWNERS")
    if pattern.startswith("!"):
        raise ValueError("negation (!) is not supported in CODEOWNERS")
    anchored = pattern.startswith("/")
    body = pattern.strip("/") if pattern != "/" else ""
    directory_only = pattern.endswith("/") and len(pattern) > 1
    segments = body.split("/") if body else []
    if not segments:
        raise ValueError("empty pattern")
    if len(segments) > 1:
        anchored = True  # a slash in the middle anchors the pattern to the root
    parts: list[str] = []
    need_slash = False
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            if index == 0:
                parts.append("(?:.*/)?")
                anchored = True
            elif last:
                parts.append("(?:/.*)?" if directory_only else "/.+")
            else:
                parts.append("/(?:.*/)?")
            need_slash = False
            continue
        if need_slash:
            parts.append("/")
        parts.append("[^/]+" if segment == "*" else _segment(segment))
        need_slash = True
    regex = "".join(parts)
    if not anchored:
        regex = "(?:.*/)?" + regex
    if directory_only:
        regex += "/.+"
    elif segments[-1] == "**":
        pass
    elif (segments[-1] == "*" and len(segments) > 1) or (segments == ["*"] and anchored):
        pass  # a final lone `*` owns direct children only
    else:
        regex += "(?:/.*)?"
    return re.compile(regex)


def parse_codeowners(text: str, file: str) -> Codeowners:
    rules: list[OwnerRule] = []
    warnings: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.split(r"(?<!\\)\s#", line, maxsplit=1)[0]  # an inline comment
        fields = line.split()
        pattern, owners = fields[0], tuple(fields[1:])
        try:
            regex = pattern_regex(pattern)
        except ValueError as exc:
            warnings.append(f"{file}:{number}: {pattern}: {exc}")
            continue
        bad = [o for o in owners if not (o.startswith("@") or "@" in o)]
        if bad:
            warnings.append(f"{file}:{number}: {', '.join(bad)} is not an @owner or an email")
        rules.append(OwnerRule(pattern, tuple(o for o in owners if o not in bad), number, regex))
    return Codeowners(file, tuple(rules), tuple(warnings))
