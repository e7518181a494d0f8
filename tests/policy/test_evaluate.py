"""The evaluator, table-driven: and/or/skipped semantics, every predicate, every option."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from caution.policy.evaluate import evaluate, flatten
from caution.policy.model import Approval, Config
from caution.policy.predicates import REGISTRY, Outcome, PredicateSpec, Strict
from tests.policy.helpers import ROSTER, approval, make_change, make_config

POLICY = (
    ROSTER
    + """
policy:
  approval:
    - name: ai-changes-need-a-senior
      if:
        provenance: {level_in: [assisted, autonomous]}
        changed_files: {paths: ["services/checkout/**", "services/payments/**"]}
      requires: {count: 1, roles: [senior]}
      options: {allow_author: false, invalidate_on_push: true}
    - or:
        - {name: two-reviewers, requires: {count: 2}}
        - {name: owner, requires: {count: 1, teams: [checkout]}}
  block:
    - name: agents-do-not-touch-ci
      if:
        provenance: {level_in: [autonomous]}
        changed_files: {paths: [".github/workflows/**"]}
      message: "Autonomous agents may not change CI; ask a human to make this change."
"""
)


@dataclass
class Case:
    name: str
    decision: str
    statuses: dict[str, str]
    change: dict[str, object] = field(default_factory=dict)
    approvals: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    policy: str = POLICY


CASES = [
    Case(
        "ai change waits for a senior and an owner",
        "pending",
        {"ai-changes-need-a-senior": "pending", "two-reviewers": "pending", "owner": "pending"},
    ),
    Case(
        "senior owner approves everything",
        "pass",
        {"ai-changes-need-a-senior": "approved", "owner": "approved"},
        approvals=[("alice", {})],
    ),
    Case(
        "non-senior owner satisfies the or-group only",
        "pending",
        {"ai-changes-need-a-senior": "pending", "owner": "approved"},
        approvals=[("bob", {})],
    ),
    Case(
        "the author's own approval does not count",
        "pending",
        {"ai-changes-need-a-senior": "pending"},
        change={"author": "alice@shop.example"},
        approvals=[("alice", {})],
    ),
    Case(
        "two reviewers satisfy the or-group",
        "pass",
        {"two-reviewers": "approved", "ai-changes-need-a-senior": "approved"},
        approvals=[("dave", {}), ("bob", {})],
    ),
    Case(
        "one person approving twice counts once",
        "pending",
        {"two-reviewers": "pending"},
        approvals=[("dave", {}), ("dave", {})],
    ),
    Case(
        "an invalid signature does not count",
        "pending",
        {"ai-changes-need-a-senior": "pending"},
        approvals=[("alice", {"valid": False})],
    ),
    Case(
        "a stale approval does not count",
        "pending",
        {"ai-changes-need-a-senior": "pending"},
        approvals=[("alice", {"commit": "o" * 40, "patch": "p-head"})],
    ),
    Case(
        "a human change skips the AI rule",
        "pass",
        {"ai-changes-need-a-senior": "skipped", "owner": "approved"},
        change={"level": "unknown", "tools": ()},
        approvals=[("bob", {})],
    ),
    Case(
        "an AI change outside the paths skips the AI rule",
        "pass",
        {"ai-changes-need-a-senior": "skipped"},
        change={"files": {"services/search/index.py": (3, 0)}},
        approvals=[("bob", {})],
    ),
    Case(
        "an agent changing CI is blocked whatever the approvals",
        "blocked",
        {"agents-do-not-touch-ci": "blocked"},
        change={"level": "autonomous", "files": {".github/workflows/ci.yml": (1, 1)}},
        approvals=[("alice", {}), ("bob", {})],
    ),
    Case(
        "a block rule that does not hold is skipped",
        "pass",
        {"agents-do-not-touch-ci": "skipped"},
        approvals=[("alice", {})],
    ),
]

ALL_SKIPPED = (
    ROSTER
    + """
policy:
  approval:
    - name: only-for-ai
      if: {provenance: {level_in: [autonomous]}}
      requires: {count: 1}
"""
)

OPTIONS = (
    ROSTER
    + """
policy:
  approval:
    - name: rebase-keeps-approval
      requires: {count: 1, people: [alice]}
      options: {allow_author: true, invalidate_on_push: false}
