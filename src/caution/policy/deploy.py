"""`caution deploy gate` as a use case: read the range's commits, the `deploy:` section of
the policy (from the branch the change merges into, as `caution check` does), the freezes
(`freezes.py`) and the canary's verdict; decide with the pure `rollout.gate`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from caution.git.log import read_commits
from caution.policy.check import resolve_change
from caution.policy.config import load_config
from caution.policy.freezes import DeployError, config_base, status_for
from caution.rollout.canary_file import read_canary_result
from caution.rollout.gate import GateDecision, decide_gate


def run_gate(
    repo: Path,
    service: str,
    spec: str,
    *,
    now: float,
    config_path: Path | None = None,
    canary_path: Path | None = None,
) -> GateDecision:
    where = resolve_change(repo, spec, None)
    config = load_config(repo, config_path, rev=where.config_rev)
    commits = list(read_commits(repo, where.spec))
    if not commits:
        raise DeployError(f"the range {spec} has no commits: nothing to deploy")
    status = status_for(config, config_base(repo, config_path), service, commits, now)
    canary = read_canary_result(canary_path) if canary_path is not None else None
    decision = decide_gate(service, status, canary)
    deploy = config.deploy
    if not (deploy.freezes or deploy.budget or deploy.services):
        note = f"{config.source} has no deploy: section: no freeze or budget can hold this"
        decision = replace(decision, note=note)
    return decision


__all__ = ["DeployError", "run_gate"]
