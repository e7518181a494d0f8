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


def classify(path: str, places: Places) -> str:
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
    workspace = posixpath.normpath(places.workspace)
    if _under(resolved, workspace):
        if stem == workspace and (globbed or resolved == workspace):
            return "workspace-root"
        return "inside"
    if _under(resolved, home) or resolved.lower().startswith(home.lower().rstrip("/") + "/"):
        return "outside"  # the home directory's files: dotfiles, keys, other projects
    if any(_under(resolved, t) for t in TEMP):
        return "temp"
    if _under(resolved, "/dev"):
        return "device"
    if any(_under(resolved, s) for s in SYSTEM) and not _under(resolved, home):
        return "system"
    return "outside"
