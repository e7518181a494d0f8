"""The gate where teams enforce it: shallow CI clones, pull-request merge commits, targets
known only as origin/NAME, approvals that travel between clones, and forge reviews. Real
bare repositories as `origin`, real clones, real ssh-keygen."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest

from caution.policy.model import Person, Roster
from caution.policy.reviews import parse_reviews, review_approvals
from tests.conftest import Repo, cli
from tests.policy.gate_repo import ALICE, BOB, approve, keygen, rule, signers

DATA = Path(__file__).parent.parent / "data"
CLAUDE = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
POLICY = """\
version: 1
repository: shop/monorepo
roster:
  allowed_signers: .caution/allowed_signers
  people:
    alice: {emails: [alice@x], roles: [senior], github: octo-alice, gitlab: alice}
    dave: {emails: [dave@x], roles: [senior], github: dave}
    bob: {emails: [bob@x], github: bob-gh, gitlab: bob}
policy:
  approval:
    - name: ai-needs-a-senior
      if: {provenance: {level_in: [unknown, assisted, autonomous]}}
      requires: {count: %d, roles: [senior]}
    - {name: catch-all}
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ci-keys")
    return {name: keygen(folder / name) for name in ("alice", "bob", "dave")}


def run(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


@pytest.fixture
def origin(tmp_path: Path, repo: Repo, keys: dict[str, Path]) -> Path:
    """A bare `origin` with main (the policy) and feature: an AI-assisted commit under a
    human one, the shape a shallow clone used to pass."""
    policy = POLICY % 1
    repo.commit(
        "init",
        {
            ".caution.yml": policy,
            ".caution/allowed_signers": signers(keys, ("alice", "bob", "dave")),
        },
        author=ALICE,
    )
    for n in range(3):
        repo.commit(f"main {n}", {f"docs/{n}.md": f"{n}\n"}, author=ALICE)
    repo.git("checkout", "-q", "-b", "feature", "HEAD~1")
    repo.commit("Add coupons" + CLAUDE, {"coupons.py": "coupons = []\n"}, author=BOB)
    repo.commit("Tidy", {"README": "x\n"}, author=BOB)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    return bare


def shallow_ci_clone(origin: Path, where: Path) -> Path:
    """What GitHub Actions and GitLab do by default: one commit deep."""
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", where],
        check=True,
    )
    run(where, "fetch", "-q", "--depth", "1", "origin", "+refs/heads/main:refs/remotes/origin/main")
    return where


# --- 1. never judge incomplete history ----------------------------------------------------------


