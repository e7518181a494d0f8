"""`caution reach`: the reach of a range of commits, or of a list of changed files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from caution.git.log import read_commits
from caution.git.process import run_git
from caution.git.repo import cat_files, read_file_at, tracked_files_at
from caution.json_file import JsonFileError, read_json
from caution.reach.backstage import Reader, catalog_files, load_catalog, work_tree_reader
from caution.reach.codeowners import PLACES, Codeowners, parse_codeowners
from caution.reach.graph import (
    TierSettings,
    claims,
    dependents,
    owners_of_files,
    touched_components,
)
from caution.reach.imports import code_reach
from caution.reach.model import CodeReach, IacReach, Reach
from caution.reach.settings import ReachSettings
from caution.reach.terraform import PlanError, parse_plan


class ReachError(Exception):
    """Input `caution reach` cannot use (an unreadable plan file)."""


def tracked_files(repo: Path) -> list[str]:
    out = run_git(["ls-files", "-z"], repo)
    return [p.decode("utf-8", "replace") for p in out.split(b"\0") if p]


def remote_urls(repo: Path) -> list[str]:
    out = run_git(["config", "--get-regexp", r"^remote\..*\.url$"], repo, ok_codes=(0, 1))
    urls = []
    for line in out.decode("utf-8", "replace").splitlines():
        url = line.split(" ", 1)[-1].strip()
        if url.startswith("git@") and ":" in url:  # git@github.com:org/repo → https form
            host, path = url[4:].split(":", 1)
            url = f"https://{host}/{path}"
        urls.append(url)
    return urls


def load_codeowners(
    repo: Path, tracked: Iterable[str], read: Reader | None = None
) -> Codeowners | None:
    present = set(tracked)
    read = read or work_tree_reader(repo)
    for place in PLACES:
        if place in present:
            try:
                text = read(place).decode("utf-8", "replace")
            except OSError:
                continue
            return parse_codeowners(text, place)
    return None


def revision_reader(repo: Path, rev: str, prefetch: list[str]) -> Reader:
    """Files as committed at `rev`: `prefetch` in one git process, any other on demand."""
    contents = dict(zip(prefetch, cat_files(repo, [f"{rev}:{p}" for p in prefetch]), strict=True))

    def read(file: str) -> bytes:
        data = contents[file] if file in contents else read_file_at(repo, rev, file)
        if data is None:
            raise OSError(f"not in {rev[:10]}")
        return data

    return read


def read_plan(path: Path) -> IacReach:
    try:
        data = read_json(path)
    except JsonFileError as exc:
        raise ReachError(str(exc)) from exc
    try:
        return parse_plan(data)
    except PlanError as exc:
        raise ReachError(f"{path}: {exc}") from exc


def reach_of_files(
    repo: Path,
    files: list[str],
    settings: ReachSettings,
    plan: Path | None = None,
    *,
    rev: str | None = None,
    code_rev: str | None = None,
) -> Reach:
    """Reach of `files`, with the catalog and CODEOWNERS of the work tree, or of `rev` when
    given: `caution check` passes the branch the change merges into, so a change cannot
    lower its own tier or change its owners. The Python import graph is the work tree's,
    or `code_rev`'s when given (check passes the change's head: the code that will run)."""
    tracked = tracked_files(repo) if rev is None else tracked_files_at(repo, rev)
    to_read, warnings = catalog_files(tracked, settings.catalog)
    read = (
        work_tree_reader(repo)
        if rev is None
        else revision_reader(repo, rev, [*to_read, *(p for p in PLACES if p in set(tracked))])
    )
    catalog = load_catalog(repo, to_read, read)
    tiers = TierSettings(dict(settings.lifecycle_tiers), settings.default_tier)
    by_ref = owners_of_files(files, claims(catalog, remote_urls(repo)))
    touched = touched_components(by_ref, catalog, tiers)
    reached = dependents([c.ref for c in touched], catalog, tiers)
    owners: list[str] = [c.owner for c in touched if c.owner]
    owned = {f for c in touched if c.owner for f in c.files}
    codeowners = load_codeowners(repo, tracked, read)
    if codeowners is not None:
        warnings.extend(codeowners.warnings)
        for path in files:
            found = codeowners.owners_of(path)
            owners.extend(found)
            if found:
                owned.add(path)
    claimed = {f for fs in by_ref.values() for f in fs}
    code = None
    if settings.python_imports:
        code_files = tracked if code_rev is None else tracked_files_at(repo, code_rev)
        code = code_reach(repo, code_files, files, code_rev)
    return Reach(
        components=tuple(touched),
        dependents=tuple(reached),
        owners=tuple(dict.fromkeys(owners)),
        code=code if code is not None else CodeReach(),
        iac=read_plan(plan) if plan is not None else None,
        unowned_files=tuple(f for f in files if f not in claimed),
        warnings=tuple(
            [
                *warnings,
                *(str(w) for w in catalog.warnings),
                *([code.problem] if code is not None and code.problem else []),
            ]
        ),
        catalog_refs=tuple(sorted(catalog.entities)),
        ownerless_files=tuple(f for f in files if f not in owned),
    )


def changed_files(repo: Path, spec: str) -> list[str]:
    files: list[str] = []
    for commit in read_commits(repo, spec):
        for change in commit.files:
            for path in (change.path, change.old_path):
                if path and path not in files:
                    files.append(path)
    return files


def reach_of_range(
    repo: Path, spec: str, settings: ReachSettings, plan: Path | None = None
) -> Reach:
    return reach_of_files(repo, changed_files(repo, spec), settings, plan)
