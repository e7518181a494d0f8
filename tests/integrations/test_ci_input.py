"""`caution ci` fed what a misconfigured job gives it: one line, exit 2, before any check."""

from __future__ import annotations

from pathlib import Path

import pytest

from caution.report.ci import github_annotation
from tests.conftest import Repo, cli


@pytest.fixture
def job(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo.commit("base", {"a.txt": "1\n"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    return repo


def one_line(code: int, err: str) -> str:
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def test_an_unreadable_pull_request_event_is_named(
    job: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path))  # a folder, not the event
    code, _, err = cli(capsys, "-C", str(job.path), "ci", "github")
    assert "cannot read the pull request event (GITHUB_EVENT_PATH)" in one_line(code, err)


def test_a_job_for_another_event_says_what_to_run(
    job: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    code, _, err = cli(capsys, "-C", str(job.path), "ci", "github")
    assert "runs for a push event" in one_line(code, err) and "caution check" in err


def test_an_output_in_a_missing_folder_is_refused_first(
    job: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "report.json"
    code, out, err = cli(capsys, "-C", str(job.path), "ci", "github", "--json", str(missing))
    assert out == "" and f"--json {missing}: no such folder" in one_line(code, err)


def test_annotations_cannot_be_ended_early_by_their_text() -> None:
    text = "bad\n::error::forged 100%\r"
    line = github_annotation("warning", text, title="a:b,c")
    assert "\n" not in line and "\r" not in line
    assert line == "::warning title=a%3Ab%2Cc::bad%0A::error::forged 100%25%0D"
