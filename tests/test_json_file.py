"""User-supplied JSON files: every way they fail is one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.json_file import JsonFileError, parse_json, read_json
from tests.conftest import cli


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"a": 1,\n  oops}', ":2: not JSON"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_unreadable_json_names_file_line_and_problem(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(content)
    with pytest.raises(JsonFileError) as caught:
        read_json(path)
    assert str(caught.value).startswith(str(path)) and problem in str(caught.value)
    with pytest.raises(JsonFileError, match="cannot read"):
        read_json(tmp_path / "missing.json")


def test_deeply_nested_input_files_exit_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "events.json").write_text(deep)
    (tmp_path / "slo.yml").write_text(
        "slos:\n  - {name: a, objective: 99.9, events: events.json}\n"
    )
    code, _, err = cli(capsys, "slo", "status", "--config", str(tmp_path / "slo.yml"))
    assert code == 2 and "nested too deeply" in err and "Traceback" not in err
    code, _, err = cli(capsys, "reach", "--plan", str(tmp_path / "events.json"))
    assert code == 2 and "nested too deeply" in err
    code, _, err = cli(capsys, "canary", "report", str(tmp_path / "events.json"), "-o", "r")
    assert code == 2 and "nested too deeply" in err


DEEP = "[" * 100_000 + "]" * 100_000


def test_outside_json_nested_too_deeply_is_malformed_input_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An approval note, a hook payload, a metrics file: each reads deep nesting as
    malformed (skipped, refused, exit 2), never as a RecursionError."""
    from caution.guard.local import judge
    from caution.policy.statement import parse_note

    entries, unreadable = parse_note(DEEP + "\n")
    assert entries == [] and unreadable == 1
    out, _, code = judge("claude-code", DEEP.encode(), str(tmp_path), str(tmp_path))
    assert code == 2 and "not JSON" in out + _
    (tmp_path / "deep.json").write_text(DEEP)
    (tmp_path / "c.yml").write_text("metrics:\n  - {name: a}\n")
    deep = str(tmp_path / "deep.json")
    code, _, err = cli(
        capsys, "canary", "judge", "--config", str(tmp_path / "c.yml"),
        "--baseline", deep, "--canary", deep,
    )  # fmt: skip
    assert code == 2 and "nested too deeply" in err


# --- well-formed JSON that means two things or nothing ------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "problem"),
    [
        ('{"a": 1,\n "b": 2,\n "a": 3}', ":3:2:", "duplicate key 'a'"),
        ('{"x": {"k": 1, "\\u006b": 2}}', ":1:16:", "duplicate key 'k'"),
        ('[{"ok": 1}, {"ok": 1, "ok": 1}]', ":1:23:", "duplicate key 'ok'"),
        ("[1,\n " + "9" * 5000 + "]", ":2:2:", "integer of 5000 digits is too large"),
        ('{"n": -' + "1" * 101 + "}", ":1:7:", "integer of 101 digits"),
        ('{"v": NaN}', ":1:7:", "NaN is not JSON"),
        ("[1, -Infinity]", ":1:5:", "-Infinity is not JSON"),
    ],
)
def test_refused_json_names_file_line_column_and_problem(
    tmp_path: Path, text: str, place: str, problem: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(text)
    with pytest.raises(JsonFileError) as caught:
        read_json(path)
    assert str(caught.value).startswith(f"{path}{place}") and problem in str(caught.value)


def test_what_is_accepted_at_the_limits(tmp_path: Path) -> None:
    from caution.json_file import MAX_DEPTH, MAX_INT_DIGITS, loads

    assert loads("9" * MAX_INT_DIGITS) == int("9" * MAX_INT_DIGITS)
    assert loads("1." + "5" * 5000) == pytest.approx(14 / 9)  # many digits: a float
    assert loads('{"a": {"a": 1}, "b": "a"}') == {"a": {"a": 1}, "b": "a"}  # same key, two objects
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(ValueError, match="nested too deeply"):
        loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(ValueError, match="nested too deeply"):
        loads('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))


def test_bytes_that_are_no_text_are_refused_at_their_line() -> None:
    from caution.json_file import RefusedJsonError, loads

    with pytest.raises(RefusedJsonError) as caught:
        loads(b'{"a":\n "\xff"}')
    assert caught.value.lineno == 2 and "not UTF-8" in caught.value.msg


# --- property: whatever the input, a value or one clean error -----------------------------------

_JSONISH = st.text(alphabet='{}[]:,"\\ \n0123456789-+.eEaNI truefalsn\u00e9\x00', max_size=200)


@settings(max_examples=400, deadline=None)
@given(_JSONISH)
def test_any_text_is_a_value_or_a_json_file_error(text: str) -> None:
    try:
        parse_json(text, "f.json")
    except JsonFileError as exc:
        assert str(exc).startswith("f.json") and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_are_a_value_or_a_json_file_error(data: bytes) -> None:
    try:
        parse_json(data, "f.json")
    except JsonFileError as exc:
        assert str(exc).startswith("f.json")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4000), st.sampled_from(["[", '{"k":']))
def test_nesting_of_any_depth_is_a_value_or_too_deep(depth: int, opener: str) -> None:
    from caution.json_file import MAX_DEPTH

    closer = "]" if opener == "[" else "}"
    text = opener * depth + "0" + closer * depth
    try:
        parse_json(text, "f.json")
        assert depth <= MAX_DEPTH
    except JsonFileError as exc:
        assert depth > MAX_DEPTH and "nested too deeply" in str(exc)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6000), st.booleans(), st.integers(0, 3))
def test_integers_of_any_length_are_a_value_or_too_large(
    digits: int, negative: bool, line: int
) -> None:
    from caution.json_file import MAX_INT_DIGITS

    number = ("-" if negative else "") + "7" * digits
    text = '{"pad": "x",' + "\n" * line + '"n": ' + number + "}"
    try:
        assert parse_json(text, "f.json")["n"] == int(number)
        assert digits <= MAX_INT_DIGITS
    except JsonFileError as exc:
        assert digits > MAX_INT_DIGITS and f"f.json:{line + 1}:" in str(exc)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(max_size=5), min_size=1, max_size=6, unique=True),
    st.data(),
)
def test_a_key_named_twice_is_refused_wherever_it_is(keys: list[str], data: st.DataObject) -> None:
    twice = data.draw(st.sampled_from(keys))
    pairs = [*keys, twice]
    pairs = data.draw(st.permutations(pairs))
    body = ", ".join(f"{json.dumps(k)}: {i}" for i, k in enumerate(pairs))
    with pytest.raises(JsonFileError) as caught:
        parse_json('{"outer": [{' + body + "}]}", "f.json")
    assert f"duplicate key {twice!r}" in str(caught.value)
