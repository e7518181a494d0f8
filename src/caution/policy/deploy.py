"""`caution deploy gate` as a use case: read the range's commits, the `deploy:` section of
the policy (from the branch the change merges into, as `caution check` does), the freezes
(`freezes.py`) and the canary's verdict; decide with the pure `rollout.gate`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from caution.git.log import read_commits
from caution.git.repo import default_branch, resolve
from caution.policy.config import load_config
from caution.policy.freezes import DeployError, deploy_files, status_for
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
    config_rev = _config_rev(repo, spec)
    config = load_config(repo, config_path, rev=config_rev)
    commits = list(read_commits(repo, spec))
    if not commits:
        raise DeployError(f"the range {spec} has no commits: nothing to deploy")
    changed = {p for c in commits for f in c.files for p in (f.path, f.old_path) if p}
    files = deploy_files(repo, config_path, config_rev, changed)
    status = status_for(config, files, service, commits, now)
    canary = read_canary_result(canary_path) if canary_path is not None else None
    decision = decide_gate(service, status, canary)
    deploy = config.deploy
    if not (deploy.freezes or deploy.budget or deploy.services):
        note = f"{config.source} has no deploy: section: no freeze or budget can hold this"
        decision = replace(decision, note=note)
    return decision


def _config_rev(repo: Path, spec: str) -> str | None:
    """Where the policy is read: the left side of a range (what is deployed now), else the
    default branch, as `caution check` reads it from the branch a change merges into."""
    for separator in ("...", ".."):
        if separator in spec:
            left = spec.split(separator, 1)[0] or "HEAD"
            sha = resolve(repo, left)
            if sha is None:
                raise DeployError(f"{left}: not a commit")
            return sha
    chosen = default_branch(repo)
    return resolve(repo, chosen) if chosen else None


__all__ = ["DeployError", "run_gate"]
