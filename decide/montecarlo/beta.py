"""Tabulated Beta inverse CDFs: PERT scores and Beta probabilities of yes.

SciPy's ``betaincinv`` takes milliseconds a row, so the engines draw from tables built once per
distinct shape ``(alpha, beta)``: cubic Hermite tables (:class:`BetaTables`, :func:`table_ppf`)
for the probabilities of yes and the strategies' scenarios; for PERT scores in the kernel, dense
tables read by linear interpolation indexed directly by ``u`` (:func:`dense_ppf`), whose few end
intervals read tables by octaves of ``u`` (:func:`dense_end_ppf`).
"""

from __future__ import annotations

import functools
import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.montecarlo.special import hermite

__all__ = ["TABLE_INTERVALS", "BetaTables", "table_locate", "table_ppf", "DENSE_INTERVALS", "DENSE_EXACT", "END_FIRST",
           "END_OCTAVES", "END_STEPS", "dense_ppf", "dense_end_ppf", "beta_ppf"]

TABLE_INTERVALS = 256
"""Intervals of the tabulated Beta inverse CDF (PERT scores, Beta probabilities), cubic Hermite."""
TABLE_TAIL = 2 * (TABLE_INTERVALS + 1)
"""Offset of the six end-interval constants in a :class:`BetaTables` row."""
DENSE_INTERVALS = 1024
"""Intervals of the dense Beta inverse-CDF tables the engine's kernel reads for PERT scores:
linear interpolation indexed directly by ``u`` (one multiply, a truncation and a lerp)."""
DENSE_EXACT = 8
"""End intervals of a dense table (at each end) where the kernel reads the end tables instead
(:func:`dense_end_ppf`): there the inverse CDF behaves like ``u**(1/alpha)`` and a lerp would be off
by up to 3e-3 of the range; elsewhere the lerp is within 1.1e-4 of the range for PERT shapes up to
6 (measured; the unit test bounds it by 2e-4)."""
END_FIRST = 6
"""The end tables cover ``v = min(u, 1 - u)`` below ``DENSE_EXACT / DENSE_INTERVALS = 2**-7`` by
octaves ``[2**-(k+1), 2**-k)``, ``k = END_FIRST .. END_FIRST + END_OCTAVES - 1`` (the first octave
only for ``v = 2**-7`` exactly, which the upper end can reach)."""
END_OCTAVES = 47
"""Octaves of the end tables: down to ``2**-53``, below every uniform the engine draws but 0."""
END_STEPS = 16
"""Lerp intervals per octave of the end tables. Within an octave the inverse CDF is close to a power
of ``u``, so the lerp is within 3e-5 of the range for PERT shapes up to 8 (unit-tested; 32 steps
gave 7e-6 but took twice the 40 ms that SciPy needs to build Mali's end tables), with no power
function at run time."""


class BetaTables:
    """Tabulated Beta inverse CDFs, one row per distinct shape ``(alpha, beta)``.

    A row holds, on the grid ``u_i = i / TABLE_INTERVALS``, the inverse CDF ``x_i`` and its slope
    ``h / f(x_i)`` (``h`` the grid step, ``f`` the density) for cubic Hermite interpolation, then six
    constants for the two end intervals. There the inverse CDF behaves like ``u**(1/alpha)``
    (``(1-u)**(1/beta)``): it is interpolated in ``s = u**(1/alpha)``, in which it is smooth, with
    its exact slope at ``s = 0``, ``(alpha B(alpha, beta))**(1/alpha)``. Rows are shared by all
    cells with the same shape (a case's PERT scores often repeat a few shapes), which keeps the
    tables in cache. The unit tests bound the error against SciPy (below 2e-4 of the range for
    shapes in [1, 10], far inside the Monte Carlo error of any moment).
    """

    def __init__(self) -> None:
        self._rows: list[NDArray[np.float64]] = []
        self._index: dict[tuple[float, float], int] = {}

    def row(self, alpha: float, beta: float) -> int:
        key = (float(alpha), float(beta))
        if key not in self._index:
            self._index[key] = len(self._rows)
            self._rows.append(_beta_row(*key))
        return self._index[key]

    def stack(self) -> NDArray[np.float64]:
        """All rows as one ``(row, 2 * (TABLE_INTERVALS + 1) + 6)`` array (one dummy row if none)."""
        if not self._rows:
            return np.zeros((1, TABLE_TAIL + 6))
        return np.ascontiguousarray(np.stack(self._rows))

    def dense_ends(self) -> NDArray[np.float64]:
        """End tables, rows as in :meth:`stack`: ``(row, 2, END_OCTAVES, END_STEPS + 1)``, the inverse
        CDF at ``v = 2**-(k+1) (1 + i / END_STEPS)`` of the shape (end 0, the lower end) and of its
        mirror ``(beta, alpha)`` (end 1: ``x = 1 - x_mirror(1 - u)``); see :func:`dense_end_ppf`."""
        out = np.zeros((max(len(self._index), 1), 2, END_OCTAVES, END_STEPS + 1))
        for (alpha, beta), r in self._index.items():
            out[r, 0], out[r, 1] = _end_rows(alpha, beta), _end_rows(beta, alpha)
        return np.ascontiguousarray(out)

    def dense(self) -> NDArray[np.float64]:
        """Dense tables, rows as in :meth:`stack`: ``(row, DENSE_INTERVALS, 2)`` holding, on the grid
        ``u_i = i / DENSE_INTERVALS``, ``x_i`` and ``x_{i+1} - x_i`` (see :func:`dense_ppf`)."""
        out = np.zeros((max(len(self._index), 1), DENSE_INTERVALS, 2))
        for (alpha, beta), r in self._index.items():
            out[r] = _dense_row(alpha, beta)
        return np.ascontiguousarray(out)


