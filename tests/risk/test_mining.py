"""The 14 change metrics on a constructed history, computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from caution.git.log import read_commits
from caution.risk.mining import mine
from tests.conftest import Repo

DAY = 86400
T0 = 1_767_225_600


def commit(repo: Repo, when: int, who: str, message: str, files: dict[str, str]) -> None:
    for name, content in files.items():
        repo.write(name, content)
    repo.git("add", "-A")
    date = f"{when} +0000"
    repo.git(
        "commit",
        "-q",
        "-m",
        message,
        env={
            "GIT_AUTHOR_NAME": who,
            "GIT_AUTHOR_EMAIL": f"{who}@x.example",
            "GIT_COMMITTER_NAME": who,
            "GIT_COMMITTER_EMAIL": f"{who}@x.example",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        },
    )


def lines(n: int, tag: str = "l") -> str:
    return "".join(f"{tag}{i}\n" for i in range(n))


def test_hand_computed_metrics(repo: Repo) -> None:
    commit(repo, T0, "alice", "start", {"a/x.py": lines(10), "a/y.py": lines(5)})
    x2 = lines(9) + "new1\nnew2\n"  # one line replaced, one added: +2 -1
    commit(repo, T0 + DAY, "bob", "fix crash in x", {"a/x.py": x2, "b/z.py": lines(3)})
    commit(repo, T0 + 2 * DAY, "alice", "more", {"a/x.py": x2 + "tail\n", "b/z.py": lines(2)})
    metrics = [
        m.values for m in mine(reversed(list(read_commits(repo.path, "HEAD", reachable=True))))
    ]
    first, second, third = metrics
    assert first == pytest.approx(
        {
            "ns": 1,
            "nd": 1,
            "nf": 2,
            "entropy": -(2 / 3 * math.log2(2 / 3) + 1 / 3 * math.log2(1 / 3)),
            "la": 15,
            "ld": 0,
            "lt": 0,
            "fix": 0,
            "ndev": 0,
            "age": 0,
            "nuc": 0,
            "exp": 0,
            "rexp": 0,
            "sexp": 0,
        }
    )
    assert second == pytest.approx(
        {
            "ns": 2,
            "nd": 2,
            "nf": 2,
            "entropy": 1.0,
            "la": 5,
            "ld": 1,
            "lt": 10,
            "fix": 1,
            "ndev": 1,
            "age": 1.0,
            "nuc": 1,
            "exp": 0,
            "rexp": 0,
            "sexp": 0,
        }
    )
    assert third == pytest.approx(
        {
            "ns": 2,
            "nd": 2,
            "nf": 2,
            "entropy": 1.0,
            "la": 1,
            "ld": 1,
            "lt": 14,
            "fix": 0,
            "ndev": 2,
            "age": 1.0,
            "nuc": 2,
            "exp": 1,
            "rexp": 1 / (1 + 2 * DAY / (365.25 * DAY)),
            "sexp": 1,
        }
    )


def test_renames_carry_line_counts_and_merges_are_skipped(repo: Repo) -> None:
    commit(repo, T0, "alice", "start", {"old/name.py": lines(40)})
    repo.git("checkout", "-q", "-b", "side")
    (repo.path / "new").mkdir()
    repo.git("mv", "old/name.py", "new/name.py")
    commit(repo, T0 + DAY, "bob", "move", {"new/name.py": lines(40) + "x\n"})
    repo.git("checkout", "-q", "main")
    commit(repo, T0 + 2 * DAY, "carol", "other", {"c.txt": "c\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side")
    commit(repo, T0 + 3 * DAY, "dave", "edit", {"new/name.py": lines(40) + "x\ny\n"})
    history = list(read_commits(repo.path, "HEAD", reachable=True))
    metrics = list(mine(sorted(history, key=lambda c: c.committer.time)))
    assert len(metrics) == 4  # the merge is not a change of its own
    last = metrics[-1].values
    assert last["lt"] == 41  # 40 lines carried over the rename, plus one
    assert last["ndev"] == 2  # alice and bob, across the rename


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_szz_labels_the_commit_a_fix_repairs(tmp_path: Path, object_format: str) -> None:
    from caution.risk.szz import labels

    repo = Repo.init(tmp_path / object_format, f"--object-format={object_format}")
    commit(repo, T0, "alice", "start", {"app.py": "a = 1\nb = 2\nc = 3\n"})
    commit(
        repo, T0 + DAY, "bob", "add the total", {"app.py": "a = 1\nb = 2\nc = 3\ntotal = a - b\n"}
    )
    commit(repo, T0 + 2 * DAY, "carol", "docs", {"README.md": "# app\n"})
    commit(
        repo,
        T0 + 3 * DAY,
        "alice",
        "Fix total: add, do not subtract (#12)",
        {"app.py": "a = 1\nb = 2\nc = 3\ntotal = a + b\n"},
    )
    commit(repo, T0 + 200 * DAY, "dave", "late change", {"other.py": "x = 1\n"})
    history = sorted(read_commits(repo.path, "HEAD", reachable=True), key=lambda c: c.author.time)
    marks = {c.subject: labels(repo.path, history, maturity_days=90)[c.sha] for c in history}
    assert marks == {
        "start": 0,
        "add the total": 1,  # the fix changed the line it added
        "docs": 0,
        "Fix total: add, do not subtract (#12)": 0,
        "late change": None,  # younger than the maturity window
    }


def test_szz_skips_comments_blank_lines_whitespace_and_huge_fixes(repo: Repo) -> None:
    from caution.risk.szz import MAX_FILES, introducing_commits

    commit(repo, T0, "alice", "start", {"app.py": "x = 1\n"})
    commit(repo, T0 + DAY, "bob", "comment", {"app.py": "x = 1\n# note\n\n"})
    commit(repo, T0 + 2 * DAY, "carol", "spacing", {"app.py": "x = 1\n# note\n\ny  =  2\n"})
    commit(repo, T0 + 3 * DAY, "dave", "logic", {"lib.py": "def f():\n    return 1\n"})
    # A fix that rewrites the comment, the blank line and only the spacing of `y = 2`:
    # nothing in it points at a defect.
    commit(repo, T0 + 4 * DAY, "erin", "fix comment", {"app.py": "x = 1\n# better\ny = 2\n"})
    # A fix that touches more files than a real fix would: reformatting, skipped.
    many = {f"gen/f{i}.py": f"v = {i}\n" for i in range(MAX_FILES + 1)}
    commit(repo, T0 + 5 * DAY, "frank", "add generated", many)
    commit(
        repo,
        T0 + 6 * DAY,
        "frank",
        "fix everything",
        {**{k: v.replace("v", "w") for k, v in many.items()}, "lib.py": "def f():\n    return 2\n"},
    )
    history = sorted(read_commits(repo.path, "HEAD", reachable=True), key=lambda c: c.author.time)
    assert introducing_commits(repo.path, history) == {}


def test_szz_follows_a_fix_to_each_commit_it_repairs(repo: Repo) -> None:
    from caution.risk.szz import introducing_commits

    commit(repo, T0, "alice", "start", {"a.py": "a = 1\n", "b.py": "b = 1\n"})
    commit(repo, T0 + DAY, "bob", "change a", {"a.py": "a = 2\n"})
    commit(repo, T0 + 2 * DAY, "carol", "change b", {"b.py": "b = 2\n"})
    commit(
        repo, T0 + 3 * DAY, "dave", "bug fixes in a and b", {"a.py": "a = 3\n", "b.py": "b = 3\n"}
    )
    history = sorted(read_commits(repo.path, "HEAD", reachable=True), key=lambda c: c.author.time)
    by_subject = {c.sha: c.subject for c in history}
    found = introducing_commits(repo.path, history)
    assert sorted(by_subject[s] for s in found) == ["change a", "change b"]


def test_szz_cache_blames_only_new_fixes(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from caution.risk import szz
    from caution.risk.store import load_szz_cache, save_szz_cache

    commit(repo, T0, "alice", "start", {"a.py": "a = 1\n"})
    commit(repo, T0 + DAY, "bob", "change a", {"a.py": "a = 2\n"})
    commit(repo, T0 + 2 * DAY, "carol", "fix a", {"a.py": "a = 3\n"})
    history = sorted(read_commits(repo.path, "HEAD", reachable=True), key=lambda c: c.author.time)
    cache = load_szz_cache(repo.path)
    first = szz.introducing_commits(repo.path, history, cache)
    save_szz_cache(repo.path, cache)
    blamed: list[str] = []
    real = szz.blame_fix
    monkeypatch.setattr(szz, "blame_fix", lambda r, c: blamed.append(c.sha) or real(r, c))
    assert szz.introducing_commits(repo.path, history, load_szz_cache(repo.path)) == first
    assert blamed == []
    commit(repo, T0 + 3 * DAY, "dave", "fix a again", {"a.py": "a = 4\n"})
    history = sorted(read_commits(repo.path, "HEAD", reachable=True), key=lambda c: c.author.time)
    szz.introducing_commits(repo.path, history, load_szz_cache(repo.path))
    assert blamed == [history[-1].sha]


@pytest.mark.parametrize(
    ("message", "is_a_fix"),
    [
        ("Fix total (#12)", True),
        ("Fixed crash on empty input", True),
        ("bugfix in the parser", True),
        ("Closes-Bug: #1234", True),
        ("resolves PROJ-7", True),
        ("Add feature (#123)", False),  # GitHub's squash-merge reference
        ("Merge pull request #12 from x/y", False),
        ("Use utf-8 everywhere", False),
        ("Switch to SHA-256", False),
        ("Prefix handling", False),
    ],
)
def test_default_fix_pattern(message: str, is_a_fix: bool) -> None:
    from caution.risk.mining import FIX_PATTERN

    assert bool(FIX_PATTERN.search(message)) is is_a_fix
