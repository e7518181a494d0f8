"""Agent Trace records (agent-trace.dev spec v0.1.0). The record below is the
spec README's §6.2 example (cursor/agent-trace, CC BY 4.0), with its revision
replaced by the commit it is attached to in the test repository."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from caution.provenance import Level, default_catalog, provenance_of_range
from caution.provenance.agent_trace import attribution, parse_traces
from caution.provenance.lines import AI, HUMAN
from tests.conftest import Repo

resolve = default_catalog().resolve_tool


def spec_record(revision: str) -> dict[str, Any]:
    return {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-23T14:30:00Z",
        "vcs": {"type": "git", "revision": revision},
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [
            {
                "path": "src/utils/parser.ts",
                "conversations": [
                    {
                        "url": "https://api.cursor.com/v1/conversations/12345",
                        "contributor": {
                            "type": "ai",
                            "model_id": "anthropic/claude-opus-4-5-20251101",
                        },
                        "ranges": [
                            {"start_line": 42, "end_line": 67, "content_hash": "murmur3:9f2e8a1b"}
                        ],
                        "related": [
                            {"type": "session", "url": "https://api.cursor.com/v1/sessions/67890"}
                        ],
                    }
                ],
            },
            {
                "path": "src/utils/helpers.ts",
                "conversations": [
                    {
                        "url": "https://api.cursor.com/v1/conversations/12345",
                        "contributor": {"type": "ai", "model_id": "openai/gpt-4o"},
                        "ranges": [{"start_line": 10, "end_line": 25}],
                    }
                ],
            },
        ],
        "metadata": {"confidence": 0.95, "dev.cursor": {"workspace_id": "ws-abc123"}},
    }


def test_spec_example_record() -> None:
    traces = parse_traces(json.dumps(spec_record("a" * 40)) + "\n", resolve)
    assert traces.skipped_lines == 0
    record = attribution(traces.for_commit("b" * 40, ("a" * 40,)))
    assert record is not None
    assert record.counts() == {AI: 26 + 16, HUMAN: 0, "unknown": 0}
    assert record.ai_tools() == ["cursor"]
    assert traces.for_commit("c" * 40, ("d" * 40,)) == []


def test_range_contributor_overrides_conversation() -> None:
    data = {
        "version": "0.1.0",
        "id": "x",
        "timestamp": "2026-01-01T00:00:00Z",
        "vcs": {"type": "git", "revision": "r"},
        "tool": {"name": "claude-code"},
        "files": [
            {
                "path": "a",
                "conversations": [
                    {
                        "contributor": {"type": "ai"},
                        "ranges": [
                            {"start_line": 1, "end_line": 4},
                            {"start_line": 5, "end_line": 6, "contributor": {"type": "human"}},
                            {"start_line": 7, "end_line": 7, "contributor": {"type": "mixed"}},
                        ],
                    }
                ],
            }
        ],
    }
    traces = parse_traces(json.dumps(data) + "\nnot json\n", resolve)
    assert traces.skipped_lines == 1
    record = attribution(traces.for_commit("r", ()))
    assert record is not None
    assert record.counts() == {AI: 5, HUMAN: 2, "unknown": 0}


def test_trace_file_in_the_repository(repo: Repo) -> None:
    base = repo.commit("base", {"README.md": "x\n"})
    sha = repo.commit(
        "parser",
        {
            "src/utils/parser.ts": "".join(f"{i}\n" for i in range(80)),
            "src/utils/helpers.ts": "".join(f"{i}\n" for i in range(30)),
        },
    )
    repo.write(".agent-trace/traces.jsonl", json.dumps(spec_record(base)) + "\n")
    result = provenance_of_range(repo.path, sha)
    (item,) = result.commits
    assert item.level is Level.ASSISTED
    assert item.tools == ("cursor",)
    assert (item.lines.added, item.lines.ai, item.lines.human, item.lines.unknown) == (
        110,
        42,
        0,
        68,
    )
    assert item.evidence[0].kind == "trace"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_without_error(text: str) -> None:
    traces = parse_traces(text, resolve)
    for record in traces.records:
        attribution([record])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 100) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "files",
                    "path",
                    "conversations",
                    "ranges",
                    "start_line",
                    "end_line",
                    "contributor",
                    "type",
                    "vcs",
                    "revision",
                    "tool",
                    "name",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_shape_parses_without_error(value: object) -> None:
    traces = parse_traces(json.dumps(value), resolve)
    for record in traces.records:
        found = attribution([record])
        assert found is None or all(v >= 0 for v in found.counts().values())


def test_a_record_that_names_a_key_twice_is_skipped_not_half_read() -> None:
    """`"files"` twice: json would keep the last and call lines of the first unknown; the
    record means two things, so it is unreadable."""
    record = json.dumps(spec_record("a" * 40))
    doubled = record[:-1] + ', "files": []}'
    traces = parse_traces(doubled + "\n" + "[" * 100_000 + "\n" + record + "\n", resolve)
    assert traces.skipped_lines == 2 and len(traces.records) == 1
