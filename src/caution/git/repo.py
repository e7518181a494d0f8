"""Questions about the repository itself: where it is, what it is called, which
branch is the default, and which range a command should read when not told."""

from __future__ import annotations

import os
from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git


def find_root(start: Path) -> Path:
    """The top of the work tree (or the git directory of a bare repository)."""
    if not start.exists():
        raise GitError(f"{start}: no such directory")
    if not start.is_dir():
        raise GitError(f"{start}: not a directory")
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


def cat_objects(
    repo: Path,
    names: list[str],
    *,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> list[tuple[str, str, bytes] | None]:
    """(object id, type, content) of many objects (`<sha>`, `<rev>:<path>`,
    `<rev>^{commit}`) in one git process, in order; None for one that is missing. Names
    with a newline cannot be asked for on git's line-based input and read as missing."""
    asked = [n for n in names if "\n" not in n]
    out = b""
    if asked:
        stdin = "".join(f"{n}\n" for n in asked).encode()
        out = run_git(["cat-file", "--batch"], repo, stdin=stdin, timeout=timeout, env=env)
    found: dict[str, tuple[str, str, bytes] | None] = {}
    pos = 0
    for name in asked:
        header_end = out.find(b"\n", pos)
        if header_end < 0:
            raise GitError("git cat-file answered less than it was asked")
        header = out[pos:header_end].split()
        pos = header_end + 1
        if len(header) != 3 or not header[2].isdigit():
            found[name] = None  # `<name> missing`, `<name> ambiguous`
            continue
        size = int(header[2])
        found[name] = (header[0].decode(), header[1].decode(), out[pos : pos + size])
        pos += size + 1
    return [found.get(n) for n in names]


def cat_files(repo: Path, names: list[str]) -> list[bytes | None]:
    """The contents of many blobs in one git process, in order; None for one that is
    missing or not a blob."""
    return [o[2] if o is not None and o[1] == "blob" else None for o in cat_objects(repo, names)]


def tracked_files_at(repo: Path, rev: str) -> list[str]:
    """The regular files of `rev`'s tree (no links, no submodules), as `ls-files` names them."""
    out = run_git(["ls-tree", "-r", "-z", "--end-of-options", rev], repo)
    files = []
    for entry in out.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if meta.split(b" ")[0] in (b"100644", b"100755"):
            files.append(path.decode("utf-8", "replace"))
    return files


def first_parent_root(repo: Path, rev: str = "HEAD") -> str | None:
    """The root of `rev`'s first-parent chain: merging an unrelated history does not change
    it. (In a shallow clone it is the shallow boundary: callers must check.)"""
    out = (
        run_git(["rev-list", "--first-parent", "--max-parents=0", "--end-of-options", rev], repo)
        .decode()
        .split()
    )
    return out[-1] if out else None


def git_config(repo: Path, key: str) -> str | None:
    try:
        value = run_git(["config", "--get", key], repo).decode("utf-8", "replace").strip()
    except GitError:
        return None
    return value or None


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def parents_of(repo: Path, sha: str) -> list[str]:
    """The parents of commit `sha`, in order."""
    out = run_git(["rev-list", "--parents", "-n", "1", "--end-of-options", sha], repo).decode()
    return out.split()[1:]


def is_shallow(repo: Path) -> bool:
    out = run_git(["rev-parse", "--is-shallow-repository"], repo).decode().strip()
    return out == "true"


def remotes(repo: Path) -> list[str]:
    return run_git(["remote"], repo).decode("utf-8", "replace").split()


def short_branch(repo: Path, name: str) -> str:
    """`refs/remotes/origin/main`, `origin/main`, `refs/heads/main` → `main`."""
    for prefix in ("refs/heads/", "refs/remotes/"):
        name = name.removeprefix(prefix)
    head, sep, rest = name.partition("/")
    if sep and head in remotes(repo):
        return rest
    return name


def is_branch(repo: Path, name: str) -> bool:
    for ref in (name, f"refs/heads/{name}", f"refs/remotes/{name}"):
        if ref.startswith("refs/") and resolve(repo, ref) is not None:
            return True
    return False


def branches_at(repo: Path, sha: str) -> list[str]:
    """Branch names (local and remote) whose tip is `sha`."""
    out = run_git(
        ["for-each-ref", "--format=%(refname)", f"--points-at={sha}", "refs/heads", "refs/remotes"],
        repo,
    )
    names = [
        line for line in out.decode("utf-8", "replace").splitlines() if not line.endswith("/HEAD")
    ]
    return [short_branch(repo, n) for n in names]


def path_in_repo(repo: Path, base: Path, path: str) -> str:
    """`path`, given relative to `base` (the user's directory), as git names it: relative to
    the repository root, with forward slashes. Outside the repository is an error."""
    full = Path(os.path.normpath(base / path))
    try:
        relative = full.relative_to(repo.resolve())
    except ValueError:
        raise GitError(f"{path} is outside the repository {repo}") from None
    if relative == Path() or (full.is_dir() and not full.is_symlink()):
        raise GitError(f"{path} is a folder: name a file")
    return relative.as_posix()


def head_branch(repo: Path) -> str | None:
    """The branch HEAD names (`main`), also in a bare repository; None when detached."""
    try:
        out = run_git(["symbolic-ref", "--quiet", "HEAD"], repo).decode().strip()
    except GitError:
        return None
    return out.removeprefix("refs/heads/") if out.startswith("refs/heads/") else None


def git_config_all(repo: Path, key: str) -> list[str]:
    """Every value of a multi-valued configuration key, in order; none when unset."""
    try:
        out = run_git(["config", "--get-all", "-z", key], repo)
    except GitError:
        return []
    return [v for v in out.decode("utf-8", "replace").split("\0") if v]


def remote_default_branch(repo: Path, remote: str) -> str | None:
    """The branch `remote` names as its HEAD (`refs/remotes/<remote>/HEAD`), else its
    `main` or `master` as this clone last fetched them; None when it has neither."""
    try:
        out = run_git(["symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD"], repo)
        ref = out.decode("utf-8", "replace").strip()
        prefix = f"refs/remotes/{remote}/"
        if ref.startswith(prefix):
            return ref.removeprefix(prefix)
    except GitError:
        pass
    for name in ("main", "master"):
        if resolve(repo, f"refs/remotes/{remote}/{name}") is not None:
            return name
    return None


def git_path(repo: Path, name: str) -> Path:
    """`git rev-parse --git-path NAME`: where git keeps NAME (hooks honour core.hooksPath)."""
    out = run_git(["rev-parse", "--git-path", name], repo).decode("utf-8", "replace").strip()
    path = Path(out)
    return path if path.is_absolute() else repo / path
