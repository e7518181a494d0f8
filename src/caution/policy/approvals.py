"""Reading, verifying and recording signed approvals (git notes + ssh-keygen).

An approval is *verified* here: its note entry parses, it names this
repository, it sits on the commit it names (a signature copied onto another
commit does not count), its signature verifies for the principal it names
against the roster's allowed-signers file, the signer is a roster person,
and not an AI identity. Whether it *counts* for a rule (author, role,
staleness) is the evaluator's pure decision.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from caution.git import GitError, read_notes
from caution.git.notes import append_note
from caution.git.repo import patch_id, repository_id
from caution.policy.model import Approval, Roster
from caution.policy.ssh import SshError, sign, verify
from caution.policy.statement import (
    NOTES_REF,
    SignedEntry,
    Statement,
    StatementError,
    entry_line,
    parse_note,
    parse_statement,
)
from caution.provenance import ai_identity, default_catalog


@dataclass(frozen=True)
class ApprovalRecord:
    """An approval as found in a note, verified; with what it claims."""

    note_commit: str
    statement: Statement | None
    approval: Approval
    comment: str = ""
    time: str = ""


def _invalid(commit: str, by: str, reason: str, email: str = "") -> Approval:
    return Approval(by=by, commit=commit, valid=False, reason=reason, email=email)


def verify_entry(
    repo_root: Path, repo_id: str, note_commit: str, entry: SignedEntry, roster: Roster
) -> ApprovalRecord:
    try:
        statement = parse_statement(entry.statement_text)
    except StatementError as exc:
        return ApprovalRecord(note_commit, None, _invalid(note_commit, "?", str(exc)))
    email = statement.approver
    person = roster.by_email(email)
    by = person.id if person is not None else email

    def record(valid: bool, reason: str) -> ApprovalRecord:
        approval = Approval(by, statement.commit, valid, reason, person, statement.patch_id, email)
        return ApprovalRecord(note_commit, statement, approval, statement.comment, statement.time)

    if statement.repository != repo_id:
        return record(False, "signed for another repository")
    if statement.commit != note_commit:
        return record(False, f"copied: it approves {statement.commit[:10]}, not this commit")
    if roster.allowed_signers is None:
        return record(False, "the roster names no allowed_signers file to verify against")
    valid, word = verify(
        entry.statement_text.encode(), entry.signature, repo_root / roster.allowed_signers, email
    )
    if not valid:
        return record(False, f"signature does not verify for {email}: {word}")
    tool = ai_identity("", email, default_catalog())
    if tool is not None:
        return record(False, f"{email} is an AI identity ({tool}); AI never approves")
    if person is None:
        return record(False, f"{email} signed, but is not in the roster")
    return record(True, f"signed by {person.id}")


def read_approvals(
    repo_root: Path, roster: Roster, commits: Collection[str] | None = None
) -> list[ApprovalRecord]:
    """Verified approvals on `commits` (all approved commits when None)."""
    notes = read_notes(repo_root, NOTES_REF, commits)
    if not notes:
        return []
    repo_id = repository_id(repo_root)
    records = []
    for note_commit, text in notes.items():
        entries, unreadable = parse_note(text)
        for entry in entries:
            records.append(verify_entry(repo_root, repo_id, note_commit, entry, roster))
        for _ in range(unreadable):
            records.append(
                ApprovalRecord(
                    note_commit, None, _invalid(note_commit, "?", "unreadable note line")
                )
            )
    return records


def approvals_for_change(
    repo_root: Path, roster: Roster, commits: Collection[str], head_patch_id: str | None
) -> tuple[Approval, ...]:
    """Approvals on the change's commits, plus approvals elsewhere with the head's patch-id
    (a rebased change; whether those count is the rule's `invalidate_on_push`)."""
    records = read_approvals(repo_root, roster, None)
    wanted = set(commits)
    chosen = [
        r.approval
        for r in records
        if r.note_commit in wanted
        or (
            head_patch_id is not None
            and r.statement is not None
            and r.statement.patch_id == head_patch_id
        )
    ]
    return tuple(chosen)


class ApprovalRefusedError(Exception):
    """`caution approve` will not record this approval; the message says why."""


def approve(
    repo_root: Path,
    commit: str,
    key: Path,
    signer: str,
    comment: str,
    roster: Roster,
    authors: Collection[str],
) -> ApprovalRecord:
    """Sign and record an approval of `commit`; refuse what could never count."""
    tool = ai_identity("", signer, default_catalog())
    if tool is not None:
        raise ApprovalRefusedError(f"{signer} is an AI identity ({tool}); AI never approves")
    if signer.lower() in {a.lower() for a in authors}:
        raise ApprovalRefusedError(
            f"{signer} wrote a commit in this change; an author's approval does not count"
        )
    if roster.allowed_signers is None:
        raise ApprovalRefusedError(
            "the roster names no allowed_signers file, so no approval could be verified "
            "(add roster.allowed_signers to .caution.yml)"
        )
    statement = Statement(
        repository=repository_id(repo_root),
        commit=commit,
        patch_id=patch_id(repo_root, commit) or "",
        approver=signer,
        time=datetime.now(UTC).replace(microsecond=0).isoformat(),
        comment=comment,
    )
    try:
        signature = sign(statement.text().encode(), key)
    except SshError as exc:
        raise ApprovalRefusedError(str(exc)) from exc
    entry = SignedEntry(statement.text(), signature)
    record = verify_entry(repo_root, statement.repository, commit, entry, roster)
    if not record.approval.valid:
        raise ApprovalRefusedError(f"not recorded: {record.approval.reason}")
    try:
        append_note(
            repo_root, NOTES_REF, commit, entry_line(statement, signature), (signer, signer)
        )
    except GitError as exc:
        raise ApprovalRefusedError(f"could not record the approval: {exc}") from exc
    return record
