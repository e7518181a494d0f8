"""Policy: the roster, rules with `if`/`requires`/`options`, signed approvals and decisions."""

from caution.policy.check import CheckResult, run_check
from caution.policy.config import load_config
from caution.policy.evaluate import evaluate
from caution.policy.model import Approval, Config, Decision, Policy, Roster, RuleResult

__all__ = [
    "Approval",
    "CheckResult",
    "Config",
    "Decision",
    "Policy",
    "Roster",
    "RuleResult",
    "evaluate",
    "load_config",
    "run_check",
]
