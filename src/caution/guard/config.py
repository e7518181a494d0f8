"""The guard's settings, from where the agent's session cannot change them.

- The team's: the `guard:` section of `.caution.yml` as committed upstream (see
  `upstream.py`) in the outermost repository around the folder the session started in.
  Never the work tree: an agent rewrites that with any tool.
- Repositories nested in it, and the one the action happens in when it is another: their
  upstream `guard:` sections may only add protection (branches, namespaces, contexts,
  profiles, paths; fail-closed). An agent that runs `git init sub` and commits its own
  settings there gains nothing.
- The user's own file, `$XDG_CONFIG_HOME/caution/guard.yml` (default
  `~/.config/caution/guard.yml`; the same keys as `guard:`): it adds protections and the
  user's own allow rules; its `mode` counts only when it is fail-closed. The file rules
  deny agents writes there.

Validated like the rest of `.caution.yml` (errors at file:line); cached by the commit read
and the user file's size, time and inode, so the resident guard reads each once.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from caution.guard import upstream
from caution.guard.userfiles import settings_path
from caution.guard_settings import GuardSettings, tightened, validate_guard_section
from caution.user_file import FileRefusedError, read_user_file
from caution.yaml_source import CONFIG_NAME, SourceError, parse_yaml_bytes

GIT_TIMEOUT = 2.0  # seconds, when the caller sets no deadline
_DEFAULT = GuardSettings()
_TEAM: dict[tuple[str, str | None], GuardSettings] = {}
_USER: dict[str, tuple[tuple[int, int, int], GuardSettings]] = {}


def guard_settings(
    workspace: str,
    *,
    also: Iterable[str] = (),
    home: str | None = None,
    deadline: float | None = None,
) -> GuardSettings:
    """The settings for a session that started in `workspace` (and acts in the folders of
    `also`). Raises SourceError when a source does not load."""
    home = home or os.environ.get("HOME") or str(Path.home())
    started = upstream.repositories(workspace, home)
    settings = _team(started[0], deadline) if started else _DEFAULT
    others = list(started[1:])
    for folder in also:
        others += [r for r in upstream.repositories(folder, home) if r not in others]
    for root in others:
        if started and root == started[0]:
            continue
        settings = tightened(settings, _team(root, deadline), allow=False)
    user = user_settings(home)
    return tightened(settings, user, allow=True) if user is not None else settings


def _team(root: str, deadline: float | None) -> GuardSettings:
    timeout = GIT_TIMEOUT if deadline is None else max(0.05, deadline - time.monotonic())
    try:
        found = upstream.committed(root, timeout)
    except Exception as exc:  # GitError, OSError: the team's settings cannot be known
        raise SourceError(
            str(Path(root) / CONFIG_NAME), None, f"cannot read it as committed: {exc}"
        ) from exc
    key = (root, found.commit)
    cached = _TEAM.get(key)
    if cached is not None:
        return cached
    settings = _DEFAULT
    if found.text is not None:
        doc = parse_yaml_bytes(found.text, found.display)
        section = doc.data.get("guard") if isinstance(doc.data, dict) else None
        settings = validate_guard_section(doc, ("guard",), section)
    _TEAM[key] = settings
    return settings


def user_settings(home: str | None = None) -> GuardSettings | None:
    """The user's own guard settings, None without the file. Raises SourceError."""
    path = settings_path(home)
    try:
        info = Path(path).lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(path, None, "must be a plain file (not a link, a FIFO or a device)")
    key = (info.st_mtime_ns, info.st_size, info.st_ino)
    cached = _USER.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        data = read_user_file(
            path, upstream.MAX_SETTINGS_BYTES, follow_symlinks=False, owner_only=True
        )
    except FileRefusedError as exc:
        raise SourceError(path, None, f"must be a plain file of yours: {exc.strerror}") from exc
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    doc = parse_yaml_bytes(data, path)
    settings = validate_guard_section(doc, (), doc.data)
    _USER[path] = (key, settings)
    return settings
