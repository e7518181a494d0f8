"""Benchmark: `caution check` on a 50-commit range with a 20-rule policy.

Target (issue #3): the whole command answers in <= 1 s on this machine. The
repository is built here: 50 commits on a branch (a mix of human, Claude
Code-assisted and agent commits over several services), a roster of five
people with SSH keys, a 20-rule policy using every predicate, and three signed
approvals on the head, so signature verification is part of the figure.

    python bench/check.py [--rounds 7]

Printed: the median wall time of the `caution check` process, of the same check
run in-process (no interpreter start-up), and of a bare `git log --numstat` of
the same range for reference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from caution.policy.check import run_check

PEOPLE = ("alice", "bob", "carol", "dave", "erin")
SERVICES = ("checkout", "payments", "catalog", "search", "shipping")


def _policy() -> str:
    rules = []
    for i, service in enumerate(SERVICES):
        rules.append(f"""    - name: ai-{service}-needs-a-senior
      if:
        provenance: {{level_in: [assisted, autonomous]}}
        changed_files: {{paths: ["services/{service}/**"], ignore: ["**/*.md"]}}
      requires: {{count: 1, roles: [senior]}}
    - name: large-{service}-change
      if:
        changed_files: {{paths: ["services/{service}/**"]}}
        modified_lines: {{total: "> {200 + i * 50}"}}
      requires: {{count: 2}}""")
    rules.append("""    - or:
        - {name: two-reviewers, requires: {count: 2}}
        - {name: owner, requires: {count: 1, teams: [core]}}
    - name: claude-heavy
      if: {provenance: {tools_in: [claude-code], ai_fraction: "> 0.5"}}
      requires: {count: 1}
    - name: release-branch
      if: {targets_branch: {pattern: "^release/"}}
      requires: {count: 2, roles: [senior]}
    - name: docs-only
      if: {only_changed_files: {paths: ["docs/**", "**/*.md"]}}
    - name: juniors-need-review
      if: {authors_in: [juniors]}
      requires: {count: 1}
    - name: catch-all""")
    people = "\n".join(
        f"    {p}: {{emails: [{p}@shop.example], roles: [{'senior' if i < 2 else 'engineer'}], "
        f"teams: [core{', juniors' if i == 4 else ''}]}}"
        for i, p in enumerate(PEOPLE)
    )
    blocks = """  block:
    - name: agents-do-not-touch-ci
      if:
        provenance: {level_in: [autonomous]}
        changed_files: {paths: [".github/workflows/**"]}
    - name: no-secrets
      if: {changed_files: {paths: ["**/*.pem", "**/.env"]}}
    - name: no-vendored-ai
      if:
        provenance: {tools_in: [devin]}
        changed_files: {paths: ["vendor/**"]}"""
    text = (
        f"version: 1\nroster:\n  allowed_signers: .caution/allowed_signers\n  people:\n"
        f"{people}\npolicy:\n  approval:\n" + "\n".join(rules) + "\n" + blocks + "\n"
    )
    return text


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout.strip()


def build(root: Path) -> Path:
    keys = root / "keys"
    keys.mkdir()
    allowed = ""
    for person in PEOPLE:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / person)], check=True
        )
        kind, blob = (keys / f"{person}.pub").read_text().split()[:2]
        allowed += f'{person}@shop.example namespaces="caution-approval" {kind} {blob}\n'
    repo = root / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "--initial-branch=main")
    (repo / ".caution").mkdir()
    (repo / ".caution" / "allowed_signers").write_text(allowed)
    (repo / ".caution.yml").write_text(_policy())
    for service in SERVICES:
        (repo / "services" / service).mkdir(parents=True)
        (repo / "services" / service / "app.py").write_text("x = 1\n")
    _git(repo, "add", "-A")
    ident = {
        "GIT_AUTHOR_NAME": "Dave",
        "GIT_AUTHOR_EMAIL": "dave@shop.example",
        "GIT_COMMITTER_NAME": "Dave",
        "GIT_COMMITTER_EMAIL": "dave@shop.example",
    }
    _git(repo, "commit", "-q", "-m", "base", env=ident)
    _git(repo, "checkout", "-q", "-b", "feature")
    for i in range(50):
        service = SERVICES[i % len(SERVICES)]
        path = repo / "services" / service / f"module{i}.py"
        path.write_text("".join(f"line {k}\n" for k in range(5 + i)))
        _git(repo, "add", "-A")
        message = f"Change {i}"
        if i % 3 == 0:
            message += "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
        who = (
            ident
            if i % 7
            else {
                **ident,
                "GIT_AUTHOR_NAME": "Copilot",
                "GIT_AUTHOR_EMAIL": "198982749+Copilot@users.noreply.github.com",
            }
        )
        _git(repo, "commit", "-q", "-m", message, env=who)
    for person in ("alice", "bob", "carol"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "caution",
                "approve",
                "HEAD",
                "--key",
                str(keys / person),
                "--signer",
                f"{person}@shop.example",
            ],
            cwd=repo,
            check=True,
            capture_output=True,
        )
    return repo


def _time(fn: object, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp))
        command = [sys.executable, "-m", "caution", "check", "main..feature", "--format", "json"]
        probe = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        decision = probe.stdout.split('"decision": "', 1)[-1].split('"', 1)[0]
        rules = probe.stdout.count('"status":')
        cli = _time(
            lambda: subprocess.run(command, cwd=repo, capture_output=True, check=False), args.rounds
        )
        inproc = _time(lambda: run_check(repo, "main..feature"), args.rounds)
        git_log = _time(
            lambda: subprocess.run(
                ["git", "log", "--numstat", "main..feature"],
                cwd=repo,
                capture_output=True,
                check=True,
            ),
            args.rounds,
        )
        print(
            f"range: main..feature (50 commits), policy: 20 approval/block rules "
            f"({rules} results), 3 signed approvals; decision: {decision}"
        )
        print(
            f"caution check (process):   median {cli * 1000:.0f} ms over {args.rounds} rounds "
            f"(target <= 1000 ms) {'OK' if cli <= 1.0 else 'OVER TARGET'}"
        )
        print(f"run_check (in process):    median {inproc * 1000:.0f} ms")
        print(
            f"git log --numstat (same range, reference): median {git_log * 1000:.0f} ms; "
            f"ratio check/git log {cli / git_log:.1f}x"
        )


if __name__ == "__main__":
    main()
