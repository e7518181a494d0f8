"""Paths a file of the repository gives for another of its files."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.repo_paths import join_inside, repo_path_problem


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("a\0b", "NUL"),
        ("a\nb", "control character"),
        ("/etc/passwd", "absolute"),
        ("c:/x", "absolute"),
        ("..", "leaves"),
        ("a/../../b", "leaves"),
        ("a\\b", "backslash"),
        ("", "empty"),
    ],
)
def test_refused_paths(path: str, problem: str) -> None:
    assert problem in (repo_path_problem(path) or "")


def test_accepted_paths_and_joins() -> None:
    assert repo_path_problem("a/./b/../c.yaml") is None
    assert join_inside("svc/api", "../lib/catalog.yaml") == ("svc/lib/catalog.yaml", None)
    assert join_inside("svc", "../../x") == (None, "leaves the repository")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab/.\\\0\n:C ", max_size=20), st.text(alphabet="ab/.", max_size=10))
def test_an_accepted_path_stays_inside_the_repository(target: str, base: str) -> None:
    joined, problem = join_inside(base.strip("/"), target)
    assert (joined is None) != (problem is None)
    if joined is not None:
        assert "\0" not in joined and "\n" not in joined and not joined.startswith("/")
        assert joined != ".." and not joined.startswith("../")
        assert posixpath.normpath(joined) == joined
