"""The GitHub Action (`action.yml`), run without GitHub: its `run:` steps execute in order
as the runner would run them (bash, with each step's `env`, the job's GITHUB_* variables,
the workspace as the working directory), against a local bare repository as `origin` and
a loopback HTTP server that answers the pull request reviews endpoint with GitHub's
documented payload.

Not run here: the `uses:` steps, which need GitHub's runner — `actions/setup-python`
(the test's own Python is on PATH) and `github/codeql-action/upload-sarif` (the SARIF
file it would upload is checked instead). The install step runs pip for real, in
dry-run mode without dependencies, so that the test's environment stays as it is; it is
given the wheel of this very tree (built once, from the action's path, as the default
`package` would install it), because pip's dry-run setting would also reach the pip that
sets up an isolated build and leave it without its build backend.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Repo
from tests.fake_api import Answer, FakeApi, serve
from tests.integration import (
    ALICE,
    CAROL,
    CLAUDE,
    approve,
    bare,
    clone,
    run,
    shop_files,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
REVIEWS = json.loads((DATA / "github" / "pull-request-review-items.json").read_text())
EVENT = json.loads((DATA / "github" / "pull_request.opened.json").read_text())
TOKEN = "ghs_test_token_0123"
PR = 7
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class PullRequest:
    origin: Path
    head: str
    base: str
    merge: str


@pytest.fixture
def pull(tmp_path: Path, keys: dict[str, Path]) -> PullRequest:
    """origin: main with the policy; pull request #7 from `coupons`, an AI-assisted change
    to checkout by carol, with GitHub's refs/pull/7/head and its synthetic merge commit
    refs/pull/7/merge (main advanced since the branch was cut)."""
    origin = bare(tmp_path / "origin.git")
    dev = clone(origin, tmp_path / "dev")
    dev.commit("shop", shop_files(keys), author=ALICE)
    dev.git("checkout", "-q", "-b", "coupons")
    head = dev.commit("Add coupons" + CLAUDE, {"services/checkout/c.py": "c\n"}, author=CAROL)
    dev.git("checkout", "-q", "main")
    base = dev.commit("docs", {"README.md": "shop, documented\n"}, author=ALICE)
    dev.git("checkout", "-q", "--detach", "main")
    dev.git("merge", "-q", "--no-ff", "-m", f"Merge {head} into {base}", head)
    merge = dev.git("rev-parse", "HEAD")
    run(
        ["git", "push", "-q", "origin", "main", "coupons",
         f"{head}:refs/pull/{PR}/head", f"{merge}:refs/pull/{PR}/merge"],
        dev.path, check=True,
    )  # fmt: skip
    return PullRequest(origin, head, base, merge)


def checkout(pull: PullRequest, workspace: Path) -> Repo:
    """What actions/checkout does for a pull_request job: one commit deep, the merge."""
    ws = Repo.init(workspace)
    ws.git("remote", "add", "origin", pull.origin.as_uri())
    ws.git("fetch", "-q", "--no-tags", "--depth=1", "origin",
           f"+refs/pull/{PR}/merge:refs/remotes/pull/{PR}/merge")  # fmt: skip
    ws.git("checkout", "-q", "--detach", f"refs/remotes/pull/{PR}/merge")
    assert ws.git("rev-parse", "--is-shallow-repository") == "true"
    return ws


def event(pull: PullRequest) -> dict[str, Any]:
    data = json.loads(json.dumps(EVENT))
    data["number"] = PR
    pr = data["pull_request"]
    pr["number"] = PR
    pr["head"].update(sha=pull.head, ref="coupons")
    pr["base"].update(sha=pull.base, ref="main")
    return data


def evaluate(text: str, inputs: dict[str, str]) -> str:
    """The few expressions the action may use in a `run:` step's `env`: its inputs. Any
    other expression fails the test, so the action cannot grow untested ones."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        raise AssertionError(f"action.yml uses an expression this test cannot run: {expression}")

    return EXPRESSION.sub(one, text)


