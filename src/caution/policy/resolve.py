"""Working out the change once, for every command that judges or approves one.

A change is what merging its head into its target would do: the commits `target..head`
and the diff from the target's tree to the merge result's tree (`git merge-tree`). `check`,
`approve`, `approvals` and the server-side hook all resolve it here, so the head, the
target branch and the fingerprint that a signed approval names are computed one way.

On the way it refuses what cannot be judged — a shallow or grafted history (after
deepening it from the remote, within a bound, when it may), a merge with conflicts — and
notes every choice it made for the user: a target found only as `origin/NAME`, a forge's
synthetic merge commit replaced by the pull request's head, commits fetched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from caution import json_file
from caution.git.diff import old_blobs, tree_patch
from caution.git.errors import GitError
from caution.git.history import (
    Gap,
    HistoryGapError,
    deepen,
    history_gap,
    merge_bases,
    shallow_commits,
)
from caution.git.merge import MergeError, is_ancestor, merge_result, tree_of
from caution.git.patch import PatchError
from caution.git.repo import (
    branches_at,
    default_branch,
    default_range,
    is_branch,
    parents_of,
    remotes,
    resolve,
    short_branch,
)
from caution.policy.fingerprint import fingerprint

DEEPEN_STEPS = (50, 250, 1000, 5000)  # more generations per fetch, 6,300 in all


class ChangeError(Exception):
    """The change cannot be worked out as asked (unknown revision, nothing to judge)."""


@dataclass(frozen=True)
class ResolvedChange:
    """Where a change stands: its target, its head and what the merge would do."""

    spec: str  # as shown to the user: `main..HEAD`, `origin/main..feature`
    target: str  # the target tip's commit: the policy is read here
    target_name: str | None  # the branch approvals name (`main`), None when unknown
    head: str  # the change's head commit: approvals sit on it
    target_tree: str
    merged_tree: str  # the tree merging head into target gives
    notes: tuple[str, ...] = ()

    @property
    def commits(self) -> str:
        """The rev-list range of the change's commits."""
        return f"{self.target}..{self.head}"


@dataclass(frozen=True)
class PullRequest:
    """What a forge's CI says about the pull request it is testing."""

    forge: str  # github | gitlab
    number: str | None
    head_sha: str | None
    base_ref: str | None
    base_sha: str | None = None


def forge_pull_request(env: Mapping[str, str]) -> PullRequest | None:
    """The pull request a CI job runs for, from GitHub Actions' or GitLab CI's variables."""
    event_path = env.get("GITHUB_EVENT_PATH")
    if env.get("GITHUB_ACTIONS") == "true" or event_path:
        pr: dict[str, object] = {}
        if event_path:
            try:
                event = json_file.read_json(Path(event_path))
            except (OSError, ValueError):
                event = None
            found = event.get("pull_request") if isinstance(event, dict) else None
            pr = found if isinstance(found, dict) else {}
        head = pr.get("head") if isinstance(pr.get("head"), dict) else {}
        base = pr.get("base") if isinstance(pr.get("base"), dict) else {}
        assert isinstance(head, dict) and isinstance(base, dict)
        base_ref = base.get("ref") or env.get("GITHUB_BASE_REF") or None
        if not pr and not base_ref:
            return None
        number = pr.get("number")
        return PullRequest(
            "github",
            str(number) if number is not None else None,
            str(head["sha"]) if isinstance(head.get("sha"), str) else None,
            str(base_ref) if base_ref else None,
            str(base["sha"]) if isinstance(base.get("sha"), str) else None,
        )
    if env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"):
        return PullRequest(
            "gitlab",
            env.get("CI_MERGE_REQUEST_IID"),
            env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") or None,
            env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"],
            env.get("CI_MERGE_REQUEST_TARGET_BRANCH_SHA") or None,
        )
    return None


@dataclass(frozen=True)
class Target:
    sha: str
    ref: str  # as shown: `main`, `origin/main`, or the commit expression given
    name: str  # the branch name approvals use: `main`
    remote: str | None  # the remote it came from, for fetching
    full: str = ""  # the full ref it was read from (`refs/remotes/origin/main`), or the sha


def _only_remote(known: list[str]) -> str | None:
    """origin, else the one remote there is."""
    return "origin" if "origin" in known else (known[0] if len(known) == 1 else None)


def _branch_ref(repo: Path, name: str, known: list[str]) -> tuple[str, str, str, str | None] | None:
    """(full ref, its commit, branch name, remote) of the branch `name` names: a local
    branch, a remote-tracking `REMOTE/NAME`, or NAME on the one remote. Only branch refs: a
    tag named `main` or `origin/main` must never stand in for the branch."""
    only = _only_remote(known)
    candidates: list[tuple[str, str, str | None]]
    if name.startswith("refs/heads/"):
        candidates = [(name, name.removeprefix("refs/heads/"), only)]
    elif name.startswith("refs/remotes/"):
        owner, _, rest = name.removeprefix("refs/remotes/").partition("/")
        candidates = [(name, rest or owner, owner if owner in known else None)]
    elif name.startswith("refs/"):
        return None
    else:
        first, _, rest = name.partition("/")
        candidates = [(f"refs/heads/{name}", name, only)]
        if rest:
            candidates.append((f"refs/remotes/{name}", rest, first if first in known else None))
        if only is not None:
            candidates.append((f"refs/remotes/{only}/{name}", name, only))
    for full, branch, remote in candidates:
        found = resolve(repo, full)
        if found is not None:
            return full, found, branch, remote
    return None


