"""The user's own caution files, outside every work tree: where they live and how they are
opened.

- configuration: `$XDG_CONFIG_HOME/caution/` (default `~/.config/caution/`), with the
  user's guard settings in `guard.yml`;
- state: `$XDG_STATE_HOME/caution/` (default `~/.local/state/caution/`), with the decision
  log `guard.log` and `guard.key`, the key that authenticates the resident guard's answers.

An agent works as the same user, so these files are protected by the guard's file rules
(see `files.toml`), and every open here refuses what an agent could plant in their place:
a symbolic link (no-follow), a FIFO or a device (non-blocking, regular files only), a file
of another owner. The hook reads only the key, with the lean `hook.read_key`.
"""

from __future__ import annotations

import os
import stat

from caution.guard.hook import KEY_BYTES as KEY_BYTES
from caution.guard.hook import read_key as read_key
from caution.guard.hook import state_dir as state_dir

KEY_NAME = "guard.key"
LOG_NAME = "guard.log"
SETTINGS_NAME = "guard.yml"


class UnsafeFileError(OSError):
    """The file is not a plain file of this user: a link, a FIFO, a device, another owner's."""


def _home(home: str | None) -> str:
    return home or os.environ.get("HOME") or os.path.expanduser("~")


def config_dir(home: str | None = None) -> str:
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.join(_home(home), ".config")
    return os.path.join(base, "caution")


def settings_path(home: str | None = None) -> str:
    return os.path.join(config_dir(home), SETTINGS_NAME)


def key_path(home: str | None = None) -> str:
    return os.path.join(state_dir(home), KEY_NAME)


def log_path(home: str | None = None) -> str:
    return os.path.join(state_dir(home), LOG_NAME)


def _checked(fd: int, private: bool) -> os.stat_result:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFileError(f"not a regular file (mode {stat.filemode(info.st_mode)})")
    if info.st_uid != os.getuid():
        raise UnsafeFileError("owned by another user")
    if private and info.st_mode & 0o077:
        raise UnsafeFileError(f"readable by others (mode {info.st_mode & 0o777:o})")
    return info


def private_dir(path: str) -> int:
    """A directory of this user's only (created 0700 when missing), opened without
    following a link at its own name; returns its descriptor."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except FileExistsError:
        pass
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    info = os.fstat(fd)
    if info.st_uid != os.getuid():
        os.close(fd)
        raise UnsafeFileError(f"{path}: owned by another user")
    if info.st_mode & 0o077:
        try:
            os.fchmod(fd, 0o700)
        except OSError:
            os.close(fd)
            raise
    return fd


def append_line(path: str, line: bytes, rotate_at: int = 8 << 20) -> None:
    """Append one line to a private log (0600), never through a link, a FIFO or a device;
    the log is moved to `NAME.1` once it grows past `rotate_at` bytes."""
    folder, name = os.path.split(path)
    dir_fd = private_dir(folder)
    try:
        flags = (
            os.O_WRONLY
            | os.O_APPEND
            | os.O_CREAT
            | os.O_NOFOLLOW
            | os.O_NONBLOCK
            | getattr(os, "O_CLOEXEC", 0)
        )
        fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
        try:
            info = _checked(fd, private=False)
            if info.st_size > rotate_at:
                os.replace(name, name + ".1", src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            os.write(fd, line)
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


def make_key(home: str | None = None) -> bytes | None:
    """The key, created (0600, exclusively) when missing. None when it cannot be made."""
    key = read_key(home)
    if key is not None:
        return key
    path = key_path(home)
    try:
        dir_fd = private_dir(os.path.dirname(path))
    except OSError:
        return None
    fresh = f"{KEY_NAME}.{os.getpid()}.new"
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(fresh, flags, 0o600, dir_fd=dir_fd)
        try:
            os.write(fd, os.urandom(KEY_BYTES))
        finally:
            os.close(fd)
        try:  # a link (not a replace): a key another guard process made first is kept
            os.link(fresh, KEY_NAME, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except FileExistsError:
            pass
        finally:
            os.unlink(fresh, dir_fd=dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return read_key(home)
