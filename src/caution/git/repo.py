"""Questions about the repository itself: where it is, what it is called, which
branch is the default, and which range a command should read when not told."""

from __future__ import annotations

from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git


def find_root(start: Path) -> Path:
    """The top of the work tree (or the git directory of a bare repository)."""
    if not start.exists():
        raise GitError(f"{start}: no such directory")
    try:
        out = run_git(["rev-parse", "--show-toplevel"], start).decode().strip()
    except GitError as exc:
        try:
            git_dir = run_git(["rev-parse", "--absolute-git-dir"], start).decode().strip()
        except GitError:
            raise GitError(f"{start}: not a git repository") from exc
        return Path(git_dir)
    return Path(out)


def has_commits(repo: Path) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], repo)
    except GitError:
        return False
    return True


def require_commits(repo: Path) -> None:
    if not has_commits(repo):
        raise GitError(f"{repo}: the repository has no commits yet (nothing to read)")


def resolve(repo: Path, rev: str) -> str | None:
    """The commit sha `rev` names, or None."""
    if rev.startswith("-"):
        return None
    try:
        out = run_git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], repo
        )
    except GitError:
        return None
    return out.decode().strip() or None


def default_branch(repo: Path) -> str | None:
    """The branch changes merge into: origin's HEAD, else main, else master."""
    try:
        out = run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], repo)
        ref = out.decode().strip()
        if ref:
            return ref.removeprefix("refs/remotes/")
    except GitError:
        pass
    for name in ("main", "master", "trunk", "origin/main", "origin/master"):
        if resolve(repo, name) is not None:
            return name
    return None


def default_range(repo: Path) -> str:
    """The current branch's commits not on the default branch, else `HEAD` alone."""
    require_commits(repo)
    base = default_branch(repo)
    if base is None:
        return "HEAD"
    head = resolve(repo, "HEAD")
    base_sha = resolve(repo, base)
    if head is None or base_sha is None or head == base_sha:
        return "HEAD"
    try:
        run_git(["merge-base", "--is-ancestor", head, base_sha], repo)
    except GitError:
        return f"{base}..HEAD"
    return "HEAD"


def read_file_at(repo: Path, rev: str, path: str) -> bytes | None:
    """A file's content at a revision, or None when it is not there."""
    try:
        return run_git(["cat-file", "blob", f"{rev}:{path}"], repo)
    except GitError:
        return None


def repository_id(repo: Path) -> str:
    """A name for this repository that every clone shares: its oldest root commit."""
    out = run_git(["rev-list", "--max-parents=0", "HEAD"], repo).decode().split()
    if not out:
        raise GitError(f"{repo}: the repository has no commits yet (nothing to read)")
    return sorted(out)[0]


def git_config(repo: Path, key: str) -> str | None:
    try:
        value = run_git(["config", "--get", key], repo).decode("utf-8", "replace").strip()
    except GitError:
        return None
    return value or None


def patch_id(repo: Path, sha: str) -> str | None:
    """`git patch-id --stable` of one commit's diff: the same for the same change
    after a rebase, different once the content changes. None for an empty commit."""
    diff = run_git(["diff-tree", "-p", "--root", "--no-color", "--no-ext-diff", sha], repo)
    out = run_git(["patch-id", "--stable"], repo, stdin=diff).decode().split()
    return out[0] if out else None
