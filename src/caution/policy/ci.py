"""`caution ci github|gitlab`: the gate as a CI job runs it, so that the GitHub Action and
the GitLab template stay a few thin steps.

1. the approvals: the remote's `refs/notes/caution-approvals` are fetched and merged
   (`caution approvals sync` without the push: a CI token need not be able to write);
2. the target branch: fetched when the checkout lacks it;
3. the forge's reviews: GitHub's pull request reviews or GitLab's merge request
   approvals, read with the job's token into a file that `caution check --reviews`
   reads. A failed read is no forge review and a visible warning — never a pass;
4. the check of the pull request the job runs for (`resolve.py` knows the forges'
   variables and their synthetic merge commits).

What could not be read travels with the result as warnings, so the job summary shows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from caution import json_file
from caution.forge import github, gitlab
from caution.forge.http import ForgeError
from caution.git.errors import GitError
from caution.git.notes import fetch_ref
from caution.git.repo import resolve
from caution.policy.check import CheckOptions, CheckResult, run_check
from caution.policy.resolve import PullRequest, forge_pull_request
from caution.policy.reviews import ForgeReview, ReviewsError, parse_reviews
from caution.policy.sync import SyncError, pick_remote, sync_approvals

FORGES = ("github", "gitlab")
DEFAULT_TIMEOUT = 20.0
TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "CAUTION_GITLAB_TOKEN"}


class CiError(Exception):
    """The job is not what the command was asked to run in."""


@dataclass(frozen=True)
class CiOptions:
    forge: str
    remote: str | None = None
    token_env: str | None = None  # default: TOKEN_ENV[forge]
    timeout: float | None = None  # seconds per API request; default: DEFAULT_TIMEOUT
    reviews_file: Path | None = None  # keep a copy of the fetched reviews here


@dataclass(frozen=True)
class ReviewsRead:
    data: Any | None  # the forge's JSON; None when not read
    warning: str = ""
    note: str = ""
    reviews: tuple[ForgeReview, ...] | None = None  # `data` read: each reviewer's verdict


def _pull_request(forge: str, env: Mapping[str, str]) -> PullRequest:
    """The pull request the job runs for; CiError when the job is none, with what to do."""
    if forge == "github" and env.get("GITHUB_ACTIONS") != "true":
        raise CiError("not a GitHub Actions job (GITHUB_ACTIONS is not 'true')")
    if forge == "gitlab" and env.get("GITLAB_CI") != "true":
        raise CiError("not a GitLab CI job (GITLAB_CI is not 'true')")
    event = env.get("GITHUB_EVENT_PATH")
    if forge == "github" and env.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        try:
            json_file.read_json(Path(event or ""))
        except json_file.JsonFileError as exc:
            raise CiError(f"cannot read the pull request event (GITHUB_EVENT_PATH): {exc}") from exc
    pull = forge_pull_request(env)
    if pull is None or pull.forge != forge:
        kind = env.get("GITHUB_EVENT_NAME") or env.get("CI_PIPELINE_SOURCE") or "unknown"
        raise CiError(
            f"caution ci judges pull (merge) requests, and this job runs for a {kind} event: "
            "run it on pull_request (merge_request_event), or `caution check BASE..HEAD` here"
        )
    return pull


def _github_reviews(
    pull: PullRequest, env: Mapping[str, str], token: str, timeout: float
) -> ReviewsRead:
    repository = env.get("GITHUB_REPOSITORY", "")
    if "/" not in repository or pull.number is None:
        return ReviewsRead(None, "GITHUB_REPOSITORY or the pull request number is missing")
    api = env.get("GITHUB_API_URL") or github.DEFAULT_API_URL
    data = github.list_reviews(api, repository, pull.number, token, timeout=timeout)
    return ReviewsRead(data, note=f"read {len(data)} reviews of pull request #{pull.number}")


def _gitlab_reviews(
    pull: PullRequest, env: Mapping[str, str], token: str, job_token: bool, timeout: float
) -> ReviewsRead:
    api, project = env.get("CI_API_V4_URL"), env.get("CI_PROJECT_ID")
    if not api or not project or pull.number is None:
        return ReviewsRead(None, "CI_API_V4_URL, CI_PROJECT_ID or CI_MERGE_REQUEST_IID is missing")
    data = gitlab.merge_request_approvals(
        api, project, pull.number, token, timeout=timeout, job_token=job_token
    )
    approved = data.get("approved_by")
    count = len(approved) if isinstance(approved, list) else 0
    return ReviewsRead(data, note=f"read {count} approvals of merge request !{pull.number}")


def read_forge_reviews(
    forge: str, pull: PullRequest, env: Mapping[str, str], options: CiOptions
) -> ReviewsRead:
    """The forge's reviews of the pull request, or why there are none."""
    timeout = options.timeout or DEFAULT_TIMEOUT
    name = options.token_env or TOKEN_ENV[forge]
    token = env.get(name, "")
    job_token = False
    if not token and forge == "gitlab" and env.get("CI_JOB_TOKEN"):
        token, job_token = env["CI_JOB_TOKEN"], True
    if not token:
        return ReviewsRead(None, f"${name} is empty: the forge's reviews were not read")
    try:
        if forge == "github":
            found = _github_reviews(pull, env, token, timeout)
        else:
            found = _gitlab_reviews(pull, env, token, job_token, timeout)
        if found.data is None:
            return replace(found, warning=f"could not read the {forge} reviews ({found.warning})")
        # read here, where a warning can say what was wrong with them
        return replace(found, reviews=tuple(parse_reviews(found.data)))
    except (ForgeError, ReviewsError) as exc:
        return ReviewsRead(None, f"could not read the {forge} reviews ({exc})")


