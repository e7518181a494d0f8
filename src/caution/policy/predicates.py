"""Predicates a rule's `if` can use, registered by name.

A predicate is a pydantic model for its configuration and a pure function of
(configuration, change, roster) to an outcome with its reason: it matched, it did
not, or it cannot be known (and why). What unknown means for a rule is the
evaluator's decision alone, the same for every predicate. Later capabilities
register theirs (`reach`, `risk`) with `register` and the evaluator never changes.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from caution.globs import Glob, GlobError, compile_glob
from caution.policy.change import Change
from caution.policy.model import Roster
from caution.repo_paths import normal_glob
from caution.rollout.freeze import FreezeStatus

C = TypeVar("C", bound=BaseModel)


@dataclass(frozen=True)
class Outcome:
    """`matched` is True or False, or None when the answer cannot be known."""

    matched: bool | None
    reason: str

    @property
    def known(self) -> bool:
        return self.matched is not None


def unknown(reason: str) -> Outcome:
    return Outcome(None, reason)


def all_of(parts: list[Outcome]) -> Outcome:
    """Every part must hold: one that fails decides; otherwise one unknown makes it unknown."""
    failed = [p for p in parts if p.matched is False]
    if failed:
        return failed[0]
    unknowns = [p for p in parts if p.matched is None]
    if unknowns:
        return unknown("; ".join(p.reason for p in unknowns))
    return Outcome(True, "; ".join(p.reason for p in parts))


@dataclass(frozen=True)
class PredicateSpec(Generic[C]):
    name: str
    config: type[C]
    evaluate: Callable[[C, Change, Roster], Outcome]
    accepts_list: bool = False  # `authors_in: [a, b]` is short for `{any: [a, b]}`


REGISTRY: dict[str, PredicateSpec[Any]] = {}


def register(
    name: str, config: type[C], *, accepts_list: bool = False
) -> Callable[[Callable[[C, Change, Roster], Outcome]], Callable[[C, Change, Roster], Outcome]]:
    def add(fn: Callable[[C, Change, Roster], Outcome]) -> Callable[[C, Change, Roster], Outcome]:
        if name in REGISTRY:
            raise ValueError(f"predicate {name!r} is registered twice")
        REGISTRY[name] = PredicateSpec(name, config, fn, accepts_list)
        return fn

    return add


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, allow_inf_nan=False
    )


# --- comparisons: "> 100", ">= 0.5", "== 3" ------------------------------------------------------

_COMPARISON = re.compile(r"^\s*(<=|>=|==|!=|<|>)?\s*(-?\d+(?:\.\d+)?)\s*$")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class Comparison:
    op: str
    value: float

    def holds(self, actual: float) -> bool:
        return _OPS[self.op](actual, self.value)

    def __str__(self) -> str:
        value = int(self.value) if self.value == int(self.value) else self.value
        return f"{self.op} {value}"


# what a comparison may name, by field: shares and probabilities, percentiles; anything
# else is a count, which is never negative. `percentile: > -5` would always hold.
_RANGES: dict[str, tuple[float, float]] = {
    "probability": (0, 1),
    "ai_fraction": (0, 1),
    "percentile": (0, 100),
}


def parse_comparison(text: object, field: str = "") -> Comparison:
    if isinstance(text, bool):
        raise ValueError("expected a comparison such as '> 100'")
    if isinstance(text, int | float):
        comparison = Comparison("==", float(text))
    else:
        found = _COMPARISON.match(str(text))
        if not found:
            raise ValueError(f"expected a comparison such as '> 100', got {text!r}")
        comparison = Comparison(found.group(1) or "==", float(found.group(2)))
    low, high = _RANGES.get(field, (0, math.inf))
    if not math.isfinite(comparison.value):
        shown = repr(text) if len(repr(text)) <= 40 else repr(text)[:37] + "..."
        raise ValueError(f"{shown} is not a finite number")
    if not low <= comparison.value <= high:
        what = f"from {low:g} to {high:g}" if high < math.inf else "a count, not negative"
        raise ValueError(f"{comparison} is out of range (this is {what})")
    return comparison


def optional_comparison(value: object, field: str = "") -> Comparison | None:
    """A pydantic `before` validator's body for optional comparison fields."""
    if value is None or isinstance(value, Comparison):
        return value
    return parse_comparison(value, field)


def _globs(patterns: list[str], ignore_case: bool = False) -> list[Glob]:
    try:
        return [compile_glob(p, ignore_case=ignore_case) for p in patterns]
    except GlobError as exc:
        raise ValueError(str(exc)) from exc


# --- changed_files / only_changed_files ----------------------------------------------------------


