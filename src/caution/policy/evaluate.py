"""Evaluating a policy against a change and its approvals. Pure.

Semantics follow palantir/policy-bot: a rule whose `if` is false is skipped
and drops out of its `and`/`or`; a group of only skipped rules is skipped; an
`and` is approved when every rule left is, an `or` when any is. The top-level
approval list is an implicit `and`, and if every rule in it is skipped the
change is pending: at least one rule must apply. Any block rule whose `if`
holds blocks the change, whatever the approvals.

Unknown is decided here and only here: an `if` none of whose conditions fails but one
of which cannot be known holds — an approval rule applies, a block rule blocks — unless
the rule says `on_unknown: skip`. Either way the result says what was unknown. A
predicate that raises is a bug, never a pass: its approval rule is an error (pending)
and its block rule blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from caution.policy.change import Change
from caution.policy.model import (
    APPROVED,
    BLOCKED,
    ERROR,
    PENDING,
    SKIP,
    SKIPPED,
    Approval,
    BlockRule,
    Condition,
    Decision,
    Group,
    Policy,
    Roster,
    Rule,
    RuleResult,
)
from caution.policy.predicates import REGISTRY, Outcome, all_of


def _conditions(conditions: Iterable[Condition], change: Change, roster: Roster) -> Outcome:
    """Whether the conditions all hold: the first that fails explains a skip; unknown when
    none fails and one cannot be known."""
    outcomes = [REGISTRY[c.predicate].evaluate(c.config, change, roster) for c in conditions]
    if not outcomes:
        return Outcome(True, "applies to every change")
    return all_of(outcomes)


def _applies(outcome: Outcome, on_unknown: str) -> tuple[bool, str, str | None]:
    """(the rule applies, why, what was unknown) under the one rule for unknown."""
    if outcome.matched is not None:
        return outcome.matched, outcome.reason, None
    if on_unknown == SKIP:
        return False, f"{outcome.reason} (on_unknown: skip)", outcome.reason
    return True, f"{outcome.reason}, so it applies", outcome.reason


def judge_approval(approval: Approval, rule: Rule, change: Change) -> Approval:
    """Whether one verified approval counts for one rule, and why."""

    def verdict(valid: bool, reason: str) -> Approval:
        return replace(approval, valid=valid, reason=reason)

    if not approval.valid:
        return approval
    person = approval.person
    if person is None:
        return verdict(False, f"{approval.email} is not in the roster")
    if not rule.options.allow_author and any(
        person.has_email(email) for email in change.people_emails
    ):
        return verdict(False, f"{person.id} wrote a commit in this change")
    if not rule.requires.admits(person):
        return verdict(
            False, f"{person.id} is not {rule.requires.describe(1).split(' from ', 1)[-1]}"
        )
    if change.target_branch is None:
        return verdict(False, "the change's target branch is unknown (give --target)")
    if approval.target != change.target_branch:
        return verdict(
            False, f"approves merging into {approval.target}, not {change.target_branch}"
        )
    if approval.source not in rule.sources:
        return verdict(
            False, f"a {approval.source} approval; this rule counts {', '.join(rule.sources)}"
        )
    if approval.commit != change.head:
        if rule.options.invalidate_on_push:
            return verdict(False, f"stale: approves {approval.commit[:10]}, not the head")
        if not approval.fingerprint:
            return verdict(
                False,
                f"stale: {approval.commit[:10]} is not the head, and this approval cannot "
                "carry over",
            )
        if approval.fingerprint != change.fingerprint:
            return verdict(
                False,
                f"stale: {approval.commit[:10]} makes other edits, or the same edits elsewhere",
            )
        return verdict(
            True, f"{person.id} approved {approval.commit[:10]} (the same edits at the same places)"
        )
    return verdict(True, f"{person.id} approved the head")


def evaluate_rule(
    rule: Rule, change: Change, roster: Roster, approvals: tuple[Approval, ...]
) -> RuleResult:
    try:
        outcome = _conditions(rule.conditions, change, roster)
    except Exception as exc:  # a predicate that fails must not let a change through
        return RuleResult(rule.name, ERROR, f"could not evaluate: {exc}", line=rule.line)
    applies, why, unknown = _applies(outcome, rule.on_unknown)
    if not applies:
        return RuleResult(rule.name, SKIPPED, why, line=rule.line, unknown=unknown)
    needed = rule.requires.count
    if needed == 0:
        return RuleResult(
            rule.name, APPROVED, f"{why}; no approval required", line=rule.line, unknown=unknown
        )
    judged = tuple(judge_approval(a, rule, change) for a in approvals)
    approvers = {a.person.id for a in judged if a.valid and a.person is not None}
    if len(approvers) >= needed:
        who = ", ".join(sorted(approvers))
        reason = f"{why}; approved by {who}"
        return RuleResult(rule.name, APPROVED, reason, judged, line=rule.line, unknown=unknown)
    missing = rule.requires.describe(needed - len(approvers))
    return RuleResult(rule.name, PENDING, why, judged, missing, line=rule.line, unknown=unknown)


def evaluate_group(
    group: Group, change: Change, roster: Roster, approvals: tuple[Approval, ...], name: str
) -> RuleResult:
    children = tuple(
        evaluate_group(c, change, roster, approvals, f"{c.op} group")
        if isinstance(c, Group)
        else evaluate_rule(c, change, roster, approvals)
        for c in group.children
    )
    live = [c for c in children if c.status != SKIPPED]
    if not live:
        status, reason = SKIPPED, "every rule in it was skipped"
    elif any(c.status == ERROR for c in live) and not (
        group.op == "or" and any(c.status == APPROVED for c in live)
    ):
        status, reason = ERROR, "a rule in it could not be evaluated"
    elif group.op == "or":
        winners = [c.name for c in live if c.status == APPROVED]
        if winners:
            status, reason = APPROVED, f"satisfied by {winners[0]}"
        else:
            status, reason = PENDING, "no rule in it is approved yet"
    else:
        waiting = [c.name for c in live if c.status != APPROVED]
        if waiting:
            status, reason = PENDING, f"waiting for {', '.join(waiting)}"
        else:
            status, reason = APPROVED, "every rule that applies is approved"
    return RuleResult(name, status, reason, kind="group", line=group.line, children=children)


def evaluate_block(rule: BlockRule, change: Change, roster: Roster) -> RuleResult:
    try:
        outcome = _conditions(rule.conditions, change, roster)
    except Exception as exc:  # a block that cannot be evaluated blocks
        reason = f"{rule.message} (could not evaluate: {exc})"
        return RuleResult(rule.name, BLOCKED, reason, kind="block", line=rule.line)
    applies, why, unknown = _applies(outcome, rule.on_unknown)
    status, reason = (BLOCKED, f"{rule.message} ({why})") if applies else (SKIPPED, why)
    return RuleResult(rule.name, status, reason, kind="block", line=rule.line, unknown=unknown)


def flatten(results: Iterable[RuleResult]) -> list[RuleResult]:
    """Rules in order, groups replaced by their members (what reports list)."""
    out: list[RuleResult] = []
    for result in results:
        if result.kind == "group":
            out.extend(flatten(result.children))
        else:
            out.append(result)
    return out


def evaluate(
    policy: Policy, change: Change, roster: Roster, approvals: tuple[Approval, ...]
) -> Decision:
    tree = evaluate_group(policy.approval, change, roster, approvals, "approval")
    blocks = tuple(evaluate_block(rule, change, roster) for rule in policy.block)
    rules = (*tree.children, *blocks)
    blocked = [b for b in blocks if b.status == BLOCKED]
    errors = [r for r in (tree, *blocks) if r.status == ERROR]
    if blocked:
        return Decision("blocked", rules, f"blocked by {', '.join(b.name for b in blocked)}")
    if errors:
        failing = next((r for r in flatten(rules) if r.status == ERROR), errors[0])
        return Decision("pending", rules, f"{failing.name} could not be evaluated")
    if tree.status == APPROVED:
        return Decision("pass", rules, "every rule that applies is approved")
    if tree.status == SKIPPED:
        return Decision(
            "pending", rules, "every approval rule was skipped; at least one must apply"
        )
    return Decision("pending", rules, f"waiting for {_missing(tree) or tree.reason}")


def _missing(result: RuleResult) -> str:
    """What a pending result still needs: `a: 1 approval; (b: 2 approvals or c: …)`."""
    if result.status != PENDING:
        return ""
    if result.kind != "group":
        return f"{result.name}: {result.missing}" if result.missing else ""
    parts = [text for text in (_missing(c) for c in result.children) if text]
    if result.name == "or group" and len(parts) > 1:
        return "(" + " or ".join(parts) + ")"
    return "; ".join(parts)
