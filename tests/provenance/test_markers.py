"""Every marker the catalogue promises, and the negatives that must not match,
classified from commits in a real repository."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from caution.provenance import Level, provenance_of_range
from caution.provenance.markers import MarkerError, default_catalog, parse_catalog
from tests.conftest import Repo

HUMAN = ("Dana Developer", "dana@shop.example")


@dataclass(frozen=True)
class Case:
    name: str
    level: Level
    tools: tuple[str, ...]
    message: str = ""
    author: tuple[str, str] = HUMAN
    committer: tuple[str, str] | None = None


CASES = [
    # --- Claude Code
    Case(
        "claude co-author",
        Level.ASSISTED,
        ("claude-code",),
        "Co-Authored-By: Claude <noreply@anthropic.com>",
    ),
    Case(
        "claude co-author with model",
        Level.ASSISTED,
        ("claude-code",),
        "Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>",
    ),
    Case(
        "claude footer only",
        Level.ASSISTED,
        ("claude-code",),
        "Body.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)",
    ),
    Case(
        "claude session trailer",
        Level.ASSISTED,
        ("claude-code",),
        "Claude-Session: https://claude.ai/code/session_01Tr2R4N4UeJ9Kt8qHeAAybm",
    ),
    Case(
        "claude web author",
        Level.AUTONOMOUS,
        ("claude-code",),
        "",
        ("Claude", "noreply@anthropic.com"),
    ),
    Case(
        "claude github app",
        Level.AUTONOMOUS,
        ("claude-code",),
        "",
        ("claude[bot]", "41898282+claude[bot]@users.noreply.github.com"),
    ),
    # --- Copilot
    Case(
        "copilot coding agent",
        Level.AUTONOMOUS,
        ("copilot",),
        "",
        ("Copilot", "198982749+Copilot@users.noreply.github.com"),
    ),
    Case(
        "copilot swe agent login",
        Level.AUTONOMOUS,
        ("copilot",),
        "",
        ("copilot-swe-agent[bot]", "198982749+copilot-swe-agent[bot]@users.noreply.github.com"),
    ),
    Case(
        "copilot cli co-author",
        Level.ASSISTED,
        ("copilot",),
        "Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>",
    ),
    # --- Codex
    Case(
        "codex co-author", Level.ASSISTED, ("codex",), "Co-authored-by: Codex <noreply@openai.com>"
    ),
    Case(
        "codex connector",
        Level.AUTONOMOUS,
        ("codex",),
        "",
        (
            "chatgpt-codex-connector[bot]",
            "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
        ),
    ),
    Case(
        "openai codex bot",
        Level.AUTONOMOUS,
        ("codex",),
        "",
        ("openai-codex[bot]", "215057067+openai-codex[bot]@users.noreply.github.com"),
    ),
    # --- Cursor
    Case(
        "cursor agent author",
        Level.AUTONOMOUS,
        ("cursor",),
        "",
        ("Cursor Agent", "cursoragent@cursor.com"),
    ),
    Case(
        "cursor bot",
        Level.AUTONOMOUS,
        ("cursor",),
        "",
        ("cursor[bot]", "206951365+cursor[bot]@users.noreply.github.com"),
    ),
    Case("cursor made-with", Level.ASSISTED, ("cursor",), "Made-with: Cursor"),
    Case(
        "cursor co-author",
        Level.ASSISTED,
        ("cursor",),
        "Co-authored-by: Cursor <cursoragent@cursor.com>",
    ),
    # --- Aider
    Case(
        "aider author name",
        Level.ASSISTED,
        ("aider",),
        "",
        ("Dana Developer (aider)", "dana@shop.example"),
    ),
    Case(
        "aider committer name",
        Level.ASSISTED,
        ("aider",),
        "",
        HUMAN,
        ("Dana Developer (aider)", "dana@shop.example"),
    ),
    Case(
        "aider email",
        Level.ASSISTED,
        ("aider",),
        "Co-authored-by: aider (gpt-4o) <aider@aider.chat>",
    ),
    Case(
        "aider noreply email",
        Level.ASSISTED,
        ("aider",),
        "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>",
    ),
    # --- Devin, Jules, OpenHands
    Case(
        "devin bot",
        Level.AUTONOMOUS,
        ("devin",),
        "",
        (
            "devin-ai-integration[bot]",
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
        ),
    ),
    Case(
        "jules bot",
        Level.AUTONOMOUS,
        ("jules",),
        "",
        ("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"),
    ),
    Case(
        "openhands author",
        Level.AUTONOMOUS,
        ("openhands",),
        "",
        ("openhands", "openhands@all-hands.dev"),
    ),
    Case(
        "openhands co-author",
        Level.ASSISTED,
        ("openhands",),
        "Co-authored-by: openhands <openhands@all-hands.dev>",
    ),
    # --- Amp, Replit
    Case("amp author", Level.AUTONOMOUS, ("amp",), "", ("Amp", "amp@ampcode.com")),
    Case(
        "amp thread",
        Level.ASSISTED,
        ("amp",),
        "Amp-Thread-ID: https://ampcode.com/threads/T-0199-abcd\n"
        "Co-authored-by: Amp <amp@ampcode.com>",
    ),
    Case(
        "replit agent",
        Level.AUTONOMOUS,
        ("replit",),
        "Replit-Commit-Author: Agent\nReplit-Commit-Session-Id: 3a1b",
    ),
    Case("replit assistant", Level.ASSISTED, ("replit",), "Replit-Commit-Author: Assistant"),
    # --- the rest of the catalogue
    Case("cline", Level.ASSISTED, ("cline",), "Co-Authored-By: Cline <noreply@cline.bot>"),
    Case(
        "continue",
        Level.ASSISTED,
        ("continue",),
        "Generated with [Continue](https://continue.dev)\n\n"
        "Co-Authored-By: Continue <noreply@continue.dev>",
    ),
    Case(
        "cody",
        Level.AUTONOMOUS,
        ("cody",),
        "",
        ("sourcegraph-cody[bot]", "201248094+sourcegraph-cody[bot]@users.noreply.github.com"),
    ),
    Case(
        "jetbrains junie",
        Level.ASSISTED,
        ("jetbrains-ai",),
        "Co-authored-by: Junie <junie@jetbrains.com>",
    ),
    Case(
        "amazon q",
        Level.AUTONOMOUS,
        ("amazon-q",),
        "",
        ("amazon-q-developer[bot]", "208079219+amazon-q-developer[bot]@users.noreply.github.com"),
    ),
    Case(
        "gemini code assist",
        Level.ASSISTED,
        ("gemini",),
        "Co-authored-by: gemini-code-assist[bot] "
        "<176961590+gemini-code-assist[bot]@users.noreply.github.com>",
    ),
    Case("windsurf", Level.AUTONOMOUS, ("windsurf",), "", ("Cascade", "cascade@windsurf.dev")),
    Case(
        "qwen code",
        Level.ASSISTED,
        ("qwen-code",),
        "Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>",
    ),
    # --- tool-neutral trailers
    Case(
        "assisted-by known agent",
        Level.ASSISTED,
        ("claude-code",),
        "Assisted-by: Claude:claude-3-opus coccinelle sparse",
    ),
    Case(
        "assisted-by unlisted agent", Level.ASSISTED, ("other",), "Assisted-by: Tabnine:tabnine-pro"
    ),
    # --- negatives: people and words, not tools
    Case("human named claude", Level.UNKNOWN, (), "", ("Claude Monet", "claude@monet.example")),
    Case("human named devin", Level.UNKNOWN, (), "", ("Devin Townsend", "devin@example.com")),
    Case("bot display name only", Level.UNKNOWN, (), "", ("Copilot", "copilot@shop.example")),
    Case(
        "cursor word",
        Level.UNKNOWN,
        (),
        "Fix the database cursor leak and continue paging\n\nThe copilot of the plane.",
    ),
    Case("human co-author", Level.UNKNOWN, (), "Co-authored-by: Erin Engineer <erin@shop.example>"),
    Case(
        "bare noreply co-author",
        Level.UNKNOWN,
        (),
        "Co-authored-by: Frank <12345+frank@users.noreply.github.com>",
    ),
    Case(
        "bare noreply author",
        Level.UNKNOWN,
        (),
        "",
        ("Frank", "12345+frank@users.noreply.github.com"),
    ),
    Case("curl style human helper", Level.UNKNOWN, (), "Assisted-by: Jay Satiro"),
    Case("signed off only", Level.UNKNOWN, (), "Signed-off-by: Dana Developer <dana@shop.example>"),
    Case(
        "trailer-looking prose",
        Level.UNKNOWN,
        (),
        "We talked about it.\nCo-authored-by: Claude <noreply@anthropic.com> was wrong here",
    ),
    Case(
        "generated-by unknown script",
        Level.UNKNOWN,
        (),
        "Generated-by: openstack/project-config:roles/tools/add_release_note_page.sh",
    ),
]


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    repo = Repo.init(tmp_path_factory.mktemp("markers") / "repo")
    for index, case in enumerate(CASES):
        message = case.name + ("\n\n" + case.message + "\n" if case.message else "\n")
        repo.commit(
            message,
            {f"f{index}.txt": f"{index}\n"},
            author=case.author,
            committer=case.committer,
        )
    result = provenance_of_range(repo.path, "HEAD", reachable=True)
    return {item.commit.subject: item for item in result.commits}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_marker_case(case: Case, classified: dict[str, object]) -> None:
    item = classified[case.name]
    assert item.level is case.level, item.evidence  # type: ignore[attr-defined]
    assert item.tools == case.tools  # type: ignore[attr-defined]


def test_mentions_are_low_evidence_that_never_raise_the_level(
    classified: dict[str, object],
) -> None:
    item = classified["cursor word"]
    assert item.level is Level.UNKNOWN  # type: ignore[attr-defined]
    assert all(e.confidence == "low" for e in item.evidence)  # type: ignore[attr-defined]


def test_catalogue_covers_every_tool_the_product_names() -> None:
    catalog = default_catalog()
    named = {
        "claude-code",
        "copilot",
        "codex",
        "cursor",
        "aider",
        "devin",
        "jules",
        "openhands",
        "amp",
        "replit",
        "cline",
        "continue",
        "cody",
        "jetbrains-ai",
        "amazon-q",
        "gemini",
        "windsurf",
        "qwen-code",
        "other",
    }
    assert named <= set(catalog.tools)
    covered = {m.tool for m in catalog.markers}
    assert named <= covered
    for marker in catalog.markers:
        assert marker.source and marker.description, marker.id


def test_catalogue_errors_name_the_marker() -> None:
    base = {
        "tools": {"x": "X"},
        "marker": [
            {
                "id": "x.one",
                "tool": "x",
                "kind": "identity",
                "match": "identity",
                "pattern": "(",
                "level": "assisted",
                "confidence": "high",
                "source": "test",
            }
        ],
    }
    with pytest.raises(MarkerError, match=r"x\.one: bad pattern"):
        parse_catalog(base)
    base["marker"][0]["pattern"] = "a"  # type: ignore[index]
    base["marker"][0]["tool"] = "nope"  # type: ignore[index]
    with pytest.raises(MarkerError, match="unknown tool"):
        parse_catalog(base)
