"""`caution check` results as JSON, text, Markdown (a PR comment) and SARIF 2.1.0."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from caution.policy.approvals import MAX_PER_COMMIT
from caution.policy.check import CheckResult
from caution.policy.evaluate import flatten
from caution.policy.model import APPROVED, BLOCKED, ERROR, PENDING, SKIPPED, Approval, RuleResult
from caution.reach import Reach
from caution.report.reach import reach_to_json
from caution.report.risk import factors_line, risk_to_json
from caution.report.safe import markdown, plain
from caution.risk.service import RangeRisk

STATUS_STYLE = {
    APPROVED: "green",
    PENDING: "yellow",
    SKIPPED: "dim",
    BLOCKED: "bold red",
    ERROR: "bold red",
}
STATUS_MARK = {APPROVED: "✔", PENDING: "…", SKIPPED: "–", BLOCKED: "✖", ERROR: "!"}
DECISION_STYLE = {"pass": "bold green", "pending": "bold yellow", "blocked": "bold red"}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _rule_json(rule: RuleResult) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "status": rule.status,
        "reason": rule.reason,
        "unknown": rule.unknown,
        "approvals": [
            {
                "by": a.by,
                "commit": a.commit,
                "valid": a.valid,
                "reason": a.reason,
                "source": a.source,
            }
            for a in rule.approvals
        ],
        "missing": rule.missing,
        "line": rule.line,
    }


def _via(approval: Approval) -> str:
    """Where an approval came from, when not a signed note: a forge's review."""
    return " (forge review)" if approval.source == "forge" else ""


def _rules(result: CheckResult) -> list[RuleResult]:
    """Leaf rules in order, with each `or` group's own verdict after its members."""
    out: list[RuleResult] = []
    for rule in result.decision.rules:
        if rule.kind == "group":
            members = flatten([rule])
            out.extend(members)
            names = ", ".join(m.name for m in members)
            out.append(
                RuleResult(
                    f"{rule.name}({names})", rule.status, rule.reason, kind="group", line=rule.line
                )
            )
        else:
            out.append(rule)
    return out


def check_to_json(result: CheckResult, *, warn_only: bool = False) -> dict[str, Any]:
    change = result.change
    return {
        "decision": result.decision.decision,
        "summary": result.decision.summary,
        "rules": [_rule_json(r) for r in _rules(result)],
        "change": {
            "range": change.range,
            "head": change.head,
            "target": change.target_branch,
            "commits": len(change.provenance.commits),
            "files": len(change.files),
            "additions": change.additions,
            "deletions": change.deletions,
            "provenance": {
                "level": change.provenance.level.value,
                "tools": list(change.provenance.tools),
            },
            "reach": reach_to_json(change.facts["reach"]) if "reach" in change.facts else None,
            "risk": (
                risk_to_json(change.facts["risk"])
                if isinstance(change.facts.get("risk"), RangeRisk)
                else None
            ),
        },
        "policy": {"source": result.config.source, "default": result.config.is_default},
        "notes": _notes(result),
        "warn_only": warn_only,
    }


def _notes(result: CheckResult) -> list[str]:
    """What was decided on the user's behalf, and what could not be read."""
    notes = list(result.resolved.notes) if result.resolved is not None else []
    notes += result.warnings
    if result.unread_approvals:
        notes.append(
            f"{result.unread_approvals} approval note entries were not read: at most "
            f"{MAX_PER_COMMIT} per commit (junk in refs/notes/caution-approvals?)"
        )
    return notes


def render_check(result: CheckResult, console: Console) -> None:
    decision = result.decision
    change = result.change
    head = Text(f"caution check {plain(change.range)}: ")
    head.append(decision.decision.upper(), style=DECISION_STYLE[decision.decision])
    head.append(f" — {plain(decision.summary)}")
    console.print(head, highlight=False)
    prov = change.provenance
    tools = f" ({', '.join(prov.tools)})" if prov.tools else ""
    policy = result.config.source
    if result.config.is_default:
        policy += " (no .caution.yml; `caution init` writes one)"
    console.print(
        f"policy: {policy}\n"
        f"change: {_count(len(prov.commits), 'commit')}, {prov.level.value}{tools}, "
        f"head {change.head[:10]}",
        highlight=False,
        markup=False,
    )
    for note in _notes(result):
        console.print(f"note: {plain(note)}", style="yellow", highlight=False, markup=False)
    found = change.facts.get("reach")
    if isinstance(found, Reach) and (found.components or found.owners or found.code.importers):
        console.print(f"reach: {_reach_line(found)}", highlight=False, markup=False)
    console.print(f"risk: {_risk_line(change.facts.get('risk'))}", highlight=False, markup=False)
    for rule in _rules(result):
        if rule.kind == "group" and rule.status == SKIPPED:
            continue
        line = Text("  ")
        line.append(f"{STATUS_MARK[rule.status]} {rule.status:<9}", style=STATUS_STYLE[rule.status])
        line.append(f" {plain(rule.name)}", style="bold" if rule.status != SKIPPED else "dim")
        line.append(f" — {plain(rule.reason)}", style="dim" if rule.status == SKIPPED else "")
        console.print(line, highlight=False)
        if rule.unknown and rule.status != SKIPPED:
            console.print(
                f"      unknown: {plain(rule.unknown)}",
                style="yellow",
                highlight=False,
                markup=False,
            )
        if rule.missing:
            text = f"      missing: {plain(rule.missing)}"
            console.print(text, style="yellow", highlight=False, markup=False)
        for approval in rule.approvals:
            mark = "counts" if approval.valid else "does not count"
            console.print(
                f"      approval by {plain(approval.by)}{_via(approval)} on "
                f"{approval.commit[:10]}: {mark} ({plain(approval.reason)})",
                style="" if approval.valid else "dim",
                highlight=False,
                markup=False,
            )


