"""Git notes under any ref: `refs/notes/ai` (git-ai), `refs/notes/ai-attribution`,
and caution's own refs. Read in two processes per ref, whatever the number of notes."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git
from caution.git.repo import cat_files


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


def _listing(repo: Path, ref: str) -> list[tuple[str, str]]:
    """(note blob, commit) pairs of `ref`; none when the ref does not exist."""
    try:
        listing = run_git(["notes", "--ref", full_ref(ref), "list"], repo)
    except GitError:
        return []
    pairs = []
    for line in listing.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def noted_commits(repo: Path, ref: str) -> set[str]:
    """The commits that have a note under `ref`, without reading any note."""
    return {commit for _blob, commit in _listing(repo, ref)}


def read_notes(repo: Path, ref: str, commits: Collection[str] | None = None) -> dict[str, str]:
    """Note text by commit sha for `ref`, limited to `commits` when given.

    A ref that does not exist has no notes; that is not an error.
    """
    pairs = [(b, c) for b, c in _listing(repo, ref) if commits is None or c in commits]
    if not pairs:
        return {}
    bodies = cat_files(repo, [blob for blob, _ in pairs])
    return {
        commit: body.decode("utf-8", "replace")
        for (_blob, commit), body in zip(pairs, bodies, strict=True)
        if body is not None
    }


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
