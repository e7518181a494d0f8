"""`caution ci github` and `caution ci gitlab`: the gate as a CI job runs it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from caution import __version__
from caution.cli.errors import CautionError
from caution.cli.options import state

ci_app = typer.Typer(
    help="The gate in CI: fetch the approvals and the forge's reviews, check the pull "
    "request, write the reports. The GitHub Action and the GitLab template run these.",
    no_args_is_help=True,
)


def _say(message: str) -> None:
    print(f"caution: {message}", file=sys.stderr)


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(text)


def _run(
    forge: str,
    *,
    remote: str | None,
    token_env: str | None,
    timeout: float | None,
    markdown: Path | None,
    sarif: Path | None,
    json_out: Path | None,
    reviews_file: Path | None,
    warn_only: bool,
) -> int:
    from caution.git.repo import require_commits
    from caution.policy.check import exit_code
    from caution.policy.ci import CiOptions, output_path, run_ci, summary_path
    from caution.report.check import check_to_json, check_to_markdown, check_to_sarif, render_check
    from caution.report.ci import github_annotation
    from caution.report.console import stdout_console

    for option, path in (("--markdown", markdown), ("--sarif", sarif), ("--json", json_out)):
        if path is not None and not path.parent.is_dir():  # say so before the check runs
            raise CautionError(f"{option} {path}: no such folder")
    repo = state.repository()
    require_commits(repo)
    env = dict(os.environ)
    options = CiOptions(forge, remote, token_env, timeout, reviews_file)
    result = run_ci(repo, env, options, report=_say)
    outputs = output_path(forge, env)
    if outputs is not None:
        _append(outputs, f"decision={result.decision.decision}\n")
    for warning in result.warnings:
        if forge == "github":  # an annotation on the run, besides the log line
            print(github_annotation("warning", warning))
        _say(f"warning: {warning}")
    render_check(result, stdout_console())
    summary = markdown or summary_path(forge, env)
    if summary is not None:
        _append(summary, check_to_markdown(result))
    if sarif is not None:
        sarif.write_text(
            json.dumps(check_to_sarif(result, __version__), indent=2, ensure_ascii=False) + "\n",
            "utf-8",
        )
    if json_out is not None:
        data = check_to_json(result, warn_only=warn_only)
        json_out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    code = exit_code(result, warn_only=warn_only)
    if code == 0 and result.decision.decision != "pass":
        _say(f"--warn-only: the change is {result.decision.decision}, exiting 0 anyway")
    return code


_REMOTE = typer.Option(
    None, "--remote", help="The remote holding the approvals and the target (default: origin)."
)
_TIMEOUT = typer.Option(
    None, "--timeout", min=0.1, max=600, help="Seconds per API request (default: 20)."
)
_SARIF = typer.Option(None, "--sarif", help="Write SARIF 2.1.0 here (code scanning).")
_JSON = typer.Option(None, "--json", help="Write the JSON report here.")
_REVIEWS_FILE = typer.Option(
    None, "--reviews-file", help="Keep a copy of the forge's reviews JSON here."
)
_WARN_ONLY = typer.Option(
    False, "--warn-only", help="Report as usual but exit 0 when the change does not pass."
)


@ci_app.command("github")
def github(
    remote: str | None = _REMOTE,
    token_env: str | None = typer.Option(
        None, "--token-env", help="The variable holding the API token (default: GITHUB_TOKEN)."
    ),
    timeout: float | None = _TIMEOUT,
    markdown: Path | None = typer.Option(
        None, "--markdown", help="Append the Markdown report here (default: $GITHUB_STEP_SUMMARY)."
    ),
    sarif: Path | None = _SARIF,
    json_out: Path | None = _JSON,
    reviews_file: Path | None = _REVIEWS_FILE,
    warn_only: bool = _WARN_ONLY,
) -> int:
    """In a GitHub Actions job: check the pull request, with the approvals fetched from the
    remote and the pull request's reviews read from $GITHUB_API_URL with the token.

    Exit 0 when it passes, 1 when it is pending or blocked (unless --warn-only), 2 on a
    usage, input or configuration error. Reviews that cannot be read count as none, with a
    warning on the run and in the summary.
    """
    return _run(
        "github",
        remote=remote,
        token_env=token_env,
        timeout=timeout,
        markdown=markdown,
        sarif=sarif,
        json_out=json_out,
        reviews_file=reviews_file,
        warn_only=warn_only,
    )


@ci_app.command("gitlab")
def gitlab(
    remote: str | None = _REMOTE,
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="The variable holding an API token with read_api (default: "
        "CAUTION_GITLAB_TOKEN, else CI_JOB_TOKEN is tried).",
    ),
    timeout: float | None = _TIMEOUT,
    markdown: Path | None = typer.Option(
        None, "--markdown", help="Append the Markdown report here."
    ),
    sarif: Path | None = _SARIF,
    json_out: Path | None = _JSON,
    reviews_file: Path | None = _REVIEWS_FILE,
    warn_only: bool = _WARN_ONLY,
) -> int:
    """In a GitLab merge request pipeline: check the merge request, with the approvals
    fetched from the remote and the merge request's approvals read from $CI_API_V4_URL.

    Exit 0 when it passes, 1 when it is pending or blocked (unless --warn-only), 2 on a
    usage, input or configuration error. Approvals that cannot be read count as none, with
    a warning in the log and the report.
    """
    return _run(
        "gitlab",
        remote=remote,
        token_env=token_env,
        timeout=timeout,
        markdown=markdown,
        sarif=sarif,
        json_out=json_out,
        reviews_file=reviews_file,
        warn_only=warn_only,
    )
