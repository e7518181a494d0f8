"""The text an approver signs, and the note entries that carry it. Pure.

    caution-approval/1
    repository: <repository: from .caution.yml, else the root commit of the target>
    commit: <approved commit: the head of the change>
    target: <the branch the change merges into>
    patch-id: <git patch-id --verbatim of the whole change, merge-base(target, commit)..commit>
    approver: <email, the ssh principal>
    time: 2026-11-25T10:00:00+00:00
    comment: "<JSON string>"

Each approval is one JSON line `{"statement": ..., "signature": ...}` in the
note of the approved commit under refs/notes/caution-approvals; several
approvals of one commit are several lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from caution import json_file

HEADER = "caution-approval/1"
NAMESPACE = "caution-approval"
NOTES_REF = "refs/notes/caution-approvals"
_FIELDS = ("repository", "commit", "target", "patch-id", "approver", "time", "comment")


class StatementError(ValueError):
    pass


@dataclass(frozen=True)
class Statement:
    repository: str
    commit: str
    target: str
    patch_id: str
    approver: str
    time: str
    comment: str = ""

    def text(self) -> str:
        values = {
            "repository": self.repository,
            "commit": self.commit,
            "target": self.target,
            "patch-id": self.patch_id,
            "approver": self.approver,
            "time": self.time,
            "comment": json.dumps(self.comment, ensure_ascii=False),
        }
        for key, value in values.items():
            if "\n" in value or "\r" in value:
                raise StatementError(f"{key} may not contain a line break")
        return HEADER + "\n" + "".join(f"{k}: {values[k]}\n" for k in _FIELDS)


def parse_statement(text: str) -> Statement:
    lines = text.split("\n")
    if not lines or lines[0] != HEADER:
        raise StatementError("not a caution approval statement")
    values: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        key, sep, value = line.partition(": ")
        if not sep or key not in _FIELDS or key in values:
            raise StatementError(f"unexpected line in statement: {line[:60]!r}")
        values[key] = value
    missing = [k for k in _FIELDS if k not in values]
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
        values["patch-id"],
        values["approver"],
        values["time"],
        comment,
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
