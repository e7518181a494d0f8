"""caution's disposable caches (reach's import graph, risk's mined history, training set
and model), kept where a change cannot put them and signed by the user who wrote them.

A cache in the work tree is a file a change can commit: a change that adds
`.caution/cache/risk-training.json` would set its own risk percentile. So caches live in
the repository's git directory (`<git-common-dir>/caution/cache/`, shared by its worktrees
and gone with the clone), and every file carries an HMAC-SHA256 under a key in the user's
own cache folder (`$XDG_CACHE_HOME/caution/cache-key`, mode 0600, never in a repository).
A file the key does not verify — copied from elsewhere, edited, planted — reads as absent,
and the cache is rebuilt. Files are written atomically (temp file and rename), so a reader
never sees half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git
from caution.user_file import MiB, read_user_file

_MAGIC = b"caution-cache-v1\n"
CACHE_LIMIT = 512 * MiB  # a training set of a very long history stays well below
_DIRS: dict[Path, Path] = {}


def user_key(name: str = "cache-key") -> bytes | None:
    """The user's own 32-byte key, created on first use; None when it cannot be kept
    safely (a folder another user can read, a read-only home)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "caution" / name
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
        info = path.lstat()
        if path.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        key = path.read_bytes()
        return key if len(key) == 32 else None
    except OSError:
        return None


def cache_dir(repo: Path) -> Path:
    """`<git-common-dir>/caution/cache` of the repository at `repo`."""
    found = _DIRS.get(repo)
    if found is None:
        try:
            out = run_git(["rev-parse", "--git-common-dir"], repo).decode().strip()
        except GitError:
            out = str(repo / ".git")
        common = Path(out)
        found = (common if common.is_absolute() else repo / common) / "caution" / "cache"
        _DIRS[repo] = found
    return found


def cache_path(repo: Path, name: str) -> Path:
    return cache_dir(repo) / name


def _mac(key: bytes, name: str, body: bytes) -> bytes:
    return hmac.new(key, _MAGIC + name.encode() + b"\0" + body, hashlib.sha256).digest()


def read_cache(repo: Path, name: str) -> bytes | None:
    """The cached bytes, or None when absent, unreadable or not signed by this user."""
    key = user_key()
    if key is None:
        return None
    try:
        # a regular file, not a link, of bounded size: /dev/zero or a FIFO is no cache
        blob = read_user_file(cache_path(repo, name), CACHE_LIMIT, follow_symlinks=False)
    except OSError:
        return None
    head = len(_MAGIC) + 32
    if not blob.startswith(_MAGIC) or len(blob) < head:
        return None
    body = blob[head:]
    if not hmac.compare_digest(blob[len(_MAGIC) : head], _mac(key, name, body)):
        return None
    return body


def write_cache(repo: Path, name: str, data: bytes) -> Path:
    """Write `name` atomically and signed; raises OSError (a read-only repository, a full
    disk, no safe key)."""
    key = user_key()
    if key is None:
        raise OSError("no private key for caution's caches under $XDG_CACHE_HOME/caution")
    folder = cache_dir(repo)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    partial = folder / f"{name}.{os.getpid()}.tmp"
    partial.write_bytes(_MAGIC + _mac(key, name, data) + data)
    partial.replace(path)
    return path


def try_write_cache(repo: Path, name: str, data: bytes) -> None:
    """`write_cache` for a cache that only saves time: a read-only repository still gets
    its answer, just not a cache."""
    with contextlib.suppress(OSError):
        write_cache(repo, name, data)


__all__ = ["cache_dir", "cache_path", "read_cache", "try_write_cache", "user_key", "write_cache"]