# Rows cached by shape: every simulation builds its tables, and SciPy's inverse takes milliseconds
# a row (the end tables' 799 points: 1-2 ms).
@functools.lru_cache(maxsize=256)
def _dense_row(alpha: float, beta: float) -> NDArray[np.float64]:
    from scipy.special import betaincinv

    n = DENSE_INTERVALS
    x = betaincinv(alpha, beta, np.arange(n + 1) / n)
    x[0], x[-1] = 0.0, 1.0
    row = np.column_stack([x[:-1], np.diff(x)])
    row.flags.writeable = False
    return row


@functools.lru_cache(maxsize=256)
def _end_rows(alpha: float, beta: float) -> NDArray[np.float64]:
    from scipy.special import betaincinv

    k = np.arange(END_FIRST, END_FIRST + END_OCTAVES)
    v = 2.0 ** -(k[:, None] + 1.0) * (1.0 + np.arange(END_STEPS + 1)[None, :] / END_STEPS)
    rows = betaincinv(alpha, beta, v)
    rows.flags.writeable = False
    return rows


@functools.lru_cache(maxsize=256)
def _beta_row(alpha: float, beta: float) -> NDArray[np.float64]:
    """One :class:`BetaTables` row (cached: scenario draws rebuild tables for the same shapes often)."""
    from scipy.special import beta as beta_fn
    from scipy.special import betaincinv
    from scipy.stats import beta as beta_dist

    n = TABLE_INTERVALS
    h = 1.0 / n
    x = betaincinv(alpha, beta, np.arange(n + 1) * h)
    x[0], x[-1] = 0.0, 1.0
    slope = np.zeros(n + 1)
    slope[1:n] = h / beta_dist.pdf(x[1:n], alpha, beta)
    lower_s, upper_s = h ** (1.0 / alpha), h ** (1.0 / beta)
    lower_c = (alpha * beta_fn(alpha, beta)) ** (1.0 / alpha)
    upper_c = (beta * beta_fn(alpha, beta)) ** (1.0 / beta)
    tail = [1.0 / alpha, 1.0 / beta,
            lower_c * lower_s, slope[1] * alpha,  # d x / d tau at both ends of the lower interval
            upper_c * upper_s, slope[n - 1] * beta]
    row = np.concatenate([np.column_stack([x, slope]).reshape(-1), tail])
    row.flags.writeable = False
    return row


@nb.njit(nogil=True, cache=True, inline="always")
def table_locate(u: float, inv_alpha: float, inv_beta: float) -> tuple[int, float, int]:
    """Where ``u`` falls in a :class:`BetaTables` row: ``(j, tau, end)``.

    ``end`` is 0 inside (interpolate between entries ``j..j+3``), -1 in the lower end interval
    and 1 in the upper one (``tau`` is then ``(u/h)**(1/alpha)`` or ``((1-u)/h)**(1/beta)``).
    """
    n = TABLE_INTERVALS
    t = u * n
    i = min(int(t), n - 1)
    if i == 0:
        return 0, math.pow(t, inv_alpha), -1
    if i == n - 1:
        return 2 * i, math.pow(max(n - t, 0.0), inv_beta), 1
    return 2 * i, t - i, 0


