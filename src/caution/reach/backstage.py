"""Finding and reading catalog files in the repository (the I/O side of `catalog.py`).

Every tracked `catalog-info.yaml`/`.yml`, the files `.caution.yml` names, and the
files `Location` entities point at (relative targets inside the repository, as
Backstage's own example catalog is organised) are read from the work tree.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path

from caution.globs import GlobError, compile_glob
from caution.reach.catalog import Catalog
from caution.repo_paths import join_inside, repo_path_problem
from caution.user_file import read_user_file
from caution.yaml_source import SourceError, load_documents

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
MAX_CATALOG_BYTES = 1 << 20


def catalog_files(tracked: Iterable[str], extra: Iterable[str]) -> tuple[list[str], list[str]]:
    """(files to read, warnings)."""
    tracked = list(tracked)
    found = [f for f in tracked if posixpath.basename(f) in CATALOG_NAMES]
    warnings = []
    for pattern in extra:
        try:
            glob = compile_glob(pattern)
        except GlobError as exc:
            warnings.append(f".caution.yml: reach.catalog: {exc}")
            continue
        found.extend(f for f in tracked if glob.matches(f) and f not in found)
    return found, warnings


Reader = Callable[[str], bytes]  # repository path → content; OSError when it cannot


def work_tree_reader(root: Path) -> Reader:
    """Catalog files from the work tree, refusing what a hostile repository could point at:
    links out of it, devices and FIFOs, and files too large to be a catalog."""

    def read(file: str) -> bytes:
        problem = repo_path_problem(file)
        if problem is not None:
            raise OSError(f"the path {problem}; not read")
        path = root / file
        if path.is_symlink() or not path.resolve().is_relative_to(root.resolve()):
            raise OSError("a link or a path outside the repository; not read")
        try:
            return read_user_file(path, MAX_CATALOG_BYTES, follow_symlinks=False)
        except OSError as exc:
            raise OSError(exc.strerror or str(exc)) from exc

    return read


def _documents(read: Reader, file: str, catalog: Catalog) -> list[object]:
    try:
        data = read(file)
        if len(data) > MAX_CATALOG_BYTES:
            raise OSError(f"larger than {MAX_CATALOG_BYTES // 1024} KiB; not read")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        catalog._warn(file, "", f"cannot read: {exc}")
        return []
    try:
        return load_documents(text, file)
    except SourceError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        catalog._warn(file, "", f"{where}{exc.problem}; file skipped")
        return []


def load_catalog(root: Path, files: Iterable[str], read: Reader | None = None) -> Catalog:
    """The catalog in `files` and the Location targets they name, read with `read` (the
    work tree's files by default)."""
    read = read or work_tree_reader(root)
    catalog = Catalog()
    queue = list(dict.fromkeys(files))
    seen: set[str] = set()
    while queue:
        file = queue.pop(0)
        if file in seen:
            continue
        seen.add(file)
        documents = _documents(read, file, catalog)
        catalog.add_documents(file, documents)
        for document in documents:
            queue.extend(_location_targets(file, document, catalog))
    catalog.check_refs()
    return catalog


def _location_targets(file: str, document: object, catalog: Catalog) -> list[str]:
    """The files a Location entity names, inside the repository; every other target is
    skipped with a warning (a remote `url` is not part of this repository: silently)."""
    if not isinstance(document, dict) or str(document.get("kind", "")).lower() != "location":
        return []
    spec = document.get("spec")
    if not isinstance(spec, dict):
        return []
    targets = spec.get("targets") or []
    if not isinstance(targets, list):
        catalog._warn(file, "", "location spec.targets must be a list of paths")
        targets = []
    if "target" in spec:
        targets = [*targets, spec["target"]]
    out = []
    for target in targets:
        if not isinstance(target, str):
            catalog._warn(file, "", f"location target {_shown(target)} is not a path")
            continue
        if "://" in target:
            continue  # remote locations are not part of this repository
        joined, problem = join_inside(posixpath.dirname(file), target)
        if joined is None:
            catalog._warn(file, "", f"location target {_shown(target)} {problem}; not read")
            continue
        out.append(joined)
    return out


def _shown(value: object) -> str:
    """A value from the file, quoted and cut short for a one-line warning."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
