"""The `reach:` section of `.caution.yml`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from caution.reach.graph import MAX_TIER
from caution.repo_paths import normal_glob


class ReachSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    catalog: list[str] = Field(
        default_factory=list,
        description="More catalog files or globs, beside every tracked catalog-info.yaml",
    )
    lifecycle_tiers: dict[str, Annotated[int, Field(ge=0, le=MAX_TIER)]] = Field(
        default_factory=lambda: {"production": 1}
    )
    default_tier: int = Field(default=3, ge=0, le=MAX_TIER)
    python_imports: bool = True

    @field_validator("catalog")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        return [normal_glob(p) for p in value]