@nb.njit(nogil=True, cache=True, inline="always")
def table_ppf(tables: NDArray[np.float64], row: int, u: float) -> float:
    """Tabulated Beta inverse CDF of row ``row`` at ``u`` (see :class:`BetaTables`).

    Inlined where compiled code calls it: an array passed to a helper costs a reference count
    per call, more than the interpolation itself.
    """
    k = TABLE_TAIL
    j, tau, end = table_locate(u, tables[row, k], tables[row, k + 1])
    if end == 0:
        return hermite(tau, tables[row, j], tables[row, j + 1], tables[row, j + 2], tables[row, j + 3])
    if end < 0:
        return hermite(tau, 0.0, tables[row, k + 2], tables[row, 2], tables[row, k + 3])
    return 1.0 - hermite(tau, 0.0, tables[row, k + 4], 1.0 - tables[row, j], tables[row, k + 5])


_MANTISSA = np.uint64((1 << 52) - 1)
_END_POSITION = END_STEPS / 2.0**52  # mantissa bits to the position in an octave, in steps
_END_ROW = 2 * END_OCTAVES * (END_STEPS + 1)
assert DENSE_EXACT / DENSE_INTERVALS == 2.0 ** -(END_FIRST + 1)


@nb.njit(nogil=True, cache=True, inline="always")
def dense_end_ppf(ends: NDArray[np.float64], row: int, u: float) -> float:
    """Beta inverse CDF of row ``row`` for ``u`` in the dense table's end intervals, from the end
    tables (``BetaTables.dense_ends``, flattened): the octave of ``v = min(u, 1 - u)`` and the place in
    it read off the bits of ``v`` (exponent, mantissa), then a lerp. Integer operations and one
    lerp: no power function, no search.
    """
    upper = u >= 0.5
    v = 1.0 - u if upper else u  # exact for u >= 0.5 (Sterbenz)
    bits = np.float64(v).view(np.uint64)
    k = 1022 - np.int64(bits >> np.uint64(52))  # v in [2**-(k+1), 2**-k)
    t = np.float64(np.int64(bits & _MANTISSA)) * _END_POSITION
    i = np.int64(t)
    end = row * _END_ROW + upper * (END_OCTAVES * (END_STEPS + 1))
    if k >= END_FIRST + END_OCTAVES:  # v below 2**-53 (0, or a finer QMC point): from 0 linearly
        y = ends[end + (END_OCTAVES - 1) * (END_STEPS + 1)] * (v * 2.0**53)
    else:
        j = end + (k - END_FIRST) * (END_STEPS + 1) + i
        y = ends[j] + (t - i) * (ends[j + 1] - ends[j])
    return 1.0 - y if upper else y


@nb.njit(nogil=True, cache=True)
def dense_ppf(dense: NDArray[np.float64], ends: NDArray[np.float64], row: int, u: float) -> float:
    """Beta inverse CDF of row ``row`` from the dense table (lerp), the :data:`DENSE_EXACT` end
    intervals at each end from the end tables (both flattened, as the engine's kernel reads them;
    it inlines the same lines)."""
    t = u * DENSE_INTERVALS
    i = int(t)
    if i < DENSE_EXACT or i >= DENSE_INTERVALS - DENSE_EXACT:
        return dense_end_ppf(ends, row, u)
    j = (row * DENSE_INTERVALS + i) * 2
    return dense[j] + (t - i) * dense[j + 1]


def beta_ppf(alpha: float, beta: float, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Beta(alpha, beta) inverse CDF at ``u`` from the tabulated row (as the engine draws it)."""
    row = _beta_row(float(alpha), float(beta))[None]
    u = np.asarray(u, dtype=float)
    out = np.empty(u.size)
    _beta_ppf_loop(row, np.ascontiguousarray(u.ravel()), out)
    return out.reshape(u.shape)


@nb.njit(nogil=True, cache=True)
def _beta_ppf_loop(tables, u, out):
    for i in range(u.shape[0]):
        out[i] = table_ppf(tables, 0, min(max(u[i], 0.0), 1.0))