def _fetch_target(repo: Path, remote: str, pull: PullRequest) -> str:
    """Fetch the target branch when the checkout lacks it; a note, or ''."""
    if not pull.base_ref:
        return ""
    name = pull.base_ref.removeprefix("refs/heads/")
    if resolve(repo, f"refs/heads/{name}") or resolve(repo, f"refs/remotes/{remote}/{name}"):
        return ""
    if fetch_ref(repo, remote, f"refs/heads/{name}", f"refs/remotes/{remote}/{name}"):
        return f"fetched the target branch {name} from {remote}"
    return ""


def run_ci(
    repo: Path,
    env: Mapping[str, str],
    options: CiOptions,
    report: Callable[[str], None] | None = None,
) -> CheckResult:
    """The check of the job's change, with the remote's approvals and the forge's reviews.
    Raises CiError outside the forge's CI, and what `run_check` raises."""
    if options.forge not in FORGES:
        raise CiError(f"unknown forge {options.forge!r} (known: {', '.join(FORGES)})")
    pull = _pull_request(options.forge, env)
    warnings: list[str] = []
    try:
        remote = pick_remote(repo, options.remote)
    except SyncError as exc:
        remote = None
        warnings.append(f"approvals not fetched: {exc}")
    if remote is not None:
        try:
            synced = sync_approvals(repo, remote, push=False)
            if not synced.fetched and report is not None:
                report(f"{remote} has no approvals yet (refs/notes/caution-approvals)")
        except (SyncError, GitError) as exc:
            warnings.append(f"the approvals on {remote} could not be fetched ({exc})")
        try:
            fetched = _fetch_target(repo, remote, pull)
            if fetched and report is not None:
                report(fetched)
        except GitError as exc:
            warnings.append(f"the target branch could not be fetched ({exc})")
    reviews = read_forge_reviews(options.forge, pull, env, options)
    if reviews.warning:
        warnings.append(f"{reviews.warning}: counting no forge reviews")
    if reviews.note and report is not None:
        report(reviews.note)
    if reviews.data is not None and options.reviews_file is not None:
        options.reviews_file.write_text(json.dumps(reviews.data, ensure_ascii=False), "utf-8")
    check = CheckOptions(env=env, report=report, forge_reviews=reviews.reviews)
    result = run_check(repo, None, check)
    return replace(result, warnings=(*result.warnings, *warnings))


def summary_path(forge: str, env: Mapping[str, str]) -> Path | None:
    """Where the job's Markdown report goes by default: GitHub's job summary."""
    if forge == "github" and env.get("GITHUB_STEP_SUMMARY"):
        return Path(env["GITHUB_STEP_SUMMARY"])
    return None


def output_path(forge: str, env: Mapping[str, str]) -> Path | None:
    """Where a GitHub step's outputs go (`decision=pass`)."""
    if forge == "github" and env.get("GITHUB_OUTPUT"):
        return Path(env["GITHUB_OUTPUT"])
    return None


__all__ = [
    "DEFAULT_TIMEOUT",
    "FORGES",
    "TOKEN_ENV",
    "CiError",
    "CiOptions",
    "ReviewsRead",
    "output_path",
    "read_forge_reviews",
    "run_ci",
    "summary_path",
]
