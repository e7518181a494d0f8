"""`caution hook pre-receive` on a real bare repository: real `git push`es run the
installed hook as git runs it (a process, in the quarantine environment)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from caution.git.notes import append_note
from caution.git.repo import first_parent_root
from caution.policy.resolve import change_fingerprint, resolve_change
from caution.policy.ssh import sign
from caution.policy.statement import NOTES_REF, Statement, entry_line
from tests.conftest import Repo
from tests.integration import (
    ALICE,
    BOB,
    CAROL,
    CAUTION,
    CLAUDE,
    COPILOT,
    approve,
    bare,
    caution,
    clone,
    keygen,
    run,
    shop_files,
    signers_line,
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    return {n: keygen(folder / n, n) for n in ("alice", "bob", "carol", "admin", "mallory")}


def install(server: Path) -> None:
    proc = caution("hook", "install", "--pre-receive", cwd=server)
    assert proc.returncode == 0, proc.stderr
    assert "installed pre-receive" in proc.stdout


def push(repo: Repo, *refspecs: str, force: bool = False) -> subprocess.CompletedProcess[str]:
    return run(["git", "push", *(["--force"] if force else []), "origin", *refspecs], repo.path)


def tip(server: Path, ref: str = "refs/heads/main") -> str | None:
    proc = run(["git", "rev-parse", "--verify", "--quiet", ref], server)
    return proc.stdout.strip() or None


@pytest.fixture
def shop(tmp_path: Path, keys: dict[str, Path]) -> tuple[Path, Repo]:
    """A server whose main holds the policy (pushed before the hook was installed), and a
    developer's clone of it."""
    server = bare(tmp_path / "server.git")
    seed = clone(server, tmp_path / "seed")
    seed.commit("shop", shop_files(keys), author=ALICE)
    assert push(seed, "main").returncode == 0
    install(server)
    return server, clone(server, tmp_path / "work")


def ai_change(work: Repo, text: str = "coupons = []\n") -> str:
    return work.commit("Add coupons" + CLAUDE, {"services/checkout/coupons.py": text}, author=CAROL)


def test_an_unapproved_push_is_refused_and_lands_once_approved(
    shop: tuple[Path, Repo], keys: dict[str, Path]
) -> None:
    server, work = shop
    before = tip(server)
    head = ai_change(work)
    refused = push(work, "main")
    assert refused.returncode != 0
    assert "pre-receive hook declined" in refused.stderr
    assert f"refs/heads/main {before[:10]}..{head[:10]}: REFUSED: pending" in refused.stderr
    assert "ai-changes-need-a-senior" in refused.stderr
    assert "missing: 1 approval from role senior" in refused.stderr
    assert tip(server) == before
    # the author cannot approve; a senior can, and shares it before pushing again
    approve(work, keys["alice"], "alice@shop.example")
    synced = caution("approvals", "sync", cwd=work.path)
    assert synced.returncode == 0, synced.stderr
    assert tip(server, "refs/notes/caution-approvals") is not None
    accepted = push(work, "main")
    assert accepted.returncode == 0, accepted.stderr
    assert "accepted: passes" in accepted.stderr
    assert tip(server) == head


def test_approval_notes_and_branch_in_one_push(
    shop: tuple[Path, Repo], keys: dict[str, Path]
) -> None:
    server, work = shop
    head = ai_change(work)
    approve(work, keys["alice"], "alice@shop.example")
    # the pushed notes are still in quarantine when the hook runs: it reads them there
    accepted = push(work, "main", "refs/notes/caution-approvals")
    assert accepted.returncode == 0, accepted.stderr
    assert tip(server) == head


def forge_note(work: Repo, key: Path, email: str, head: str) -> None:
    """An approval note signed with `key` in `email`'s name, written by hand."""
    where = resolve_change(work.path, head, "origin/main", may_fetch=False, env={})
    statement = Statement(
        first_parent_root(work.path, "origin/main") or "",
        head,
        "main",
        change_fingerprint(work.path, where) or "",
        email,
        "2026-01-01T00:00:00+00:00",
    )
    line = entry_line(statement, sign(statement.text().encode(), key))
    append_note(work.path, NOTES_REF, head, line, ("mallory", "mallory@example.com"))


