"""A case compiled for the kernel: :class:`Model`, the flat arrays every stage reads.

The kernel evaluates *alternatives*, each a row of the model (its enabler variant, hard
requirements, penalties); ranking and accumulation see only the alternatives' values. The first
``n_opt`` rows are the options, each as its smallest strategy, with outcome cells; an optional
last row is a strategy (``simulate(..., strategy=...)``), whose criterion values the outcome stage
assembles from its components' drawn outcomes (no uniforms of its own).

A cell's planned outcome and its failure profile read the same uniform: only one of them is an
option's outcome in any draw, so every option's outcomes are distributed exactly as with separate
uniforms, and the draw needs fewer of them. (A strategy that includes the option, evaluated
alongside it, sees the cell's planned and failed outcomes on the same uniform: common random
numbers between alternatives, which leave each alternative's distribution unchanged.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.mcda.value import criterion_values
from decide.montecarlo.beta import DENSE_INTERVALS, BetaTables
from decide.montecarlo.distributions import PERT, POINT, cell_tables
from decide.montecarlo.weight_sampling import WeightSampler
from decide.montecarlo.world import copula_factor, probability_tables

__all__ = ["Model", "build_model", "FROM_BASELINE", "HISTOGRAM_BINS"]

FROM_BASELINE = 100
"""Kind of a failure cell its profile does not list: the baseline option's own outcome in the same
draw (DESIGN: a failed option keeps the world as the baseline leaves it), drawn no uniform."""
HISTOGRAM_BINS = 4096
"""Bins of the per-option value and regret histograms behind percentiles."""


class Model(NamedTuple):
    """Everything the kernel reads, as arrays. Axes: a = alternative, c = criterion, q = precondition."""

    n_slots: int
    """Uniforms per iteration (the QMC dimension)."""
    n_head: int
    """The first slots (weights, probabilities, latent answers), drawn at the start of a sub-block;
    the outcome cells' slots follow."""
    w_code: int
    """How a draw gets its weights: a code of :class:`~decide.montecarlo.weight_sampling.WeightSampler`."""
    w_slot: int
    """The first of the weights' slots (0: weights take the first dimensions, which matter most in QMC)."""
    w_fixed: NDArray[np.float64]
    """(c,): the fixed weights (code 0; a block's scratch weights start as these)."""
    w_profiles: NDArray[np.float64]
    """(profile, c): the stakeholder profiles' weights (code 3)."""
    w_order: NDArray[np.intp]
    """(c,): the criteria from the largest weight to the smallest (code 2, a total order)."""
    chain_g: NDArray[np.float64]
    """(row, c): hit-and-run's polytope ``G w <= h`` (code 4)."""
    chain_h: NDArray[np.float64]
    """(row,): and its ``h``."""
    chain_start: NDArray[np.float64]
    """(c,): the polytope's Chebyshev centre, where every block's chain starts."""
    chain_burn_in: int
    """Hit-and-run steps before a block's first draw."""
    chain_thinning: int
    """Hit-and-run steps between draws."""
    p_kind: NDArray[np.int8]
    """(q,): how the probability of yes is given: point, interval or Beta (``decide.compile.PROB_*``)."""
    p_par: NDArray[np.float64]
    """(q, 2): its parameters (:func:`~decide.montecarlo.world.probability_tables`)."""
    p_slot: NDArray[np.int64]
    """(q,): the slot of its uniform (-1: a point, drawn no uniform)."""
    tables: NDArray[np.float64]
    """Hermite Beta inverse-CDF tables (:meth:`~decide.montecarlo.beta.BetaTables.stack`): the kernel reads the
    Beta probabilities' rows."""
    dense: NDArray[np.float64]
    """Dense Beta inverse-CDF tables (PERT scores), rows as ``tables``, flattened: entry ``(r, i, k)``
    of :meth:`BetaTables.dense` at ``(r * DENSE_INTERVALS + i) * 2 + k``."""
    dense_ends: NDArray[np.float64]
    """Their end tables (:meth:`BetaTables.dense_ends`), flattened."""
    lat_slot: int
    """The slot of the first precondition's latent uniform; the others follow, in case order."""
    corr_index: NDArray[np.intp]
    """(k,): the correlated preconditions (the copula acts on them only)."""
    corr_factor: NDArray[np.float64]
    """(k, k): a factor ``L`` of their correlation matrix, ``L L' = R``."""
    corr_lower: bool
    """True when the factor is lower-triangular (the semi-definite Cholesky; else an eigen factor)."""
    var_start: NDArray[np.int64]
    """(variant + 1,) offsets into ``var_enablers``; variant 0 is "no enablers" (the world's answer)."""
    var_enablers: NDArray[np.int64]
    """Per variant (offsets ``var_start``), its enablers, in case-file order."""
    en_prec: NDArray[np.int64]
    """(enabler,): the precondition it acts on."""
    en_kind: NDArray[np.int8]
    """(enabler,): how it acts (``decide.compile.ENABLER_*``)."""
    en_amount: NDArray[np.float64]
    """(enabler,): by how much."""
    alt_tv: NDArray[np.int64]
    """(a, q): the variant whose threshold the alternative reads (0 where its enablers do not act)."""
    var_q_start: NDArray[np.int64]
    """(variant + 1,): offsets into ``var_q``."""
    var_q: NDArray[np.int64]
    """Per variant (offsets ``var_q_start``), the preconditions its enablers act on."""
    pair_v: NDArray[np.int64]
    """(pair,) the variant of each entry of ``var_q``: a (precondition, variant) pair is the answer
    under some option's enablers, which the EVPPI may turn on."""
    alt_hard: NDArray[np.bool_]
    """(a, q): the alternative's hard requirements (its members')."""
    alt_pen: NDArray[np.float64]
    """(a, q): the largest loss, on any criterion, of a soft requirement on q among the
    alternative's members (> 0: a soft "no" on q may cost something; bounds the values)."""
    row_mem_start: NDArray[np.int64]
    """(a + 1,): offsets into ``row_mem``."""
    row_mem: NDArray[np.int64]
    """Per alternative (offsets ``row_mem_start``), its member options: an option's smallest
    strategy (itself and what it depends on), or the strategy's options."""
    mem_hard: NDArray[np.bool_]
    """(option, q): the hard requirements of the option's smallest strategy: it goes ahead where
    they all say yes (under the enablers of the alternative it is a member of)."""
    alt_soft: NDArray[np.bool_]
    """(a,): the alternative has a soft requirement (its soft losses are computed)."""
    mem_loss: NDArray[np.float64]
    """(option, q, c): the value the option loses on each criterion when its soft requirement on
    q says no (``CaseArrays.soft_loss``)."""
    alt_can_fail: NDArray[np.bool_]
    """(a,): the alternative has a hard requirement (its failure outcomes are drawn)."""
    alt_stage: NDArray[np.int64]
    """(a, q): the stage of each hard requirement (``CaseArrays.eval_stage``; 0 without stages): the
    first stage with a "no" decides which failure profile an option scores."""
    alt_n_fail: NDArray[np.int64]
    """(a,): the failure profiles the alternative can score (its stages; 0 where it cannot fail)."""
    cell_kind: NDArray[np.int8]
    """(outcome, a, c): outcome 0 the planned outcome, outcome ``1 + k`` the failure profile of stage k."""
    cell_par: NDArray[np.float64]
    """(outcome, a, c, 8); for point cells ``[..., 7]`` holds the outcome's value (no value function at run time)."""
    cell_cum: NDArray[np.float64]
    """(outcome, a, c, value): a discrete cell's cumulative probabilities (padded)."""
    cell_val: NDArray[np.float64]
    """(outcome, a, c, value): and its values."""
    cell_slot: NDArray[np.int64]
    """(a, c): the cell's uniform, shared by its planned outcome and its failure profiles (-1: none)."""
    cm_slot: NDArray[np.int64]
    """(c,): the head slot of the criterion's common judgement error (-1: independent errors)."""
    cm_rho: NDArray[np.float64]
    """(c,): its weight: a cell's uniform becomes ``Phi(sqrt(rho) z_c + sqrt(1 - rho) Phi^-1(u))``."""
    alt_order: NDArray[np.int64]
    """Options in the order of their cells' slots: the baseline first (its outcomes are the failed
    options' outcomes on the criteria their failure profiles do not list), then by id."""
    baseline: int
    """The baseline option's row (-1: none)."""
    vf_x: NDArray[np.float64]
    """(c, point): the value functions' points (outcomes)."""
    vf_v: NDArray[np.float64]
    """(c, point): their values."""
    vf_slope: NDArray[np.float64]
    """(c, point): the slope of each segment (0 past the last point)."""
    vf_n: NDArray[np.int64]
    """(c,): the points in use (distinct outcomes)."""
    hist_lo: NDArray[np.float64]
    """(a,): the lower end of the value histogram: minus the alternative's total penalty (values lie in
    [hist_lo, 1])."""
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
    st_stage: NDArray[np.int64]
    """(k, q): their stages (``alt_stage`` of the component's row)."""
    comp_of: NDArray[np.int64]
    """(option,): the option's component index, -1 if not a component."""
    scale_low: NDArray[np.float64]
    """(c,): the scale's low end (a strategy's outcome is capped to the scale)."""
    scale_high: NDArray[np.float64]
    """(c,): and its high end."""


