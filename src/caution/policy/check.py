"""`caution check` as a use case: work out the change, read its provenance, reach and
approvals, evaluate the policy. The CLI renders what this returns.

The change is what merging its head into the target would do (`resolve.py`): its commits
are `target..head` and its files and lines the diff from the target's tree to the merge
result's. The policy, the allowed-signers file and every file the policy names are read
as committed on the target, never from the change or the work tree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from caution import json_file
from caution.git.errors import GitError
from caution.git.log import diff_files
from caution.policy.approvals import RepositoryNameError, read_approvals, repository_name
from caution.policy.change import Change, change_from_provenance
from caution.policy.config import load_config
from caution.policy.evaluate import evaluate
from caution.policy.freezes import DeployError, deploy_files, status_for
from caution.policy.model import (
    Approval,
    Condition,
    Config,
    Decision,
    Group,
    Options,
    Policy,
    Requires,
    Rule,
)
from caution.policy.predicates import ChangedFiles
from caution.policy.resolve import (
    ChangeError,
    ResolvedChange,
    change_fingerprint,
    forge_pull_request,
    resolve_change,
)
from caution.policy.reviews import ForgeReview, ReviewsError, parse_reviews, review_approvals
from caution.policy.sync import fetch_approvals, pick_remote
from caution.provenance import provenance_of_range
from caution.reach import reach_of_files
from caution.risk.service import score_range
from caution.rollout.samples import SampleError
from caution.yaml_source import CONFIG_NAME, SourceError

POLICY_GUARD = "caution-policy-changes"

# what run_check raises when the change cannot be judged as asked (the CLI's exit 2); the
# hooks that judge changes themselves turn these into a refusal or a report
CHECK_ERRORS: tuple[type[Exception], ...] = (
    ChangeError,
    GitError,
    SourceError,
    RepositoryNameError,
    ValueError,
    OSError,
)

CheckError = ChangeError  # the name earlier callers know


def protected_files(config: Config) -> list[str]:
    """The files whose change changes the gate itself: the policy, the signers file and the
    SLO files the deploy section names."""
    paths = [CONFIG_NAME]
    if config.roster.allowed_signers:
        paths.append(config.roster.allowed_signers)
    deploy = config.deploy
    if deploy.budget is not None:
        paths.append(deploy.budget.slos)
    paths.extend(s.slos for s in deploy.services.values() if s.slos)
    return list(dict.fromkeys(paths))


def guard_policy_files(config: Config) -> Config:
    """Add a rule that a change to the policy or a file it names needs a roster person's
    approval (not its author's), whatever the policy says. Matched without regard to case:
    on a case-insensitive checkout `.CAUTION.yml` is the policy."""
    globs = ["/" + p if "/" not in p else p for p in protected_files(config)]
    condition = Condition("changed_files", ChangedFiles(paths=globs, ignore_case=True))
    rule = Rule(POLICY_GUARD, (condition,), Requires(count=1), Options(False, True))
    approval = Group("and", (*config.policy.approval.children, rule), config.policy.approval.line)
    return replace(config, policy=Policy(approval, config.policy.block))


def may_carry(group: Group) -> bool:
    """Whether any approval rule lets an approval carry to another head."""
    return any(
        may_carry(c) if isinstance(c, Group) else not c.options.invalidate_on_push
        for c in group.children
    )


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
    resolved: ResolvedChange | None = None
    unread_approvals: int = 0  # note entries over the per-commit limit, not read
    warnings: tuple[str, ...] = ()  # what could not be read on the way (forge reviews…)


@dataclass(frozen=True)
class CheckOptions:
    config_path: Path | None = None
    target: str | None = None
    plan: Path | None = None
    reviews: Path | None = None  # a forge's reviews JSON (`--reviews`)
    forge_reviews: tuple[ForgeReview, ...] | None = None  # or the reviews already read
    now: float | None = None
    may_fetch: bool = True
    env: Mapping[str, str] | None = None
    report: Callable[[str], None] | None = None
    notes_at: tuple[str, ...] = ()  # notes commits to read approvals from besides the ref
    fetch_approvals: bool = False  # merge the remote's approval notes first
    remote: str | None = None  # the remote for fetch_approvals (default: origin, or the one)


def read_reviews(path: Path) -> tuple[ForgeReview, ...]:
    """The forge reviews in the JSON file at `path`; ChangeError naming the file."""
    try:
        return tuple(parse_reviews(json_file.read_json(path)))
    except json_file.JsonFileError as exc:
        raise ChangeError(str(exc)) from exc
    except ReviewsError as exc:
        raise ChangeError(f"{path}: {exc}") from exc


def _forge_approvals(
    reviews: Sequence[ForgeReview],
    config: Config,
    where: ResolvedChange,
    env: Mapping[str, str] | None,
) -> tuple[Approval, ...]:
    # GitLab approvals name no commit: they are the merge request's as its pipeline reads
    # them, so they count for the head only in a pipeline that says it runs for that head
    env = env or {}
    pull = forge_pull_request(env)
    for_this_head = (
        pull is not None
        and pull.forge == "gitlab"
        and (pull.head_sha or env.get("CI_COMMIT_SHA")) == where.head
    )
    gitlab_commit = where.head if for_this_head else None
    return review_approvals(list(reviews), config.roster, where.target_name, gitlab_commit)


def exit_code(result: CheckResult, *, warn_only: bool = False) -> int:
    """0 when the change passes, 1 when it does not — 0 anyway under warn_only, the soft
    launch in which a team reads the results before it enforces them."""
    return 0 if result.decision.decision == "pass" or warn_only else 1


def run_check(repo: Path, spec: str | None, options: CheckOptions | None = None) -> CheckResult:
    options = options or CheckOptions()
    warnings: list[str] = []
    if options.fetch_approvals:
        remote = pick_remote(repo, options.remote)
        if not fetch_approvals(repo, remote):
            warnings.append(f"{remote} has no approvals yet (refs/notes/caution-approvals)")
    where = resolve_change(
        repo,
        spec,
        options.target,
        may_fetch=options.may_fetch,
        env=options.env,
        report=options.report,
    )
    config = guard_policy_files(load_config(repo, options.config_path, rev=where.target))
    result = provenance_of_range(
        repo, where.commits, trace_rev=where.head, trusted_human=config.trusted_human
    )
    if not result.commits:
        raise ChangeError(f"the range {where.spec} has no commits: nothing to check")
    # an approval of another head counts only under a rule that lets it carry: without one,
    # neither the fingerprint nor the notes of other commits are worth reading
    carries = may_carry(config.policy.approval)
    fingerprint = change_fingerprint(repo, where) if carries else None
    change = change_from_provenance(
        replace(result, range=where.spec),
        where.head,
        where.target_name,
        fingerprint,
        diff_files(repo, where.target_tree, where.merged_tree),
    )
    # the catalog and CODEOWNERS of the branch merged into, like the policy: a change must
    # not be able to lower its own tier; the import graph of the code that would merge
    change.facts["reach"] = reach_of_files(
        repo,
        list(change.files),
        config.reach,
        options.plan,
        rev=where.target,
        code_rev=where.merged_tree,
    )
    change.facts["risk"] = score_range(repo, where.commits, config.risk)
    if uses_predicate(config.policy, "deploy"):  # reads SLO event files: only when asked
        when = time.time() if options.now is None else options.now
        files_at = deploy_files(repo, options.config_path, where.target, change.files)
        commits = [item.commit for item in result.commits]
        try:
            change.facts["deploy"] = status_for(config, files_at, None, commits, when)
        except (SourceError, SampleError, DeployError) as exc:
            change.facts["deploy"] = str(exc)  # unknown, and why: the predicate says so
    try:
        name: str | None = repository_name(repo, config, where.target)
        problem = ""
    except RepositoryNameError as exc:
        name, problem = None, str(exc)
    commits_in = {c.commit.sha for c in result.commits}
    wanted = (where.target_name, fingerprint) if where.target_name and fingerprint else None
    reading = read_approvals(
        repo,
        config,
        name,
        commits_in,
        wanted=wanted,
        name_problem=problem,
        notes_at=options.notes_at,
    )
    approvals = reading.approvals()
    reviews = options.forge_reviews
    if reviews is None and options.reviews is not None:
        reviews = read_reviews(options.reviews)
    if reviews is not None:
        approvals += _forge_approvals(reviews, config, where, options.env)
    decision = evaluate(config.policy, change, config.roster, approvals)
    return CheckResult(config, change, decision, where, reading.unread, tuple(warnings))


__all__ = [
    "CHECK_ERRORS",
    "CheckError",
    "CheckOptions",
    "CheckResult",
    "exit_code",
    "guard_policy_files",
    "protected_files",
    "run_check",
]
