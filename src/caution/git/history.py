"""Is the history between a target and a change's head all here?

A shallow clone (GitHub Actions and GitLab clone one commit deep by default) or a
grafted one shows a truncated graph, and every answer drawn from it is wrong in the
unsafe direction: commits of the change below the cut are invisible, and the merge base
may be missing or not the best one. A gate must not judge such a history; it deepens it
(`deepen`) or refuses (`HistoryGap`).

The test (`history_gap`): every commit on either side between the tips and their merge
bases must be present with its parents — none of them a shallow boundary — and there
must be a merge base. If the best merge base were hidden, the walk from the target down
to the visible one would cross a boundary on the way, so this also proves the merge base.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caution.git.errors import GitError
from caution.git.log import revision_args
from caution.git.process import run_git

FETCH_HINT = "fetch the target and the change in full (actions/checkout: fetch-depth: 0)"


class HistoryGapError(GitError):
    """The history a question needs is not in this clone."""


@dataclass(frozen=True)
class Gap:
    """What is missing, in words a CI log can show."""

    problem: str

    def message(self) -> str:
        return f"{self.problem}: {FETCH_HINT}"


def _git_path(repo: Path, name: str) -> Path:
    out = run_git(["rev-parse", "--git-path", name], repo).decode().strip()
    path = Path(out)
    return path if path.is_absolute() else repo / path


def shallow_commits(repo: Path) -> set[str]:
    """The commits whose parents this clone does not have (`.git/shallow`)."""
    try:
        text = _git_path(repo, "shallow").read_text("ascii")
    except (OSError, UnicodeDecodeError):
        return set()
    return set(text.split())


def has_grafts(repo: Path) -> bool:
    """`.git/info/grafts` rewrites parents for every command: the history is not git's."""
    path = _git_path(repo, "info/grafts")
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return True


def merge_bases(repo: Path, a: str, b: str) -> list[str]:
    try:
        out = run_git(["merge-base", "--all", "--end-of-options", a, b], repo, ok_codes=(0, 1))
    except GitError:
        return []
    return out.decode().split()


def history_gap(repo: Path, target: str, head: str) -> Gap | None:
    """Why the history between `target` and `head` cannot be judged, or None when it can."""
    if has_grafts(repo):
        return Gap("the history is grafted (.git/info/grafts), so parents are not git's own")
    shallow = shallow_commits(repo)
    if not shallow:
        return None  # a full clone: unrelated histories are a real answer, not a gap
    bases = merge_bases(repo, target, head)
    if not bases:
        return Gap("history is shallow: the target and the change have no common commit here")
    out = run_git(["rev-list", "--end-of-options", target, head, *(f"^{b}" for b in bases)], repo)
    walked = out.decode().split()
    cut = [sha for sha in walked if sha in shallow]
    cut += [sha for sha in bases if sha in shallow and sha not in cut]
    if cut:
        return Gap(f"history is shallow: it stops at {cut[0][:10]}, inside the change")
    return None


def range_gap(repo: Path, spec: str, *, reachable: bool = False) -> Gap | None:
    """For a plain rev-list range (provenance, reach): whether its walk reaches a shallow
    boundary, below which its commits would go on unseen (a single commit at the boundary
    has no parent to diff against either)."""
    if has_grafts(repo):
        return Gap("the history is grafted (.git/info/grafts), so parents are not git's own")
    shallow = shallow_commits(repo)
    if not shallow:
        return None
    out = run_git(["rev-list", *revision_args(spec, reachable=reachable)], repo)
    for sha in out.decode().split():
        if sha in shallow:
            return Gap(
                f"history is shallow: the range reaches {sha[:10]}, whose parents are missing"
            )
    return None


def deepen(repo: Path, remote: str, refspecs: list[str], by: int) -> None:
    """Fetch `by` more generations below the shallow boundary of what `refspecs` name."""
    run_git(["fetch", "--quiet", "--no-tags", f"--deepen={by}", remote, *refspecs], repo)


__all__ = [
    "FETCH_HINT",
    "Gap",
    "HistoryGapError",
    "deepen",
    "has_grafts",
    "history_gap",
    "merge_bases",
    "range_gap",
    "shallow_commits",
]
