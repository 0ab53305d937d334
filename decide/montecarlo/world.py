"""The preconditions' world: probabilities of yes, the enablers' effect, the Gaussian copula.

Each precondition's probability of yes is a point, uniform on an interval or Beta (by inverse CDF
of one uniform); an enabler moves it (:func:`apply_enabler`); the answers of correlated
preconditions come from a Gaussian copula, whose factor :func:`copula_factor` computes.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.compile import ENABLER_ADD, ENABLER_ODDS, PROB_BETA, PROB_INTERVAL, CaseArrays
from decide.montecarlo.beta import BetaTables, table_ppf

__all__ = ["probability_tables", "draw_probability", "draw_probabilities", "apply_enabler", "copula_factor"]


def probability_tables(arrays: CaseArrays, tables: BetaTables) -> NDArray[np.float64]:
    """Per precondition ``(p, _)`` (point), ``(low, high - low)`` (interval) or ``(table row, _)`` (Beta)."""
    params = np.zeros((arrays.n_preconditions, 2))
    for q, (kind, (x, y)) in enumerate(zip(arrays.probability_kind, arrays.probability_params)):
        if kind == PROB_INTERVAL:
            params[q] = (x, y - x)
        elif kind == PROB_BETA:
            params[q] = (tables.row(x, y), 0.0)
        else:
            params[q] = (x, 0.0)
    return params


@nb.njit(nogil=True, cache=True)
def draw_probability(kind: int, par: NDArray[np.float64], tables: NDArray[np.float64], q: int, u: float) -> float:
    """Precondition ``q``'s probability of yes: point, uniform in [low, high], or Beta by inverse CDF."""
    if kind == PROB_INTERVAL:
        return par[q, 0] + u * par[q, 1]
    if kind == PROB_BETA:
        return table_ppf(tables, int(par[q, 0]), u)
    return par[q, 0]


def draw_probabilities(arrays: CaseArrays, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Marginal probabilities of yes ``(draw, precondition)`` from uniforms of the same shape."""
    tables = BetaTables()
    params = probability_tables(arrays, tables)
    stacked = tables.stack()
    u = np.ascontiguousarray(u, dtype=float)
    out = np.empty_like(u)
    _draw_probabilities(np.asarray(arrays.probability_kind, dtype=np.int64), params, stacked, u, out)
    return out


@nb.njit(nogil=True, cache=True)
def _draw_probabilities(kind, params, tables, u, out):
    for i in range(u.shape[0]):
        for q in range(u.shape[1]):
            out[i, q] = draw_probability(kind[q], params, tables, q, u[i, q])


@nb.njit(nogil=True, cache=True, inline="always")
def apply_enabler(kind: int, amount: float, p: float) -> float:
    """One enabler's effect on a probability of yes (as :func:`decide.compile.apply_enablers`)."""
    if kind == ENABLER_ADD:
        return min(max(p + amount, 0.0), 1.0)
    if kind == ENABLER_ODDS:
        if p >= 1.0:
            return 1.0
        odds = p / (1.0 - p) * amount
        return odds / (1.0 + odds)
    return amount


def copula_factor(correlation: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """The correlated preconditions and a lower-triangular factor ``L`` with ``L L' = R`` on them.

    Uncorrelated preconditions need no normal transform: their latent uniform is used as drawn.
    ``R`` may be only positive semi-definite (e.g. two answers that always agree): the factor is a
    Cholesky decomposition that sets a column to zero where the pivot vanishes (an LDL' with
    zero entries in D), which stays exact for semi-definite matrices; if rounding leaves it off
    by more than 1e-8 the symmetric eigen factor is used instead.

    Returns
    -------
    index : (k,) the correlated preconditions, in case order.
    factor : (k, k)
    """
    r = np.asarray(correlation, dtype=float)
    n = r.shape[0]
    off = np.abs(r - np.eye(n)) > 0
    index = np.flatnonzero(off.any(axis=0) | off.any(axis=1))
    sub = r[np.ix_(index, index)]
    k = len(index)
    factor = np.zeros((k, k))
    for j in range(k):
        d = sub[j, j] - factor[j, :j] @ factor[j, :j]
        if d <= 1e-12:
            continue
        factor[j, j] = math.sqrt(d)
        factor[j + 1:, j] = (sub[j + 1:, j] - factor[j + 1:, :j] @ factor[j, :j]) / factor[j, j]
    if k and np.abs(factor @ factor.T - sub).max() > 1e-8:
        vals, vecs = np.linalg.eigh(sub)
        factor = vecs * np.sqrt(np.clip(vals, 0.0, None))
    return index.astype(np.intp), np.ascontiguousarray(factor)
