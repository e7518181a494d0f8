"""Loading `.caution.yml`: validated, with every error naming file, line and problem.

The rule tree (`and`/`or` groups, rules, block rules) is walked here so that
each problem is reported at its own line; leaf shapes are pydantic models.
A configuration that does not load fails closed: the CLI exits 2.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from caution.git.repo import default_branch, resolve
from caution.guard_settings import validate_guard_section
from caution.policy.model import (
    APPLY,
    SKIP,
    BlockRule,
    Condition,
    Config,
    Group,
    Options,
    Person,
    Policy,
    Requires,
    Roster,
    Rule,
)
from caution.policy.predicates import REGISTRY
from caution.policy.tree import Tree
from caution.reach.settings import ReachSettings
from caution.repo_paths import RepoPathError, normal_path
from caution.risk.settings import RiskSettings
from caution.rollout.deploy_settings import DeploySettings
from caution.yaml_source import (
    CONFIG_NAME,
    Path_,
    SourceDoc,
    SourceError,
    parse_yaml,
    read_yaml,
    validate_at,
)

DEFAULT_SOURCE = "built-in default policy"
TOP_LEVEL = (
    "version",
    "repository",
    "roster",
    "policy",
    "approvals",
    "provenance",
    "reach",
    "risk",
    "guard",
    "deploy",
)
SOURCES = ("ssh", "forge")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _PersonModel(_Strict):
    emails: list[str] = Field(min_length=1)
    roles: list[str] = []
    teams: list[str] = []
    name: str | None = None
    github: str | None = Field(default=None, min_length=1)
    gitlab: str | None = Field(default=None, min_length=1)
    github_id: int | None = Field(default=None, ge=1)
    gitlab_id: int | None = Field(default=None, ge=1)


class _RosterModel(_Strict):
    allowed_signers: str | None = None
    require_security_key: bool = False
    people: dict[str, _PersonModel] = {}


class _RequiresModel(_Strict):
    count: int = Field(default=1, ge=0, le=1000)  # more approvals than that is a typo
    people: list[str] = []
    roles: list[str] = []
    teams: list[str] = []


class _OptionsModel(_Strict):
    allow_author: bool = False
    invalidate_on_push: bool = True


def validate_section(doc: SourceDoc, path: Path_, model: type[BaseModel], value: Any) -> Any:
    """`value` validated by `model`; the first error raised at its file and line."""
    return _validate(doc, path, model, value)


_validate = validate_at


def _name(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def _conditions(doc: SourceDoc, path: Path_, value: Any) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise doc.error(path, f"{_name(path)}: expected a mapping of predicates")
    conditions = []
    for key, config in value.items():
        spec = REGISTRY.get(key)
        if spec is None:
            known = ", ".join(sorted(REGISTRY))
            raise doc.error((*path, key), f"unknown predicate {key!r} (known: {known})")
        if spec.accepts_list and isinstance(config, list):
            config = {"any": config}
        if config is None:
            config = {}
        validated = _validate(doc, (*path, key), spec.config, config)
        conditions.append(Condition(key, validated))
    return tuple(conditions)


def _expect_mapping(doc: SourceDoc, path: Path_, value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise doc.error(path, f"{what} must be a mapping")
    return value


HUMAN_CLAIM_SOURCES = ("git-ai", "agent-trace")


class _ProvenanceModel(_Strict):
    trust_human_claims_from: list[str] = []

    @field_validator("trust_human_claims_from")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        for source in value:
            if source not in HUMAN_CLAIM_SOURCES:
                known = ", ".join(HUMAN_CLAIM_SOURCES)
                raise ValueError(f"unknown source {source!r} (known: {known})")
        return value


class _ApprovalsModel(_Strict):
    sources: list[str] = list(SOURCES)

    @field_validator("sources")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"name at least one source ({', '.join(SOURCES)})")
        for source in value:
            if source not in SOURCES:
                raise ValueError(
                    f"unknown approval source {source!r} (known: {', '.join(SOURCES)})"
                )
        return value


def _sources(doc: SourceDoc, path: Path_, value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if not isinstance(value, dict):
        raise doc.error(path, "approvals must be a mapping, such as {sources: [ssh, forge]}")
    model: _ApprovalsModel = _validate(doc, path, _ApprovalsModel, value)
    return tuple(model.sources)


def _rule_or_group(
    doc: SourceDoc, path: Path_, value: Any, names: set[str], sources: tuple[str, ...] = SOURCES
) -> Rule | Group:
    entry = _expect_mapping(doc, path, value, "each approval entry")
    ops = [op for op in ("and", "or") if op in entry]
    if ops:
        if len(entry) != 1:
            extra = next((k for k in entry if k != ops[0]), ops[-1])
            raise doc.error((*path, extra), f"a group holds only '{ops[0]}', not {extra!r}")
        return _group(doc, (*path, ops[0]), ops[0], entry[ops[0]], names, sources)
    allowed = {"name", "if", "requires", "options", "description", "on_unknown", "approvals"}
    for key in entry:
        if key not in allowed:
            raise doc.error((*path, key), f"unknown key {key!r} in a rule")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise doc.error(path, "every rule needs a 'name'")
    if name in names:
        raise doc.error((*path, "name"), f"rule name {name!r} is used twice")
    names.add(name)
    for key in ("requires", "options"):
        if key in entry and not isinstance(entry[key], dict):
            raise doc.error((*path, key), f"{key} must be a mapping, such as {{count: 1}}")
    if "requires" in entry:
        requires = _validate(doc, (*path, "requires"), _RequiresModel, entry["requires"])
    else:
        requires = _RequiresModel(count=0)
    options = _validate(doc, (*path, "options"), _OptionsModel, entry.get("options") or {})
    return Rule(
        name=name,
        conditions=_conditions(doc, (*path, "if"), entry.get("if")),
        requires=Requires(
            count=requires.count,
            people=tuple(requires.people),
            roles=tuple(requires.roles),
            teams=tuple(requires.teams),
        ),
        options=Options(options.allow_author, options.invalidate_on_push),
        line=doc.line_of(path),
        on_unknown=_on_unknown(doc, path, entry),
        sources=_sources(doc, (*path, "approvals"), entry.get("approvals"), sources),
    )


def _on_unknown(doc: SourceDoc, path: Path_, entry: dict[str, Any]) -> str:
    value = entry.get("on_unknown", APPLY)
    if value not in (APPLY, SKIP):
        raise doc.error((*path, "on_unknown"), f"on_unknown must be {APPLY} or {SKIP}")
    return str(value)


def _group(
    doc: SourceDoc, path: Path_, op: str, value: Any, names: set[str], sources: tuple[str, ...]
) -> Group:
    if not isinstance(value, list) or not value:
        raise doc.error(path, f"'{op}' needs a list of rules")
    children = tuple(
        _rule_or_group(doc, (*path, i), item, names, sources) for i, item in enumerate(value)
    )
    return Group(op, children, doc.line_of(path))


def _block(doc: SourceDoc, path: Path_, value: Any, names: set[str]) -> BlockRule:
    entry = _expect_mapping(doc, path, value, "each block rule")
    for key in entry:
        if key not in {"name", "if", "message", "description", "on_unknown"}:
            raise doc.error((*path, key), f"unknown key {key!r} in a block rule")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise doc.error(path, "every block rule needs a 'name'")
    if name in names:
        raise doc.error((*path, "name"), f"rule name {name!r} is used twice")
    names.add(name)
    if not entry.get("if"):
        raise doc.error(path, f"block rule {name!r} needs an 'if' (a block without one blocks all)")
    message = entry.get("message", f"blocked by {name}")
    if not isinstance(message, str):
        raise doc.error((*path, "message"), "message must be text")
    return BlockRule(
        name,
        _conditions(doc, (*path, "if"), entry["if"]),
        message,
        doc.line_of(path),
        _on_unknown(doc, path, entry),
    )


def _roster(doc: SourceDoc, value: Any, tree: Tree | None) -> Roster:
    if value is not None and not isinstance(value, dict):
        raise doc.error(("roster",), "roster must be a mapping")
    model = _validate(doc, ("roster",), _RosterModel, value or {})
    signers = model.allowed_signers
    where = ("roster", "allowed_signers")
    if signers is not None:
        try:
            signers = normal_path(signers)
        except RepoPathError as exc:
            raise doc.error(where, f"allowed_signers: {exc}") from exc
    if signers is not None and tree is not None and tree.read(signers) is None:
        raise doc.error(where, f"allowed_signers file {signers} not found")
    people = tuple(
        Person(
            pid,
            tuple(p.emails),
            tuple(p.roles),
            tuple(p.teams),
            p.github,
            p.gitlab,
            p.github_id,
            p.gitlab_id,
        )
        for pid, p in model.people.items()
    )
    for forge in ("github", "gitlab"):
        seen: dict[str, str] = {}
        for person in people:
            login = getattr(person, forge)
            if login is not None and login.lower() in seen:
                raise doc.error(
                    ("roster", "people", person.id, forge),
                    f"{forge} login {login!r} is given to {seen[login.lower()]} already",
                )
            if login is not None:
                seen[login.lower()] = person.id
    return Roster(people, signers, tree, model.require_security_key)


def config_from_doc(doc: SourceDoc, tree: Tree | None, *, is_default: bool = False) -> Config:
    data = doc.data
    if data is None:
        raise doc.error((), "the file is empty")
    top = _expect_mapping(doc, (), data, "the configuration")
    for key in top:
        if key not in TOP_LEVEL:
            raise doc.error((key,), f"unknown key {key!r} (known: {', '.join(TOP_LEVEL)})")
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version != 1:
        raise doc.error(("version",), "version must be 1")
    repository = top.get("repository")
    if repository is not None and (not isinstance(repository, str) or not repository.strip()):
        raise doc.error(("repository",), "repository must be a name, such as shop/monorepo")
    roster = _roster(doc, top.get("roster"), tree)
    policy_data = _expect_mapping(doc, ("policy",), top.get("policy") or {}, "policy")
    for key in policy_data:
        if key not in ("approval", "block"):
            raise doc.error(("policy", key), f"unknown key {key!r} in policy (approval, block)")
    names: set[str] = set()
    approval_list = policy_data.get("approval") or []
    if not isinstance(approval_list, list):
        raise doc.error(("policy", "approval"), "approval must be a list of rules")
    sources = _sources(doc, ("approvals",), top.get("approvals"), SOURCES)
    approval = Group(
        "and",
        tuple(
            _rule_or_group(doc, ("policy", "approval", i), item, names, sources)
            for i, item in enumerate(approval_list)
        ),
        doc.line_of(("policy", "approval")),
    )
    block_list = policy_data.get("block") or []
    if not isinstance(block_list, list):
        raise doc.error(("policy", "block"), "block must be a list of rules")
    block = tuple(_block(doc, ("policy", "block", i), b, names) for i, b in enumerate(block_list))
    _check_person_refs(doc, roster, approval)
    _check_author_refs(doc, roster, [*_rules(approval), *block])
    reach = _validate(doc, ("reach",), ReachSettings, top.get("reach") or {})
    risk = _validate(doc, ("risk",), RiskSettings, top.get("risk") or {})
    if top.get("guard") is not None:  # caution guard reads it: it must load here too
        validate_guard_section(doc, ("guard",), top["guard"])
    return Config(
        doc.file,
        is_default,
        roster,
        Policy(approval, block),
        top,
        reach,
        risk,
        repository,
        deploy=_deploy(doc, top.get("deploy")),
        trusted_human=tuple(
            _validate(
                doc, ("provenance",), _ProvenanceModel, top.get("provenance") or {}
            ).trust_human_claims_from
        ),
    )


def _deploy(doc: SourceDoc, value: Any) -> DeploySettings:
    """The `deploy:` section, remembering where each SLO file is named so that a missing
    one is reported at its line when the gate reads it."""
    if value is not None and not isinstance(value, dict):
        raise doc.error(("deploy",), "deploy must be a mapping")
    settings: DeploySettings = _validate(doc, ("deploy",), DeploySettings, value or {})
    settings._lines["budget"] = doc.line_of(("deploy", "budget", "slos"))
    for name in settings.services:
        where = ("deploy", "services", name, "slos")
        settings._lines[f"services.{name}"] = doc.line_of(where)
    return settings


def _check_person_refs(doc: SourceDoc, roster: Roster, group: Group) -> None:
    """Rules may only ask for people the roster knows."""
    known = {p.id for p in roster.people}
    for child in group.children:
        if isinstance(child, Group):
            _check_person_refs(doc, roster, child)
        else:
            for person in child.requires.people:
                if person not in known:
                    raise SourceError(
                        doc.file, child.line, f"rule {child.name!r}: unknown person {person!r}"
                    )


def _rules(group: Group) -> list[Rule]:
    out: list[Rule] = []
    for child in group.children:
        out.extend(_rules(child) if isinstance(child, Group) else [child])
    return out


def _check_author_refs(doc: SourceDoc, roster: Roster, rules: list[Rule | BlockRule]) -> None:
    """`authors_in` may only name people, roles and teams the roster has: a name that
    matches nobody would make the condition quietly false for every change."""
    people = {p.id for p in roster.people}
    roles = {r for p in roster.people for r in p.roles}
    teams = {t for p in roster.people for t in p.teams}
    for rule in rules:
        for condition in rule.conditions:
            if condition.predicate != "authors_in":
                continue
            wanted = condition.config
            unknown = [
                *(f"person {n!r}" for n in wanted.people if n not in people),
                *(f"role {n!r}" for n in wanted.roles if n not in roles),
                *(f"team {n!r}" for n in wanted.teams if n not in teams),
                *(f"{n!r}" for n in wanted.any if n not in people | roles | teams),
            ]
            if unknown:
                raise SourceError(
                    doc.file,
                    rule.line,
                    f"rule {rule.name!r}: authors_in names {unknown[0]}, which nobody in the "
                    "roster is",
                )


def load_config(root: Path, explicit: Path | None = None, *, rev: str | None = None) -> Config:
    """`explicit`, else `.caution.yml` as committed at `rev` (the work tree's when `rev` is
    None), else the built-in default policy."""
    if explicit is not None:
        config = config_from_doc(read_yaml(explicit, str(explicit)), Tree(root, None))
        try:
            location = explicit.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            location = str(explicit)
        return replace(config, location=location)
    tree = Tree(root, rev)
    data = tree.read(CONFIG_NAME)
    if data is None:
        return default_config()
    where = f" (as committed at {rev[:10]})" if rev else ""
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(CONFIG_NAME, line, "not UTF-8 text") from exc
        config = config_from_doc(parse_yaml(text, CONFIG_NAME), tree)
    except SourceError as exc:
        raise SourceError(exc.file, exc.line, exc.problem + where) from exc
    return replace(config, location=CONFIG_NAME)


def default_config() -> Config:
    text = resources.files("caution.data").joinpath("default-policy.yml").read_text("utf-8")
    doc = parse_yaml(text, DEFAULT_SOURCE)
    return config_from_doc(doc, None, is_default=True)


def trusted_human_sources(root: Path) -> tuple[str, ...]:
    """The sources `.caution.yml` on the default branch trusts for claims of human lines
    (`provenance.trust_human_claims_from`); none without one. As committed, never the work
    tree's: a change must not be able to vouch for itself."""
    branch = default_branch(root)
    rev = resolve(root, branch) if branch else None
    if rev is None:
        return ()
    return load_config(root, rev=rev).trusted_human
