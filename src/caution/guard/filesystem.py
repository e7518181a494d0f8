"""What the guard asks the file system while it judges: where a symbolic link points, and
whether a file is a private key. Never follows a FIFO or a device into a hang: files are
opened non-blocking and only plain files are read."""

from __future__ import annotations

import os
import re
import stat

_KEY_START = re.compile(
    rb"-----BEGIN (?:OPENSSH |RSA |DSA |EC |ENCRYPTED |ANY |)PRIVATE KEY-----"
    rb"|PuTTY-User-Key-File-"
)
_SNIFF_BYTES = 128
_KEY_MAX_BYTES = 1 << 20


def readlink(path: str) -> str | None:
    """The target of the symbolic link at `path`; None when it is not one or is absent."""
    try:
        return os.readlink(path)
    except (OSError, ValueError):
        return None


def private_key(path: str) -> bool:
    """`path` is a plain file that begins like a private key (PEM, OpenSSH, PuTTY)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _KEY_MAX_BYTES:
            return False
        head = os.read(fd, _SNIFF_BYTES)
    except OSError:
        return False
    finally:
        os.close(fd)
    return _KEY_START.search(head.lstrip()) is not None
