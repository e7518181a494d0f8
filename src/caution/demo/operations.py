"""The demo shop's operations side: a canary configuration and SLOs committed with the code,
and the numbers a monitoring pipeline would export beside them — event counts for the last
28 days (stamped relative to now, so the burn-rate windows have data) and the coupon release's
canary metrics against its baseline. The exported files are ignored by git, as real exports
would be."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

DEPLOY = """\
deploy:                           # read by `caution deploy gate` and the `deploy` predicate
  freezes:
    - {name: weekend, cron: "0 18 * * FRI", duration: 62h, timezone: Europe/Berlin}
  budget: {slos: ops/slos.yml, window_days: 28}
"""

CANARY = """\
# Kayenta-style judgement of a canary against a baseline deployed at the same time.
metrics:
  - {name: latency_ms, group: latency, direction: increase}
  - name: errors
    group: errors
    direction: increase
    critical: true
    sequential: {test: poisson}   # for `caution canary run --sequential`
groups: {latency: 50, errors: 50}
thresholds: {pass: 95, marginal: 75}
"""

SLOS = """\
slos:
  - name: checkout-availability
    objective: 99.9
    min_events: 100
    events: checkout-events.json   # exported hourly by the monitoring pipeline
"""

COMMITTED = {
    "ops/canary.yml": CANARY,
    "ops/slos.yml": SLOS,
    ".gitignore": "ops/exported/\nops/checkout-events.json\n",
}
EXPORTED = "ops/exported"


def export_operations_data(repo: Path, now: float | None = None) -> Path:
    """Write what monitoring would export: SLO events (40 % of the budget spent over 28
    days) and canary metrics (the coupon release 25 % slower, with as many errors)."""
    now = time.time() if now is None else now
    rng = random.Random(7)
    buckets = [
        {"end": round(now) - hour * 3600, "good": 9996, "total": 10000} for hour in range(28 * 24)
    ]
    (repo / "ops" / "checkout-events.json").write_text(json.dumps({"buckets": buckets}))
    exported = repo / EXPORTED
    exported.mkdir(parents=True, exist_ok=True)
    for name, slower in (("baseline", 1.0), ("coupons", 1.25)):
        metrics = {
            "latency_ms": [round(rng.gauss(120 * slower, 12), 1) for _ in range(60)],
            "errors": [float(sum(rng.random() < 0.002 for _ in range(500))) for _ in range(60)],
        }
        (exported / f"{name}.json").write_text(json.dumps({"metrics": metrics}))
    return exported
