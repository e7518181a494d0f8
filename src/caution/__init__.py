"""caution: change safety for the era of AI-written code.

The public library surface re-exports the capabilities' typed names lazily, so that
`from caution import read_commits` works and `import caution` stays cheap for the
latency-sensitive guard hook.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # not typing's: importing typing costs the guard hook ~8 ms
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Commit": "caution.git",
    "FileChange": "caution.git",
    "GitError": "caution.git",
    "Person": "caution.git",
    "Trailers": "caution.git",
    "read_commits": "caution.git",
    "CommitProvenance": "caution.provenance",
    "Level": "caution.provenance",
    "RangeProvenance": "caution.provenance",
    "provenance_of_range": "caution.provenance",
    "run_check": "caution.policy",
    "reach_of_range": "caution.reach",
    "check_action": "caution.guard",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'caution' has no attribute {name!r}")
    return getattr(import_module(module), name)
