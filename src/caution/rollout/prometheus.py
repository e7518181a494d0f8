"""A small client for Prometheus's `GET /api/v1/query_range`, the one call a canary run needs.

urllib rather than a client library: one GET with a timeout. Reading the answer is
prometheus_response.py's job (pure, tested on arbitrary JSON); this module owns the network
and turns each way it fails into a message a person can act on.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from caution.rollout.prometheus_response import (
    PrometheusError,
    parse_range_response,
    series_on_grid,
)
from caution.rollout.source import QueryError

MAX_BODY = 64 * 1024 * 1024  # a range answer larger than this is a query asking too much
CHUNK = 1024 * 1024


class PrometheusClient:
    """`client(query, start, end, step)` → values; a RangeQuery for rollout/canary_run.py."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise QueryError(f"--url {url!r}: expected http(s)://host[:port][/path]")
        if not 0 < timeout <= 3600:  # False for NaN too
            raise QueryError(f"--timeout {timeout}: expected seconds above 0, at most 3600")
        self.url = url.rstrip("/")
        self.endpoint = f"{self.url}/api/v1/query_range"
        self.timeout = timeout

    def __call__(self, query: str, start: float, end: float, step: float) -> list[float]:
        params = urllib.parse.urlencode(
            {"query": query, "start": _time(start), "end": _time(end), "step": _time(step)}
        )
        request = urllib.request.Request(
            f"{self.endpoint}?{params}", headers={"Accept": "application/json"}
        )
        # urllib's timeout bounds each socket operation; the deadline bounds the answer, so a
        # server trickling bytes cannot hold the run for longer than one timeout (and a read)
        deadline = time.monotonic() + self.timeout
        response: Any
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
            status, stream = response.status, response
        except urllib.error.HTTPError as exc:
            response, status, stream = exc, exc.code, exc.fp or exc
        except urllib.error.URLError as exc:
            raise PrometheusError(self._unreachable(exc.reason)) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise PrometheusError(self._unreachable(exc)) from exc
        try:  # reading the body fails as the request can, an error's body included
            with response:
                body = self._read(stream, deadline)
        except (OSError, http.client.HTTPException) as exc:
            raise PrometheusError(self._unreachable(exc)) from exc
        return series_on_grid(parse_range_response(body, status), start, end, step)

    def _read(self, response: Any, deadline: float) -> bytes:
        """The body, chunk by chunk (`read1` returns what one read brings, where `read(n)`
        would wait for all n bytes), until the end, MAX_BODY or the deadline."""
        read = getattr(response, "read1", None) or response.read
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise PrometheusError(self._unreachable(TimeoutError()))
            chunk: bytes = read(min(CHUNK, MAX_BODY + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                raise PrometheusError(
                    f"answer larger than {MAX_BODY // 2**20} MiB; use a larger step"
                )

    def _unreachable(self, reason: Any) -> str:
        if isinstance(reason, ConnectionRefusedError):
            why = "connection refused"
        elif isinstance(reason, TimeoutError | socket.timeout):
            why = f"no answer within {self.timeout:g}s"
        elif isinstance(reason, socket.gaierror):
            why = f"unknown host ({reason.strerror or reason})"
        else:
            why = str(getattr(reason, "strerror", None) or reason)
        return f"cannot reach Prometheus at {self.url}: {why}"


def _time(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".")
