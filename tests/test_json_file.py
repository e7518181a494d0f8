"""User-supplied JSON files: every way they fail is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from caution.json_file import JsonFileError, read_json
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
