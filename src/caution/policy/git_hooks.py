"""Installing caution as a git hook: `pre-receive` in a server's bare repository,
`pre-push` in a developer's clone. The hook runs this very caution (the interpreter it
is installed in, with `-P` so that a `caution/` folder in the work tree is never
imported in its place)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from caution.git.repo import git_path

MARK = "# installed by `caution hook install`"
HOOKS = {
    "pre-receive": "refuses updates of protected branches whose change does not pass",
    "pre-push": "reports the check of each pushed branch; never stops the push",
}


class HookInstallError(Exception):
    """The hook could not be installed as asked."""


def hook_script(name: str, python: str | None = None) -> str:
    interpreter = shlex.quote(python or sys.executable)
    return f'#!/bin/sh\n{MARK}: {HOOKS[name]}\nexec {interpreter} -P -m caution hook {name} "$@"\n'


def install_hook(repo: Path, name: str, *, force: bool = False) -> Path:
    """Write the hook `name` where git looks for it; an existing hook that caution did not
    write is left alone unless `force`."""
    if name not in HOOKS:
        raise HookInstallError(f"unknown hook {name!r} (known: {', '.join(HOOKS)})")
    path = git_path(repo, f"hooks/{name}")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise HookInstallError(f"{path} is not a regular file: left as it is")
    if path.exists() and not force:
        try:
            current = path.read_text("utf-8", "replace")
        except OSError as exc:
            raise HookInstallError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        if MARK not in current:
            raise HookInstallError(
                f"{path} exists and caution did not write it: left as it is (--force replaces it)"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{name}.caution-{os.getpid()}")
    temporary.write_text(hook_script(name), "utf-8")
    temporary.chmod(0o755)
    temporary.replace(path)
    return path


__all__ = ["HOOKS", "HookInstallError", "hook_script", "install_hook"]