"""
)

CASES += [
    Case(
        "every rule skipped: at least one must apply",
        "pending",
        {"only-for-ai": "skipped"},
        change={"level": "assisted"},
        policy=ALL_SKIPPED,
    ),
    Case(
        "allow_author lets the author approve",
        "pass",
        {"rebase-keeps-approval": "approved"},
        change={"author": "alice@shop.example"},
        approvals=[("alice", {})],
        policy=OPTIONS,
    ),
    Case(
        "invalidate_on_push false keeps an approval of the same patch",
        "pass",
        {"rebase-keeps-approval": "approved"},
        approvals=[("alice", {"commit": "o" * 40, "patch": "p-head"})],
        policy=OPTIONS,
    ),
    Case(
        "invalidate_on_push false still drops a different patch",
        "pending",
        {"rebase-keeps-approval": "pending"},
        approvals=[("alice", {"commit": "o" * 40, "patch": "p-other"})],
        policy=OPTIONS,
    ),
    Case(
        "people requirement ignores others",
        "pending",
        {"rebase-keeps-approval": "pending"},
        approvals=[("dave", {})],
        policy=OPTIONS,
    ),
]


def _approvals(config: Config, specs: list[tuple[str, dict[str, object]]]) -> tuple[Approval, ...]:
    return tuple(approval(config, who, **kw) for who, kw in specs)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_policy_case(case: Case) -> None:
    config = make_config(case.policy)
    change = make_change(**case.change)  # type: ignore[arg-type]
    decision = evaluate(config.policy, change, config.roster, _approvals(config, case.approvals))
    statuses = {r.name: r.status for r in flatten(decision.rules)}
    assert decision.decision == case.decision, (decision.summary, statuses)
    for name, status in case.statuses.items():
        assert statuses[name] == status, (name, decision.rules)


def test_pending_rule_says_what_is_missing() -> None:
    config = make_config(POLICY)
    decision = evaluate(config.policy, make_change(), config.roster, ())
    rule = next(r for r in flatten(decision.rules) if r.name == "ai-changes-need-a-senior")
    assert rule.missing == "1 approval from role senior"
    assert "provenance is assisted" in rule.reason
    assert "services/checkout/cart.py" in rule.reason
    assert "ai-changes-need-a-senior: 1 approval from role senior" in decision.summary


def test_judged_approvals_say_why() -> None:
    config = make_config(POLICY)
    change = make_change(author="alice@shop.example")
    decision = evaluate(config.policy, change, config.roster, (approval(config, "alice"),))
    rule = next(r for r in flatten(decision.rules) if r.name == "ai-changes-need-a-senior")
    assert [(a.by, a.valid, a.reason) for a in rule.approvals] == [
        ("alice", False, "alice wrote a commit in this change")
    ]


class Boom(Strict):
    pass


def _explodes(config: Boom, change: object, roster: object) -> Outcome:
    raise RuntimeError("kaboom")


def test_a_failing_predicate_is_an_error_never_a_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # registered for this test only: a global registration leaked into every later
    # "unknown predicate (known: …)" message
    monkeypatch.setitem(REGISTRY, "test_explodes", PredicateSpec("test_explodes", Boom, _explodes))
    config = make_config(
        ROSTER
        + """
policy:
  approval:
    - name: exploding
      if: {test_explodes: {}}
    - name: fine