def test_an_approval_pushed_by_anyone_counts_only_when_it_verifies(
    shop: tuple[Path, Repo], keys: dict[str, Path]
) -> None:
    server, work = shop
    before = tip(server)
    head = ai_change(work)
    forge_note(work, keys["mallory"], "alice@shop.example", head)  # mallory's key, alice's name
    bob_signs = caution(
        "approve", "HEAD", "--target", "origin/main", "--key", str(keys["bob"]),
        "--signer", "bob@shop.example", cwd=work.path,
    )  # fmt: skip
    assert bob_signs.returncode == 0, bob_signs.stderr  # valid, but bob is no senior
    refused = push(work, "main", "refs/notes/caution-approvals")
    assert refused.returncode != 0
    assert "REFUSED: pending" in refused.stderr
    assert "approval by alice" in refused.stderr and "signature does not verify" in refused.stderr
    assert "approval by bob" in refused.stderr
    assert tip(server) == before
    # the notes alone are not the hook's business: they land, and count for nothing
    assert push(work, "refs/notes/caution-approvals").returncode == 0
    assert push(work, "main").returncode != 0


def test_history_on_a_protected_branch_is_not_rewritten_nor_deleted(
    shop: tuple[Path, Repo],
) -> None:
    server, work = shop
    before = tip(server)
    # rewrite the first commit: not a fast-forward
    work.git("checkout", "-q", "--orphan", "rewritten")
    work.commit("a new root", {"README.md": "new\n"}, author=BOB)
    refused = push(work, "rewritten:main", force=True)
    assert refused.returncode != 0
    assert "not a fast-forward of main" in refused.stderr
    deleted = push(work, ":main")
    assert deleted.returncode != 0
    assert "main is protected: it is not deleted by a push" in deleted.stderr
    assert tip(server) == before


def test_a_protected_branch_is_not_reached_by_respelling_it(shop: tuple[Path, Repo]) -> None:
    server, work = shop
    ai_change(work)
    refused = push(work, "main:refs/heads/MAIN")
    assert refused.returncode != 0
    assert "refs/heads/MAIN" in refused.stderr and "REFUSED" in refused.stderr
    assert tip(server, "refs/heads/MAIN") is None


def test_other_refs_are_not_judged(shop: tuple[Path, Repo]) -> None:
    server, work = shop
    work.git("checkout", "-q", "-b", "feature")
    head = ai_change(work)
    assert push(work, "feature").returncode == 0
    assert push(work, "feature:refs/tags/v1").returncode == 0
    assert tip(server, "refs/heads/feature") == head


def test_protected_globs_and_new_protected_branches(shop: tuple[Path, Repo]) -> None:
    server, work = shop
    run(["git", "config", "--add", "caution.protect", "main"], server, check=True)
    run(["git", "config", "--add", "caution.protect", "release/*"], server, check=True)
    # a release branch cut from main: its commits are all on main already
    created = push(work, "main:refs/heads/release/1.0")
    assert created.returncode == 0, created.stderr
    assert "already on main" in created.stderr
    # a release branch that starts with commits no protected branch has
    work.git("checkout", "-q", "-b", "release-2")
    ai_change(work)
    refused = push(work, "release-2:refs/heads/release/2.0")
    assert refused.returncode != 0
    assert "a new protected branch starts from a commit already on a protected branch" in (
        refused.stderr
    )
    # changes reach a release branch through the check, like main
    update = push(work, "release-2:refs/heads/release/1.0")
    assert update.returncode != 0
    assert "refs/heads/release/1.0" in update.stderr and "REFUSED: pending" in update.stderr
    deleted = push(work, ":refs/heads/release/1.0")
    assert deleted.returncode != 0
    assert tip(server, "refs/heads/release/1.0") == tip(server)


def test_the_policy_is_read_at_the_branch_not_from_the_push(
    shop: tuple[Path, Repo], keys: dict[str, Path]
) -> None:
    server, work = shop
    before = tip(server)
    # the push relaxes the policy and brings an AI change under it
    loose = "version: 1\npolicy:\n  approval:\n    - name: anything-goes\n"
    work.commit("relax" + CLAUDE, {".caution.yml": loose, "services/checkout/x.py": "x\n"})
    refused = push(work, "main")
    assert refused.returncode != 0
    assert "ai-changes-need-a-senior" in refused.stderr
    assert "caution-policy-changes" in refused.stderr
    assert tip(server) == before


