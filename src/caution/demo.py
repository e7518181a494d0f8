"""The built-in demo: a small shop repository whose history holds the kinds of
changes caution is for — human commits, AI-assisted commits marked in the ways
real tools mark them, an autonomous agent's commit, git-ai line attribution and
an Agent Trace record — so `caution demo` shows every level on a fresh machine."""

from __future__ import annotations

import json
from pathlib import Path

from caution.git.process import run_git

_START = 1_767_225_600  # 2026-01-01T00:00:00Z: fixed dates make the demo reproducible

ALICE = ("Alice Example", "alice@shop.example")
BOB = ("Bob Example", "bob@shop.example")
COPILOT = ("Copilot", "198982749+Copilot@users.noreply.github.com")


def _commit(
    repo: Path, step: int, who: tuple[str, str], message: str, files: dict[str, str]
) -> str:
    for name, content in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        run_git(["add", "--", name], repo)
    when = f"{_START + step * 3600} +0000"
    env = {
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    run_git(["commit", "--quiet", "--no-verify", "-m", message], repo, env=env)
    return run_git(["rev-parse", "HEAD"], repo).decode().strip()


def _lines(count: int, prefix: str) -> str:
    return "".join(f"{prefix} line {i}\n" for i in range(1, count + 1))


def build_sample_repo(repo: Path) -> Path:
    """Create the demo repository at `repo` (which must not exist or be empty)."""
    repo.mkdir(parents=True, exist_ok=True)
    if any(repo.iterdir()):
        raise FileExistsError(f"{repo} is not empty")
    run_git(["init", "--quiet", "--initial-branch=main"], repo)

    _commit(
        repo,
        0,
        ALICE,
        "Start the checkout service",
        {
            "services/checkout/cart.py": _lines(20, "# cart"),
            "README.md": "# shop\n",
        },
    )
    fix = _commit(
        repo,
        1,
        BOB,
        "Fix rounding of cart totals\n\nSigned-off-by: Bob Example <bob@shop.example>\n",
        {
            "services/checkout/cart.py": _lines(22, "# cart"),
        },
    )
    _note(
        repo,
        fix,
        {"services/checkout/cart.py": [("h_5be1c2d7e8f901", "21-22")]},
        {
            "humans": {"h_5be1c2d7e8f901": {"author": "Bob Example <bob@shop.example>"}},
        },
    )
    _commit(
        repo,
        2,
        ALICE,
        "Add coupon support to the cart\n\n"
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n",
        {"services/checkout/coupons.py": _lines(30, "# coupons")},
    )
    run_git(["checkout", "--quiet", "-b", "feature/payments"], repo)
    _commit(
        repo,
        3,
        COPILOT,
        "Retry payment captures on timeout\n\n"
        "Co-authored-by: Bob Example <bob@shop.example>\n"
        "Agent-Logs-Url: https://github.com/shop/shop/sessions/0f9c6c1e-demo\n",
        {"services/payments/capture.py": _lines(40, "# capture")},
    )
    sha = _commit(
        repo,
        4,
        BOB,
        "Log payment failures\n\nAssisted-by: Cursor:claude-sonnet-4-5\n",
        {"services/payments/log.py": _lines(12, "# log")},
    )
    _note(
        repo,
        sha,
        {
            "services/payments/log.py": [
                ("s_c9883b05a2487d::t_9f8e7d6c5b4a32", "1-8"),
                ("h_31dce776f88375", "9-12"),
            ],
        },
        {
            "humans": {"h_31dce776f88375": {"author": "Bob Example <bob@shop.example>"}},
            "sessions": {
                "s_c9883b05a2487d": {
                    "agent_id": {"tool": "cursor", "id": "demo", "model": "claude-sonnet-4-5"},
                    "human_author": "bob@shop.example",
                }
            },
        },
    )
    parent = sha
    trace = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-01T05:30:00Z",
        "vcs": {"type": "git", "revision": parent},
        "tool": {"name": "claude-code", "version": "2.1.0"},
        "files": [
            {
                "path": "services/payments/README.md",
                "conversations": [
                    {
                        "contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5"},
                        "ranges": [{"start_line": 1, "end_line": 3}],
                    }
                ],
            }
        ],
    }
    _commit(
        repo,
        5,
        ALICE,
        "Document the payments retry policy",
        {
            "services/payments/README.md": (
                "Captures are retried three times,\n"
                "with a backoff of 1, 2 and 4 s.\n"
                "Failures are logged.\n"
            ),
            ".agent-trace/traces.jsonl": json.dumps(trace) + "\n",
        },
    )
    return repo


def _note(
    repo: Path, sha: str, files: dict[str, list[tuple[str, str]]], meta: dict[str, object]
) -> None:
    """Attach a git-ai authorship note (authorship/3.0.0) to `sha`."""
    attestation = "".join(
        f"{path}\n" + "".join(f"  {key} {ranges}\n" for key, ranges in entries)
        for path, entries in files.items()
    )
    metadata = {
        "schema_version": "authorship/3.0.0",
        "git_ai_version": "1.4.5",
        "base_commit_sha": sha,
        "prompts": {},
        **meta,
    }
    note = f"{attestation}---\n{json.dumps(metadata, indent=2)}"
    identity = {
        "GIT_AUTHOR_NAME": "git-ai",
        "GIT_AUTHOR_EMAIL": "git-ai@shop.example",
        "GIT_COMMITTER_NAME": "git-ai",
        "GIT_COMMITTER_EMAIL": "git-ai@shop.example",
    }
    run_git(["notes", "--ref=ai", "add", "-m", note, sha], repo, env=identity)
