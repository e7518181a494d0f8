"""The built-in demo repository shows every level."""

from __future__ import annotations

from pathlib import Path

import pytest

from caution.cli import main
from caution.demo import build_sample_repo
from caution.provenance import provenance_of_range


def test_demo_repository_has_every_level(tmp_path: Path) -> None:
    repo = build_sample_repo(tmp_path / "shop")
    result = provenance_of_range(repo, "HEAD", reachable=True)
    assert result.by_level == {"assisted": 3, "autonomous": 1, "human": 1, "unknown": 1}
    assert result.level.value == "autonomous"
    assert set(result.tools) == {"claude-code", "copilot", "cursor"}


def test_demo_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(FileExistsError):
        build_sample_repo(tmp_path)


def test_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--dir", str(tmp_path / "shop")])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "autonomous" in out and "Retry payment captures" in out