def test_an_approved_change_may_not_leave_a_policy_that_does_not_load(
    shop: tuple[Path, Repo], keys: dict[str, Path]
) -> None:
    """It would refuse every later push: the branch would be stuck."""
    server, work = shop
    before = tip(server)
    work.git("rm", "-q", ".caution/allowed_signers")  # the policy names it
    work.commit("drop the signers file", author=BOB)
    approve(work, keys["alice"], "alice@shop.example")
    refused = push(work, "main", "refs/notes/caution-approvals")
    assert refused.returncode != 0
    assert "would leave main with a policy that does not load" in refused.stderr
    assert "allowed_signers file .caution/allowed_signers not found" in refused.stderr
    assert tip(server) == before


def test_only_a_bootstrap_signer_mends_a_policy_that_does_not_load(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    server = bare(tmp_path / "server.git")
    seed = clone(server, tmp_path / "seed")
    broken = {**shop_files(keys), ".caution.yml": "version: 1\npolicy: [\n"}
    seed.commit("shop", broken, author=ALICE)
    assert push(seed, "main").returncode == 0
    install(server)
    admins = tmp_path / "admin_signers"
    admins.write_text(signers_line("admin@shop.example", keys["admin"], namespaces="git"))
    run(["git", "config", "caution.bootstrapSigners", str(admins)], server, check=True)
    seed.commit("docs", {"README.md": "more\n"}, author=BOB)
    refused = push(seed, "main")
    assert refused.returncode != 0
    assert "the policy on main does not load (.caution.yml:" in refused.stderr
    seed.git("reset", "-q", "--hard", "HEAD~1")
    signed(seed, keys["admin"], "mend the policy", shop_files(keys))
    accepted = push(seed, "main")
    assert accepted.returncode == 0, accepted.stderr
    assert "signed by admin@shop.example" in accepted.stderr


def test_a_merge_that_carries_an_agents_ci_change_is_blocked(shop: tuple[Path, Repo]) -> None:
    """Security reproduction c5 through the server: the whole change is judged, not the
    merge commit alone."""
    server, work = shop
    before = tip(server)
    work.git("checkout", "-q", "-b", "agent")
    work.commit(
        "agent edits CI", {".github/workflows/ci.yml": "on: [push, pull_request_target]\n"},
        author=COPILOT,
    )  # fmt: skip
    work.git("checkout", "-q", "main")
    work.git("merge", "-q", "--no-ff", "-m", "Merge agent", "agent")
    refused = push(work, "main")
    assert refused.returncode != 0
    assert "REFUSED: blocked" in refused.stderr
    assert "agents-do-not-touch-ci" in refused.stderr
    assert tip(server) == before


def test_a_criss_cross_merge_cannot_hide_a_deletion(tmp_path: Path, keys: dict[str, Path]) -> None:
    """Security reproduction c1 through the server: what the branch gains is the diff
    of its trees, whichever merge base git would pick."""
    server = bare(tmp_path / "server.git")
    seed = clone(server, tmp_path / "seed")
    files = shop_files(keys)
    seed.commit("shop", files, author=ALICE)
    seed.git("checkout", "-q", "-b", "feature")
    seed.commit("b1", {"docs.md": "doc\n"}, author=BOB)
    b1 = seed.git("rev-parse", "HEAD")
    seed.git("checkout", "-q", "main")
    seed.commit("a1", {"services/checkout/guard.py": "require_admin()\n"}, author=ALICE)
    a1 = seed.git("rev-parse", "HEAD")
    seed.git("checkout", "-q", "feature")
    seed.git("merge", "-q", "--no-ff", "-m", "sync", a1)
    seed.git("checkout", "-q", "main")
    seed.git("merge", "-q", "--no-ff", "-m", "merge b1", b1)
    assert push(seed, "main").returncode == 0
    install(server)
    before = tip(server)
    seed.git("checkout", "-q", "feature")
    seed.git("rm", "-q", "services/checkout/guard.py")
    seed.commit("tidy", author=BOB)
    seed.git("checkout", "-q", "main")
    seed.git("merge", "-q", "--no-ff", "-m", "m", "feature")
    refused = push(seed, "main")
    assert refused.returncode != 0
    assert "checkout-needs-a-senior" in refused.stderr
    assert tip(server) == before


def test_input_git_never_writes_is_refused_with_one_line(tmp_path: Path) -> None:
    server = bare(tmp_path / "server.git")
    proc = run([CAUTION, "hook", "pre-receive"], server, input=b"not a ref update\n")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "pre-receive: line 1" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- bootstrap -----------------------------------------------------------------------------


def signed(repo: Repo, key: Path, message: str, files: dict[str, str | bytes]) -> str:
    for name, content in files.items():
        repo.write(name, content)
    repo.git("add", "-A")
    repo.git(
        "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}",
        "commit", "-q", "-S", "--allow-empty", "-m", message,
    )  # fmt: skip
    return repo.git("rev-parse", "HEAD")


@pytest.fixture
def empty_server(tmp_path: Path, keys: dict[str, Path]) -> Path:
    server = bare(tmp_path / "server.git")
    install(server)
    admins = tmp_path / "admin_signers"
    admins.write_text(signers_line("admin@shop.example", keys["admin"], namespaces="git"))
    return server


def test_bootstrap_of_an_empty_repository(
    empty_server: Path, tmp_path: Path, keys: dict[str, Path]
) -> None:
    server = empty_server
    work = clone(server, tmp_path / "work")
    signed(work, keys["admin"], "bootstrap caution", shop_files(keys))
    # no bootstrap signers configured: nothing lands, and the message says what to do
    refused = push(work, "main")
    assert refused.returncode != 0
    assert "no protected branch yet (bootstrap)" in refused.stderr
    assert "git config caution.bootstrapSigners" in refused.stderr
    run(["git", "config", "caution.bootstrapSigners", str(tmp_path / "admin_signers")], server)
    # a commit signed by someone else does not bootstrap
    other = clone(server, tmp_path / "other")
    signed(other, keys["mallory"], "bootstrap caution", shop_files(keys))
    refused = push(other, "main")
    assert refused.returncode != 0
    assert "is not signed by a bootstrap signer" in refused.stderr
    unsigned = clone(server, tmp_path / "unsigned")
    unsigned.commit("bootstrap", shop_files(keys), author=ALICE)
    assert "is not signed" in push(unsigned, "main").stderr
    accepted = push(work, "main")
    assert accepted.returncode == 0, accepted.stderr
    assert "bootstrap:" in accepted.stderr and "signed by admin@shop.example" in accepted.stderr
    assert tip(server) == work.git("rev-parse", "HEAD")


def test_the_first_policy_lands_signed_and_then_governs(
    empty_server: Path, tmp_path: Path, keys: dict[str, Path]
) -> None:
    server = empty_server
    run(["git", "config", "caution.bootstrapSigners", str(tmp_path / "admin_signers")], server)
    work = clone(server, tmp_path / "work")
    signed(work, keys["admin"], "start", {"README.md": "shop\n"})
    assert push(work, "main").returncode == 0
    # no policy yet: the built-in one applies, and passes a human change
    work.commit("docs", {"README.md": "shop!\n"}, author=BOB)
    assert push(work, "main").returncode == 0
    # the first .caution.yml needs a roster approval nobody can give yet: only signed
    work.commit("adopt caution", shop_files(keys), author=BOB)
    refused = push(work, "main")
    assert refused.returncode != 0
    assert "main has no .caution.yml yet" in refused.stderr
    work.git("reset", "-q", "--hard", "HEAD~1")
    signed(work, keys["admin"], "adopt caution", shop_files(keys))
    accepted = push(work, "main")
    assert accepted.returncode == 0, accepted.stderr
    assert "bootstrap:" in accepted.stderr
    # from now on the policy decides: an admin's signature no longer lets anything in
    signed(work, keys["admin"], "AI work" + CLAUDE, {"services/checkout/x.py": "x\n"})
    refused = push(work, "main")
    assert refused.returncode != 0
    assert "REFUSED: pending" in refused.stderr
    assert "bootstrap" not in refused.stderr


@pytest.mark.parametrize(
    "ref", ["refs/tags/main", "refs/tags/origin/main", "refs/main", "refs/origin/main"]
)
def test_a_ref_named_like_a_protected_branch_is_refused(shop: tuple[Path, Repo], ref: str) -> None:
    """`main` must name one thing wherever it is resolved: a tag of that name is how a
    change would swap the policy a gate reads."""
    server, work = shop
    work.git("checkout", "-q", "-b", "feature")
    ai_change(work)
    refused = push(work, f"feature:{ref}")
    assert refused.returncode != 0 and "named like the protected branch" in refused.stderr
    assert tip(server, ref) is None
