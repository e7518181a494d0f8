"""The GitLab CI template (`ci/gitlab/caution.gitlab-ci.yml`), run without GitLab: the
job's `script:` lines execute in one shell, as the runner runs them, with the job's
`variables:` and a merge request pipeline's CI_* variables, against a local bare
repository as `origin` and a loopback HTTP server that answers the merge request
approvals endpoint with GitLab's documented payload.

Not run here: the job's image (`python:3.12`: the test's own Python is on PATH). The
install line runs pip for real, in dry-run mode without dependencies, on this tree's
wheel (see test_github_action.py for why a wheel).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Repo
from tests.fake_api import Answer, FakeApi, serve
from tests.integration import ALICE, CAROL, CLAUDE, bare, clone, run, shop_files

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = yaml.safe_load((ROOT / "ci" / "gitlab" / "caution.gitlab-ci.yml").read_text())
APPROVALS = json.loads(
    (
        Path(__file__).resolve().parents[1] / "data" / "gitlab" / "merge-request-approvals.json"
    ).read_text()
)
TOKEN = "glpat-test-0123"
PROJECT, IID = "1", "5"
APPROVALS_PATH = f"/api/v4/projects/{PROJECT}/merge_requests/{IID}/approvals"


@pytest.fixture
def merge_request(tmp_path: Path, keys: dict[str, Path]) -> tuple[Path, str]:
    """origin: main with the policy and GitLab's refs/merge-requests/5/head for an
    AI-assisted change by carol."""
    origin = bare(tmp_path / "origin.git")
    dev = clone(origin, tmp_path / "dev")
    dev.commit("shop", shop_files(keys), author=ALICE)
    dev.git("checkout", "-q", "-b", "coupons")
    head = dev.commit("Add coupons" + CLAUDE, {"services/checkout/c.py": "c\n"}, author=CAROL)
    run(
        [
            "git",
            "push",
            "-q",
            "origin",
            "main",
            "coupons",
            f"{head}:refs/merge-requests/{IID}/head",
        ],
        dev.path,
        check=True,
    )
    return origin, head


def checkout(origin: Path, head: str, workspace: Path) -> Repo:
    """What the runner does for a merge request pipeline with GIT_DEPTH 0: the merge
    request's head, detached, without the target branch."""
    ws = Repo.init(workspace)
    ws.git("remote", "add", "origin", origin.as_uri())
    ws.git("fetch", "-q", "--no-tags", "origin",
           f"+refs/merge-requests/{IID}/head:refs/merge-requests/{IID}/head")  # fmt: skip
    ws.git("checkout", "-q", "--detach", head)
    return ws


def run_job(
    origin: Path, head: str, tmp_path: Path, api: FakeApi, wheel: Path, **variables: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    job: dict[str, Any] = TEMPLATE["caution"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    workspace = checkout(origin, head, tmp_path / "workspace")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **{k: str(v) for k, v in job["variables"].items()},
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_API_V4_URL": f"{api.url}/api/v4",
        "CI_PROJECT_ID": PROJECT,
        "CI_PROJECT_DIR": str(workspace.path),
        "CI_COMMIT_SHA": head,
        "CI_MERGE_REQUEST_IID": IID,
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "coupons",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_JOB_TOKEN": "job-token",
        "CAUTION_GITLAB_TOKEN": TOKEN,
        "CAUTION_PACKAGE": str(wheel),  # what the including project sets
        "PIP_DRY_RUN": "1",
        "PIP_NO_DEPS": "1",
        **variables,
    }
    script = "\n".join(job["script"])
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-c", script],
        cwd=workspace.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for artifact in job["artifacts"]["paths"]:
        assert (workspace.path / artifact).is_file(), f"{artifact} missing: {proc.stderr}"
    assert job["artifacts"]["when"] == "always"
    return proc, workspace.path


def test_the_template_passes_a_merge_request_its_reviewer_approved(
    merge_request: tuple[Path, str], tmp_path: Path, wheel: Path
) -> None:
    origin, head = merge_request
    with serve() as api:
        api.answer(APPROVALS_PATH, Answer(body=APPROVALS))  # approved by root: alice
        proc, workspace = run_job(origin, head, tmp_path, api, wheel)
    assert proc.returncode == 0, proc.stderr
    assert [s.path for s in api.seen] == [APPROVALS_PATH]
    assert api.seen[0].headers["private-token"] == TOKEN
    report = (workspace / "caution-report.md").read_text()
    assert report.startswith("### caution: ✅ pass")
    assert f"alice (forge review) on `{head[:10]}` counts" in report
    assert "fetched the target branch main from origin" in proc.stderr
    data = json.loads((workspace / "caution-report.json").read_text())
    assert data["decision"] == "pass"


def test_without_the_approval_the_job_fails_and_says_why(
    merge_request: tuple[Path, str], tmp_path: Path, wheel: Path
) -> None:
    origin, head = merge_request
    nobody = dict(APPROVALS, approved_by=[])
    with serve() as api:
        api.answer(APPROVALS_PATH, Answer(body=nobody))
        proc, workspace = run_job(origin, head, tmp_path, api, wheel)
        soft, _ = run_job(origin, head, tmp_path / "soft", api, wheel, CAUTION_ARGS="--warn-only")
    assert proc.returncode == 1
    assert (workspace / "caution-report.md").read_text().startswith("### caution: ⏳ pending")
    assert soft.returncode == 0
    assert "--warn-only: the change is pending" in soft.stderr


def test_approvals_that_cannot_be_read_are_none_and_a_warning(
    merge_request: tuple[Path, str], tmp_path: Path, wheel: Path
) -> None:
    origin, head = merge_request
    with serve() as api:
        api.answer(APPROVALS_PATH, Answer(403, {"message": "403 Forbidden"}))
        proc, workspace = run_job(origin, head, tmp_path, api, wheel)
        # no token of its own: the job token is tried
        token_less, _ = run_job(
            origin, head, tmp_path / "job-token", api, wheel, CAUTION_GITLAB_TOKEN=""
        )
    assert proc.returncode == 1
    report = (workspace / "caution-report.md").read_text()
    assert "could not read the gitlab reviews" in report and "HTTP 403" in report
    assert token_less.returncode == 1
    assert api.seen[-1].headers.get("job-token") == "job-token"