def resolve_target(repo: Path, name: str) -> Target | None:
    """The branch `name` names (`NAME`, else `origin/NAME`: CI checkouts have no local
    branch for the target, only its remote-tracking ref), else a commit given by id or
    expression. A tag is refused: a change merges into a branch, and a tag called like the
    branch is how an attacker would swap the policy that judges the change."""
    known = remotes(repo)
    found = _branch_ref(repo, name, known)
    if found is not None:
        full, sha, branch, remote = found
        shown = full.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        return Target(sha, shown, branch, remote, full)
    if name.startswith("refs/tags/") or resolve(repo, f"refs/tags/{name}") is not None:
        raise ChangeError(f"{name} is a tag, not a branch: give the branch the change merges into")
    commit = resolve(repo, name)
    return None if commit is None else Target(commit, name, "", _only_remote(known), commit)


def resolve_head(repo: Path, name: str) -> str | None:
    """The commit `name` names, a branch before a tag of the same name."""
    found = _branch_ref(repo, name, remotes(repo)) if name != "HEAD" else None
    return found[1] if found is not None else resolve(repo, name)


def _target_name(repo: Path, left: str, sha: str) -> str | None:
    if is_branch(repo, left):
        return short_branch(repo, left)
    names = branches_at(repo, sha)
    preferred = default_branch(repo)
    if preferred is not None and short_branch(repo, preferred) in names:
        return short_branch(repo, preferred)
    return names[0] if names else None


@dataclass
class _Draft:
    target: Target
    head: str
    head_spec: str
    notes: list[str] = field(default_factory=list)


def _split(spec: str) -> tuple[str | None, str]:
    words = spec.split()
    if len(words) != 1 or spec.startswith(("-", "^")) or "^!" in spec or "^@" in spec:
        raise ChangeError(f"{spec!r}: give the change as A..B, A...B or one commit")
    for separator in ("...", ".."):
        if separator in spec:
            left, right = (part.strip() or "HEAD" for part in spec.split(separator, 1))
            return left, right
    return None, spec


def _draft(repo: Path, spec: str | None, target: str | None, pull: PullRequest | None) -> _Draft:
    if spec is None:
        chosen = target or (pull.base_ref if pull else None)
        if chosen is None:
            spec = default_range(repo)
            if ".." not in spec:
                raise ChangeError(
                    "cannot tell which commits are the change (HEAD is on the default branch, "
                    "or there is none): give a range such as origin/main..HEAD, or --target BRANCH"
                )
        else:
            spec = f"{chosen}..HEAD"
    left, right = _split(spec)
    head = resolve_head(repo, right)
    if head is None:
        raise ChangeError(f"{right}: not a commit")
    notes: list[str] = []
    if left is None:
        left = target or (pull.base_ref if pull else None) or default_branch(repo)
        if left is None:
            raise ChangeError(f"which branch does {right} merge into? give --target BRANCH")
        notes.append(f"one revision given: the change is {left}..{right}")
    found = resolve_target(repo, left)
    if found is None:
        raise ChangeError(f"{left}: not a commit (nor {left!r} on a remote)")
    if found.ref != left and found.name == left:
        notes.append(f"target {left} is not a local branch: using {found.ref}")
    if target is not None and left != target:
        found = replace(found, name=short_branch(repo, target))
    elif not found.name:
        found = replace(found, name=_target_name(repo, left, found.sha) or "")
    return _Draft(found, head, right, notes)


def _pull_request_head(
    repo: Path, draft: _Draft, pull: PullRequest | None
) -> tuple[str, str] | None:
    """(PR head, how it was found) when the head is a forge's synthetic merge commit: two
    parents, the first the target tip (or the base the forge names), the second the
    pull request's head — and nothing in it that the merge itself would not make."""
    parents = parents_of(repo, draft.head)
    if len(parents) != 2:
        return None
    first, second = parents
    on_target = first == draft.target.sha or (pull is not None and first == pull.base_sha)
    if not on_target:
        return None  # a merge onto something else is not the target's merge: judge it whole
    if pull is not None and pull.head_sha and second == pull.head_sha:
        how = f"{pull.forge} pull request" + (f" #{pull.number}" if pull.number else "")
    else:
        how = "a merge commit whose first parent is the target"
    try:
        clean = merge_result(repo, first, second) == tree_of(repo, draft.head)
    except GitError:
        return None
    if not clean:
        return None  # the merge commit adds something of its own: judge it as it is
    return second, how


