"""`caution guard check` and `caution guard eval` (the batch interface other tools use)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Repo, cli


def test_eval_keeps_the_input_and_adds_the_verdict(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("base", {"a.txt": "1\n"})
    actions = tmp_path / "actions.jsonl"
    actions.write_text(
        '{"kind": "shell", "command": "rm -rf ~", "id": 1}\n'
        '{"kind": "write", "path": ".github/workflows/ci.yml", "content": "x"}\n'
        '{"kind": "edit", "path": "src/app.py", "content": "y", "agent": "claude"}\n'
        "\n"
        "[1, 2]\n"
        '{"kind": "teleport"}\n'
    )
    code, out, _ = cli(capsys, "guard", "eval", str(actions), "--cwd", str(repo.path))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r.get("id"), r["decision"], r["rule"]) for r in rows[:1]] == [
        (1, "deny", "fs.rm-recursive-outside-workspace")
    ]
    assert rows[0]["command"] == "rm -rf ~" and rows[0]["kind"] == "shell"
    assert (rows[1]["decision"], rows[1]["rule"]) == ("ask", "files.ci-workflows")
    assert (rows[2]["decision"], rows[2]["rule"], rows[2]["agent"]) == ("allow", None, "claude")
    assert (rows[3]["decision"], rows[3]["rule"], rows[3]["line"]) == ("ask", "guard.bad-action", 5)
    assert (rows[4]["decision"], rows[4]["rule"]) == ("ask", "guard.bad-action")
    assert all(set(r) >= {"decision", "rule", "reason"} for r in rows)


def test_check_exit_codes_and_the_log(
    repo: Repo, capsys: pytest.CaptureFixture[str], user_dirs: dict[str, Path]
) -> None:
    repo.commit("base", {"a.txt": "1\n"})
    code, out, _ = cli(
        capsys,
        "guard",
        "check",
        "--cwd",
        str(repo.path),
        "--",
        "git",
        "push",
        "--force",
        "origin",
        "main",
    )
    assert code == 1 and out.startswith("deny [git.force-push]")
    code, out, _ = cli(
        capsys, "guard", "check", "--cwd", str(repo.path), "--command", "ls -la", "-f", "json"
    )
    assert code == 0 and json.loads(out)["decision"] == "allow"
    code, out, _ = cli(capsys, "guard", "check", "--cwd", str(repo.path), "--write", "~/.bashrc")
    assert code == 1 and "files.outside-workspace" in out
    log_file = user_dirs["state"] / "caution" / "guard.log"  # outside the work tree
    log = [json.loads(x) for x in log_file.read_text().splitlines()]
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""
    assert not (repo.path / ".caution").exists()
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"
    assert {e["workspace"] for e in log} == {str(repo.path.resolve())}
    assert [(e["agent"], e["decision"], e["rule"]) for e in log] == [
        ("cli", "deny", "git.force-push"),
        ("cli", "allow", None),
        ("cli", "deny", "files.outside-workspace"),
    ]
    code, _, err = cli(capsys, "guard", "check", "--cwd", str(repo.path))
    assert code == 2 and "exactly one" in err


def test_one_quoted_string_is_judged_as_a_shell_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "guard", "check", "--cwd", str(tmp_path), "cd ~ && rm -rf x")
    assert code == 1 and out.startswith("deny")
