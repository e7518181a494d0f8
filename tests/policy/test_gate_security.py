"""The gate under attack: each of ../shared/security's gate reproductions as a regression
test, with other shapes of the same class beside it. Real git, real ssh-keygen."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from caution.git.notes import read_notes
from caution.policy.statement import NOTES_REF
from tests.conftest import Repo, cli
from tests.policy.gate_repo import (
    ALICE,
    BOB,
    COPILOT,
    POLICY,
    approve,
    check,
    forge_approval,
    keygen,
    make,
    rule,
    signers,
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("gate-keys")
    return {name: keygen(folder / name) for name in ("alice", "bob", "mallory")}


@pytest.fixture
def gate(repo: Repo, keys: dict[str, Path]) -> Repo:
    return make(repo, keys)


def dated(repo: Repo, message: str, files: dict[str, str], when: str, **kw: object) -> str:
    """A commit whose committer date the attacker chose."""
    for name, content in files.items():
        repo.write(name, content)
    repo.git("add", "-A")
    env = {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    author = kw.get("author", BOB)
    assert isinstance(author, tuple)
    env |= {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
    env |= {"GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1]}
    repo.git("commit", "-q", "--allow-empty", "-m", message, env=env)
    return repo.git("rev-parse", "HEAD")


def merge(repo: Repo, what: str, message: str, when: str, author: tuple[str, str] = BOB) -> None:
    env = {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    env |= {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
    env |= {"GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1]}
    repo.git("merge", "-q", "--no-ff", "-m", message, what, env=env)


def criss_cross(repo: Repo, main_edit: dict[str, str]) -> None:
    """main and feature each merge the other's commit: two merge bases, and the attacker
    dates the commits so that git would pick the one that hides the change."""
    repo.git("checkout", "-q", "-b", "feature")
    b1 = dated(repo, "b1", {"README": "doc\n"}, "2026-01-03T12:00Z")
    repo.git("checkout", "-q", "main")
    a1 = dated(repo, "a1", main_edit, "2026-01-03T00:00Z", author=ALICE)
    repo.git("checkout", "-q", "feature")
    merge(repo, a1, "sync", "2026-01-04T00:00Z")
    repo.git("checkout", "-q", "main")
    merge(repo, b1, "merge b1", "2026-01-04T00:00Z", author=ALICE)
    repo.git("checkout", "-q", "feature")


# --- 1. the change is what the merge would do (c1) ----------------------------------------------


def test_c1_a_deletion_behind_a_second_merge_base_is_seen(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    criss_cross(gate, {"services/checkout/guard.py": "require_admin()\n"})
    gate.git("rm", "-q", "services/checkout/guard.py")
    gate.git("commit", "-q", "-m", "tidy")
    assert len(gate.git("merge-base", "--all", "main", "feature").split()) == 2
    code, report, err = check(capsys, gate, "main..feature")
    assert code == 1, err
    assert rule(report, "checkout")["status"] == "pending"
    assert "services/checkout/guard.py" in rule(report, "checkout")["reason"]  # type: ignore[operator]


def test_a_policy_rollback_behind_a_second_merge_base_needs_approval(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    stricter = POLICY.replace("{name: catch-all}", "{name: catch-all, requires: {count: 2}}")
    criss_cross(gate, {".caution.yml": stricter})
    gate.write(".caution.yml", POLICY)  # the feature quietly restores the old policy
    gate.git("commit", "-q", "-am", "tidy")
    code, report, _ = check(capsys, gate, "main..feature")
    assert code == 1
    assert rule(report, "caution-policy-changes")["status"] == "pending"
    assert rule(report, "catch-all")["missing"] == "2 approvals"  # main's policy judges


def test_an_evil_merge_commit_is_part_of_the_change(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "feature")
    gate.commit("docs", {"README": "doc\n"}, author=BOB)
    gate.git("checkout", "-q", "main")
    gate.commit("more docs", {"docs/a.md": "a\n"}, author=ALICE)
    gate.git("checkout", "-q", "feature")
    gate.git("merge", "-q", "--no-ff", "--no-commit", "main")
    gate.write("services/checkout/app.py", "1\nsteal()\n")  # slipped into the merge itself
    gate.git("add", "-A")
    gate.git("commit", "-q", "-m", "Merge main")
    code, report, _ = check(capsys, gate, "main..feature")
    assert code == 1 and rule(report, "checkout")["status"] == "pending"


def test_an_old_side_branch_merged_into_the_change_is_judged(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agent's branch forked long ago and merged into an innocent-looking change."""
    init = gate.git("rev-parse", "HEAD")
    gate.commit("docs", {"docs/a.md": "a\n"}, author=ALICE)
    gate.git("checkout", "-q", "-b", "agent", init)
    gate.commit("edit CI", {".github/workflows/ci.yml": "on: [push]\n"}, author=COPILOT)
    gate.git("checkout", "-q", "-b", "feature", "main")
    gate.commit("readme", {"README": "x\n"}, author=BOB)
    gate.git("merge", "-q", "--no-ff", "-m", "Merge agent", "agent")
    code, report, _ = check(capsys, gate, "main..feature")
    assert code == 1 and report["decision"] == "blocked"


