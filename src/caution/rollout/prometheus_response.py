"""Prometheus HTTP API answers (`/api/v1/query_range`) → numbers, without I/O.

Every way an answer can go wrong is a PrometheusError naming what was wrong, never a
KeyError or an empty list: a judge fed a half-understood answer could pass a canary it never
saw. The choices:

- several series in a result (one per instance, say): their values are concatenated, series
  after series, as Kayenta and Argo Rollouts do; aggregate in the query (`sum`, `avg`) when
  one series per arm is meant;
- "NaN" is NaN, left to the metric's nan_strategy (removed by default);
- "+Inf" and "-Inf" are errors: `histogram_quantile` answers +Inf when the quantile lies past
  the last bucket, i.e. for a canary slower than the histogram can tell. Dropping those points
  as NaN would hide exactly that canary; the judge cannot rank a mean of infinity either. So
  the measurement is an Error, and repeated ones end the run in Error — never in a pass;
- errorType `bad_data` (HTTP 400: the PromQL does not parse, too many points) is a QueryError,
  bad input; every other error (execution, timeout, unavailable, …) may pass and is a
  measurement error;
- HTTP 401, 403 and 404 with no Prometheus error body mean the URL or its credentials are
  wrong, not that the server is busy: a QueryError, so the run stops at once instead of
  retrying into an Error;
- native histograms (`histograms` in a series) are not numbers: an error asking for a
  quantile or rate instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from caution import json_file
from caution.rollout.source import MeasurementError, QueryError

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf")


_WRONG_PLACE = {
    401: "the server wants credentials (caution sends none): is --url right?",
    403: "the server refuses this client: is --url right?",
    404: "no Prometheus query API at this address: give the server's base URL, "
    "e.g. http://prometheus:9090",
}


class PrometheusError(MeasurementError):
    """Prometheus did not give a usable answer this time."""


class PrometheusQueryError(QueryError):
    """Prometheus refused the query itself (errorType bad_data)."""


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    values: tuple[float, ...]
    times: tuple[float, ...] = ()  # unix seconds of each value, when known


def parse_range_response(body: bytes, status: int = 200) -> list[Series]:
    """The series of a query_range answer with HTTP status `status`."""
    try:
        doc = json_file.loads(body)
    except ValueError:  # not JSON, too deep, a key twice, an integer of 5,000 digits
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("status"), str):
        if status in _WRONG_PLACE:
            raise PrometheusQueryError(_http(status, _WRONG_PLACE[status]))
        what = "not JSON" if doc is None else "not a Prometheus API answer"
        raise PrometheusError(_http(status, f"{what}: {_excerpt(body)}"))
    if doc["status"] == "error":
        kind = doc.get("errorType")
        message = f"Prometheus: {kind or 'error'}: {doc.get('error') or 'no message'}"
        if kind == "bad_data":
            raise PrometheusQueryError(message)
        raise PrometheusError(_http(status, message))
    if doc["status"] != "success":
        raise PrometheusError(_http(status, f"Prometheus answered status {doc['status']!r}"))
    if not 200 <= status < 300:
        raise PrometheusError(f"HTTP {status} with a success body")
    data = doc.get("data")
    if not isinstance(data, dict):
        raise PrometheusError("Prometheus answer without data")
    if data.get("resultType") != "matrix":
        raise PrometheusError(
            f"expected a matrix (range query) result, got {data.get('resultType')!r}"
        )
    result = data.get("result")
    if not isinstance(result, list):
        raise PrometheusError("matrix result is not a list")
    return [_series(item, i) for i, item in enumerate(result)]


def series_values(series: list[Series]) -> list[float]:
    """All values, series after series (Kayenta's and Argo's reading of several series)."""
    return [value for s in series for value in s.values]


def series_on_grid(series: list[Series], start: float, end: float, step: float) -> list[float]:
    """Each series on the query's own grid (start, start + step, … ≤ end), a step with no
    sample NaN, series after series. Prometheus leaves out the steps where a series had no
    sample — an error counter that does not exist yet, say — and values read in order would
    then pair one arm's step with another step of the other arm (or of the exposure)."""
    if step <= 0 or end < start:
        return series_values(series)
    size = int((end - start) // step) + 1
    values: list[float] = []
    for s in series:
        row = [math.nan] * size
        for moment, value in zip(s.times, s.values, strict=True):
            index = round((moment - start) / step)
            if 0 <= index < size:
                row[index] = value
        values.extend(row)
    return values


def _series(item: Any, index: int) -> Series:
    if not isinstance(item, dict):
        raise PrometheusError(f"series {index} is not an object")
    labels = item.get("metric", {})
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        raise PrometheusError(f"series {index}: labels are not text")
    name = _name(labels)
    if "values" not in item and "histograms" in item:
        raise PrometheusError(
            f"series {name} holds native histograms, not numbers: query a quantile or a rate"
        )
    values = item.get("values")
    if not isinstance(values, list):
        raise PrometheusError(f"series {name}: no list of values")
    return Series(
        dict(labels),
        tuple(_value(pair, name) for pair in values),
        tuple(float(pair[0]) for pair in values),
    )


def _value(pair: Any, name: str) -> float:
    if (
        not isinstance(pair, list)
        or len(pair) != 2
        or isinstance(pair[0], bool)
        or not isinstance(pair[0], int | float)
        or not isinstance(pair[1], str)
    ):
        raise PrometheusError(f'series {name}: {_short(pair)} is not a [time, "value"] pair')
    text = pair[1]
    if _NUMBER.fullmatch(text) is None:
        raise PrometheusError(f"series {name} at {pair[0]}: {_short(text)} is not a number")
    value = float(text)
    if math.isinf(value):
        raise PrometheusError(
            f"series {name} at {pair[0]}: {text} (a quantile past the last bucket, or a "
            "division by zero); an infinite value cannot be judged"
        )
    return value


def _name(labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{labels.get('__name__', '')}{{{inner}}}"


def _http(status: int, message: str) -> str:
    return message if 200 <= status < 300 else f"HTTP {status}: {message}"


def _excerpt(body: bytes) -> str:
    text = body[:200].decode("utf-8", "replace").strip()
    return repr(text) if text else "empty body"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
