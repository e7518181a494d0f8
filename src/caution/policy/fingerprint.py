"""The change's fingerprint: what an approval with `invalidate_on_push: false` may carry to
another head. Pure.

`git patch-id` ignores where a hunk sits, so an approval of a line added under `[dev]`
carried over to the same line added under `[prod]`. An approval may move only to a change
that makes the same edits at the same places: a rebase that moves the base, not one that
moves the edit.

Each hunk is anchored by its context in the old file, without line numbers (which any
edit above it shifts): at least 20 lines before and after, widened (40, 80, …) until the
context, the removed lines and the context after occur exactly once in the old file, so
the window names one place. The start and the end of the file count as context, so a
window that reaches either is unique. A window that is not unique where the new target
has more copies of it is widened there, the fingerprints differ, and the approval does not
carry — the safe direction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from caution.git.patch import FilePatch, Hunk

CONTEXT = 20
MAX_SCANNED_CONTEXT = 2048
BUDGET = 2_000_000  # candidate places compared in all, per fingerprint


class TooCostlyError(Exception):
    """Anchoring would take longer than a check may: the change gets no fingerprint, so no
    approval carries to it (the safe answer; an approval of the head itself still counts)."""


VERSION = "caution-fingerprint/1"
_BOF = b"\x00<start of file>"
_EOF = b"\x00<end of file>"


def git_lines(text: bytes) -> list[bytes]:
    """Lines as git counts them: split at LF only (a lone CR is part of a line), each with
    its LF."""
    parts = text.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _occurrences(
    starts: list[int], lines: list[bytes], window: list[bytes], budget: list[int], limit: int = 2
) -> int:
    """How many times `window` occurs in `lines` (counting stops at `limit`), trying only
    the places `starts` where its first line stands; each try is spent from `budget`."""
    if not window:
        return len(lines) + 1
    size, found = len(window), 0
    budget[0] -= len(starts)
    if budget[0] < 0:
        raise TooCostlyError
    for start in starts:
        if lines[start : start + size] == window:
            found += 1
            if found >= limit:
                break
    return found


class _OldFile:
    """The old file's lines framed by start and end markers, with its 20-line windows
    counted once so that most hunks are anchored without a scan."""

    def __init__(self, text: bytes, budget: list[int]) -> None:
        self.lines: list[bytes] = [_BOF, *git_lines(text), _EOF]
        self._counts: Counter[tuple[bytes, ...]] | None = None
        self._starts: dict[bytes, list[int]] | None = None
        self._budget = budget

    def starts(self, line: bytes) -> list[int]:
        if self._starts is None:
            self._starts = {}
            for index, each in enumerate(self.lines):
                self._starts.setdefault(each, []).append(index)
        return self._starts.get(line, [])

    def counts(self) -> Counter[tuple[bytes, ...]]:
        if self._counts is None:
            lines = self.lines
            self._counts = Counter(
                tuple(lines[i : i + CONTEXT]) for i in range(len(lines) - CONTEXT + 1)
            )
        return self._counts

    def window(self, hunk: Hunk, k: int) -> tuple[list[bytes], list[bytes]]:
        start = hunk.old_start + 1  # the first line is index 1: 0 is the start marker
        end = start + hunk.old_count
        return self.lines[max(0, start - k) : start], self.lines[end : end + k]

    def anchor(self, hunk: Hunk) -> tuple[int, list[bytes], list[bytes]]:
        """(k, context before, context after) for the smallest k that names one place."""
        k = CONTEXT
        while True:
            before, after = self.window(hunk, k)
            if before[:1] == [_BOF] or after[-1:] == [_EOF]:
                return k, before, after
            if k == CONTEXT:
                counts = self.counts()
                if counts[tuple(before)] == 1 or counts[tuple(after)] == 1:
                    return k, before, after
            middle = list(self.lines[hunk.old_start + 1 : hunk.old_start + 1 + hunk.old_count])
            window = [*before, *middle, *after]
            if _occurrences(self.starts(window[0]), self.lines, window, self._budget) == 1:
                return k, before, after
            # past a few thousand lines, anchor at the file's ends: scanning a long, repetitive
            # file for ever wider windows would cost more than it could tell
            k = k * 2 if k < MAX_SCANNED_CONTEXT else len(self.lines)


def _field(digest: hashlib._Hash, tag: bytes, value: bytes) -> None:
    digest.update(tag + len(value).to_bytes(8, "big") + value)


def _lines(digest: hashlib._Hash, tag: bytes, lines: Sequence[bytes]) -> None:
    _field(digest, tag, len(lines).to_bytes(8, "big"))
    for line in lines:
        _field(digest, b".", line)


def fingerprint(files: Sequence[FilePatch], old_blobs: dict[str, bytes]) -> str | None:
    """The fingerprint of a change's patch, given the old file of every hunk (by blob id).
    None for an empty change: nothing to carry."""
    if not files:
        return None
    try:
        return _fingerprint(files, old_blobs)
    except TooCostlyError:
        return None


def _fingerprint(files: Sequence[FilePatch], old_blobs: dict[str, bytes]) -> str:
    budget = [BUDGET]
    digest = hashlib.sha256(VERSION.encode())
    for patch in files:
        _field(digest, b"F", b"\n".join(patch.header))
        old = _OldFile(old_blobs.get(patch.old_blob, b"") if patch.old_blob else b"", budget)
        for hunk in patch.hunks:
            k, before, after = old.anchor(hunk)
            _field(digest, b"K", str(k).encode())
            _lines(digest, b"B", before)
            _lines(digest, b"-", hunk.removed)
            _lines(digest, b"+", hunk.added)
            _lines(digest, b"A", after)
    return f"fp1-{digest.hexdigest()}"


__all__ = ["CONTEXT", "fingerprint"]
