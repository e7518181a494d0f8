"""The command line as users meet it: output shapes, default ranges, exit codes
and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from caution.cli import main
from tests.conftest import Repo


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def branch_repo(repo: Repo) -> Repo:
    repo.commit("base", {"a.txt": "1\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("human change", {"a.txt": "1\n2\n"})
    repo.commit(
        "agent change\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
        {"b.txt": "x\ny\n"},
    )
    return repo


def test_provenance_json_shape(branch_repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-C", str(branch_repo.path), "provenance", "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    assert data["range"] == "main..HEAD"
    assert set(data) == {"range", "commits", "summary"}
    first = data["commits"][0]
    assert {"sha", "author", "committer", "level", "tools", "evidence", "lines"} <= set(first)
    assert set(first["author"]) == {"name", "email"}
    assert first["level"] == "assisted" and first["tools"] == ["claude-code"]
    assert {"kind", "tool", "detail", "confidence"} <= set(first["evidence"][0])
    assert first["lines"] == {"added": 2, "ai": None, "human": None, "unknown": None}
    assert data["commits"][1]["level"] == "unknown"
    assert data["summary"] == {
        "level": "assisted",
        "tools": ["claude-code"],
        "commits": 2,
        "by_level": {"assisted": 1, "unknown": 1},
    }


def test_provenance_text_in_a_pipe(branch_repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-C", str(branch_repo.path), "provenance", "HEAD~1..HEAD")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t")[1:3] == ["assisted", "claude-code"]
    assert "\x1b[" not in out  # no colour when not on a terminal
    assert lines[-1].startswith("1 commits in HEAD~1..HEAD: assisted")


def test_blame_json(branch_repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-C", str(branch_repo.path), "blame", "b.txt", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [line["level"] for line in data["lines"]] == ["assisted", "assisted"]
    assert data["lines"][0]["content"] == "x"


def test_blame_paths_are_relative_to_the_directory_given(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("nested", {"sub/f.txt": "one\n", "top.txt": "top\n"})
    code, out, err = run(capsys, "-C", str(repo.path / "sub"), "blame", "f.txt", "-f", "json")
    assert code == 0, err
    assert [line["content"] for line in json.loads(out)["lines"]] == ["one"]
    code, out, _ = run(capsys, "-C", str(repo.path / "sub"), "blame", "../top.txt", "-f", "json")
    assert code == 0 and json.loads(out)["lines"][0]["content"] == "top"
    code, _, err = run(capsys, "-C", str(repo.path / "sub"), "blame", ".")
    assert code == 2 and "is a folder" in err
    code, _, err = run(capsys, "-C", str(repo.path), "blame", "../elsewhere.txt")
    assert code == 2 and "outside the repository" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["provenance", "--format", "yaml"], "Invalid value"),
        (["provenance", "no-such-ref..HEAD"], "caution: git log failed"),
        (["provenance", "--", "--output=x"], "not a revision range"),
        (["blame", "missing.txt"], "caution: git blame failed"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(
    branch_repo: Repo, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _out, err = run(capsys, "-C", str(branch_repo.path), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_startup_does_not_load_the_capabilities() -> None:
    """`caution blame` and `caution provenance` must not pay for numpy, grimp or pydantic."""
    probe = (
        "import sys, caution.cli; "
        "print(sorted(m for m in ('numpy', 'grimp', 'pydantic', 'sklearn') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        # the guard hook's in-process fallback answers an agent on every action
        ("caution.guard.local", ("numpy", "sklearn", "caution.policy", "caution.rollout")),
        # caution check pays for a model only when a training set exists
        ("caution.policy.check", ("numpy", "sklearn", "scipy")),
    ],
)
def test_hot_paths_do_not_load_what_they_do_not_use(module: str, absent: tuple[str, ...]) -> None:
    probe = f"import sys, {module}; print(sorted(m for m in {absent!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-C", str(tmp_path), "provenance")
    assert code == 2
    assert err.strip() == f"caution: {tmp_path}: not a git repository"


def test_empty_repository(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-C", str(repo.path), "provenance")
    assert code == 2
    assert "has no commits yet" in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    from caution.git import GitError

    with pytest.raises(GitError):
        main(["--debug", "-C", str(repo.path), "provenance"])


def test_console_script_runs(branch_repo: Repo) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "caution", "-C", str(branch_repo.path), "provenance", "-f", "json"],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["level"] == "assisted"


def test_help_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "provenance", "--help")
    assert code == 0
    assert "autonomous" in out and "REVRANGE" in out


def test_blame_an_uncommitted_line_in_a_sha256_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo.init(tmp_path / "sha256", "--object-format=sha256")
    repo.commit("start", {"f.txt": "one\n"})
    (repo.path / "f.txt").write_text("one\ntwo\n")
    code, out, err = run(capsys, "-C", str(repo.path), "blame", "f.txt", "-f", "json")
    assert code == 0, err
    assert [line["sha"] is None for line in json.loads(out)["lines"]] == [False, True]


def test_blame_in_a_pipe_keeps_whole_lines(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    long_line = "x = '" + "y" * 300 + "'"
    repo.commit("long", {"f.py": long_line + "\n"})
    code, out, _ = run(capsys, "-C", str(repo.path), "blame", "f.py")
    assert code == 0
    (line,) = out.splitlines()
    assert line.split("\t")[-1] == long_line and line.split("\t")[3] == "1"


def test_version_and_shell_completion(capsys: pytest.CaptureFixture[str]) -> None:
    from caution import __version__

    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"caution {__version__}\n")
    code, out, _ = run(capsys, "--show-completion", "bash")
    assert code == 0 and "_caution_completion" in out
    env = {**os.environ, "COMP_WORDS": "caution approvals s", "COMP_CWORD": "2"}
    env["_CAUTION_COMPLETE"] = "complete_bash"
    proc = subprocess.run(
        [sys.executable, "-m", "caution"], env=env, capture_output=True, text=True, check=False
    )
    assert proc.stdout.split() == ["sync", "show"]


def test_warn_only_prints_the_same_and_exits_0(
    branch_repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    branch_repo.commit("AI\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {"b.txt": "2\n"})
    where = str(branch_repo.path)
    code, strict, _ = run(capsys, "-C", where, "check", "main..feature", "-f", "json")
    assert code == 1 and json.loads(strict)["decision"] == "pending"
    code, soft, err = run(
        capsys, "-C", where, "check", "main..feature", "-f", "json", "--warn-only"
    )
    assert code == 0 and "--warn-only" in err
    report = json.loads(soft)
    assert report["decision"] == "pending" and report["warn_only"] is True
