"""caution's caches: in the git directory, signed by the user, written atomically; a file
someone else put there reads as absent, and nothing shows up as a change."""

from __future__ import annotations

from pathlib import Path

from caution.cache import cache_path, read_cache, try_write_cache, write_cache
from caution.reach.imports import import_graph
from tests.conftest import Repo


def test_write_cache_signs_and_lives_in_the_git_directory(repo: Repo) -> None:
    repo.commit("start", {"a.txt": "1\n"})
    path = write_cache(repo.path, "x.json", b"{}")
    assert path == cache_path(repo.path, "x.json")
    assert path.is_relative_to((repo.path / ".git").resolve()) or path.is_relative_to(
        repo.path / ".git"
    )
    assert read_cache(repo.path, "x.json") == b"{}"
    assert path.read_bytes() != b"{}"  # signed
    assert not list(path.parent.glob("*.tmp"))
    assert repo.git("status", "--porcelain") == ""


def test_a_file_someone_else_wrote_reads_as_absent(repo: Repo) -> None:
    repo.commit("start", {"a.txt": "1\n"})
    path = write_cache(repo.path, "x.json", b"{}")
    path.write_bytes(path.read_bytes()[:-2] + b"[]")  # edited after signing
    assert read_cache(repo.path, "x.json") is None
    write_cache(repo.path, "y.json", b"{}")
    cache_path(repo.path, "y.json").rename(cache_path(repo.path, "z.json"))  # another name
    assert read_cache(repo.path, "z.json") is None


def test_import_graph_cache_is_reused_and_a_planted_one_ignored(repo: Repo) -> None:
    repo.commit("start", {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": ""})
    graph = import_graph(repo.path, {"pkg": ""})
    assert graph["pkg.a"] == ["pkg.b"]
    assert repo.git("status", "--porcelain") == ""
    (cached,) = cache_path(repo.path, "").glob("imports-*.json")
    write_cache(repo.path, cached.name, b'{"pkg.a": ["pkg.from-cache"]}')
    assert import_graph(repo.path, {"pkg": ""})["pkg.a"] == ["pkg.from-cache"]
    cached.write_text('{"pkg.a": ["pkg.planted"]}')  # not signed by this user
    assert import_graph(repo.path, {"pkg": ""})["pkg.a"] == ["pkg.b"]


def test_a_cache_committed_in_the_work_tree_is_never_read(repo: Repo) -> None:
    repo.commit("start", {".caution/cache/x.json": "{}"})
    assert read_cache(repo.path, "x.json") is None


def test_try_write_cache_survives_a_read_only_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "repo"
    (blocked / ".git").mkdir(parents=True)
    (blocked / ".git" / "caution").write_text("a file where the folder should be")
    try_write_cache(blocked, "x.json", b"{}")  # no exception
    assert not cache_path(blocked, "x.json").exists()
