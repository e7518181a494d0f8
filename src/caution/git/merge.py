"""What merging a change into its target would do: the merge result's tree.

The change a gate judges is the diff from the target's tree to this tree — not the diff
from a merge base, which depends on which of several merge bases git picks (the
attacker can choose by setting commit dates), and not the commits' own diffs, which miss
what a merge commit adds by itself. `git merge-tree --write-tree` (git 2.38 and later)
runs the real merge machinery, criss-cross histories and renames included, without
touching the work tree or the index.
"""

from __future__ import annotations

from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git


class MergeError(GitError):
    """The merge result cannot be computed (conflicts, or a git too old to say)."""


def tree_of(repo: Path, rev: str) -> str:
    return (
        run_git(["rev-parse", "--verify", "--end-of-options", f"{rev}^{{tree}}"], repo)
        .decode()
        .strip()
    )


def merge_result(repo: Path, target: str, head: str, *, unrelated: bool = False) -> str:
    """The tree that merging `head` into `target` gives. Raises MergeError when the merge
    has conflicts (its result is not known until a person resolves them) or cannot run."""
    args = ["merge-tree", "--write-tree", "--no-messages", "-z"]
    if unrelated:
        args.append("--allow-unrelated-histories")
    try:
        out = run_git([*args, "--end-of-options", target, head], repo, ok_codes=(0, 1))
    except GitError as exc:
        text = str(exc)
        if "unknown option" in text or "usage:" in text or "write-tree" in text:
            raise MergeError(
                "cannot compute what the merge would do: caution needs git 2.38 or later "
                f"(git merge-tree --write-tree): {text}"
            ) from exc
        raise MergeError(f"cannot compute what merging the change would do: {text}") from exc
    fields = out.split(b"\0")
    tree = fields[0].decode("ascii", "replace").strip()
    conflicted = sorted(
        {
            entry.split(b"\t", 1)[1].decode("utf-8", "replace")
            for entry in fields[1:]
            if b"\t" in entry
        }
    )
    if conflicted:
        more = f" and {len(conflicted) - 3} more" if len(conflicted) > 3 else ""
        raise MergeError(
            f"the change does not merge cleanly into its target (conflicts in "
            f"{', '.join(conflicted[:3])}{more}): merge or rebase it, then check again"
        )
    if len(tree) not in (40, 64):
        raise MergeError(f"git merge-tree gave no tree: {tree[:80]!r}")
    return tree


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    try:
        run_git(["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant], repo)
    except GitError:
        return False
    return True


__all__ = ["MergeError", "is_ancestor", "merge_result", "tree_of"]
