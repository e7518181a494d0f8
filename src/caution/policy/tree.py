"""Where policy files are read from: a committed tree, or the work tree.

`caution check` reads `.caution.yml` and the allowed-signers file from the
branch the change merges into, never from the change itself: otherwise a change
could rewrite the rules, or add its author's key, and approve itself.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from caution.git.repo import read_file_at
from caution.repo_paths import repo_path_problem
from caution.user_file import CONFIG_LIMIT, FileRefusedError, read_user_file
from caution.yaml_source import SourceError


@dataclass(frozen=True)
class Tree:
    root: Path
    rev: str | None = None  # a commit to read from; None reads the work tree

    def read(self, path: str) -> bytes | None:
        """The file's content; None when it is absent (or a link, in the work tree).
        SourceError when the work tree holds something else there (a FIFO, a device, a
        directory, a file of megabytes): read as absent, it would be the default policy."""
        if repo_path_problem(path) is not None:
            return None
        if self.rev is not None:
            return read_file_at(self.root, self.rev, path)
        target = self.root / path
        if through_link(self.root, path) or not target.exists():
            return None
        try:
            return read_user_file(target, CONFIG_LIMIT, follow_symlinks=False)
        except FileRefusedError as exc:
            raise SourceError(path, None, f"cannot read: {exc.strerror}") from exc
        except OSError:
            return None


def through_link(root: Path, path: str) -> bool:
    """Whether any component of `path` under `root` is a symbolic link: a committed link
    to a folder would lead a read of `ops/data/x.json` anywhere."""
    current = root
    for part in posixpath.normpath(path).split("/"):
        current = current / part
        if current.is_symlink():
            return True
    return False
