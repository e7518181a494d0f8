"""Paths inside the repository, as configuration writes them and as git names them.

`allowed_signers: ./.caution/allowed_signers` must protect the same file as
`.caution/allowed_signers`: a rule that compares the spelling would let a change to the
file through. Every path a configuration names is made canonical once, here — `./`, `//`,
`.` and `..` resolved — and a path that is empty, absolute or leaves the repository is
refused.
"""

from __future__ import annotations

import posixpath


class RepoPathError(ValueError):
    """A configured path that cannot name a file inside the repository."""


def normal_path(text: str) -> str:
    """`text` as git names the file (`a/b`), or RepoPathError."""
    if not isinstance(text, str) or not text.strip():
        raise RepoPathError("an empty path")
    if "\0" in text or "\\" in text:
        raise RepoPathError(f"{text!r} holds a NUL or a backslash")
    if text.startswith("/"):
        raise RepoPathError(f"{text!r} is absolute: give it relative to the repository root")
    normal = posixpath.normpath(text)
    if normal in (".", "") or normal == ".." or normal.startswith("../"):
        raise RepoPathError(f"{text!r} is not a file inside the repository")
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


__all__ = ["RepoPathError", "normal_glob", "normal_path"]