def build_model(arrays: CaseArrays, sampler: WeightSampler, strategy: NDArray[np.bool_] | None = None) -> Model:
    """Alternatives = options, each as its smallest strategy (own enablers, dependencies' requirements),
    then, if ``strategy`` (a 0/1 vector over the options, dependency-closed, baseline excluded) is
    given, that strategy as one more alternative (the strategies engine's semantics: see
    :mod:`decide.optimise.evaluator`). The strategy draws no uniforms of its own: it assembles its
    options' and the baseline's drawn outcomes, so it shares every draw with the option rows."""
    n_o, n_c, n_q = arrays.n_options, arrays.n_criteria, arrays.n_preconditions
    n_e = len(arrays.enabler_option)
    active = np.asarray(arrays.eval_enablers, dtype=bool).reshape(n_o, n_e)
    alt_hard = np.ascontiguousarray(arrays.eval_hard, dtype=bool).reshape(n_o, n_q)
    alt_stage = np.where(alt_hard, np.asarray(arrays.eval_stage, dtype=np.int64).reshape(n_o, n_q), 0)
    member_pen = arrays.soft_loss.max(axis=2, initial=0.0)  # (option, q)
    alt_pen = np.max(np.where(arrays.closure[:, :, None], member_pen[None], 0.0), axis=1,
                     initial=0.0).reshape(n_o, n_q)
    st_comp = np.zeros(0, dtype=np.int64)
    st_coef = np.zeros(0)
    st_hard = np.zeros((0, n_q), dtype=bool)
    st_stage = np.zeros((0, n_q), dtype=np.int64)
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
        st_stage = alt_stage[comps].copy()
        if arrays.baseline is not None:
            st_hard[comps == arrays.baseline] = False  # the status quo is never pursued: never fails
        comp_of[comps] = np.arange(len(comps))
        active = np.vstack([active, x[arrays.enabler_option][None, :] if n_e else np.zeros((1, 0), bool)])
        alt_hard = np.vstack([alt_hard, (x.astype(np.int64) @ arrays.hard.astype(np.int64) > 0)[None, :]])
        alt_stage = np.vstack([alt_stage, np.zeros((1, n_q), dtype=np.int64)])  # its own outcome is assembled
        alt_pen = np.vstack([alt_pen, np.max(np.where(x[:, None], member_pen, 0.0), axis=0,
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
    cm_rho = np.ascontiguousarray(arrays.common_mode, dtype=float)
    cm_slot = np.full(n_c, -1, dtype=np.int64)
    for c in np.flatnonzero(cm_rho > 0):  # after every other head slot: cases without keep their stream
        cm_slot[c], slot = slot, slot + 1
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
    # Outcome 0 is the planned outcome, outcome 1 + k the failure profile of stage k.
    outcomes = [cell_tables(arrays.scores, tables)] + [cell_tables(f, tables) for f in arrays.failure_profiles]
    width = max(t.cum.shape[-1] for t in outcomes)

    def pad(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, width - x.shape[-1])], mode="edge")

    cell_kind = np.stack([t.kind for t in outcomes])
    cell_kind[1:][arrays.failure_profiles_baseline] = FROM_BASELINE
    cell_par = np.stack([t.params for t in outcomes])
    cell_slot = np.full((n_o, n_c), -1, dtype=np.int64)
    can_fail = alt_hard.any(axis=1)
    alt_n_fail = np.where(can_fail, 1 + np.max(np.where(alt_hard, alt_stage, 0), axis=1, initial=0), 0).astype(np.int64)
    n_head = slot
    # Slots in the order of the option ids, not of the case file: reordering the options of a
    # case then permutes the results exactly (each option keeps its uniforms). Failure outcomes
    # are drawn only for options that can fail (DESIGN: "draw failure outcomes only for options
    # that can fail"); a cell whose outcomes are all points takes no uniform.
    alt_order = np.array(sorted(range(n_o), key=lambda i: (i != arrays.baseline, arrays.option_ids[i])),
                         dtype=np.int64)
    for a in alt_order:
        for c in range(n_c):
            drawn = [cell_kind[f, a, c] not in (POINT, FROM_BASELINE) for f in range(1, 1 + alt_n_fail[a])]
            if cell_kind[0, a, c] != POINT or any(drawn):
                cell_slot[a, c], slot = slot, slot + 1

    vf_x, vf_v = np.asarray(arrays.value_x, dtype=float), np.asarray(arrays.value_v, dtype=float)
    vf_n = np.array([1 + int(np.count_nonzero(np.diff(row) > 0)) for row in vf_x], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        vf_slope = np.where(np.diff(vf_x, axis=1) > 0, np.diff(vf_v, axis=1) / np.diff(vf_x, axis=1), 0.0)
    vf_slope = np.ascontiguousarray(np.pad(vf_slope, [(0, 0), (0, 1)]))
    for f in range(len(outcomes)):
        points = cell_kind[f] == POINT
        values = criterion_values(cell_par[f, :, :, 0], vf_x, vf_v)
        cell_par[f, :, :, 7] = np.where(points, values, 0.0)

    # Values lie in [-total penalty, 1] (value functions in [0, 1], weights summing to 1: a soft
    # "no" costs at most its largest loss on one criterion).
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
        alt_hard=alt_hard, alt_pen=alt_pen, alt_soft=alt_pen.max(axis=1, initial=0.0) > 0.0, alt_can_fail=can_fail,
        alt_stage=np.ascontiguousarray(alt_stage),
        alt_n_fail=alt_n_fail, row_mem_start=row_mem_start, row_mem=row_mem,
        mem_hard=np.ascontiguousarray(arrays.eval_hard, dtype=np.bool_),
        mem_loss=np.ascontiguousarray(arrays.soft_loss, dtype=float).reshape(n_o, n_q, n_c),
        cell_kind=np.ascontiguousarray(cell_kind), cell_par=np.ascontiguousarray(cell_par),
        cell_cum=np.ascontiguousarray(np.stack([pad(t.cum) for t in outcomes])),
        cell_val=np.ascontiguousarray(np.stack([pad(t.values) for t in outcomes])),
        cell_slot=cell_slot, cm_slot=cm_slot, cm_rho=cm_rho, alt_order=alt_order, baseline=-1 if arrays.baseline is None else int(arrays.baseline),
        vf_x=np.ascontiguousarray(vf_x), vf_v=np.ascontiguousarray(vf_v),
        vf_slope=vf_slope, vf_n=vf_n, hist_lo=hist_lo, hist_scale=HISTOGRAM_BINS / span,
        n_opt=n_o, st_comp=st_comp, st_coef=st_coef, st_hard=np.ascontiguousarray(st_hard),
        st_stage=np.ascontiguousarray(st_stage), comp_of=comp_of,
        scale_low=np.ascontiguousarray(arrays.scale_low, dtype=float),
        scale_high=np.ascontiguousarray(arrays.scale_high, dtype=float),
    )
