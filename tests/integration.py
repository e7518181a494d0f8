"""Shared by the integration tests (server hook, pre-push, CI): SSH keys made with the real
ssh-keygen, a shop repository with a policy, and the caution executable as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Repo

CAUTION = str(Path(sys.executable).parent / "caution")

POLICY = """version: 1
roster:
  allowed_signers: .caution/allowed_signers
  people:
    alice: {emails: [alice@shop.example], roles: [senior], github: octocat, gitlab: root}
    bob:   {emails: [bob@shop.example]}
    carol: {emails: [carol@shop.example]}
policy:
  approval:
    - name: ai-changes-need-a-senior
      if:
        provenance: {level_in: [assisted, autonomous]}
      requires: {count: 1, roles: [senior]}
    - name: checkout-needs-a-senior
      if:
        changed_files: {paths: ["services/checkout/**"]}
      requires: {count: 1, roles: [senior]}
    - name: catch-all
  block:
    - name: agents-do-not-touch-ci
      if:
        provenance: {level_in: [autonomous]}
        changed_files: {paths: [".github/**"]}
      message: "Autonomous agents may not change CI"
"""
CAROL = ("Carol Coder", "carol@shop.example")
BOB = ("Bob Builder", "bob@shop.example")
ALICE = ("Alice Senior", "alice@shop.example")
CLAUDE = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
COPILOT = ("Copilot", "198982749+Copilot@users.noreply.github.com")


def keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True
    )
    return path


def signers_line(email: str, key: Path, namespaces: str = "caution-approval") -> str:
    public = key.with_suffix(".pub").read_text().split()
    options = f'namespaces="{namespaces}" ' if namespaces else ""
    return f"{email} {options}{public[0]} {public[1]}\n"


def shop_files(keys: dict[str, Path]) -> dict[str, str | bytes]:
    """The first commit of the shop: the policy, its signers file and some code."""
    signers = "".join(signers_line(f"{n}@shop.example", keys[n]) for n in ("alice", "bob", "carol"))
    return {
        ".caution.yml": POLICY,
        ".caution/allowed_signers": signers,
        "services/checkout/cart.py": "total = 0\n",
        ".github/workflows/ci.yml": "on: push\n",
        "README.md": "shop\n",
    }


def run(
    args: list[str],
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    input: bytes | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=input.decode() if input is not None else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def caution(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run([CAUTION, *args], cwd, env=env)


def bare(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path


def clone(origin: Path, path: Path) -> Repo:
    subprocess.run(["git", "clone", "-q", str(origin), str(path)], check=True, capture_output=True)
    return Repo(path)


def approve(
    repo: Repo, key: Path, email: str, rev: str = "HEAD", target: str = "origin/main"
) -> None:
    proc = caution(
        "approve", rev, "--target", target, "--key", str(key), "--signer", email, cwd=repo.path
    )
    assert proc.returncode == 0, proc.stderr
