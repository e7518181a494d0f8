"""`caution blame`: git blame per line, refined by line-level records."""

from __future__ import annotations

import json

from caution.provenance import Level
from caution.provenance.blame import blame_file
from tests.conftest import Repo


def test_blame_uses_note_of_the_commit_that_wrote_each_line(repo: Repo) -> None:
    repo.commit("human start", {"app.py": "a\nb\n"})
    ai = repo.commit("ai edit", {"app.py": "a\nb\nc\nd\ne\n"})
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": ai,
        "prompts": {},
        "sessions": {
            "s_11111111111111": {"agent_id": {"tool": "codex", "id": "1", "model": "gpt"}}
        },
    }
    repo.note(
        "ai", ai, "app.py\n  s_11111111111111::t_22222222222222 3-4\n---\n" + json.dumps(meta)
    )
    bot = repo.commit(
        "agent line",
        {"app.py": "a\nb\nc\nd\ne\nf\n"},
        author=("Copilot", "198982749+Copilot@users.noreply.github.com"),
    )
    repo.write("app.py", "a\nb\nc\nd\ne\nf\nuncommitted\n")
    lines = blame_file(repo.path, "app.py", None)
    origins = [(item.origin, item.tool, item.level) for item in lines]
    assert origins == [
        ("unknown", None, Level.UNKNOWN),
        ("unknown", None, Level.UNKNOWN),
        ("ai", "codex", Level.ASSISTED),
        ("ai", "codex", Level.ASSISTED),
        ("unknown", "codex", Level.ASSISTED),  # the commit is assisted; this line is not recorded
        ("ai", "copilot", Level.AUTONOMOUS),
        ("unknown", None, Level.UNKNOWN),  # not committed yet
    ]
    assert lines[5].blame.sha == bot
    at_rev = blame_file(repo.path, "app.py", ai)
    assert len(at_rev) == 5


def test_blame_follows_lines_moved_by_later_commits(repo: Repo) -> None:
    ai = repo.commit("ai file", {"m.py": "one\ntwo\n"})
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": ai,
        "prompts": {},
        "sessions": {"s_33333333333333": {"agent_id": {"tool": "claude", "id": "1", "model": "m"}}},
    }
    repo.note("ai", ai, "m.py\n  s_33333333333333::t_4 1-2\n---\n" + json.dumps(meta))
    repo.commit("human header", {"m.py": "header\none\ntwo\n"})
    lines = blame_file(repo.path, "m.py", None)
    assert [item.origin for item in lines] == ["unknown", "ai", "ai"]
    assert lines[1].blame.orig_line == 1 and lines[1].blame.line == 2
