"""Special functions of the kernel: the inverse normal CDF, a tabulated normal CDF, cubic Hermite
interpolation, Mills' ratio.

Scalar numba functions. Those compiled with ``inline="always"`` are inlined into the compiled code
that calls them, so that loops over draws calling them vectorise (the inverse normal's central
rational function, the tabulated CDF).

References
----------
.. [1] Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal distribution.
   Applied Statistics 37(3), 477-484.
.. [2] Laplace's continued fraction for Mills' ratio: Abramowitz, M. and Stegun, I. A. (1964).
   Handbook of Mathematical Functions, 26.2.14.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

__all__ = ["NDTRI_CENTRAL", "ndtri", "ndtri_central", "ndtri_tail", "norm_cdf", "norm_cdf_table", "hermite",
           "MILLS_TERMS", "mills_ratio"]


@nb.njit(nogil=True, cache=True, inline="always")
def hermite(t: float, y0: float, m0: float, y1: float, m1: float) -> float:
    """Cubic Hermite interpolation on [0, 1] from end values and slopes."""
    t2 = t * t
    t3 = t2 * t
    return (2.0 * t3 - 3.0 * t2 + 1.0) * y0 + (t3 - 2.0 * t2 + t) * m0 + (3.0 * t2 - 2.0 * t3) * y1 + (t3 - t2) * m1


NDTRI_CENTRAL = 0.425
"""``ndtri(p)`` for ``|p - 0.5| <= NDTRI_CENTRAL`` is :func:`ndtri_central` (no branch, no log)."""


@nb.njit(nogil=True, cache=True, inline="always")
def ndtri_central(q: float) -> float:
    """:func:`ndtri` of ``0.5 + q`` for ``|q| <= NDTRI_CENTRAL``: one rational function, so loops
    over it vectorise (the tails, 15% of uniforms, take :func:`ndtri_tail`, the far tails :func:`ndtri`)."""
    r = 0.180625 - q * q
    return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r
                         + 67265.770927008700853) * r + 45921.953931549871457) * r
                       + 13731.693765509461125) * r + 1971.5909503065514427) * r
                     + 133.14166789178437745) * r + 3.387132872796366608) / (
            ((((((5226.495278852545925 * r + 28729.085735721942674) * r
                 + 39307.89580009271061) * r + 21213.794301586595867) * r
               + 5394.1960214247511077) * r + 687.1870074920579083) * r
             + 42.313330701600911252) * r + 1.0)


@nb.njit(nogil=True, cache=True, inline="always")
def ndtri_tail(s: float, lower: bool) -> float:
    """:func:`ndtri` in its tails short of the far tails: ``s = sqrt(-log(r))`` in (1.6, 5], ``r =
    min(p, 1 - p)``; ``lower`` for ``p < 0.5``. One rational function and a select, so a loop over
    the tail draws vectorises once their logarithms are taken (a call per draw)."""
    r = s - 1.6
    val = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
                + 0.24178072517745061177) * r + 1.27045825245236838258) * r
              + 3.64784832476320460504) * r + 5.7694972214606914055) * r
            + 4.6303378461565452959) * r + 1.42343711074968357734) / (
        ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
             + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
           + 0.68976733498510000455) * r + 1.6763848301838038494) * r
         + 2.05319162663775882187) * r + 1.0)
    return -val if lower else val


@nb.njit(nogil=True, cache=True)
def ndtri(p: float) -> float:
    """Inverse of the standard normal CDF, Wichura's AS 241 (PPND16), relative error ~1e-16 [1]_."""
    q = p - 0.5
    if abs(q) <= NDTRI_CENTRAL:
        return ndtri_central(q)
    r = p if q < 0.0 else 1.0 - p
    if r <= 0.0:
        return -np.inf if q < 0.0 else np.inf
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        return ndtri_tail(r, q < 0.0)
    r -= 5.0
    val = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
              + 0.29656057182850489123) * r + 1.7848265399172913358) * r
            + 5.4637849111641143699) * r + 6.6579046435011037772) / (
        ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
             + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
           + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
         + 0.59983220655588793769) * r + 1.0)
    return -val if q < 0.0 else val


@nb.njit(nogil=True, cache=True)
def norm_cdf(z: float) -> float:
    """Standard normal CDF (``erfc`` keeps the lower tail accurate)."""
    return 0.5 * math.erfc(-z * 0.7071067811865476)


PHI_LIMIT = 8.5
PHI_STEPS = 64
"""Nodes per unit of :data:`_PHI_TABLE`, which tabulates the normal CDF on [-PHI_LIMIT, PHI_LIMIT]."""


def _phi_table() -> NDArray[np.float64]:
    """Rows ``(Phi(z_i), phi(z_i) / PHI_STEPS)`` on the grid ``z_i = -PHI_LIMIT + i / PHI_STEPS``."""
    z = np.linspace(-PHI_LIMIT, PHI_LIMIT, int(2 * PHI_LIMIT * PHI_STEPS) + 1)
    cdf = [norm_cdf.py_func(v) for v in z]  # the formula, in Python: no compiling at import
    return np.ascontiguousarray(np.stack([cdf, np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) / PHI_STEPS], 1))


_PHI_TABLE = _phi_table()


@nb.njit(nogil=True, cache=True, inline="always")
def norm_cdf_table(z: float) -> float:
    """Standard normal CDF by cubic Hermite interpolation of a table of the CDF and the density:
    absolute error below 1e-10 (unit-tested against SciPy), about a third of ``erfc``'s time.

    For the copula's latent uniforms, which are only compared with probabilities of yes: an
    absolute error of 1e-10 moves no probability by more than that. Beyond ±PHI_LIMIT the CDF is
    that at ±PHI_LIMIT (off by under 1e-17).
    """
    t = (min(max(z, -PHI_LIMIT), PHI_LIMIT - 1e-9) + PHI_LIMIT) * PHI_STEPS
    i = int(t)
    return hermite(t - i, _PHI_TABLE[i, 0], _PHI_TABLE[i, 1], _PHI_TABLE[i + 1, 0], _PHI_TABLE[i + 1, 1])


MILLS_TERMS = 16
"""Terms of the continued fraction in :func:`mills_ratio`: relative error below 5e-16 from z = 8
up, and 8 terms from z = 15 up (measured against ``scipy.special.erfcx``; a test checks it)."""


@nb.njit(nogil=True, cache=True)
def mills_ratio(z: float) -> float:
    """Mills' ratio ``R(z) = Phi(-z) / phi(z)`` for ``z >= TRUNCNORMAL_TAIL``, by Laplace's continued
    fraction ``1 / (z + 1 / (z + 2 / (z + 3 / ...)))`` [2]_ evaluated from the bottom. Finite and
    positive where ``Phi(-z)`` underflows; ``1 / z`` to within ``1 / z**3``."""
    f = z
    for k in range(MILLS_TERMS if z < 15.0 else MILLS_TERMS // 2, 0, -1):
        f = z + k / f
    return 1.0 / f
