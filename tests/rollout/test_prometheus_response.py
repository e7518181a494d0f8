"""Reading Prometheus's query_range answers: recorded real bodies, and arbitrary JSON."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.rollout.prometheus_response import (
    PrometheusError,
    PrometheusQueryError,
    parse_range_response,
    series_values,
)
from caution.rollout.source import MeasurementError, QueryError

DATA = Path(__file__).parent.parent / "data" / "rollout"


def body(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_a_recorded_matrix_concatenates_its_series() -> None:
    series = parse_range_response(body("prometheus_matrix.json"))
    assert [s.labels["version"] for s in series] == ["v1", "v2"]
    values = series_values(series)
    assert len(values) == sum(len(s.values) for s in series) and len(values) >= 4
    assert all(0.05 < v < 0.15 for v in values)


def test_an_empty_result_is_no_values() -> None:
    assert series_values(parse_range_response(body("prometheus_empty.json"))) == []


@pytest.mark.parametrize(
    ("name", "status", "kind", "words"),
    [
        ("prometheus_bad_data.json", 400, PrometheusQueryError, "bad_data: 1:21: parse error"),
        ("prometheus_resolution.json", 400, PrometheusQueryError, "11,000 points"),
        ("prometheus_execution.json", 422, PrometheusError, "HTTP 422: Prometheus: execution"),
        ("prometheus_vector.json", 200, PrometheusError, "got 'vector'"),
        ("prometheus_nonfinite.json", 200, PrometheusError, "+Inf"),
        ("prometheus_not_found.txt", 404, PrometheusQueryError, "HTTP 404: no Prometheus query"),
    ],
)
def test_recorded_failures_say_what_went_wrong(
    name: str, status: int, kind: type[Exception], words: str
) -> None:
    with pytest.raises(kind) as info:
        parse_range_response(body(name), status)
    assert words in str(info.value)


def test_nan_is_kept_for_the_nan_strategy() -> None:
    doc = {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "NaN"]]}]},
    }
    (value,) = series_values(parse_range_response(json.dumps(doc).encode()))
    assert math.isnan(value)


@pytest.mark.parametrize("text", ["-Inf", "+Inf", "1e999"])
def test_infinities_are_errors(text: str) -> None:
    doc = {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, text]]}]},
    }
    with pytest.raises(PrometheusError, match="infinite"):
        parse_range_response(json.dumps(doc).encode())


def test_native_histograms_are_not_numbers() -> None:
    doc = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [{"metric": {"__name__": "h"}, "histograms": [[1, {"count": "2"}]]}],
        },
    }
    with pytest.raises(PrometheusError, match="native histograms"):
        parse_range_response(json.dumps(doc).encode())


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
VALUE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.just("NaN"),
)


def envelope(result: Any, kind: Any = "matrix", status: Any = "success") -> bytes:
    return json.dumps({"status": status, "data": {"resultType": kind, "result": result}}).encode()


@given(JSON, st.sampled_from([200, 400, 422, 500, 503]))
def test_arbitrary_json_gives_series_or_a_prometheus_error(doc: Any, status: int) -> None:
    for raw in (
        json.dumps(doc).encode(),
        envelope(doc),
        envelope([doc]),
        envelope([{"values": doc}]),
    ):
        try:
            series = parse_range_response(raw, status)
        except (MeasurementError, QueryError):
            continue
        assert all(isinstance(v, float) and not math.isinf(v) for v in series_values(series))


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    with contextlib.suppress(MeasurementError, QueryError):
        parse_range_response(raw)


@given(
    st.lists(
        st.tuples(
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
            st.lists(st.tuples(st.integers(0, 2**31), VALUE), max_size=5),
        ),
        max_size=4,
    )
)
def test_well_formed_matrices_read_back_in_order(series: list[Any]) -> None:
    result = [{"metric": labels, "values": [list(p) for p in pairs]} for labels, pairs in series]
    values = series_values(parse_range_response(envelope(result)))
    expected = [float(text) for _, pairs in series for _, text in pairs]
    assert len(values) == len(expected)
    assert all(
        (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(values, expected, strict=True)
    )


def test_series_are_put_on_the_querys_grid_so_gaps_stay_gaps() -> None:
    """Prometheus leaves out steps without a sample; read in order, the later values of a
    series that started late would pair with the first steps of the other arm."""
    from caution.rollout.prometheus_response import series_on_grid

    late = {"metric": {"v": "2"}, "values": [[130, "5"], [140, "6"]]}
    full = {"metric": {"v": "1"}, "values": [[100 + 10 * i, str(i)] for i in range(5)]}
    series = parse_range_response(envelope([late]))
    grid = series_on_grid(series, 100, 140, 10)
    assert [None if math.isnan(v) else v for v in grid] == [None, None, None, 5.0, 6.0]
    both = series_on_grid(parse_range_response(envelope([full, late])), 100, 140, 10)
    assert len(both) == 10 and both[:5] == [0.0, 1.0, 2.0, 3.0, 4.0]
    outside = {"metric": {}, "values": [[90, "1"], [150, "2"], [120, "3"]]}
    grid = series_on_grid(parse_range_response(envelope([outside])), 100, 140, 10)
    assert [None if math.isnan(v) else v for v in grid] == [None, None, 3.0, None, None]
    assert series_on_grid([], 100, 140, 10) == []  # no series: no data, not NaN padding


@pytest.mark.parametrize(
    "text",
    [
        '{"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {},'
        ' "values": [[' + "1" * 5000 + ', "1"]]}]}}',
        '{"status": "success", "status": "error", "data": {}}',
        "[" * 100_000 + "]" * 100_000,
        '{"status": "success", "data": NaN}',
    ],
    ids=["5000-digit timestamp", "status twice", "deep", "NaN"],
)
def test_malformed_answers_are_prometheus_errors(text: str) -> None:
    with pytest.raises(PrometheusError, match="not JSON"):
        parse_range_response(text.encode())
