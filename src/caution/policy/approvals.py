"""Reading, verifying and recording signed approvals (git notes + ssh-keygen).

An approval is *verified* here: its note entry parses, it names this
repository, it sits on the commit it names (a signature copied onto another
commit does not count), its signature verifies for the principal it names
against the roster's allowed-signers file (read from the same tree as the
policy), the signer is a roster person and not an AI identity. Whether it
*counts* for a rule (author, role, target, staleness) is the evaluator's pure
decision. Only entries that could matter for the change are verified, so notes
added by anyone cannot make a check slow.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from caution.git import GitError, read_notes
from caution.git.notes import append_note
from caution.git.repo import first_parent_root, is_shallow
from caution.policy.agent_session import agent_session
from caution.policy.model import Approval, Config, Roster
from caution.policy.ssh import SshError, sign, verify
from caution.policy.sshsig import SignatureFormatError, signature_info
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


class ApprovalRefusedError(Exception):
    """`caution approve` will not record this approval; the message says why."""


class RepositoryNameError(Exception):
    """Approvals cannot be tied to this repository (a shallow clone without `repository:`)."""


@dataclass(frozen=True)
class ApprovalRecord:
    """An approval as found in a note, verified; with what it claims."""

    note_commit: str
    statement: Statement | None
    approval: Approval
    comment: str = ""
    time: str = ""


def repository_name(repo_root: Path, config: Config, rev: str) -> str:
    """What approvals are signed for: `repository:` from .caution.yml, else the root of
    `rev`'s first-parent history (the same in every full clone)."""
    if config.repository:
        return config.repository
    if is_shallow(repo_root):
        raise RepositoryNameError(
            "this is a shallow clone, so its root commit is unknown: name the repository in "
            ".caution.yml (repository: owner/name) or fetch the full history"
        )
    root = first_parent_root(repo_root, rev)
    if root is None:
        raise RepositoryNameError("the repository has no commits yet")
    return root


@contextmanager
def signers_file(roster: Roster) -> Iterator[Path | None]:
    """The allowed-signers file as a path ssh-keygen can read (a temporary copy of the
    committed blob when the policy came from a commit)."""
    tree = roster.signers_tree
    if roster.allowed_signers is None or tree is None:
        yield None
        return
    data = tree.read(roster.allowed_signers)
    if data is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="caution-signers-") as folder:
        path = Path(folder) / "allowed_signers"
        path.write_bytes(data)
        yield path


def _invalid(commit: str, by: str, reason: str, email: str = "") -> Approval:
    return Approval(by=by, commit=commit, valid=False, reason=reason, email=email)


def verify_entry(
    repo_name: str,
    note_commit: str,
    entry: SignedEntry,
    statement: Statement,
    roster: Roster,
    signers: Path | None,
) -> ApprovalRecord:
    email = statement.approver
    person = roster.by_email(email)
    by = person.id if person is not None else email

    def record(valid: bool, reason: str) -> ApprovalRecord:
        fingerprint = statement.fingerprint if statement.carries else ""
        approval = Approval(
            by, statement.commit, valid, reason, person, fingerprint, email, statement.target
        )
        return ApprovalRecord(note_commit, statement, approval, statement.comment, statement.time)

    if statement.repository != repo_name:
        return record(False, "signed for another repository")
    if statement.commit != note_commit:
        return record(False, f"copied: it approves {statement.commit[:10]}, not this commit")
    if signers is None:
        return record(False, "the roster names no allowed_signers file to verify against")
    valid, word = verify(entry.statement_text.encode(), entry.signature, signers, email)
    if not valid:
        return record(False, f"signature does not verify for {email}: {word}")
    try:
        info = signature_info(entry.signature)
    except SignatureFormatError as exc:
        return record(False, f"the signature cannot be read: {exc}")
    if info.security_key and not info.touched:
        return record(False, "a security key signed without a touch: no person confirmed it")
    if roster.require_security_key and not info.security_key:
        return record(
            False,
            f"signed with an {info.key_type} key; the roster requires a hardware security key "
            "(sk-ssh-ed25519) that needs a touch",
        )
    tool = ai_identity("", email, default_catalog())
    if tool is not None:
        return record(False, f"{email} is an AI identity ({tool}); AI never approves")
    if person is None:
        return record(False, f"{email} signed, but is not in the roster")
    return record(True, f"signed by {person.id}")


MAX_PER_COMMIT = 20  # signed entries verified per commit
MAX_CARRIED = 20  # approvals of other heads (same fingerprint) verified per check


@dataclass(frozen=True)
class ApprovalReading:
    """What the notes held for a change: verified records, and how many entries were left
    unread because a commit held more than anyone could mean (notes anyone can write must
    not make a check slow, nor its report endless)."""

    records: tuple[ApprovalRecord, ...]
    unread: int = 0

    def approvals(self) -> tuple[Approval, ...]:
        return tuple(r.approval for r in self.records)


_Entry = tuple[str, SignedEntry | None, Statement | None, str]


def _entries(
    repo_root: Path, commits: Collection[str] | None, notes_at: Sequence[str] = ()
) -> list[_Entry]:
    """(note commit, entry, statement, problem) for every line of the selected notes: the
    notes ref's, and those of each notes commit in `notes_at` (a pushed notes ref a
    server-side hook sees before git updates it). An entry found twice is read once."""
    out: list[_Entry] = []
    sources = [read_notes(repo_root, NOTES_REF, commits)]
    sources += [read_notes(repo_root, NOTES_REF, commits, at=at) for at in notes_at]
    seen: set[tuple[str, str, str]] = set()
    seen_notes: set[tuple[str, str]] = set()
    for notes in sources:
        for note_commit, text in notes.items():
            if (note_commit, text) not in seen_notes:
                seen_notes.add((note_commit, text))
                _parse_into(out, seen, note_commit, text)
    return out


