"""Predicates a rule's `if` can use, registered by name.

A predicate is a pydantic model for its configuration and a pure function of
(configuration, change, roster) to an outcome with its reason. Later
capabilities register theirs (`reach`, `risk`) with `register` and the
evaluator never changes.
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
from caution.rollout.freeze import FreezeStatus

C = TypeVar("C", bound=BaseModel)


@dataclass(frozen=True)
class Outcome:
    matched: bool
    reason: str


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


def _globs(patterns: list[str]) -> list[Glob]:
    try:
        return [compile_glob(p) for p in patterns]
    except GlobError as exc:
        raise ValueError(str(exc)) from exc


# --- changed_files / only_changed_files ----------------------------------------------------------


class ChangedFiles(Strict):
    paths: list[str]
    ignore: list[str] = []
    _paths: list[Glob] = []
    _ignore: list[Glob] = []

    @field_validator("paths", "ignore")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
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
        object.__setattr__(self, "_paths", _globs(self.paths))
        object.__setattr__(self, "_ignore", _globs(self.ignore))
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
            reasons.append("AI share of lines unknown (treated as matching)")
        elif not config.ai_fraction.holds(fraction):
            return Outcome(
                False, f"AI share of added lines {fraction:.2f} is not {config.ai_fraction}"
            )
        else:
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
        return Outcome(True, "line counts unknown (blobs missing): treated as matching")
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
    for email in sorted(change.author_emails):
        person = roster.by_email(email)
        if person is None:
            continue
        names = {person.id, *person.roles, *person.teams}
        if (
            person.id in config.people
            or names & set(config.any)
            or set(person.roles) & set(config.roles)
            or set(person.teams) & set(config.teams)
        ):
            return Outcome(True, f"authored by {person.id}")
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
        raise ValueError("the change's target branch is unknown (give --target)")
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
    """Every given condition must hold. Without reach data (no catalog) nothing is reached."""
    found = change.facts.get("reach")
    if found is None:
        return Outcome(False, "reach unknown (no catalog or CODEOWNERS in this repository)")
    reasons = []
    if config.max_tier is not None:
        tier = found.max_tier
        if tier is None or not config.max_tier.holds(tier):
            return Outcome(False, f"most critical tier reached is {tier}")
        reasons.append(f"reaches tier {tier}")
    if config.components_in is not None:
        hits = [c.ref for c in found.components if _names_match(c.ref, config.components_in)]
        if not hits:
            return Outcome(False, "touches none of the listed components")
        reasons.append(f"touches {', '.join(hits)}")
    if config.dependents is not None:
        count = len(found.dependents)
        if not config.dependents.holds(count):
            return Outcome(False, f"{count} dependents")
        reasons.append(f"{count} dependents")
    if config.owners_in is not None:
        owners = [o for o in found.owners if o in config.owners_in]
        if not owners:
            return Outcome(False, "none of the listed owners")
        reasons.append(f"owned by {', '.join(owners)}")
    if config.stateful_deletes is not None:
        deletes = len(found.iac.stateful_deletes) if found.iac is not None else 0
        if not config.stateful_deletes.holds(deletes):
            return Outcome(False, f"{deletes} stateful deletes")
        reasons.append(f"{deletes} stateful deletes")
    return Outcome(True, "; ".join(reasons))


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
    unknown and the condition does not hold: say so, so a policy author can see it."""
    found = change.facts.get("risk")
    top = getattr(found, "max_probability", None)
    percentile = getattr(found, "max_percentile", None)
    if found is None or top is None or percentile is None:
        return Outcome(False, "risk unknown (no training set: run `caution risk train`)")
    reasons = []
    if config.probability is not None:
        if not config.probability.holds(top):
            return Outcome(False, f"risk probability {top:.2f}")
        reasons.append(f"risk probability {top:.2f} {config.probability}")
    if config.percentile is not None:
        if not config.percentile.holds(percentile):
            return Outcome(False, f"risk percentile {percentile}")
        reasons.append(f"risk percentile {percentile} {config.percentile}")
    return Outcome(True, "; ".join(reasons))


# --- deploy --------------------------------------------------------------------------------------


class DeployCondition(Strict):
    frozen: bool


@register("deploy", DeployCondition)
def deploy(config: DeployCondition, change: Change, roster: Roster) -> Outcome:
    """`frozen: true` holds while a freeze window is in force, or an error budget is spent
    and the change is not exempt from it; `frozen: false` while neither. The freezes are the
    policy's `deploy:` section for every service, read at the time of the check."""
    status = change.facts.get("deploy")
    if not isinstance(status, FreezeStatus):
        raise ValueError("the deploy freeze status is unknown (it is read by `caution check`)")
    reasons = "; ".join(r.message for r in status.reasons())
    if status.holds:
        return Outcome(config.frozen, reasons)
    return Outcome(not config.frozen, reasons or "no deploy freeze in force")
