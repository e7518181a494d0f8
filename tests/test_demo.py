"""`caution demo` end to end, as the README runs it: every step's exit code and verdict."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from caution.demo import build_shop
from caution.policy.config import trusted_human_sources
from caution.provenance import provenance_of_range


def test_demo_walkthrough(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "caution", "demo", "--dir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    codes = [int(c) for c in re.findall(r"\[exit code (\d+)\]", out)]
    assert codes == [0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1]
    verdicts = re.findall(r"caution check \S+: (PASS|PENDING|BLOCKED)", out)
    assert verdicts == ["PENDING", "PASS", "PENDING", "BLOCKED"]
    assert "stale: approves" in out
    assert "approval refused: carol@shop.example wrote a commit in this change" in out
    assert proc.stdout.splitlines()[-1] == f"The demo repository: {tmp_path / 'demo' / 'shop'}"


def test_demo_history_has_every_level(tmp_path: Path) -> None:
    shop = build_shop(tmp_path / "demo")
    trusted = trusted_human_sources(shop.repo)
    assert trusted == ("git-ai",)  # the demo's policy trusts its git-ai notes
    result = provenance_of_range(shop.repo, "main", reachable=True, trusted_human=trusted)
    assert result.by_level == {"assisted": 2, "autonomous": 1, "human": 1, "unknown": 1}
    by_subject = {c.commit.subject: c for c in result.commits}
    assert by_subject["Add tests for money rounding"].tools == ("copilot",)
    assert by_subject["Boost in-stock products in search"].tools == ("cursor",)


def test_demo_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(FileExistsError):
        build_shop(tmp_path)
