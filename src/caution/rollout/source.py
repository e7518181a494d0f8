"""The port through which `caution canary run` reads metrics, and the two ways it can fail.

A metric source answers a range query with numbers. When it cannot answer now (network down,
server overloaded, a value the judge cannot weigh) the measurement is an Error and the run
goes on, as in Argo Rollouts; when the question itself is wrong (PromQL that does not parse,
more points than the server allows) asking again cannot help, so the run stops as bad input.
"""

from __future__ import annotations

from typing import Protocol


class MeasurementError(Exception):
    """The source could not answer this time; the measurement is an Error."""


class QueryError(ValueError):
    """The query is wrong and will stay wrong: bad input (exit 2)."""


class RangeQuery(Protocol):
    def __call__(self, query: str, start: float, end: float, step: float) -> list[float]:
        """Every value of `query` between the unix times `start` and `end`, one per `step`
        seconds and series, series after series; NaN where the source says NaN."""
        ...
