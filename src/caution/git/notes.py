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


_HEX = frozenset("0123456789abcdef")


def _listing_at(repo: Path, notes_commit: str) -> list[tuple[str, str]]:
    """(note blob, commit) pairs of the notes tree of `notes_commit`, read without a ref:
    inside a pre-receive hook a pushed notes ref is not updated yet (and git forbids
    creating one in quarantine), yet its commit can be read. Notes trees fan out
    (`ab/cdef…`): the path without slashes is the annotated commit. Anything else in the
    tree is not a note; an object that is not a commit has none."""
    try:
        out = run_git(
            ["ls-tree", "-r", "-z", "--end-of-options", f"{notes_commit}^{{commit}}"], repo
        )
    except GitError:
        return []
    pairs = []
    for entry in out.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) != 3 or fields[1] != b"blob":
            continue
        name = raw_path.decode("ascii", "replace").replace("/", "")
        if len(name) in (40, 64) and set(name) <= _HEX:
            pairs.append((fields[2].decode("ascii"), name))
    return pairs


def noted_commits(repo: Path, ref: str) -> set[str]:
    """The commits that have a note under `ref`, without reading any note."""
    return {commit for _blob, commit in _listing(repo, ref)}


def read_notes(
    repo: Path, ref: str, commits: Collection[str] | None = None, *, at: str | None = None
) -> dict[str, str]:
    """Note text by commit sha for `ref` (or for the notes commit `at`, when given),
    limited to `commits` when given.

    A ref that does not exist has no notes; that is not an error.
    """
    listing = _listing(repo, ref) if at is None else _listing_at(repo, at)
    pairs = [(b, c) for b, c in listing if commits is None or c in commits]
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


_MERGER = {
    "GIT_AUTHOR_NAME": "caution",
    "GIT_AUTHOR_EMAIL": "caution@localhost",
    "GIT_COMMITTER_NAME": "caution",
    "GIT_COMMITTER_EMAIL": "caution@localhost",
}


def fetch_ref(repo: Path, remote: str, ref: str, into: str) -> bool:
    """Fetch `remote`'s `ref` into the local ref `into`; False when the remote has none."""
    try:
        run_git(["fetch", "--quiet", "--no-tags", remote, f"+{ref}:{into}"], repo)
    except GitError as exc:
        if "couldn't find remote ref" in str(exc):
            return False
        raise
    return True


def merge_notes_union(repo: Path, ref: str, other: str) -> None:
    """Merge the notes commit `other` into `ref`, keeping every line of both sides' notes
    (`cat_sort_uniq`): each approval is one line, so concurrent approvals all survive."""
    ref = full_ref(ref)
    try:
        run_git(["rev-parse", "--verify", "--quiet", ref], repo)
    except GitError:
        run_git(["update-ref", ref, other], repo)
        return
    run_git(
        ["notes", "--ref", ref, "merge", "--quiet", "-s", "cat_sort_uniq", other], repo, env=_MERGER
    )


def push_ref(repo: Path, remote: str, ref: str) -> bool:
    """Push `ref` to the same name on `remote`; False when the remote moved meanwhile (a
    push that is not a fast-forward), GitError for any other failure."""
    out = run_git(["push", "--porcelain", remote, f"{ref}:{ref}"], repo, ok_codes=(0, 1))
    lines = out.decode("utf-8", "replace").splitlines()
    failed = [line for line in lines if line.startswith("!")]
    if any("[rejected]" in line for line in failed):
        return False
    if failed or not any(line.startswith(("=", " ", "+", "*", "-")) for line in lines):
        detail = failed[0].split("\t")[-1] if failed else "nothing was pushed"
        raise GitError(f"git push {remote} {ref} failed: {detail}")
    return True
