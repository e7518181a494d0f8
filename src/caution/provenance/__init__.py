"""Who or what wrote a change: levels, tools, evidence and line-level attribution."""

from caution.provenance.classify import ai_identity, classify_commit
from caution.provenance.markers import MarkerCatalog, default_catalog
from caution.provenance.model import (
    CommitProvenance,
    Evidence,
    Level,
    LineCounts,
    RangeProvenance,
    most_involved,
)
from caution.provenance.service import LineRecords, provenance_of_range

__all__ = [
    "CommitProvenance",
    "Evidence",
    "Level",
    "LineCounts",
    "LineRecords",
    "MarkerCatalog",
    "RangeProvenance",
    "ai_identity",
    "classify_commit",
    "default_catalog",
    "most_involved",
    "provenance_of_range",
]
