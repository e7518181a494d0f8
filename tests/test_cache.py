"""The shared cache folder: git-ignored, written atomically, and a cache a capability
writes never shows up as a change in the repository."""

from __future__ import annotations

from pathlib import Path

from caution.cache import cache_path, try_write_cache, write_cache
from caution.reach.imports import import_graph
from tests.conftest import Repo


def test_write_cache_ignores_itself(repo: Repo) -> None:
    repo.commit("start", {"a.txt": "1\n"})
    path = write_cache(repo.path, "x.json", b"{}")
    assert path == cache_path(repo.path, "x.json") and path.read_bytes() == b"{}"
    assert not list(path.parent.glob("*.tmp"))
    assert repo.git("status", "--porcelain") == ""


def test_import_graph_cache_is_reused_and_ignored(repo: Repo) -> None:
    repo.commit("start", {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": ""})
    graph = import_graph(repo.path, {"pkg": ""})
    assert graph["pkg.a"] == ["pkg.b"]
    assert repo.git("status", "--porcelain") == ""
    (cached,) = cache_path(repo.path, "").glob("imports-*.json")
    cached.write_text('{"pkg.a": ["pkg.from-cache"]}')
    assert import_graph(repo.path, {"pkg": ""})["pkg.a"] == ["pkg.from-cache"]


def test_try_write_cache_survives_a_read_only_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "repo"
    blocked.mkdir()
    (blocked / ".caution").write_text("a file where the folder should be")
    try_write_cache(blocked, "x.json", b"{}")  # no exception
    assert not cache_path(blocked, "x.json").exists()
