"""Fixtures of the CI integration tests: SSH keys, and the wheel the install steps take."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration import keygen

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    return {n: keygen(folder / n, n) for n in ("alice", "bob", "carol")}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """caution built from this tree, as an install step builds it from the action's path."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(folder),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = folder.glob("caution-*.whl")
    return found
