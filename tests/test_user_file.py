"""Reading a file someone handed us: a regular file of bounded size, or one clear refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from caution.user_file import FileRefusedError, read_user_file


def test_a_regular_file_is_read_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_user_file(path, 100) == b"x" * 100
    with pytest.raises(FileRefusedError, match="larger than 99 bytes; not read"):
        read_user_file(path, 99)
    assert read_user_file(tmp_path / "f", 1 << 20, follow_symlinks=False) == b"x" * 100


@pytest.mark.parametrize(
    ("make", "follow", "problem"),
    [
        (lambda p: p.symlink_to("/dev/zero"), True, "a device"),
        (lambda p: p.symlink_to("/dev/zero"), False, "a symbolic link; not followed"),
        (lambda p: p.mkdir(), True, "a directory"),
        (lambda p: os.mkfifo(p), True, "a FIFO"),
        (lambda p: (p.with_name("real").write_text("{}"), p.symlink_to("real")), False, "link"),
    ],
    ids=["link to /dev/zero", "link, not followed", "directory", "fifo", "link to a file"],
)
def test_what_is_not_a_regular_file_is_refused_without_reading_it(
    tmp_path: Path, make: object, follow: bool, problem: str
) -> None:
    """Run in a process of its own with a time limit: a reader that opened the FIFO or read
    /dev/zero would hang, which must fail the test rather than the suite."""
    path = tmp_path / "input"
    make(path)  # type: ignore[operator]
    probe = (
        "import sys\nfrom caution.user_file import read_user_file\n"
        "try:\n    read_user_file(sys.argv[1], follow_symlinks=sys.argv[2] == '1')\n"
        "except OSError as exc:\n    print(exc.strerror)\nelse:\n    print('read')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(path), "1" if follow else "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert problem in proc.stdout


def test_dev_zero_itself_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileRefusedError, match="a device"):
        read_user_file("/dev/zero")
    with pytest.raises(FileNotFoundError):
        read_user_file(tmp_path / "missing")


def test_a_nul_in_the_path_is_refused_not_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(FileRefusedError, match="NUL byte"):
        read_user_file(tmp_path / "a\0b")
