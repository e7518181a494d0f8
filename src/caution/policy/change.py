"""The change a policy judges: plain values built from git and provenance.

Later capabilities (reach, risk) add their results in `facts`, keyed by their
name, so their predicates can read them without the evaluator knowing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from caution.git.model import FileChange
from caution.provenance import RangeProvenance


@dataclass(frozen=True)
class Change:
    range: str
    head: str
    target_branch: str | None
    provenance: RangeProvenance
    files: tuple[str, ...]
    additions: int | None
    deletions: int | None
    people_emails: frozenset[str]  # authors and committers of every commit, lower-cased
    author_emails: frozenset[str]  # authors only, lower-cased
    fingerprint: str | None = None  # what approvals of another head must match
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ai_fraction(self) -> float | None:
        """Share of the lines the change adds (the merge result's) that AI wrote, as an
        upper bound: every added line of an assisted or autonomous commit counts as AI
        unless a line-level record the policy trusts says fewer; a record anyone could
        write (the change's own Agent Trace, open git notes) may only add AI lines. Unknown
        when a count is missing, or when a merge commit made with AI may have edits of its
        own that no per-commit count shows."""
        total = self.additions
        if total is None:
            return None
        ai = 0
        for item in self.provenance.commits:
            made_with_ai = item.level.value in ("assisted", "autonomous")
            if item.commit.is_merge:
                if made_with_ai:
                    return None
                continue
            added, claimed = item.lines.added, item.lines.ai
            if added is None:
                return None
            if made_with_ai:
                ai += claimed if claimed is not None and item.lines.trusted else added
            elif claimed:
                ai += claimed
        return min(ai, total) / total if total else 0.0


def change_from_provenance(
    result: RangeProvenance,
    head: str,
    target_branch: str | None,
    fingerprint: str | None = None,
    diff: Sequence[FileChange] | None = None,
) -> Change:
    """The change of `result`'s commits. Its files and line counts are `diff`'s, the whole
    change as it would merge, when given; else summed over the commits."""
    files: list[str] = []
    seen: set[str] = set()
    additions: int | None = 0
    deletions: int | None = 0
    people: set[str] = set()
    authors: set[str] = set()
    for item in result.commits:
        commit = item.commit
        people.update({commit.author.email.lower(), commit.committer.email.lower()})
        authors.add(commit.author.email.lower())
        for change in commit.files:
            for path in (change.path, change.old_path):
                if path and path not in seen:
                    seen.add(path)
                    files.append(path)
            if change.binary:
                continue
            if change.added is None or change.deleted is None:
                additions = deletions = None
            elif additions is not None and deletions is not None:
                additions += change.added
                deletions += change.deleted
    if diff is not None:
        files = list(dict.fromkeys(p for f in diff for p in (f.path, f.old_path) if p))
        additions = sum(f.added or 0 for f in diff)
        deletions = sum(f.deleted or 0 for f in diff)
    return Change(
        range=result.range,
        head=head,
        target_branch=target_branch,
        provenance=result,
        files=tuple(files),
        additions=additions,
        deletions=deletions,
        people_emails=frozenset(people),
        author_emails=frozenset(authors),
        fingerprint=fingerprint,
    )