@dataclass
class Job:
    steps: list[tuple[str, int]]  # (step name, exit status) of the steps that ran
    skipped: list[str]
    stdout: str
    stderr: str
    summary: str
    outputs: str
    workspace: Path


def run_action(
    pull: PullRequest,
    tmp_path: Path,
    api: FakeApi,
    wheel: Path,
    with_: dict[str, str] | None = None,
    event_name: str = "pull_request",
    payload: dict[str, Any] | None = None,
) -> Job:
    workspace = checkout(pull, tmp_path / "workspace")
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(payload or event(pull)))
    summary, outputs = tmp_path / "summary.md", tmp_path / "output"
    summary.touch()
    outputs.touch()
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    assert defaults["package"] == ""  # by default: the action's own tree
    inputs = {**defaults, "token": TOKEN, "package": str(wheel), **(with_ or {})}
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_API_URL": api.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "coupons",
        "GITHUB_REF": f"refs/pull/{PR}/merge",
        "GITHUB_SHA": pull.merge,
        "GITHUB_WORKSPACE": str(workspace.path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_TEMP": str(tmp_path),
        # the install step: pip resolves caution's wheel but installs nothing here
        "PIP_DRY_RUN": "1",
        "PIP_NO_DEPS": "1",
    }
    assert ACTION["runs"]["using"] == "composite"
    ran: list[tuple[str, int]] = []
    skipped: list[str] = []
    stdout = stderr = ""
    for step in ACTION["runs"]["steps"]:
        name = step["name"]
        if "uses" in step:
            skipped.append(name)
            continue
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"{name}: expressions belong in env, not in run"
        assert "if" not in step, f"{name}: a run step's condition is not run by this test"
        step_env = {k: evaluate(str(v), inputs) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace.path,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            check=False,
        )
        ran.append((name, proc.returncode))
        stdout += proc.stdout
        stderr += proc.stderr
        if proc.returncode != 0:
            break  # a failed step ends a composite action's run
    return Job(
        ran, skipped, stdout, stderr, summary.read_text(), outputs.read_text(), workspace.path
    )


def reviews_for(head: str) -> list[dict[str, Any]]:
    """GitHub's documented example, for this pull request's head."""
    return [dict(REVIEWS[0], commit_id=head)]


def reviews_path() -> str:
    return f"/repos/octo/shop/pulls/{PR}/reviews?per_page=100"


