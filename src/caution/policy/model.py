"""A loaded policy: rules, groups, block rules, the roster; and the results of evaluating them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caution.policy.tree import Tree
from caution.reach.settings import ReachSettings
from caution.risk.settings import RiskSettings
from caution.rollout.deploy_settings import DeploySettings

APPROVED = "approved"
PENDING = "pending"
SKIPPED = "skipped"
BLOCKED = "blocked"
ERROR = "error"


@dataclass(frozen=True)
class Person:
    id: str
    emails: tuple[str, ...]
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    github: str | None = None  # forge logins, for reviews as approvals
    gitlab: str | None = None
    github_id: int | None = None  # the account's number: a login can be renamed and taken
    gitlab_id: int | None = None

    def has_email(self, email: str) -> bool:
        return email.lower() in (e.lower() for e in self.emails)


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...] = ()
    allowed_signers: str | None = None  # path, relative to the repository root
    signers_tree: Tree | None = None  # where allowed_signers is read from
    require_security_key: bool = False  # only signatures a hardware key made with a touch

    def by_email(self, email: str) -> Person | None:
        return next((p for p in self.people if p.has_email(email)), None)

    def by_id(self, person_id: str) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)

    def by_login(self, forge: str, login: str) -> Person | None:
        """The person with this login on `forge` (github, gitlab); logins ignore case."""
        wanted = login.lower()
        for person in self.people:
            known = person.github if forge == "github" else person.gitlab
            if known is not None and known.lower() == wanted:
                return person
        return None


@dataclass(frozen=True)
class Condition:
    predicate: str
    config: Any  # the predicate's validated configuration


@dataclass(frozen=True)
class Requires:
    count: int = 1
    people: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def admits(self, person: Person) -> bool:
        """Whether `person` is one of the approvers this rule asks for."""
        if not (self.people or self.roles or self.teams):
            return True
        return (
            person.id in self.people
            or any(role in person.roles for role in self.roles)
            or any(team in person.teams for team in self.teams)
        )

    def describe(self, count: int) -> str:
        who = []
        if self.people:
            who.append(
                f"{'person' if len(self.people) == 1 else 'people'} {', '.join(self.people)}"
            )
        if self.roles:
            who.append(f"role {', '.join(self.roles)}")
        if self.teams:
            who.append(f"team {', '.join(self.teams)}")
        noun = "approval" if count == 1 else "approvals"
        return f"{count} {noun}" + (f" from {' or '.join(who)}" if who else "")


@dataclass(frozen=True)
class Options:
    allow_author: bool = False
    invalidate_on_push: bool = True


APPLY = "apply"  # on_unknown: a condition that cannot be known is taken to hold
SKIP = "skip"  # on_unknown: the rule drops out, and the output still says what was unknown


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: tuple[Condition, ...] = ()
    requires: Requires = field(default_factory=lambda: Requires(count=0))
    options: Options = field(default_factory=Options)
    line: int | None = None
    on_unknown: str = APPLY
    sources: tuple[str, ...] = ("ssh", "forge")  # which approvals count for it


@dataclass(frozen=True)
class Group:
    op: str  # and | or
    children: tuple[Rule | Group, ...]
    line: int | None = None


@dataclass(frozen=True)
class BlockRule:
    name: str
    conditions: tuple[Condition, ...]
    message: str
    line: int | None = None
    on_unknown: str = APPLY


@dataclass(frozen=True)
class Policy:
    approval: Group
    block: tuple[BlockRule, ...] = ()


@dataclass(frozen=True)
class Config:
    """A loaded `.caution.yml`: where it came from, the roster and the policy."""

    source: str  # the file, or "built-in default policy"
    is_default: bool
    roster: Roster
    policy: Policy
    raw: dict[str, Any] = field(default_factory=dict)
    reach: ReachSettings = field(default_factory=ReachSettings)
    risk: RiskSettings = field(default_factory=RiskSettings)
    repository: str | None = None  # a stable name approvals are signed for
    location: str | None = None  # the policy file, relative to the repository (for SARIF)
    deploy: DeploySettings = field(default_factory=DeploySettings)
    trusted_human: tuple[str, ...] = ()  # record sources whose "human" claims count


@dataclass(frozen=True)
class Approval:
    """One signed approval, as verified for this change."""

    by: str  # roster person id, or the signer's principal when not in the roster
    commit: str
    valid: bool
    reason: str  # why it does or does not count
    person: Person | None = None
    fingerprint: str = ""  # the change it approves; empty: it counts for `commit` only
    email: str = ""
    target: str = ""
    source: str = "ssh"  # ssh (a signed note) | forge (a pull request review)


@dataclass(frozen=True)
class RuleResult:
    name: str
    status: str
    reason: str
    approvals: tuple[Approval, ...] = ()
    missing: str | None = None
    kind: str = "approval"  # approval | block | group
    line: int | None = None
    children: tuple[RuleResult, ...] = ()
    unknown: str | None = None  # what could not be known about its conditions


@dataclass(frozen=True)
class Decision:
    decision: str  # pass | pending | blocked
    rules: tuple[RuleResult, ...]
    summary: str
