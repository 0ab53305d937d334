"""Outcome distributions by inverse CDF: each kind's scalar inverse CDF, a case's cell tables, and
the vectorised :class:`ScoreSampler` the strategies' scenarios draw with.

A cell (option, criterion) of :class:`~decide.compile.ScoreArrays` becomes a kind code
(:data:`~decide.compile.KIND_CODES`) and :data:`N_PARAMS` parameters (:func:`cell_tables`); every
kind draws from one uniform, so the same tables serve plain Monte Carlo, QMC and the scenarios.
The kernel's outcome stage (:mod:`decide.montecarlo.outcomes`) inlines the same inverse CDFs, one
loop per kind, except that it reads PERT from the dense tables of :mod:`decide.montecarlo.beta`.

References
----------
.. [1] Vose, D. (2008). Risk Analysis: A Quantitative Guide, 3rd ed. Wiley (Beta-PERT).
.. [2] The log-space tail of the truncated normal: SciPy's ``truncnorm``
   (``scipy/stats/_continuous_distns.py``, ``_log_gauss_mass`` and ``_ppf``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.compile import KIND_CODES, ScoreArrays
from decide.montecarlo.beta import BetaTables, table_ppf
from decide.montecarlo.special import mills_ratio, ndtri

__all__ = ["POINT", "TRIANGULAR", "PERT", "UNIFORM", "TRUNCNORMAL", "DISCRETE", "LOGNORMAL", "N_PARAMS",
           "triangular_ppf", "TRUNCNORMAL_TAIL", "truncnormal_tail_offset", "truncnormal_params", "truncnormal_ppf",
           "lognormal_ppf", "CellTables", "cell_tables", "draw_cell", "cell_ppf", "ScoreSampler", "draw_scores"]

POINT, TRIANGULAR, PERT, UNIFORM, TRUNCNORMAL, DISCRETE, LOGNORMAL = (KIND_CODES[k] for k in (
    "point", "triangular", "pert", "uniform", "truncnormal", "discrete", "lognormal"))
N_PARAMS = 8
"""Parameters stored per distribution cell (see :func:`cell_tables`)."""


@nb.njit(nogil=True, cache=True, inline="always")
def triangular_ppf(u: float, low: float, high: float, f_mode: float, k_low: float, k_high: float) -> float:
    """Triangular inverse CDF, closed form (inlined: the kernel's loop over draws then vectorises)."""
    # Both roots, then a select: a branch on u would be mispredicted half the time.
    lower = low + math.sqrt(u * k_low)
    upper = high - math.sqrt((1.0 - u) * k_high)
    return lower if u < f_mode else upper


TRUNCNORMAL_TAIL = 8.0
"""A truncated normal whose bounds both lie this many sd or more on one side of its mean is drawn
by its tail form (:func:`truncnormal_tail_offset`): there the normal CDF at the bounds loses
precision, and beyond about 37.5 sd it underflows to 0 (or to a subnormal), so the plain form
cannot tell the bounds apart (it drew the far bound). Below it the plain form keeps its precision."""


@nb.njit(nogil=True, cache=True)
def truncnormal_tail_offset(z: float, ratio: float, v: float) -> float:
    """The tail form of the truncated normal inverse CDF, in sd from the bound nearer the mean.

    The standard normal truncated to ``[z, z + d]``, ``z >= TRUNCNORMAL_TAIL`` (reflected, for a
    truncation below the mean), drawn at upper-tail probability ``v``: the ``t >= 0`` with
    ``Phi(-(z + t)) = Phi(-z) (v + ratio (1 - v))``, ``ratio = Phi(-(z + d)) / Phi(-z)``. In logs
    and relative to the near bound, so nothing underflows or cancels:
    ``log Phi(-(z + t)) - log Phi(-z) = -t (z + t/2) + log R(z + t) - log R(z)`` (``R`` is
    :func:`mills_ratio`). Newton's method from the root of the quadratic part, which lies beyond
    the root, converges from above (``log Phi`` is concave); two or three steps reach rounding for
    ``z >= 8``, and beyond ``z = 1e8`` the quadratic part alone is exact to rounding. As in
    ``scipy.stats.truncnorm``, which also works in the log of the tail [2]_.

    Returns ``inf`` where ``v + ratio (1 - v)`` is 0 (the far bound).
    """
    s = v + ratio * (1.0 - v)
    if s <= 0.0:
        return np.inf
    log_s = math.log(s)
    if log_s >= 0.0:
        return 0.0
    t = -2.0 * log_s / (z + math.sqrt(z * z - 2.0 * log_s))
    if z < 1e8:
        log_rz = math.log(mills_ratio(z))
        for _ in range(4):
            r = mills_ratio(z + t)
            step = (math.log(r) - log_rz - t * (z + 0.5 * t) - log_s) * r
            t += step
            if abs(step) <= 1e-15 * t:
                break
    return t


@nb.njit(nogil=True, cache=True)
def truncnormal_ppf(u: float, mean: float, sd: float, f_low: float, width: float, sign: float, low: float,
                    high: float) -> float:
    """Truncated normal inverse CDF with the parameters of :func:`cell_tables`, clipped to [low, high].

    Plain form (``f_low >= 0``): ``mean + sign sd ndtri(f_low + u width)``. Tail form (``f_low < 0``,
    a cell's constant, so the branch is always predicted): ``mean`` holds the bound nearer the true
    mean, ``-f_low`` its distance in sd, ``width`` the ratio of the normal's tails at the two
    bounds; the draw is that bound moved ``sd`` times :func:`truncnormal_tail_offset` towards the
    other, which keeps it increasing in ``u``.
    """
    if f_low < 0.0:
        v = u if sign > 0.0 else 1.0 - u
        x = mean - sign * sd * truncnormal_tail_offset(-f_low, width, v)
    else:
        x = mean + sign * sd * ndtri(f_low + u * width)
    return min(max(x, low), high)


@nb.njit(nogil=True, cache=True)
def lognormal_ppf(u: float, mean: float, sd: float, f_low: float, width: float, sign: float, low: float,
                  high: float) -> float:
    """Truncated lognormal inverse CDF: ``exp`` of the truncated normal of ``log(x)``, parameters of
    :func:`truncnormal_params` on the log scale (``low`` may be minus infinity: a bound at 0)."""
    return math.exp(truncnormal_ppf(u, mean, sd, f_low, width, sign, low, high))


def truncnormal_params(mean: float, sd: float, low: float, high: float) -> tuple[float, ...]:
    """The seven parameters of :func:`truncnormal_ppf` for a normal truncated to [low, high].

    The CDF is taken on the side of the mean away from the truncation (reflected where both bounds
    lie above the mean), so that far tails keep their precision; where both bounds lie
    :data:`TRUNCNORMAL_TAIL` sd or more from the mean, the tail form's parameters
    ``(near bound, sd, -z, ratio, sign, low, high)`` instead.
    """
    from scipy.special import ndtr

    a, b = (low - mean) / sd, (high - mean) / sd
    sign = 1.0
    if a > 0.0:  # truncation above the mean: work in the upper tail, reflected
        a, b, sign = -b, -a, -1.0
    if b <= -TRUNCNORMAL_TAIL:
        # Both bounds far below (reflected: above) the mean: z, the near bound's distance in sd, and
        # the log of the tails' ratio, -d (z + d/2) + log R(z + d) - log R(z), d = (high - low) / sd.
        z, d = -b, (high - low) / sd
        log_ratio = -d * (z + 0.5 * d)
        if log_ratio > -800.0:  # else the ratio underflows: 0
            log_ratio += math.log(mills_ratio.py_func(z + d)) - math.log(mills_ratio.py_func(z))
        near = high if sign > 0.0 else low
        return near, sd, -z, math.exp(log_ratio) if log_ratio > -800.0 else 0.0, sign, low, high
    lo, hi = float(ndtr(a)), float(ndtr(b))
    if sign < 0:  # reflected: u -> 1 - u keeps the draw increasing in u
        return mean, sd, hi, lo - hi, sign, low, high
    return mean, sd, lo, hi - lo, sign, low, high


@dataclass(frozen=True)
class CellTables:
    """Outcome distributions of a :class:`~decide.compile.ScoreArrays` as inverse-CDF parameters.

    ``kind`` ``(option, criterion)``; ``params`` ``(option, criterion, 8)``: point ``(v)``;
    triangular ``(low, high, F(mode), (high-low)(mode-low), (high-low)(high-mode))``; PERT
    ``(low, high-low, row of BetaTables)`` with ``alpha = 1 + shape (mode-low)/(high-low)``, ``beta``
    likewise [1]_; uniform ``(low, high-low)``; truncated normal
    ``(mean, sd, F_lo, F_hi-F_lo, sign, low, high)`` with the CDF taken on the side of the mean
    away from the truncation so that far tails keep their precision, or, both bounds far on one
    side of the mean, its tail form (:func:`truncnormal_params`); discrete ``(n_values)``
    with cumulative probabilities in ``cum`` and support in ``values``.
    """

    kind: NDArray[np.int8]
    params: NDArray[np.float64]
    cum: NDArray[np.float64]
    values: NDArray[np.float64]


def cell_tables(scores: ScoreArrays, tables: BetaTables) -> CellTables:
    """Inverse-CDF parameters of every (option, criterion) cell; PERT shapes are added to ``tables``."""
    kind = np.asarray(scores.kind, dtype=np.int8)
    params = np.zeros(kind.shape + (N_PARAMS,))
    for idx in np.ndindex(kind.shape):
        low, centre, high, extra = scores.params[idx]
        k = kind[idx]
        if k == POINT:
            params[idx][0] = low
        elif k == TRIANGULAR:
            width = high - low
            params[idx][:5] = (low, high, (centre - low) / width, width * (centre - low), width * (high - centre))
        elif k == PERT:
            width = high - low
            a = 1.0 + extra * (centre - low) / width
            b = 1.0 + extra * (high - centre) / width
            params[idx][:3] = (low, width, tables.row(a, b))
        elif k == UNIFORM:
            params[idx][:2] = (low, high - low)
        elif k == TRUNCNORMAL:
            params[idx][:7] = truncnormal_params(centre, extra, low, high)
        elif k == LOGNORMAL:  # (low, mu, high, sigma): a truncated normal of log(x)
            params[idx][:7] = truncnormal_params(centre, extra, math.log(low) if low > 0 else -math.inf,
                                                 math.log(high))
        elif k == DISCRETE:
            params[idx][0] = np.count_nonzero(scores.discrete_probabilities[idx] > 0) or 1
    probs = np.asarray(scores.discrete_probabilities, dtype=float)
    cum = np.cumsum(probs, axis=-1)
    cum = cum / np.where(cum[..., -1:] > 0, cum[..., -1:], 1.0)
    values = np.asarray(scores.discrete_values, dtype=float)
    # Discrete supports are compacted to the values with positive probability, in order.
    for idx in np.ndindex(kind.shape):
        if kind[idx] == DISCRETE:
            keep = probs[idx] > 0
            n = int(keep.sum())
            values[idx][:n] = values[idx][keep]
            cum[idx][:n] = np.cumsum(probs[idx][keep]) / probs[idx][keep].sum()
    return CellTables(kind, params, np.ascontiguousarray(cum), np.ascontiguousarray(values))


@nb.njit(nogil=True, cache=True)
def draw_cell(kind: int, par: NDArray[np.float64], cum: NDArray[np.float64], values: NDArray[np.float64],
              tables: NDArray[np.float64], f: int, a: int, c: int, u: float) -> float:
    """One outcome of cell ``[f, a, c]`` by inverse CDF of ``u``; ``par`` as built by :func:`cell_tables`.

    For the vectorised wrappers (the strategies engine's scenarios); the engine's kernel inlines the
    same dispatch, except that it reads PERT from the dense and end tables (:func:`dense_ppf`).
    """
    if kind == TRIANGULAR:
        return triangular_ppf(u, par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2], par[f, a, c, 3], par[f, a, c, 4])
    if kind == UNIFORM:
        return par[f, a, c, 0] + u * par[f, a, c, 1]
    if kind == PERT:
        return par[f, a, c, 0] + par[f, a, c, 1] * table_ppf(tables, int(par[f, a, c, 2]), u)
    if kind == TRUNCNORMAL:
        return truncnormal_ppf(u, par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2], par[f, a, c, 3],
                               par[f, a, c, 4], par[f, a, c, 5], par[f, a, c, 6])
    if kind == LOGNORMAL:
        return lognormal_ppf(u, par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2], par[f, a, c, 3],
                             par[f, a, c, 4], par[f, a, c, 5], par[f, a, c, 6])
    if kind == DISCRETE:
        k = 0
        last = int(par[f, a, c, 0]) - 1
        while k < last and u >= cum[f, a, c, k]:
            k += 1
        return values[f, a, c, k]
    return par[f, a, c, 0]


