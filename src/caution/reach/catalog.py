"""The Backstage software catalog: entities, entity refs and their relations. Pure.

Entities come from `catalog-info.yaml` documents (`apiVersion: backstage.io/v1alpha1`).
A ref is `[kind:][namespace/]name`; a missing kind takes the default Backstage gives
the field (`spec.owner` → Group, `spec.system` → System, `spec.providesApis` → API, …)
and `dependsOn`/`dependencyOf` must name their kind. A missing namespace is the
referring entity's. Refs compare without case and print as `kind:namespace/name`.

Bad entities never stop the reading: each problem becomes a warning naming the
file and the entity, and the entity is kept when it is still usable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "component",
    "api",
    "resource",
    "system",
    "domain",
    "group",
    "user",
    "location",
    "template",
    "environment",
)
OWNED_KINDS = ("component", "api", "resource", "system", "domain")
# spec field → (default kind or None when a kind is required, relation name)
REF_FIELDS: dict[str, tuple[str | None, str]] = {
    "owner": ("group", "ownedBy"),
    "system": ("system", "partOf"),
    "domain": ("domain", "partOf"),
    "subcomponentOf": ("component", "subcomponentOf"),
    "subdomainOf": ("domain", "partOf"),
    "providesApis": ("api", "providesApi"),
    "consumesApis": ("api", "consumesApi"),
    "dependsOn": (None, "dependsOn"),
    "dependencyOf": (None, "dependencyOf"),
    "parent": ("group", "childOf"),
    "memberOf": ("group", "memberOf"),
}


@dataclass(frozen=True)
class CatalogWarning:
    file: str
    entity: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entity}" if self.entity else self.file
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Relation:
    type: str  # ownedBy, partOf, dependsOn, dependencyOf, providesApi, consumesApi, …
    target: str


@dataclass(frozen=True)
class Entity:
    ref: str
    kind: str
    namespace: str
    name: str
    file: str
    spec: dict[str, Any]
    annotations: dict[str, str]
    relations: tuple[Relation, ...]

    @property
    def owner(self) -> str | None:
        return next((r.target for r in self.relations if r.type == "ownedBy"), None)

    @property
    def system(self) -> str | None:
        if self.kind == "system":
            return None
        return next(
            (
                r.target
                for r in self.relations
                if r.type == "partOf" and r.target.startswith("system:")
            ),
            None,
        )

    @property
    def lifecycle(self) -> str | None:
        value = self.spec.get("lifecycle")
        return value if isinstance(value, str) else None


def parse_ref(text: str, default_kind: str | None, default_namespace: str) -> str | None:
    """`[kind:][namespace/]name` → `kind:namespace/name`; None when malformed or kindless."""
    text = text.strip()
    if not text:
        return None
    kind, sep, rest = text.partition(":")
    if not sep:
        kind, rest = "", text
    namespace, sep, name = rest.partition("/")
    if not sep:
        namespace, name = "", rest
    kind = (kind or default_kind or "").lower()
    namespace = (namespace or default_namespace).lower()
    name = name.lower()
    if not kind or not name or "/" in name or ":" in name:
        return None
    return f"{kind}:{namespace}/{name}"


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


@dataclass
class Catalog:
    entities: dict[str, Entity] = field(default_factory=dict)
    warnings: list[CatalogWarning] = field(default_factory=list)

    def get(self, ref: str) -> Entity | None:
        return self.entities.get(ref.lower())

    def add_documents(self, file: str, documents: Iterable[Any]) -> None:
        for index, document in enumerate(documents):
            self._add(file, index, document)

    def _warn(self, file: str, entity: str, problem: str) -> None:
        self.warnings.append(CatalogWarning(file, entity, problem))

    def _add(self, file: str, index: int, document: Any) -> None:
        if document is None:
            return
        label = f"document {index + 1}"
        if not isinstance(document, dict):
            self._warn(file, label, "not a mapping; skipped")
            return
        api_version = document.get("apiVersion")
        if not isinstance(api_version, str) or not api_version.startswith("backstage.io/"):
            self._warn(file, label, f"apiVersion {api_version!r} is not backstage.io/…; skipped")
            return
        kind = document.get("kind")
        metadata = document.get("metadata")
        if not isinstance(kind, str) or not isinstance(metadata, dict):
            self._warn(file, label, "needs kind and metadata; skipped")
            return
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            self._warn(file, label, "metadata.name is missing; skipped")
            return
        namespace_value = metadata.get("namespace", "default")
        namespace = namespace_value if isinstance(namespace_value, str) else "default"
        kind_l = kind.lower()
        ref = f"{kind_l}:{namespace.lower()}/{name.lower()}"
        if kind_l not in KINDS:
            self._warn(file, ref, f"unknown kind {kind!r}; skipped")
            return
        if ref in self.entities:
            first = self.entities[ref].file
            self._warn(file, ref, f"duplicate entity (first defined in {first}); this one ignored")
            return
        spec_value = document.get("spec", {})
        spec = spec_value if isinstance(spec_value, dict) else {}
        if not isinstance(spec_value, dict):
            self._warn(file, ref, "spec is not a mapping")
        raw_annotations = metadata.get("annotations") or {}
        annotations = (
            {str(k): str(v) for k, v in raw_annotations.items()}
            if isinstance(raw_annotations, dict)
            else {}
        )
        if kind_l in OWNED_KINDS and not spec.get("owner"):
            self._warn(file, ref, "spec.owner is missing")
        relations: list[Relation] = []
        for field_name, (default_kind, relation) in REF_FIELDS.items():
            values = _strings(spec.get(field_name))
            if values is None:
                self._warn(file, ref, f"spec.{field_name} must be a ref or a list of refs")
                continue
            for value in values:
                target = parse_ref(value, default_kind, namespace)
                if target is None:
                    need = (
                        " (dependsOn/dependencyOf refs must name a kind)"
                        if default_kind is None
                        else ""
                    )
                    self._warn(file, ref, f"bad ref {value!r} in spec.{field_name}{need}")
                    continue
                relations.append(Relation(relation, target))
        self.entities[ref] = Entity(
            ref, kind_l, namespace.lower(), name, file, spec, annotations, tuple(relations)
        )

    def check_refs(self) -> None:
        """Warn about relations to entities the catalog does not hold."""
        for entity in self.entities.values():
            for relation in entity.relations:
                if relation.target not in self.entities:
                    self._warn(
                        entity.file,
                        entity.ref,
                        f"{relation.type} {relation.target}: no such entity",
                    )
