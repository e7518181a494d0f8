"""git-ai authorship notes (authorship/3.0.0), parsed from the spec's own
examples and from notes written with `git notes --ref=ai add`.

The examples marked "spec" are copied from git-ai-project/git-ai
specs/git_ai_standard_v3.0.0.md §1.2.5-1.2.6 (Apache-2.0)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from caution.provenance import Level, default_catalog, provenance_of_range
from caution.provenance.gitai import attribution, parse_note
from caution.provenance.lines import AI, HUMAN
from tests.conftest import Repo

SPEC_SESSIONS = """src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  s_c9883b05a2487d::t_a1b2c3d4e5f678 25,30-35
  h_31dce776f88375 42-50
src/lib.rs
  s_e7f2a90b31cc48::t_deadbeef012345 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {},
  "humans": {
    "h_31dce776f88375": {
      "author": "Developer <dev@example.com>"
    }
  },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com"
    },
    "s_e7f2a90b31cc48": {
      "agent_id": {
        "tool": "claude",
        "id": "conv_abc123def456",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com",
      "custom_attributes": {
        "team": "backend"
      }
    }
  }
}"""

SPEC_LEGACY = """src/main.rs
  abcd1234abcd1234 1-10,15-20
  ef0b5678ef0b5678 25,30-35
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": {"tool": "cursor", "id": "6ef2299e", "model": "claude-4.5-opus"},
      "human_author": "Developer <dev@example.com>",
      "total_additions": 25, "total_deletions": 5, "accepted_lines": 20, "overriden_lines": 0
    },
    "ef0b5678ef0b5678": {
      "agent_id": {"tool": "copilot", "id": "x", "model": "gpt-4o"},
      "human_author": null,
      "total_additions": 7, "total_deletions": 0, "accepted_lines": 7, "overriden_lines": 0
    }
  }
}"""

resolve = default_catalog().resolve_tool


def test_spec_sessions_example() -> None:
    note = parse_note(SPEC_SESSIONS)
    assert note is not None
    record = attribution(note, resolve)
    assert record.counts() == {AI: 16 + 7 + 50, HUMAN: 9, "unknown": 0}
    assert record.ai_tools() == ["cursor", "claude-code"]
    span = record.span_at("src/main.rs", 45)
    assert span is not None and span.origin == HUMAN and "dev@example.com" in span.who
    assert record.span_at("src/main.rs", 11) is None  # untracked: unknown, not human


def test_spec_legacy_example() -> None:
    note = parse_note(SPEC_LEGACY)
    assert note is not None
    record = attribution(note, resolve)
    assert record.counts()[AI] == 16 + 7 + 50
    assert record.ai_tools() == ["cursor", "copilot"]


def test_quoted_paths_and_later_entries_win() -> None:
    text = '"src/my file.rs"\n  abcdef1234567890 1-10\n  h_0123456789abcd 5-6\n---\n{}'
    note = parse_note(text)
    assert note is not None
    record = attribution(note, resolve)
    assert record.counts() == {AI: 8, HUMAN: 2, "unknown": 0}
    span = record.span_at("src/my file.rs", 5)
    assert span is not None and span.origin == HUMAN


def test_not_a_gitai_note() -> None:
    assert parse_note("just a human note\n") is None
    assert parse_note('---\n{"schema_version": "something/else"}') is None


def test_notes_give_line_counts_and_levels(repo: Repo) -> None:
    body = "".join(f"line {i}\n" for i in range(1, 11))
    ai_sha = repo.commit("AI work", {"src/app.py": body})
    human_sha = repo.commit("human work", {"src/app.py": body + "a\nb\n"})
    partial_sha = repo.commit("unnoted lines", {"src/other.py": "x\ny\nz\n"})
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": ai_sha,
        "prompts": {},
        "sessions": {
            "s_aaaaaaaaaaaaaa": {
                "agent_id": {"tool": "claude", "id": "1", "model": "m"},
                "human_author": None,
            }
        },
        "humans": {"h_bbbbbbbbbbbbbb": {"author": "Alice Example <alice@example.com>"}},
    }
    repo.note(
        "ai",
        ai_sha,
        "src/app.py\n  s_aaaaaaaaaaaaaa::t_cccccccccccccc 1-7\n---\n" + json.dumps(meta, indent=2),
    )
    repo.note("ai", human_sha, "src/app.py\n  h_bbbbbbbbbbbbbb 11-12\n---\n" + json.dumps(meta))
    repo.note("ai", partial_sha, "src/other.py\n  h_bbbbbbbbbbbbbb 1\n---\n" + json.dumps(meta))
    result = provenance_of_range(repo.path, "HEAD", reachable=True, trusted_human=("git-ai",))
    by = {c.commit.sha: c for c in result.commits}

    ai = by[ai_sha]
    assert ai.level is Level.ASSISTED and ai.tools == ("claude-code",)
    assert (ai.lines.added, ai.lines.ai, ai.lines.human, ai.lines.unknown) == (10, 7, 0, 3)
    assert [e.kind for e in ai.evidence] == ["note"]

    human = by[human_sha]
    assert human.level is Level.HUMAN
    assert (human.lines.added, human.lines.ai, human.lines.human, human.lines.unknown) == (
        2,
        0,
        2,
        0,
    )

    partial = by[partial_sha]
    assert partial.level is Level.UNKNOWN  # one of three lines known human is not "human"
    assert (partial.lines.human, partial.lines.unknown) == (1, 2)

    # notes anyone can write may raise the level, never lower it: untrusted, the claim of
    # human lines leaves the commit unknown, and says so
    untrusted = provenance_of_range(repo.path, "HEAD", reachable=True)
    claimed = {c.commit.sha: c for c in untrusted.commits}[human_sha]
    assert claimed.level is Level.UNKNOWN
    assert any("not trusted" in e.detail for e in claimed.evidence)
    assert {c.commit.sha: c for c in untrusted.commits}[ai_sha].level is Level.ASSISTED


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_note_text_parses_without_error(text: str) -> None:
    note = parse_note(text)
    if note is not None:
        record = attribution(note, resolve)
        assert all(v >= 0 for v in record.counts().values())


_NOTE_LINES = st.one_of(
    st.sampled_from(["---", "src/a.py", '"b c.py"', "", "{}", '{"prompts": []}', "  "]),
    st.builds(
        lambda key, ranges: f"  {key} {ranges}",
        st.sampled_from(["s_1::t_2", "h_3", "abcdef1234567890", "zz", ""]),
        st.from_regex(r"[0-9,\-]{0,20}", fullmatch=True),
    ),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NOTE_LINES, max_size=15))
def test_structured_garbage_parses_without_error(lines: list[str]) -> None:
    note = parse_note("\n".join(lines))
    if note is not None:
        record = attribution(note, resolve)
        counts = record.counts()
        assert all(v >= 0 for v in counts.values())


def test_a_range_reads_only_its_own_notes_and_other_refs_are_only_listed(repo: Repo) -> None:
    from caution.git.notes import noted_commits
    from caution.provenance.markers import default_catalog
    from caution.provenance.service import LineRecords

    old = repo.commit("old", {"a.py": "x = 1\n"})
    new = repo.commit("new", {"a.py": "x = 2\n"})
    repo.note("ai", old, "a.py\n  h_aaaaaaaaaaaaaa 1\n---\n{}")
    repo.note("ai", new, "a.py\n  h_aaaaaaaaaaaaaa 1\n---\n{}")
    repo.note("ai-attribution", old, "whatever")
    assert noted_commits(repo.path, "ai-attribution") == {old}
    records = LineRecords.load(repo.path, default_catalog(), {new})
    assert set(records._notes) == {new}
    everything = LineRecords.load(repo.path, default_catalog())
    assert set(everything._notes) == {old, new}
    assert everything.notes_present(old) == {"refs/notes/ai-attribution"}