def _parse_into(
    out: list[_Entry], seen: set[tuple[str, str, str]], note_commit: str, text: str
) -> None:
    entries, unreadable = parse_note(text)
    for entry in entries:
        key = (note_commit, entry.statement_text, entry.signature)
        if key in seen:
            continue
        seen.add(key)
        try:
            out.append((note_commit, entry, parse_statement(entry.statement_text), ""))
        except StatementError as exc:
            out.append((note_commit, entry, None, str(exc)))
    out.extend((note_commit, None, None, "unreadable note line") for _ in range(unreadable))


def _worth(entry: _Entry, roster: Roster) -> int:
    """Order of reading when there are too many: what claims a roster person first, then
    in the notes' own order (a claimed time is as easy to forge as the rest). Junk can
    crowd out an approval (the change then waits), never add one."""
    statement = entry[2]
    if statement is None:
        return 2
    return 0 if roster.by_email(statement.approver) is not None else 1


def _select(
    entries: list[_Entry],
    commits: Collection[str] | None,
    wanted: tuple[str, str] | None,
    roster: Roster,
) -> tuple[list[_Entry], int]:
    by_commit: dict[str, list[_Entry]] = {}
    carried: list[_Entry] = []
    for item in entries:
        note_commit, _entry, statement, _problem = item
        if commits is None or note_commit in commits:
            by_commit.setdefault(note_commit, []).append(item)
        elif (
            wanted is not None
            and statement is not None
            and statement.carries
            and (statement.target, statement.fingerprint) == wanted
        ):
            carried.append(item)
    selected: list[_Entry] = []
    unread = 0
    for items in by_commit.values():
        items.sort(key=lambda e: _worth(e, roster))
        selected.extend(items[:MAX_PER_COMMIT])
        unread += max(0, len(items) - MAX_PER_COMMIT)
    carried.sort(key=lambda e: _worth(e, roster))
    selected.extend(carried[:MAX_CARRIED])
    unread += max(0, len(carried) - MAX_CARRIED)
    return selected, unread


def read_approvals(
    repo_root: Path,
    config: Config,
    repo_name: str | None,
    commits: Collection[str] | None = None,
    *,
    wanted: tuple[str, str] | None = None,
    name_problem: str = "the repository has no stable name",
    notes_at: Sequence[str] = (),
) -> ApprovalReading:
    """Verified approvals on `commits` (every approved commit when None) and, with
    `wanted` = (target, fingerprint), approvals of other heads that make the same change.
    `notes_at`: notes commits read besides the notes ref (see `_entries`)."""
    # approvals of other heads are looked for only when one could carry over: otherwise the
    # notes of the change's own commits are all that is read
    entries = _entries(repo_root, commits if wanted is None else None, notes_at)
    selected, unread = _select(entries, commits, wanted, config.roster)
    records = []
    with signers_file(config.roster) as signers:
        for note_commit, entry, statement, problem in selected:
            if entry is None or statement is None:
                bad = _invalid(note_commit, "?", problem)
                records.append(ApprovalRecord(note_commit, None, bad))
            elif repo_name is None:
                bad = _invalid(note_commit, statement.approver, name_problem)
                records.append(ApprovalRecord(note_commit, statement, bad))
            else:
                records.append(
                    verify_entry(repo_name, note_commit, entry, statement, config.roster, signers)
                )
    return ApprovalReading(tuple(records), unread)


def approve(
    repo_root: Path,
    config: Config,
    *,
    repo_name: str,
    commit: str,
    target: str,
    fingerprint: str,
    key: Path,
    signer: str,
    comment: str,
    authors: Collection[str],
    env: Mapping[str, str],
) -> ApprovalRecord:
    """Sign and record an approval of the change ending at `commit`; refuse what could
    never count, and refuse to sign inside a coding agent's session."""
    session = agent_session(env)
    if session is not None:
        raise ApprovalRefusedError(
            f"this looks like a {session.agent} session ({session.description}): an agent must "
            "never sign approvals; run caution approve from your own terminal"
        )
    tool = ai_identity("", signer, default_catalog())
    if tool is not None:
        raise ApprovalRefusedError(f"{signer} is an AI identity ({tool}); AI never approves")
    if signer.lower() in {a.lower() for a in authors}:
        raise ApprovalRefusedError(
            f"{signer} wrote a commit in this change; an author's approval does not count"
        )
    if config.roster.allowed_signers is None:
        raise ApprovalRefusedError(
            "the roster names no allowed_signers file, so no approval could be verified "
            "(add roster.allowed_signers to .caution.yml)"
        )
    statement = Statement(
        repository=repo_name,
        commit=commit,
        target=target,
        fingerprint=fingerprint,
        approver=signer,
        time=datetime.now(UTC).replace(microsecond=0).isoformat(),
        comment=comment,
    )
    signature = sign(statement.text().encode(), key)
    entry = SignedEntry(statement.text(), signature)
    with signers_file(config.roster) as signers:
        record = verify_entry(repo_name, commit, entry, statement, config.roster, signers)
    if not record.approval.valid:
        raise ApprovalRefusedError(f"not recorded: {record.approval.reason}")
    try:
        append_note(
            repo_root, NOTES_REF, commit, entry_line(statement, signature), (signer, signer)
        )
    except GitError as exc:
        raise ApprovalRefusedError(f"could not record the approval: {exc}") from exc
    return record


__all__ = [
    "ApprovalReading",
    "ApprovalRecord",
    "ApprovalRefusedError",
    "RepositoryNameError",
    "SshError",
    "approve",
    "read_approvals",
    "repository_name",
]
