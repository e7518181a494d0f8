"""The deploy freezes in force for a change: the `deploy:` section of the policy, the SLO
event files it names and the change's commits, turned into a `FreezeStatus` by the pure
`rollout.freeze`. Shared by `caution deploy gate` and the `deploy` predicate of
`caution check`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from caution.git.model import Commit
from caution.policy.model import Config
from caution.rollout.burn import DAY
from caution.rollout.exempt import exempt_markers, unmarked_commits
from caution.rollout.freeze import FreezeStatus, SloBudget, freeze_status
from caution.rollout.slo import slo_budgets
from caution.yaml_source import SourceError


class DeployError(Exception):
    """The gate cannot judge as asked (unknown service, empty range)."""


def status_for(
    config: Config, base: Path, service: str | None, commits: Sequence[Commit], now: float
) -> FreezeStatus:
    """The freezes in force at `now` for `service` (None: any service) and whether
    `commits` are exempt. SLO files are found relative to `base`, the configuration's
    directory."""
    settings = config.deploy
    if service is not None and settings.services and service not in settings.services:
        known = ", ".join(sorted(settings.services))
        raise DeployError(f"unknown service {service!r} (deploy.services has: {known})")
    plan = settings.plan(service)
    budgets = []
    for where, slos in plan.slos:
        path = base / slos
        if not path.exists() and not path.is_symlink():
            line = settings.line_of(where)
            raise SourceError(config.source, line, f"deploy.{where}.slos: {slos}: no such file")
        # the configuration names this file: a link in it is not followed
        for slo, budget in slo_budgets(path, now, plan.window_days * DAY, follow_symlinks=False):
            budgets.append(SloBudget(slo.name, slos, slo.objective, plan.window_days, budget))
    markers = exempt_markers(commits, settings.exempt.trailers)
    windows = [w.window() for w in plan.windows]
    return freeze_status(
        windows,
        budgets,
        markers,
        datetime.fromtimestamp(now, UTC),
        unmarked=unmarked_commits(commits, markers),
    )


def config_base(repo: Path, config_path: Path | None) -> Path:
    """Where paths in the configuration start: its own directory."""
    return config_path.resolve().parent if config_path is not None else repo
