"""Listing recorded approvals."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from caution.policy.approvals import ApprovalReading
from caution.report.safe import plain


def approvals_to_json(commit: str, reading: ApprovalReading) -> dict[str, Any]:
    return {
        "commit": commit,
        "approvals": [
            {
                "by": r.approval.by,
                "email": r.approval.email,
                "commit": r.approval.commit,
                "fingerprint": r.approval.fingerprint,
                "source": r.approval.source,
                "time": r.time,
                "comment": r.comment,
                "valid": r.approval.valid,
                "reason": r.approval.reason,
            }
            for r in reading.records
        ],
        "unread": reading.unread,
    }


def render_approvals(commit: str, reading: ApprovalReading, console: Console) -> None:
    if not reading.records:
        console.print(f"no approvals recorded on {commit[:10]}", highlight=False)
        return
    if reading.unread:
        console.print(
            f"{reading.unread} more entries on {commit[:10]} were not read (at most 20 per commit)",
            style="yellow",
            highlight=False,
        )
    for r in reading.records:
        line = Text()
        line.append(
            "✔ valid  " if r.approval.valid else "✖ invalid",
            style="green" if r.approval.valid else "red",
        )
        who = f"{plain(r.approval.by)} <{plain(r.approval.email)}>"
        line.append(f" {who} {plain(r.time)}  {plain(r.approval.reason)}")
        if r.comment:
            line.append(f"  “{plain(r.comment)}”", style="dim")
        console.print(line, highlight=False)