def test_a_change_that_conflicts_with_its_target_cannot_be_judged(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "feature")
    gate.commit("theirs", {"services/checkout/app.py": "2\n"}, author=BOB)
    gate.git("checkout", "-q", "main")
    gate.commit("ours", {"services/checkout/app.py": "3\n"}, author=ALICE)
    code, _, err = check(capsys, gate, "main..feature")
    assert code == 2
    assert "does not merge cleanly" in err and "services/checkout/app.py" in err
    assert len(err.strip().splitlines()) == 1


def test_a_head_already_in_the_target_is_nothing_to_check(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = check(capsys, gate, "HEAD", "--target", "main")
    assert code == 2 and "already in main" in err


# --- 2. one revision is the change target..REV (c5) ----------------------------------------------


def test_c5_one_revision_is_judged_with_everything_under_it(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "agent")
    gate.commit(
        "agent edits CI",
        {".github/workflows/ci.yml": "on: [pull_request_target]\n"},
        author=COPILOT,
    )
    gate.git("checkout", "-q", "-b", "feature", "main")
    gate.git("merge", "-q", "--no-ff", "-m", "Merge agent", "agent")
    for args in (("main..HEAD",), ("HEAD", "--target", "main"), ("feature",)):
        code, report, err = check(capsys, gate, *args)
        assert (code, report["decision"]) == (1, "blocked"), (args, err)
    gate.git("checkout", "-q", "-b", "two", "agent")
    gate.commit("docs", {"README": "x\n"}, author=BOB)  # a human commit on top
    code, report, _ = check(capsys, gate, "two")
    assert (code, report["decision"]) == (1, "blocked")
    assert report["change"]["commits"] == 2  # type: ignore[index]


# --- 3. files the policy names are read at the target (c2) ---------------------------------------

SLO = "slos:\n  - name: avail\n    objective: {objective}\n    events: ev.json\n"
FROZEN_POLICY = (
    POLICY
    + """\
    - {name: frozen, if: {deploy: {frozen: true}}, message: "budget spent"}
deploy: {budget: {slos: ops/slos.yml, window_days: 28}}
"""
)


def events(rate: float) -> str:
    now = int(time.time()) // 60 * 60
    buckets = [{"end": now - 60 * i, "good": 1000 - 1000 * rate, "total": 1000} for i in range(600)]
    return json.dumps({"buckets": buckets})


def test_c2_the_change_cannot_lift_its_own_freeze(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    make(repo, keys, FROZEN_POLICY)
    repo.commit("slo", {"ops/slos.yml": SLO.format(objective=99.9), "ops/ev.json": events(0.5)})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("docs", {"README": "x\n"}, author=BOB)
    assert check(capsys, repo, "main..HEAD")[1]["decision"] == "blocked"
    repo.commit("lower the objective", {"ops/slos.yml": SLO.format(objective=0.1)}, author=BOB)
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert (code, report["decision"]) == (1, "blocked")
    repo.commit("and the events", {"ops/ev.json": events(0.0)}, author=BOB)
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert (code, report["decision"]) == (1, "blocked")
    assert rule(report, "caution-policy-changes")["status"] == "pending"


def test_uncommitted_events_the_change_adds_are_not_trusted(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Events exported at check time (git-ignored) are read from the work tree, except
    when the change itself commits a file there."""
    make(repo, keys, FROZEN_POLICY)
    repo.commit("slo", {"ops/slos.yml": SLO.format(objective=99.9), ".gitignore": "ops/ev.json\n"})
    repo.write("ops/ev.json", events(0.0))  # the export: healthy
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("docs", {"README": "x\n"}, author=BOB)
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert (code, report["decision"]) == (0, "pass")
    repo.write("ops/ev.json", events(0.0))
    repo.git("add", "-f", "ops/ev.json")
    repo.commit("ship my own events", author=BOB)
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert (code, report["decision"]) == (1, "blocked")
    assert "the change itself adds or edits these SLO events" in rule(report, "frozen")["unknown"]  # type: ignore[operator]


CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations: {{caution.dev/tier: "{tier}"}}
spec: {{type: service, lifecycle: production, owner: team-checkout}}
"""
SENIOR = "requires: {count: 1, roles: [senior]}"
REACH_POLICY = POLICY.replace(
    "    - {name: catch-all}",
    f'    - {{name: tier-0, if: {{reach: {{max_tier: "<= 0"}}}}, {SENIOR}}}\n'
    f'    - {{name: owned, if: {{reach: {{owners_in: ["@shop/checkout"]}}}}, {SENIOR}}}\n'
    "    - {name: catch-all}",
)


@pytest.mark.parametrize(
    ("named_file", "weakened"),
    [
        (
            ".caution.yml",
            {".caution.yml": POLICY.replace("requires: {count: 1, roles: [senior]}", "")},
        ),
        ("roster.allowed_signers", {}),  # the change adds mallory's key as alice: see below
        ("catalog-info.yaml", {"services/checkout/catalog-info.yaml": CATALOG.format(tier=3)}),
        ("reach.catalog", {"catalog/checkout.yaml": CATALOG.format(tier=3)}),
        ("CODEOWNERS", {".github/CODEOWNERS": "* @nobody\n"}),
        ("deploy.budget.slos", {"ops/slos.yml": SLO.format(objective=0.1)}),
        ("deploy.services.*.slos", {"ops/checkout-slos.yml": SLO.format(objective=0.1)}),
        ("SLO events, committed", {"ops/ev.json": events(0.0)}),
    ],
)
def test_every_file_the_policy_names_is_read_at_the_target(
    repo: Repo,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    named_file: str,
    weakened: dict[str, str],
) -> None:
    """For each file the configuration names (or reads by convention), a change that
    weakens it in its own commits, and in the work tree, changes nothing."""
    policy = REACH_POLICY + (
        "    - {name: frozen, if: {deploy: {frozen: true}}, message: budget spent}\n"
        "reach: {catalog: [catalog/*.yaml]}\n"
        "deploy:\n  budget: {slos: ops/slos.yml, window_days: 28}\n"
        "  services: {checkout: {slos: ops/checkout-slos.yml}}\n"
    )
    make(repo, keys, policy)
    catalog_file = (
        "catalog/checkout.yaml"
        if named_file == "reach.catalog"
        else ("services/checkout/catalog-info.yaml")
    )
    repo.commit(
        "setup",
        {
            catalog_file: CATALOG.format(tier=0),
            ".github/CODEOWNERS": "services/checkout/ @shop/checkout\n",
            "ops/slos.yml": SLO.format(objective=99.9),
            "ops/checkout-slos.yml": SLO.format(objective=99.9),
            "ops/ev.json": events(0.5),
        },
        author=ALICE,
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("checkout tweak", {"services/checkout/app.py": "2\n"}, author=BOB)
    _, before, _ = check(capsys, repo, "main..HEAD")
    if named_file == "roster.allowed_signers":
        forged = signers(keys, ("alice", "bob")) + signers(keys, ("mallory",)).replace(
            "mallory@x", "alice@x"
        )
        weakened = {".caution/allowed_signers": forged}
    repo.commit("weaken", weakened, author=BOB)
    for name, content in weakened.items():
        repo.write(name, content + "\n")  # and again in the work tree, uncommitted
    if named_file == "roster.allowed_signers":
        forge_approval(repo, keys["mallory"], "alice@x", repo.git("rev-parse", "HEAD"))
    code, after, _ = check(capsys, repo, "main..HEAD")
    assert code == 1 and after["decision"] == "blocked"
    for name in ("checkout", "tier-0", "owned", "frozen"):
        assert rule(after, name)["status"] == rule(before, name)["status"], name
    assert rule(after, "checkout")["status"] == "pending"
    if named_file in (".caution.yml", "roster.allowed_signers") or "slos" in named_file:
        assert rule(after, "caution-policy-changes")["status"] == "pending"


def test_agent_trace_records_are_read_at_the_head_not_the_work_tree(
    gate: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "feature")
    gate.commit("plain", {"lib.py": "a = 1\n"}, author=BOB)
    head = gate.git("rev-parse", "HEAD")
    record = {
        "vcs": {"type": "git", "revision": head},
        "files": [
            {
                "path": "lib.py",
                "conversations": [
                    {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 1}]}
                ],
            }
        ],
    }
    gate.write(".agent-trace/traces.jsonl", json.dumps(record) + "\n")  # never committed
    _, report, _ = check(capsys, gate, "main..HEAD")
    assert report["change"]["provenance"]["level"] == "unknown"  # type: ignore[index]


# --- 4. spellings of protected paths (c3) --------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "./.caution/allowed_signers",
        ".caution//allowed_signers",
        ".caution/./allowed_signers",
        "docs/../.caution/allowed_signers",
    ],
)
def test_c3_any_spelling_of_the_signers_file_protects_it(
    repo: Repo,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    spelling: str,
) -> None:
    make(repo, keys, POLICY.replace(".caution/allowed_signers", spelling))
    repo.git("checkout", "-q", "-b", "keys")
    with (repo.path / ".caution/allowed_signers").open("a") as handle:
        handle.write(signers(keys, ("mallory",)).replace("mallory@x", "alice@x"))
    repo.commit("rotate", {}, author=BOB)
    repo.git("commit", "-q", "-am", "rotate")
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert code == 1
    assert rule(report, "caution-policy-changes")["status"] == "pending"


