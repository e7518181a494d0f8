"""Streaming `git log` into typed Commit records.

One git process per range, NUL-separated fields, parsed as the bytes arrive;
never one process per commit. When history lacks blobs (shallow or partial
clones, snapshots without large files) `git log --numstat` dies at the first
commit whose diff needs a missing blob: every commit before it is kept, the
failing commit is re-read without line counts (its files come from tree
objects only) and a new process continues after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from caution.git.errors import GitError
from caution.git.model import Commit, FileChange, Person
from caution.git.process import GitStream, run_git, stream_git
from caution.git.trailers import parse_trailers

_MARK = b"\x1e"
_FIELDS = ("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B")
FORMAT = "%x1e" + "%x00".join(_FIELDS)
_LOG_OPTIONS = (
    "log",
    "-z",
    f"--format={FORMAT}",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-mailmap",
    "--no-notes",
    "--ignore-submodules=none",  # .gitmodules may say `ignore = all`: never hide a gitlink
)
_NUMSTAT = ("--numstat", "-M")
_RAW_ONLY = ("--raw", "--no-renames", "--no-abbrev")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _tokens(chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        parts = (pending + chunk).split(b"\0")
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


def _take(tokens: Iterator[bytes], count: int) -> list[bytes] | None:
    taken = []
    for _ in range(count):
        token = next(tokens, None)
        if token is None:
            return None
        taken.append(token)
    return taken


_EPOCH = datetime.fromtimestamp(0, UTC)


def _time(when: bytes) -> datetime:
    """A commit time; git prints nonsense zones (`+9999`) or nothing for broken idents,
    and a hostile commit must not stop the reading."""
    try:
        return datetime.fromisoformat(when.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        try:
            return datetime.fromisoformat(when[:19].decode("ascii")).replace(tzinfo=UTC)
        except (ValueError, UnicodeDecodeError):
            return _EPOCH


def _person(name: bytes, email: bytes, when: bytes) -> Person:
    return Person(_decode(name), _decode(email), _time(when))


def _numstat(token: bytes, tokens: Iterator[bytes]) -> FileChange | None:
    added, deleted, path = token.split(b"\t", 2)
    old_path = None
    if not path:  # a rename or copy: the old and new paths follow as their own tokens
        pair = _take(tokens, 2)
        if pair is None:
            return None
        old_path, path = _decode(pair[0]), pair[1]
    binary = added == b"-"
    return FileChange(
        path=_decode(path),
        added=None if binary else int(added),
        deleted=None if binary else int(deleted),
        old_path=old_path,
        binary=binary,
    )


_NULL_OID = frozenset({b"0" * 40, b"0" * 64})


def _raw(token: bytes, tokens: Iterator[bytes], blobs: list[bytes] | None) -> FileChange | None:
    """A `--raw` entry: `:old_mode new_mode old_oid new_oid status` then its path(s)."""
    parts = token.split(b" ")
    status = parts[-1][:1]
    if blobs is not None and len(parts) == 5:
        modes = (parts[0][1:], parts[1])
        for mode, oid in zip(modes, parts[2:4], strict=True):
            if oid not in _NULL_OID and not mode.startswith(b"160"):  # submodules are commits
                blobs.append(oid)
    paths = _take(tokens, 2 if status in (b"R", b"C") else 1)
    if paths is None:
        return None
    old_path = _decode(paths[0]) if len(paths) == 2 else None
    return FileChange(path=_decode(paths[-1]), added=None, deleted=None, old_path=old_path)


def parse_log(
    chunks: Iterator[bytes],
    *,
    stats_complete: bool = True,
    blobs: dict[str, list[bytes]] | None = None,
) -> Iterator[Commit]:
    """Commits from the output of `git log -z --format=FORMAT` with --numstat or --raw.

    A record cut short (git died while writing it) is dropped rather than
    reported with half its files. With `--raw`, `blobs` collects each commit's
    blob ids.
    """
    tokens = _tokens(chunks)
    token = next(tokens, None)
    while token is not None:
        if not token.startswith(_MARK):
            raise GitError(
                "unexpected output from git log (is a log.* option overriding --format?)"
            )
        rest = _take(tokens, len(_FIELDS) - 1)
        if rest is None:
            return
        fields = [token[1:], *rest]
        files: list[FileChange] = []
        commit_blobs: list[bytes] | None = [] if blobs is not None else None
        token = next(tokens, None)
        complete = True
        while token is not None and not token.startswith(_MARK):
            if token.startswith(b"\n"):
                token = token[1:]
            if token:
                if token[:1] == b":":
                    change = _raw(token, tokens, commit_blobs)
                else:
                    change = _numstat(token, tokens)
                if change is None:
                    complete = False
                    break
                files.append(change)
            token = next(tokens, None)
        if not complete:
            return
        message = _decode(fields[8])
        if blobs is not None and commit_blobs is not None:
            blobs[fields[0].decode("ascii")] = commit_blobs
        yield Commit(
            sha=fields[0].decode("ascii"),
            parents=tuple(fields[1].decode("ascii").split()),
            author=_person(fields[2], fields[3], fields[4]),
            committer=_person(fields[5], fields[6], fields[7]),
            message=message,
            trailers=parse_trailers(message),
            files=tuple(files),
            stats_complete=stats_complete,
        )


def _is_single_revision(spec: str) -> bool:
    return ".." not in spec and not spec.startswith("^") and "^!" not in spec and "^@" not in spec


def revision_args(spec: str, *, reachable: bool = False) -> list[str]:
    """git arguments selecting the commits of `spec`.

    A range (`a..b`, `a...b`, `^a b`, `x^!`) means what `git rev-list` says; a
    single revision means that one commit, unless `reachable` asks for it and
    all its ancestors.
    """
    if not spec or spec.startswith("-"):
        raise GitError(f"not a revision range: {spec!r}")
    words = spec.split()
    if any(word.startswith("-") for word in words):
        raise GitError(f"not a revision range: {spec!r} (options are not accepted here)")
    if len(words) == 1 and _is_single_revision(spec) and not reachable:
        return ["--no-walk", "--end-of-options", spec]
    return ["--end-of-options", *words]


def _log(
    repo: Path, extra: Sequence[str], revs: Sequence[str], shas: Sequence[str] | None
) -> AbstractContextManager[GitStream]:
    args = [*_LOG_OPTIONS, *extra]
    if shas is not None:
        args += ["--no-walk=unsorted", "--stdin"]
        return stream_git(args, repo, stdin="".join(f"{s}\n" for s in shas).encode())
    return stream_git([*args, *revs], repo)


def _is_missing_object(stderr: bytes) -> bool:
    text = stderr.decode("utf-8", "replace")
    needles = ("unable to read", "missing blob", "could not fetch", "promisor", "bad object")
    return any(needle in text for needle in needles)


def rev_list(repo: Path, revs: Sequence[str]) -> list[str]:
    out = run_git(["rev-list", *revs], repo)
    return out.decode("ascii").split()


def read_commits(repo: Path, spec: str, *, reachable: bool = False) -> Iterator[Commit]:
    """Every commit of `spec` with its files and line counts, newest first.

    Line counts are None (and `stats_complete` False) for a commit whose
    blobs are absent from this clone.
    """
    return _read(repo, revision_args(spec, reachable=reachable), None)


def read_commits_by_sha(repo: Path, shas: Sequence[str]) -> Iterator[Commit]:
    """The named commits, in the order given, in one git process."""
    if not shas:
        return iter(())
    return _read(repo, (), list(shas))


def _read(repo: Path, revs: Sequence[str], shas: list[str] | None) -> Iterator[Commit]:
    if is_partial_clone(repo):
        # numstat would fetch every absent blob from the promisor remote, one by one.
        yield from _read_without_absent_blobs(
            repo, shas if shas is not None else rev_list(repo, revs)
        )
        return
    last: Commit | None = None
    with _log(repo, _NUMSTAT, revs, shas) as stream:
        for commit in parse_log(stream.chunks()):
            if last is not None:
                yield last  # complete: git has started on the next commit
            last = commit
    if stream.returncode == 0:
        if last is not None:
            yield last
        return
    if not _is_missing_object(stream.stderr):
        raise GitError.from_stderr(stream.args, stream.returncode or 1, stream.stderr)
    # git died on a missing blob; the last record seen may be cut short. Read it and
    # everything after it again, learning first which blobs this clone lacks.
    order = shas if shas is not None else rev_list(repo, revs)
    start = order.index(last.sha) if last is not None and last.sha in order else 0
    yield from _read_without_absent_blobs(repo, order[start:])


def is_partial_clone(repo: Path) -> bool:
    try:
        run_git(["config", "--get", "extensions.partialClone"], repo)
    except GitError:
        return False
    return True


def _present_objects(repo: Path) -> set[bytes]:
    out = run_git(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], repo)
    return set(out.split())


def _read_without_absent_blobs(repo: Path, order: list[str]) -> Iterator[Commit]:
    """Read `order` in a fixed number of processes whatever the number of absent blobs.

    1. `git log --raw` (trees only, no blob reads) gives every commit's files
       and blob ids; 2. one listing of the objects present; 3. one `git log
       --numstat` over the commits whose blobs are all here. The others are
       reported with their files and no line counts.
    """
    if not order:
        return
    blobs: dict[str, list[bytes]] = {}
    with _log(repo, _RAW_ONLY, (), order) as stream:
        raw = {c.sha: c for c in parse_log(stream.chunks(), stats_complete=False, blobs=blobs)}
    if stream.returncode != 0:
        raise GitError.from_stderr(stream.args, stream.returncode or 1, stream.stderr)
    present = _present_objects(repo)
    readable = [sha for sha in order if all(b in present for b in blobs.get(sha, ()))]
    counted: dict[str, Commit] = {}
    if readable:
        with _log(repo, _NUMSTAT, (), readable) as stream:
            found = list(parse_log(stream.chunks()))
        if stream.returncode != 0:
            if not _is_missing_object(stream.stderr):
                raise GitError.from_stderr(stream.args, stream.returncode or 1, stream.stderr)
            found = found[:-1]  # the last record may be cut short; its files come from --raw
        counted = {c.sha: c for c in found}
    for sha in order:
        commit = counted.get(sha) or raw.get(sha)
        if commit is not None:
            yield commit


def diff_files(repo: Path, base: str, head: str) -> list[FileChange]:
    """The files of the whole diff `base`..`head` with line counts, every file counted as
    text: a merge's own resolutions are in it, and `.gitattributes` cannot hide lines."""
    out = run_git(
        [
            "diff",
            "-z",
            "--numstat",
            "-M",
            "--text",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules=none",
            "--end-of-options",
            base,
            head,
        ],
        repo,
    )
    tokens = _tokens(iter([out]))
    files = []
    for token in tokens:
        change = _numstat(token.lstrip(b"\n"), tokens)
        if change is not None:
            files.append(change)
    return files
