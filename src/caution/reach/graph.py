"""From changed files to components, and from components to everything that depends
on them. Pure: a catalog, file lists and settings in; a Reach out.

A file belongs to the component whose path claim is the longest match:
`caution.dev/paths` globs, else a `backstage.io/source-location` inside this
repository, else the directory holding its catalog file. Dependents are the
reverse closure over `dependsOn`/`dependencyOf`, API consumption (provider →
API → consumer) and `subcomponentOf` (part → whole), breadth first, so each is
reported at its shortest distance with the path that reaches it; cycles end.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from caution.globs import Glob, GlobError, compile_glob
from caution.reach.catalog import Catalog, Entity
from caution.reach.model import Dependent, TouchedComponent
from caution.repo_paths import join_inside, repo_path_problem

PATHS_ANNOTATION = "caution.dev/paths"
TIER_ANNOTATION = "caution.dev/tier"
SOURCE_LOCATION = "backstage.io/source-location"
FILE_KINDS = ("component", "resource", "api")
MAX_TIER = 100  # tiers count from 0 (most critical); beyond this a tier is a typo


@dataclass(frozen=True)
class TierSettings:
    lifecycle_tiers: dict[str, int]
    default_tier: int = 3


DEFAULT_TIERS = TierSettings({"production": 1})


@dataclass(frozen=True)
class Claim:
    ref: str
    glob: Glob
    weight: int  # the length of the claim; the longest match wins


def _dir_glob(directory: str) -> Glob:
    directory = posixpath.normpath(directory).lstrip("/")
    return compile_glob("**" if directory in ("", ".") else f"{directory}/**")


def _source_dir(entity: Entity, repo_urls: Iterable[str]) -> tuple[str | None, str | None]:
    """The directory a `backstage.io/source-location` names inside this repository: (dir,
    None); (None, None) when it names somewhere else; (None, why) when it is malformed."""
    location = entity.annotations.get(SOURCE_LOCATION, "")
    kind, _, target = location.partition(":")
    if kind not in ("url", "dir") or not target:
        return None, None
    if target.startswith(("./", "../")) or target in (".", ".."):
        return join_inside(posixpath.dirname(entity.file), target)
    if kind == "dir":
        return None, repo_path_problem(target) or "must start with ./ or ../"
    for url in repo_urls:
        url = url.removesuffix(".git").rstrip("/")
        for marker in ("/tree/", "/blob/", "/-/tree/", "/src/"):
            prefix = f"{url}{marker}"
            if target.startswith(prefix):
                rest = target[len(prefix) :].split("/", 1)  # drop the branch name
                inner = rest[1].strip("/") if len(rest) > 1 else ""
                if not inner:
                    return "", None
                return join_inside("", inner)
        if target.rstrip("/") == url:
            return "", None
    return None, None


def _path_glob(pattern: str) -> Glob:
    """A `caution.dev/paths` glob; GlobError when it cannot match a path of the repository."""
    problem = repo_path_problem(pattern.lstrip("/") or ".")
    if problem is not None:
        raise GlobError(f"{pattern!r} {problem}")
    return compile_glob(pattern)


def claims(catalog: Catalog, repo_urls: Iterable[str] = ()) -> list[Claim]:
    """Every component's claim on paths in the repository."""
    urls = list(repo_urls)
    out: list[Claim] = []
    for entity in catalog.entities.values():
        if entity.kind not in FILE_KINDS:
            continue
        declared = entity.annotations.get(PATHS_ANNOTATION)
        if declared:
            for pattern in (p.strip() for p in declared.replace("\n", ",").split(",")):
                if not pattern:
                    continue
                try:
                    glob = _path_glob(pattern)
                except GlobError as exc:
                    catalog._warn(entity.file, entity.ref, f"{PATHS_ANNOTATION}: {exc}")
                    continue
                out.append(Claim(entity.ref, glob, len(pattern.rstrip("*/"))))
            continue
        source, problem = _source_dir(entity, urls)
        if problem is not None:
            shown = entity.annotations.get(SOURCE_LOCATION, "")[:80]
            catalog._warn(entity.file, entity.ref, f"{SOURCE_LOCATION} {shown!r} {problem}")
        if source is not None:
            out.append(Claim(entity.ref, _dir_glob(source), len(source)))
        elif entity.kind == "component":
            directory = posixpath.dirname(entity.file)
            out.append(Claim(entity.ref, _dir_glob(directory), len(directory)))
    return out


