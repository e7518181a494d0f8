"""Where a path argument points, relative to the working directory and the workspace.

Classes: `root` (/ or a glob at it), `home` (the home directory itself or a glob in
it), `system` (/etc, /usr, /boot, …), `device` (/dev/…), `outside` (outside the
workspace and the temporary folders), `workspace-root` (the workspace itself or
everything in it), `temp`, `inside`. Home is compared without case too, as it is
on case-insensitive file systems.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

SYSTEM = (
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/boot",
    "/var",
    "/opt",
    "/root",
    "/sys",
    "/proc",
    "/srv",
    "/snap",
    "/System",
    "/Library",
    "/Applications",
    "/private",
    "/Users",
    "/home",
)
TEMP = ("/tmp", "/var/tmp", "/private/tmp", "/dev/shm", "/var/folders")
HARMLESS_DEVICES = (
    "/dev/null",
    "/dev/tty",
    "/dev/stdout",
    "/dev/stderr",
    "/dev/stdin",
    "/dev/fd",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/full",
)
GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Places:
    cwd: str
    workspace: str
    home: str

    def resolve(self, path: str) -> str:
        if path == "~" or path.startswith("~/"):
            path = self.home + path[1:]
        elif not path.startswith("/"):
            path = posixpath.join(self.cwd, path)
        return posixpath.normpath(path).replace("//", "/")


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _real_workspace(places: Places) -> str | None:
    """No workspace when it is the root, the home directory or above it: an agent started
    in ~ must not have the run of the home directory."""
    workspace = posixpath.normpath(places.workspace)
    home = posixpath.normpath(places.home)
    if workspace == "/" or workspace == home or _under(home, workspace):
        return None
    return workspace


def classify(path: str, places: Places) -> str:
    if path.startswith("~") and not (path == "~" or path.startswith("~/")):
        return "outside"  # ~user, ~-, ~+: another home or a directory stack entry
    resolved = places.resolve(path)
    stem = resolved
    while stem and any(ch in GLOB_CHARS for ch in posixpath.basename(stem)):
        stem = posixpath.dirname(stem)  # `/*`, `~/.*`: the folder the glob empties
    globbed = stem != resolved
    home = posixpath.normpath(places.home)
    if stem in ("/", "") or resolved == "/":
        return "root"
    if stem == home or stem.lower() == home.lower():
        return "home"
    workspace = _real_workspace(places)
    if workspace is not None and _under(resolved, workspace):
        if stem == workspace and (globbed or resolved == workspace):
            return "workspace-root"
        return "inside"
    if _under(resolved, home) or resolved.lower().startswith(home.lower().rstrip("/") + "/"):
        return "outside"  # the home directory's files: dotfiles, keys, other projects
    if any(_under(resolved, t) for t in TEMP) or any(_under(resolved, d) for d in HARMLESS_DEVICES):
        return "temp"
    if _under(resolved, "/dev"):
        return "device"
    if any(_under(resolved, s) for s in SYSTEM) and not _under(resolved, home):
        return "system"
    return "outside"
