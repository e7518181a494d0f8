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

import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
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
    """Line numbers in the parent's version that the fix deleted or modified. With no
    context (-U0) a hunk's `-` lines are exactly those lines of the parent, in order, so
    the diff alone says which are blank or comments: no second process for the old file."""
    diff = run_git(
        ["diff", "-U0", "-w", "--no-color", "--no-ext-diff", parent, fix, "--", path], repo
    )
    lines: list[int] = []
    number: int | None = None  # the parent's line number of the next `-` line
    for raw in diff.split(b"\n"):
        found = _HUNK.match(raw)
        if found:
            number = int(found.group(1))
        elif number is not None and raw.startswith(b"-"):
            text = raw[1:].decode("utf-8", "replace")
            if text.strip() and not _COMMENT.match(text):
                lines.append(number)
            number += 1
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
    known = cache if cache is not None else {}
    todo = [fix for fix in fixes if fix.sha not in known]
    done = len(fixes) - len(todo)
    # git blame is the cost of a first run; its processes run side by side, one per core
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        futures = {pool.submit(blame_fix, repo, fix): fix for fix in todo}
        for future in as_completed(futures):
            known[futures[future].sha] = future.result()
            done += 1
            if progress is not None:
                progress(done, len(fixes))
    if progress is not None and not todo:
        progress(len(fixes), len(fixes))
    found: dict[str, set[str]] = {}
    for fix in fixes:
        for sha in known[fix.sha]:
            found.setdefault(sha, set()).add(fix.sha)
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