class ChangedFiles(Strict):
    paths: list[str]
    ignore: list[str] = []
    ignore_case: bool = False  # match as a case-insensitive file system would
    _paths: list[Glob] = []
    _ignore: list[Glob] = []

    @field_validator("paths", "ignore")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        value = [normal_glob(p) for p in value]
        _globs(value)
        return value

    @field_validator("paths")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one path glob")
        return value

    @model_validator(mode="after")
    def _compile(self) -> ChangedFiles:
        object.__setattr__(self, "_paths", _globs(self.paths, self.ignore_case))
        object.__setattr__(self, "_ignore", _globs(self.ignore, self.ignore_case))
        return self

    def selects(self, path: str) -> bool:
        return any(g.matches(path) for g in self._paths) and not any(
            g.matches(path) for g in self._ignore
        )


@register("changed_files", ChangedFiles)
def changed_files(config: ChangedFiles, change: Change, roster: Roster) -> Outcome:
    hits = [path for path in change.files if config.selects(path)]
    if hits:
        more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
        return Outcome(True, f"changes {', '.join(hits[:3])}{more}")
    return Outcome(False, f"changes no file in {', '.join(config.paths)}")


class OnlyChangedFiles(Strict):
    paths: list[str]
    _paths: list[Glob] = []

    @field_validator("paths")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one path glob")
        value = [normal_glob(p) for p in value]
        _globs(value)
        return value

    @model_validator(mode="after")
    def _compile(self) -> OnlyChangedFiles:
        object.__setattr__(self, "_paths", _globs(self.paths))
        return self


@register("only_changed_files", OnlyChangedFiles)
def only_changed_files(config: OnlyChangedFiles, change: Change, roster: Roster) -> Outcome:
    outside = [p for p in change.files if not any(g.matches(p) for g in config._paths)]
    if change.files and not outside:
        return Outcome(True, f"changes only files in {', '.join(config.paths)}")
    if not change.files:
        return Outcome(False, "changes no files")
    return Outcome(False, f"also changes {outside[0]}")


# --- provenance ----------------------------------------------------------------------------------

_LEVELS = ("human", "unknown", "assisted", "autonomous")


class ProvenanceCondition(Strict):
    level_in: list[str] | None = None
    tools_in: list[str] | None = None
    ai_fraction: Comparison | None = None

    @field_validator("level_in")
    @classmethod
    def _levels(cls, value: list[str] | None) -> list[str] | None:
        for level in value or []:
            if level not in _LEVELS:
                raise ValueError(f"unknown level {level!r} (levels: {', '.join(_LEVELS)})")
        return value

    @field_validator("ai_fraction", mode="before")
    @classmethod
    def _comparison(cls, value: object) -> Comparison:
        return value if isinstance(value, Comparison) else parse_comparison(value, "ai_fraction")

    @model_validator(mode="after")
    def _something(self) -> ProvenanceCondition:
        if self.level_in is None and self.tools_in is None and self.ai_fraction is None:
            raise ValueError("needs level_in, tools_in or ai_fraction")
        return self


@register("provenance", ProvenanceCondition)
def provenance(config: ProvenanceCondition, change: Change, roster: Roster) -> Outcome:
    result = change.provenance
    reasons = []
    if config.level_in is not None:
        if result.level.value not in config.level_in:
            return Outcome(False, f"provenance is {result.level.value}")
        reasons.append(f"provenance is {result.level.value}")
    if config.tools_in is not None:
        tools = [t for t in result.tools if t in config.tools_in]
        if not tools:
            return Outcome(False, f"no commit made with {', '.join(config.tools_in)}")
        reasons.append(f"made with {', '.join(tools)}")
    if config.ai_fraction is not None:
        fraction = change.ai_fraction
        if fraction is None:
            return unknown("the AI share of added lines is unknown (binary files or missing blobs)")
        if not config.ai_fraction.holds(fraction):
            return Outcome(
                False, f"AI share of added lines {fraction:.2f} is not {config.ai_fraction}"
            )
        reasons.append(f"AI share of added lines {fraction:.2f} {config.ai_fraction}")
    tools_note = f" ({', '.join(result.tools)})" if result.tools and config.tools_in is None else ""
    return Outcome(True, "; ".join(reasons) + tools_note)


# --- modified_lines ------------------------------------------------------------------------------


class ModifiedLines(Strict):
    additions: Comparison | None = None
    deletions: Comparison | None = None
    total: Comparison | None = None

    _comparison = field_validator("additions", "deletions", "total", mode="before")(
        classmethod(lambda cls, value, info: optional_comparison(value, info.field_name))
    )

    @model_validator(mode="after")
    def _something(self) -> ModifiedLines:
        if self.additions is None and self.deletions is None and self.total is None:
            raise ValueError("needs additions, deletions or total")
        return self


