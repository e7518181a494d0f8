"""`caution hook pre-push`: early warning for a developer, never a gate.

Each branch being pushed is checked as it will be judged: a push into the remote's
default branch from the remote's tip (as a server's pre-receive hook judges it), any
other branch against the remote's default branch (as its pull request will be). The
approvals are this clone's notes: run `caution approvals sync` to see the team's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from caution.git.repo import remote_default_branch, remotes, resolve
from caution.policy.check import CHECK_ERRORS, CheckOptions, CheckResult, run_check
from caution.policy.push import PushedRef, pre_push_target


@dataclass(frozen=True)
class PushReport:
    pushed: PushedRef
    target: str  # what it was judged against, as shown
    result: CheckResult | None
    problem: str = ""  # why there is no result


def check_pushed(
    repo: Path,
    remote: str,
    pushed: Sequence[PushedRef],
    report: Callable[[str], None] | None = None,
) -> list[PushReport]:
    """A check (or the reason there is none) for each branch the push sends."""
    out: list[PushReport] = []
    default = remote_default_branch(repo, remote) if remote in remotes(repo) else None
    for item in pushed:
        if item.deletes or item.branch is None:
            continue
        if default is None:
            out.append(
                PushReport(
                    item,
                    "",
                    None,
                    f"{remote} has no default branch this clone knows (git fetch {remote} first)",
                )
            )
            continue
        have_remote = resolve(repo, item.remote) is not None
        target = pre_push_target(item, remote, default, have_remote)
        if target is None:
            continue
        options = CheckOptions(target=target.name, may_fetch=False, env={}, report=report)
        shown = f"{remote}/{target.name}"
        try:
            result = run_check(repo, f"{target.base}..{item.local}", options)
        except CHECK_ERRORS as exc:
            out.append(PushReport(item, shown, None, str(exc)))
            continue
        out.append(PushReport(item, shown, result))
    return out


__all__ = ["PushReport", "check_pushed"]
