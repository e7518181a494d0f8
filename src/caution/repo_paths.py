"""Paths that files inside a repository give for other files of it (a catalog's Location
targets and annotations, the policy's allowed-signers file, SLO files): each must name a
file inside the repository, or be refused with the reason. A NUL byte would crash the
reader (`embedded null byte`), a newline would be a second request on git's line-based
input, and an absolute path or one that climbs out with `..` would read the reader's own
machine.

Configured paths are also made canonical once (`normal_path`, `normal_glob`):
`allowed_signers: ./.caution/allowed_signers` must protect the same file as
`.caution/allowed_signers`, so `./`, `//`, `.` and `..` are resolved before any rule
compares a spelling.
"""

from __future__ import annotations

import posixpath


def repo_path_problem(path: str) -> str | None:
    """Why `path` (relative to the repository's root, `/`-separated) cannot name a file
    inside the repository; None when it can. `.` (the repository itself) is acceptable: a
    directory claim."""
    problem = _written_problem(path)
    if problem is not None:
        return problem
    return "leaves the repository" if _climbs_out(posixpath.normpath(path)) else None


def join_inside(base: str, target: str) -> tuple[str | None, str | None]:
    """`target`, relative to the directory `base` (a repository path), normalised: (path,
    None), or (None, why not). `..` is fine as long as the result stays inside."""
    problem = _written_problem(target)
    if problem is not None:
        return None, problem
    joined = posixpath.normpath(posixpath.join(base, target))
    return (None, "leaves the repository") if _climbs_out(joined) else (joined, None)


def text_problem(path: str) -> str | None:
    """Why `path` cannot name a file anywhere (empty, a NUL byte, a control character such
    as a newline); None when it can. For paths a configuration gives, which may be absolute."""
    if not path:
        return "is empty"
    if "\0" in path:
        return "contains a NUL byte"
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        return "contains a control character"
    return None


class RepoPathError(ValueError):
    """A configured path that cannot name a file inside the repository."""


def normal_path(text: str) -> str:
    """`text` as git names the file (`a/b`), or RepoPathError."""
    if not isinstance(text, str) or not text.strip():
        raise RepoPathError("an empty path")
    problem = repo_path_problem(text)
    if problem is not None:
        raise RepoPathError(f"{text!r} is not a file inside the repository ({problem})")
    normal = posixpath.normpath(text)
    if normal in (".", ""):
        raise RepoPathError(f"{text!r} is the repository itself, not a file in it")
    return normal


def normal_glob(text: str) -> str:
    """A path glob made canonical the same way (`./ops//x/**` → `ops/x/**`). A glob
    anchored at the root (`/README`, `./README`) stays anchored: without a slash it would
    match the name at any depth."""
    if not isinstance(text, str) or not text.strip():
        raise RepoPathError("an empty glob")
    anchored = text.startswith(("/", "./"))
    trailing = "/" if text.endswith("/") else ""
    normal = normal_path(text.lstrip("/"))
    if anchored and "/" not in normal:
        normal = "/" + normal
    return normal + trailing


def _written_problem(path: str) -> str | None:
    problem = text_problem(path)
    if problem is not None:
        return problem
    if "\\" in path:
        return "contains a backslash (paths are written with /)"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        return "is absolute; it must be relative to the repository"
    return None


def _climbs_out(normal: str) -> bool:
    return normal == ".." or normal.startswith("../")
