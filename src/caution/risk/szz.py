"""SZZ labels: which changes introduced a defect, found from the changes that fixed one.

For each fix (a non-merge commit whose message looks like a fix, `risk.fix_pattern`),
the lines it deleted or modified in files that existed before are blamed at its parent
(whitespace ignored, `git blame -w`); the commits that last touched those lines are
labelled defect-introducing. Blank and comment-only lines are skipped, and so are very
large fixes (more than 50 files or 5,000 changed lines: reformatting, not fixing).
Changes younger than the maturity window are unlabelled, not clean: their defects may
not have been found yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from caution.git.errors import GitError
from caution.git.model import Commit
from caution.git.process import run_git
from caution.risk.mining import FIX_PATTERN

MAX_FILES, MAX_LINES = 50, 5000
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", re.M)
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*|--|;|%|<!--|\"\"\"|''')")


def is_fix(commit: Commit, pattern: re.Pattern[str] = FIX_PATTERN) -> bool:
    return not commit.is_merge and bool(pattern.search(commit.message))


def _changed_lines(repo: Path, parent: str, fix: str, path: str) -> list[int]:
    """Line numbers in the parent's version that the fix deleted or modified."""
    diff = run_git(
        ["diff", "-U0", "-w", "--no-color", "--no-ext-diff", parent, fix, "--", path], repo
    )
    old = run_git(["cat-file", "blob", f"{parent}:{path}"], repo).decode("utf-8", "replace")
    old_lines = old.split("\n")
    lines: list[int] = []
    for found in _HUNK.finditer(diff):
        start, count = int(found.group(1)), int(found.group(2) or "1")
        for number in range(start, start + count):
            text = old_lines[number - 1] if 0 < number <= len(old_lines) else ""
            if text.strip() and not _COMMENT.match(text):
                lines.append(number)
    return lines


def _blame(repo: Path, parent: str, path: str, lines: list[int]) -> set[str]:
    args = ["blame", "-w", "--porcelain"]
    for number in lines:
        args += ["-L", f"{number},{number}"]
    out = run_git([*args, parent, "--", path], repo)
    found = set()
    for line in out.split(b"\n"):
        head = line.split(b" ", 1)[0]
        # a porcelain header names the commit: 40 hex digits, or 64 in a SHA-256 repository
        if len(head) in (40, 64) and all(c in b"0123456789abcdef" for c in head):
            found.add(head.decode())
    return found


def blame_fix(repo: Path, commit: Commit) -> list[str]:
    """The commits that last touched the lines this fix deleted or modified ([] when
    the fix is too large to be one, or only adds lines)."""
    if not commit.parents:
        return []
    churn = sum((c.added or 0) + (c.deleted or 0) for c in commit.files)
    if len(commit.files) > MAX_FILES or churn > MAX_LINES:
        return []
    found: set[str] = set()
    for change in commit.files:
        if change.old_path is not None or change.binary or not change.deleted:
            continue  # renamed, binary, or only additions: nothing to blame
        try:
            lines = _changed_lines(repo, commit.parents[0], commit.sha, change.path)
            if lines:
                found |= _blame(repo, commit.parents[0], change.path, lines)
        except GitError:
            continue  # the file did not exist at the parent, or a blob is missing
    return sorted(found)


def introducing_commits(
    repo: Path,
    commits: Iterable[Commit],
    cache: dict[str, list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    fix_pattern: re.Pattern[str] = FIX_PATTERN,
) -> dict[str, set[str]]:
    """Defect-introducing commit → the fixes that point at it. `cache` (fix sha → what
    it blames) is read and filled, so a second run blames only new fixes; a commit's
    lines at its parent never change, so an entry never goes stale."""
    fixes = [c for c in commits if is_fix(c, fix_pattern)]
    found: dict[str, set[str]] = {}
    for n, fix in enumerate(fixes, 1):
        blamed = cache.get(fix.sha) if cache is not None else None
        if blamed is None:
            blamed = blame_fix(repo, fix)
            if cache is not None:
                cache[fix.sha] = blamed
        for sha in blamed:
            found.setdefault(sha, set()).add(fix.sha)
        if progress is not None:
            progress(n, len(fixes))
    return found


def labels(
    repo: Path,
    commits: list[Commit],
    maturity_days: float = 90,
    cache: dict[str, list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    fix_pattern: re.Pattern[str] = FIX_PATTERN,
) -> dict[str, int | None]:
    """sha → 1 (introduced a defect), 0 (clean so far) or None (too young to tell)."""
    bad = introducing_commits(repo, commits, cache, progress, fix_pattern)
    newest = max((c.author.time.timestamp() for c in commits), default=0.0)
    out: dict[str, int | None] = {}
    for commit in commits:
        if commit.is_merge:
            continue
        if commit.sha in bad:
            out[commit.sha] = 1
        elif newest - commit.author.time.timestamp() < maturity_days * 86400:
            out[commit.sha] = None
        else:
            out[commit.sha] = 0
    return out