@register("modified_lines", ModifiedLines)
def modified_lines(config: ModifiedLines, change: Change, roster: Roster) -> Outcome:
    """True when any of the given comparisons holds (policy-bot's semantics)."""
    if change.additions is None or change.deletions is None:
        return unknown("the line counts are unknown (blobs missing from this clone)")
    values = {
        "additions": change.additions,
        "deletions": change.deletions,
        "total": change.additions + change.deletions,
    }
    for name in ("additions", "deletions", "total"):
        comparison = getattr(config, name)
        if comparison is not None and comparison.holds(values[name]):
            return Outcome(True, f"{name} {values[name]} {comparison}")
    shown = ", ".join(f"{k} {v}" for k, v in values.items())
    return Outcome(False, f"{shown}: no limit exceeded")


# --- authors_in ----------------------------------------------------------------------------------


class AuthorsIn(Strict):
    people: list[str] = []
    roles: list[str] = []
    teams: list[str] = []
    any: list[str] = []  # names matched against people, roles and teams alike


@register("authors_in", AuthorsIn, accepts_list=True)
def authors_in(config: AuthorsIn, change: Change, roster: Roster) -> Outcome:
    """An author the roster does not know could be anyone, one of the listed included: the
    answer is then unknown unless a known author already matched."""
    strangers = []
    for email in sorted(change.author_emails):
        person = roster.by_email(email)
        if person is None:
            strangers.append(email)
            continue
        names = {person.id, *person.roles, *person.teams}
        if (
            person.id in config.people
            or names & set(config.any)
            or set(person.roles) & set(config.roles)
            or set(person.teams) & set(config.teams)
        ):
            return Outcome(True, f"authored by {person.id}")
    if strangers:
        more = f" and {len(strangers) - 1} more" if len(strangers) > 1 else ""
        return unknown(f"author {strangers[0]}{more} is not in the roster")
    return Outcome(False, "no author in the listed people, roles or teams")


# --- targets_branch ------------------------------------------------------------------------------


class TargetsBranch(Strict):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regular expression {value!r}: {exc}") from exc
        return value


@register("targets_branch", TargetsBranch)
def targets_branch(config: TargetsBranch, change: Change, roster: Roster) -> Outcome:
    branch = change.target_branch
    if branch is None:
        return unknown("the change's target branch is unknown (give --target)")
    short = branch.removeprefix("refs/heads/").removeprefix("origin/")
    if re.search(config.pattern, short):
        return Outcome(True, f"targets {short}")
    return Outcome(False, f"targets {short}")


# --- reach ---------------------------------------------------------------------------------------


class ReachCondition(Strict):
    max_tier: Comparison | None = None
    components_in: list[str] | None = None
    dependents: Comparison | None = None
    owners_in: list[str] | None = None
    stateful_deletes: Comparison | None = None

    _comparison = field_validator("max_tier", "dependents", "stateful_deletes", mode="before")(
        classmethod(lambda cls, value, info: optional_comparison(value, info.field_name))
    )

    @model_validator(mode="after")
    def _something(self) -> ReachCondition:
        if all(
            getattr(self, name) is None
            for name in ("max_tier", "components_in", "dependents", "owners_in", "stateful_deletes")
        ):
            raise ValueError(
                "needs max_tier, components_in, dependents, owners_in or stateful_deletes"
            )
        return self


def _names_match(ref: str, wanted: list[str]) -> bool:
    name = ref.rsplit("/", 1)[-1]
    return any(w.lower() in (ref, name) for w in wanted)


@register("reach", ReachCondition)
def reach(config: ReachCondition, change: Change, roster: Roster) -> Outcome:
    """Every given condition must hold. Reach is unknown without a catalog; a changed file
    that no component claims has an unknown tier, and one nobody owns unknown owners; a
    listed component the catalog does not define, or stateful deletes without a plan,
    cannot be judged either."""
    found = change.facts.get("reach")
    if found is None:
        return unknown("reach is unknown (it was not read for this change)")
    if not found.catalog_refs and not found.owners and config.stateful_deletes is None:
        return unknown("reach is unknown: the repository has no catalog or CODEOWNERS")
    parts = []
    if config.max_tier is not None:
        parts.append(_max_tier(config.max_tier, found))
    if config.components_in is not None:
        parts.append(_components_in(config.components_in, found))
    if config.dependents is not None:
        if not found.catalog_refs:
            parts.append(unknown("dependents are unknown: the repository has no catalog"))
        else:
            count = len(found.dependents)
            parts.append(Outcome(config.dependents.holds(count), f"{count} dependents"))
    if config.owners_in is not None:
        owners = [o for o in found.owners if o in config.owners_in]
        if owners:
            parts.append(Outcome(True, f"owned by {', '.join(owners)}"))
        elif found.ownerless_files:
            parts.append(unknown(f"{_files(found.ownerless_files)} no owner is known"))
        else:
            parts.append(Outcome(False, "none of the listed owners"))
    if config.stateful_deletes is not None:
        if found.iac is None:
            parts.append(unknown("stateful deletes are unknown: no Terraform plan (--plan)"))
        else:
            deletes = len(found.iac.stateful_deletes)
            parts.append(
                Outcome(config.stateful_deletes.holds(deletes), f"{deletes} stateful deletes")
            )
    return all_of(parts)


