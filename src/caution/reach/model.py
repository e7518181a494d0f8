"""The reach of a change: what it touches, what depends on that, how critical, who owns it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TouchedComponent:
    ref: str
    tier: int
    owner: str | None
    files: tuple[str, ...]


@dataclass(frozen=True)
class Dependent:
    ref: str
    tier: int
    distance: int
    via: tuple[str, ...]  # the path from a touched component, ending just before this one
    owner: str | None = None


@dataclass(frozen=True)
class CodeReach:
    changed_modules: tuple[str, ...] = ()
    importers: tuple[str, ...] = ()
    problem: str | None = None  # why the importers are unknown


@dataclass(frozen=True)
class IacChange:
    address: str
    type: str
    action: str  # create | update | delete | replace
    stateful: bool


@dataclass(frozen=True)
class IacReach:
    changes: tuple[IacChange, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def stateful_deletes(self) -> tuple[str, ...]:
        return tuple(
            c.address for c in self.changes if c.stateful and c.action in ("delete", "replace")
        )


@dataclass(frozen=True)
class Reach:
    components: tuple[TouchedComponent, ...]
    dependents: tuple[Dependent, ...]
    owners: tuple[str, ...]
    code: CodeReach = field(default_factory=CodeReach)
    iac: IacReach | None = None
    unowned_files: tuple[str, ...] = ()  # changed files no component claims
    warnings: tuple[str, ...] = ()
    catalog_refs: tuple[str, ...] = ()  # every entity the catalog defines: none, no catalog
    ownerless_files: tuple[str, ...] = ()  # changed files with no owner anywhere

    @property
    def max_tier(self) -> int | None:
        """The most critical tier touched or reached (0 is the most critical)."""
        tiers = [c.tier for c in self.components] + [d.tier for d in self.dependents]
        return min(tiers) if tiers else None
