"""Metric files: numbers, nulls as NaN, and a clear error for anything else."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.rollout.samples import SampleError, parse_samples, read_samples


def test_numbers_and_nulls(tmp_path: Path) -> None:
    path = tmp_path / "canary.json"
    path.write_text('{"metrics": {"latency_ms": [12.1, 13, null], "errors": []}}')
    samples = read_samples(path)
    assert samples["latency_ms"][:2] == [12.1, 13.0] and math.isnan(samples["latency_ms"][2])
    assert samples["errors"] == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not JSON"),
        ("[]", "expected"),
        ('{"metrics": []}', "expected"),
        ('{"metrics": {"a": 1}}', "must be a list"),
        ('{"metrics": {"a": ["1"]}}', "is not a number"),
        ('{"metrics": {"a": [true]}}', "is not a number"),
        ('{"metrics": {"a": [NaN]}}', "use null"),
        ('{"metrics": {"a": [1e999]}}', "not finite"),
    ],
)
def test_bad_files_say_what_and_where(text: str, problem: str) -> None:
    with pytest.raises(SampleError, match=problem) as caught:
        parse_samples(text, "base.json")
    assert str(caught.value).startswith("base.json")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match="cannot read"):
        read_samples(tmp_path / "missing.json")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(SampleError, match="UTF-8"):
        read_samples(binary)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=4),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=3)
    ),
    max_leaves=15,
)


@given(json_values)
def test_any_json_reads_or_fails_cleanly(doc: object) -> None:
    for candidate in (doc, {"metrics": doc}, {"metrics": {"m": doc}}):
        try:
            samples = parse_samples(json.dumps(candidate), "f.json")
        except SampleError:
            continue
        assert all(isinstance(v, float) for values in samples.values() for v in values)