def _risk_line(found: object) -> str:
    if not isinstance(found, RangeRisk):
        return "not scored (no training set: `caution risk train`)"
    riskiest = max(found.scores, key=lambda s: s.probability, default=None)
    if riskiest is None:
        return "no non-merge commits to score"
    factors = factors_line(riskiest)
    return (
        f"max probability {riskiest.probability:.2f} (percentile {riskiest.percentile}) "
        f"at {riskiest.sha[:10]}" + (f"; top factors {factors}" if factors else "")
    )


def _reach_line(found: Reach) -> str:
    touched = ", ".join(c.ref.split("/", 1)[-1] for c in found.components) or "no component"
    parts = [f"touches {touched}"]
    if found.max_tier is not None:
        parts.append(f"most critical tier {found.max_tier}")
    if found.dependents:
        parts.append(f"{_count(len(found.dependents), 'dependent')}")
    if found.code.importers:
        parts.append(f"{_count(len(found.code.importers), 'importing module')}")
    if found.owners:
        parts.append(f"owners {', '.join(found.owners)}")
    return "; ".join(parts)


_MD_STATUS = {
    APPROVED: "✅ approved",
    PENDING: "⏳ pending",
    SKIPPED: "➖ skipped",
    BLOCKED: "⛔ blocked",
    ERROR: "❗ error",
}
_MD_DECISION = {"pass": "✅ pass", "pending": "⏳ pending", "blocked": "⛔ blocked"}


def _md(text: str) -> str:
    return markdown(text)


def check_to_markdown(result: CheckResult) -> str:
    decision = result.decision
    change = result.change
    prov = change.provenance
    tools = f" ({', '.join(prov.tools)})" if prov.tools else ""
    lines = [
        f"### caution: {_MD_DECISION[decision.decision]}",
        "",
        f"{_md(decision.summary)}",
        "",
        f"**Change** `{change.range}` · {_count(len(prov.commits), 'commit')} · provenance "
        f"**{prov.level.value}**{tools} · head `{change.head[:10]}`  ",
        *(
            [f"**Reach** {_md(_reach_line(change.facts['reach']))}  "]
            if isinstance(change.facts.get("reach"), Reach)
            else []
        ),
        f"**Risk** {_md(_risk_line(change.facts.get('risk')))}  ",
        f"**Policy** {result.config.source}"
        + (" (no `.caution.yml`; run `caution init`)" if result.config.is_default else ""),
        *(f"  \n**Note** {_md(note)}" for note in _notes(result)),
        "",
        "| rule | status | why | missing |",
        "|---|---|---|---|",
    ]
    for rule in _rules(result):
        lines.append(
            f"| {_md(rule.name)} | {_MD_STATUS[rule.status]} | {_md(rule.reason)} | "
            f"{_md(rule.missing or '')} |"
        )
    approvals = [(r.name, a) for r in _rules(result) for a in r.approvals]
    if approvals:
        lines += ["", "<details><summary>Approvals</summary>", ""]
        for name, a in approvals:
            counted = "counts" if a.valid else "does not count"
            lines.append(
                f"- **{_md(name)}**: {_md(a.by)}{_via(a)} on `{a.commit[:10]}` {counted}: "
                f"{_md(a.reason)}"
            )
        lines += ["", "</details>"]
    lines += ["", "<sub>Approve with `caution approve`; see `caution check --help`.</sub>"]
    return "\n".join(lines) + "\n"


def check_to_sarif(result: CheckResult, version: str) -> dict[str, Any]:
    """SARIF 2.1.0: one result per rule that did not pass (pending, blocked, error)."""
    rules = [r for r in _rules(result) if r.kind != "group"]
    config_uri = None if result.config.is_default else result.config.location
    # GitHub's code scanning refuses a result without a location: a rule of the built-in
    # policy points at the change's first file instead
    fallback = result.change.files[0] if result.change.files else ".caution.yml"
    results = []
    for rule in rules:
        if rule.status in (APPROVED, SKIPPED):
            continue
        text = rule.reason + (f" Missing: {rule.missing}." if rule.missing else "")
        entry: dict[str, Any] = {
            "ruleId": rule.name,
            "level": "warning" if rule.status == PENDING else "error",
            "kind": "fail",
            "message": {"text": f"{rule.status}: {text}"},
            "properties": {"status": rule.status, "range": result.change.range},
        }
        uri, line = (
            (config_uri, rule.line)
            if config_uri is not None and rule.line is not None
            else (fallback, 1)
        )
        entry["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": line},
                }
            }
        ]
        results.append(entry)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "caution",
                        "version": version,
                        "rules": [
                            {"id": r.name, "shortDescription": {"text": f"caution rule {r.name}"}}
                            for r in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
