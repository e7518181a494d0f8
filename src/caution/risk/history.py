"""Mined change metrics for HEAD's history, cached under `.caution/cache/` so that a second
run only mines the commits that are new.

The cache holds the metrics of every mined commit and the miner's running state. When
HEAD still descends from the cached head, only `cached..HEAD` is read and fed; when
history was rewritten, everything is mined again. A cache is disposable: one that cannot
be read is rebuilt, never trusted half-way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caution.git.errors import GitError
from caution.git.log import read_commits, read_commits_by_sha
from caution.git.model import Commit
from caution.git.process import run_git
from caution.risk.features import FEATURES
from caution.risk.mining import FIX_PATTERN, ChangeMetrics, Miner
from caution.risk.store import CACHE_DIR, ensure_cache_dir

HISTORY_FILE = "risk-metrics.json"
_VERSION = 1


@dataclass
class MinedHistory:
    head: str
    metrics: dict[str, ChangeMetrics]
    miner: Miner
    new_commits: int  # commits read by this run (all of them on a first run)


def history_path(repo: Path) -> Path:
    return repo / CACHE_DIR / HISTORY_FILE


def _oldest_first(commits: list[Commit]) -> list[Commit]:
    return sorted(commits, key=lambda c: c.author.time)


def _load(repo: Path, fix_pattern: re.Pattern[str]) -> MinedHistory | None:
    try:
        data = json.loads(history_path(repo).read_text("utf-8"))
        if data.get("version") != _VERSION or data.get("features") != list(FEATURES):
            return None
        if data.get("fix_pattern") != fix_pattern.pattern:
            return None  # FIX was computed with another pattern
        metrics = {
            str(sha): ChangeMetrics(
                str(sha), float(t), dict(zip(FEATURES, map(float, v), strict=True))
            )
            for sha, t, v in data["changes"]
        }
        miner = Miner.from_json(data["miner"], fix_pattern)
        return MinedHistory(str(data["head"]), metrics, miner, 0)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save(repo: Path, mined: MinedHistory) -> None:
    payload: dict[str, Any] = {
        "version": _VERSION,
        "head": mined.head,
        "features": list(FEATURES),
        "fix_pattern": mined.miner.fix_pattern.pattern,
        "changes": [
            [m.sha, m.time, [m.values[f] for f in FEATURES]] for m in mined.metrics.values()
        ],
        "miner": mined.miner.to_json(),
    }
    try:
        path = history_path(repo)
        ensure_cache_dir(path.parent)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(payload, separators=(",", ":")), "utf-8")
        partial.replace(path)
    except OSError:
        pass  # a read-only checkout still gets an answer, just not a cache


def _is_ancestor(repo: Path, old: str, new: str) -> bool:
    try:
        run_git(["merge-base", "--is-ancestor", old, new], repo)
        return True
    except GitError:
        return False


def mine_history(
    repo: Path,
    progress: Callable[[int], None] | None = None,
    *,
    use_cache: bool = True,
    fix_pattern: re.Pattern[str] = FIX_PATTERN,
) -> MinedHistory:
    """Metrics of every non-merge commit reachable from HEAD."""
    head = run_git(["rev-parse", "--verify", "HEAD^{commit}"], repo).decode().strip()
    cached = _load(repo, fix_pattern) if use_cache else None
    if cached is not None and cached.head == head:
        return cached
    if cached is not None and _is_ancestor(repo, cached.head, head):
        mined, spec = cached, f"{cached.head}..{head}"
    else:
        mined, spec = MinedHistory(head, {}, Miner(fix_pattern), 0), head
    commits = _oldest_first(list(read_commits(repo, spec, reachable=True)))
    for n, commit in enumerate(commits, 1):
        found = mined.miner.feed(commit)
        if found is not None:
            mined.metrics[found.sha] = found
        if progress is not None:
            progress(n)
    mined.head, mined.new_commits = head, len(commits)
    _save(repo, mined)
    return mined


def metrics_of(
    repo: Path, shas: list[str], fix_pattern: re.Pattern[str] = FIX_PATTERN
) -> list[ChangeMetrics]:
    """Metrics of the named commits (merges left out), oldest first. Commits outside HEAD's
    history (a branch not checked out) are mined on top of HEAD's state: the code they
    would merge into."""
    cached = _load(repo, fix_pattern)
    if cached is not None and all(s in cached.metrics for s in shas):
        mined = cached  # a commit's metrics depend only on its past: any head will do
    else:
        mined = mine_history(repo, fix_pattern=fix_pattern)
    found = [mined.metrics[s] for s in shas if s in mined.metrics]
    missing = [s for s in shas if s not in mined.metrics]
    if missing:
        miner = Miner.from_json(json.loads(json.dumps(mined.miner.to_json())), fix_pattern)
        for commit in _oldest_first(list(read_commits_by_sha(repo, missing))):
            extra = miner.feed(commit)
            if extra is not None:
                found.append(extra)
    return sorted(found, key=lambda m: m.time)
