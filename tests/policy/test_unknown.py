"""One rule for unknown, table-driven: every predicate × what makes it unknown × approval or
block rule × on_unknown. An approval rule whose condition cannot be known applies and a
block rule blocks, unless the rule says `on_unknown: skip`; either way the result says
what was unknown. A condition that fails decides before one that is unknown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from caution.policy.change import Change
from caution.policy.evaluate import evaluate
from caution.policy.predicates import REGISTRY
from caution.provenance.model import CommitProvenance, LineCounts, summarize
from caution.reach.model import IacReach, Reach, TouchedComponent
from tests.policy.helpers import ROSTER, make_change, make_config


def _reach(**kw: object) -> Reach:
    base = dict(
        components=(TouchedComponent("component:default/checkout", 1, "team", ("a.py",)),),
        dependents=(),
        owners=("@shop/checkout",),
        catalog_refs=("component:default/checkout",),
    )
    base.update(kw)
    return Reach(**base)  # type: ignore[arg-type]


def _lines_unknown(change: Change) -> Change:
    items = [
        CommitProvenance(c.commit, c.level, c.tools, c.evidence, LineCounts(None))
        for c in change.provenance.commits
    ]
    return replace(change, provenance=summarize(change.range, items))


@dataclass(frozen=True)
class Unknown:
    predicate: str
    condition: str  # YAML of the `if` value
    make: Callable[[Change], Change]  # makes the condition unknown
    why: str  # part of the reason given


def _facts(**facts: object) -> Callable[[Change], Change]:
    def add(change: Change) -> Change:
        change.facts.update(facts)
        return change

    return add


UNKNOWNS = [
    Unknown(
        "provenance",
        "{ai_fraction: '>= 0.5'}",
        _lines_unknown,
        "AI share of added lines is unknown",
    ),
    Unknown(
        "modified_lines",
        "{total: '> 10'}",
        lambda c: replace(c, additions=None, deletions=None),
        "line counts are unknown",
    ),
    Unknown(
        "authors_in",
        "[senior]",
        lambda c: replace(c, author_emails=frozenset({"stranger@elsewhere.example"})),
        "stranger@elsewhere.example is not in the roster",
    ),
    Unknown(
        "targets_branch",
        "{pattern: '^main$'}",
        lambda c: replace(c, target_branch=None),
        "target branch is unknown",
    ),
    Unknown("reach", "{max_tier: '<= 1'}", lambda c: c, "reach is unknown"),
    Unknown(
        "reach",
        "{max_tier: '<= 0'}",
        _facts(reach=_reach(unowned_files=("docs/x.md",))),
        "the tier is unknown",
    ),
    Unknown(
        "reach",
        "{components_in: [payments]}",
        _facts(reach=_reach()),
        "the catalog defines no component 'payments'",
    ),
    Unknown(
        "reach",
        "{owners_in: ['@shop/payments']}",
        _facts(reach=_reach(ownerless_files=("docs/x.md",))),
        "no owner is known",
    ),
    Unknown(
        "reach",
        "{stateful_deletes: '> 0'}",
        _facts(reach=_reach()),
        "no Terraform plan",
    ),
    Unknown("risk", "{percentile: '>= 90'}", lambda c: c, "risk is unknown"),
    Unknown(
        "deploy",
        "{frozen: true}",
        _facts(deploy="ops/slos.yml: no such file"),
        "ops/slos.yml: no such file",
    ),
]
NEVER_UNKNOWN = {"changed_files", "only_changed_files"}  # a change's files are always known


def test_the_table_covers_every_predicate() -> None:
    assert {u.predicate for u in UNKNOWNS} | NEVER_UNKNOWN == set(REGISTRY)


def _policy(kind: str, unknown: Unknown, on_unknown: str, extra: str = "") -> str:
    condition = f"{{{unknown.predicate}: {unknown.condition}{extra}}}"
    option = f", on_unknown: {on_unknown}" if on_unknown != "default" else ""
    if kind == "approval":
        judged = f"{{name: judged, if: {condition}, requires: {{count: 1}}{option}}}"
        rules = f"  approval:\n    - {judged}\n    - {{name: rest}}\n"
    else:
        rules = (
            f"  approval:\n    - {{name: rest}}\n"
            f"  block:\n    - {{name: judged, if: {condition}, message: stop{option}}}\n"
        )
    return ROSTER + "policy:\n" + rules


EXPECTED = {
    ("approval", "default"): ("pending", "pending"),
    ("approval", "apply"): ("pending", "pending"),
    ("approval", "skip"): ("skipped", "pass"),
    ("block", "default"): ("blocked", "blocked"),
    ("block", "apply"): ("blocked", "blocked"),
    ("block", "skip"): ("skipped", "pass"),
}


@pytest.mark.parametrize("unknown", UNKNOWNS, ids=lambda u: f"{u.predicate}:{u.condition}")
@pytest.mark.parametrize(("kind", "on_unknown"), list(EXPECTED))
def test_unknown_applies_blocks_or_skips_and_always_says_why(
    unknown: Unknown, kind: str, on_unknown: str
) -> None:
    config = make_config(_policy(kind, unknown, on_unknown))
    change = unknown.make(make_change())
    decision = evaluate(config.policy, change, config.roster, ())
    (judged,) = [r for r in decision.rules if r.name == "judged"]
    status, outcome = EXPECTED[(kind, on_unknown)]
    assert (judged.status, decision.decision) == (status, outcome), judged.reason
    assert judged.unknown is not None and unknown.why in judged.unknown


@pytest.mark.parametrize("unknown", UNKNOWNS, ids=lambda u: f"{u.predicate}:{u.condition}")
@pytest.mark.parametrize("kind", ["approval", "block"])
def test_a_condition_that_fails_decides_before_an_unknown_one(unknown: Unknown, kind: str) -> None:
    """`if: {X: unknown, changed_files: no match}` is skipped: the rule cannot apply."""
    extra = ", changed_files: {paths: ['nowhere/**']}"
    config = make_config(_policy(kind, unknown, "default", extra))
    change = unknown.make(make_change())
    decision = evaluate(config.policy, change, config.roster, ())
    (judged,) = [r for r in decision.rules if r.name == "judged"]
    assert judged.status == "skipped" and judged.unknown is None
    assert decision.decision == "pass"


def test_a_predicate_that_raises_blocks_its_block_rule() -> None:
    config = make_config(
        ROSTER + "policy:\n  approval:\n    - {name: rest}\n  block:\n"
        "    - {name: judged, if: {reach: {max_tier: '<= 1'}}, message: stop}\n"
    )
    change = make_change()
    change.facts["reach"] = object()  # not a Reach: the predicate fails on it
    decision = evaluate(config.policy, change, config.roster, ())
    assert decision.decision == "blocked"
    assert "could not evaluate" in decision.rules[-1].reason


def test_known_answers_are_not_marked_unknown() -> None:
    config = make_config(_policy("approval", UNKNOWNS[-1], "default"))
    change = make_change()
    change.facts["reach"] = _reach(iac=IacReach())
    decision = evaluate(config.policy, change, config.roster, ())
    assert all(r.unknown is None for r in decision.rules if r.name == "rest")
