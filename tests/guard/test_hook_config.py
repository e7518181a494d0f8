"""Agents' settings files and hook answers are outside input: whatever they hold, merging
the guard in and taking it out again behaves, and reading an answer never raises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.guard.hook_config import (
    InstallError,
    agents,
    hook_command,
    installed,
    is_guard_command,
    merged,
    removed,
)
from caution.guard.probes import read_answer

AGENTS = sorted(agents())
OLD_FORMS = [
    "caution guard hook --agent {a}",
    "/home/x/.venv/bin/caution guard hook --agent {a}",
    "'/Users/y z/venv/bin/caution' guard hook --agent {a}",
    "python3 -m caution guard hook --agent={a}",
    'sh "$CLAUDE_PROJECT_DIR/.caution/bin/guard-hook" --agent {a} || exit 2',
]

json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def hook_settings(draw: st.DrawFn, agent: str) -> dict[str, Any]:
    """Settings in the agent's shape, mixing other hooks, the guard's in its old and new
    forms, other agents' guard entries, and junk."""
    spec = agents()[agent]
    commands = st.sampled_from(
        [f.format(a=agent) for f in OLD_FORMS]
        + [hook_command(agent, "project"), "lint.sh", "caution guard hook --agent other", ""]
        + [f"caution guard hook --agent {a}" for a in AGENTS if a != agent]
    )
    key = spec.command_key

    def entry(command: str) -> dict[str, Any]:
        return {"type": "command", key: command}

    hooks: dict[str, Any] = draw(st.dictionaries(st.text(max_size=5), json_value, max_size=2))
    for event in spec.events:
        if not draw(st.booleans()):
            continue
        if spec.layout == "flat":
            items = st.builds(entry, commands) | json_value
        else:
            group = st.fixed_dictionaries(
                {
                    "matcher": st.text(max_size=4),
                    "hooks": st.lists(st.builds(entry, commands), max_size=3),
                }
            )
            items = group | json_value
        hooks[event.name] = draw(st.lists(items, max_size=4))
    out: dict[str, Any] = draw(st.dictionaries(st.text(max_size=5), json_value, max_size=2))
    out.pop("hooks", None)
    if draw(st.booleans()):
        out["hooks"] = hooks
    return out


def _tidy(agent: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` without empty lists of the agent's events and an empty `hooks`: removing the
    guard may leave none of those behind, whether or not they were there before."""
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        names = {e.name for e in agents()[agent].events}
        hooks = {k: v for k, v in hooks.items() if not (k in names and v == [])}
        data = (
            {**data, "hooks": hooks} if hooks else {k: v for k, v in data.items() if k != "hooks"}
        )
    return data


def _ours(agent: str, data: dict[str, Any]) -> list[str]:
    return [f.command for f in installed(agent, data)]


@pytest.mark.parametrize("agent", AGENTS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_merge_and_remove_on_any_settings(agent: str, data: st.DataObject) -> None:
    settings_in = data.draw(hook_settings(agent))
    before = json.dumps(settings_in, sort_keys=True)
    command = hook_command(agent, "project")
    once = merged(agent, settings_in, command)
    assert json.dumps(settings_in, sort_keys=True) == before  # the input is not touched
    assert merged(agent, once, command) == once
    found = installed(agent, once)
    assert {f.event for f in found} == {e.name for e in agents()[agent].events}
    assert [f.command for f in found] == [command] * len(found)
    expected = {**agents()[agent].file_fields, **removed(agent, settings_in)}  # `version` stays
    assert removed(agent, once) == _tidy(agent, expected)
    assert _ours(agent, removed(agent, once)) == []
    text = json.dumps(removed(agent, once))
    assert ("lint.sh" in text) == ("lint.sh" in before)  # other hooks stay


@settings(max_examples=300, deadline=None)
@given(
    settings_in=st.dictionaries(st.text(max_size=6), json_value, max_size=4),
    agent=st.sampled_from(AGENTS),
)
def test_any_json_object_merges_or_is_refused(settings_in: dict[str, Any], agent: str) -> None:
    try:
        once = merged(agent, settings_in, hook_command(agent, "project"))
    except InstallError:
        return
    assert len({f.event for f in installed(agent, once)}) == len(agents()[agent].events)
    removed(agent, once)


@settings(max_examples=300)
@given(
    agent=st.sampled_from(AGENTS),
    prefix=st.sampled_from(["", "/opt/v/bin/", "'/a b/", "python -m "]),
    suffix=st.sampled_from(["", " || exit 2", " 2>/dev/null", "'"]),
    other=st.text(max_size=40),
)
def test_recognising_the_guard_command(agent: str, prefix: str, suffix: str, other: str) -> None:
    quote = "'" if prefix.startswith("'") else ""
    assert is_guard_command(f"{prefix}caution{quote} guard hook --agent {agent}{suffix}", agent)
    assert is_guard_command(f'sh "{other}/guard-hook" --agent {agent}{suffix}', agent)
    assert not is_guard_command(f"caution guard hook --agent {agent}-x", agent)
    for name in AGENTS:
        if name != agent:
            assert not is_guard_command(f"caution guard hook --agent {name}", agent)
    if "guard" not in other:
        assert not is_guard_command(other, agent)


@settings(max_examples=500)
@given(
    agent=st.sampled_from(AGENTS),
    code=st.integers(-5, 300),
    stdout=st.text(max_size=60) | json_value.map(json.dumps),
    stderr=st.text(max_size=30),
)
def test_reading_any_answer(agent: str, code: int, stdout: str, stderr: str) -> None:
    answer = read_answer(agent, code, stdout, stderr)
    assert answer.decision in ("allow", "ask", "deny")
    if code not in (0, 2):
        assert (answer.decision, answer.well_formed) == ("allow", False)
    if code == 2:
        assert answer.decision == "deny"
    if answer.decision == "deny" and code == 0:
        assert "deny" in stdout or "block" in stdout


@pytest.mark.parametrize(
    ("agent", "stdout", "decision"),
    [
        ("claude-code", '{"hookSpecificOutput": {"permissionDecision": "deny"}}', "deny"),
        ("codex", '{"hookSpecificOutput": {"permissionDecision": "ask"}}', "ask"),
        ("cursor", '{"permission": "allow"}', "allow"),
        ("gemini", '{"decision": "block", "reason": "no"}', "deny"),
        ("copilot", '{"permissionDecision": "deny"}', "deny"),
    ],
)
def test_each_protocol_is_read_in_its_own_keys(agent: str, stdout: str, decision: str) -> None:
    answer = read_answer(agent, 0, stdout, "")
    assert (answer.decision, answer.well_formed) == (decision, True)
    other = "cursor" if agent != "cursor" else "gemini"
    assert read_answer(other, 0, stdout, "").well_formed is False
