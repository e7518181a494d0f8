"""Line-by-line provenance of a file: each line's commit and that commit's
provenance, refined by the commit's line-level record where one exists (what
git-ai's `blame` shows, without git-ai installed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caution.git.blame import UNCOMMITTED, BlameLine, blame
from caution.git.log import read_commits_by_sha
from caution.git.repo import path_in_repo
from caution.provenance.lines import AI, HUMAN, UNKNOWN
from caution.provenance.markers import MarkerCatalog, default_catalog
from caution.provenance.model import CommitProvenance, Level
from caution.provenance.service import LineRecords, classify_commits


@dataclass(frozen=True, slots=True)
class BlamedLine:
    blame: BlameLine
    level: Level
    origin: str  # ai | human | unknown: who wrote this very line, as far as is known
    tool: str | None
    basis: str  # what decided `origin`


def line_origin(
    line: BlameLine, commit: CommitProvenance | None, records: LineRecords
) -> BlamedLine:
    """Pure given its inputs: the line record wins, then the commit's level."""
    if commit is None:
        return BlamedLine(line, Level.UNKNOWN, UNKNOWN, None, "not committed yet")
    record = records.for_commit(commit.commit)
    span = record.span_at(line.orig_path, line.orig_line) if record is not None else None
    if span is not None and record is not None:
        return BlamedLine(
            line, commit.level, span.origin, span.tool, f"{record.source}: {span.who}"
        )
    if commit.level is Level.AUTONOMOUS:
        tool = commit.tools[0] if commit.tools else None
        return BlamedLine(line, commit.level, AI, tool, "the commit's author is an agent")
    if commit.level is Level.HUMAN:
        return BlamedLine(line, commit.level, HUMAN, None, "line-level record: all human")
    basis = "no line-level record" if record is None else "not covered by the line-level record"
    tool = commit.tools[0] if commit.level is Level.ASSISTED and commit.tools else None
    return BlamedLine(line, commit.level, UNKNOWN, tool, basis)


def blame_file(
    repo: Path,
    path: str,
    rev: str | None,
    *,
    base: Path | None = None,
    catalog: MarkerCatalog | None = None,
) -> list[BlamedLine]:
    """Blame `path`, named relative to `base` (the repository root when None)."""
    catalog = catalog or default_catalog()
    lines = blame(repo, path_in_repo(repo, base or repo, path), rev)
    shas = list(dict.fromkeys(line.sha for line in lines if line.sha != UNCOMMITTED))
    records = LineRecords.load(repo, catalog, set(shas))
    commits = {
        item.commit.sha: item
        for item in classify_commits(read_commits_by_sha(repo, shas), records, catalog)
    }
    return [line_origin(line, commits.get(line.sha), records) for line in lines]
