"""Kamei et al.'s 14 just-in-time change metrics, read from a CSV file.

Columns (any order, extra columns ignored): ns, nd, nf, entropy (alias entrophy, ent),
la, ld, lt, fix, ndev, age, nuc, exp (alias aexp), rexp (alias arexp), sexp (alias asexp);
the label bug (alias buggy); the time date (unix seconds; alias author_date).

- NS, ND, NF: subsystems, directories and files touched.
- Entropy: how evenly the modified lines spread over the files.
- LA, LD: lines added and deleted; LT: lines in the touched files before the change.
- FIX: whether the change fixes a defect.
- NDEV: developers who changed the files before; AGE: mean time since the files' last
  change; NUC: unique earlier changes to the files.
- EXP, REXP, SEXP: the author's experience: all changes, weighted by recency, in the
  same subsystems.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from caution.user_file import MiB, read_user_file

FEATURES_LIMIT = 512 * MiB

FEATURES = (
    "ns",
    "nd",
    "nf",
    "entropy",
    "la",
    "ld",
    "lt",
    "fix",
    "ndev",
    "age",
    "nuc",
    "exp",
    "rexp",
    "sexp",
)
ALIASES = {
    "entrophy": "entropy",
    "ent": "entropy",
    "aexp": "exp",
    "arexp": "rexp",
    "asexp": "sexp",
    "buggy": "bug",
    "author_date": "date",
}
_TRUE = {"1", "1.0", "true", "t", "yes", "y"}
_FALSE = {"0", "0.0", "false", "f", "no", "n"}


class FeatureError(ValueError):
    """The CSV cannot be read as Kamei features: `file:line: problem`."""


@dataclass(frozen=True)
class Dataset:
    rows: list[list[float]]  # FEATURES, in order
    labels: list[int]
    times: list[float]

    def __len__(self) -> int:
        return len(self.labels)


def _number(text: str, file: str, line: int, column: str) -> float:
    text = text.strip()
    if text == "" or text.lower() in ("nan", "na", "null", "none"):
        return 0.0
    try:
        value = float(text)
    except ValueError as exc:
        raise FeatureError(f"{file}:{line}: {column} is not a number: {text[:30]!r}") from exc
    if math.isnan(value) or math.isinf(value):
        return 0.0
    return value


def _label(text: str, file: str, line: int) -> int:
    value = text.strip().lower()
    if value in _TRUE:
        return 1
    if value in _FALSE:
        return 0
    raise FeatureError(f"{file}:{line}: bug must be 0/1 or true/false, not {text[:30]!r}")


def read_features(path: Path) -> Dataset:
    name = str(path)
    try:
        data = read_user_file(path, FEATURES_LIMIT)
    except OSError as exc:
        raise FeatureError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FeatureError(f"{name}:{line}: not UTF-8 text") from None
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise FeatureError(f"{name}: the file is empty") from None
        except csv.Error as exc:
            raise FeatureError(f"{name}:1: {exc}") from exc
        columns: dict[str, int] = {}
        for index, raw in enumerate(header):
            key = raw.strip().lower()
            key = ALIASES.get(key, key)
            if key in columns and key in (*FEATURES, "bug", "date"):
                # the first would silently win, and half the file mean something else
                raise FeatureError(f"{name}:1: column {key!r} appears twice ({raw.strip()!r})")
            columns.setdefault(key, index)
        missing = [c for c in (*FEATURES, "bug", "date") if c not in columns]
        if missing:
            raise FeatureError(f"{name}:1: missing columns: {', '.join(missing)}")
        rows, labels, times = [], [], []
        try:
            for line, record in enumerate(reader, start=2):
                if not record or all(not cell.strip() for cell in record):
                    continue
                if len(record) < len(header):
                    raise FeatureError(
                        f"{name}:{line}: {len(record)} fields, expected {len(header)}"
                    )
                rows.append([_number(record[columns[f]], name, line, f) for f in FEATURES])
                labels.append(_label(record[columns["bug"]], name, line))
                times.append(_number(record[columns["date"]], name, line, "date"))
        except csv.Error as exc:
            raise FeatureError(f"{name}:{reader.line_num}: {exc}") from exc
    if not rows:
        raise FeatureError(f"{name}: no rows")
    return Dataset(rows, labels, times)
