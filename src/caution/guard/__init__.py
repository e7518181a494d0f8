"""The agent guard: stop coding agents from destroying environments, data, history and secrets."""

from caution.guard.engine import Verdict, check_shell
from caution.guard.paths import Places
from caution.guard.rules import RuleSet, default_rules
from caution.guard.service import check_action, check_write, places_for

__all__ = [
    "Places",
    "RuleSet",
    "Verdict",
    "check_action",
    "check_shell",
    "check_write",
    "default_rules",
    "places_for",
]