@nb.njit(nogil=True, cache=True)
def _draw_cells(kind, params, cum, values, tables, u, out):
    # The common kinds written out: a helper call per draw costs more than the draw.
    n_o, n_c = kind.shape
    for i in range(u.shape[0]):
        for o in range(n_o):
            for c in range(n_c):
                k = kind[o, c]
                if k == PERT:
                    out[i, o, c] = params[0, o, c, 0] + params[0, o, c, 1] * table_ppf(
                        tables, int(params[0, o, c, 2]), u[i, o, c])
                elif k == POINT:
                    out[i, o, c] = params[0, o, c, 0]
                else:
                    out[i, o, c] = draw_cell(k, params, cum, values, tables, 0, o, c, u[i, o, c])


def cell_ppf(scores: ScoreArrays, o: int, c: int):
    """The inverse CDF of one outcome distribution, vectorised over ``u``, or None where the outcome
    is fixed: the engine's own (:func:`draw_cell`), for analyses outside the kernel (the gap model
    behind Sobol and the tornado)."""
    kind = int(scores.kind[o, c])
    low, _, high, _ = (float(x) for x in scores.params[o, c])
    if kind == POINT or not high > low:
        return None
    if kind == DISCRETE and np.unique(scores.discrete_values[o, c][scores.discrete_probabilities[o, c] > 0]).size < 2:
        return None
    one = ScoreArrays(*(np.asarray(x)[o:o + 1, c:c + 1] for x in (
        scores.kind, scores.params, scores.discrete_values, scores.discrete_probabilities, scores.central)))
    sampler = ScoreSampler(one)

    def ppf(u: NDArray[np.float64]) -> NDArray[np.float64]:
        u = np.asarray(u, dtype=float)
        return sampler(u.reshape(-1, 1, 1)).reshape(u.shape)

    return ppf


class ScoreSampler:
    """Draws outcomes of a :class:`~decide.compile.ScoreArrays` by inverse CDF; the tables are
    built once, so that drawing many blocks costs only the draws."""

    def __init__(self, scores: ScoreArrays):
        tables = BetaTables()
        self.cells = cell_tables(scores, tables)
        self.tables = tables.stack()

    def __call__(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        cells = self.cells
        u = np.ascontiguousarray(u, dtype=float)
        if u.shape[1:] != cells.kind.shape:
            raise ValueError(f"uniforms have shape {u.shape}; expected (draw, {cells.kind.shape[0]}, "
                             f"{cells.kind.shape[1]})")
        out = np.empty_like(u)
        _draw_cells(cells.kind, cells.params[None], cells.cum[None], cells.values[None], self.tables, u, out)
        return out


def draw_scores(scores: ScoreArrays, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Outcomes ``(draw, option, criterion)`` from uniforms of the same shape, by inverse CDF.

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> u = np.random.default_rng(1).random((1000, 3, 3))
    >>> draw_scores(arrays.scores, u).shape
    (1000, 3, 3)
    """
    return ScoreSampler(scores)(u)