def test_a_shallow_ci_clone_deepens_and_never_passes(
    origin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = shallow_ci_clone(origin, tmp_path / "ci")
    code, out, err = cli(capsys, "-C", str(clone), "check", "origin/main..HEAD", "-f", "json")
    assert code == 1, err
    report = json.loads(out)
    assert report["decision"] == "pending"
    assert report["change"]["commits"] == 2
    assert report["change"]["provenance"]["level"] == "assisted"
    assert any("the clone was shallow" in note for note in report["notes"])
    assert "fetching" in err  # it says what it does


def test_a_shallow_clone_that_may_not_fetch_exits_2(
    origin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = shallow_ci_clone(origin, tmp_path / "ci")
    code, out, err = cli(capsys, "-C", str(clone), "check", "origin/main..HEAD", "--no-deepen")
    assert (code, out) == (2, "")
    assert "history is shallow" in err and "fetch-depth: 0" in err
    assert len(err.strip().splitlines()) == 1
    run(clone, "remote", "remove", "origin")  # no remote: nothing to deepen from
    code, _, err = cli(capsys, "-C", str(clone), "check", "refs/remotes/origin/main..HEAD")
    assert code == 2 and "shallow" in err


def test_provenance_and_reach_refuse_a_shallow_range(
    origin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = shallow_ci_clone(origin, tmp_path / "ci")
    for command in ("provenance", "reach"):
        code, _, err = cli(capsys, "-C", str(clone), command, "origin/main..HEAD")
        assert code == 2 and "history is shallow" in err, command
    code, _, err = cli(capsys, "-C", str(clone), "provenance", "HEAD")
    assert code == 2 and "whose parents are missing" in err


def test_grafted_history_is_refused(
    origin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "full"
    subprocess.run(["git", "clone", "-q", "--branch", "feature", str(origin), clone], check=True)
    grafts = clone / ".git" / "info" / "grafts"
    grafts.parent.mkdir(exist_ok=True)
    grafts.write_text(run(clone, "rev-parse", "HEAD") + "\n")  # HEAD loses its parents
    code, _, err = cli(capsys, "-C", str(clone), "check", "origin/main..HEAD")
    assert code == 2 and "grafted" in err


# --- 3. pull requests, targets, approvals that travel --------------------------------------------


def test_target_found_only_on_the_remote_and_approvals_name_the_branch(
    origin: Path, tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--branch", "feature", str(origin), clone], check=True)
    assert run(clone, "branch", "--list", "main") == ""  # only origin/main
    work = Repo(clone)
    code, said = approve(capsys, work, keys["alice"], "alice@x", "HEAD", "--target", "main")
    assert code == 0, said
    code, out, err = cli(capsys, "-C", str(clone), "check", "--target", "main", "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["change"]["target"] == "main"
    assert any("using origin/main" in note for note in report["notes"])


def pull_request_merge(origin: Path, where: Path, head: str) -> tuple[Path, dict[str, object]]:
    """A checkout of GitHub's synthetic merge commit (refs/pull/N/merge): the PR head
    merged into the base, HEAD detached; and the event GitHub writes for the job."""
    subprocess.run(["git", "clone", "-q", str(origin), where], check=True)
    base = run(where, "rev-parse", "origin/main")
    run(where, "checkout", "-q", "--detach", base)
    env = {
        "GIT_AUTHOR_NAME": "GitHub",
        "GIT_AUTHOR_EMAIL": "noreply@github.com",
        "GIT_COMMITTER_NAME": "GitHub",
        "GIT_COMMITTER_EMAIL": "noreply@github.com",
    }
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", f"Merge {head} into {base}", head],
        cwd=where,
        env={**os.environ, **env},
        check=True,
    )
    event = {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "head": {"ref": "feature", "sha": head},
            "base": {"ref": "main", "sha": base},
        },
    }
    return where, event


def github_env(tmp_path: Path, event: dict[str, object]) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "feature",
    }


def test_a_pull_request_merge_commit_is_judged_by_its_head(
    origin: Path,
    tmp_path: Path,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = run(origin, "rev-parse", "feature")
    dev = tmp_path / "dev"
    subprocess.run(["git", "clone", "-q", "--branch", "feature", str(origin), dev], check=True)
    assert approve(capsys, Repo(dev), keys["alice"], "alice@x", "HEAD", "--target", "main")[0] == 0
    run(dev, "push", "-q", "origin", "refs/notes/caution-approvals")

    clone, event = pull_request_merge(origin, tmp_path / "ci", head)
    run(clone, "fetch", "-q", "origin", "refs/notes/*:refs/notes/*")
    for name, value in github_env(tmp_path, event).items():
        monkeypatch.setenv(name, value)
    code, out, err = cli(capsys, "-C", str(clone), "check", "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["change"]["head"] == head
    assert any("github pull request #7's merge commit" in n for n in report["notes"])
    assert rule(report, "ai-needs-a-senior")["status"] == "approved"
    # the same without the event: a two-parent HEAD whose first parent is the target tip
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name)
    code, out, _ = cli(capsys, "-C", str(clone), "check", "origin/main..HEAD", "-f", "json")
    assert code == 0 and json.loads(out)["change"]["head"] == head


def test_a_merge_commit_that_adds_its_own_edits_is_judged_as_it_is(
    origin: Path, tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = run(origin, "rev-parse", "feature")
    clone, _ = pull_request_merge(origin, tmp_path / "ci", head)
    (clone / "evil.py").write_text("steal()\n")
    run(clone, "add", "evil.py")
    run(clone, "commit", "-q", "--amend", "--no-edit")  # the merge commit now adds a file
    code, out, _ = cli(capsys, "-C", str(clone), "check", "origin/main..HEAD", "-f", "json")
    report = json.loads(out)
    assert code == 1 and report["change"]["head"] == run(clone, "rev-parse", "HEAD")
    assert report["change"]["files"] == 3  # coupons.py, README and the merge's own evil.py


def reviews(login: str, state: str, commit: str) -> dict[str, object]:
    payload = json.loads((DATA / "github" / "pull-request-review-items.json").read_text())
    review = copy.deepcopy(payload[0])
    review["user"]["login"], review["state"], review["commit_id"] = login, state, commit
    return review


def test_a_forge_review_counts_for_the_head_only(
    origin: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = run(origin, "rev-parse", "feature")
    older = run(origin, "rev-parse", "feature~1")
    clone, event = pull_request_merge(origin, tmp_path / "ci", head)
    for name, value in github_env(tmp_path, event).items():
        monkeypatch.setenv(name, value)
    cases = [
        ([reviews("octo-alice", "APPROVED", head)], 0),
        ([reviews("octo-alice", "APPROVED", older)], 1),  # a review of an older commit
        (
            [
                reviews("octo-alice", "APPROVED", head),
                reviews("octo-alice", "CHANGES_REQUESTED", head),
            ],
            1,
        ),
        ([reviews("octo-alice", "DISMISSED", head)], 1),
        ([reviews("bob-gh", "APPROVED", head)], 1),  # bob wrote the change, and is no senior
        ([reviews("stranger", "APPROVED", head)], 1),
        ([reviews("dependabot[bot]", "APPROVED", head)], 1),
    ]
    for payload, expected in cases:
        path = tmp_path / "reviews.json"
        path.write_text(json.dumps(payload))
        code, out, err = cli(
            capsys, "-C", str(clone), "check", "--reviews", str(path), "-f", "json"
        )
        assert code == expected, (payload[-1]["user"]["login"], payload[-1]["state"], err)
        approvals = rule(json.loads(out), "ai-needs-a-senior")["approvals"]
        assert all(a["source"] == "forge" for a in approvals)  # type: ignore[union-attr]


def test_the_documented_payloads_parse() -> None:
    github_file = DATA / "github" / "pull-request-review-items.json"
    github = parse_reviews(json.loads(github_file.read_text()))
    assert [(r.login, r.state, r.commit) for r in github] == [
        ("octocat", "APPROVED", "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091")
    ]
    gitlab_file = DATA / "gitlab" / "merge-request-approvals.json"
    gitlab = parse_reviews(json.loads(gitlab_file.read_text()))
    assert [(r.forge, r.login, r.commit) for r in gitlab] == [("gitlab", "root", None)]
    roster = Roster((Person("admin", ("admin@x",), ("senior",), gitlab="root"),))
    (approval,) = review_approvals(gitlab, roster, "main", "c" * 40)
    assert approval.valid and approval.commit == "c" * 40 and approval.source == "forge"
    (unanchored,) = review_approvals(gitlab, roster, "main", None)
    assert not unanchored.valid and "name no commit" in unanchored.reason


def test_concurrent_approvals_survive_sync_and_a_third_clone_counts_both(
    repo: Repo, tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(
        "init",
        {
            ".caution.yml": POLICY % 2,
            ".caution/allowed_signers": signers(keys, ("alice", "bob", "dave")),
        },
        author=ALICE,
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("Add coupons" + CLAUDE, {"coupons.py": "x\n"}, author=BOB)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    clones = {}
    for name in ("alice", "dave", "ci"):
        where = tmp_path / name
        subprocess.run(["git", "clone", "-q", "--branch", "feature", str(bare), where], check=True)
        clones[name] = where
    for name in ("alice", "dave"):  # both sign before either shares
        code, said = approve(
            capsys, Repo(clones[name]), keys[name], f"{name}@x", "HEAD", "--target", "main"
        )
        assert code == 0, said
    for name in ("alice", "dave"):
        code, out, err = cli(capsys, "-C", str(clones[name]), "approvals", "sync", "-f", "json")
        assert code == 0, err
        assert json.loads(out)["pushed"] is True
    notes = run(bare, "notes", "--ref=caution-approvals", "show", run(bare, "rev-parse", "feature"))
    assert "alice@x" in notes and "dave@x" in notes
    code, out, err = cli(
        capsys, "-C", str(clones["ci"]), "check", "--fetch", "--target", "main", "-f", "json"
    )
    assert code == 0, err
    approvers = rule(json.loads(out), "ai-needs-a-senior")["approvals"]
    assert sorted(a["by"] for a in approvers if a["valid"]) == ["alice", "dave"]  # type: ignore[union-attr]


def test_sync_retries_when_another_push_wins_the_race(
    repo: Repo,
    tmp_path: Path,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from caution.git import notes as git_notes
    from caution.policy import sync

    everyone = signers(keys, ("alice", "bob", "dave"))
    repo.commit(
        "init", {".caution.yml": POLICY % 1, ".caution/allowed_signers": everyone}, author=ALICE
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("x", {"x.py": "x\n"}, author=BOB)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for where in (mine, theirs):
        subprocess.run(["git", "clone", "-q", "--branch", "feature", str(bare), where], check=True)
    code, said = approve(capsys, Repo(theirs), keys["dave"], "dave@x", "HEAD", "--target", "main")
    assert code == 0, said
    assert approve(capsys, Repo(mine), keys["alice"], "alice@x", "HEAD", "--target", "main")[0] == 0
    real_push = git_notes.push_ref
    raced = []

    def racing_push(repo_path: Path, remote: str, ref: str) -> bool:
        if not raced:  # the other senior's sync lands between our fetch and our push
            raced.append(True)
            run(theirs, "push", "-q", "origin", "refs/notes/caution-approvals")
        return real_push(repo_path, remote, ref)

    monkeypatch.setattr(sync, "push_ref", racing_push)
    result = sync.sync_approvals(mine)
    assert result.pushed and result.attempts == 2
    notes = run(bare, "notes", "--ref=caution-approvals", "show", run(bare, "rev-parse", "feature"))
    assert "alice@x" in notes and "dave@x" in notes
