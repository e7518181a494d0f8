"""Where a path argument points, relative to the working directory and the workspace.

Classes: `root` (/ or a glob at it), `home` (the home directory itself or a glob in
it), `system` (/etc, /usr, /boot, …), `device` (/dev/…), `outside` (outside the
workspace and the temporary folders), `workspace-root` (the workspace itself or
everything in it), `temp`, `inside`. Home is compared without case too, as it is
on case-insensitive file systems.

Symbolic links are resolved the way the kernel would: each component in turn, `..`
after a link going up from where the link points. Links come from two places: those
created earlier in the same command (`ln -s ~ h && rm -rf h/`, recorded by the engine
in `Places.links`), and those on disk, read through `Places.readlink` (injected by the
caller that talks to the file system; without it only the command's own links count).
The last component is followed unless the caller says otherwise (`rm link` removes the
link, `rm link/` what it points to).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field, replace

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


MAX_LINKS = 40  # as Linux's MAXSYMLINKS: more hops than this is a loop


@dataclass(frozen=True)
class Places:
    cwd: str  # the working directory, its own links already resolved
    workspace: str
    home: str
    # links the command being judged creates before it uses them: (absolute link, target)
    links: tuple[tuple[str, str], ...] = ()
    # the target of a symbolic link on disk, None when the path is not one (or is absent)
    readlink: Callable[[str], str | None] | None = field(default=None, compare=False)
    # the user's own caution folders (configuration, state): protected from the agent
    caution_dirs: tuple[str, ...] = ()
    # whether a file on disk is a private key (injected like readlink)
    private_key: Callable[[str], bool] | None = field(default=None, compare=False)

    def absolute(self, path: str) -> str:
        """`path` with `~` expanded and joined to the working directory, not normalised."""
        if path == "~" or path.startswith("~/"):
            return self.home + path[1:]
        if not path.startswith("/"):
            return posixpath.join(self.cwd, path)
        return path

    def resolve(self, path: str, follow_last: bool = True) -> str:
        absolute = self.absolute(path)
        base = "/"
        if absolute.startswith(self.cwd.rstrip("/") + "/") and not path.startswith(("/", "~")):
            base, absolute = self.cwd, absolute[len(self.cwd.rstrip("/")) + 1 :]
        return resolve_links(absolute, dict(self.links), self.readlink, follow_last, base)

    def with_link(self, link: str, target: str) -> Places:
        """These places after `ln -s target link` (both as the command wrote them)."""
        where = self.resolve(link, follow_last=False)
        if target == "~" or target.startswith("~/"):
            target = self.home + target[1:]
        kept = tuple((k, v) for k, v in self.links if k != where)
        return replace(self, links=(*kept, (where, target)))


def resolve_links(
    path: str,
    links: dict[str, str],
    readlink: Callable[[str], str | None] | None,
    follow_last: bool = True,
    base: str = "/",
) -> str:
    """`path` (absolute, or relative to `base`, a folder without links) with every symbolic
    link in it resolved, component by component; the parts that do not exist are kept as
    written."""
    pending = list(reversed(path.split("/")))
    current = base if not path.startswith("/") else "/"
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            current = posixpath.dirname(current)
            continue
        candidate = posixpath.join(current, part)
        follow = bool(pending) or follow_last  # a trailing `/` (or `/.`) follows the last one
        target = links.get(candidate) if follow else None
        if target is None and follow and readlink is not None:
            target = readlink(candidate)
        if target is None or hops >= MAX_LINKS:
            current = candidate
            continue
        hops += 1
        if target.startswith("/"):
            current = "/"
        pending.extend(reversed(target.split("/")))
    return current


def under(path: str, folder: str) -> bool:
    """`path` is `folder` or inside it (both normalised, no trailing slash needed)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _real_workspace(places: Places) -> str | None:
    """No workspace when it is the root, the home directory or above it: an agent started
    in ~ must not have the run of the home directory."""
    workspace = posixpath.normpath(places.workspace)
    home = posixpath.normpath(places.home)
    if workspace == "/" or workspace == home or under(home, workspace):
        return None
    return workspace


def classify(path: str, places: Places, follow_last: bool = True) -> str:
    if path.startswith("~") and not (path == "~" or path.startswith("~/")):
        return "outside"  # ~user, ~-, ~+: another home or a directory stack entry
    return classify_resolved(places.resolve(path, follow_last), places)


def classify_resolved(resolved: str, places: Places) -> str:
    """The class of an absolute path whose links are already resolved."""
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
    if workspace is not None and under(resolved, workspace):
        if stem == workspace and (globbed or resolved == workspace):
            return "workspace-root"
        return "inside"
    if under(resolved, home) or resolved.lower().startswith(home.lower().rstrip("/") + "/"):
        return "outside"  # the home directory's files: dotfiles, keys, other projects
    if any(under(resolved, t) for t in TEMP) or any(under(resolved, d) for d in HARMLESS_DEVICES):
        return "temp"
    if under(resolved, "/dev"):
        return "device"
    if any(under(resolved, s) for s in SYSTEM) and not under(resolved, home):
        return "system"
    return "outside"
