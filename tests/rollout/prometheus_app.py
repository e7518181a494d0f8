"""A test application for the Prometheus integration test: one process serving a baseline
(version="v1") and a canary (version="v2") side by side on `/metrics`.

    python prometheus_app.py PORT healthy|degraded

Latency is a gauge with a little noise, errors and requests are counters that grow at a
fixed pace, so a healthy canary is statistically the baseline's twin and a degraded one is
twice as slow with ten times the errors — the test is about the plumbing, not the statistics.
"""

from __future__ import annotations

import random
import sys
import time

from prometheus_client import Counter, Gauge, start_http_server

TICK = 0.05


def main(port: int, canary: str) -> None:
    latency = Gauge("app_latency_seconds", "Latency of the last request", ["version"])
    requests = Counter("app_requests", "Requests served", ["version"])
    errors = Counter("app_errors", "Requests that failed", ["version"])
    slow, failing = (2.0, 10) if canary == "degraded" else (1.0, 1)
    rng = random.Random(port)
    start_http_server(port, addr="127.0.0.1")
    while True:
        for version, factor, bad in (("v1", 1.0, 1), ("v2", slow, failing)):
            latency.labels(version).set(rng.gauss(0.1 * factor, 0.005))
            requests.labels(version).inc(10)
            errors.labels(version).inc(0.1 * bad)
        time.sleep(TICK)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
