"""The patch between two trees, written the same way on every machine.

An approval made on a laptop is checked again in CI, so nothing in the user's git
configuration may change the patch: the diff algorithm, the indent heuristic, rename
detection and its limit, prefixes and external or text-converting drivers are all fixed
here. Every file is diffed as text, so `.gitattributes` in a work tree cannot make one
machine see lines where another sees a binary file.
"""

from __future__ import annotations

from pathlib import Path

from caution.git.patch import FilePatch, parse_patch
from caution.git.process import run_git
from caution.git.repo import cat_files

_STABLE = (
    "-c",
    "diff.renameLimit=1000",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
)


def tree_patch(repo: Path, old: str, new: str) -> list[FilePatch]:
    """The files and hunks of `old`..`new` (trees or commits), with no context lines."""
    out = run_git(
        [
            *_STABLE,
            "diff",
            "-U0",
            "--full-index",
            "--text",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--diff-algorithm=myers",
            "--indent-heuristic",
            "-M50%",
            "-O/dev/null",
            "--ignore-submodules=none",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--end-of-options",
            old,
            new,
        ],
        repo,
    )
    return parse_patch(out)


def old_blobs(repo: Path, files: list[FilePatch]) -> dict[str, bytes]:
    """The old side of every file that has hunks, by blob id, in one git process."""
    wanted = sorted({f.old_blob for f in files if f.old_blob and f.hunks})
    bodies = cat_files(repo, wanted)
    return {blob: body for blob, body in zip(wanted, bodies, strict=True) if body is not None}


__all__ = ["old_blobs", "tree_patch"]