@pytest.mark.parametrize("name", [".CAUTION.yml", ".Caution.yml", ".caution/ALLOWED_SIGNERS"])
def test_a_protected_file_in_another_case_is_protected(
    gate: Repo, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """On a case-insensitive checkout these are the policy and the signers file."""
    gate.git("checkout", "-q", "-b", "case")
    gate.commit("case", {name: "version: 1\n"}, author=BOB)
    code, report, _ = check(capsys, gate, "main..HEAD")
    assert code == 1 and rule(report, "caution-policy-changes")["status"] == "pending"


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "a/../../x", ""])
def test_a_signers_path_outside_the_repository_is_refused(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str], path: str
) -> None:
    make(repo, keys, POLICY.replace(".caution/allowed_signers", f'"{path}"'))
    repo.git("checkout", "-q", "-b", "f")
    repo.commit("x", {"README": "x\n"}, author=BOB)
    code, _, err = check(capsys, repo, "main..HEAD")
    assert code == 2 and ".caution.yml:3" in err and "allowed_signers" in err


# --- 5. approvals carry only to the same edits at the same places (c4) ---------------------------


def carried(
    repo: Repo,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    text: str,
    approved_at: int,
    moved_to: int,
) -> dict[str, object]:
    policy = POLICY.replace(
        "requires: {count: 1, roles: [senior]}}",
        "requires: {count: 1, roles: [senior]}, options: {invalidate_on_push: false}}",
    )
    make(repo, keys, policy)
    repo.commit("flags", {"services/checkout/flags.ini": text}, author=ALICE)

    def insert(at: int) -> str:
        lines = text.split("\n")
        lines.insert(at, "skip_payment_check = true")
        return "\n".join(lines)

    repo.git("checkout", "-q", "-b", "dev", "main")
    repo.commit("dev only", {"services/checkout/flags.ini": insert(approved_at)}, author=BOB)
    assert approve(capsys, repo, keys["alice"], "alice@x")[0] == 0
    repo.git("checkout", "-q", "-b", "prod", "main")
    repo.commit("prod", {"services/checkout/flags.ini": insert(moved_to)}, author=BOB)
    return check(capsys, repo, "main..prod")[1]


