"""The sequential test of a whole canary, as configured: which metrics, which test, which
direction, which exposure. `caution canary run --sequential` calls `sequential_look` after
every interval with everything measured so far."""

from __future__ import annotations

import math
from collections.abc import Sequence

from caution.rollout.config import CanaryConfig, MetricConfig, NanStrategy, SequentialMethod
from caution.rollout.judge import handle_nans
from caution.rollout.samples import Samples
from caution.rollout.sequential import Look, SequentialSpec, look

DEFAULT_SCALE = {SequentialMethod.MEAN: 0.05, SequentialMethod.POISSON: math.log(2)}


def specs_of(config: CanaryConfig) -> list[SequentialSpec]:
    """One test per metric that is neither muted nor only another metric's exposure."""
    exposures = {m.sequential.exposure for m in config.metrics if m.sequential.exposure}
    return [
        SequentialSpec(
            m.name,
            m.sequential.test,
            m.direction,
            m.sequential.scale or DEFAULT_SCALE[m.sequential.test],
            m.sequential.min_samples,
        )
        for m in config.metrics
        if not m.muted and m.name not in exposures
    ]


def _prepared(metric: MetricConfig, samples: Samples) -> list[float]:
    """The metric's NaN strategy applies; outlier removal does not (it would make the
    evidence depend on later data, and a sequential test must only ever add to it). Counts
    keep their NaN steps so that steps stay paired with their exposure."""
    values = samples.get(metric.name, [])
    if metric.sequential.test is SequentialMethod.POISSON and metric.nan_strategy is (
        NanStrategy.REMOVE
    ):
        return list(values)  # the test skips NaN steps itself, pairing the rest
    return handle_nans(values, metric.nan_strategy)


def sequential_look(
    config: CanaryConfig, baseline: Samples, canary: Samples, *, final: bool
) -> Look:
    """The canary's sequential state from everything measured since it started."""
    by_name = {m.name: m for m in config.metrics}
    specs = specs_of(config)
    exposures: dict[str, tuple[Sequence[float], Sequence[float]]] = {}
    for spec in specs:
        exposure = by_name[spec.name].sequential.exposure
        if exposure is not None:
            exposures[spec.name] = (baseline.get(exposure, []), canary.get(exposure, []))
    return look(
        specs,
        {s.name: _prepared(by_name[s.name], baseline) for s in specs},
        {s.name: _prepared(by_name[s.name], canary) for s in specs},
        alpha=config.sequential.alpha,
        final=final,
        exposures=exposures,
    )
