"""Reading `git diff -U0 --full-index` output into files and hunks. Pure.

Only what the change's fingerprint needs: each file's header lines (paths, modes,
renames; not the `index` line, whose old blob id moves whenever the target edits the
file elsewhere), the old blob id, and each hunk's position and its removed and added
lines, taken by the counts in the hunk header — so a content line that looks like a
header (`--- x`, `diff --git`) is never misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_INDEX = re.compile(rb"^index ([0-9a-f]+)\.\.([0-9a-f]+)")
_KEPT = (
    b"diff --git ",
    b"old mode ",
    b"new mode ",
    b"deleted file mode ",
    b"new file mode ",
    b"rename from ",
    b"rename to ",
    b"copy from ",
    b"copy to ",
    b"Binary files ",
    b"GIT binary patch",
)


class PatchError(ValueError):
    """The diff is not shaped as git writes it."""


@dataclass(frozen=True)
class Hunk:
    old_start: int  # 0-based index of the first old line the hunk replaces (or inserts before)
    old_count: int
    removed: tuple[bytes, ...]  # each with its line break, when it has one
    added: tuple[bytes, ...]


@dataclass(frozen=True)
class FilePatch:
    header: tuple[bytes, ...]
    old_blob: str | None  # None for a new file, a pure rename or a mode change
    hunks: tuple[Hunk, ...]


def _zero(blob: bytes) -> bool:
    return not blob.strip(b"0")


def parse_patch(data: bytes) -> list[FilePatch]:
    """Files of a `git diff -U0` patch, in order."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    files: list[FilePatch] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith(b"diff --git "):
            raise PatchError(f"expected a file header, got {line[:60]!r}")
        header = [line]
        old_blob: str | None = None
        hunks: list[Hunk] = []
        index += 1
        while index < len(lines) and not lines[index].startswith((b"diff --git ", b"@@ ")):
            line = lines[index]
            found = _INDEX.match(line)
            if found and not _zero(found.group(1)):
                old_blob = found.group(1).decode("ascii")
            if line.startswith(_KEPT):
                header.append(line)
            index += 1
        while index < len(lines) and lines[index].startswith(b"@@ "):
            hunk, index = _hunk(lines, index)
            hunks.append(hunk)
        files.append(FilePatch(tuple(header), old_blob, tuple(hunks)))
    return files


def _hunk(lines: list[bytes], index: int) -> tuple[Hunk, int]:
    found = _HUNK.match(lines[index])
    if not found:
        raise PatchError(f"bad hunk header {lines[index][:60]!r}")
    old_line = int(found.group(1))
    old_count = int(found.group(2)) if found.group(2) is not None else 1
    new_count = int(found.group(4)) if found.group(4) is not None else 1
    index += 1
    removed: list[bytes] = []
    added: list[bytes] = []
    while len(removed) < old_count or len(added) < new_count or _marker(lines, index):
        if index >= len(lines):
            raise PatchError("a hunk ends before its lines do")
        line = lines[index]
        if line.startswith(b"-") and len(removed) < old_count:
            removed.append(line[1:] + b"\n")
        elif line.startswith(b"+") and len(added) < new_count:
            added.append(line[1:] + b"\n")
        elif line.startswith(b"\\"):
            # "\ No newline at end of file": the line before it has no line break
            target = added if added else removed
            if target:
                target[-1] = target[-1].removesuffix(b"\n")
        else:
            raise PatchError(f"unexpected line in a hunk: {line[:60]!r}")
        index += 1
    start = old_line if old_count == 0 else old_line - 1
    return Hunk(start, old_count, tuple(removed), tuple(added)), index


def _marker(lines: list[bytes], index: int) -> bool:
    return index < len(lines) and lines[index].startswith(b"\\")


__all__ = ["FilePatch", "Hunk", "PatchError", "parse_patch"]
