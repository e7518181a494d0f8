"""A repository shaped like the security reproductions' (../shared/security/prelude.sh):
a roster of alice (a senior) and bob, a rule that needs a senior for services/checkout/**,
a catch-all, and a block on autonomous changes to .github/**. Real git, real ssh-keygen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Repo, cli

POLICY = """\
version: 1
roster:
  allowed_signers: .caution/allowed_signers
  people: {alice: {emails: [alice@x], roles: [senior]}, bob: {emails: [bob@x]}}
policy:
  approval:
    - {name: checkout, if: {changed_files: {paths: ["services/checkout/**"]}},
       requires: {count: 1, roles: [senior]}}
    - {name: catch-all}
  block:
    - {name: no-agent-ci, message: "no agents on CI",
       if: {provenance: {level_in: [autonomous]}, changed_files: {paths: [".github/**"]}}}
"""
ALICE = ("Alice", "alice@x")
BOB = ("Bob", "bob@x")
COPILOT = ("Copilot", "198982749+Copilot@users.noreply.github.com")


def keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


def signers(keys: dict[str, Path], names: tuple[str, ...] = ("alice", "bob")) -> str:
    lines = []
    for name in names:
        kind, blob = keys[name].with_suffix(".pub").read_text().split()[:2]
        lines.append(f"{name}@x {kind} {blob}\n")
    return "".join(lines)


def make(repo: Repo, keys: dict[str, Path], policy: str = POLICY) -> Repo:
    repo.commit(
        "init",
        {
            ".caution.yml": policy,
            ".caution/allowed_signers": signers(keys),
            "services/checkout/app.py": "1\n",
            ".github/workflows/ci.yml": "on: push\n",
        },
        author=ALICE,
    )
    return repo


def check(
    capsys: pytest.CaptureFixture[str], repo: Repo, *args: str
) -> tuple[int, dict[str, object], str]:
    code, out, err = cli(capsys, "-C", str(repo.path), "check", *args, "-f", "json")
    return code, (json.loads(out) if out.strip() else {}), err


def rule(report: dict[str, object], name: str) -> dict[str, object]:
    rules = report["rules"]
    assert isinstance(rules, list)
    return next(r for r in rules if r["name"] == name)


def approve(
    capsys: pytest.CaptureFixture[str],
    repo: Repo,
    key: Path,
    signer: str,
    rev: str = "HEAD",
    *extra: str,
) -> tuple[int, str]:
    code, out, err = cli(
        capsys, "-C", str(repo.path), "approve", rev, "--key", str(key), "--signer", signer, *extra
    )
    return code, out + err


def forge_approval(repo: Repo, key: Path, email: str, head: str, target: str = "main") -> None:
    """Sign and record an approval statement by hand, as an attacker's script would."""
    from datetime import UTC, datetime

    from caution.git.notes import append_note
    from caution.git.repo import first_parent_root
    from caution.policy.resolve import change_fingerprint, resolve_change
    from caution.policy.ssh import sign
    from caution.policy.statement import NOTES_REF, Statement, entry_line

    change = resolve_change(repo.path, head, target, may_fetch=False, env={})
    statement = Statement(
        first_parent_root(repo.path, target) or "",
        head,
        target,
        change_fingerprint(repo.path, change) or "",
        email,
        datetime.now(UTC).replace(microsecond=0).isoformat(),
    )
    signature = sign(statement.text().encode(), key)
    append_note(repo.path, NOTES_REF, head, entry_line(statement, signature), (email, email))
