"""Metric samples from JSON files: `{"metrics": {"latency_ms": [12.1, 13.4, null], …}}`, one
file for the baseline and one for the canary. `null` is a missing value (NaN), kept so the
metric's NaN strategy decides what it means.

Every problem is reported as `file: problem` — a judge fed a half-read file could pass a
canary it never saw.
"""

from __future__ import annotations

import math
from pathlib import Path

from caution import json_file

Samples = dict[str, list[float]]


class SampleError(ValueError):
    """A metrics file that cannot be read as samples."""


def parse_samples(text: str, file: str) -> Samples:
    try:
        doc = json_file.parse_json(
            text, file, parse_constant=lambda name: _refuse_constant(name, file)
        )
    except json_file.JsonFileError as exc:
        raise SampleError(str(exc)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("metrics"), dict):
        raise SampleError(f'{file}: expected {{"metrics": {{"name": [numbers…]}}}}')
    samples: Samples = {}
    for name, values in doc["metrics"].items():
        if not isinstance(values, list):
            raise SampleError(f"{file}: metric {name!r} must be a list of numbers")
        clean: list[float] = []
        for i, value in enumerate(values):
            if value is None:
                clean.append(math.nan)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise SampleError(f"{file}: metric {name!r}, value {i}: {value!r} is not a number")
            else:
                number = finite(value)
                if number is None:
                    raise SampleError(
                        f"{file}: metric {name!r}, value {i} is not finite (or too large)"
                    )
                clean.append(number)
        samples[str(name)] = clean
    return samples


def finite(value: int | float) -> float | None:
    """`value` as a finite float; None for infinities and integers too large for a float."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _refuse_constant(name: str, file: str) -> float:
    raise SampleError(f"{file}: {name} is not a number here (use null for a missing value)")


def read_samples(path: Path) -> Samples:
    try:
        text = json_file.read_text(path)
    except json_file.JsonFileError as exc:
        raise SampleError(str(exc)) from exc
    return parse_samples(text, str(path))
