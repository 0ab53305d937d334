"""The MILP's objective terms: the value of the capped outcome, and soft-requirement penalties.

Also the outcome bounds they rest on: :func:`knapsack_bound` bounds what the free options can add
to an outcome within the budgets, so that value functions need binaries only where a floor (or
another convex kink) can bind.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from decide.model.strategies import StrategySpace
from decide.optimise.milp.spec import INF, ZERO, Polynomials, Spec, subsets

__all__ = ["knapsack_bound", "value_pieces", "penalty_terms"]

_KINK = 1e-12


def knapsack_bound(gains: NDArray[np.float64], uses: NDArray[np.float64],
              room: NDArray[np.float64]) -> NDArray[np.float64]:
    """Upper bound on ``sum_i gains_i x_i`` (per column) over strategies within the budgets.

    Each finite budget alone gives a fractional knapsack (greedy by gain per unit used); the
    tightest wins. Without budgets it is the sum of all gains.
    """
    best = gains.sum(axis=0)
    for r in np.flatnonzero(np.isfinite(room)):
        use = uses[:, r]
        ratio = np.where(use[:, None] > 0, gains / np.where(use > 0, use, 1.0)[:, None], np.inf)
        order = np.argsort(-ratio, axis=0, kind="stable")
        g = np.take_along_axis(gains, order, axis=0)
        u = use[order]
        before = np.cumsum(u, axis=0) - u
        fraction = np.clip((room[r] - before) / np.where(u > 0, u, 1.0), 0.0, 1.0)
        fraction = np.where(u > 0, fraction, 1.0)
        best = np.minimum(best, (g * fraction).sum(axis=0))
    return best


def value_pieces(spec: Spec, space: StrategySpace, matrix: sp.csr_array,
                  constant: NDArray[np.float64], lo: NDArray[np.float64], hi: NDArray[np.float64],
                  n_c: int, n_s: int) -> tuple[list, NDArray[np.float64]]:
    """Value of the capped outcome per (criterion, draw): substituted, below pieces, or incremental.

    ``e = constant + matrix @ columns`` (rows flat over criterion * draw). Returns the objective
    terms ``(criterion, columns, coefficients)`` and constants per criterion, each already divided
    by the number of draws (the objective is a mean).
    """
    terms: list = []
    value_constant = np.zeros(n_c)
    outcome_rows: list[int] = []       # flat (criterion, draw) index of each outcome row
    outcome_extra: list[tuple] = []    # (columns, coefficients, rhs) of the row's own variables
    for c in range(n_c):
        k = int(space.n_points[c])
        xs, vs = space.value_x[c, :k], space.value_v[c, :k]
        slopes = np.concatenate([[0.0], np.diff(vs) / np.diff(xs), [0.0]])  # flat beyond the scale
        flat = np.arange(c * n_s, (c + 1) * n_s)
        first = np.searchsorted(xs, lo[flat] + 1e-9, side="right")
        last = np.searchsorted(xs, hi[flat] - 1e-9, side="left")
        single = last <= first
        # One piece over the whole range: value = f(lo) + slope * (e - lo), straight into the objective.
        rows = flat[single]
        slope = slopes[first[single]]
        f_lo = np.interp(lo[rows], xs, vs)
        value_constant[c] += np.sum(f_lo + slope * (constant[rows] - lo[rows])) / n_s
        if len(rows):
            weighted = np.asarray(matrix[rows].T @ slope).ravel() / n_s
            nz = np.flatnonzero(weighted)
            terms.append((c, nz, weighted[nz]))
        for r, a, b in zip(flat[~single], first[~single], last[~single]):
            points = np.concatenate([[lo[r]], xs[a:b], [hi[r]]])
            piece_slopes = slopes[a:b + 1]
            values = np.interp(points, xs, vs)
            kinks = np.flatnonzero(np.diff(piece_slopes) > _KINK) + 1  # convex: slope rises
            if len(kinks) == 0:
                # Concave over [lo, hi]: maximising pushes v up to the lowest piece.
                e = int(spec.add_cols("e", lo[r], hi[r], False)[0])
                v = int(spec.add_cols("v", values.min(), values.max(), False)[0])
                n_p = len(piece_slopes)
                spec.add_rows("value_piece", np.repeat(np.arange(n_p), 2), np.tile([v, e], n_p),
                              np.column_stack([np.ones(n_p), -piece_slopes]).ravel(),
                              -INF, values[:-1] - piece_slopes * points[:-1])
                terms.append((c, np.array([v]), np.array([1.0 / n_s])))
                outcome_rows.append(r)
                outcome_extra.append((np.array([e]), np.array([1.0]), constant[r]))
            else:
                # Incremental pieces; a binary per convex kink keeps them filling in order.
                lengths = np.diff(points)
                delta = spec.add_cols("delta", 0.0, lengths, False)
                terms.append((c, delta, piece_slopes / n_s))
                value_constant[c] += values[0] / n_s
                for t in kinks:
                    z = int(spec.add_cols("z", 0.0, 1.0, True)[0])
                    before, after = delta[:t], delta[t:]
                    spec.add_rows("kink_before", np.zeros(t + 1, np.intp), np.r_[before, z],
                                  np.r_[np.ones(t), -lengths[:t].sum()], 0.0, INF)
                    spec.add_rows("kink_after", np.zeros(len(after) + 1, np.intp), np.r_[after, z],
                                  np.r_[np.ones(len(after)), -lengths[t:].sum()], -INF, 0.0)
                outcome_rows.append(r)
                outcome_extra.append((delta, np.ones(len(delta)), constant[r] - lo[r]))
    if outcome_rows:
        # own variables - sum_products coef * product = rhs
        sub = matrix[outcome_rows].tocoo()
        rr, cc, vv = sub.row, sub.col, sub.data
        own_r = np.concatenate([np.full(len(cols), i) for i, (cols, _, _) in enumerate(outcome_extra)])
        own_c = np.concatenate([cols for cols, _, _ in outcome_extra])
        own_v = np.concatenate([vals for _, vals, _ in outcome_extra])
        rhs = np.array([rhs for _, _, rhs in outcome_extra])
        spec.add_rows("outcome", np.r_[own_r, rr], np.r_[own_c, cc], np.r_[own_v, -vv], rhs, rhs)
    return terms, value_constant


def penalty_terms(spec: Spec, space: StrategySpace, poly: Polynomials, answer,
                  n_s: int) -> list[tuple[int, float, NDArray[np.intp]]]:
    """Soft-requirement costs, charged only where the option goes ahead.

    In scenario s a strategy loses for precondition q, if q says no, on each criterion the
    largest ``loss_iqc`` among its options i that go ahead (criteria on which the options lose
    the same amounts are one group: :meth:`~decide.model.strategies.StrategySpace.soft_groups`).
    Option i pays iff ``x_i``, every hard requirement ``p`` of its smallest strategy holds
    (``h_ps``) and q says no (``1 - h_qs``): an AND of binaries, each answer a polynomial in the
    few options enabling it (``answer``). The cost is minimised, so the AND's lower bound alone is
    exact at integer x::

        t >= loss_iqc (x_i + sum_p h_ps + (1 - h_qs) - m + 1),   t >= 0   (m terms in the AND)

    Scenarios whose answers to q and to its requirers' hard requirements are the same functions
    of the options (the same answer patterns) share one ``t`` per group of criteria, weighted by
    their share of the scenarios. Answers the draws settle drop out: a settled "no" to a hard
    requirement rules the option out there, a settled "yes" to q the whole group. Returns the
    ``t`` columns, their shares and the criteria each is a loss on.
    """
    live = ~poly.dead
    out: list[tuple[int, float, NDArray[np.intp]]] = []
    for q in range(space.hard.shape[1]):
        # An option whose smallest strategy also requires q outright never pays for it.
        groups = space.soft_groups(q, live & ~space.hard[:, q])
        if not groups:
            continue
        members_any = sorted({int(i) for _, members, _ in groups for i in members})
        relevant = sorted({q} | {int(p) for i in members_any for p in np.flatnonzero(space.hard[i])})
        tables = {p: answer(p) for p in relevant}  # (enabling options, patterns, Moebius coefficients)
        signature = np.vstack([tables[p][1] for p in relevant]).T  # (draw, every answer pattern)
        _, first, counts = np.unique(signature, axis=0, return_index=True, return_counts=True)
        for s, count in zip(first, counts):
            settled = {p: tables[p][1][0, s] for p in relevant if np.all(tables[p][1][:, s] == tables[p][1][0, s])}
            if settled.get(q) == 1.0:
                continue
            ands = {}  # member -> (terms, constant, m) of its AND
            for i in members_any:
                hard = np.flatnonzero(space.hard[i])
                if any(settled.get(int(p)) == 0.0 for p in hard):
                    continue
                # The AND's terms, sum(terms) + constant, m of them: x_i, the open h_p, 1 - h_q.
                terms: dict[int, float] = {}
                constant, m = 0.0, 1
                xi = poly.column([i])
                if xi == -1:
                    constant += 1.0
                else:
                    terms[xi] = 1.0
                factors = [(int(p), 1.0) for p in hard if int(p) not in settled]
                if q not in settled:
                    factors.append((q, -1.0))
                    constant += 1.0
                for p, sign in factors:
                    m += 1
                    options, _, b = tables[p]
                    for mask, subset in enumerate(subsets(options)):
                        coef = float(b[mask, s])
                        if abs(coef) <= ZERO:
                            continue
                        col = poly.column(subset)
                        if col == -1:
                            constant += sign * coef
                        elif col is not None:
                            terms[col] = terms.get(col, 0.0) + sign * coef
                ands[i] = (terms, constant, m)
            for criteria, members, losses in groups:
                t = None
                for i, loss in zip(members, losses):
                    if int(i) not in ands:
                        continue
                    terms, constant, m = ands[int(i)]
                    if t is None:
                        t = int(spec.add_cols("t", 0.0, INF, False)[0])
                        out.append((t, float(count) / n_s, criteria))
                    pen = float(loss)
                    # t - pen * sum(terms) >= pen * (constant - m + 1)
                    spec.add_row("penalty", {t: 1.0} | {c: -pen * v for c, v in terms.items()}, 0.0,
                                 pen * (constant - m + 1.0), INF)
    return out
