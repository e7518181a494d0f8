"""The change a policy judges: plain values built from git and provenance.

Later capabilities (reach, risk) add their results in `facts`, keyed by their
name, so their predicates can read them without the evaluator knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
        """Share of added lines written with AI: line-level records where they exist;
        otherwise every line of an assisted or autonomous commit counts as AI (an upper
        bound: unknown is not safe)."""
        ai = total = 0
        for item in self.provenance.commits:
            added = item.lines.added
            if added is None or any(f.binary for f in item.commit.files):
                return None  # unknown (binary or `-diff` files): rules treat it as matching
            total += added
            if item.lines.ai is not None:
                ai += item.lines.ai
            elif item.level.value in ("assisted", "autonomous"):
                ai += added
        return ai / total if total else 0.0


def change_from_provenance(
    result: RangeProvenance, head: str, target_branch: str | None, fingerprint: str | None = None
) -> Change:
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
