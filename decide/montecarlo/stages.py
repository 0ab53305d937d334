"""The kernel's loop over a chunk of draws (:func:`run_chunk`) and its first stages.

Draws are processed in sub-blocks of :data:`~decide.montecarlo.state.SUB_BLOCK` draws, stage by
stage (uniforms, weights, world, answers, outcomes weighted straight into values, accumulation),
each stage a loop over the sub-block's draws.
Two reasons, both measured: the per-cell dispatch on the distribution kind moves out of the
per-draw loop, so those loops are branch-free and vectorise; and numba reference-counts each
array passed to a helper function, which per draw cost more than the arithmetic, while per
sub-block it is noise. The block's stream is read a sub-block at a time, slot by slot: first the
*head* slots (weights, probabilities, latent answers) for all ``SUB_BLOCK`` draws, then the outcome
cells' slots, drawn a few slots ahead of the cell being scored (``FILL_ROWS`` at a time), so no
sub-block-sized array of uniforms is kept (it did not fit in cache beside the tables). A sub-block
always reads ``SUB_BLOCK`` uniforms per slot, even when fewer draws remain, so a draw's uniforms
depend only on its index in the block, never on the chunk; and sums are added draw by draw in
order, so the chunk changes no result.

The outcome stage is in :mod:`decide.montecarlo.outcomes`, accumulation and the confidence pass in
:mod:`decide.montecarlo.accumulate`.

Each stage is a compiled unit of its own, which :func:`run_chunk` calls through its entry point
(:mod:`decide.montecarlo.entries`): compiled once, and only when a run needs it (the weights' only
where they are drawn, the strategy row's only with one, the confidence pass's only where it runs).
:func:`kernel_entries` gets the entry points a run needs for :func:`run_chunk`.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from decide.compile import PROB_INTERVAL
from decide.montecarlo.accumulate import _accumulate, _confidence
from decide.montecarlo.beta import table_ppf
from decide.montecarlo.entries import call_entry, compile_units, entries
from decide.montecarlo.outcomes import _outcomes, _strategy_outcomes
from decide.montecarlo.special import NDTRI_CENTRAL, ndtri, ndtri_central, ndtri_tail, norm_cdf_table
from decide.montecarlo.state import KERNEL, SUB_BLOCK, UNIT
from decide.montecarlo.streams import FILL_ROWS, fill_lanes, fill_lanes_rows
from decide.montecarlo.weight_sampling import W_CHAIN, W_FIXED, chain_reset, chain_steps, weights_from_uniforms
from decide.montecarlo.world import apply_enabler

__all__ = ["run_chunk", "kernel_entries", "CHAIN_RESET"]

CHAIN_RESET = 1024
"""Hit-and-run slack is recomputed every this many draws of a block (at fixed draw indices)."""
NO_FAILURE = 1 << 30
"""``sel`` while no hard requirement has said no (then 0: the planned outcome)."""


STAGE = {**KERNEL, "inline": "always"}
"""Compile options of :func:`_uniforms`: inlined into ``run_chunk`` (numba's IR), the QMC copy beside it.
The stages a test calls from Python are compiled with ``KERNEL`` (a CPython wrapper; the kernel
runs their unit, :func:`~decide.montecarlo.entries.unit_of`), the others with ``UNIT``."""


@nb.njit(**STAGE)
def _uniforms(state, u, n_rows):
    """The next ``n_rows`` slots' uniforms for a whole sub-block from the SFC64 lanes ``state``,
    ``FILL_ROWS`` slots at a time (``SUB_BLOCK`` = LANES each, whatever the draws left: a draw's
    uniforms never depend on the chunk)."""
    k = 0
    while k + FILL_ROWS <= n_rows:
        fill_lanes_rows(state, u[k:k + FILL_ROWS])
        k += FILL_ROWS
    for k in range(k, n_rows):
        fill_lanes(state, u[k])


@nb.njit(**UNIT)
def _weights(m, u, nb_, offset, weights, chain, slack, aux):
    """Each draw's weights: fixed (already set), from its uniforms, or the hit-and-run chain."""
    w, w_tmp, chain_scratch = weights.w, weights.w_tmp, weights.chain_scratch
    if m.w_code == W_FIXED:
        return
    n_c = w.shape[1]
    for d in range(nb_):
        if m.w_code == W_CHAIN:
            j = offset + d
            if j == 0:
                for c in range(chain.shape[0]):  # not chain[:] = ...: its shape check compiles string formatting
                    chain[c] = m.chain_start[c]
                chain_reset(m.chain_g, m.chain_h, chain, slack)
                chain_steps(m.chain_g, chain, slack, aux, m.chain_burn_in, chain_scratch)
            elif j % CHAIN_RESET == 0:
                chain_reset(m.chain_g, m.chain_h, chain, slack)
            chain_steps(m.chain_g, chain, slack, aux, m.chain_thinning, chain_scratch)
            for c in range(n_c):
                w[d, c] = chain[c]
        else:
            weights_from_uniforms(m.w_code, u, d, m.w_slot, m.w_fixed, m.w_profiles, m.w_order, w[d], w_tmp)


@nb.njit(**KERNEL)
def _world(m, u, nb_, world):
    """Probabilities of yes, thresholds per enabler variant, latent uniforms.

    Latent uniform: as drawn for an uncorrelated precondition; for a correlated one, the normal
    CDF of its component of ``L z`` (``z`` standard normals by inverse CDF, ``L L' = R``). A
    precondition says yes for an alternative iff ``lat < thr[variant]``, the probability of yes
    after that variant's enablers; variant 0 has no enablers (the world's answer). The options
    share one latent world: enablers move thresholds only. Every loop runs over the sub-block's
    draws innermost, so they vectorise (the inverse normal in two passes: its central rational
    function for every draw, then the tails).
    """
    p, thr, lat, normals, z = world.p, world.thr, world.lat, world.normals, world.z
    tail, tail_p, tail_x = world.tail, world.tail_p, world.tail_x
    n_q = p.shape[0]
    n_var = thr.shape[0]
    k_corr = m.corr_index.shape[0]
    for q in range(n_q):
        slot = m.p_slot[q]
        if slot < 0:
            for d in range(nb_):
                p[q, d] = m.p_par[q, 0]
        elif m.p_kind[q] == PROB_INTERVAL:
            for d in range(nb_):
                p[q, d] = m.p_par[q, 0] + u[slot, d] * m.p_par[q, 1]
        else:
            for d in range(nb_):
                p[q, d] = table_ppf(m.tables, int(m.p_par[q, 0]), u[slot, d])
        for d in range(nb_):
            thr[0, q, d] = p[q, d]
            lat[q, d] = u[m.lat_slot + q, d]
    # Other variants only where their enablers act (alternatives read variant 0 elsewhere, see
    # Model.alt_tv); enablers in case-file order.
    for v in range(1, n_var):
        for i in range(m.var_q_start[v], m.var_q_start[v + 1]):
            q = m.var_q[i]
            for d in range(nb_):
                thr[v, q, d] = p[q, d]
        for i in range(m.var_start[v], m.var_start[v + 1]):
            e = m.var_enablers[i]
            q, kind, amount = m.en_prec[e], m.en_kind[e], m.en_amount[e]
            for d in range(nb_):
                thr[v, q, d] = apply_enabler(kind, amount, thr[v, q, d])
    if k_corr == 0:
        return
    for j in range(k_corr):
        q = m.corr_index[j]
        for d in range(nb_):
            normals[j, d] = ndtri_central(lat[q, d] - 0.5)
        # The tails (15% of draws): listed (a store, then a count), their logarithms taken (a
        # call each), then the rational function in a loop that vectorises; bit for bit ndtri.
        # Separate loops: listing inside the central loop stopped it vectorising (measured).
        n_tail = 0
        for d in range(nb_):
            tail[n_tail] = d
            n_tail += abs(lat[q, d] - 0.5) > NDTRI_CENTRAL
        for i in range(n_tail):
            # Clamped so that a Sobol' point at 0 gives a finite normal (0 * -inf is NaN).
            pt = min(max(lat[q, tail[i]], 1e-300), 1.0 - 1e-16)
            tail_p[i] = pt
            tail_x[i] = math.log(min(pt, 1.0 - pt))
        for i in range(n_tail):
            tail_x[i] = ndtri_tail(math.sqrt(-tail_x[i]), tail_p[i] < 0.5)
        for i in range(n_tail):
            normals[j, tail[i]] = tail_x[i]
        for i in range(n_tail):  # the far tails (p below 1.4e-11), as ndtri takes them
            if tail_p[i] < 1e-10 or tail_p[i] > 1.0 - 1e-10:
                normals[j, tail[i]] = ndtri(tail_p[i])
    for j in range(k_corr):
        for d in range(nb_):
            z[d] = 0.0
        for i in range(j + 1 if m.corr_lower else k_corr):
            coef = m.corr_factor[j, i]
            for d in range(nb_):
                z[d] += coef * normals[i, d]
        q = m.corr_index[j]
        for d in range(nb_):
            lat[q, d] = norm_cdf_table(z[d])


@nb.njit(**KERNEL)
def _answers(m, nb_, world, answers):
    """Each alternative's answers under its enablers, hard noes (count, last one) and soft losses.

    Soft losses (DESIGN, "Soft requirement"): a soft "no" costs only a member that goes ahead
    (a failed one is scored by its failure profile); per precondition and criterion, the largest
    loss among the members that go ahead and softly require it (the strategies engine's rule).
    ``_start_values`` weighs them into the penalty.

    Loops over the sub-block's draws innermost, branch-free: they vectorise. ``no`` is filled only
    where it is read: requirements, and preconditions the alternative's enablers act on (the
    accumulator takes the others from the world's answers).
    """
    thr, lat = world.thr, world.lat
    no, n_hard_no, last_no, loss = answers.no, answers.n_hard_no, answers.last_no, answers.loss
    sel, go, best = answers.sel, answers.go, answers.best
    n_a, n_q = m.alt_hard.shape
    n_c = loss.shape[1]
    for a in range(n_a):
        for d in range(nb_):
            n_hard_no[a, d] = 0
            last_no[a, d] = -1
            sel[a, d] = NO_FAILURE
        for q in range(n_q):
            tv = m.alt_tv[a, q]
            if tv == 0 and not m.alt_hard[a, q] and m.alt_pen[a, q] == 0.0:
                continue
            for d in range(nb_):
                no[a, q, d] = not (lat[q, d] < thr[tv, q, d])
            if m.alt_hard[a, q]:
                out = 1 + m.alt_stage[a, q]  # its stage's failure profile
                for d in range(nb_):
                    n_hard_no[a, d] += no[a, q, d]
                    last_no[a, d] = q if no[a, q, d] else last_no[a, d]
                    sel[a, d] = min(sel[a, d], out) if no[a, q, d] else sel[a, d]
        for d in range(nb_):
            sel[a, d] = 0 if sel[a, d] == NO_FAILURE else sel[a, d]
        if not m.alt_soft[a]:
            continue
        for c in range(n_c):
            for d in range(nb_):
                loss[a, c, d] = 0.0
        for q in range(n_q):
            if m.alt_pen[a, q] == 0.0:
                continue
            for c in range(n_c):
                for d in range(nb_):
                    best[c, d] = 0.0
            for i in range(m.row_mem_start[a], m.row_mem_start[a + 1]):
                j = m.row_mem[i]
                most = m.mem_loss[j, q, 0]  # the largest loss (a loop: ndarray.max compiles an iterator)
                for c in range(1, n_c):
                    most = max(most, m.mem_loss[j, q, c])
                if most == 0.0:
                    continue
                for d in range(nb_):
                    go[d] = 1.0
                for r in range(n_q):
                    if m.mem_hard[j, r]:
                        for d in range(nb_):
                            go[d] = 0.0 if no[a, r, d] else go[d]
                for c in range(n_c):
                    lost = m.mem_loss[j, q, c]
                    if lost > 0.0:
                        for d in range(nb_):
                            best[c, d] = max(best[c, d], go[d] * lost)
            for c in range(n_c):
                for d in range(nb_):
                    loss[a, c, d] += best[c, d] if no[a, q, d] else 0.0


@nb.njit(**UNIT)
def _strategy_viability(m, nb_, answers, strategy):
    """Which outcome each component of the strategy scores under the strategy's enablers (its row
    of ``no``): planned, or the failure profile of its first stage with a "no"."""
    no, st_sel = answers.no, strategy.st_sel
    s = m.n_opt
    n_q = m.st_hard.shape[1]
    for k in range(m.st_comp.shape[0]):
        for d in range(nb_):
            st_sel[k, d] = NO_FAILURE
        for q in range(n_q):
            if m.st_hard[k, q]:
                out = 1 + m.st_stage[k, q]
                for d in range(nb_):
                    st_sel[k, d] = min(st_sel[k, d], out) if no[s, q, d] else st_sel[k, d]
        for d in range(nb_):
            st_sel[k, d] = 0 if st_sel[k, d] == NO_FAILURE else st_sel[k, d]


@nb.njit(**UNIT)
def _common_errors(m, nb_, u, cells):
    """Each common-mode criterion's shared normal error ``z_c`` from its head uniform (DESIGN: a
    criterion misjudged is misjudged for every option); the outcome stage mixes it into the cells."""
    for c in range(m.cm_slot.shape[0]):
        k = m.cm_slot[c]
        if k >= 0:
            for d in range(nb_):
                cells.cmz[c, d] = ndtri(u[k, d])


@nb.njit(**KERNEL)
def _start_values(m, nb_, weights, answers, scored):
    """Values start at minus the soft-requirement penalties, the losses weighted (outcomes add
    weight x criterion value, criterion by criterion); the weights transposed to (criterion, draw)
    for those loops."""
    w, wt, penalty, values, loss = weights.w, weights.wt, answers.penalty, scored.values, answers.loss
    for c in range(wt.shape[0]):
        for d in range(nb_):
            wt[c, d] = w[d, c]
    for a in range(values.shape[0]):
        for d in range(nb_):
            penalty[a, d] = 0.0
        if m.alt_soft[a]:
            for c in range(wt.shape[0]):
                for d in range(nb_):
                    penalty[a, d] += wt[c, d] * loss[a, c, d]
        for d in range(nb_):
            values[a, d] = -penalty[a, d]




WEIGHTS, WORLD, ANSWERS, STRATEGY_VIABILITY, START_VALUES, COMMON_ERRORS, OUTCOMES, STRATEGY_OUTCOMES, CONFIDENCE, \
    ACCUMULATE = range(10)
"""Rows of ``entries``: the kernel's compiled units, in the order :func:`run_chunk` calls them."""


@nb.njit(**KERNEL)
def run_chunk(n, offset, qmc, ubuf, state, aux, chain, slack, m, s, t, confidence, central, defined, cf, keep_v,
              keep_yes, e):
    """``n`` draws of one block, starting at draw ``offset`` of the block.

    Uniforms come from the block's SFC64 lanes ``state`` (plain Monte Carlo) or from ``ubuf``, the
    Sobol' points as (slot, draw) (QMC). Hit-and-run weights advance ``chain``/``slack`` on the
    auxiliary stream ``aux``. The main pass adds to the sums ``s``; with ``confidence`` the draws
    add to the confidence-factor sums ``cf`` instead (weights fixed at ``central`` where
    ``defined``), and no weights are drawn. ``keep_v`` (draw, a) and ``keep_yes`` (draw, q + pair)
    get each draw's values and answers where they have rows (the block's, indexed from its start).
    ``e`` (:func:`kernel_entries`) are the compiled units' entry points, by row.
    """
    has_strategy = m.st_comp.shape[0] > 0
    for start in range(0, n, SUB_BLOCK):
        nb_ = min(SUB_BLOCK, n - start)
        u = t.u  # one array type for every stage: a slice of ubuf would compile them all for strided input
        if qmc:
            for k in range(m.n_head):
                for d in range(nb_):
                    u[k, d] = ubuf[k, start + d]
        else:
            _uniforms(state, u, m.n_head)
        if not confidence and m.w_code != W_FIXED:
            call_entry(e[WEIGHTS, 0], e[WEIGHTS, 1], (m, u, nb_, offset + start, t.weights, chain, slack, aux))
        call_entry(e[WORLD, 0], e[WORLD, 1], (m, u, nb_, t.world))
        call_entry(e[ANSWERS, 0], e[ANSWERS, 1], (m, nb_, t.world, t.answers))
        if has_strategy:
            call_entry(e[STRATEGY_VIABILITY, 0], e[STRATEGY_VIABILITY, 1], (m, nb_, t.answers, t.strategy))
        call_entry(e[START_VALUES, 0], e[START_VALUES, 1], (m, nb_, t.weights, t.answers, t.scored))
        call_entry(e[COMMON_ERRORS, 0], e[COMMON_ERRORS, 1], (m, nb_, u, t.cells))
        call_entry(e[OUTCOMES, 0], e[OUTCOMES, 1],
                   (m, qmc, ubuf, start, state, nb_, confidence, t.weights, t.answers, t.strategy, t.cells, t.scored))
        if has_strategy:
            call_entry(e[STRATEGY_OUTCOMES, 0], e[STRATEGY_OUTCOMES, 1], (m, nb_, t.weights, t.strategy, t.scored,
                                                                          confidence))
        if confidence:
            call_entry(e[CONFIDENCE, 0], e[CONFIDENCE, 1], (m, nb_, t.answers, t.scored, central, defined, t.ranks, cf))
        else:
            call_entry(e[ACCUMULATE, 0], e[ACCUMULATE, 1],
                       (m, s, nb_, t.weights, t.world, t.answers, t.scored, t.ranks, keep_v, keep_yes, offset + start))


COMPILE_SECONDS = {"_outcomes": 5.0, "run_chunk": 3.0, "_accumulate": 2.8, "_world": 2.1, "_weights": 1.2,
                   "_answers": 0.9, "_confidence": 0.6, "_strategy_outcomes": 0.6, "_start_values": 0.3,
                   "_strategy_viability": 0.2, "_common_errors": 0.1}
"""About how long each compiles (CPU seconds, measured with benchmarks/bench_cold_start.py on a
loaded 2-core machine): the order in which a cold start compiles them, largest first."""


def kernel_entries(qmc, ubuf, state, aux, chain, slack, m, s, t, central, defined, cf, keep_v, keep_yes, *,
                   confidence: bool = True):
    """``e`` for :func:`run_chunk` called with arguments of these types (and ``n``, ``offset``):
    the units it runs (the weights' where drawn, the strategy row's with one, the confidence
    pass's with ``confidence``), each compiled or loaded from numba's cache on first use, and a
    unit not run ``(0, 0)``; ``run_chunk`` is compiled for these types too (on a cold start,
    with the units, on two processes: :func:`~decide.montecarlo.entries.compile_units`). Each
    unit's example arguments are those of its call in :func:`run_chunk` (integers for the draw
    counts and indices, booleans for the flags)."""
    u = t.u
    units = [None] * 10
    if m.w_code != W_FIXED:
        units[WEIGHTS] = (_weights, m, u, 0, 0, t.weights, chain, slack, aux)
    units[WORLD] = (_world, m, u, 0, t.world)
    units[ANSWERS] = (_answers, m, 0, t.world, t.answers)
    if m.st_comp.shape[0] > 0:
        units[STRATEGY_VIABILITY] = (_strategy_viability, m, 0, t.answers, t.strategy)
        units[STRATEGY_OUTCOMES] = (_strategy_outcomes, m, 0, t.weights, t.strategy, t.scored, True)
    units[START_VALUES] = (_start_values, m, 0, t.weights, t.answers, t.scored)
    units[COMMON_ERRORS] = (_common_errors, m, 0, u, t.cells)
    units[OUTCOMES] = (_outcomes, m, True, ubuf, 0, state, 0, True, t.weights, t.answers, t.strategy, t.cells, t.scored)
    if confidence:
        units[CONFIDENCE] = (_confidence, m, 0, t.answers, t.scored, central, defined, t.ranks, cf)
    units[ACCUMULATE] = (_accumulate, m, s, 0, t.weights, t.world, t.answers, t.scored, t.ranks, keep_v, keep_yes, 0)
    typed = [None if unit is None else (unit[0], tuple(nb.typeof(a) for a in unit[1:])) for unit in units]
    e = np.zeros((len(units), 2), dtype=np.int64)
    chunk = tuple(nb.typeof(a) for a in (0, 0, qmc, ubuf, state, aux, chain, slack, m, s, t, True, central, defined, cf,
                                         keep_v, keep_yes, e))
    compile_units([(run_chunk, chunk, False, COMPILE_SECONDS["run_chunk"])]
                  + [(f, argtypes, True, COMPILE_SECONDS.get(f.py_func.__name__, 1.0)) for f, argtypes in filter(None, typed)])
    return entries(typed)
