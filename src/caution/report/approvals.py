"""Listing recorded approvals."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from caution.policy.approvals import ApprovalRecord
from caution.report.safe import plain


def approvals_to_json(commit: str, records: list[ApprovalRecord]) -> dict[str, Any]:
    return {
        "commit": commit,
        "approvals": [
            {
                "by": r.approval.by,
                "email": r.approval.email,
                "commit": r.approval.commit,
                "patch_id": r.approval.patch_id,
                "time": r.time,
                "comment": r.comment,
                "valid": r.approval.valid,
                "reason": r.approval.reason,
            }
            for r in records
        ],
    }


def render_approvals(commit: str, records: list[ApprovalRecord], console: Console) -> None:
    if not records:
        console.print(f"no approvals recorded on {commit[:10]}", highlight=False)
        return
    for r in records:
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
