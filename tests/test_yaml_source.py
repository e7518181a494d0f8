"""Configuration YAML: every malformed file is one SourceError at its line, never a
RecursionError, a ValueError from int() or a silently dropped key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.yaml_source import (
    MAX_DEPTH,
    MAX_INT_CHARS,
    SourceError,
    load_documents,
    parse_yaml,
    read_yaml,
)

READERS = [parse_yaml, load_documents]


@pytest.mark.parametrize("read", READERS, ids=["config", "catalog"])
@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("version: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nested deeper than 50"),
        ("version: 1\nx:\n  " + "- " * 5000 + "1\n", 3, "nested deeper than 50"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)), None, "nested deeper"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'"),
        ("m: {k: 1, k: 2}\n", 1, "duplicate key 'k'"),
        ("n: " + "9" * 5000 + "\n", 1, "integer longer than 100 characters"),
        ("n: -" + "1" * 200 + "\n", 1, "integer longer than"),
        ("n: " + ":".join(["59"] * 3000) + "\n", 1, "integer longer than"),  # base 60
        ("a: &x [*x]\n", 1, "anchors and aliases"),
        ("a: b\x00\n", 1, "character #x0000"),
    ],
    ids=[
        "deep flow",
        "deep block",
        "deep mapping",
        "duplicate",
        "flow duplicate",
        "long int",
        "long negative",
        "sexagesimal",
        "alias",
        "nul",
    ],
)
def test_malformed_yaml_is_one_error_at_its_line(
    read: object, text: str, line: int | None, problem: str
) -> None:
    with pytest.raises(SourceError) as caught:
        read(text, "f.yml")  # type: ignore[operator]
    error = caught.value
    assert problem in error.problem and "\n" not in str(error)
    if line is not None:
        assert error.line == line and str(error).startswith(f"f.yml:{line}: ")


def test_what_is_accepted_at_the_limits() -> None:
    nested = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_yaml(nested, "f").data is not None
    assert load_documents(nested, "f")
    assert parse_yaml("n: " + "9" * MAX_INT_CHARS, "f").data == {"n": int("9" * MAX_INT_CHARS)}
    assert parse_yaml("a: {k: 1}\nb: {k: 1}\n'1': x\n", "f").data["b"] == {"k": 1}
    assert load_documents("a: 1\n---\na: 2\n", "f") == [{"a": 1}, {"a": 2}]


def test_unreadable_config_files_are_one_error(tmp_path: Path) -> None:
    (tmp_path / "dir.yml").mkdir()
    (tmp_path / "zero.yml").symlink_to("/dev/zero")
    (tmp_path / "big.yml").write_bytes(b"#" * (5 << 20))
    for name, problem in [
        ("dir.yml", "a directory"),
        ("zero.yml", "a device"),
        ("big.yml", "larger than 4 MiB"),
        ("missing.yml", "No such file"),
    ]:
        with pytest.raises(SourceError) as caught:
            read_yaml(tmp_path / name, name)
        assert str(caught.value).startswith(f"{name}: cannot read: ") and problem in str(
            caught.value
        )
    with pytest.raises(SourceError, match="symbolic link"):
        read_yaml(tmp_path / "zero.yml", "zero.yml", follow_symlinks=False)


_YAMLISH = st.text(alphabet="{}[]:,-?&*!|>'\"#% \n\tabk019.e_~<\x00\u00e9", max_size=150)


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_any_text_is_a_document_or_a_source_error(text: str) -> None:
    for read in READERS:
        try:
            read(text, "f.yml")
        except SourceError as exc:
            assert str(exc).startswith("f.yml") and "\n" not in str(exc)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 1500), st.sampled_from(["flow", "block", "mapping"]))
def test_nesting_of_any_depth_is_a_document_or_too_deep(depth: int, style: str) -> None:
    if style == "flow":
        text = "x: " + "[" * depth + "]" * depth
    elif style == "block":
        text = "x:\n" + " " + "- " * depth + "1"
    else:
        text = "x: " + "{k: " * depth + "1" + "}" * depth
    for read in READERS:
        try:
            read(text, "f.yml")
            assert depth < MAX_DEPTH
        except SourceError as exc:
            assert depth >= MAX_DEPTH - 1 and "nested" in str(exc), (depth, str(exc))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6000), st.booleans())
def test_integers_of_any_length_are_a_value_or_refused(digits: int, negative: bool) -> None:
    number = ("-" if negative else "") + "3" * digits
    for read in READERS:
        try:
            read(f"n: {number}\n", "f.yml")
            assert len(number) <= MAX_INT_CHARS
        except SourceError as exc:
            assert len(number) > MAX_INT_CHARS and exc.line == 1
