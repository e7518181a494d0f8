"""The repository's `.caution.yml` as committed upstream, read with git.

"Upstream" is the remote-tracking default branch (`refs/remotes/origin/HEAD`, else
`origin/main`, `origin/master`), falling back to the local default branch (`main`, else
`master`) as committed: never the work tree or the index, which an agent changes with any
tool. One `git cat-file --batch` reads every candidate at once, with replace refs ignored
(`git replace` must not swap the commit read). The result is cached by the ref files it
depends on (their size, time and inode): a resident guard asks git again only when a
fetch, a commit on the default branch or a `git remote set-head` changed one of them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from caution.git.errors import GitError
from caution.git.repo import cat_objects
from caution.user_file import read_user_file
from caution.yaml_source import CONFIG_NAME

CANDIDATES = (
    "refs/remotes/origin/HEAD",
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
    "refs/heads/main",
    "refs/heads/master",
)
MAX_SETTINGS_BYTES = 1 << 20
_STAMPED = (*CANDIDATES, "packed-refs", "reftable/tables.list")


@dataclass(frozen=True)
class Committed:
    """`.caution.yml` as committed on `ref` at `commit` (None when it is absent there)."""

    ref: str | None  # e.g. `origin/HEAD`, `main`; None when there is no default branch
    commit: str | None
    text: bytes | None

    @property
    def display(self) -> str:
        """Where the settings came from, as `git show` takes it: `origin/HEAD:.caution.yml`."""
        return f"{self.ref}:{CONFIG_NAME}" if self.ref else CONFIG_NAME


NOTHING = Committed(None, None, None)
_CACHE: dict[str, tuple[tuple[object, ...], Committed]] = {}


def repositories(start: str, home: str) -> list[str]:
    """The work trees around `start`, outermost first: every folder from `start` up that has
    a `.git`, except the home directory, the root and the folders above home (a dotfiles
    repository in ~ is not the project's)."""
    home = os.path.normpath(home)
    found = []
    folder = os.path.normpath(start)
    while True:
        above_home = folder == home or home.startswith(folder.rstrip("/") + "/")
        if not above_home and os.path.lexists(os.path.join(folder, ".git")):
            found.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return found[::-1]
        folder = parent


def _git_dirs(root: str) -> str | None:
    """The common git directory of the work tree at `root`, found without starting git."""
    dotgit = Path(root) / ".git"
    try:
        info = dotgit.lstat()
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        git_dir = dotgit
    elif stat.S_ISREG(info.st_mode):
        try:
            data = read_user_file(dotgit, 4096, follow_symlinks=False)
        except OSError:
            return None
        text = data.decode("utf-8", "replace").strip()
        if not text.startswith("gitdir:"):
            return None
        git_dir = Path(root) / text.removeprefix("gitdir:").strip()
    else:
        return None
    try:
        common = read_user_file(git_dir / "commondir", 4096, follow_symlinks=False)
    except OSError:
        return str(git_dir)
    return os.path.normpath(git_dir / common.decode("utf-8", "replace").strip())


def _stamp(common: str) -> tuple[object, ...]:
    names = list(_STAMPED)
    try:  # origin/HEAD names the branch it follows: that branch's file counts too
        head = read_user_file(os.path.join(common, CANDIDATES[0]), 4096, follow_symlinks=False)
    except OSError:
        head = b""
    if head.startswith(b"ref: refs/"):
        names.append(head[5:].decode("utf-8", "replace").strip())
    marks: list[object] = [common]
    for name in names:
        try:
            info = os.stat(os.path.join(common, name))
        except OSError:
            marks.append(None)
            continue
        marks.append((info.st_mtime_ns, info.st_size, info.st_ino))
    return tuple(marks)


def committed(root: str, timeout: float) -> Committed:
    """`.caution.yml` of the repository at `root` as committed upstream. Raises GitError
    when git cannot answer (in `timeout` seconds)."""
    common = _git_dirs(root)
    stamp = _stamp(common) if common is not None else None
    cached = _CACHE.get(root)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    result = _read(root, timeout)
    if stamp is not None:
        _CACHE[root] = (stamp, result)
    return result


def _read(root: str, timeout: float) -> Committed:
    asked = []
    for ref in CANDIDATES:
        asked += [f"{ref}^{{commit}}", f"{ref}:{CONFIG_NAME}"]
    answers = cat_objects(Path(root), asked, timeout=timeout)
    for index, ref in enumerate(CANDIDATES):
        commit, blob = answers[2 * index], answers[2 * index + 1]
        if commit is None or commit[1] != "commit":
            continue
        short = ref.removeprefix("refs/remotes/").removeprefix("refs/heads/")
        if blob is None or blob[1] != "blob":
            return Committed(short, commit[0], None)
        if len(blob[2]) > MAX_SETTINGS_BYTES:
            raise GitError(f"{short}:{CONFIG_NAME} is larger than {MAX_SETTINGS_BYTES} bytes")
        return Committed(short, commit[0], blob[2])
    return NOTHING
