"""The repository's disposable caches under `.caution/cache/`: one folder, git-ignored by a
`.gitignore` of its own, written atomically (temp file and rename) so a reader never sees a
half-written file. Every capability that caches (reach's import graph, risk's mined history,
training set and model) writes through here."""

from __future__ import annotations

import contextlib
from pathlib import Path

from caution.user_file import MiB, read_user_file

CACHE_DIR = Path(".caution") / "cache"
CACHE_LIMIT = 512 * MiB  # a training set of a very long history stays well below


def cache_path(repo: Path, name: str) -> Path:
    return repo / CACHE_DIR / name


def read_cache(repo: Path, name: str) -> bytes:
    """The cache `name`: a regular file, not a link (the folder is inside a repository,
    which could commit one leading to /dev/zero or elsewhere), of at most CACHE_LIMIT
    bytes. OSError otherwise, which every reader takes as "no cache"."""
    return read_user_file(cache_path(repo, name), CACHE_LIMIT, follow_symlinks=False)


def write_cache(repo: Path, name: str, data: bytes) -> Path:
    """Write `name` atomically; raises OSError (a read-only checkout, a full disk)."""
    folder = repo / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# caution's caches: never commit them\n*\n", "utf-8")
    path = folder / name
    partial = folder / f"{name}.tmp"
    partial.write_bytes(data)
    partial.replace(path)
    return path


def try_write_cache(repo: Path, name: str, data: bytes) -> None:
    """`write_cache` for a cache that only saves time: a read-only checkout still gets its
    answer, just not a cache."""
    with contextlib.suppress(OSError):
        write_cache(repo, name, data)
