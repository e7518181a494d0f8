"""`git blame --line-porcelain` as typed records: for each line of a file, the
commit that last changed it and where the line sat in that commit's version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git

UNCOMMITTED = "0" * 40  # what `sha` says for a line no commit has, whatever the hash size


@dataclass(frozen=True, slots=True)
class BlameLine:
    line: int  # 1-based, in the blamed revision
    sha: str
    orig_line: int  # 1-based, in the commit that introduced it
    orig_path: str
    author: str
    author_email: str
    author_time: int
    content: str


def parse_line_porcelain(data: bytes) -> list[BlameLine]:
    lines = data.split(b"\n")
    out: list[BlameLine] = []
    header: list[bytes] | None = None
    fields: dict[bytes, bytes] = {}
    for raw in lines:
        if header is None:
            if not raw:
                continue
            header = raw.split(b" ")
            fields = {}
            continue
        if raw.startswith(b"\t"):
            sha = header[0].decode("ascii")
            out.append(
                BlameLine(
                    line=int(header[2]),
                    sha=UNCOMMITTED if set(sha) == {"0"} else sha,  # SHA-1 or SHA-256
                    orig_line=int(header[1]),
                    orig_path=fields.get(b"filename", b"").decode("utf-8", "replace"),
                    author=fields.get(b"author", b"").decode("utf-8", "replace"),
                    author_email=fields.get(b"author-mail", b"")
                    .decode("utf-8", "replace")
                    .strip("<>"),
                    author_time=int(fields.get(b"author-time", b"0") or 0),
                    content=raw[1:].decode("utf-8", "replace"),
                )
            )
            header = None
            continue
        key, _, value = raw.partition(b" ")
        fields[key] = value
    return out


def blame(repo: Path, path: str, rev: str | None) -> list[BlameLine]:
    """Blame `path` at `rev` (or the work tree when None)."""
    if rev is not None and rev.startswith("-"):
        raise GitError(f"not a revision: {rev!r}")
    args = ["blame", "--line-porcelain", "-w"]
    if rev is not None:
        args.append(rev)
    args += ["--", path]
    return parse_line_porcelain(run_git(args, repo))
