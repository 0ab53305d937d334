"""Compiled kernel behind strategy enumeration: mean criterion values of many strategies.

Imported lazily by :mod:`decide.optimise.evaluate` and :mod:`decide.optimise.core_index` so that importing decide never pays numba's
start-up. Compiled once per machine (``cache=True`` keeps the machine code in ``__pycache__``).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["criterion_means", "first_failures", "pareto_front"]


@numba.njit(cache=True, fastmath=True)
def _clipped_sum(e, low, high):  # pragma: no cover - compiled
    total = 0.0
    for s in range(e.shape[0]):
        total += min(max(e[s], low), high)
    return total


@numba.njit(cache=True, nogil=True)
def criterion_means(criteria, outcome_row, outcomes, dep_start, dep_option, dep_mu, ends, n_ends, chosen, code,
                    group, starts, base, value_x, value_v, n_points, out):  # pragma: no cover - compiled
    """Mean over scenarios of the value on each of ``criteria``, for many strategies.

    The rule is :mod:`decide.optimise.evaluator`'s, evaluated without building change rows:
    option ``i`` adds ``sum_j mobius[i, j] (O_j - B)``, each scenario's ``O_j`` (planned, or the
    failure outcome of the first stage whose question says no) read from ``ends`` as it is
    added, and summed as the evaluator's change row is, so that the two agree to the bit. One
    criterion at a time, so that what a pass reads stays in the core's cache.

    Parameters
    ----------
    criteria
        The criteria to fill in ``out`` (the rest are left alone: callers split them between threads).
    outcome_row, outcomes
        ``outcomes[outcome_row[g, j], s]``: the outcome option j's smallest strategy ends in, in
        scenario s, under the enablers of group g (0 planned, k > 0 the failure of stage k - 1).
    dep_start, dep_option, dep_mu
        CSR per option i: the options j with ``mobius[i, j] != 0`` and the coefficient.
    ends, n_ends
        ``(option, outcome, criterion, scenario)``: ``O - B`` for each outcome; ``n_ends[j]`` of
        them are option j's.
    chosen, code, group, starts
        The strategies as a CSR list: strategy ``r`` (of enabler group ``group[r]``) adds options
        ``chosen[starts[r]:starts[r + 1]]`` in that order, each with the ``code`` of its change
        (equal codes: equal changes). Neighbouring strategies that share a prefix of (option,
        code) share its partial sum, so list them in lexicographic order of those pairs.
    base
        ``(criterion, scenario)``: the baseline outcome.
    value_x, value_v, n_points
        Piecewise-linear value functions, ``n_points[c]`` points per criterion; flat beyond the
        end points, which caps the outcome at the ends of the scale.
    out
        ``(strategy, criterion)``, filled with the means.
    """
    n_options = ends.shape[0]
    n_scenarios = base.shape[1]
    partial = np.empty((n_options + 1, n_scenarios))
    path = np.empty(n_options, np.int64)
    path_code = np.empty(n_options, np.int64)
    change = np.empty(n_scenarios)
    for c in criteria:
        for s in range(n_scenarios):  # element by element: an array assignment costs seconds to compile
            partial[0, s] = base[c, s]
        depth_before = 0
        for r in range(starts.shape[0] - 1):
            first = starts[r]
            depth = starts[r + 1] - first
            shared = 0
            while (shared < depth and shared < depth_before and path[shared] == chosen[first + shared]
                   and path_code[shared] == code[first + shared]):
                shared += 1
            for d in range(shared, depth):
                option = chosen[first + d]
                k = dep_start[option]
                if dep_start[option + 1] == k + 1 and dep_mu[k] == 1.0:  # the option's own O - B
                    j = dep_option[k]
                    outcome = outcomes[outcome_row[group[r], j]]
                    _add_picked(partial[d + 1], partial[d], ends[j, 0, c], ends[j, 1, c], outcome)
                    for stage in range(2, n_ends[j]):  # later stages' failures
                        _add_if(partial[d + 1], partial[d], ends[j, stage, c], outcome, stage)
                else:
                    for s in range(n_scenarios):
                        change[s] = 0.0
                    for k in range(dep_start[option], dep_start[option + 1]):
                        j = dep_option[k]
                        outcome = outcomes[outcome_row[group[r], j]]
                        for stage in range(n_ends[j]):
                            _add_outcome(change, ends[j, stage, c], outcome, stage, dep_mu[k])
                    _add(partial[d + 1], partial[d], change)
                path[d] = option
                path_code[d] = code[first + d]
            depth_before = depth
            # A piecewise-linear f, flat beyond its ends, is f(x_0) + sum over pieces of
            # slope * (clip(e, x_{j-1}, x_j) - x_{j-1}): one branch-free pass per piece.
            e = partial[depth]
            total = value_v[c, 0]
            for j in range(1, n_points[c]):
                low = value_x[c, j - 1]
                high = value_x[c, j]
                slope = (value_v[c, j] - value_v[c, j - 1]) / (high - low)
                total += slope * (_clipped_sum(e, low, high) / n_scenarios - low)
            out[r, c] = total


@numba.njit(cache=True, fastmath=True)
def _add_outcome(change, ends, outcome, stage, mu):  # pragma: no cover - compiled
    """``change += mu * (O - B)`` where ``outcome`` is ``stage`` (``ends``: that outcome's O - B)."""
    for s in range(change.shape[0]):
        change[s] += mu * ends[s] if outcome[s] == stage else 0.0


@numba.njit(cache=True, fastmath=True)
def _add_picked(into, before, planned, failed, outcome):  # pragma: no cover - compiled
    """``into = before + (O - B)``: the planned or (outcome 1) the first stage's failure outcome."""
    for s in range(into.shape[0]):
        into[s] = before[s] + (failed[s] if outcome[s] == 1 else planned[s])


@numba.njit(cache=True, fastmath=True)
def _add_if(into, before, ends, outcome, stage):  # pragma: no cover - compiled
    """``into = before + (O - B)`` where ``outcome`` is ``stage`` (``ends``: that outcome's O - B)."""
    for s in range(into.shape[0]):
        if outcome[s] == stage:
            into[s] = before[s] + ends[s]


@numba.njit(cache=True, fastmath=True)
def _add(out, a, b):  # pragma: no cover - compiled
    for s in range(out.shape[0]):
        out[s] = a[s] + b[s]


@numba.njit(cache=True, nogil=True)
def first_failures(answers, rows, stages, out):  # pragma: no cover - compiled
    """``out[d, s]``: 0 where every answer ``answers[rows[d, i], s]`` says yes, else 1 + the
    smallest ``stages[i]`` among those saying no (the first stage whose question fails)."""
    for d in range(rows.shape[0]):
        into = out[d]
        for s in range(into.shape[0]):
            into[s] = 0
        for i in range(rows.shape[1]):
            said = answers[rows[d, i]]
            stage = stages[i] + 1
            for s in range(into.shape[0]):
                if not said[s] and (into[s] == 0 or stage < into[s]):
                    into[s] = stage


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