def test_the_action_passes_a_change_its_reviewer_approved(
    pull: PullRequest, tmp_path: Path, wheel: Path
) -> None:
    with serve() as api:
        api.answer(reviews_path(), Answer(body=reviews_for(pull.head)))
        job = run_action(pull, tmp_path, api, wheel)
    assert job.steps == [
        ("Install caution", 0),
        ("Deepen the checkout", 0),
        ("caution check", 0),
    ], job.stderr
    assert job.skipped == ["Set up Python", "Upload SARIF"]
    # the reviews were asked for with the job's token, at the API the job names
    assert [s.path for s in api.seen] == [reviews_path()]
    assert api.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    # the job summary holds the Markdown report
    assert job.summary.startswith("### caution: ✅ pass")
    assert "| ai-changes-need-a-senior | ✅ approved |" in job.summary
    assert f"alice (forge review) on `{pull.head[:10]}` counts" in job.summary
    assert f"judging its head {pull.head[:10]}" in job.summary  # not the merge commit
    assert job.outputs == "decision=pass\n"
    sarif = json.loads((job.workspace / "caution.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"] == []


def test_an_approving_review_reruns_the_check_and_passes(
    pull: PullRequest, tmp_path: Path, wheel: Path
) -> None:
    """The README's workflow also runs on pull_request_review: the event GitHub sends when
    the review is submitted carries the review and the pull request."""
    opened = event(pull)
    review = reviews_for(pull.head)[0]
    payload = {
        "action": "submitted",
        "review": review,
        "pull_request": opened["pull_request"],
        "repository": opened["repository"],
        "sender": review["user"],
    }
    with serve() as api:
        api.answer(reviews_path(), Answer(body=[review]))
        job = run_action(
            pull, tmp_path, api, wheel, event_name="pull_request_review", payload=payload
        )
    assert job.steps[-1] == ("caution check", 0), job.stderr
    assert job.summary.startswith("### caution: ✅ pass")


def test_a_review_of_an_older_head_does_not_count(
    pull: PullRequest, tmp_path: Path, wheel: Path
) -> None:
    with serve() as api:
        api.answer(reviews_path(), Answer(body=REVIEWS))  # commit_id is not this head
        job = run_action(pull, tmp_path, api, wheel)
    assert job.steps[-1] == ("caution check", 1)  # the job fails
    assert job.summary.startswith("### caution: ⏳ pending")
    assert job.outputs == "decision=pending\n"
    sarif = json.loads((job.workspace / "caution.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == [
        "ai-changes-need-a-senior",
        "checkout-needs-a-senior",
    ]


@pytest.mark.parametrize(
    "answer",
    [
        Answer(502, {"message": "Server Error"}),
        Answer(200, b"<html>unicorn</html>"),
        Answer(200, {"message": "Not a list"}),
        Answer(200, [{"state": "APPROVED"}]),  # no user: a review of nobody
    ],
)
def test_reviews_that_cannot_be_read_are_no_approval_and_a_visible_warning(
    pull: PullRequest, tmp_path: Path, wheel: Path, answer: Answer
) -> None:
    with serve() as api:
        api.answer(reviews_path(), answer)
        job = run_action(pull, tmp_path, api, wheel)
        soft = run_action(pull, tmp_path / "soft", api, wheel, {"warn-only": "true"})
    assert job.steps[-1] == ("caution check", 1)
    assert job.summary.startswith("### caution: ⏳ pending")
    if answer.status != 200 or not isinstance(answer.body, list):
        assert "could not read the github reviews" in job.summary
        assert "::warning title=caution::could not read the github reviews" in job.stdout
    assert soft.steps[-1] == ("caution check", 0)  # warn-only: reported, not failed
    assert soft.outputs == "decision=pending\n"


def test_signed_approvals_travel_to_the_job_through_the_remote(
    pull: PullRequest, tmp_path: Path, keys: dict[str, Path], wheel: Path
) -> None:
    """The approvals step: a senior's signed approval, pushed to origin as a note, counts
    in the job even though the checkout had no notes and GitHub has no review."""
    senior = clone(pull.origin, tmp_path / "senior")
    senior.git("checkout", "-q", "coupons")
    approve(senior, keys["alice"], "alice@shop.example")
    run(["git", "push", "-q", "origin", "refs/notes/caution-approvals"], senior.path, check=True)
    with serve() as api:
        api.answer(reviews_path(), Answer(body=[]))
        job = run_action(pull, tmp_path, api, wheel)
    assert job.steps[-1] == ("caution check", 0), job.stderr
    assert job.summary.startswith("### caution: ✅ pass")
    assert f"alice on `{pull.head[:10]}` counts" in job.summary  # a signed note, no review


def test_the_readme_workflow_reruns_on_reviews() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```yaml\n# .github/workflows/caution.yml\n", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "pull_request_review"}
    steps = workflow["jobs"]["caution"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert any("caution" in step.get("uses", "") for step in steps[1:])
    assert workflow["permissions"]["pull-requests"] == "read"


def test_outside_a_github_job_the_command_says_so(pull: PullRequest, tmp_path: Path) -> None:
    workspace = checkout(pull, tmp_path / "workspace")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "caution"), "ci", "github"],
        cwd=workspace.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr == "caution: not a GitHub Actions job (GITHUB_ACTIONS is not 'true')\n"
