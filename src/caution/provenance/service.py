"""Provenance of a range of commits: the use case the CLI and other capabilities call.

This is where I/O happens (git log, notes, the Agent Trace file); the decision
itself is `classify.classify_commit`, which sees only plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from caution.git import Commit, read_commits, read_notes
from caution.git.notes import noted_commits, notes_refs
from caution.git.repo import read_file_at
from caution.provenance import agent_trace, gitai
from caution.provenance.agent_trace import TraceFile
from caution.provenance.classify import classify_commit
from caution.provenance.lines import LineAttribution
from caution.provenance.markers import MarkerCatalog, default_catalog
from caution.provenance.model import CommitProvenance, RangeProvenance, summarize
from caution.user_file import MiB, read_user_file

GITAI_REF = "refs/notes/ai"
TRACE_PATH = ".agent-trace/traces.jsonl"
TRACE_LIMIT = 256 * MiB


class LineRecords:
    """Line-level records of a repository: git-ai notes and Agent Trace records.

    Loaded once per command, so classifying thousands of commits costs two git
    processes per notes ref, not one per commit.
    """

    def __init__(
        self,
        notes: dict[str, str],
        traces: TraceFile | None,
        present: dict[str, set[str]],
        resolve_tool: Callable[[str], str | None],
    ) -> None:
        self._notes = notes
        self._traces = traces
        self._present = present
        self._resolve = resolve_tool
        self._cache: dict[str, LineAttribution | None] = {}

    @classmethod
    def load(
        cls,
        repo: Path,
        catalog: MarkerCatalog,
        commits: Collection[str] | None = None,
        trace_rev: str | None = None,
    ) -> LineRecords:
        """Notes of `commits` (all when None): a small range in a long history reads only
        its own notes; other refs' notes are only listed, never read."""
        refs = notes_refs(repo)
        notes = read_notes(repo, GITAI_REF, commits) if GITAI_REF in refs else {}
        present: dict[str, set[str]] = {}
        wanted = {m.pattern for m in catalog.by_match("note")}
        for ref in refs:
            if ref in wanted:
                for sha in noted_commits(repo, ref):
                    present.setdefault(sha, set()).add(ref)
        return cls(notes, _load_traces(repo, catalog, trace_rev), present, catalog.resolve_tool)

    def for_commit(self, commit: Commit) -> LineAttribution | None:
        if commit.sha not in self._cache:
            self._cache[commit.sha] = self._attribution(commit)
        return self._cache[commit.sha]

    def _attribution(self, commit: Commit) -> LineAttribution | None:
        text = self._notes.get(commit.sha)
        if text is not None:
            note = gitai.parse_note(text)
            if note is not None:
                return gitai.attribution(note, self._resolve)
        if self._traces is not None:
            paths = frozenset(f.path for f in commit.files)
            return agent_trace.attribution(
                self._traces.for_commit(commit.sha, commit.parents, paths)
            )
        return None

    def notes_present(self, sha: str) -> set[str]:
        return self._present.get(sha, set())


def _load_traces(repo: Path, catalog: MarkerCatalog, rev: str | None) -> TraceFile | None:
    """The Agent Trace records: as committed at `rev` when given (the gate reads the
    change's head, never the work tree), else the work tree's (a regular file, not a link,
    FIFO or device, nor of gigabytes), else HEAD's."""
    data: bytes | None = None
    if rev is not None:
        data = read_file_at(repo, rev, TRACE_PATH)
    else:
        try:
            data = read_user_file(repo / TRACE_PATH, TRACE_LIMIT, follow_symlinks=False)
        except OSError:
            data = read_file_at(repo, "HEAD", TRACE_PATH)
    if data is None:
        return None
    return agent_trace.parse_traces(data.decode("utf-8", "replace"), catalog.resolve_tool)


def classify_commits(
    commits: Iterable[Commit],
    records: LineRecords,
    catalog: MarkerCatalog,
    trusted_human: Collection[str] = (),
) -> Iterator[CommitProvenance]:
    for commit in commits:
        yield classify_commit(
            commit,
            catalog,
            record=records.for_commit(commit),
            notes_present=records.notes_present(commit.sha),
            trusted_human=trusted_human,
        )


def provenance_of_range(
    repo: Path,
    spec: str,
    *,
    reachable: bool = False,
    catalog: MarkerCatalog | None = None,
    progress: Callable[[int], None] | None = None,
    trace_rev: str | None = None,
    trusted_human: Collection[str] = (),
) -> RangeProvenance:
    """Provenance of every commit in `spec`, newest first, with the range's summary."""
    catalog = catalog or default_catalog()
    commits = []
    for commit in read_commits(repo, spec, reachable=reachable):
        commits.append(commit)  # all first: the notes to read are those of the range
        if progress is not None and len(commits) % 256 == 0:
            progress(len(commits))
    records = LineRecords.load(repo, catalog, {c.sha for c in commits}, trace_rev)
    results = list(classify_commits(commits, records, catalog, trusted_human))
    if progress is not None:
        progress(len(results))
    return summarize(spec, results)
