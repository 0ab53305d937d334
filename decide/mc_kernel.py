"""The Monte Carlo kernel: a case compiled for numba, and the fused per-chunk loop.

:func:`build_model` turns :class:`~decide.compile.CaseArrays` into the flat arrays of
:class:`Model`; :func:`run_chunk` runs a stretch of draws of one RNG block and adds them to the
block's :class:`Sums`. The driver, accumulators and estimates are in :mod:`decide.montecarlo`.

Draws are processed in sub-blocks of :data:`SUB_BLOCK` draws, stage by stage (uniforms, weights,
world, answers, outcomes weighted straight into values, accumulation), each stage a loop over the
sub-block's draws.
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

A cell's planned outcome and its failure profile read the same uniform: only one of them is an
option's outcome in any draw, so every option's outcomes are distributed exactly as with separate
uniforms, and the draw needs fewer of them. (A strategy that includes the option, evaluated
alongside it, sees the cell's planned and failed outcomes on the same uniform: common random
numbers between alternatives, which leave each alternative's distribution unchanged.)

Strategies: the kernel evaluates *alternatives*, each a row of the model (its enabler variant,
hard requirements, penalties); ranking and accumulation see only the alternatives' values. The
first ``n_opt`` rows are the options, each as its smallest strategy, with outcome cells; an
optional last row is a strategy (``simulate(..., strategy=...)``), whose criterion values
:func:`_strategy_outcomes` assembles from its components' drawn outcomes (no uniforms of its own).

PERT scores read a dense inverse-CDF table (linear interpolation indexed directly by ``u``), the
few draws in its end intervals a table by octaves of ``u`` (see :data:`DENSE_EXACT`,
:func:`~decide.sampling.dense_end_ppf`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.compile import PROB_INTERVAL, CaseArrays
from decide.mcda.value import criterion_values
from decide.sampling import (
    DENSE_EXACT,
    DENSE_INTERVALS,
    PERT,
    POINT,
    TRIANGULAR,
    TRUNCNORMAL,
    UNIFORM,
    W_CHAIN,
    W_FIXED,
    BetaTables,
    WeightSampler,
    apply_enabler,
    cell_tables,
    dense_end_ppf,
    chain_reset,
    chain_steps,
    copula_factor,
    NDTRI_CENTRAL,
    ndtri,
    ndtri_central,
    ndtri_tail,
    norm_cdf_table,
    probability_tables,
    LANES,
    FILL_ROWS,
    fill_lanes,
    fill_lanes_rows,
    table_ppf,
    triangular_ppf,
    truncnormal_ppf,
    weights_from_uniforms,
)

__all__ = ["Model", "build_model", "Sums", "new_sums", "Scratch", "new_scratch", "run_chunk", "SUB_BLOCK",
           "HISTOGRAM_BINS"]

KERNEL = {"nogil": True, "cache": True, "error_model": "numpy"}
"""Compile options of the kernel's functions. NumPy's error model: a float division does not test
its divisor for zero to raise Python's ZeroDivisionError (the kernel divides by counts of at least
one: values are finite, validated input), and without that branch loops with a division
vectorise (the inverse normal's central rational function: measured 3x faster)."""

FROM_BASELINE = 100
"""Kind of a failure cell its profile does not list: the baseline option's own outcome in the same
draw (DESIGN: a failed option keeps the world as the baseline leaves it), drawn no uniform."""
HISTOGRAM_BINS = 4096
"""Bins of the per-option value and regret histograms behind percentiles."""
SUB_BLOCK = LANES
"""Draws processed together, stage by stage: one per lane of the block's SFC64 streams."""
CHAIN_RESET = 1024
"""Hit-and-run slack is recomputed every this many draws of a block (at fixed draw indices)."""


class Model(NamedTuple):
    """Everything the kernel reads, as arrays. Axes: a = alternative, c = criterion, q = precondition."""

    n_slots: int
    """Uniforms per iteration (the QMC dimension)."""
    n_head: int
    """The first slots (weights, probabilities, latent answers), drawn at the start of a sub-block;
    the outcome cells' slots follow."""
    w_code: int
    w_slot: int
    w_fixed: NDArray[np.float64]
    w_profiles: NDArray[np.float64]
    w_order: NDArray[np.intp]
    chain_g: NDArray[np.float64]
    chain_h: NDArray[np.float64]
    chain_start: NDArray[np.float64]
    chain_burn_in: int
    chain_thinning: int
    p_kind: NDArray[np.int8]
    p_par: NDArray[np.float64]
    p_slot: NDArray[np.int64]
    tables: NDArray[np.float64]
    dense: NDArray[np.float64]
    """Dense Beta inverse-CDF tables (PERT scores), rows as ``tables``, flattened: entry ``(r, i, k)``
    of :meth:`BetaTables.dense` at ``(r * DENSE_INTERVALS + i) * 2 + k``."""
    dense_ends: NDArray[np.float64]
    """Their end tables (:meth:`BetaTables.dense_ends`), flattened."""
    lat_slot: int
    corr_index: NDArray[np.intp]
    corr_factor: NDArray[np.float64]
    corr_lower: bool
    """True when the factor is lower-triangular (the semi-definite Cholesky; else an eigen factor)."""
    var_start: NDArray[np.int64]
    """(variant + 1,) offsets into ``var_enablers``; variant 0 is "no enablers" (the world's answer)."""
    var_enablers: NDArray[np.int64]
    en_prec: NDArray[np.int64]
    en_kind: NDArray[np.int8]
    en_amount: NDArray[np.float64]
    alt_tv: NDArray[np.int64]
    """(a, q): the variant whose threshold the alternative reads (0 where its enablers do not act)."""
    var_q_start: NDArray[np.int64]
    var_q: NDArray[np.int64]
    """Per variant (offsets ``var_q_start``), the preconditions its enablers act on."""
    pair_v: NDArray[np.int64]
    """(pair,) the variant of each entry of ``var_q``: a (precondition, variant) pair is the answer
    under some option's enablers, which the EVPPI may turn on."""
    alt_hard: NDArray[np.bool_]
    alt_pen: NDArray[np.float64]
    """(a, q): the largest penalty of a soft requirement on q among the alternative's members (a
    precondition on which a soft "no" may cost something)."""
    row_mem_start: NDArray[np.int64]
    row_mem: NDArray[np.int64]
    """Per alternative (offsets ``row_mem_start``), its member options: an option's smallest
    strategy (itself and what it depends on), or the strategy's options."""
    mem_hard: NDArray[np.bool_]
    """(option, q): the hard requirements of the option's smallest strategy: it goes ahead where
    they all say yes (under the enablers of the alternative it is a member of)."""
    mem_pen: NDArray[np.float64]
    """(option, q): the option's own soft-requirement penalties."""
    alt_can_fail: NDArray[np.bool_]
    cell_kind: NDArray[np.int8]
    """(2, a, c): planned outcome, then failure profile."""
    cell_par: NDArray[np.float64]
    """(2, a, c, 8); for point cells ``[..., 7]`` holds the outcome's value (no value function at run time)."""
    cell_cum: NDArray[np.float64]
    cell_val: NDArray[np.float64]
    cell_slot: NDArray[np.int64]
    """(a, c): the cell's uniform, shared by its planned outcome and its failure profile (-1: none)."""
    alt_order: NDArray[np.int64]
    """Options in the order of their cells' slots: the baseline first (its outcomes are the failed
    options' outcomes on the criteria their failure profiles do not list), then by id."""
    baseline: int
    """The baseline option's row (-1: none)."""
    vf_x: NDArray[np.float64]
    vf_v: NDArray[np.float64]
    vf_slope: NDArray[np.float64]
    vf_n: NDArray[np.int64]
    hist_lo: NDArray[np.float64]
    hist_scale: NDArray[np.float64]
    """Bins per unit of value; regrets lie in [0, 1 - hist_lo] and use the same scale."""
    n_opt: int
    """Option rows with outcome cells (the first alternatives); a strategy row, if any, follows them."""
    st_comp: NDArray[np.int64]
    """(k,): options whose joint outcome enters the strategy (non-zero coefficient; the baseline
    too, with coefficient ``1 - sum a_j``); empty without a strategy."""
    st_coef: NDArray[np.float64]
    """(k,): the components' coefficients ``a_j`` (Moebius sums)."""
    st_hard: NDArray[np.bool_]
    """(k, q): hard requirements of each component's smallest strategy (False for the baseline)."""
    comp_of: NDArray[np.int64]
    """(option,): the option's component index, -1 if not a component."""
    scale_low: NDArray[np.float64]
    scale_high: NDArray[np.float64]


def build_model(arrays: CaseArrays, sampler: WeightSampler, strategy: NDArray[np.bool_] | None = None) -> Model:
    """Alternatives = options, each as its smallest strategy (own enablers, dependencies' requirements),
    then, if ``strategy`` (a 0/1 vector over the options, dependency-closed, baseline excluded) is
    given, that strategy as one more alternative (the strategies engine's semantics: see
    :mod:`decide.optimise.strategy`). The strategy draws no uniforms of its own: it assembles its
    options' and the baseline's drawn outcomes, so it shares every draw with the option rows."""
    n_o, n_c, n_q = arrays.n_options, arrays.n_criteria, arrays.n_preconditions
    n_e = len(arrays.enabler_option)
    active = np.asarray(arrays.eval_enablers, dtype=bool).reshape(n_o, n_e)
    alt_hard = np.ascontiguousarray(arrays.eval_hard, dtype=bool).reshape(n_o, n_q)
    alt_pen = np.ascontiguousarray(arrays.eval_penalty, dtype=float).reshape(n_o, n_q)
    st_comp = np.zeros(0, dtype=np.int64)
    st_coef = np.zeros(0)
    st_hard = np.zeros((0, n_q), dtype=bool)
    comp_of = np.full(n_o, -1, dtype=np.int64)
    if strategy is not None:
        x = np.asarray(strategy, dtype=bool)
        closure = arrays.closure.astype(float)
        mobius = np.rint(np.linalg.inv(closure)) if n_o else closure
        coef = x.astype(float) @ mobius  # a_j = sum over i in S of mu(i, j)
        if arrays.baseline is not None:
            coef[arrays.baseline] = 1.0 - coef.sum()
        comps = np.flatnonzero(coef != 0.0)
        st_comp = comps.astype(np.int64)
        st_coef = coef[comps].astype(float)
        st_hard = alt_hard[comps].copy()
        if arrays.baseline is not None:
            st_hard[comps == arrays.baseline] = False  # the status quo is never pursued: never fails
        comp_of[comps] = np.arange(len(comps))
        active = np.vstack([active, x[arrays.enabler_option][None, :] if n_e else np.zeros((1, 0), bool)])
        alt_hard = np.vstack([alt_hard, (x.astype(np.int64) @ arrays.hard.astype(np.int64) > 0)[None, :]])
        alt_pen = np.vstack([alt_pen, np.max(np.where(x[:, None], arrays.penalty, 0.0), axis=0,
                                             initial=0.0)[None, :]])
    n_a = alt_hard.shape[0]
    members = [np.flatnonzero(arrays.closure[a]) for a in range(n_o)]
    if strategy is not None:
        members.append(np.flatnonzero(np.asarray(strategy, dtype=bool)))
    row_mem_start = np.concatenate([[0], np.cumsum([len(x) for x in members])]).astype(np.int64)
    row_mem = np.concatenate(members + [np.zeros(0, np.int64)]).astype(np.int64)
    # The strategy row's answers cover its components' requirements (``_answers`` fills only those).
    assert strategy is None or not (st_hard & ~alt_hard[-1]).any()
    tables = BetaTables()
    slot = sampler.n_uniforms  # weights take the first dimensions: they matter most in QMC
    p_par = probability_tables(arrays, tables)
    p_kind = np.asarray(arrays.probability_kind, dtype=np.int8)
    p_slot = np.full(n_q, -1, dtype=np.int64)
    for q in range(n_q):
        if p_kind[q] != 0:
            p_slot[q], slot = slot, slot + 1
    lat_slot, slot = slot, slot + n_q
    corr_index, corr_factor = copula_factor(arrays.correlation)

    # Enabler variants: alternatives with the same active enablers share their thresholds.
    signatures: dict[tuple[int, ...], int] = {(): 0}
    alt_var = np.zeros(n_a, dtype=np.int64)
    for a in range(n_a):
        key = tuple(int(e) for e in np.flatnonzero(active[a]))  # case-file order, as apply_enablers
        alt_var[a] = signatures.setdefault(key, len(signatures))
    var_start = np.zeros(len(signatures) + 1, dtype=np.int64)
    var_q_start = np.zeros(len(signatures) + 1, dtype=np.int64)
    var_enablers: list[int] = []
    var_q: list[int] = []
    enabler_prec = np.asarray(arrays.enabler_precondition, dtype=np.int64)
    for key, s in sorted(signatures.items(), key=lambda kv: kv[1]):
        var_enablers += key
        var_start[s + 1] = len(var_enablers)
        var_q += sorted({int(enabler_prec[e]) for e in key})
        var_q_start[s + 1] = len(var_q)
    alt_tv = np.zeros((n_a, n_q), dtype=np.int64)
    for a in range(n_a):
        v = alt_var[a]
        alt_tv[a, var_q[var_q_start[v]:var_q_start[v + 1]]] = v

    alt_hard = np.ascontiguousarray(alt_hard)
    alt_pen = np.ascontiguousarray(alt_pen)
    planned, failure = cell_tables(arrays.scores, tables), cell_tables(arrays.failure, tables)
    width = max(planned.cum.shape[-1], failure.cum.shape[-1])

    def pad(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, width - x.shape[-1])], mode="edge")

    cell_kind = np.stack([planned.kind, failure.kind])
    cell_kind[1][np.asarray(arrays.failure_is_baseline, dtype=bool)] = FROM_BASELINE
    cell_par = np.stack([planned.params, failure.params])
    cell_slot = np.full((n_o, n_c), -1, dtype=np.int64)
    can_fail = alt_hard.any(axis=1)
    n_head = slot
    # Slots in the order of the option ids, not of the case file: reordering the options of a
    # case then permutes the results exactly (each option keeps its uniforms). Failure outcomes
    # are drawn only for options that can fail (DESIGN: "draw failure outcomes only for options
    # that can fail"); a cell whose outcomes are all points takes no uniform.
    alt_order = np.array(sorted(range(n_o), key=lambda i: (i != arrays.baseline, arrays.option_ids[i])),
                         dtype=np.int64)
    for a in alt_order:
        for c in range(n_c):
            if cell_kind[0, a, c] != POINT or (can_fail[a] and cell_kind[1, a, c] not in (POINT, FROM_BASELINE)):
                cell_slot[a, c], slot = slot, slot + 1

    vf_x, vf_v = np.asarray(arrays.value_x, dtype=float), np.asarray(arrays.value_v, dtype=float)
    vf_n = np.array([1 + int(np.count_nonzero(np.diff(row) > 0)) for row in vf_x], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        vf_slope = np.where(np.diff(vf_x, axis=1) > 0, np.diff(vf_v, axis=1) / np.diff(vf_x, axis=1), 0.0)
    vf_slope = np.ascontiguousarray(np.pad(vf_slope, [(0, 0), (0, 1)]))
    for f in (0, 1):
        points = cell_kind[f] == POINT
        values = criterion_values(cell_par[f, :, :, 0], vf_x, vf_v)
        cell_par[f, :, :, 7] = np.where(points, values, 0.0)

    # Values lie in [-total penalty, 1] (value functions in [0, 1], weights summing to 1).
    hist_lo = -alt_pen.sum(axis=1)
    span = 1.0 - hist_lo
    pert = np.any(cell_kind == PERT)
    dense = (tables.dense() if pert else np.zeros((1, DENSE_INTERVALS, 2))).reshape(-1)
    dense_ends = (tables.dense_ends() if pert else np.zeros(1)).reshape(-1)
    return Model(
        n_slots=slot, n_head=n_head, w_code=sampler.code, w_slot=0, w_fixed=sampler.fixed, w_profiles=sampler.profiles,
        w_order=sampler.order, chain_g=sampler.constraints, chain_h=sampler.bounds, chain_start=sampler.start,
        chain_burn_in=sampler.burn_in, chain_thinning=sampler.thinning,
        p_kind=p_kind, p_par=p_par, p_slot=p_slot, tables=tables.stack(), dense=dense, dense_ends=dense_ends,
        lat_slot=lat_slot,
        corr_index=corr_index, corr_factor=corr_factor,
        corr_lower=bool(np.allclose(corr_factor, np.tril(corr_factor), atol=0.0)), var_start=var_start,
        var_enablers=np.array(var_enablers, dtype=np.int64),
        en_prec=np.asarray(arrays.enabler_precondition, dtype=np.int64),
        en_kind=np.asarray(arrays.enabler_kind, dtype=np.int8),
        en_amount=np.asarray(arrays.enabler_amount, dtype=float),
        alt_tv=alt_tv, var_q_start=var_q_start, var_q=np.array(var_q, dtype=np.int64),
        pair_v=np.repeat(np.arange(len(signatures), dtype=np.int64), np.diff(var_q_start)),
        alt_hard=alt_hard, alt_pen=alt_pen, alt_can_fail=can_fail, row_mem_start=row_mem_start, row_mem=row_mem,
        mem_hard=np.ascontiguousarray(arrays.eval_hard, dtype=np.bool_),
        mem_pen=np.ascontiguousarray(arrays.penalty, dtype=float),
        cell_kind=np.ascontiguousarray(cell_kind), cell_par=np.ascontiguousarray(cell_par),
        cell_cum=np.ascontiguousarray(np.stack([pad(planned.cum), pad(failure.cum)])),
        cell_val=np.ascontiguousarray(np.stack([pad(planned.values), pad(failure.values)])),
        cell_slot=cell_slot, alt_order=alt_order, baseline=-1 if arrays.baseline is None else int(arrays.baseline),
        vf_x=np.ascontiguousarray(vf_x), vf_v=np.ascontiguousarray(vf_v),
        vf_slope=vf_slope, vf_n=vf_n, hist_lo=hist_lo, hist_scale=HISTOGRAM_BINS / span,
        n_opt=n_o, st_comp=st_comp, st_coef=st_coef, st_hard=np.ascontiguousarray(st_hard), comp_of=comp_of,
        scale_low=np.ascontiguousarray(arrays.scale_low, dtype=float),
        scale_high=np.ascontiguousarray(arrays.scale_high, dtype=float),
    )


# --------------------------------------------------------------------------- accumulators




class Sums(NamedTuple):
    """Per-block sums the kernel adds to, draw by draw (so chunking cannot change them)."""

    count: NDArray[np.int64]
    sum_best: NDArray[np.float64]
    sum_v: NDArray[np.float64]
    """(a, 4): sums of v, v^2, v^3, v^4."""
    v_range: NDArray[np.float64]
    """(a, 4): min and max of the value, min and max of the regret."""
    hist_v: NDArray[np.integer]
    """(a, HISTOGRAM_BINS): counts of values per bin; ``uint16`` in a block (at most BLOCK_SIZE
    draws: the two histograms then fit in L2 cache beside the tables), ``int64`` in a run's totals."""
    sum_r: NDArray[np.float64]
    """(a, 2): sums of regret and regret^2."""
    hist_r: NDArray[np.integer]
    rank: NDArray[np.float64]
    rank_sq: NDArray[np.float64]
    wins: NDArray[np.int64]
    """(a, a): draws where row is strictly better than column."""
    cw: NDArray[np.float64]
    cw_sq: NDArray[np.float64]
    blocked: NDArray[np.int64]
    no: NDArray[np.int64]
    no_v: NDArray[np.float64]
    no_v2: NDArray[np.float64]
    sole: NDArray[np.int64]
    world_yes: NDArray[np.int64]
    world_yes_v: NDArray[np.float64]
    """(q, a): sum of each value over draws where the world's answer (no enablers) is yes."""
    pair_yes_v: NDArray[np.float64]
    """(pair, a): as ``world_yes_v``, for the answer under the pair's variant (``Model.pair_v``)."""
    sum_cv: NDArray[np.float64]
    """(a, c): sums of each criterion's value of the alternative's outcome (E[v] is linear in the
    weights: the weight analyses work on these means)."""
    sum_cv2: NDArray[np.float64]
    """(a, c): and of their squares."""
    sum_pen: NDArray[np.float64]
    """(a, 2): sums of the soft penalties charged, and of their squares."""


def new_sums(n_a: int, n_c: int, n_q: int, hist_dtype: type = np.uint16, n_pairs: int = 0) -> Sums:
    v_range = np.empty((n_a, 4))
    v_range[:, 0::2], v_range[:, 1::2] = np.inf, -np.inf
    return Sums(
        count=np.zeros(1, np.int64), sum_best=np.zeros(1), sum_v=np.zeros((n_a, 4)), v_range=v_range,
        hist_v=np.zeros((n_a, HISTOGRAM_BINS), hist_dtype), sum_r=np.zeros((n_a, 2)),
        hist_r=np.zeros((n_a, HISTOGRAM_BINS), hist_dtype), rank=np.zeros((n_a, n_a)), rank_sq=np.zeros((n_a, n_a)),
        wins=np.zeros((n_a, n_a), np.int64), cw=np.zeros((n_a, n_c)), cw_sq=np.zeros((n_a, n_c)),
        blocked=np.zeros(n_a, np.int64), no=np.zeros((n_a, n_q), np.int64), no_v=np.zeros((n_a, n_q)),
        no_v2=np.zeros((n_a, n_q)), sole=np.zeros((n_a, n_q), np.int64), world_yes=np.zeros(n_q, np.int64),
        world_yes_v=np.zeros((n_q, n_a)), pair_yes_v=np.zeros((n_pairs, n_a)), sum_cv=np.zeros((n_a, n_c)),
        sum_cv2=np.zeros((n_a, n_c)), sum_pen=np.zeros((n_a, 2)),
    )


class Scratch(NamedTuple):
    """Work arrays of one running block for a sub-block of draws (axis ``d``, SUB_BLOCK long).

    Draws are the last axis, so the stages' innermost loops over draws are contiguous and vectorise
    (weights, looped per draw, are the exception).
    """

    u: NDArray[np.float64]
    """(head slot, d): the head's uniforms."""
    rows: NDArray[np.float64]
    """(FILL_ROWS, d): the next outcome cells' uniforms, drawn FILL_ROWS slots at a time."""
    w: NDArray[np.float64]
    """(d, c)."""
    w_tmp: NDArray[np.float64]
    wt: NDArray[np.float64]
    """(c, d): the weights transposed."""
    ok: NDArray[np.float64]
    """(d,): 1.0 where an option's planned outcome applies, else 0.0."""
    p: NDArray[np.float64]
    """(q, d)."""
    thr: NDArray[np.float64]
    """(variant, q, d): thresholds; a precondition says yes iff lat < thr."""
    lat: NDArray[np.float64]
    """(q, d)."""
    normals: NDArray[np.float64]
    """(correlated q, d): standard normals of the copula."""
    z: NDArray[np.float64]
    """(d,): one component of ``L z``."""
    tail: NDArray[np.int64]
    """(d,): the draws whose latent uniform is in a tail of the inverse normal."""
    tail_p: NDArray[np.float64]
    """(d,): their latent uniforms."""
    tail_x: NDArray[np.float64]
    """(d,): their normals (first the logarithms)."""
    no: NDArray[np.bool_]
    """(a, q, d)."""
    n_hard_no: NDArray[np.int64]
    """(a, d)."""
    last_no: NDArray[np.int64]
    """(a, d)."""
    penalty: NDArray[np.float64]
    """(a, d)."""
    idx: NDArray[np.int64]
    """(2, d): the draws where an option's planned outcome, then its failure profile, is scored."""
    ug: NDArray[np.float64]
    """(d,): a cell's uniforms gathered for the draws that score it."""
    ends: NDArray[np.int64]
    """(d,): the draws of a PERT cell in the end intervals of its dense table."""
    ti: NDArray[np.int32]
    """(d,): a PERT cell's dense-table intervals."""
    tf: NDArray[np.float64]
    """(d,): and the fractions of them."""
    x: NDArray[np.float64]
    """(d,): outcomes of one cell."""
    xv: NDArray[np.float64]
    """(d,): their criterion values."""
    vcell: NDArray[np.float64]
    """(a, c, d): criterion values of the outcome scored (kept in the confidence pass only)."""
    values: NDArray[np.float64]
    """(a, d)."""
    totals: NDArray[np.float64]
    best: NDArray[np.float64]
    better: NDArray[np.int64]
    """(a, d): alternatives strictly better."""
    tied: NDArray[np.int64]
    """(a, d): alternatives tied with it, itself included."""
    top: NDArray[np.int64]
    at_rank: NDArray[np.int64]
    moments: NDArray[np.float64]
    chain_scratch: NDArray[np.float64]
    xp: NDArray[np.float64]
    """(k, c, d): planned outcomes of the strategy's components (empty without a strategy)."""
    xf: NDArray[np.float64]
    """(k, c, d): failure outcomes of the components, where they fail (alone or in the strategy)."""
    st_fail: NDArray[np.bool_]
    """(k, d): the component fails under the strategy's enablers."""
    bx: NDArray[np.float64]
    """(c, d): the baseline's outcomes, which failed options keep where their profile is silent."""
    bxv: NDArray[np.float64]
    """(c, d): and their criterion values."""
    cv: NDArray[np.float64]
    """(a, c): the sub-block's sums of each criterion value of each alternative's outcome."""
    cv2: NDArray[np.float64]
    """(a, c): and of their squares."""
    mask: NDArray[np.float64]
    """(d,): 1.0 where an answer is yes (the accumulator's sums over those draws)."""
    go: NDArray[np.float64]
    """(d,): 1.0 where a member option goes ahead."""
    pen_best: NDArray[np.float64]
    """(q, d): the largest penalty of a member that goes ahead, per soft precondition."""


def new_scratch(m: Model) -> Scratch:
    n_a, n_q = m.alt_hard.shape
    n_c = m.vf_x.shape[0]
    n_var = len(m.var_start) - 1
    b = SUB_BLOCK
    w = np.empty((b, n_c))
    w[:] = m.w_fixed
    return Scratch(u=np.zeros((max(m.n_head, 1), b)), rows=np.zeros((FILL_ROWS, b)), w=w,
                   w_tmp=np.zeros(n_c), wt=np.zeros((n_c, b)), ok=np.zeros(b), p=np.zeros((n_q, b)),
                   thr=np.zeros((n_var, n_q, b)), lat=np.zeros((n_q, b)), normals=np.zeros((len(m.corr_index), b)),
                   z=np.zeros(b), tail=np.zeros(b, np.int64), tail_p=np.zeros(b), tail_x=np.zeros(b),
                   no=np.zeros((n_a, n_q, b), dtype=np.bool_),
                   n_hard_no=np.zeros((n_a, b), np.int64), last_no=np.zeros((n_a, b), np.int64),
                   penalty=np.zeros((n_a, b)), idx=np.zeros((2, b), np.int64), ug=np.zeros(b),
                   ends=np.zeros(b, np.int64), ti=np.zeros(b, np.int32), tf=np.zeros(b),
                   x=np.zeros(b), xv=np.zeros(b), vcell=np.zeros((n_a, n_c, b)),
                   values=np.zeros((n_a, b)), totals=np.zeros(n_a),
                   best=np.zeros(b), better=np.zeros((n_a, b), np.int64), tied=np.zeros((n_a, b), np.int64),
                   top=np.zeros(b, np.int64), at_rank=np.zeros(n_a, np.int64), moments=np.zeros((n_a, 2)),
                   chain_scratch=np.zeros((3, n_c + 1 + m.chain_g.shape[0])),
                   xp=np.zeros((len(m.st_comp), n_c, b)), xf=np.zeros((len(m.st_comp), n_c, b)),
                   st_fail=np.zeros((len(m.st_comp), b), dtype=np.bool_),
                   bx=np.zeros((n_c, b)), bxv=np.zeros((n_c, b)), cv=np.zeros((n_a, n_c)), cv2=np.zeros((n_a, n_c)),
                   mask=np.zeros(b), go=np.zeros(b), pen_best=np.zeros((n_q, b)))


@nb.njit(**KERNEL)
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


@nb.njit(**KERNEL)
def _weights(m, u, nb_, offset, w, w_tmp, chain, slack, aux, chain_scratch):
    """Each draw's weights: fixed (already set), from its uniforms, or the hit-and-run chain."""
    if m.w_code == W_FIXED:
        return
    n_c = w.shape[1]
    for d in range(nb_):
        if m.w_code == W_CHAIN:
            j = offset + d
            if j == 0:
                chain[:] = m.chain_start
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
def _world(m, u, nb_, p, thr, lat, normals, z, tail, tail_p, tail_x):
    """Probabilities of yes, thresholds per enabler variant, latent uniforms.

    Latent uniform: as drawn for an uncorrelated precondition; for a correlated one, the normal
    CDF of its component of ``L z`` (``z`` standard normals by inverse CDF, ``L L' = R``). A
    precondition says yes for an alternative iff ``lat < thr[variant]``, the probability of yes
    after that variant's enablers; variant 0 has no enablers (the world's answer). The options
    share one latent world: enablers move thresholds only. Every loop runs over the sub-block's
    draws innermost, so they vectorise (the inverse normal in two passes: its central rational
    function for every draw, then the tails).
    """
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
def _answers(m, nb_, thr, lat, no, n_hard_no, last_no, penalty, go, pen_best):
    """Each alternative's answers under its enablers, hard noes (count, last one) and penalty.

    Soft penalties (DESIGN, "Soft requirement"): a soft "no" costs only a member that goes ahead
    (a failed one is scored by its failure profile); per precondition, the largest penalty among
    the members that go ahead and softly require it (the strategies engine's rule). ``go`` (d,)
    and ``pen_best`` (q, d) are scratch.

    Loops over the sub-block's draws innermost, branch-free: they vectorise. ``no`` is filled only
    where it is read: requirements, and preconditions the alternative's enablers act on (the
    accumulator takes the others from the world's answers).
    """
    n_a, n_q = m.alt_hard.shape
    for a in range(n_a):
        for d in range(nb_):
            n_hard_no[a, d] = 0
            last_no[a, d] = -1
            penalty[a, d] = 0.0
        for q in range(n_q):
            tv = m.alt_tv[a, q]
            if tv == 0 and not m.alt_hard[a, q] and m.alt_pen[a, q] == 0.0:
                continue
            for d in range(nb_):
                no[a, q, d] = not (lat[q, d] < thr[tv, q, d])
            if m.alt_hard[a, q]:
                for d in range(nb_):
                    n_hard_no[a, d] += no[a, q, d]
                    last_no[a, d] = q if no[a, q, d] else last_no[a, d]
        soft = False
        for q in range(n_q):
            soft |= m.alt_pen[a, q] > 0.0
        if not soft:
            continue
        for q in range(n_q):
            if m.alt_pen[a, q] > 0.0:
                for d in range(nb_):
                    pen_best[q, d] = 0.0
        for i in range(m.row_mem_start[a], m.row_mem_start[a + 1]):
            j = m.row_mem[i]
            for d in range(nb_):
                go[d] = 1.0
            for q in range(n_q):
                if m.mem_hard[j, q]:
                    for d in range(nb_):
                        go[d] = 0.0 if no[a, q, d] else go[d]
            for q in range(n_q):
                pen = m.mem_pen[j, q]
                if pen > 0.0:
                    for d in range(nb_):
                        pen_best[q, d] = max(pen_best[q, d], go[d] * pen)
        for q in range(n_q):
            if m.alt_pen[a, q] > 0.0:
                for d in range(nb_):
                    penalty[a, d] += pen_best[q, d] if no[a, q, d] else 0.0


@nb.njit(**KERNEL)
def _strategy_viability(m, nb_, no, st_fail):
    """Which components of the strategy fail under the strategy's enablers (its row of ``no``)."""
    s = m.n_opt
    n_q = m.st_hard.shape[1]
    for k in range(m.st_comp.shape[0]):
        for d in range(nb_):
            st_fail[k, d] = False
        for q in range(n_q):
            if m.st_hard[k, q]:
                for d in range(nb_):
                    st_fail[k, d] |= no[s, q, d]


@nb.njit(**KERNEL)
def _strategy_outcomes(m, nb_, st_fail, xp, xf, wt, values, keep_cells, vcell, cv, cv2):
    """The strategy's criterion values: ``sum_j a_j O_j`` over its components (the baseline's
    coefficient is ``1 - sum a_j``), ``O_j`` planned or failure, capped at the scale, valued,
    weighted into its value (and kept in ``vcell`` with ``keep_cells``).

    A single component with coefficient 1 gives its outcome exactly (``0.0 + 1.0 * O``), so a
    strategy of one option without dependencies reproduces that option's row bit for bit.
    """
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
                y += m.st_coef[k] * (xf[k, c, d] if st_fail[k, d] else xp[k, c, d])
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
def _outcomes(m, qmc, ubuf, start, state, rows, nb_, n_hard_no, idx, ok, ug, ends, ti, tf, x, xv, wt, values,
              keep_cells, vcell, st_fail, xp, xf, bx, bxv, cv, cv2):
    """Each option's criterion values (planned outcome where viable, failure profile where not),
    weighted into its value (``values``, which holds minus the penalties); kept in ``vcell`` only
    with ``keep_cells`` (the confidence pass reweights them).

    Options in slot order; per cell, its uniforms (the next row of the SFC64 ``state``, drawn
    ``FILL_ROWS`` rows ahead into ``rows`` while as many cell slots are left, or the Sobol' points
    ``ubuf[slot, start:]``), then for the planned outcome and the failure profile
    one loop per distribution kind (no per-draw dispatch on the kind). Each is computed for every
    draw of the sub-block (contiguous loops that vectorise, then a select) unless it applies in
    fewer than 3/4 of them: then only there, from the gathered uniforms ``ug``.
    PERT: a dense table, lerp indexed by ``u``; the end intervals from the end tables (by octaves).
    The baseline comes first and its outcomes are kept (``bx``, ``bxv``): a failure cell of kind
    FROM_BASELINE reads them. ``cv`` gets the sub-block's sum of each cell's criterion values.
    """
    n_c = m.vf_x.shape[0]
    par = m.cell_par
    row = rows[0]
    left = m.n_slots - m.n_head  # cell slots still to draw in this sub-block
    drawn = used = 0  # rows drawn ahead, and used of them
    for a in m.alt_order:
        comp = m.comp_of[a]  # >= 0: a strategy component, whose raw outcomes the strategy row needs
        can_fail = m.alt_can_fail[a]
        # The draws scored with the planned outcome (idx[0]) and with the failure profile (idx[1]);
        # a component fails also where it fails under the strategy's enablers.
        n_plan = n_fail = 0
        for d in range(nb_):
            ok[d] = 1.0 if n_hard_no[a, d] == 0 else 0.0  # the planned outcome applies
        if can_fail:
            for d in range(nb_):
                failed = n_hard_no[a, d] > 0
                idx[0, n_plan] = d
                n_plan += not failed
                idx[1, n_fail] = d
                n_fail += failed or (comp >= 0 and st_fail[comp, d])
        else:
            n_plan = nb_
        # All draws (dense) for a component's raw outcomes and wherever at least 3/4 need it
        # (measured: below that, gathering the draws' uniforms and scattering values is cheaper).
        is_base = a == m.baseline
        dense_plan = comp >= 0 or is_base or 4 * n_plan >= 3 * nb_
        dense_fail = can_fail and (comp >= 0 or 4 * n_fail >= 3 * nb_)
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
            for f in range(2):
                dense = dense_plan if f == 0 else dense_fail
                count = nb_ if dense else (n_plan if f == 0 else n_fail)
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
                    sa, sb = (1.0, 0.0) if f == 0 else (-1.0, 1.0)
                    t1 = t2 = 0.0
                    for k in range(count):
                        mk = sa * ok[k] + sb
                        xk = xv[k]
                        values[a, k] += mk * (wt[c, k] * xk)
                        t1 += mk * xk
                        t2 += mk * (xk * xk)
                    cv[a, c] += t1
                    cv2[a, c] += t2
                    if keep_cells:
                        for k in range(count):
                            vcell[a, c, k] = xv[k] if (f == 0) == (ok[k] == 1.0) else vcell[a, c, k]
                    if comp >= 0:
                        out = xp if f == 0 else xf
                        for k in range(count):
                            out[comp, c, k] = x[k]
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


@nb.njit(**KERNEL)
def _start_values(nb_, w, wt, penalty, values):
    """Values start at minus the soft-requirement penalties (outcomes add weight x criterion
    value, criterion by criterion); the weights transposed to (criterion, draw) for those loops."""
    for a in range(values.shape[0]):
        for d in range(nb_):
            values[a, d] = -penalty[a, d]
    for c in range(wt.shape[0]):
        for d in range(nb_):
            wt[c, d] = w[d, c]


@nb.njit(**KERNEL)
def _rank_counts(nb_, values, better, tied, wins):
    """Per alternative and draw, how many alternatives are strictly better and how many tie (itself
    included); ``wins[a, b]`` adds the draws where ``a`` is strictly better than ``b``. Integer
    counts in loops of their own: they vectorise (measured 3x faster than inside the accumulator)."""
    n_a = values.shape[0]
    for a in range(n_a):
        for d in range(nb_):
            better[a, d] = 0
            tied[a, d] = 0
        for b in range(n_a):
            won = 0
            for d in range(nb_):
                va, vb = values[a, d], values[b, d]
                better[a, d] += vb > va
                tied[a, d] += vb == va
                won += va > vb
            wins[a, b] += won


@nb.njit(**KERNEL, fastmath={"reassoc", "contract"})
def _accumulate(m, s, nb_, w, values, thr, lat, no, n_hard_no, last_no, best, better, tied, top, at_rank, moments,
                penalty, cv, cv2, keep_v, keep_yes, at, mask):
    """Add a sub-block of draws to the block's sums: values and their moments, histograms, ranks
    (ties share the tied ranks equally), pairwise wins, central weights, regret, blocks, answers.

    Loops run over draws innermost and sum a sub-block before adding it to the block's totals
    (``reassoc`` lets them vectorise). Sub-blocks start at fixed draw indices of their block (the
    driver keeps chunks whole multiples of SUB_BLOCK), so the order of additions, and so every
    bit of the result, does not depend on the chunk size. Scratch: ``best``, ``top`` of SUB_BLOCK,
    ``better``, ``tied`` (a, SUB_BLOCK), ``at_rank`` (a,), ``moments`` (a, 2), the sub-block's sums
    of v and v^2.

    Answers: where an alternative's enablers do not act on a precondition, its answer is the
    world's, so the sums over the draws where it says no are the sub-block's sums minus those
    where the world says yes (``world_yes_v``, which the EVPPI needs anyway); only the pairs
    with enablers are summed on their own.
    """
    n_a, n_q = m.alt_hard.shape
    n_c = w.shape[1]
    bins = s.hist_v.shape[1]
    for d in range(nb_):
        best[d] = values[0, d]
    for a in range(1, n_a):
        for d in range(nb_):
            best[d] = max(best[d], values[a, d])
    total = 0.0
    for d in range(nb_):
        total += best[d]
    s.count[0] += nb_
    s.sum_best[0] += total
    for a in range(n_a):
        pen = pen2 = 0.0
        for d in range(nb_):
            pen += penalty[a, d]
            pen2 += penalty[a, d] * penalty[a, d]
        s.sum_pen[a, 0] += pen
        s.sum_pen[a, 1] += pen2
        for c in range(n_c):
            s.sum_cv[a, c] += cv[a, c]
            s.sum_cv2[a, c] += cv2[a, c]
    _rank_counts(nb_, values, better, tied, s.wins)
    # Central weights: the weights of the draws where an alternative is best (shared if tied).
    for d in range(nb_):
        top[d] = 0
    for a in range(n_a - 1, -1, -1):
        for d in range(nb_):
            top[d] = a if better[a, d] == 0 else top[d]
    for d in range(nb_):
        a = top[d]
        if tied[a, d] == 1:
            for c in range(n_c):
                s.cw[a, c] += w[d, c]
                s.cw_sq[a, c] += w[d, c] * w[d, c]
        else:
            share = 1.0 / tied[a, d]
            for b in range(a, n_a):
                if better[b, d] == 0:
                    for c in range(n_c):
                        s.cw[b, c] += share * w[d, c]
                        s.cw_sq[b, c] += share * w[d, c] * w[d, c]
    for a in range(n_a):
        lo, scale = m.hist_lo[a], m.hist_scale[a]
        s1 = s2 = s3 = s4 = r1 = r2 = 0.0
        vmin, vmax = s.v_range[a, 0], s.v_range[a, 1]
        rmin, rmax = s.v_range[a, 2], s.v_range[a, 3]
        for d in range(nb_):
            v = values[a, d]
            v2 = v * v
            s1 += v
            s2 += v2
            s3 += v2 * v
            s4 += v2 * v2
            r = best[d] - v
            r1 += r
            r2 += r * r
            vmin = min(vmin, v)
            vmax = max(vmax, v)
            rmin = min(rmin, r)
            rmax = max(rmax, r)
        moments[a, 0], moments[a, 1] = s1, s2
        s.sum_v[a, 0] += s1
        s.sum_v[a, 1] += s2
        s.sum_v[a, 2] += s3
        s.sum_v[a, 3] += s4
        s.sum_r[a, 0] += r1
        s.sum_r[a, 1] += r2
        s.v_range[a, 0], s.v_range[a, 1], s.v_range[a, 2], s.v_range[a, 3] = vmin, vmax, rmin, rmax
        for d in range(nb_):
            v = values[a, d]
            s.hist_v[a, min(max(int((v - lo) * scale), 0), bins - 1)] += 1
            s.hist_r[a, min(max(int((best[d] - v) * scale), 0), bins - 1)] += 1

        # Ranks: rank = 1 + the number strictly better; a tie shares the tied ranks equally.
        # Untied draws are counted per rank (an integer scatter), tied ones (rare) shared.
        for k in range(n_a):
            at_rank[k] = 0
        for d in range(nb_):
            above, ties = better[a, d], tied[a, d]
            if ties == 1:
                at_rank[above] += 1
            else:
                share = 1.0 / ties
                for k in range(above, above + ties):
                    s.rank[a, k] += share
                    s.rank_sq[a, k] += share * share
        for k in range(n_a):
            s.rank[a, k] += at_rank[k]
            s.rank_sq[a, k] += at_rank[k]

        blocked = 0
        for d in range(nb_):
            hard_no = n_hard_no[a, d]
            blocked += hard_no > 0
            if hard_no == 1:
                s.sole[a, last_no[a, d]] += 1
        s.blocked[a] += blocked
        for q in range(n_q):
            if m.alt_tv[a, q] == 0:
                continue  # the world's answer: from world_yes_v below
            count = 0
            sv = sv2 = 0.0
            for d in range(nb_):
                said_no = no[a, q, d]
                v = values[a, d]
                count += said_no
                sv += v if said_no else 0.0
                sv2 += v * v if said_no else 0.0
            s.no[a, q] += count
            s.no_v[a, q] += sv
            s.no_v2[a, q] += sv2
    for q in range(n_q):
        count = 0
        for d in range(nb_):
            yes = lat[q, d] < thr[0, q, d]
            count += yes
            mask[d] = 1.0 if yes else 0.0
        s.world_yes[q] += count
        for a in range(n_a):
            sv = sv2 = 0.0
            for d in range(nb_):
                v = mask[d] * values[a, d]
                sv += v
                sv2 += v * values[a, d]
            s.world_yes_v[q, a] += sv
            if m.alt_tv[a, q] == 0:
                s.no[a, q] += nb_ - count
                s.no_v[a, q] += moments[a, 0] - sv
                s.no_v2[a, q] += moments[a, 1] - sv2
    for i in range(m.var_q.shape[0]):  # (precondition, variant) pairs: variant 0 has no entries
        q, v = m.var_q[i], m.pair_v[i]
        for d in range(nb_):
            mask[d] = 1.0 if lat[q, d] < thr[v, q, d] else 0.0
        for a in range(n_a):
            sv = 0.0
            for d in range(nb_):
                sv += mask[d] * values[a, d]
            s.pair_yes_v[i, a] += sv
    # The run's first draws, kept whole: the EVPPI's per-draw influence is estimated on them.
    if keep_v.shape[0] > 0:
        for d in range(nb_):
            for a in range(n_a):
                keep_v[at + d, a] = values[a, d]
            for q in range(n_q):
                keep_yes[at + d, q] = lat[q, d] < thr[0, q, d]
            for i in range(m.var_q.shape[0]):
                q, v = m.var_q[i], m.pair_v[i]
                keep_yes[at + d, n_q + i] = lat[q, d] < thr[v, q, d]


@nb.njit(**KERNEL)
def _confidence(nb_, vcell, penalty, central, defined, totals, cf):
    """Confidence factors: is each alternative best with the weights fixed at its central weights?

    ``cf[a, 0]`` sums the share of best (ties split), ``cf[a, 1]`` its square, ``cf[0, 2]`` draws.
    """
    n_a, n_c = vcell.shape[0], vcell.shape[1]
    for d in range(nb_):
        for k in range(n_a):
            if not defined[k]:
                continue
            for a in range(n_a):
                total = -penalty[a, d]
                for c in range(n_c):
                    total += central[k, c] * vcell[a, c, d]
                totals[a] = total
            better = 0
            tied = 0
            for a in range(n_a):
                better += totals[a] > totals[k]
                tied += totals[a] == totals[k]
            if better == 0:
                share = 1.0 / tied
                cf[k, 0] += share
                cf[k, 1] += share * share
        cf[0, 2] += 1.0


@nb.njit(**KERNEL)
def run_chunk(n, offset, qmc, ubuf, state, aux, chain, slack, m, s, t, confidence, central, defined, cf, keep_v,
              keep_yes):
    """``n`` draws of one block, starting at draw ``offset`` of the block.

    Uniforms come from the block's SFC64 lanes ``state`` (plain Monte Carlo) or from ``ubuf``, the
    Sobol' points as (slot, draw) (QMC). Hit-and-run weights advance ``chain``/``slack`` on the
    auxiliary stream ``aux``. The main pass adds to the sums ``s``; with ``confidence`` the draws
    add to the confidence-factor sums ``cf`` instead (weights fixed at ``central`` where
    ``defined``), and no weights are drawn. ``keep_v`` (draw, a) and ``keep_yes`` (draw, q + pair)
    get each draw's values and answers where they have rows (the block's, indexed from its start).
    """
    for start in range(0, n, SUB_BLOCK):
        nb_ = min(SUB_BLOCK, n - start)
        u = t.u  # one array type for every stage: a slice of ubuf would compile them all for strided input
        if qmc:
            for k in range(m.n_head):
                for d in range(nb_):
                    u[k, d] = ubuf[k, start + d]
        else:
            _uniforms(state, u, m.n_head)
        if not confidence:
            _weights(m, u, nb_, offset + start, t.w, t.w_tmp, chain, slack, aux, t.chain_scratch)
        _world(m, u, nb_, t.p, t.thr, t.lat, t.normals, t.z, t.tail, t.tail_p, t.tail_x)
        _answers(m, nb_, t.thr, t.lat, t.no, t.n_hard_no, t.last_no, t.penalty, t.go, t.pen_best)
        has_strategy = m.st_comp.shape[0] > 0
        if has_strategy:
            _strategy_viability(m, nb_, t.no, t.st_fail)
        _start_values(nb_, t.w, t.wt, t.penalty, t.values)
        _outcomes(m, qmc, ubuf, start, state, t.rows, nb_, t.n_hard_no, t.idx, t.ok, t.ug, t.ends, t.ti, t.tf,
                  t.x, t.xv, t.wt, t.values, confidence, t.vcell, t.st_fail, t.xp, t.xf, t.bx, t.bxv, t.cv, t.cv2)
        if has_strategy:
            _strategy_outcomes(m, nb_, t.st_fail, t.xp, t.xf, t.wt, t.values, confidence, t.vcell, t.cv, t.cv2)
        if confidence:
            _confidence(nb_, t.vcell, t.penalty, central, defined, t.totals, cf)
        else:
            _accumulate(m, s, nb_, t.w, t.values, t.thr, t.lat, t.no, t.n_hard_no, t.last_no, t.best, t.better,
                        t.tied, t.top, t.at_rank, t.moments, t.penalty, t.cv, t.cv2, keep_v, keep_yes, offset + start,
                        t.mask)
