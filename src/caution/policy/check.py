"""`caution check` as a use case: build the change, read its provenance and
approvals, evaluate the policy. The CLI renders what this returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caution.git.repo import default_branch, patch_id, resolve
from caution.policy.approvals import approvals_for_change
from caution.policy.change import Change, change_from_provenance
from caution.policy.config import load_config
from caution.policy.evaluate import evaluate
from caution.policy.model import Config, Decision
from caution.provenance import provenance_of_range
from caution.reach import reach_of_files


class CheckError(Exception):
    """The change cannot be checked as asked (empty range, unknown revision)."""


@dataclass(frozen=True)
class CheckResult:
    config: Config
    change: Change
    decision: Decision


def target_of(spec: str, repo: Path) -> str | None:
    """The branch a change merges into: the left side of `a..b`, else the default branch."""
    for separator in ("...", ".."):
        if separator in spec:
            return spec.split(separator, 1)[0].strip() or None
    return default_branch(repo)


def head_of(spec: str) -> str:
    """The revision a range ends at: `b` of `a..b` or `a...b`, else the spec itself."""
    for separator in ("...", ".."):
        if separator in spec:
            return spec.split(separator, 1)[1].strip() or "HEAD"
    return spec


def run_check(
    repo: Path,
    spec: str,
    *,
    config_path: Path | None = None,
    target: str | None = None,
    plan: Path | None = None,
) -> CheckResult:
    config = load_config(repo, config_path)
    result = provenance_of_range(repo, spec)
    if not result.commits:
        raise CheckError(f"the range {spec} has no commits: nothing to check")
    head = resolve(repo, head_of(spec)) or result.commits[0].commit.sha
    head_patch = patch_id(repo, head)
    change = change_from_provenance(result, head, target or target_of(spec, repo), head_patch)
    change.facts["reach"] = reach_of_files(repo, list(change.files), config.reach, plan)
    approvals = approvals_for_change(
        repo, config.roster, [c.commit.sha for c in result.commits], head_patch
    )
    return CheckResult(config, change, evaluate(config.policy, change, config.roster, approvals))
