"""The deploy freezes in force for a change: the `deploy:` section of the policy, the SLO
files it names and their event counts, and the change's commits, turned into a
`FreezeStatus` by the pure `rollout.freeze`. Shared by `caution deploy gate` and the
`deploy` predicate of `caution check`.

Where each file comes from is a trust decision. The SLO files are configuration: read,
like the policy, as committed on the branch the change merges into, so a change cannot
lower its own objective. Event counts are data a monitoring export writes: read at the
same commit when they are committed there; otherwise from the work tree, but never when
the change itself adds or edits them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from caution import json_file
from caution.git.model import Commit
from caution.policy.model import Config
from caution.policy.tree import Tree, through_link
from caution.repo_paths import join_inside
from caution.rollout.burn import DAY
from caution.rollout.exempt import exempt_markers, unmarked_commits
from caution.rollout.freeze import FreezeStatus, SloBudget, freeze_status
from caution.rollout.samples import SampleError
from caution.rollout.slo import buckets_from_json, slo_budget, slos_from_doc
from caution.user_file import read_user_file
from caution.yaml_source import SourceError, parse_yaml


class DeployError(Exception):
    """The gate cannot judge as asked (unknown service, empty range)."""


@dataclass(frozen=True)
class DeployFiles:
    """Where the `deploy:` section's files are read: `tree` holds the configuration's own
    files (the target commit, or a folder for `--config FILE`); `runtime` is the folder
    uncommitted event exports may come from; `changed` the paths the change touches."""

    tree: Tree
    runtime: Path | None
    changed: frozenset[str] = frozenset()


def _read_config_file(files: DeployFiles, config: Config, where: str, path: str) -> bytes:
    data = files.tree.read(path)
    if data is None:
        line = config.deploy.line_of(where)
        place = f" as committed at {files.tree.rev[:10]}" if files.tree.rev else ""
        raise SourceError(config.source, line, f"deploy.{where}.slos: {path}: no such file{place}")
    return data


def _read_events(files: DeployFiles, path: str) -> bytes:
    data = files.tree.read(path)
    if data is not None:
        return data
    wanted = path.lower()
    touched = [
        p
        for p in files.changed
        if wanted == p.lower() or wanted.startswith(p.lower().rstrip("/") + "/")
    ]
    if touched:  # the file itself, or a folder (or link) on its way
        raise SampleError(
            f"{path}: the change itself adds or edits these SLO events ({touched[0]}), so "
            "they cannot be trusted; export them outside the change"
        )
    if files.runtime is None:
        raise SampleError(f"{path}: no such file")
    if through_link(files.runtime, path):
        raise SampleError(f"{path}: cannot read: a symbolic link on the way, not followed")
    try:  # the SLO file names it: a link is not followed, nor a FIFO or device read
        return read_user_file(files.runtime / path, follow_symlinks=False)
    except OSError as exc:
        raise SampleError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _joined(slos_path: str, events: str) -> str:
    joined, _ = join_inside(posixpath.dirname(slos_path), events)
    if joined is None:
        raise SampleError(f"{slos_path}: events {events!r} must be a path inside the repository")
    return joined


def status_for(
    config: Config,
    files: DeployFiles,
    service: str | None,
    commits: Sequence[Commit],
    now: float,
) -> FreezeStatus:
    """The freezes in force at `now` for `service` (None: any service) and whether
    `commits` are exempt."""
    settings = config.deploy
    if service is not None and settings.services and service not in settings.services:
        known = ", ".join(sorted(settings.services))
        raise DeployError(f"unknown service {service!r} (deploy.services has: {known})")
    plan = settings.plan(service)
    budgets = []
    for where, slos_path in plan.slos:
        text = _read_config_file(files, config, where, slos_path)
        try:
            doc = parse_yaml(text.decode("utf-8"), slos_path)
        except UnicodeDecodeError as exc:
            raise SourceError(slos_path, None, "not UTF-8 text") from exc
        for slo in slos_from_doc(doc):
            events = _joined(slos_path, slo.events)
            try:
                parsed = json_file.parse_json(_read_events(files, events), events)
            except json_file.JsonFileError as exc:
                raise SampleError(str(exc)) from exc
            buckets = buckets_from_json(parsed, events)
            budget = slo_budget(slo, buckets, now, plan.window_days * DAY)
            budgets.append(SloBudget(slo.name, slos_path, slo.objective, plan.window_days, budget))
    markers = exempt_markers(commits, settings.exempt.trailers)
    windows = [w.window() for w in plan.windows]
    return freeze_status(
        windows,
        budgets,
        markers,
        datetime.fromtimestamp(now, UTC),
        unmarked=unmarked_commits(commits, markers),
    )


def deploy_files(
    repo: Path, config_path: Path | None, rev: str | None, changed: Collection[str] = ()
) -> DeployFiles:
    """The configuration's files at `rev` (its own folder for `--config FILE`), with the
    work tree as the place uncommitted event exports come from."""
    if config_path is not None:
        folder = config_path.resolve().parent
        return DeployFiles(Tree(folder, None), folder, frozenset(changed))
    return DeployFiles(Tree(repo, rev), repo, frozenset(changed))


__all__ = ["DeployError", "DeployFiles", "deploy_files", "status_for"]
