"""Compiled kernel behind strategy enumeration: mean criterion values of many strategies.

Imported lazily by :mod:`decide.optimise.evaluate` and :mod:`decide.optimise.core_index` so that importing decide never pays numba's
start-up. Compiled once per machine (``cache=True`` keeps the machine code in ``__pycache__``).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["criterion_means", "pareto_front"]


@numba.njit(cache=True, fastmath=True)
def _add(out, a, b):  # pragma: no cover - compiled
    for s in range(out.shape[0]):
        out[s] = a[s] + b[s]


@numba.njit(cache=True, fastmath=True)
def _clipped_sum(e, low, high):  # pragma: no cover - compiled
    total = 0.0
    for s in range(e.shape[0]):
        total += min(max(e[s], low), high)
    return total


@numba.njit(cache=True)
def criterion_means(chosen, starts, changes, base, value_x, value_v, n_points, out):  # pragma: no cover
    """Mean over scenarios of each criterion's value, for strategies sharing one enabler choice.

    Parameters
    ----------
    chosen, starts
        The strategies as a CSR list: strategy ``r`` pursues options
        ``chosen[starts[r]:starts[r + 1]]`` in increasing order. Neighbouring strategies that share
        a prefix share its partial sum, so list them in lexicographic order.
    changes
        ``(option, criterion * scenario)``: what each option adds to the outcome.
    base
        ``(criterion * scenario,)``: the baseline outcome.
    value_x, value_v, n_points
        Piecewise-linear value functions, ``n_points[c]`` points per criterion; flat beyond the
        end points, which caps the outcome at the ends of the scale.
    out
        ``(strategy, criterion)``, filled with the means.
    """
    n_options = changes.shape[0]
    n_criteria = value_x.shape[0]
    n_scenarios = base.shape[0] // n_criteria
    partial = np.empty((n_options + 1, base.shape[0]))
    partial[0] = base
    path = np.empty(n_options, np.int64)
    depth_before = 0
    for r in range(starts.shape[0] - 1):
        first = starts[r]
        depth = starts[r + 1] - first
        shared = 0
        while shared < depth and shared < depth_before and path[shared] == chosen[first + shared]:
            shared += 1
        for d in range(shared, depth):
            option = chosen[first + d]
            _add(partial[d + 1], partial[d], changes[option])
            path[d] = option
        depth_before = depth
        for c in range(n_criteria):
            e = partial[depth, c * n_scenarios:(c + 1) * n_scenarios]
            # A piecewise-linear f, flat beyond its ends, is f(x_0) + sum over pieces of
            # slope * (clip(e, x_{j-1}, x_j) - x_{j-1}): one branch-free pass per piece.
            total = value_v[c, 0]
            for j in range(1, n_points[c]):
                low = value_x[c, j - 1]
                high = value_x[c, j]
                slope = (value_v[c, j] - value_v[c, j - 1]) / (high - low)
                total += slope * (_clipped_sum(e, low, high) / n_scenarios - low)
            out[r, c] = total


@numba.njit(cache=True)
def pareto_front(values, order, tol, keep):  # pragma: no cover - compiled
    """Mark in ``keep`` the rows of ``values`` that no other row dominates (maximising every column).

    ``order`` visits rows by decreasing sum, so a dominating row is met before the rows it
    dominates; each row is compared with the non-dominated rows found so far, newest first, and
    the comparison stops at the first column that rules dominance out.
    """
    n, m = values.shape
    front = np.empty(n, np.int64)
    size = 0
    for position in range(n):
        i = order[position]
        dominated = False
        for f in range(size - 1, -1, -1):
            k = front[f]
            strictly = False
            covers = True
            for c in range(m):
                if values[k, c] < values[i, c] - tol:
                    covers = False
                    break
                if values[k, c] > values[i, c] + tol:
                    strictly = True
            if covers and strictly:
                dominated = True
                break
        if not dominated:
            # Rows with equal sums can dominate earlier ones: drop those the new row dominates.
            kept = 0
            for f in range(size):
                k = front[f]
                covers = True
                strictly = False
                for c in range(m):
                    if values[i, c] < values[k, c] - tol:
                        covers = False
                        break
                    if values[i, c] > values[k, c] + tol:
                        strictly = True
                if not (covers and strictly):
                    front[kept] = k
                    kept += 1
            size = kept
            front[size] = i
            size += 1
    for f in range(size):
        keep[front[f]] = True
