"""Simulated canaries: the repeated Kayenta judge against the sequential (mSPRT) test.

Each canary runs for `--intervals` intervals of six 10-second steps per side. Latency per
step is log-normal around 100 ms (10 % spread); the canary's is shifted by 0, 2, 5, 10 or
20 %. Errors per step are Poisson counts of 1,000 requests at 0.1 % for the baseline and 0.1,
0.2, 0.5 or 1 % for the canary. After every interval both methods see everything so far:

- repeated judge: Kayenta's judge (one metric, direction increase) on the cumulative samples;
  the first `fail` is a detection;
- sequential: `caution.rollout.sequential.look` at α = 0.05; the first `fail` is a detection.

Printed per scenario: how often each method raised an alarm, and the median interval of
detection over all runs (`never` when fewer than half detected). At no shift (0 %, 0.1 %)
the alarm rate is the false-alarm rate. Goals (issue #7): sequential false alarms ≤ α, and
for every shift ≥ 5 % the sequential median detection no later than the judge's.

    python bench/canary.py [--runs 200] [--intervals 30] [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

import numpy as np

from caution.rollout.config import CanaryConfig, Direction, MetricConfig, SequentialMethod
from caution.rollout.judge import judge
from caution.rollout.sequential import Decision, SequentialSpec, look

STEPS, BASE_LATENCY, SPREAD, REQUESTS, BASE_ERRORS = 6, 100.0, 0.10, 1000, 0.001
ALPHA = 0.05
LATENCY_SHIFTS = (0.0, 0.02, 0.05, 0.10, 0.20)
ERROR_RATES = (0.001, 0.002, 0.005, 0.01)


def simulate(
    kind: str, effect: float, intervals: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    n = STEPS * intervals
    if kind == "latency":
        base = BASE_LATENCY * rng.lognormal(0, SPREAD, n)
        can = BASE_LATENCY * (1 + effect) * rng.lognormal(0, SPREAD, n)
        return base, can
    return (
        rng.poisson(REQUESTS * BASE_ERRORS, n).astype(float),
        rng.poisson(REQUESTS * effect, n).astype(float),
    )


def first_alarm_judge(config: CanaryConfig, base: np.ndarray, can: np.ndarray, n: int) -> int:
    name = config.metrics[0].name
    for i in range(1, n + 1):
        upto = STEPS * i
        result = judge(config, {name: base[:upto].tolist()}, {name: can[:upto].tolist()})
        if result.verdict == "fail":
            return i
    return 0


def first_alarm_sequential(spec: SequentialSpec, base: np.ndarray, can: np.ndarray, n: int) -> int:
    for i in range(1, n + 1):
        upto = STEPS * i
        state = look(
            [spec],
            {spec.name: base[:upto].tolist()},
            {spec.name: can[:upto].tolist()},
            alpha=ALPHA,
            final=i == n,
        )
        if state.decision is Decision.FAIL:
            return i
    return 0


def median_detection(alarms: list[int]) -> str:
    """Median over all runs, a run without an alarm counting as later than any."""
    ordered = sorted(a if a else math.inf for a in alarms)
    middle = statistics.median_low(ordered)
    return "never" if math.isinf(middle) else f"{middle:g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--intervals", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    scenarios = [("latency", s) for s in LATENCY_SHIFTS] + [("errors", r) for r in ERROR_RATES]
    print(
        f"{args.runs} runs × {args.intervals} intervals × {STEPS} steps per side; α = {ALPHA}\n"
        f"{'scenario':<22}{'judge alarms':>13}{'seq alarms':>12}"
        f"{'judge median':>14}{'seq median':>12}"
    )
    started = time.perf_counter()
    goals = []
    for kind, effect in scenarios:
        metric = "latency_ms" if kind == "latency" else "errors"
        config = CanaryConfig(metrics=[MetricConfig(name=metric, direction=Direction.INCREASE)])
        spec = SequentialSpec(
            metric,
            SequentialMethod.MEAN if kind == "latency" else SequentialMethod.POISSON,
            Direction.INCREASE,
            scale=0.05 if kind == "latency" else math.log(2),
        )
        judged, sequenced = [], []
        for _ in range(args.runs):
            base, can = simulate(kind, effect, args.intervals, rng)
            judged.append(first_alarm_judge(config, base, can, args.intervals))
            sequenced.append(first_alarm_sequential(spec, base, can, args.intervals))
        label = f"latency +{effect:.0%}" if kind == "latency" else f"errors {effect:.1%}"
        judge_rate = sum(1 for a in judged if a) / args.runs
        seq_rate = sum(1 for a in sequenced if a) / args.runs
        judge_median, seq_median = median_detection(judged), median_detection(sequenced)
        print(
            f"{label:<22}{judge_rate:>13.1%}{seq_rate:>12.1%}{judge_median:>14}{seq_median:>12}",
            flush=True,
        )
        null = (kind == "latency" and effect == 0) or (kind == "errors" and effect == BASE_ERRORS)
        if null:
            goals.append((f"{label}: sequential false alarms ≤ α", seq_rate <= ALPHA))
        elif kind == "errors" or effect >= 0.05:
            earlier = _not_later(seq_median, judge_median)
            goals.append((f"{label}: sequential median ≤ judge median", earlier))
    print(f"\n{time.perf_counter() - started:.0f} s")
    for text, met in goals:
        print(f"  {'met ' if met else 'MISSED'}  {text}")
    return 0 if all(met for _, met in goals) else 1


def _not_later(sequential: str, repeated: str) -> bool:
    if sequential == "never":
        return repeated == "never"
    return repeated == "never" or float(sequential) <= float(repeated)


if __name__ == "__main__":
    sys.exit(main())
