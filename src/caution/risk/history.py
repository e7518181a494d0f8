"""Mined change metrics for HEAD's history, cached under `.caution/cache/` so that a second
run only mines the commits that are new.

The cache holds the metrics of every mined commit and the miner's running state. When
HEAD still descends from the cached head, only `cached..HEAD` is read and fed; when
history was rewritten, everything is mined again. A cache is disposable: one that cannot
be read is rebuilt, never trusted half-way.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caution import json_file
from caution.cache import cache_path, read_cache, try_write_cache
from caution.git.errors import GitError
from caution.git.log import read_commits, read_commits_by_sha
from caution.git.model import Commit
from caution.git.process import run_git
from caution.risk.features import FEATURES
from caution.risk.mining import FIX_PATTERN, ChangeMetrics, Miner

HISTORY_FILE = "risk-metrics.json"
_VERSION = 2  # 2: parents mined before children


@dataclass
class MinedHistory:
    head: str
    metrics: dict[str, ChangeMetrics]
    miner: Miner
    new_commits: int  # commits read by this run (all of them on a first run)


def history_path(repo: Path) -> Path:
    return cache_path(repo, HISTORY_FILE)


def _oldest_first(commits: list[Commit]) -> list[Commit]:
    """Parents before children, and otherwise by author time. Author time alone is not
    enough: a rebased or cherry-picked commit keeps its old author date, and mining it
    before its parent would count lines the file does not have yet."""
    inside = {c.sha for c in commits}
    waiting = {c.sha: sum(1 for p in set(c.parents) if p in inside) for c in commits}
    children: dict[str, list[Commit]] = {}
    for commit in commits:
        for parent in set(commit.parents) & inside:
            children.setdefault(parent, []).append(commit)
    order = {c.sha: i for i, c in enumerate(commits)}
    ready = [(c.author.time.timestamp(), order[c.sha], c) for c in commits if not waiting[c.sha]]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, _, commit = heapq.heappop(ready)
        ordered.append(commit)
        for child in children.get(commit.sha, []):
            waiting[child.sha] -= 1
            if not waiting[child.sha]:
                heapq.heappush(ready, (child.author.time.timestamp(), order[child.sha], child))
    return ordered


def _load(repo: Path, fix_pattern: re.Pattern[str]) -> MinedHistory | None:
    try:
        data = json_file.loads(read_cache(repo, HISTORY_FILE).decode("utf-8"))
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
        if not all(
            math.isfinite(m.time) and all(math.isfinite(v) for v in m.values.values())
            for m in metrics.values()
        ):
            return None
        miner = Miner.from_json(data["miner"], fix_pattern)
        return MinedHistory(str(data["head"]), metrics, miner, 0)
    except (
        OSError,
        UnicodeDecodeError,
        ValueError,  # also JSONDecodeError
        KeyError,
        TypeError,
        AttributeError,
        ArithmeticError,  # 1e400 where an int belongs
        RecursionError,  # absurdly nested JSON
    ):
        return None  # a cache is disposable: rebuild it


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
    try_write_cache(repo, HISTORY_FILE, json.dumps(payload, separators=(",", ":")).encode())


def _is_ancestor(repo: Path, old: str, new: str) -> bool:
    try:
        run_git(["merge-base", "--is-ancestor", old, new], repo)
        return True
    except GitError:
        return False


def mine_history(
    repo: Path, *, use_cache: bool = True, fix_pattern: re.Pattern[str] = FIX_PATTERN
) -> MinedHistory:
    """Metrics of every non-merge commit reachable from HEAD."""
    return _update(repo, _load(repo, fix_pattern) if use_cache else None, fix_pattern)


def _update(repo: Path, cached: MinedHistory | None, fix_pattern: re.Pattern[str]) -> MinedHistory:
    head = run_git(["rev-parse", "--verify", "HEAD^{commit}"], repo).decode().strip()
    if cached is not None and cached.head == head:
        return cached
    if cached is not None and _is_ancestor(repo, cached.head, head):
        mined, spec = cached, f"{cached.head}..{head}"
    else:
        mined, spec = MinedHistory(head, {}, Miner(fix_pattern), 0), head
    commits = _oldest_first(list(read_commits(repo, spec, reachable=True)))
    for commit in commits:
        found = mined.miner.feed(commit)
        if found is not None:
            mined.metrics[found.sha] = found
    mined.head, mined.new_commits = head, len(commits)
    _save(repo, mined)
    return mined


def metrics_of(
    repo: Path, shas: list[str], fix_pattern: re.Pattern[str] = FIX_PATTERN
) -> list[ChangeMetrics]:
    """Metrics of the named commits (merges left out), oldest first. A commit's metrics
    depend only on its past, so a cache that holds them all answers whatever HEAD is now.
    Commits outside HEAD's history (a branch not checked out) are mined on top of HEAD's
    state — the code they would merge into — in memory only: the cache stays HEAD's."""
    mined = _load(repo, fix_pattern)
    if mined is None or not all(s in mined.metrics for s in shas):
        mined = _update(repo, mined, fix_pattern)
    found = [mined.metrics[s] for s in shas if s in mined.metrics]
    missing = [s for s in shas if s not in mined.metrics]
    for commit in _oldest_first(list(read_commits_by_sha(repo, missing))):
        extra = mined.miner.feed(commit)
        if extra is not None:
            found.append(extra)
    return sorted(found, key=lambda m: m.time)
