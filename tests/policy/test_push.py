"""Reading git's hook input (pre-receive, pre-push) and which branches a server protects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.policy.push import (
    Kind,
    PushedRef,
    PushInputError,
    is_protected,
    parse_pre_push,
    parse_pre_receive,
    pre_push_target,
    protected_patterns,
    shadowed_branch,
)

A, B = "a" * 40, "b" * 40
ZERO = "0" * 40

object_ids = st.one_of(
    st.text(alphabet="0123456789abcdef", min_size=40, max_size=40),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
ref_names = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=" "),
    min_size=1,
    max_size=30,
).map(lambda s: f"refs/heads/{s}")


def test_pre_receive_lines() -> None:
    text = f"{A} {B} refs/heads/main\n{ZERO} {B} refs/heads/new\n{A} {ZERO} refs/tags/v1\n"
    updates = parse_pre_receive(text)
    assert [(u.kind, u.branch) for u in updates] == [
        (Kind.update, "main"),
        (Kind.create, "new"),
        (Kind.delete, None),
    ]
    assert parse_pre_receive("") == []


@pytest.mark.parametrize(
    "text",
    [
        f"{A} {B}\n",
        f"{A} {B} refs/heads/main extra\n",
        f"{A}  {B} refs/heads/main\n",
        f"{A} {B} main\n",
        f"{A[:39]} {B} refs/heads/main\n",
        f"{A.upper()} {B} refs/heads/main\n",
        f"{ZERO} {ZERO} refs/heads/main\n",
        f"{A} {'b' * 64} refs/heads/main\n",
        f"{A} {B} refs/heads/ma\tin\n",
        f"{A} {B} refs/heads/main\r\n",
        "\n",
    ],
)
def test_pre_receive_input_that_git_never_writes_is_refused_whole(text: str) -> None:
    with pytest.raises(PushInputError):
        parse_pre_receive(f"{A} {B} refs/heads/ok\n" + text)


@given(st.lists(st.tuples(object_ids, object_ids, ref_names), max_size=5))
def test_pre_receive_round_trip(lines: list[tuple[str, str, str]]) -> None:
    lines = [(o, n[: len(o)].ljust(len(o), "1"), r) for o, n, r in lines]
    lines = [(o, n, r) for o, n, r in lines if not (set(o) == {"0"} and set(n) == {"0"})]
    text = "".join(f"{o} {n} {r}\n" for o, n, r in lines)
    assert [(u.old, u.new, u.ref) for u in parse_pre_receive(text)] == lines


@given(st.text(max_size=400))
def test_pre_receive_parser_raises_only_its_own_error(text: str) -> None:
    try:
        updates = parse_pre_receive(text)
    except PushInputError:
        return
    for update in updates:
        assert update.ref.startswith("refs/")


@given(st.text(max_size=400))
def test_pre_push_parser_raises_only_its_own_error(text: str) -> None:
    try:
        pushed = parse_pre_push(text)
    except PushInputError:
        return
    assert all(len(p.local) in (40, 64) for p in pushed)


def test_pre_push_lines_and_targets() -> None:
    (pushed,) = parse_pre_push(f"refs/heads/feature {A} refs/heads/feature {ZERO}\n")
    target = pre_push_target(pushed, "origin", "main", False)
    assert target is not None
    assert (target.base, target.name, target.direct) == ("refs/remotes/origin/main", "main", False)
    direct = PushedRef("refs/heads/main", A, "refs/heads/main", B)
    assert pre_push_target(direct, "origin", "main", True) == type(target)(B, "main", True)
    fallback = pre_push_target(direct, "origin", "main", False)
    assert fallback is not None and fallback.base == "refs/remotes/origin/main"
    deletion = PushedRef("(delete)", ZERO, "refs/heads/feature", A)
    assert pre_push_target(deletion, "origin", "main", True) is None
    tag = PushedRef("refs/tags/v1", A, "refs/tags/v1", ZERO)
    assert pre_push_target(tag, "origin", "main", True) is None
    with pytest.raises(PushInputError):
        parse_pre_push(f"refs/heads/x {A} refs/heads/x\n")


def test_protected_branches() -> None:
    defaults = protected_patterns([], "trunk")
    assert defaults == ("trunk", "main", "master")
    assert is_protected("main", defaults) and is_protected("trunk", defaults)
    assert not is_protected("feature/main", defaults)  # a name, not a name at any depth
    assert not is_protected("mainline", defaults)
    assert is_protected("MAIN", defaults)  # one file with main on a case-insensitive disk
    configured = protected_patterns(["main", "release/*"], "main")
    assert is_protected("release/2.0", configured)
    assert not is_protected("release/2.0/hotfix", configured)
    assert not is_protected("master", configured)  # the configuration replaces the default
    with pytest.raises(PushInputError, match=r"caution\.protect"):
        protected_patterns(["release/[abc"], None)


@pytest.mark.parametrize(
    ("ref", "shadow"),
    [
        ("refs/tags/main", "main"),
        ("refs/main", "main"),
        ("refs/origin/main", "main"),
        ("refs/tags/origin/main", "main"),
        ("refs/heads/upstream/main", "main"),
        ("refs/remotes/origin/main", "main"),
        ("refs/tags/release/2", "release/2"),
        ("refs/heads/main", None),  # the branch itself
        ("refs/heads/feature", None),
        ("refs/remotes/origin/feature", None),
        ("refs/tags/v1.0", None),
        ("refs/notes/caution-approvals", None),
    ],
)
def test_a_ref_that_git_would_find_by_a_protected_name(ref: str, shadow: str | None) -> None:
    assert shadowed_branch(ref, ("main", "release/*")) == shadow
