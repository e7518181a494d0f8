"""The `risk:` section of `.caution.yml`: what counts as a fix, and when a change is old
enough to be labelled."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Kamei's fix keywords (and a few of their forms), plus an issue reference only where the
# message says it closes or resolves it ("Closes-Bug: #123", "resolves PROJ-7"). A bare
# "#123" is not a fix: GitHub writes one into every squash merge and merge commit; and a
# bare "ABC-12" is as often "UTF-8" or "SHA-256" as an issue key.
DEFAULT_FIX_PATTERN = (
    r"(?i)\b(fix(e[sd]|ing)?|bug(s|fix(es)?)?|defects?|patch(es)?|crash(es)?|regression|hotfix)\b"
    r"|\b(close[sd]?|resolve[sd]?)(-bug)?:?\s*(#\d+|[a-z][a-z0-9]+-\d+)\b"
)


MAX_MATURITY_DAYS = 36_500  # a century: beyond it no change is ever old enough


class RiskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    fix_pattern: str = Field(
        default=DEFAULT_FIX_PATTERN,
        description="A Python regular expression: a commit message it matches is a fix",
    )
    maturity_days: float = Field(
        default=90,
        ge=0,
        le=MAX_MATURITY_DAYS,
        description="Changes younger than this are unlabelled, not clean",
    )

    @field_validator("fix_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value

    def fix_regex(self) -> re.Pattern[str]:
        return re.compile(self.fix_pattern)
