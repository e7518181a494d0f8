"""Finding and reading catalog files in the repository (the I/O side of `catalog.py`).

Every tracked `catalog-info.yaml`/`.yml`, the files `.caution.yml` names, and the
files `Location` entities point at (relative targets inside the repository, as
Backstage's own example catalog is organised) are read from the work tree.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from caution.globs import GlobError, compile_glob
from caution.reach.catalog import Catalog

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
MAX_CATALOG_BYTES = 1 << 20
# libyaml's loader is several times faster; PyYAML's own is the fallback where it is absent.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    links out of it, devices, and files too large to be a catalog."""

    def read(file: str) -> bytes:
        path = root / file
        if path.is_symlink() or not path.resolve().is_relative_to(root.resolve()):
            raise OSError("a link or a path outside the repository; not read")
        if not path.is_file():
            raise OSError("not a regular file")
        if path.stat().st_size > MAX_CATALOG_BYTES:
            raise OSError(f"larger than {MAX_CATALOG_BYTES // 1024} KiB; not read")
        return path.read_bytes()

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
        if "*" in text and any(
            isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_Loader)
        ):
            # an alias can expand exponentially (a "billion laughs" file)
            catalog._warn(file, "", "anchors and aliases (*name) are not read; file skipped")
            return []
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        catalog._warn(file, "", f"{where}YAML error: {getattr(exc, 'problem', exc)}; file skipped")
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
    if not isinstance(document, dict) or str(document.get("kind", "")).lower() != "location":
        return []
    spec = document.get("spec")
    if not isinstance(spec, dict):
        return []
    targets = spec.get("targets") or []
    if isinstance(spec.get("target"), str):
        targets = [*targets, spec["target"]] if isinstance(targets, list) else [spec["target"]]
    out = []
    for target in targets if isinstance(targets, list) else []:
        if not isinstance(target, str) or "://" in target:
            continue  # remote locations are not part of this repository
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(file), target))
        if joined.startswith(("../", "/")) or joined == "..":
            catalog._warn(file, "", f"location target {target} is outside the repository")
            continue
        out.append(joined)
    return out
