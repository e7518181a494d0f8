"""The `guard:` section of `.caution.yml`."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AllowRule(BaseModel):
    """Let one rule pass for commands matching a pattern (a team that needs it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
    model_config = ConfigDict(extra="forbid", frozen=True)

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