def test_c4_an_approval_does_not_move_to_the_same_line_elsewhere(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    text = "[dev]\n" + "t = 30\n" * 7 + "[prod]\n" + "t = 30\n" * 7
    report = carried(repo, keys, capsys, text, 4, 12)
    assert report["decision"] == "pending"
    assert rule(report, "checkout")["approvals"] == []  # alice approved another change


def test_nor_inside_sections_longer_than_the_context(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """60 identical lines per section: 20 lines of context are the same either way."""
    text = "[dev]\n" + "t = 30\n" * 60 + "[prod]\n" + "t = 30\n" * 60
    report = carried(repo, keys, capsys, text, 30, 91)
    assert report["decision"] == "pending"


def test_a_rebase_that_moves_the_base_keeps_the_approval(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    policy = POLICY.replace(
        "requires: {count: 1, roles: [senior]}}",
        "requires: {count: 1, roles: [senior]}, options: {invalidate_on_push: false}}",
    )
    make(repo, keys, policy)
    body = "".join(f"line {i}\n" for i in range(100))
    repo.commit("code", {"services/checkout/cart.py": body}, author=ALICE)
    repo.git("checkout", "-q", "-b", "feature")
    edited = body.replace("line 80\n", "line 80\ncoupons = []\n")
    repo.commit("coupons", {"services/checkout/cart.py": edited}, author=BOB)
    assert approve(capsys, repo, keys["alice"], "alice@x")[0] == 0
    repo.git("checkout", "-q", "main")
    moved = body.replace("line 5\n", "line 5\nimport logging\n")  # far above the edit
    repo.commit("logging", {"services/checkout/cart.py": moved}, author=ALICE)
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    code, report, _ = check(capsys, repo, "main..feature")
    assert (code, report["decision"]) == (0, "pass")
    # the target now edits next to the change: the context moved, the approval does not
    repo.git("checkout", "-q", "main")
    repo.commit("near", {"services/checkout/cart.py": moved.replace("line 75\n", "line 75!\n")})
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    code, report, _ = check(capsys, repo, "main..feature")
    assert (code, report["decision"]) == (1, "pending")


# --- 6. a change cannot vouch for itself (h1) ----------------------------------------------------

UNKNOWN_POLICY = POLICY.replace(
    "    - {name: catch-all}",
    "    - {name: catch-all}\n"
    "    - {name: unknown-needs-senior,"
    " if: {provenance: {level_in: [unknown, assisted, autonomous]}},"
    " requires: {count: 1, roles: [senior]}}",
)


def human_trace(revision: str) -> str:
    return "".join(
        json.dumps(
            {
                "vcs": {"type": "git", "revision": revision},
                "files": [
                    {
                        "path": path,
                        "conversations": [
                            {
                                "contributor": {"type": "human"},
                                "ranges": [{"start_line": 1, "end_line": 2}],
                            }
                        ],
                    }
                ],
            }
        )
        + "\n"
        for path in ("lib.py", ".agent-trace/traces.jsonl")
    )


def test_h1_committed_agent_trace_records_do_not_lower_the_level(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    make(repo, keys, UNKNOWN_POLICY)
    repo.git("checkout", "-q", "-b", "f")
    parent = repo.git("rev-parse", "HEAD")
    repo.commit("lib", {"lib.py": "a=1\nb=2\n", ".agent-trace/traces.jsonl": human_trace(parent)})
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert code == 1
    assert report["change"]["provenance"]["level"] == "unknown"  # type: ignore[index]
    assert rule(report, "unknown-needs-senior")["status"] == "pending"


def test_git_ai_notes_anyone_can_write_do_not_lower_it_either(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    make(repo, keys, UNKNOWN_POLICY)
    repo.git("checkout", "-q", "-b", "f")
    head = repo.commit("lib", {"lib.py": "a=1\nb=2\n"}, author=BOB)
    meta = {
        "schema_version": "authorship/3.0.0",
        "humans": {"h_aaaaaaaaaaaaaa": {"author": "Bob <bob@x>"}},
    }
    repo.note("ai", head, "lib.py\n  h_aaaaaaaaaaaaaa 1-2\n---\n" + json.dumps(meta))
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert code == 1 and report["change"]["provenance"]["level"] == "unknown"  # type: ignore[index]
    # a team that trusts its git-ai notes says so on the target, and then they count
    repo.git("checkout", "-q", "main")
    trusting = UNKNOWN_POLICY + "provenance: {trust_human_claims_from: [git-ai]}\n"
    repo.commit("trust git-ai", {".caution.yml": trusting}, author=ALICE)
    repo.git("checkout", "-q", "f")
    repo.git("rebase", "-q", "main")
    repo.note(
        "ai",
        repo.git("rev-parse", "HEAD"),
        "lib.py\n  h_aaaaaaaaaaaaaa 1-2\n---\n" + json.dumps(meta),
    )
    code, report, _ = check(capsys, repo, "main..HEAD")
    assert report["change"]["provenance"]["level"] == "human"  # type: ignore[index]
    assert rule(report, "unknown-needs-senior")["status"] == "skipped"


# --- 7. the agent cannot approve with its human's key (c9, gate side) ----------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"CLAUDECODE": "1"},
        {"GEMINI_CLI": "1"},
        {"CODEX_SANDBOX": "seatbelt"},
        {"CURSOR_AGENT": "1"},
        {"AI_AGENT": "my-agent"},
        {"TERM_PROGRAM": "vscode", "GIT_PAGER": "cat"},
    ],
)
def test_c9_approve_refuses_inside_an_agent_session(
    gate: Repo,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
) -> None:
    gate.git("checkout", "-q", "-b", "agent-work")
    gate.commit(
        "refactor", {"services/checkout/app.py": "send(cards)\n"}, author=("Build", "build@x")
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, said = approve(capsys, gate, keys["alice"], "alice@x")
    assert code == 1 and "session" in said and "never sign approvals" in said
    assert read_notes(gate.path, NOTES_REF) == {}
    for name in env:
        monkeypatch.delenv(name)
    assert approve(capsys, gate, keys["alice"], "alice@x")[0] == 0  # a person's terminal


def test_a_roster_that_requires_security_keys_refuses_other_keys(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    make(
        repo,
        keys,
        POLICY.replace("  allowed_signers:", "  require_security_key: true\n  allowed_signers:"),
    )
    repo.git("checkout", "-q", "-b", "f")
    repo.commit("x", {"services/checkout/app.py": "2\n"}, author=BOB)
    code, said = approve(capsys, repo, keys["alice"], "alice@x")
    assert code == 1 and "hardware security key" in said
    assert check(capsys, repo, "main..HEAD")[0] == 1


# --- 9. notes anyone can write cannot make a check slow or endless -------------------------------


def test_thousands_of_junk_entries_are_capped_and_reported(
    gate: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gate.git("checkout", "-q", "-b", "f")
    head = gate.commit("x", {"services/checkout/app.py": "2\n"}, author=BOB)
    assert approve(capsys, gate, keys["bob"], "bob@x")[0] == 1  # bob wrote it: refused
    assert approve(capsys, gate, keys["alice"], "alice@x")[0] == 0
    real = read_notes(gate.path, NOTES_REF)[head].strip()
    junk = json.loads(real)
    forged = junk["statement"].replace("alice@x", "mallory@x")
    lines = [
        json.dumps({**junk, "statement": forged.replace("approver:", f"approver{n}:")})
        for n in range(2000)
    ]  # 2,000 distinct entries: identical ones are read once anyway
    text = "\n".join([*lines, real]) + "\n"
    gate.note("caution-approvals", head, text)
    code, report, _ = check(capsys, gate, "main..HEAD")
    assert (code, report["decision"]) == (0, "pass")  # alice's approval was read first
    assert any("1981 approval note entries were not read" in n for n in report["notes"])  # type: ignore[union-attr]
    code, out, _ = cli(capsys, "-C", str(gate.path), "check", "main..HEAD")
    assert len(out.splitlines()) < 60