"""
    )
    decision = evaluate(config.policy, make_change(), config.roster, ())
    assert decision.decision == "pending"
    assert {r.name: r.status for r in decision.rules}["exploding"] == "error"


PREDICATES = [
    # (if-clause, change overrides, expected to apply)
    ({"changed_files": {"paths": ["services/**"], "ignore": ["**/*.md"]}}, {}, True),
    ({"changed_files": {"paths": ["services/**"], "ignore": ["**/*.py"]}}, {}, False),
    (
        {"only_changed_files": {"paths": ["docs/**", "**/*.md"]}},
        {"files": {"docs/a.md": (1, 0), "README.md": (2, 0)}},
        True,
    ),
    (
        {"only_changed_files": {"paths": ["docs/**"]}},
        {"files": {"docs/a.md": (1, 0), "src/a.py": (1, 0)}},
        False,
    ),
    ({"provenance": {"level_in": ["assisted"]}}, {}, True),
    ({"provenance": {"level_in": ["autonomous"]}}, {}, False),
    ({"provenance": {"tools_in": ["claude-code", "cursor"]}}, {}, True),
    ({"provenance": {"tools_in": ["copilot"]}}, {}, False),
    ({"provenance": {"ai_fraction": "> 0.5"}}, {"ai_lines": 8}, True),
    # a record no source of the policy trusts may not lower an assisted commit's share
    ({"provenance": {"ai_fraction": "> 0.5"}}, {"ai_lines": 2}, True),
    ({"provenance": {"ai_fraction": ">= 1"}}, {}, True),  # no records: every line counts as AI
    ({"provenance": {"ai_fraction": "> 0"}}, {"level": "unknown", "tools": ()}, False),
    ({"modified_lines": {"additions": "> 5"}}, {}, True),
    ({"modified_lines": {"additions": "> 50", "deletions": ">= 2"}}, {}, True),
    ({"modified_lines": {"total": "> 12"}}, {}, False),
    ({"modified_lines": {"total": "== 12"}}, {}, True),
    ({"authors_in": ["payments"]}, {}, True),
    ({"authors_in": ["senior"]}, {}, False),
    ({"authors_in": {"people": ["carol"]}}, {}, True),
    ({"authors_in": {"roles": ["senior"]}}, {"author": "dave@shop.example"}, True),
    ({"targets_branch": {"pattern": "^(main|release/.*)$"}}, {}, True),
    ({"targets_branch": {"pattern": "^release/"}}, {}, False),
]


@pytest.mark.parametrize(
    ("clause", "overrides", "applies"), PREDICATES, ids=[str(p[0]) for p in PREDICATES]
)
def test_predicate(clause: dict[str, object], overrides: dict[str, object], applies: bool) -> None:
    import json

    config = make_config(
        ROSTER
        + "policy:\n  approval:\n    - name: rule\n      if: "
        + json.dumps(clause)
        + "\n      requires: {count: 1}\n"
    )
    decision = evaluate(config.policy, make_change(**overrides), config.roster, ())  # type: ignore[arg-type]
    status = {r.name: r.status for r in decision.rules}["rule"]
    assert status == ("pending" if applies else "skipped"), decision.rules


def test_an_unknown_target_makes_the_rule_apply_not_skip() -> None:
    config = make_config(
        ROSTER
        + """
policy:
  approval:
    - name: no-release-without-two
      if: {targets_branch: {pattern: "^release/"}}
      requires: {count: 2}
    - name: rest
"""
    )
    decision = evaluate(config.policy, make_change(target=None), config.roster, ())
    assert decision.decision == "pending"
    result = {r.name: r for r in decision.rules}["no-release-without-two"]
    assert result.status == "pending"
    assert result.unknown == "the change's target branch is unknown (give --target)"


def test_an_approval_for_another_target_does_not_count() -> None:
    config = make_config(POLICY)
    release = approval(config, "alice", target="release")
    decision = evaluate(config.policy, make_change(), config.roster, (release,))
    rule = next(r for r in flatten(decision.rules) if r.name == "ai-changes-need-a-senior")
    assert [a.reason for a in rule.approvals] == ["approves merging into release, not main"]


def test_approval_sources_at_the_top_and_per_rule() -> None:
    from dataclasses import replace as with_

    text = (
        ROSTER
        + """
approvals: {sources: [ssh]}
policy:
  approval:
    - {name: signed-only, requires: {count: 1, roles: [senior]}}
    - {name: forge-too, requires: {count: 1, roles: [senior]}, approvals: {sources: [ssh, forge]}}
"""
    )
    config = make_config(text)
    forge = with_(approval(config, "alice"), source="forge")
    decision = evaluate(config.policy, make_change(), config.roster, (forge,))
    statuses = {r.name: r.status for r in flatten(decision.rules)}
    assert statuses == {"signed-only": "pending", "forge-too": "approved"}
    (judged,) = next(r for r in flatten(decision.rules) if r.name == "signed-only").approvals
    assert not judged.valid and "a forge approval; this rule counts ssh" in judged.reason
