"""The `guard:` section of `.caution.yml`."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
