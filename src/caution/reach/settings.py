"""The `reach:` section of `.caution.yml`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from caution.repo_path import normal_glob


class ReachSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog: list[str] = Field(
        default_factory=list,
        description="More catalog files or globs, beside every tracked catalog-info.yaml",
    )
    lifecycle_tiers: dict[str, int] = Field(default_factory=lambda: {"production": 1})
    default_tier: int = Field(default=3, ge=0)
    python_imports: bool = True

    @field_validator("catalog")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        return [normal_glob(p) for p in value]