def _same_base(repo: Path, draft: _Draft, pull: PullRequest | None) -> None:
    """The target must be the branch the forge says the pull request merges into: its tip
    at or after the base commit the forge names. Otherwise another ref (a tag, a stale
    branch) is judging the change, and the gate refuses rather than guess."""
    if pull is None or not pull.base_sha or resolve(repo, pull.base_sha) is None:
        return
    if pull.base_ref and draft.target.name and draft.target.name != pull.base_ref:
        return  # judged against another branch on purpose (--target): nothing to compare
    if not is_ancestor(repo, pull.base_sha, draft.target.sha):
        raise ChangeError(
            f"{draft.target.ref} ({draft.target.sha[:10]}) is not the pull request's base: "
            f"the forge names {pull.base_sha[:10]} on {pull.base_ref or 'its target'}"
        )


def _complete_history(
    repo: Path, draft: _Draft, *, may_fetch: bool, report: Callable[[str], None] | None
) -> None:
    gap = history_gap(repo, draft.target.sha, draft.head)
    if gap is None:
        return
    remote = draft.target.remote
    if not may_fetch or remote is None:
        raise HistoryGapError(gap.message())
    name = draft.target.name
    refspecs = [f"+refs/heads/{name}:refs/remotes/{remote}/{name}"] if name else []
    fetched = 0
    for step in DEEPEN_STEPS:
        if report is not None:
            report(f"history is shallow: fetching {step} more commits from {remote}")
        try:
            try:
                deepen(repo, remote, [*refspecs, draft.head], step)
            except GitError:
                deepen(repo, remote, refspecs, step)  # the server will not send a bare sha
        except GitError as exc:
            raise HistoryGapError(
                f"{gap.message()} (fetching from {remote} failed: {exc})"
            ) from exc
        fetched += step
        target = resolve(repo, draft.target.full)
        if target is not None:
            draft.target = replace(draft.target, sha=target, full=draft.target.full or target)
        gap = history_gap(repo, draft.target.sha, draft.head)
        if gap is None:
            draft.notes.append(
                f"the clone was shallow: fetched up to {fetched} more commits from {remote}"
            )
            return
        if not shallow_commits(repo):
            break
    raise HistoryGapError(f"{gap.message()} (still after fetching {fetched} more commits)")


def resolve_change(
    repo: Path,
    spec: str | None,
    target: str | None = None,
    *,
    may_fetch: bool = True,
    env: Mapping[str, str] | None = None,
    report: Callable[[str], None] | None = None,
) -> ResolvedChange:
    """The change `spec` names (`A..B`, `A...B`, one revision judged against `target` or
    the default branch; None: the branch's commits not on the default branch, or the pull
    request CI runs for). Raises ChangeError, HistoryGapError or MergeError."""
    pull = forge_pull_request(os.environ if env is None else env)
    draft = _draft(repo, spec, target, pull)
    _complete_history(repo, draft, may_fetch=may_fetch, report=report)
    _same_base(repo, draft, pull)
    found = _pull_request_head(repo, draft, pull)
    if found is not None:
        head, how = found
        draft.notes.append(
            f"{draft.head_spec} is {how}'s merge commit: judging its head {head[:10]} "
            f"against {draft.target.ref}"
        )
        draft.head = head
        _complete_history(repo, draft, may_fetch=may_fetch, report=report)
    if draft.head == draft.target.sha or is_ancestor(repo, draft.head, draft.target.sha):
        raise ChangeError(
            f"{draft.head_spec} is already in {draft.target.ref}: "
            "the change has no commits to check"
        )
    # complete history without a common commit: two unrelated histories, merged as such
    unrelated = not merge_bases(repo, draft.target.sha, draft.head)
    merged = merge_result(repo, draft.target.sha, draft.head, unrelated=unrelated)
    shown = spec if spec is not None else f"{draft.target.ref}..{draft.head_spec}"
    return ResolvedChange(
        spec=shown,
        target=draft.target.sha,
        target_name=draft.target.name or None,
        head=draft.head,
        target_tree=tree_of(repo, draft.target.sha),
        merged_tree=merged,
        notes=tuple(draft.notes),
    )


def change_fingerprint(repo: Path, change: ResolvedChange) -> str | None:
    """The fingerprint of what the change does to its target (see `fingerprint.py`); None
    for an empty change or when an old file is missing from this clone."""
    try:
        files = tree_patch(repo, change.target_tree, change.merged_tree)
    except PatchError:
        return None  # a patch this reader cannot follow: nothing can carry to it
    blobs = old_blobs(repo, files)
    if any(f.old_blob and f.hunks and f.old_blob not in blobs for f in files):
        return None
    return fingerprint(files, blobs)


__all__ = [
    "ChangeError",
    "Gap",
    "HistoryGapError",
    "MergeError",
    "PullRequest",
    "ResolvedChange",
    "Target",
    "change_fingerprint",
    "forge_pull_request",
    "resolve_change",
    "resolve_target",
]
