"""The `guard:` section of `.caution.yml` (and the user's own guard.yml): its schema, how
two of them combine, and its validation at file:line. Shared by the guard, which reads it
from upstream, and by `caution check`, which refuses a policy whose guard section would not
load — a top-level module because both need it and neither may import the other."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from caution.globs import GlobError, compile_glob
from caution.yaml_source import SourceDoc, SourceError, validate_at


class AllowRule(BaseModel):
    """Let one rule pass for commands matching a pattern (a team that needs it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    rule: str
    pattern: str = Field(description="regular expression the whole command must match")
    reason: str = ""

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regular expression {value!r}: {exc}") from exc
        return value


class GuardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    mode: Literal["fail-closed", "fail-open"] = "fail-closed"
    protected_branches: list[str] = ["main", "master", "release/*", "production", "prod"]
    kube_contexts: list[str] = ["*prod*"]
    namespaces: list[str] = ["prod", "prod-*", "production", "kube-system"]
    cloud_profiles: list[str] = ["prod", "prod-*", "*-prod", "production"]
    protected_paths: list[str] = []
    allow: list[AllowRule] = []


PROTECTIONS = (
    "protected_branches",
    "kube_contexts",
    "namespaces",
    "cloud_profiles",
    "protected_paths",
)


def tightened(base: GuardSettings, extra: GuardSettings, *, allow: bool) -> GuardSettings:
    """`base` with what `extra` adds, never with less: the protections `extra` names are
    added to `base`'s; its allow rules only when `allow` (the user's own file); its mode
    only when it is fail-closed. Values `extra` leaves at their defaults add nothing."""
    given = extra.model_fields_set
    updates: dict[str, object] = {}
    for name in PROTECTIONS:
        if name in given:
            ours: list[str] = getattr(base, name)
            updates[name] = list(dict.fromkeys([*ours, *getattr(extra, name)]))
    if allow and extra.allow:
        updates["allow"] = [*base.allow, *extra.allow]
    if "mode" in given and extra.mode == "fail-closed":
        updates["mode"] = "fail-closed"
    return base.model_copy(update=updates) if updates else base


def validate_guard_section(doc: SourceDoc, at: tuple[str, ...], section: object) -> GuardSettings:
    """`section`, found at `at` of `doc`, as guard settings; SourceError at its line."""
    if section is not None and not isinstance(section, dict):
        raise SourceError(
            doc.file, doc.line_of(at), f"{'.'.join(at) or 'the file'} must be a mapping"
        )
    settings: GuardSettings = validate_at(doc, at, GuardSettings, section or {})
    for index, pattern in enumerate(settings.protected_paths):
        try:
            compile_glob(pattern)
        except GlobError as exc:
            raise doc.error((*at, "protected_paths", index), str(exc)) from exc
    return settings
