"""Brent's root finder as R's `uniroot` runs it (R_zeroin2, after Brent 1973 and the netlib
`zeroin.c` of Forsythe, Malcolm and Moler), reimplemented step for step from the published
algorithm so that the Hodges-Lehmann interval ends agree with R's `wilcox.test` to far
below its tolerance: the same tolerance, the same interpolation choices, the same stopping
rule, hence the same root.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

EPSILON = sys.float_info.epsilon


@dataclass(frozen=True)
class Root:
    root: float
    iterations: int
    converged: bool


def zeroin(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    f_lower: float | None = None,
    f_upper: float | None = None,
    tol: float = 1e-4,
    maxiter: int = 1000,
) -> Root:
    """A root of `f` in [lower, upper], whose ends must bracket a sign change."""
    a, b = lower, upper
    fa = f(a) if f_lower is None else f_lower
    fb = f(b) if f_upper is None else f_upper
    if fa * fb > 0:
        raise ValueError("the ends of the interval do not have opposite signs")
    if fa == 0:
        return Root(a, 0, True)
    if fb == 0:
        return Root(b, 0, True)
    c, fc = a, fa
    for iteration in range(1, maxiter + 2):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return Root(b, iteration - 1, True)
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:  # two distinct points: linear interpolation
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:  # inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return Root(b, maxiter, False)
