"""The `guard:` section of .caution.yml as committed on the default branch: allow rules,
protected namespaces, profiles, branches and paths, fail-open mode, and errors at
file:line (named as `git show` takes them: `main:.caution.yml`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caution.cli import main
from tests.conftest import Repo

SETTINGS = """version: 1
guard:
  mode: fail-closed
  namespaces: [payments-*]
  cloud_profiles: [billing]
  protected_paths: ["migrations/**"]
  allow:
    - {rule: git.reset-hard, pattern: "git reset --hard origin/[^ ]+", reason: "sync to origin"}
"""


def check(capsys: pytest.CaptureFixture[str], repo: Repo, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["guard", "check", "--cwd", str(repo.path), "-f", "json", *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def configured(repo: Repo) -> Repo:
    repo.commit("settings", {".caution.yml": SETTINGS})
    return repo


@pytest.mark.parametrize(
    ("command", "decision", "rule"),
    [
        ("git reset --hard origin/main", "allow", None),  # allowed by the team
        ("git reset --hard HEAD~3", "deny", "git.reset-hard"),
        ("kubectl delete deploy web -n payments-eu", "deny", "k8s.delete-workload"),
        ("kubectl delete deploy web -n dev", "ask", "k8s.delete-workload"),
        ("AWS_PROFILE=billing aws s3 cp s3://a/b s3://a/c", "allow", None),
        ("helm uninstall web --namespace=payments-us", "deny", "helm.uninstall"),
        ("git push origin --delete main", "deny", "git.delete-remote-branch"),
        ("git push origin --delete feature/x", "ask", "git.delete-remote-branch"),
        ("echo x > migrations/001.sql", "deny", "files.protected-path"),
        ("echo SECRET=1 >> .env", "deny", "files.secrets"),
        ("echo 'mode: fail-open' | tee .caution.yml", "deny", "files.caution-policy"),
    ],
)
def test_settings_shape_decisions(
    configured: Repo,
    capsys: pytest.CaptureFixture[str],
    command: str,
    decision: str,
    rule: str | None,
) -> None:
    _, out, err = check(capsys, configured, "--command", command)
    verdict = json.loads(out)
    assert (verdict["decision"], verdict["rule"]) == (decision, rule), err


def test_protected_paths_for_file_actions(
    configured: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = check(capsys, configured, "--write", "migrations/002.sql")
    assert code == 1 and json.loads(out)["rule"] == "files.protected-path"


def test_a_broken_guard_section_is_an_error_at_its_line(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("settings", {".caution.yml": "version: 1\nguard:\n  mode: sometimes\n"})
    code, _, err = check(capsys, repo, "--command", "ls")
    assert code == 2
    assert err.startswith("caution: main:.caution.yml:3: guard.mode: Input should be")
    proc = subprocess.run(
        [sys.executable, "-m", "caution", "guard", "hook", "--agent", "claude-code"],
        input=json.dumps(
            {"cwd": str(repo.path), "tool_name": "Bash", "tool_input": {"command": "ls"}}
        ).encode(),
        capture_output=True,
        env={**os.environ, "CAUTION_GUARD_NO_DAEMON": "1"},
        cwd=repo.path,
        check=False,
    )
    assert proc.returncode == 2 and b"main:.caution.yml:3" in proc.stderr


def test_bad_allow_pattern(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    settings = "version: 1\nguard:\n  allow:\n    - {rule: x, pattern: '('}\n"
    repo.commit("settings", {".caution.yml": settings})
    code, _, err = check(capsys, repo, "--command", "ls")
    assert code == 2 and ".caution.yml:4" in err and "bad regular expression" in err


def test_policy_loader_accepts_the_guard_section(configured: Repo) -> None:
    from caution.policy.config import load_config

    assert not load_config(Path(configured.path)).is_default
