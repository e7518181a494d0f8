"""Paths that files inside a repository give for other files of it (a catalog's Location
targets and annotations, the policy's allowed-signers file): each must name a file inside
the repository, or be refused with the reason. A NUL byte would crash the reader (`embedded
null byte`), a newline would be a second request on git's line-based input, and an
absolute path or one that climbs out with `..` would read the reader's own machine.
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
