"""The -U0 patch reader and the change fingerprint, against the real `git diff`: the hunks it
reads rebuild the new file from the old one, and the fingerprint moves with the edit's
place, not with lines added far above it."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caution.git.diff import old_blobs, tree_patch
from caution.git.patch import FilePatch, PatchError, parse_patch
from caution.policy.fingerprint import fingerprint, git_lines
from tests.conftest import Repo

LINES = st.lists(
    st.sampled_from(["a", "b", "c", "t = 30", "", "  x", "\tz", "d\r", "e\rf", "\x00"]),
    max_size=40,
)


def _tree(repo: Repo, files: dict[str, bytes]) -> str:
    for name in list((repo.path).iterdir()):
        if name.name != ".git":
            name.unlink()
    for name, data in files.items():
        (repo.path / name).write_bytes(data)
    repo.git("add", "-A")
    return repo.git("write-tree")


def _text(lines: list[str], newline_at_end: bool) -> bytes:
    body = "\n".join(lines)
    return (body + ("\n" if newline_at_end and lines else "")).encode()


def _apply(old: bytes, patch: FilePatch) -> bytes:
    lines = git_lines(old)
    out: list[bytes] = []
    position = 0
    for hunk in patch.hunks:
        out.extend(lines[position : hunk.old_start])
        assert lines[hunk.old_start : hunk.old_start + hunk.old_count] == list(hunk.removed)
        out.extend(hunk.added)
        position = hunk.old_start + hunk.old_count
    out.extend(lines[position:])
    return b"".join(out)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return Repo.init(tmp_path_factory.mktemp("patch") / "r")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=LINES, new=LINES, old_end=st.booleans(), new_end=st.booleans())
def test_the_hunks_rebuild_the_new_file(
    scratch: Repo, old: list[str], new: list[str], old_end: bool, new_end: bool
) -> None:
    before, after = _text(old, old_end), _text(new, new_end)
    first = _tree(scratch, {"f.txt": before})
    second = _tree(scratch, {"f.txt": after})
    files = tree_patch(scratch.path, first, second)
    if before == after:
        assert files == []
        return
    (patch,) = files
    assert _apply(before, patch) == after


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_are_refused(data: bytes) -> None:
    with contextlib.suppress(PatchError):
        parse_patch(data)


def _fingerprint(repo: Repo, before: bytes, after: bytes) -> str | None:
    first = _tree(repo, {"flags.ini": before})
    second = _tree(repo, {"flags.ini": after})
    files = tree_patch(repo.path, first, second)
    return fingerprint(files, old_blobs(repo.path, files))


def test_the_same_edit_under_lines_added_far_above_keeps_its_fingerprint(scratch: Repo) -> None:
    body = [f"line {i}" for i in range(100)]
    edited = [*body[:70], "new = 1", *body[70:]]
    original = _fingerprint(scratch, _text(body, True), _text(edited, True))
    shifted = ["# header", "import x", *body]
    moved = ["# header", "import x", *edited]
    assert _fingerprint(scratch, _text(shifted, True), _text(moved, True)) == original
    near = [*body[:60], "changed nearby", *body[61:]]
    near_edit = [*near[:70], "new = 1", *near[70:]]
    assert _fingerprint(scratch, _text(near, True), _text(near_edit, True)) != original


@pytest.mark.parametrize("size", [7, 25, 60, 3000])
def test_the_same_line_in_another_identical_section_differs(scratch: Repo, size: int) -> None:
    body = ["[dev]", *["t = 30"] * size, "[prod]", *["t = 30"] * size]
    dev = [*body[: 1 + size // 2], "skip = true", *body[1 + size // 2 :]]
    prod = [*body[: size + 2 + size // 2], "skip = true", *body[size + 2 + size // 2 :]]
    a = _fingerprint(scratch, _text(body, True), _text(dev, True))
    b = _fingerprint(scratch, _text(body, True), _text(prod, True))
    assert a is not None and b is not None and a != b


def test_an_empty_change_has_no_fingerprint(scratch: Repo, tmp_path: Path) -> None:
    assert _fingerprint(scratch, b"x\n", b"x\n") is None
