"""Which changes may deploy through an error-budget freeze: those whose every commit carries
a configured trailer (`Priority: P0`, `Change-Type: security`); merge commits, which bring
the others in, need none of their own. Keys and values are compared without regard to case
or surrounding space, as people type them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from caution.git.model import Commit
from caution.rollout.freeze import ExemptMarker


def exempt_markers(
    commits: Iterable[Commit], trailers: Mapping[str, Sequence[str]]
) -> tuple[ExemptMarker, ...]:
    """Every (commit, trailer) of `commits` that `trailers` ({key: [values]}) names."""
    wanted = {
        key.strip().lower(): {v.strip().lower() for v in values} for key, values in trailers.items()
    }
    found = []
    for commit in commits:
        for trailer in commit.trailers:
            values = wanted.get(trailer.key.strip().lower())
            if values is not None and trailer.value.strip().lower() in values:
                found.append(ExemptMarker(commit.sha, trailer.key, trailer.value))
    return tuple(found)


def unmarked_commits(commits: Iterable[Commit], markers: Iterable[ExemptMarker]) -> tuple[str, ...]:
    """The commits (not merges) of `commits` that carry none of `markers`."""
    marked = {m.commit for m in markers}
    return tuple(c.sha for c in commits if not c.is_merge and c.sha not in marked)
