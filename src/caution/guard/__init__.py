"""The agent guard: stop coding agents from destroying environments, data, history and secrets.

Names are loaded on first use: `caution guard hook` imports `caution.guard.hook` on every
agent action and must not pay for the parser and the rules when a resident guard answers.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # not typing's: importing typing costs the guard hook ~8 ms
if TYPE_CHECKING:
    from typing import Any

_EXPORTS = {
    "Places": "caution.guard.paths",
    "RuleSet": "caution.guard.rules",
    "default_rules": "caution.guard.rules",
    "Verdict": "caution.guard.engine",
    "check_shell": "caution.guard.engine",
    "check_action": "caution.guard.service",
    "check_write": "caution.guard.service",
    "places_for": "caution.guard.service",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'caution.guard' has no attribute {name!r}")
    return getattr(import_module(module), name)
