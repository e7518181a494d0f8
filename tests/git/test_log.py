"""Reading history from real repositories: ranges, merges, renames, binary and
non-UTF-8 content, shallow and partial clones, missing blobs, empty repositories."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from caution.git import GitError, read_commits, read_notes
from caution.git.log import read_commits_by_sha
from caution.git.repo import default_range, find_root, require_commits
from tests.conftest import Repo


def shas(repo: Repo, spec: str, **kw: bool) -> list[str]:
    return [c.sha for c in read_commits(repo.path, spec, **kw)]


def test_ranges_follow_rev_list(repo: Repo) -> None:
    first = repo.commit("one", {"a.txt": "1\n"})
    second = repo.commit("two", {"a.txt": "1\n2\n"})
    third = repo.commit("three", {"b.txt": "b\n"})
    assert shas(repo, "HEAD~2..HEAD") == [third, second]
    assert shas(repo, f"{first}..{third}") == [third, second]
    assert shas(repo, second) == [second]  # a single revision is that one commit
    assert shas(repo, "HEAD", reachable=True) == [third, second, first]
    assert shas(repo, "HEAD^!") == [third]


def test_commit_record_fields(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "x\n"})
    sha = repo.commit(
        "Subject line\n\nBody.\n\nCo-authored-by: Bot <bot@example.com>\n",
        {"a.txt": "x\ny\nz\n", "new.txt": "n\n"},
        author=("Ann Author", "ann@example.com"),
        committer=("Cid Committer", "cid@example.com"),
    )
    (commit,) = read_commits(repo.path, sha)
    assert commit.sha == sha
    assert len(commit.parents) == 1
    assert (commit.author.name, commit.author.email) == ("Ann Author", "ann@example.com")
    assert (commit.committer.name, commit.committer.email) == ("Cid Committer", "cid@example.com")
    assert commit.author.time.utcoffset() is not None
    assert commit.author.time.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]
    assert commit.subject == "Subject line"
    assert commit.trailers.get("co-authored-by") == ["Bot <bot@example.com>"]
    files = {f.path: f for f in commit.files}
    assert (files["a.txt"].added, files["a.txt"].deleted) == (2, 0)
    assert (files["new.txt"].added, files["new.txt"].deleted) == (1, 0)
    assert commit.lines_added == 3
    assert commit.stats_complete


def test_renames_and_binary_files(repo: Repo) -> None:
    body = "".join(f"line {i}\n" for i in range(50))
    repo.commit("add", {"old/name.py": body, "img.bin": b"\x00\x01\x02\xff" * 64})
    (repo.path / "new").mkdir()
    repo.git("mv", "old/name.py", "new/name.py")
    sha = repo.commit(
        "move and touch", {"new/name.py": body + "one more\n", "img.bin": b"\x00\xfe"}
    )
    (commit,) = read_commits(repo.path, sha)
    files = {f.path: f for f in commit.files}
    assert files["new/name.py"].old_path == "old/name.py"
    assert files["new/name.py"].is_rename
    assert files["new/name.py"].added == 1
    assert files["img.bin"].binary and files["img.bin"].added is None
    assert commit.lines_added == 1  # binary files do not make the count unknown


def test_merges_are_reported_with_all_parents(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic", {"b.txt": "b\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main side", {"c.txt": "c\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    commits = list(read_commits(repo.path, "HEAD", reachable=True))
    merge = commits[0]
    assert merge.is_merge and len(merge.parents) == 2
    assert merge.files == ()
    assert len(commits) == 4


def _raw_commit(repo: Repo, message: bytes) -> str:
    """A commit object written by hand: `git commit` would re-encode invalid UTF-8."""
    tree = repo.git("rev-parse", "HEAD^{tree}")
    parent = repo.git("rev-parse", "HEAD")
    ident = b"Latin Author <latin@example.com> 1767225600 +0000"
    body = b"tree %s\nparent %s\nauthor %s\ncommitter %s\n\n%s" % (
        tree.encode(),
        parent.encode(),
        ident,
        ident,
        message,
    )
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    repo.git("update-ref", "HEAD", sha)
    return sha


def test_non_utf8_paths_and_messages_are_replaced_not_fatal(repo: Repo) -> None:
    repo.commit("start", {"ok.txt": "x\n"})
    sha = _raw_commit(repo, b"caf\xe9 au lait\n\nlatin-1 body \xff\n")
    repo.write(b"bad-\xff-name.txt", "y\n")
    repo.git("add", "-A")
    sha2 = repo.commit("add odd path")
    commits = {c.sha: c for c in read_commits(repo.path, "HEAD", reachable=True)}
    assert commits[sha].subject == "caf\ufffd au lait"
    assert [f.path for f in commits[sha2].files] == ["bad-\ufffd-name.txt"]


def test_detached_head(repo: Repo) -> None:
    first = repo.commit("one", {"a": "1\n"})
    repo.commit("two", {"a": "2\n"})
    repo.git("checkout", "-q", "--detach", first)
    assert shas(repo, "HEAD") == [first]
    assert default_range(repo.path) == "HEAD"


def test_default_range_is_branch_commits_not_on_main(repo: Repo) -> None:
    repo.commit("base", {"a": "1\n"})
    repo.git("checkout", "-q", "-b", "feature")
    one = repo.commit("f1", {"b": "1\n"})
    two = repo.commit("f2", {"b": "2\n"})
    assert default_range(repo.path) == "main..HEAD"
    assert shas(repo, default_range(repo.path)) == [two, one]


def test_empty_repository_has_a_clear_message(repo: Repo) -> None:
    with pytest.raises(GitError, match="no commits yet"):
        require_commits(repo.path)
    with pytest.raises(GitError, match="no commits yet"):
        default_range(repo.path)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        find_root(tmp_path)


def test_bad_ranges_are_errors_not_options(repo: Repo) -> None:
    repo.commit("one", {"a": "1\n"})
    with pytest.raises(GitError, match="not a revision range"):
        list(read_commits(repo.path, "--output=/tmp/pwned"))
    with pytest.raises(GitError, match="not a revision range"):
        list(read_commits(repo.path, "HEAD --all"))
    with pytest.raises(GitError, match="failed"):
        list(read_commits(repo.path, "no-such-branch..HEAD"))


def test_shallow_clone(repo: Repo, tmp_path: Path) -> None:
    for i in range(5):
        repo.commit(f"c{i}", {"a.txt": f"{i}\n"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True
    )
    commits = list(read_commits(clone, "HEAD", reachable=True))
    assert [c.subject for c in commits] == ["c4", "c3"]
    assert all(c.stats_complete for c in commits)


def _delete_object(repo: Repo, oid: str) -> None:
    (repo.path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()


def test_missing_blob_keeps_every_commit(repo: Repo) -> None:
    repo.commit("one", {"a.txt": "1\n", "b.txt": "b\n"})
    damaged = repo.commit("two", {"a.txt": "1\n2\n"})
    repo.commit("three", {"b.txt": "b\nc\n"})
    repo.commit("four", {"d.txt": "d\n"})
    _delete_object(repo, repo.git("rev-parse", f"{damaged}:a.txt"))
    commits = list(read_commits(repo.path, "HEAD", reachable=True))
    assert [c.subject for c in commits] == ["four", "three", "two", "one"]
    by_subject = {c.subject: c for c in commits}
    assert by_subject["four"].stats_complete and by_subject["four"].lines_added == 1
    assert by_subject["three"].stats_complete and by_subject["three"].lines_added == 1
    assert not by_subject["two"].stats_complete
    assert [f.path for f in by_subject["two"].files] == ["a.txt"]
    assert by_subject["two"].files[0].added is None
    assert by_subject["two"].lines_added is None
    assert by_subject["one"].stats_complete and by_subject["one"].lines_added == 2


def test_partial_clone_without_blobs(repo: Repo, tmp_path: Path) -> None:
    repo.commit("one", {"a.txt": "1\n"})
    repo.commit("two", {"a.txt": "1\n2\n", "b.txt": "b\n"})
    clone = tmp_path / "partial"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            f"file://{repo.path}",
            str(clone),
        ],
        check=True,
    )
    shutil.rmtree(repo.path)  # the promisor remote is gone: blobs cannot be fetched
    commits = list(read_commits(clone, "HEAD", reachable=True))
    assert [c.subject for c in commits] == ["two", "one"]
    assert [sorted(f.path for f in c.files) for c in commits] == [["a.txt", "b.txt"], ["a.txt"]]
    assert all(c.lines_added is None and not c.stats_complete for c in commits)


def test_read_by_sha_keeps_the_given_order(repo: Repo) -> None:
    a = repo.commit("a", {"a": "1\n"})
    b = repo.commit("b", {"b": "1\n"})
    assert [c.sha for c in read_commits_by_sha(repo.path, [a, b])] == [a, b]


def test_huge_diff(repo: Repo) -> None:
    sha = repo.commit("big", {"big.txt": "x\n" * 200_000})
    (commit,) = read_commits(repo.path, sha)
    assert commit.lines_added == 200_000


def test_notes_under_any_ref(repo: Repo) -> None:
    a = repo.commit("a", {"a": "1\n"})
    b = repo.commit("b", {"b": "1\n"})
    repo.note("ai", a, "note on a\n")
    repo.note("refs/notes/ai-attribution", b, '{"x": 1}')
    assert read_notes(repo.path, "ai") == {a: "note on a\n"}
    assert read_notes(repo.path, "refs/notes/ai-attribution") == {b: '{"x": 1}\n'}
    assert read_notes(repo.path, "ai", commits={b}) == {}
    assert read_notes(repo.path, "refs/notes/absent") == {}


def test_broken_commit_dates_do_not_stop_the_reading(repo: Repo) -> None:
    repo.commit("start", {"ok.txt": "x\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    parent = repo.git("rev-parse", "HEAD")
    body = (
        f"tree {tree}\nparent {parent}\nauthor Odd <odd@example.com> 1700000000 +9999\n"
        f"committer Odd <odd@example.com> notadate\n\nodd dates\n"
    ).encode()
    sha = repo.git("hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=body)
    repo.git("update-ref", "HEAD", sha)
    (commit,) = read_commits(repo.path, sha)
    assert commit.subject == "odd dates"
    assert commit.author.time.year >= 1970


def test_git_dying_on_a_large_stdin_reports_its_own_error(repo: Repo) -> None:
    from caution.git.errors import GitError
    from caution.git.log import read_commits_by_sha

    repo.commit("one", {"a.txt": "1\n"})
    shas = ["0123456789abcdef0123456789abcdef01234567"] * 5000  # > 64 KiB of input
    with pytest.raises(GitError) as caught:
        list(read_commits_by_sha(repo.path, shas))
    assert "Broken pipe" not in str(caught.value)
