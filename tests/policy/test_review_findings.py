"""What a hostile review of the gate found, each as a test of its class: names that stand in
for the target, diffs the user's configuration could blind, line counts a change could
dilute or vouch for, links on the way to a file, merge commits' own edits, forge logins
that change hands, and inputs that made the gate crash or take minutes."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from caution.policy.change import change_from_provenance
from caution.policy.evaluate import evaluate
from caution.policy.model import Person, Roster
from caution.policy.reviews import parse_reviews, review_approvals
from caution.provenance.classify import _email_of
from caution.provenance.model import CommitProvenance, Level, LineCounts, summarize
from caution.risk.service import RangeRisk, unscored_merges
from tests.conftest import Repo, cli
from tests.policy.gate_repo import ALICE, BOB, POLICY, check, keygen, make, rule
from tests.policy.helpers import ROSTER, make_change, make_config

CLAUDE = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("review-keys")
    return {name: keygen(folder / name) for name in ("alice", "bob")}


@pytest.fixture
def gate(repo: Repo, keys: dict[str, Path]) -> Repo:
    return make(repo, keys)


# --- a ref named like the target never stands in for it ------------------------------------------


@pytest.mark.parametrize("tag", ["main", "origin/main"])
def test_a_tag_named_like_the_target_does_not_replace_it(
    gate: Repo, capsys: pytest.CaptureFixture[str], tag: str
) -> None:
    permissive = "version: 1\npolicy:\n  approval:\n    - {name: anything}\n"
    gate.git("checkout", "-q", "-b", "evil")
    gate.commit("permissive", {".caution.yml": permissive}, author=BOB)
    gate.git("tag", tag)
    gate.commit("steal", {"services/checkout/app.py": "steal()\n"}, author=BOB)
    gate.git("update-ref", "refs/remotes/origin/main", "refs/heads/main")
    for args in (("main..evil",), ("origin/main..evil",), ("evil", "--target", "main")):
        code, report, err = check(capsys, gate, *args)
        assert code == 1, (args, err)
        assert rule(report, "checkout")["status"] == "pending"
        assert rule(report, "caution-policy-changes")["status"] == "pending"


def test_a_tag_is_no_target(gate: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    gate.git("tag", "v1")
    gate.git("checkout", "-q", "-b", "f")
    gate.commit("x", {"README": "x\n"}, author=BOB)
    code, _, err = check(capsys, gate, "v1..f")
    assert code == 2 and "v1 is a tag, not a branch" in err


def test_a_pull_request_whose_base_is_not_the_target_is_refused(
    gate: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = gate.git("rev-parse", "main")
    gate.git("checkout", "-q", "-b", "other")
    gate.commit("elsewhere", {"docs/x.md": "x\n"}, author=BOB)
    elsewhere = gate.git("rev-parse", "HEAD")
    gate.git("checkout", "-q", "-b", "f", base)
    gate.commit("x", {"README": "x\n"}, author=BOB)
    event = {"pull_request": {"number": 3, "head": {"sha": gate.git("rev-parse", "HEAD")},
                              "base": {"ref": "main", "sha": elsewhere}}}  # fmt: skip
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
    code, _, err = check(capsys, gate, "main..f")
    assert code == 2 and "is not the pull request's base" in err


# --- diffs the user's configuration or the change's .gitmodules cannot blind ----------------------


def test_a_gitlink_under_a_protected_path_is_seen_whatever_ignores_it(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "sub")
    sha = gate.git("rev-parse", "HEAD")
    modules = '[submodule "pay"]\n\tpath = services/checkout/pay\n\turl = ./x\n\tignore = all\n'
    gate.write(".gitmodules", modules)
    gate.git("update-index", "--add", "--cacheinfo", f"160000,{sha},services/checkout/pay")
    gate.git("add", ".gitmodules")
    gate.git("commit", "-q", "-m", "vendor pay")
    gate.git("config", "diff.ignoreSubmodules", "all")
    gate.git("config", "diff.interHunkContext", "5")  # also made the patch reader crash
    gate.git("config", "diff.submodule", "log")
    code, report, err = check(capsys, gate, "main..sub")
    assert code == 1, err
    assert "services/checkout/pay" in rule(report, "checkout")["reason"]  # type: ignore[operator]


# --- the AI share of lines: the merge result's lines, and only trusted claims lower it ------------


def test_the_ai_share_cannot_be_lowered_by_records_the_change_writes(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy = POLICY.replace(
        "    - {name: catch-all}",
        "    - {name: mostly-ai, if: {provenance: {ai_fraction: '> 0.5'}},"
        " requires: {count: 1, roles: [senior]}}\n    - {name: catch-all}",
    )
    make(repo, keys, policy)
    repo.git("checkout", "-q", "-b", "f")
    lines = "".join(f"x{i} = {i}\n" for i in range(40))
    head = repo.commit("ai" + CLAUDE, {"lib.py": lines}, author=BOB)
    unknown_lines = {
        "contributor": {"type": "unknown"},
        "ranges": [{"start_line": 1, "end_line": 40}],
    }
    trace = {"vcs": {"type": "git", "revision": head},
             "files": [{"path": "lib.py", "conversations": [unknown_lines]}]}  # fmt: skip
    repo.commit(
        "trace" + CLAUDE, {".agent-trace/traces.jsonl": json.dumps(trace) + "\n"}, author=BOB
    )
    repo.note("ai", head, "---\n{}")  # an empty git-ai note anyone could push
    code, report, _ = check(capsys, repo, "main..f")
    assert code == 1 and rule(report, "mostly-ai")["status"] == "pending"


def _counted(level: str, added: int, ai: int | None = None, trusted: bool = False,
             merge: bool = False) -> CommitProvenance:  # fmt: skip
    base = make_change(level=level, files={"a.py": (added, 0)}).provenance.commits[0]
    commit = replace(base.commit, parents=("a" * 40, "b" * 40) if merge else base.commit.parents)
    return CommitProvenance(commit, Level(level), (), (), LineCounts(added, ai, trusted=trusted))


@pytest.mark.parametrize(
    ("items", "additions", "expected"),
    [
        ([_counted("assisted", 40)], 40, 1.0),
        # padding: 1,000 human lines added and then deleted leave the 40 AI lines all
        ([_counted("assisted", 40), _counted("unknown", 1000), _counted("unknown", 0)], 40, 1.0),
        ([_counted("assisted", 40, ai=0)], 40, 1.0),  # an untrusted record lowers nothing
        ([_counted("assisted", 40, ai=10, trusted=True)], 40, 0.25),
        ([_counted("unknown", 40, ai=30)], 40, 0.75),  # any record may raise it
        ([_counted("unknown", 20), _counted("assisted", 0, merge=True)], 40, None),
        ([_counted("unknown", 20), _counted("unknown", 0, merge=True)], 20, 0.0),
    ],
)
def test_the_ai_share_is_an_upper_bound_over_what_merges(
    items: list[CommitProvenance], additions: int, expected: float | None
) -> None:
    change = change_from_provenance(summarize("t..h", items), "h" * 40, "main")
    assert replace(change, additions=additions).ai_fraction == expected


# --- a link on the way to the SLO events ----------------------------------------------------------


def test_events_reached_through_a_link_the_change_commits_are_not_read(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy = POLICY + (
        "    - {name: frozen, if: {deploy: {frozen: true}}, message: frozen}\n"
        "deploy: {budget: {slos: ops/slos.yml}}\n"
    )
    make(repo, keys, policy)
    slos = "slos: [{name: a, objective: 99.9, events: data/ev.json}]\n"
    repo.commit("slo", {"ops/slos.yml": slos, ".gitignore": "ops/data/\n"}, author=ALICE)
    repo.git("checkout", "-q", "-b", "f")
    now = int(time.time()) // 60 * 60
    good = {"buckets": [{"end": now - 60 * i, "good": 1000, "total": 1000} for i in range(600)]}
    repo.write("fake/ev.json", json.dumps(good))
    (repo.path / "ops" / "data").symlink_to("../fake")
    repo.git("add", "-f", "ops/data", "fake/ev.json")
    repo.commit("link the events", author=BOB)
    code, report, _ = check(capsys, repo, "main..f")
    assert code == 1 and report["decision"] == "blocked"
    assert "ops/data" in rule(report, "frozen")["unknown"]  # type: ignore[operator]


# --- a merge commit's own edits: risk cannot score them -------------------------------------------


def test_merges_with_edits_of_their_own_are_unscored(gate: Repo) -> None:
    gate.git("checkout", "-q", "-b", "side")
    gate.commit("side", {"docs/a.md": "a\n"}, author=BOB)
    gate.git("checkout", "-q", "-b", "f", "main")
    gate.commit("one line", {"README": "x\n"}, author=BOB)
    gate.git("merge", "-q", "--no-ff", "-m", "clean", "side")
    clean = gate.git("rev-parse", "HEAD")
    gate.git("checkout", "-q", "-b", "side2", "main")
    gate.commit("side2", {"docs/b.md": "b\n"}, author=BOB)
    gate.git("checkout", "-q", "f")
    gate.git("merge", "-q", "--no-ff", "--no-commit", "side2")
    gate.write("services/checkout/app.py", "".join(f"{i}\n" for i in range(3600)))
    gate.git("add", "-A")
    gate.git("commit", "-q", "-m", "evil")
    evil = gate.git("rev-parse", "HEAD")
    assert unscored_merges(gate.path, "main..f") == (evil,)
    assert clean not in unscored_merges(gate.path, "main..f")


def test_an_unscored_merge_makes_the_risk_unknown_unless_a_score_already_holds() -> None:
    config = make_config(
        ROSTER + "policy:\n  approval:\n    - {name: risky, if: {risk: {percentile: '>= 90'}},"
        " requires: {count: 1}}\n    - {name: rest}\n"
    )
    change = make_change()
    change.facts["risk"] = RangeRisk([], "ensemble", "", "x", ("e" * 40,))
    (risky, _) = evaluate(config.policy, change, config.roster, ()).rules
    assert risky.status == "pending" and "merge commit eeeeeeeeee" in (risky.unknown or "")


# --- forge accounts are pinned by number ---------------------------------------------------------


def test_a_renamed_login_taken_by_someone_else_does_not_count() -> None:
    payload = [{"id": 1, "user": {"login": "alice-gh", "id": 6666, "type": "User"},
                "state": "APPROVED", "commit_id": "c" * 40}]  # fmt: skip
    pinned = Roster(
        (Person("alice", ("alice@x",), ("senior",), github="alice-gh", github_id=1001),)
    )
    (approval,) = review_approvals(parse_reviews(payload), pinned, "main", None)
    assert not approval.valid and "account 6666, not the roster's 1001" in approval.reason
    payload[0]["user"]["id"] = 1001  # type: ignore[index]
    (approval,) = review_approvals(parse_reviews(payload), pinned, "main", None)
    assert approval.valid


# --- inputs that crashed the gate or took minutes -------------------------------------------------


def test_a_coauthor_trailer_of_many_spaces_is_read_in_one_pass() -> None:
    assert _email_of("a" + " " * 300_000 + "b") == ""
    assert _email_of("Claude <noreply@anthropic.com>") == "noreply@anthropic.com"
    assert _email_of("x <a<b>") == "b"


def test_a_package_named_like_the_standard_library_does_not_crash_check(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "f")
    gate.commit("os", {"os/__init__.py": "import json\n", "json/__init__.py": ""}, author=BOB)
    code, _, err = cli(capsys, "-C", str(gate.path), "check", "main..f", "-f", "json")
    assert code in (0, 1) and "Traceback" not in err
    assert import_sys_still_works()


def import_sys_still_works() -> bool:
    import json as again
    import os as os_again

    return again.dumps({}) == "{}" and os_again.sep == "/"


def test_many_hunks_in_a_repetitive_file_finish_and_carry_nothing(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f"UNIQUE {i}\n" if i % 50 == 0 else "same\n" for i in range(100_000))
    gate.commit("big", {"services/checkout/data.txt": body}, author=ALICE)
    gate.git("checkout", "-q", "-b", "f")
    edited = "".join(f"CHANGED {i}\n" if i % 50 == 0 else "same\n" for i in range(100_000))
    gate.commit("edit every unique line", {"services/checkout/data.txt": edited}, author=BOB)
    code, report, _ = check(capsys, gate, "main..f")
    assert code == 1 and report["decision"] == "pending"


def test_names_from_git_cannot_write_to_the_terminal_or_the_ci_log(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "f")
    name = "services/checkout/a\n::notice title=caution::PASS \x1b[2K"
    gate.commit("x", {name: "x\n"}, author=BOB)
    code, out, _ = cli(capsys, "-C", str(gate.path), "check", "main..f")
    assert code == 1
    assert "\x1b" not in out and not any(line.startswith("::") for line in out.splitlines())
