"""`caution hook pre-push`: installed in a real clone, run by a real `git push`; it reports
and never stops the push."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Repo
from tests.integration import (
    ALICE,
    BOB,
    CAROL,
    CAUTION,
    CLAUDE,
    approve,
    bare,
    caution,
    clone,
    keygen,
    run,
    shop_files,
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    return {n: keygen(folder / n, n) for n in ("alice", "bob", "carol")}


@pytest.fixture
def work(tmp_path: Path, keys: dict[str, Path]) -> Repo:
    server = bare(tmp_path / "server.git")
    seed = clone(server, tmp_path / "seed")
    seed.commit("shop", shop_files(keys), author=ALICE)
    run(["git", "push", "-q", "origin", "main"], seed.path, check=True)
    work = clone(server, tmp_path / "work")
    installed = caution("hook", "install", "--pre-push", cwd=work.path)
    assert installed.returncode == 0, installed.stderr
    return work


def test_a_pushed_branch_is_reported_against_the_default_branch(
    work: Repo, keys: dict[str, Path]
) -> None:
    work.git("checkout", "-q", "-b", "coupons")
    work.commit("Add coupons" + CLAUDE, {"services/checkout/c.py": "c\n"}, author=CAROL)
    pushed = run(["git", "push", "origin", "coupons"], work.path)
    assert pushed.returncode == 0  # a report, never a gate
    assert "pre-push (report only): coupons against origin/main: PENDING" in pushed.stderr
    assert "missing: 1 approval from role senior" in pushed.stderr
    assert work.git("ls-remote", "origin", "refs/heads/coupons").startswith(
        work.git("rev-parse", "HEAD")
    )
    approve(work, keys["alice"], "alice@shop.example")
    work.commit("more" + CLAUDE, {"services/checkout/d.py": "d\n"}, author=CAROL)
    again = run(["git", "push", "origin", "coupons"], work.path)
    assert "PENDING" in again.stderr  # the approval went stale with the new commit
    approve(work, keys["alice"], "alice@shop.example")
    work.commit("more" + CLAUDE, {"services/checkout/e.py": "e\n"}, author=CAROL)
    approve(work, keys["alice"], "alice@shop.example")
    third = run(["git", "push", "origin", "coupons"], work.path)
    assert "coupons against origin/main: PASS" in third.stderr


def test_a_push_into_main_is_reported_as_the_server_would_judge_it(work: Repo) -> None:
    work.commit("docs", {"README.md": "more\n"}, author=BOB)
    pushed = run(["git", "push", "origin", "main"], work.path)
    assert pushed.returncode == 0
    assert "pre-push (report only): main against origin/main: PASS" in pushed.stderr
    # deleting a branch and pushing a tag are not checked
    assert run(["git", "push", "origin", "main:refs/heads/old"], work.path).returncode == 0
    gone = run(["git", "push", "origin", ":old", "main:refs/tags/v1"], work.path)
    assert gone.returncode == 0
    assert "report only" not in gone.stderr


def test_what_cannot_be_checked_is_said_and_the_push_goes_on(work: Repo, tmp_path: Path) -> None:
    elsewhere = bare(tmp_path / "elsewhere.git")  # a URL, not a remote: nothing to compare with
    work.commit("docs", {"README.md": "more\n"}, author=BOB)
    pushed = run(["git", "push", str(elsewhere), "main"], work.path)
    assert pushed.returncode == 0
    assert "main: not checked" in pushed.stderr
    garbage = caution("hook", "pre-push", "origin", "url", cwd=work.path)
    assert garbage.returncode == 0  # empty input: nothing pushed, nothing said
    bad = run([CAUTION, "hook", "pre-push", "origin", "url"], work.path, input=b"junk\n")
    assert bad.returncode == 0
    assert "pre-push (report only): line 1" in bad.stderr


def test_install_leaves_a_foreign_hook_alone(work: Repo) -> None:
    hook = work.path / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho mine\n")
    refused = caution("hook", "install", "--pre-push", cwd=work.path)
    assert refused.returncode == 2
    assert "caution did not write it" in refused.stderr
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    forced = caution("hook", "install", "--pre-push", "--force", cwd=work.path)
    assert forced.returncode == 0
    assert "-P -m caution hook pre-push" in hook.read_text()
    assert caution("hook", "install", cwd=work.path).returncode == 2
