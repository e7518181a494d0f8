"""`caution check` as a use case: work out the change, read its provenance, reach
and approvals, evaluate the policy. The CLI renders what this returns.

The policy (and the allowed-signers file) is read from the branch the change
merges into, as committed, never from the change. The change's files and line
counts come from the whole diff merge-base..head, so a merge commit's own
resolutions are seen; its approvals are tied to the target and to the
patch-id of that whole diff.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from caution.git.log import diff_files
from caution.git.repo import (
    branches_at,
    change_patch_id,
    default_branch,
    default_range,
    first_parent_or_empty,
    is_branch,
    merge_base,
    resolve,
    short_branch,
)
from caution.policy.approvals import RepositoryNameError, read_approvals, repository_name
from caution.policy.change import Change, change_from_provenance
from caution.policy.config import load_config
from caution.policy.evaluate import evaluate
from caution.policy.freezes import config_base, status_for
from caution.policy.model import Condition, Config, Decision, Group, Options, Policy, Requires, Rule
from caution.policy.predicates import ChangedFiles
from caution.provenance import provenance_of_range
from caution.reach import reach_of_files
from caution.risk.service import score_range
from caution.yaml_source import CONFIG_NAME

POLICY_GUARD = "caution-policy-changes"


class CheckError(Exception):
    """The change cannot be checked as asked (empty range, unknown revision)."""


@dataclass(frozen=True)
class ChangeSpec:
    """A change worked out from what the user typed."""

    spec: str  # the range git log reads
    head: str
    base: str  # the diff's base: merge-base with the target, or the head's parent
    target: str | None  # the branch it merges into, short name
    config_rev: str | None  # where the policy is read from


def _target_name(repo: Path, left: str, left_sha: str) -> str | None:
    if is_branch(repo, left):
        return short_branch(repo, left)
    names = branches_at(repo, left_sha)
    preferred = default_branch(repo)
    if preferred is not None and short_branch(repo, preferred) in names:
        return short_branch(repo, preferred)
    return names[0] if names else None


def resolve_change(repo: Path, spec: str, target: str | None) -> ChangeSpec:
    words = spec.split()
    if len(words) != 1 or spec.startswith(("-", "^")):
        raise CheckError(f"{spec!r}: give the change as A..B, A...B or one commit")
    for separator in ("...", ".."):
        if separator in spec:
            left, right = (part.strip() or "HEAD" for part in spec.split(separator, 1))
            left_sha, head = resolve(repo, left), resolve(repo, right)
            if left_sha is None or head is None:
                missing = left if left_sha is None else right
                raise CheckError(f"{missing}: not a commit")
            base = merge_base(repo, left_sha, head) or left_sha
            log_spec = f"{base}..{head}" if separator == "..." else f"{left_sha}..{head}"
            name = short_branch(repo, target) if target else _target_name(repo, left, left_sha)
            return ChangeSpec(log_spec, head, base, name, left_sha)
    head = resolve(repo, spec)
    if head is None:
        raise CheckError(f"{spec}: not a commit")
    chosen = target or default_branch(repo)
    config_rev = resolve(repo, chosen) if chosen else None
    name = short_branch(repo, chosen) if chosen else None
    return ChangeSpec(head, head, first_parent_or_empty(repo, head), name, config_rev)


def default_change(repo: Path, target: str | None) -> str:
    """`TARGET..HEAD`, else the branch's commits not on the default branch. A gate must
    not guess: when neither can be found, the user has to say."""
    if target:
        return f"{target}..HEAD"
    spec = default_range(repo)
    if ".." not in spec:
        raise CheckError(
            "cannot tell which commits are the change (HEAD is on the default branch, or there "
            "is none): give a range such as origin/main..HEAD, or --target BRANCH"
        )
    return spec


def guard_policy_files(config: Config) -> Config:
    """Add a rule that a change to the policy or the signers file needs a roster
    person's approval (not its author's), whatever the policy says."""
    paths = [CONFIG_NAME]
    if config.roster.allowed_signers:
        paths.append(config.roster.allowed_signers)
    condition = Condition("changed_files", ChangedFiles(paths=paths))
    rule = Rule(POLICY_GUARD, (condition,), Requires(count=1), Options(False, True))
    approval = Group("and", (*config.policy.approval.children, rule), config.policy.approval.line)
    return replace(config, policy=Policy(approval, config.policy.block))


def uses_predicate(policy: Policy, name: str) -> bool:
    """Whether any rule of `policy` (approval or block) has the predicate `name`."""

    def in_group(group: Group) -> bool:
        return any(
            in_group(c) if isinstance(c, Group) else any(k.predicate == name for k in c.conditions)
            for c in group.children
        )

    blocks = (c.predicate == name for rule in policy.block for c in rule.conditions)
    return in_group(policy.approval) or any(blocks)


@dataclass(frozen=True)
class CheckResult:
    config: Config
    change: Change
    decision: Decision


def run_check(
    repo: Path,
    spec: str,
    *,
    config_path: Path | None = None,
    target: str | None = None,
    plan: Path | None = None,
    now: float | None = None,
) -> CheckResult:
    where = resolve_change(repo, spec, target)
    config = guard_policy_files(load_config(repo, config_path, rev=where.config_rev))
    result = provenance_of_range(repo, where.spec)
    if not result.commits:
        raise CheckError(f"the range {spec} has no commits: nothing to check")
    files = diff_files(repo, where.base, where.head)
    patch = change_patch_id(repo, where.base, where.head)
    change = change_from_provenance(replace(result, range=spec), where.head, where.target, patch)
    change = replace(
        change,
        files=tuple(dict.fromkeys(p for f in files for p in (f.path, f.old_path) if p)),
        additions=sum(f.added or 0 for f in files),
        deletions=sum(f.deleted or 0 for f in files),
    )
    # the catalog and CODEOWNERS of the branch merged into, like the policy: a change must
    # not be able to lower its own tier
    change.facts["reach"] = reach_of_files(
        repo, list(change.files), config.reach, plan, rev=where.config_rev, code_rev=where.head
    )
    change.facts["risk"] = score_range(repo, where.spec, config.risk)
    if uses_predicate(config.policy, "deploy"):  # reads SLO event files: only when asked
        when = time.time() if now is None else now
        base = config_base(repo, config_path)
        in_range = [item.commit for item in result.commits]
        change.facts["deploy"] = status_for(config, base, None, in_range, when)
    try:
        name: str | None = repository_name(repo, config, where.config_rev or where.head)
        problem = ""
    except RepositoryNameError as exc:
        name, problem = None, str(exc)
    commits = {c.commit.sha for c in result.commits}
    wanted = (where.target, patch) if where.target and patch else None
    records = read_approvals(repo, config, name, commits, wanted_patch=wanted, name_problem=problem)
    approvals = tuple(r.approval for r in records)
    return CheckResult(config, change, evaluate(config.policy, change, config.roster, approvals))


__all__ = ["CheckError", "CheckResult", "resolve_change", "run_check"]
