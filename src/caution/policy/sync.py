"""`caution approvals sync`: approvals travel between clones as git notes, safely.

Two seniors approving at once each push a notes commit; the second push is refused as
not a fast-forward, and a plain `git fetch` of the notes ref would then fail too. Sync
fetches the remote's notes into a ref of its own, merges them into the local notes as a
union (every approval line of both sides is kept: each is verified again whenever it is
used, so keeping one costs nothing and losing one loses an approval), pushes, and when
another push won the race meanwhile, does it all again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from caution.git.errors import GitError
from caution.git.notes import fetch_ref, merge_notes_union, push_ref
from caution.git.process import run_git
from caution.git.repo import remotes
from caution.policy.statement import NOTES_REF

INCOMING = "refs/caution/incoming-approvals"
ATTEMPTS = 5


class SyncError(Exception):
    """The notes could not be synchronised (no such remote, a push that keeps losing)."""


@dataclass(frozen=True)
class SyncResult:
    remote: str
    fetched: bool  # the remote had approvals
    pushed: bool
    attempts: int


def pick_remote(repo: Path, remote: str | None) -> str:
    names = remotes(repo)
    if remote is not None:
        if remote not in names:
            raise SyncError(f"no remote named {remote!r} (remotes: {', '.join(names) or 'none'})")
        return remote
    if "origin" in names:
        return "origin"
    if len(names) == 1:
        return names[0]
    raise SyncError("which remote holds the approvals? give --remote NAME")


def _has_local(repo: Path) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", NOTES_REF], repo)
    except GitError:
        return False
    return True


def fetch_approvals(repo: Path, remote: str) -> bool:
    """Merge the remote's approvals into the local notes; False when it has none."""
    if not fetch_ref(repo, remote, NOTES_REF, INCOMING):
        return False
    merge_notes_union(repo, NOTES_REF, INCOMING)
    return True


def sync_approvals(
    repo: Path,
    remote: str | None = None,
    *,
    push: bool = True,
    report: Callable[[str], None] | None = None,
) -> SyncResult:
    name = pick_remote(repo, remote)
    fetched = False
    for attempt in range(1, ATTEMPTS + 1):
        fetched = fetch_approvals(repo, name) or fetched
        if not push or not _has_local(repo):
            return SyncResult(name, fetched, False, attempt)
        if push_ref(repo, name, NOTES_REF):
            return SyncResult(name, fetched, True, attempt)
        if report is not None:
            report(f"{name} received other approvals meanwhile: merging them and pushing again")
    raise SyncError(f"could not push the approvals to {name}: it kept moving ({ATTEMPTS} tries)")


__all__ = ["SyncError", "SyncResult", "fetch_approvals", "pick_remote", "sync_approvals"]
