"""The Python import graph of the repository's own packages, built with grimp and
cached in caution's cache (the git directory) by the tree id of the sources, so a warm `caution
reach` reads one JSON file instead of parsing every module.

`caution reach` reads the work tree; `caution check` reads the change's head commit (its
Python files unpacked into a temporary folder), so what the gate decides on is what was
committed, not whatever happens to be checked out.

Changed modules are found from changed `.py` files under a package (a folder
with `__init__.py` whose parent has none); their importers are every module
that imports them, directly or transitively, within those packages.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import deque
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from caution import json_file
from caution.cache import read_cache, try_write_cache
from caution.git.errors import GitError
from caution.git.process import run_git
from caution.reach.model import CodeReach


def top_level_packages(files: Iterable[str]) -> dict[str, str]:
    """package name → the folder holding it (relative to the repository root)."""
    inits = {str(PurePosixPath(f).parent) for f in files if PurePosixPath(f).name == "__init__.py"}
    packages: dict[str, str] = {}
    for folder in inits:
        parent = str(PurePosixPath(folder).parent)
        if parent in inits:
            continue
        name = PurePosixPath(folder).name
        if name.isidentifier():
            packages.setdefault(name, "" if parent == "." else parent)
    return packages


def module_of(path: str, packages: dict[str, str]) -> str | None:
    if not path.endswith(".py"):
        return None
    pure = PurePosixPath(path)
    for name, parent in packages.items():
        root = PurePosixPath(parent) / name if parent else PurePosixPath(name)
        try:
            relative = pure.relative_to(root)
        except ValueError:
            continue
        parts = [name, *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        if all(p.isidentifier() for p in parts):
            return ".".join(parts)
    return None


class ImportGraphError(Exception):
    """The import graph could not be built: the code's reach is unknown."""


def build_graph(repo: Path, packages: dict[str, str]) -> dict[str, list[str]]:
    """module → modules it imports, within `packages`: grimp parses them in a process of
    its own (`grimp_worker.py`), so a package named like a module caution uses can shadow
    nothing here. Packages named like the standard library are left out."""
    folders = sorted({str(repo / parent) if parent else str(repo) for parent in packages.values()})
    command = [sys.executable, "-I", "-m", "caution.reach.grimp_worker", *folders, "--"]
    try:
        proc = subprocess.run(
            [*command, *sorted(packages)], capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ImportGraphError(f"the import graph could not be built: {exc}") from exc
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ImportGraphError(
            f"the import graph could not be built: {lines[-1] if lines else proc.returncode}"
        )
    try:
        data = json_file.loads(proc.stdout.decode("utf-8"))
        graph = data["graph"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ImportGraphError(f"the import graph could not be read: {exc}") from exc
    return {str(k): [str(x) for x in v] for k, v in graph.items()}


def _tree_key(repo: Path) -> str | None:
    """The sources' tree id, or None when .py files differ from HEAD (no caching then)."""
    try:
        dirty = run_git(["status", "--porcelain", "--", "*.py"], repo).strip()
        if dirty:
            return None
        return run_git(["rev-parse", "HEAD^{tree}"], repo).decode().strip()
    except GitError:
        return None


def _python_files_at(repo: Path, rev: str, into: Path) -> None:
    """Unpack `rev`'s .py files under `into`; a member that would land outside it (or is
    a link, a device…) is skipped, never written."""
    archive = run_git(["archive", "--format=tar", rev, "--", ":(glob)**/*.py"], repo)

    def safe(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
        if not member.isfile() and not member.isdir():
            return None
        try:
            return tarfile.data_filter(member, path)
        except tarfile.FilterError:
            return None

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter=safe)


def import_graph(
    repo: Path, packages: dict[str, str], rev: str | None = None
) -> dict[str, list[str]]:
    """The graph of the work tree, or of commit `rev`."""
    if rev is not None:
        key: str | None = run_git(["rev-parse", f"{rev}^{{tree}}"], repo).decode().strip()
    else:
        key = _tree_key(repo)
    name = f"imports-{key}.json"
    cached = read_cache(repo, name) if key else None
    if cached is not None:
        try:
            data = json_file.loads(cached.decode("utf-8"))
            if isinstance(data, dict):
                return {str(k): [str(x) for x in v] for k, v in data.items()}
        except (UnicodeDecodeError, ValueError):
            pass
    if rev is None:
        graph = build_graph(repo, packages)
    else:
        with tempfile.TemporaryDirectory(prefix="caution-imports-") as folder:
            _python_files_at(repo, rev, Path(folder))
            graph = build_graph(Path(folder), packages)
    if key:
        try_write_cache(repo, name, json.dumps(graph).encode())
    return graph


def importers_of(changed: Iterable[str], graph: dict[str, list[str]]) -> list[str]:
    """Every module importing one of `changed`, directly or transitively. Pure."""
    reverse: dict[str, list[str]] = {}
    for module, imported in graph.items():
        for target in imported:
            reverse.setdefault(target, []).append(module)
    start = list(changed)
    seen = set(start)
    queue = deque(start)
    found: list[str] = []
    while queue:
        for importer in reverse.get(queue.popleft(), ()):
            if importer not in seen:
                seen.add(importer)
                found.append(importer)
                queue.append(importer)
    return sorted(found)


def code_reach(
    repo: Path, tracked: list[str], changed_files: Iterable[str], rev: str | None = None
) -> CodeReach:
    """`tracked`: the files of the work tree, or of `rev` when given."""
    packages = top_level_packages(tracked)
    modules = sorted({m for f in changed_files if (m := module_of(f, packages)) is not None})
    if not modules:
        return CodeReach()
    try:
        graph = import_graph(repo, packages, rev)
    except ImportGraphError as exc:
        return CodeReach(tuple(modules), (), str(exc))
    present = [m for m in modules if m in graph]
    return CodeReach(tuple(modules), tuple(importers_of(present, graph)))
