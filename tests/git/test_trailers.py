"""Trailer parsing follows git's rules: checked case by case and against
`git interpret-trailers --parse --no-divider` on generated messages."""

from __future__ import annotations

import os
import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caution.git.trailers import parse_trailers


def git_trailers(message: str) -> list[str]:
    proc = subprocess.run(
        ["git", "interpret-trailers", "--parse", "--no-divider"],
        input=message.encode("utf-8"),
        capture_output=True,
        check=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return proc.stdout.decode("utf-8").split("\n")[:-1]  # LF only: values may hold a CR


def ours(message: str) -> list[str]:
    return [f"{t.key}: {t.value}" for t in parse_trailers(message)]


def test_plain_trailer_block() -> None:
    msg = "Subject\n\nBody text.\n\nCo-authored-by: A <a@x>\nReviewed-by: B <b@x>\n"
    trailers = parse_trailers(msg)
    assert trailers.get("co-authored-by") == ["A <a@x>"]
    assert trailers.get("REVIEWED-BY") == ["B <b@x>"]
    assert "Reviewed-By" in trailers


def test_multiple_values_keep_order() -> None:
    msg = "S\n\nCo-authored-by: A <a@x>\nCo-Authored-By: B <b@x>\n"
    assert parse_trailers(msg).get("Co-authored-by") == ["A <a@x>", "B <b@x>"]


def test_title_is_never_a_trailer() -> None:
    assert len(parse_trailers("Fix: the thing\n")) == 0


def test_last_paragraph_must_be_all_trailers_without_git_generated_one() -> None:
    msg = "S\n\nCo-authored-by: A <a@x>\nthis line is prose\n"
    assert len(parse_trailers(msg)) == 0


def test_signed_off_by_lets_a_quarter_of_trailers_count() -> None:
    msg = "S\n\nprose one\nprose two\nprose three\nSigned-off-by: A <a@x>\n"
    assert parse_trailers(msg).get("signed-off-by") == ["A <a@x>"]


def test_continuation_lines_unfold() -> None:
    msg = "S\n\nAssisted-by: Claude:claude-opus\n  coccinelle sparse\n"
    assert parse_trailers(msg).get("assisted-by") == ["Claude:claude-opus coccinelle sparse"]


def test_comments_and_trailing_blank_lines_are_ignored() -> None:
    msg = "S\n\nMade-with: Cursor\n# a comment\n\n\n"
    assert parse_trailers(msg).get("made-with") == ["Cursor"]


def test_key_with_space_before_colon() -> None:
    msg = "S\n\nKey : value\n"
    assert ours(msg) == git_trailers(msg) == ["Key: value"]


def test_matches_git_on_a_real_message() -> None:
    msg = (
        "Add coupons\n\nLonger text\nover lines.\n\n"
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n"
    )
    assert ours(msg) == git_trailers(msg)


_LINES = st.sampled_from(
    [
        "",
        " ",
        "Signed-off-by: A U Thor <a@example.com>",
        "(cherry picked from commit 0123abc)",
        "Co-authored-by: Claude <noreply@anthropic.com>",
        "Key: value",
        "key:",
        "Key : spaced",
        "Two Words: value",
        "-dash: x",
        "Bad_key: x",
        "http://example.com: not a key",
        "  continued value",
        "\tcontinued with tab",
        "# comment",
        "prose line",
        "---",
        "Conflicts:",
        "\tpath/in/conflict.c",
        "Fixes: #123",
        "Replit-Commit-Author: Agent",
        "é-key: unicode",
        "Key: value\r",
    ]
)


@st.composite
def messages(draw: st.DrawFn) -> str:
    subject = draw(st.sampled_from(["Subject", "Fix: x", "", "# c"]))
    lines = draw(st.lists(st.one_of(_LINES, st.text(max_size=12)), max_size=12))
    text = "\n".join([subject, *lines])
    return text + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_matches_git_interpret_trailers(message: str) -> None:
    message = message.replace("\x00", "")
    assert ours(message) == git_trailers(message)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_parses_without_error(text: str) -> None:
    trailers = parse_trailers(text)
    for trailer in trailers:
        assert trailer.key and ":" not in trailer.key