def owners_of_files(files: Iterable[str], all_claims: list[Claim]) -> dict[str, list[str]]:
    """component ref → the changed files it claims (longest claim wins; ties share)."""
    found: dict[str, list[str]] = {}
    for path in files:
        best = -1
        winners: list[str] = []
        for claim in all_claims:
            if claim.weight < best or not claim.glob.matches(path):
                continue
            if claim.weight > best:
                best, winners = claim.weight, []
            if claim.ref not in winners:
                winners.append(claim.ref)
        for ref in winners:
            found.setdefault(ref, []).append(path)
    return found


def tier_of(entity: Entity, catalog: Catalog, settings: TierSettings) -> int:
    for candidate in (entity, catalog.get(entity.system) if entity.system else None):
        if candidate is None:
            continue
        value = candidate.annotations.get(TIER_ANNOTATION)
        if value is not None:
            tier = _tier(value)
            if tier is not None:
                return tier
            catalog._warn(
                candidate.file,
                candidate.ref,
                f"{TIER_ANNOTATION} {value[:30]!r} is not a tier (a whole number from 0 to "
                f"{MAX_TIER})",
            )
    lifecycle = entity.lifecycle
    if lifecycle is not None and lifecycle in settings.lifecycle_tiers:
        return settings.lifecycle_tiers[lifecycle]
    return settings.default_tier


def _tier(text: str) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return None
    tier = int(text)
    return tier if tier <= MAX_TIER else None


def reverse_edges(catalog: Catalog) -> dict[str, list[str]]:
    """ref → the refs a change to it reaches in one step."""
    edges: dict[str, list[str]] = {}

    def add(source: str, target: str) -> None:
        if source != target and target not in edges.setdefault(source, []):
            edges[source].append(target)

    for entity in catalog.entities.values():
        for relation in entity.relations:
            if relation.type == "dependsOn":  # entity depends on target: target reaches entity
                add(relation.target, entity.ref)
            elif relation.type in ("dependencyOf", "providesApi"):
                add(
                    entity.ref, relation.target
                )  # a dependency reaches its dependent, a provider its API
            elif relation.type == "consumesApi":  # the API reaches its consumer
                add(relation.target, entity.ref)
            elif relation.type == "subcomponentOf":  # a part reaches the whole
                add(entity.ref, relation.target)
    return edges


def dependents(
    touched: Iterable[str],
    catalog: Catalog,
    settings: TierSettings,
    edges: dict[str, list[str]] | None = None,
) -> list[Dependent]:
    edges = edges if edges is not None else reverse_edges(catalog)
    start = list(dict.fromkeys(touched))
    seen = set(start)
    queue: deque[tuple[str, tuple[str, ...]]] = deque((ref, ()) for ref in start)
    found: list[Dependent] = []
    while queue:
        ref, path = queue.popleft()
        for target in edges.get(ref, ()):
            if target in seen:
                continue
            seen.add(target)
            via = (*path, ref)
            entity = catalog.get(target)
            tier = tier_of(entity, catalog, settings) if entity else settings.default_tier
            owner = entity.owner if entity else None
            found.append(Dependent(target, tier, len(via), via, owner))
            queue.append((target, via))
    return found


def touched_components(
    files_by_ref: dict[str, list[str]], catalog: Catalog, settings: TierSettings
) -> list[TouchedComponent]:
    out = []
    for ref, files in files_by_ref.items():
        entity = catalog.get(ref)
        if entity is None:
            continue
        out.append(
            TouchedComponent(
                ref, tier_of(entity, catalog, settings), entity.owner, tuple(sorted(files))
            )
        )
    return sorted(out, key=lambda c: (c.tier, c.ref))
