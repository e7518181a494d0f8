"""Reach: the blast radius of a change — components touched, their dependents, tiers, owners."""

from caution.reach.model import CodeReach, Dependent, IacReach, Reach, TouchedComponent
from caution.reach.service import ReachError, reach_of_files, reach_of_range
from caution.reach.settings import ReachSettings

__all__ = [
    "CodeReach",
    "Dependent",
    "IacReach",
    "Reach",
    "ReachError",
    "ReachSettings",
    "TouchedComponent",
    "reach_of_files",
    "reach_of_range",
]
