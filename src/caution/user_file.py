"""Reading a file someone handed us without trusting what it is.

A path on the command line or inside a configuration may name `/dev/zero` (read forever),
a FIFO (the command blocks until someone writes to it), a directory, or a file of many
gigabytes. None of them is input. `read_user_file` reads only a regular file no larger than
a limit; the kind is checked before the file is opened (a device or FIFO is never opened)
and again on the open descriptor (so it cannot be swapped in between), and the read stops
one byte past the limit whatever the size claimed.

Paths named inside another file (an SLO file's `events:`, the `deploy:` section's `slos:`)
are read with `follow_symlinks=False`: the file that names them may come from a repository,
whose links must not lead the reader elsewhere.

Every refusal is an `OSError` whose `strerror` says what the path is, so callers that
already report `cannot read: {strerror}` need nothing new.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

KiB = 1 << 10
MiB = 1 << 20
DEFAULT_LIMIT = 64 * MiB  # metrics, SLO events, canary results and records
CONFIG_LIMIT = 4 * MiB  # YAML configuration: policy, SLOs, canary settings

_CHUNK = MiB


class FileRefusedError(OSError):
    """The path is not a regular file of acceptable size (strerror says what it is)."""

    def __init__(self, code: int, problem: str) -> None:
        super().__init__(code, problem)


def size_text(limit: int) -> str:
    if limit >= MiB:
        return f"{limit / MiB:g} MiB"
    return f"{limit / KiB:g} KiB" if limit >= KiB else f"{limit} bytes"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular one."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link; not followed"
    if stat.S_ISDIR(mode):
        return "a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def _check(info: os.stat_result, limit: int) -> None:
    kind = _kind(info.st_mode)
    if kind is not None:
        code = errno.ELOOP if stat.S_ISLNK(info.st_mode) else errno.EINVAL
        raise FileRefusedError(errno.EISDIR if stat.S_ISDIR(info.st_mode) else code, kind)
    if info.st_size > limit:
        raise FileRefusedError(errno.EFBIG, f"larger than {size_text(limit)}; not read")


def read_user_file(
    path: Path | str,
    limit: int = DEFAULT_LIMIT,
    *,
    follow_symlinks: bool = True,
    owner_only: bool = False,
) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; OSError (a
    `FileRefusedError` for the wrong kind of file or size, or with `owner_only` for a file
    another user owns) otherwise."""
    if "\0" in str(path):  # os.stat would raise ValueError ("embedded null byte")
        raise FileRefusedError(errno.EINVAL, "the path contains a NUL byte")
    _check(Path(path).stat(follow_symlinks=follow_symlinks), limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise FileRefusedError(errno.ELOOP, "a symbolic link; not followed") from None
        raise
    try:
        info = os.fstat(fd)
        _check(info, limit)
        if owner_only and info.st_uid != os.getuid():
            raise FileRefusedError(errno.EPERM, "owned by another user")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while we read
        raise FileRefusedError(errno.EFBIG, f"larger than {size_text(limit)}; not read")
    return data
