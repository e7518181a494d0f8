"""The training set `caution risk train` leaves under `.caution/cache/`: mined metrics and
SZZ labels as plain JSON, checked value by value on load (a cache inside a repository is
something a change can write). The model fitted from it is cached separately, signed, in
`fitted.py`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from caution import json_file
from caution.cache import cache_path, read_cache, try_write_cache, write_cache
from caution.risk.features import FEATURES, Dataset

TRAINING_FILE = "risk-training.json"
_VERSION = 1


class TrainingStoreError(ValueError):
    """The stored training set is missing or unreadable."""


@dataclass(frozen=True)
class TrainingSet:
    head: str  # the commit whose history was mined
    maturity_days: float
    data: Dataset
    fix_pattern: str | None = None  # what counted as a fix (None: a file from before it was kept)


def training_path(repo: Path) -> Path:
    return cache_path(repo, TRAINING_FILE)


def save(repo: Path, training: TrainingSet) -> Path:
    payload = {
        "version": _VERSION,
        "head": training.head,
        "maturity_days": training.maturity_days,
        "fix_pattern": training.fix_pattern,
        "features": list(FEATURES),
        "rows": training.data.rows,
        "labels": training.data.labels,
        "times": training.data.times,
    }
    return write_cache(repo, TRAINING_FILE, json.dumps(payload, separators=(",", ":")).encode())


def load(repo: Path) -> TrainingSet | None:
    """The stored training set, None when `caution risk train` has not run here."""
    path = training_path(repo)
    if not path.is_file():
        return None
    where = f"{path}"
    try:
        payload = json_file.loads(read_cache(repo, TRAINING_FILE).decode("utf-8"))
    except (OSError, ValueError) as exc:  # JSON errors, too-deep nesting, bad UTF-8
        raise TrainingStoreError(f"{where}: unreadable ({exc}); run `caution risk train`") from exc
    if not isinstance(payload, dict) or payload.get("version") != _VERSION:
        raise TrainingStoreError(f"{where}: written by another version; run `caution risk train`")
    if payload.get("features") != list(FEATURES):
        raise TrainingStoreError(f"{where}: different feature set; run `caution risk train`")
    rows, labels, times = payload.get("rows"), payload.get("labels"), payload.get("times")
    if not (isinstance(rows, list) and isinstance(labels, list) and isinstance(times, list)):
        raise TrainingStoreError(f"{where}: rows, labels and times must be lists")
    if not len(rows) == len(labels) == len(times):
        raise TrainingStoreError(f"{where}: rows, labels and times differ in length")
    try:
        clean_rows = [[float(v) for v in row] for row in rows]
        clean_labels = [int(v) for v in labels]
        clean_times = [float(v) for v in times]
        maturity_days = float(payload.get("maturity_days", 90))
    except (TypeError, ValueError, OverflowError) as exc:
        raise TrainingStoreError(f"{where}: not numbers ({exc})") from exc
    if any(len(row) != len(FEATURES) for row in clean_rows):
        raise TrainingStoreError(f"{where}: every row needs {len(FEATURES)} values")
    finite = [*clean_times, maturity_days, *(v for row in clean_rows for v in row)]
    if any(not math.isfinite(v) for v in finite) or any(v not in (0, 1) for v in clean_labels):
        raise TrainingStoreError(f"{where}: values must be finite and labels 0 or 1")
    pattern = payload.get("fix_pattern")
    return TrainingSet(
        str(payload.get("head", "")),
        maturity_days,
        Dataset(clean_rows, clean_labels, clean_times),
        pattern if isinstance(pattern, str) else None,
    )


SZZ_FILE = "risk-szz.json"


def load_szz_cache(repo: Path) -> dict[str, list[str]]:
    """fix sha → the commits it blames, from earlier runs; {} when absent or unreadable
    (a cache is disposable: it is rebuilt, never trusted half-way)."""
    try:
        data = json_file.loads(read_cache(repo, SZZ_FILE).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    fixes = data.get("fixes")
    if not isinstance(fixes, dict):
        return {}
    return {
        str(k): [str(s) for s in v]
        for k, v in fixes.items()
        if isinstance(v, list) and all(isinstance(s, str) for s in v)
    }


def save_szz_cache(repo: Path, fixes: dict[str, list[str]]) -> None:
    try_write_cache(repo, SZZ_FILE, json.dumps({"version": _VERSION, "fixes": fixes}).encode())
