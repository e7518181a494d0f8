"""The text an approver signs, and the note entries that carry it. Pure.

    caution-approval/2
    repository: <repository: from .caution.yml, else the root commit of the target>
    commit: <approved commit: the head of the change>
    target: <the branch the change merges into>
    fingerprint: <the change's fingerprint: its edits anchored in their context (fingerprint.py)>
    approver: <email, the ssh principal>
    time: 2026-11-25T10:00:00+00:00
    comment: "<JSON string>"

Statements of version 1 named a `patch-id:` instead, which ignores where an edit sits:
they are still read and verified, and count for the very commit they name, but never
carry over to another head.

Each approval is one JSON line `{"statement": ..., "signature": ...}` in the
note of the approved commit under refs/notes/caution-approvals; several
approvals of one commit are several lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from caution import json_file

HEADER = "caution-approval/2"
HEADER_V1 = "caution-approval/1"
NAMESPACE = "caution-approval"
NOTES_REF = "refs/notes/caution-approvals"
_FIELDS = ("repository", "commit", "target", "fingerprint", "approver", "time", "comment")
_FIELDS_V1 = ("repository", "commit", "target", "patch-id", "approver", "time", "comment")


class StatementError(ValueError):
    pass


@dataclass(frozen=True)
class Statement:
    repository: str
    commit: str
    target: str
    fingerprint: str  # version 1: the patch-id, which never carries an approval over
    approver: str
    time: str
    comment: str = ""
    version: int = 2

    def text(self) -> str:
        values = {
            "repository": self.repository,
            "commit": self.commit,
            "target": self.target,
            "fingerprint": self.fingerprint,
            "patch-id": self.fingerprint,
            "approver": self.approver,
            "time": self.time,
            "comment": json.dumps(self.comment, ensure_ascii=False),
        }
        for key, value in values.items():
            if "\n" in value or "\r" in value:
                raise StatementError(f"{key} may not contain a line break")
        header, fields = (HEADER, _FIELDS) if self.version == 2 else (HEADER_V1, _FIELDS_V1)
        return header + "\n" + "".join(f"{k}: {values[k]}\n" for k in fields)

    @property
    def carries(self) -> bool:
        """Whether this statement's fingerprint may carry it to another head."""
        return self.version >= 2 and bool(self.fingerprint)


def parse_statement(text: str) -> Statement:
    lines = text.split("\n")
    if not lines or lines[0] not in (HEADER, HEADER_V1):
        raise StatementError("not a caution approval statement")
    version, fields = (2, _FIELDS) if lines[0] == HEADER else (1, _FIELDS_V1)
    values: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        key, sep, value = line.partition(": ")
        if not sep or key not in fields or key in values:
            raise StatementError(f"unexpected line in statement: {line[:60]!r}")
        values[key] = value
    missing = [k for k in fields if k not in values]
    if missing:
        raise StatementError(f"statement lacks {', '.join(missing)}")
    try:
        comment = json_file.loads(values["comment"])
    except ValueError as exc:
        raise StatementError("statement comment is not a JSON string") from exc
    if not isinstance(comment, str):
        raise StatementError("statement comment is not a JSON string")
    statement = Statement(
        values["repository"],
        values["commit"],
        values["target"],
        values[fields[3]],
        values["approver"],
        values["time"],
        comment,
        version,
    )
    if statement.text() != text:
        raise StatementError("statement is not in canonical form")
    return statement


@dataclass(frozen=True)
class SignedEntry:
    statement_text: str
    signature: str


def entry_line(statement: Statement, signature: str) -> str:
    return json.dumps({"statement": statement.text(), "signature": signature}, sort_keys=True)


def parse_note(text: str) -> tuple[list[SignedEntry], int]:
    """Entries of one note, and how many lines could not be read as entries."""
    entries = []
    unreadable = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            data = json_file.loads(line)
        except ValueError:
            unreadable += 1
            continue
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("statement"), str)
            or not isinstance(data.get("signature"), str)
        ):
            unreadable += 1
            continue
        entries.append(SignedEntry(data["statement"], data["signature"]))
    return entries, unreadable