def _files(paths: tuple[str, ...]) -> str:
    more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
    return f"for {paths[0]}{more}"


def _max_tier(wanted: Comparison, found: Any) -> Outcome:
    tiers = [c.tier for c in found.components] + [d.tier for d in found.dependents]
    if any(wanted.holds(t) for t in tiers):
        return Outcome(True, f"reaches tier {min(tiers)}")
    if found.unowned_files:
        return unknown(
            f"{_files(found.unowned_files)} the tier is unknown (no component claims it)"
        )
    if not tiers:
        return unknown("the tier is unknown: no component is touched")
    return Outcome(False, f"most critical tier reached is {min(tiers)}")


def _components_in(wanted: list[str], found: Any) -> Outcome:
    hits = [c.ref for c in found.components if _names_match(c.ref, wanted)]
    if hits:
        return Outcome(True, f"touches {', '.join(hits)}")
    missing = [w for w in wanted if not any(_names_match(ref, [w]) for ref in found.catalog_refs)]
    if missing:
        return unknown(f"the catalog defines no component {missing[0]!r}")
    return Outcome(False, "touches none of the listed components")


class RiskCondition(Strict):
    probability: Comparison | None = None
    percentile: Comparison | None = None

    _comparison = field_validator("probability", "percentile", mode="before")(
        classmethod(lambda cls, value, info: optional_comparison(value, info.field_name))
    )

    @model_validator(mode="after")
    def _something(self) -> RiskCondition:
        if self.probability is None and self.percentile is None:
            raise ValueError("needs probability or percentile")
        return self


@register("risk", RiskCondition)
def risk(config: RiskCondition, change: Change, roster: Roster) -> Outcome:
    """The riskiest commit of the change decides. Without a training set the risk is
    unknown (rules that should wait for the first training say `on_unknown: skip`), and so
    is a merge commit's own edits, which no commit's metrics describe."""
    found = change.facts.get("risk")
    top = getattr(found, "max_probability", None)
    percentile = getattr(found, "max_percentile", None)
    if found is None:
        return unknown("risk is unknown (no training set: run `caution risk train`)")
    unscored: tuple[str, ...] = getattr(found, "unscored", ())
    parts = []
    if top is not None and percentile is not None:
        if config.probability is not None:
            holds = config.probability.holds(top)
            shown = f"risk probability {top:.2f}" + (f" {config.probability}" if holds else "")
            parts.append(Outcome(holds, shown))
        if config.percentile is not None:
            holds = config.percentile.holds(percentile)
            shown = f"risk percentile {percentile}" + (f" {config.percentile}" if holds else "")
            parts.append(Outcome(holds, shown))
        known = all_of(parts)
        if known.matched or not unscored:
            return known
    if unscored:
        return unknown(
            f"risk is unknown for merge commit {unscored[0][:10]}, whose own edits no "
            "commit's metrics describe"
        )
    return unknown("risk is unknown: the change has no commit to score")


# --- deploy --------------------------------------------------------------------------------------


class DeployCondition(Strict):
    frozen: bool


@register("deploy", DeployCondition)
def deploy(config: DeployCondition, change: Change, roster: Roster) -> Outcome:
    """`frozen: true` holds while a freeze window is in force, or an error budget is spent
    and the change is not exempt from it; `frozen: false` while neither. The freezes are the
    policy's `deploy:` section for every service, read at the time of the check. When they
    cannot be read (a missing or malformed SLO file), whether a freeze is in force is
    unknown: `caution check` puts the reason in `facts["deploy"]` as text."""
    status = change.facts.get("deploy")
    if isinstance(status, str):
        return unknown(f"the deploy freeze status is unknown: {status}")
    if not isinstance(status, FreezeStatus):
        return unknown("the deploy freeze status is unknown (it is read by `caution check`)")
    reasons = "; ".join(r.message for r in status.reasons())
    if status.holds:
        return Outcome(config.frozen, reasons)
    return Outcome(not config.frozen, reasons or "no deploy freeze in force")
