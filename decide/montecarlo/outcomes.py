"""The outcome stage: each alternative's outcomes drawn, valued and weighted into its value.

:func:`_outcomes` runs over the options in slot order, the baseline first (:func:`_scored_draws`:
which draws score the planned outcome, which the failure profile of each stage), and their cells
(option, criterion); per cell it takes the cell's uniforms (mixed with the criterion's shared
judgement error where the case states common-mode errors), then, for the planned outcome and for
each failure profile, the outcomes of the draws that score them, one loop per distribution kind (no
per-draw dispatch on the kind), or the baseline's; their criterion values by the value function;
and adds them into the values and the criterion sums. A strategy row
(``simulate(..., strategy=...)``) draws no uniforms of its own: :func:`_strategy_outcomes`
assembles its criterion values from its components' drawn outcomes.

PERT scores read a dense inverse-CDF table (linear interpolation indexed directly by ``u``), the
few draws in its end intervals a table by octaves of ``u`` (see
:data:`~decide.montecarlo.beta.DENSE_EXACT`, :func:`~decide.montecarlo.beta.dense_end_ppf`).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from decide.montecarlo.beta import DENSE_EXACT, DENSE_INTERVALS, dense_end_ppf
from decide.montecarlo.distributions import (DISCRETE, PERT, POINT, TRIANGULAR, TRUNCNORMAL, UNIFORM, draw_cell,
                                             triangular_ppf, truncnormal_ppf)
from decide.montecarlo.model import FROM_BASELINE
from decide.montecarlo.special import NDTRI_CENTRAL, ndtri, ndtri_central, norm_cdf_table
from decide.montecarlo.state import KERNEL, UNIT
from decide.montecarlo.streams import FILL_ROWS, fill_lanes, fill_lanes_rows


@nb.njit(**UNIT)
def _strategy_outcomes(m, nb_, weights, strategy, scored, keep_cells):
    """The strategy's criterion values: ``sum_j a_j O_j`` over its components (the baseline's
    coefficient is ``1 - sum a_j``), ``O_j`` planned or the failure profile of its first stage with
    a "no" under the strategy's enablers, capped at the scale, valued,
    weighted into its value (and kept in ``vcell`` with ``keep_cells``).

    A single component with coefficient 1 gives its outcome exactly (``0.0 + 1.0 * O``), so a
    strategy of one option without dependencies reproduces that option's row bit for bit.
    """
    wt = weights.wt
    st_sel, xo = strategy.st_sel, strategy.xo
    values, vcell, cv, cv2 = scored.values, scored.vcell, scored.cv, scored.cv2
    s = m.n_opt
    n_c = m.vf_x.shape[0]
    n_k = m.st_comp.shape[0]
    for c in range(n_c):
        lo, hi = m.scale_low[c], m.scale_high[c]
        v0 = m.vf_v[c, 0]
        n_seg = m.vf_n[c] - 1
        total = total2 = 0.0
        for d in range(nb_):
            y = 0.0
            for k in range(n_k):
                y += m.st_coef[k] * xo[st_sel[k, d], k, c, d]
            y = min(max(y, lo), hi)
            val = v0
            for g in range(n_seg):
                val += (min(max(y, m.vf_x[c, g]), m.vf_x[c, g + 1]) - m.vf_x[c, g]) * m.vf_slope[c, g]
            values[s, d] += wt[c, d] * val
            total += val
            total2 += val * val
            if keep_cells:
                vcell[s, c, d] = val
        cv[s, c], cv2[s, c] = total, total2


# reassoc lets the criterion sums vectorise; no "contract" (fused multiply-adds would round a value
# differently from the strategy row's, which must be bit-identical for a one-option strategy).
@nb.njit(**KERNEL, fastmath={"reassoc"})
def _outcomes(m, qmc, ubuf, start, state, nb_, keep_cells, weights, answers, strategy, cells, scored):
    """Each option's criterion values (planned outcome where viable, else the failure profile of
    the first stage with a hard "no", ``answers.sel``),
    weighted into its value (``scored.values``, which holds minus the penalties); kept in
    ``scored.vcell`` only with ``keep_cells`` (the confidence pass reweights them).

    Options in slot order; per cell, its uniforms (the next row of the SFC64 ``state``, drawn
    ``FILL_ROWS`` rows ahead into ``rows`` while as many cell slots are left, or the Sobol' points
    ``ubuf[slot, start:]``), then for the planned outcome and each stage's failure profile
    one loop per distribution kind (no per-draw dispatch on the kind). Each is computed for every
    draw of the sub-block (contiguous loops that vectorise, then a select) unless it applies in
    fewer than 3/4 of them: then only there, from the gathered uniforms ``ug``.
    PERT: a dense table, lerp indexed by ``u``; the end intervals from the end tables (by octaves).
    The baseline comes first and its outcomes are kept (``bx``, ``bxv``): a failure cell of kind
    FROM_BASELINE reads them. ``cv`` gets the sub-block's sum of each cell's criterion values.

    One function from the cell loop in, on purpose: split into inlined parts per cell (uniforms,
    one loop per kind, value function, weighting), the stage took 1.24 times as long on Mali with
    parts taking arrays, and over 2.5 times with parts taking the model or a scratch group
    (measured, paired). Numba reference-counts every array an inlined part takes (every array of a
    tuple it takes), at each of the ~350 cell-outcome calls of a sub-block; here the arrays are
    bound once per sub-block. The per-alternative part, :func:`_scored_draws`, costs nothing.
    """
    wt = weights.wt
    sel, xo = answers.sel, strategy.xo
    rows, idx, counts, okf = cells.rows, cells.idx, cells.counts, cells.okf
    ug, ends, ti, tf = cells.ug, cells.ends, cells.ti, cells.tf
    x, xv, bx, bxv = cells.x, cells.xv, cells.bx, cells.bxv
    values, vcell, cv, cv2 = scored.values, scored.vcell, scored.cv, scored.cv2
    n_c = m.vf_x.shape[0]
    par = m.cell_par
    row = rows[0]
    left = m.n_slots - m.n_head  # cell slots still to draw in this sub-block
    drawn = used = 0  # rows drawn ahead, and used of them
    for a in m.alt_order:
        comp = m.comp_of[a]  # >= 0: a strategy component, whose raw outcomes the strategy row needs
        n_out = 1 + m.alt_n_fail[a]  # the planned outcome, then a failure profile per stage
        _scored_draws(nb_, sel[a], n_out, okf, idx, counts)
        is_base = a == m.baseline
        for c in range(n_c):
            cv[a, c] = cv2[a, c] = 0.0
            slot = m.cell_slot[a, c]
            if slot >= 0:
                if qmc:
                    for d in range(nb_):
                        row[d] = ubuf[slot, start + d]
                else:  # FILL_ROWS rows at a time while as many slots are left: no more than it uses
                    if used == drawn:
                        if left >= FILL_ROWS:
                            fill_lanes_rows(state, rows)
                            drawn = FILL_ROWS
                        else:
                            fill_lanes(state, rows[0])
                            drawn = 1
                        left -= drawn
                        used = 0
                    row = rows[used]
                    used += 1
                rho = m.cm_rho[c]
                if rho > 0.0:  # a shared judgement error: the Gaussian copula of every option's cell on c
                    # As the world's copula: ndtri's central rational function and the tabled CDF in
                    # loops that vectorise, the tails (15% of draws) listed and taken exactly; the
                    # scratch ug and ends are free until the outcome loops below. 2.8 times faster
                    # than a scalar ndtri and erfc per draw (measured on Mali, 1,000,000 draws).
                    cmz, zi, tails = cells.cmz, ug, ends
                    if rho >= 1.0:
                        for d in range(nb_):
                            row[d] = norm_cdf_table(cmz[c, d])
                    else:
                        wc, wo = math.sqrt(rho), math.sqrt(1.0 - rho)
                        for d in range(nb_):
                            zi[d] = ndtri_central(row[d] - 0.5)
                        n_tail = 0
                        for d in range(nb_):
                            tails[n_tail] = d
                            n_tail += abs(row[d] - 0.5) > NDTRI_CENTRAL
                        for i in range(n_tail):
                            zi[tails[i]] = ndtri(row[tails[i]])
                        for d in range(nb_):
                            row[d] = norm_cdf_table(wc * cmz[c, d] + wo * zi[d])
            for f in range(n_out):
                # All draws (dense) for a component's raw outcomes (every outcome: under the
                # strategy's enablers it may score another) and wherever at least 3/4 need it
                # (measured: below that, gathering the draws' uniforms and scattering values is cheaper).
                dense = comp >= 0 or (is_base and f == 0) or 4 * counts[f] >= 3 * nb_
                count = nb_ if dense else counts[f]
                if count == 0:
                    continue
                ix = idx[f]
                src = row
                if not dense:
                    src = ug
                    for k in range(count):
                        ug[k] = row[ix[k]]
                kind = m.cell_kind[f, a, c]
                if kind == POINT:
                    raw, val = par[f, a, c, 0], par[f, a, c, 7]
                    for k in range(count):
                        x[k] = raw
                        xv[k] = val
                elif kind == FROM_BASELINE:  # the baseline's own outcome in the same draw
                    if dense:
                        for k in range(count):
                            x[k] = bx[c, k]
                            xv[k] = bxv[c, k]
                    else:
                        for k in range(count):
                            x[k] = bx[c, ix[k]]
                            xv[k] = bxv[c, ix[k]]
                else:
                    if kind == PERT:
                        low, width, r = par[f, a, c, 0], par[f, a, c, 1], int(par[f, a, c, 2])
                        # Dense table, lerp indexed by u for every draw without a branch. Two
                        # passes: interval and fraction in a loop that vectorises (the 32-bit
                        # conversion does), then the table reads, which LLVM leaves scalar (it emits
                        # no gathers for this CPU), from a flat table by an unsigned index (no
                        # negative-index wraparound): measured 0.65 ns less per draw and cell. The
                        # draws in its end intervals (2 DENSE_EXACT in DENSE_INTERVALS) are listed
                        # as it goes (a store, then a count) and redone from the end tables.
                        for k in range(count):
                            t_ = src[k] * DENSE_INTERVALS
                            i = np.int32(t_)
                            ti[k] = i
                            tf[k] = t_ - i
                        dense_tab = m.dense
                        base = r * 2 * DENSE_INTERVALS
                        n_end = 0
                        for k in range(count):
                            i = ti[k]
                            j = np.uint64(base + 2 * i)
                            x[k] = low + width * (dense_tab[j] + tf[k] * dense_tab[j + np.uint64(1)])
                            ends[n_end] = k
                            n_end += (i < DENSE_EXACT) | (i >= DENSE_INTERVALS - DENSE_EXACT)
                        for e in range(n_end):
                            k = ends[e]
                            x[k] = low + width * dense_end_ppf(m.dense_ends, r, src[k])
                    elif kind == TRIANGULAR:
                        low, high, f_mode, k_low, k_high = (par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2],
                                                            par[f, a, c, 3], par[f, a, c, 4])
                        for k in range(count):
                            x[k] = triangular_ppf(src[k], low, high, f_mode, k_low, k_high)
                    elif kind == UNIFORM:
                        low, width = par[f, a, c, 0], par[f, a, c, 1]
                        for k in range(count):
                            x[k] = low + src[k] * width
                    elif kind == TRUNCNORMAL:
                        for k in range(count):
                            x[k] = truncnormal_ppf(src[k], par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2],
                                                   par[f, a, c, 3], par[f, a, c, 4], par[f, a, c, 5], par[f, a, c, 6])
                    elif kind != DISCRETE:  # any other kind: its scalar inverse CDF, one call per draw
                        for k in range(count):
                            x[k] = draw_cell(kind, par, m.cell_cum, m.cell_val, m.tables, f, a, c, src[k])
                    else:  # discrete: the first value whose cumulative probability exceeds u
                        # Cumulative, so a count finds it without a branch; counted value by value
                        # over the draws (a loop that vectorises), then read.
                        for k in range(count):
                            ti[k] = 0
                        for i in range(int(par[f, a, c, 0]) - 1):
                            cut = m.cell_cum[f, a, c, i]
                            for k in range(count):
                                ti[k] += src[k] >= cut
                        for k in range(count):
                            x[k] = m.cell_val[f, a, c, np.uint32(ti[k])]
                    # Piecewise-linear value function as a sum of clamped segments: exact, flat
                    # beyond the end points, free of branches on x.
                    v0 = m.vf_v[c, 0]
                    for k in range(count):
                        xv[k] = v0
                    for g in range(m.vf_n[c] - 1):
                        x0, x1, slope = m.vf_x[c, g], m.vf_x[c, g + 1], m.vf_slope[c, g]
                        for k in range(count):
                            xv[k] += (min(max(x[k], x0), x1) - x0) * slope
                # Weighted into the option's value, where this outcome applies (a dense loop adds
                # 0.0 elsewhere, which changes nothing); the criterion values for the confidence
                # pass; a component's raw outcomes for the strategy row.
                if is_base and f == 0:
                    for k in range(count):
                        bx[c, k] = x[k]
                        bxv[c, k] = xv[k]
                if dense:
                    # mk: 1.0 where this outcome applies (criterion sums and values alike)
                    mask = okf[f]
                    t1 = t2 = 0.0
                    for k in range(count):
                        mk = mask[k]
                        xk = xv[k]
                        values[a, k] += mk * (wt[c, k] * xk)
                        t1 += mk * xk
                        t2 += mk * (xk * xk)
                    cv[a, c] += t1
                    cv2[a, c] += t2
                    if keep_cells:
                        for k in range(count):
                            vcell[a, c, k] = xv[k] if mask[k] == 1.0 else vcell[a, c, k]
                    if comp >= 0:
                        for k in range(count):
                            xo[f, comp, c, k] = x[k]
                else:  # only non-components are sparse: every listed draw is theirs
                    t1 = t2 = 0.0
                    for k in range(count):
                        d = ix[k]
                        xk = xv[k]
                        values[a, d] += wt[c, d] * xk
                        t1 += xk
                        t2 += xk * xk
                    cv[a, c] += t1
                    cv2[a, c] += t2
                    if keep_cells:
                        for k in range(count):
                            vcell[a, c, ix[k]] = xv[k]


@nb.njit(**KERNEL, inline="always")
def _scored_draws(nb_, sel, n_out, okf, idx, counts):
    """Which outcome each draw of an alternative scores (``sel``: 0 planned, ``1 + k`` the failure
    profile of stage k): ``okf[f]`` is 1.0 where outcome ``f`` applies, ``idx[f, :counts[f]]``
    lists those draws. Inlined into :func:`_outcomes`."""
    for f in range(n_out):
        counts[f] = 0
        for d in range(nb_):
            okf[f, d] = 1.0 if sel[d] == f else 0.0
    if n_out == 1:
        counts[0] = nb_
        return
    for d in range(nb_):
        f = sel[d]
        idx[f, counts[f]] = d
        counts[f] += 1
