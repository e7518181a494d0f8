"""The two-sample Mann-Whitney (Wilcoxon rank-sum) test with the Hodges-Lehmann shift
estimate and its confidence interval, with the semantics of R's
`wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE)` — the test Kayenta's
judge runs (and checks itself against).

- Statistic W = Σ ranks of x − n_x (n_x + 1) / 2, ranks averaged over ties.
- p-value: normal approximation with the tie-corrected variance
  σ² = n_x n_y / 12 · ((n + 1) − Σ (t³ − t) / (n (n − 1))) and a continuity correction of
  ½ towards zero; two-sided.
- The estimate and the interval invert the same statistic: for a shift d, rank x − d
  against y; the estimate is the d where the standardised statistic crosses 0, the ends
  where it crosses ∓z_{α/2}; found with R's `uniroot` (zeroin, tol 1e-4) over
  [min x − max y, max x − min y]. As in R, the interval keeps the continuity correction and
  the estimate drops it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, rankdata

from caution.rollout.zeroin import zeroin


class StatisticsError(ValueError):
    """The test cannot be computed on these samples (for example, every value tied)."""


@dataclass(frozen=True)
class MannWhitneyResult:
    statistic: float
    p_value: float
    estimate: float
    ci: tuple[float, float]


def _tie_term(ranks: np.ndarray) -> float:
    _, counts = np.unique(ranks, return_counts=True)
    return float(np.sum(counts.astype(float) ** 3 - counts))


def _sigma(nx: int, ny: int, ranks: np.ndarray) -> float:
    n = nx + ny
    return math.sqrt((nx * ny / 12) * ((n + 1) - _tie_term(ranks) / (n * (n - 1))))


def mann_whitney(
    x: Sequence[float], y: Sequence[float], *, conf_level: float = 0.98, mu: float = 0.0
) -> MannWhitneyResult:
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    nx, ny = len(xs), len(ys)
    if nx == 0 or ny == 0:
        raise StatisticsError("both samples need at least one value")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise StatisticsError("samples must be finite (remove or replace NaN first)")
    if not 0 < conf_level < 1:
        raise StatisticsError("the confidence level must be between 0 and 1")

    ranks = rankdata(np.concatenate([xs - mu, ys]))
    statistic = float(np.sum(ranks[:nx]) - nx * (nx + 1) / 2)
    z = statistic - nx * ny / 2
    sigma = _sigma(nx, ny, ranks)
    if sigma == 0:
        raise StatisticsError("every observation is tied")
    z = (z - math.copysign(0.5, z) * (z != 0)) / sigma
    p_value = float(min(1.0, 2 * min(norm.cdf(z), norm.sf(z))))

    def wdiff(d: float, zq: float, correct: bool = True) -> float:
        dr = rankdata(np.concatenate([xs - d, ys]))
        dz = float(np.sum(dr[:nx])) - nx * (nx + 1) / 2 - nx * ny / 2
        sigma_ci = _sigma(nx, ny, dr)
        if sigma_ci == 0:
            raise StatisticsError(
                "cannot compute a confidence interval when all observations are tied"
            )
        correction = math.copysign(0.5, dz) * (dz != 0) if correct else 0.0
        return (dz - correction) / sigma_ci - zq

    mumin = float(np.min(xs) - np.max(ys))
    mumax = float(np.max(xs) - np.min(ys))

    def root(zq: float) -> float:
        f_lower, f_upper = wdiff(mumin, zq), wdiff(mumax, zq)
        if f_lower <= 0:
            return mumin
        if f_upper >= 0:
            return mumax
        return zeroin(lambda d: wdiff(d, zq), mumin, mumax, f_lower, f_upper, tol=1e-4).root

    alpha = 1 - conf_level
    low = root(float(norm.isf(alpha / 2)))
    high = root(normal_quantile(alpha / 2))
    try:
        # R sets correct <- FALSE before it solves for the estimate
        estimate = zeroin(lambda d: wdiff(d, 0.0, False), mumin, mumax, tol=1e-4).root
    except ValueError as exc:
        raise StatisticsError(f"no shift estimate: {exc}") from exc
    return MannWhitneyResult(statistic, p_value, estimate, (low, high))


def normal_quantile(p: float) -> float:
    """The standard normal quantile the interval's ends are found at (Kayenta's
    NormalDistribution.inverseCumulativeProbability; checked against its vector)."""
    return float(norm.ppf(p))
