"""Literal changes, policies and approvals for evaluator tests (no git needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from caution.git.model import Commit, FileChange, Person
from caution.policy.change import Change, change_from_provenance
from caution.policy.config import config_from_doc
from caution.policy.model import Approval, Config
from caution.provenance.model import CommitProvenance, Level, LineCounts, summarize
from caution.yaml_source import parse_yaml

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def make_change(
    *,
    level: str = "assisted",
    tools: tuple[str, ...] = ("claude-code",),
    files: dict[str, tuple[int, int]] | None = None,
    author: str = "carol@shop.example",
    head: str = "h" * 40,
    target: str | None = "main",
    ai_lines: int | None = None,
    patch: str = "p-head",
) -> Change:
    files = files if files is not None else {"services/checkout/cart.py": (10, 2)}
    changes = tuple(FileChange(path, a, d) for path, (a, d) in files.items())
    person = Person(author.split("@")[0], author, WHEN)
    commit = Commit(head, ("b" * 40,), person, person, "change", files=changes)
    added = sum(a for a, _ in files.values())
    lines = (
        LineCounts(added) if ai_lines is None else LineCounts(added, ai_lines, 0, added - ai_lines)
    )
    item = CommitProvenance(commit, Level(level), tools, (), lines)
    return change_from_provenance(summarize("main..HEAD", [item]), head, target, patch)


def make_config(text: str) -> Config:
    return config_from_doc(parse_yaml(text, ".caution.yml"), None)


ROSTER = """
version: 1
roster:
  people:
    alice: {emails: [alice@shop.example], roles: [senior], teams: [checkout]}
    bob:   {emails: [bob@shop.example], teams: [checkout]}
    carol: {emails: [carol@shop.example], teams: [payments]}
    dave:  {emails: [dave@shop.example], roles: [senior], teams: [search]}
"""


def approval(
    config: Config,
    who: str,
    commit: str = "h" * 40,
    patch: str = "p-head",
    valid: bool = True,
    target: str = "main",
) -> Approval:
    person = config.roster.by_id(who)
    assert person is not None
    reason = "signed" if valid else "bad signature"
    return Approval(who, commit, valid, reason, person, patch, person.emails[0], target)
