"""Git notes under any ref: `refs/notes/ai` (git-ai), `refs/notes/ai-attribution`,
and caution's own refs. Read in two processes per ref, whatever the number of notes."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git


def full_ref(ref: str) -> str:
    """`ai` → `refs/notes/ai`, as `git notes --ref` would expand it."""
    if ref.startswith("refs/"):
        return ref
    if ref.startswith("notes/"):
        return f"refs/{ref}"
    return f"refs/notes/{ref}"


def notes_refs(repo: Path) -> list[str]:
    """Every notes ref the repository has."""
    out = run_git(["for-each-ref", "--format=%(refname)", "refs/notes/"], repo)
    return out.decode("utf-8", "replace").split()


def read_notes(repo: Path, ref: str, commits: Collection[str] | None = None) -> dict[str, str]:
    """Note text by commit sha for `ref`, limited to `commits` when given.

    A ref that does not exist has no notes; that is not an error.
    """
    ref = full_ref(ref)
    try:
        listing = run_git(["notes", "--ref", ref, "list"], repo)
    except GitError:
        return {}
    pairs = []
    for line in listing.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and (commits is None or parts[1] in commits):
            pairs.append((parts[0], parts[1]))
    if not pairs:
        return {}
    out = run_git(["cat-file", "--batch"], repo, stdin="".join(f"{b}\n" for b, _ in pairs).encode())
    notes: dict[str, str] = {}
    pos = 0
    for _blob, commit in pairs:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        if len(header) < 3 or header[1] == b"missing":
            pos = header_end + 1
            continue
        size = int(header[2])
        body = out[header_end + 1 : header_end + 1 + size]
        notes[commit] = body.decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
    return notes


def append_note(repo: Path, ref: str, commit: str, text: str, identity: tuple[str, str]) -> None:
    """Append `text` to the note of `commit` under `ref` (git separates appended
    notes with a blank line), recording `identity` as the notes commit's author."""
    name, email = identity
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    run_git(["notes", "--ref", full_ref(ref), "append", "-m", text, commit], repo, env=env)
