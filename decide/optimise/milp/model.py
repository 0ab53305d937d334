"""The strategy MILP's formulation, built as arrays (:func:`strategy_spec`).

The same sample-average problem :mod:`decide.optimise.enumeration` solves by enumeration, written
for HiGHS so that cases with too many feasible strategies to list can still be optimised (with a
time limit and the optimality gap reported). Measured background: ``notes/pyomo-highs.md`` §3.

Formulation ("pattern": no scenario binaries for preconditions)
---------------------------------------------------------------
``x_k`` in {0, 1}: option k is pursued. Whether option j is viable in scenario s depends only on
which of the options that enable j's required preconditions are pursued (``E_j``), so over
subsets ``T`` of ``E_j`` it is a multilinear polynomial with scenario coefficients,
``v_js = sum_T b_Tjs prod_{k in T} x_k`` (Moebius transform of the 2^|E_j| viability patterns,
each computed with :func:`decide.compile.apply_enablers`). Products of option binaries are
continuous ``lam_R`` with ``lam <= x_k`` and ``lam >= sum x_k - |R| + 1``: exact at integer x,
with one variable per product and none per scenario. Products are simplified before a variable is
made: an option a member depends on is implied by it, options that exclude each other give 0,
demanded options are 1. Where more than :data:`PATTERN_LIMIT` options enable j's requirements
(phase two of a plan many options prepare), the product over its requirements' answers ``h_qs``
(each still a polynomial in q's few enabling options) is a continuous ``y_s = x_i AND h_1s AND
...`` per scenario, and only where the draws leave some answer open. There, an answer of a
precondition that more than two options enable, where it is a threshold on one score of them
(log odds ratios, or amounts), is one binary per level of that score that some scenario
needs rather than its 2^n-term polynomial (:func:`~decide.optimise.milp.spec.threshold_levels`).

The outcome on criterion c in scenario s is then affine in x and lam::

    e_cs = B_cs + sum_i sum_j mu_ij x_i [(F_jcs - B_cs) + v_js (P_jcs - F_jcs)]

(see :mod:`decide.optimise.evaluator` for why). An option j with ``S_j > 1`` stages fails at the
first stage whose question says no, and its bracket telescopes over the stages::

    (F^0_jcs - B_cs) + sum_{k < S_j - 1} p_jks (F^{k+1}_jcs - F^k_jcs) + p_j,S_j-1,s (P_jcs - F^{S_j-1}_jcs)

where ``p_jks`` says that every requirement of j's smallest strategy checked at stages ``0..k``
holds (j's dependencies' requirements at stage 0; ``p_j,S_j-1`` is ``v_j``). Each ``p_jk`` is a
viability over a subset of the requirements, written exactly like ``v_j`` (Moebius polynomial
over the options enabling that subset, or ``y`` variables per scenario beyond
:data:`PATTERN_LIMIT`); the terms of different stages on the same product of options share its
column (their coefficients are summed). For ``S_j = 1`` this is the bracket above. Soft
penalties keep ``v_j`` (they are charged where every stage holds). Its value, capped at the scale's ends and mapped
through the value function, is piecewise linear in e. Over the range ``[lo_cs, hi_cs]`` that e can
take (bounded option by option over its viability patterns -- for an option with stages, over
the outcomes the bounds on each ``p_jk`` leave possible -- then by a fractional knapsack per
budget), the function is

* one piece: substituted into the objective (no variable);
* concave (e.g. only the top of the scale can be reached): one variable ``v`` below each piece;
* with convex kinks (the floor of the scale, or a convex value function): incremental pieces
  ``delta`` plus one binary per convex kink inside ``[lo, hi]`` -- binaries only where the bounds
  say a floor can bind.

Each soft requirement costs, in each scenario where q says no, ``max pen_iq`` over the pursued
options i that go ahead there (their hard requirements hold): ``t >= pen_iq (x_i AND h_p... AND
NOT h_q)`` linearised from below (the cost is minimised, so the lower bound is exact at integer
x), one ``t`` per group of scenarios with the same answer patterns (see
:func:`decide.optimise.milp.terms.penalty_terms`).

The objective, with ``value_p(x)`` the sample-average value under profile p (affine in the
columns): expected, ``max value_p(x)``; maximin, over the profiles, of the gain over doing
nothing, ``max t`` with ``t <= value_p(x) - value_p(empty)`` for every p (doing nothing's value
is a constant per profile on the scenarios, so each profile's row only shifts); minimax regret,
``min r`` with ``r >= best_p - value_p(x)``, each profile's ``best_p`` from its own solve first.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from decide.model.strategies import StrategySpace
from decide.optimise.evaluator import Draws, strategy_draws
from decide.optimise.milp.spec import (
    INF,
    ZERO,
    Holds,
    Polynomials,
    Spec,
    enabling_options,
    mobius_coefficients,
    restrict,
    subsets,
    threshold_levels,
)
from decide.optimise.milp.terms import knapsack_bound, penalty_terms, value_pieces
from decide.optimise.scenarios import Scenarios

__all__ = ["PATTERN_LIMIT", "strategy_spec"]

PATTERN_LIMIT = 4
"""Most options enabling one option's requirements for its viability to be written as patterns
(no variable per scenario); beyond, one variable per scenario where the answers are open."""


def strategy_spec(space: StrategySpace, scenarios: Scenarios, weights: NDArray[np.float64],
                   forced: NDArray[np.bool_], banned: NDArray[np.bool_]) -> tuple[Spec, Polynomials]:
    """The MILP as arrays (no Pyomo): rules, outcome rows, value pieces, penalties, objectives."""
    draws = strategy_draws(space, scenarios)
    n_o = space.n_options
    n_c, n_s = draws.base.shape
    spec = Spec()
    poly = Polynomials(spec, space, forced, banned)
    holds = Holds(space, draws, forced)
    live = ~poly.dead

    # The rules binding options.
    for r in np.flatnonzero(np.isfinite(space.budgets)):
        terms = {int(poly.x[k]): float(space.uses[k, r]) for k in np.flatnonzero(live & (space.uses[:, r] > 0))}
        if terms:
            spec.add_row("budget", terms, 0.0, -INF, float(space.budgets[r]))
    direct = space.closure & ~np.eye(n_o, dtype=bool)
    direct &= ~((direct.astype(np.int64) @ direct.astype(np.int64)) > 0)  # transitive reduction
    for i, j in zip(*np.nonzero(direct)):
        if live[i] and not forced[i]:
            spec.add_row("dependency", {int(poly.x[i]): 1.0, int(poly.x[j]): -1.0}, 0.0, -INF, 0.0)
    for i, j in zip(*np.nonzero(np.triu(space.excludes))):
        if live[i] and live[j]:
            spec.add_row("exclusion", {int(poly.x[i]): 1.0, int(poly.x[j]): 1.0}, 0.0, -INF, 1.0)

    n_cs = n_c * n_s
    # Answers of precondition q: its enabling options, per pattern of them the answers (pattern,
    # draw), and their Moebius coefficients (h_q = sum_T b_T prod_{k in T} x_k).
    answers: dict[int, tuple[list[int], NDArray[np.float64], NDArray[np.float64]]] = {}

    def answer(q: int):
        if q not in answers:
            options = enabling_options(space, np.eye(space.hard.shape[1], dtype=bool)[q], forced | poly.dead)
            patterns = holds.answers(q, options)
            answers[q] = (options, patterns, mobius_coefficients(patterns))
        return answers[q]

    # Answers of precondition q as binaries on levels of one score of its enabling options, where
    # they are a threshold on it and more than two options enable q (else the polynomial).
    levels: dict[int, NDArray[np.intp] | None] = {}

    def level(q: int):
        if q not in levels:
            options, patterns, _ = answer(q)
            levels[q] = threshold_levels(spec, poly, space, q, options, patterns) if len(options) > 2 else None
        return levels[q]

    # Viability of option j's smallest strategy, as patterns when few options enable its
    # requirements.
    viability: dict[int, tuple[list[int], NDArray[np.float64], NDArray[np.float64]]] = {}

    def viable(j: int):
        if j not in viability:
            options = sorted(set().union(*(answer(q)[0] for q in np.flatnonzero(space.hard[j]))))
            patterns = np.array([np.all(holds(u)[:, space.hard[j]], axis=1) for u in subsets(options)], dtype=float)
            viability[j] = (options, patterns, mobius_coefficients(patterns))
        return viability[j]

    def enabling_of(j: int) -> list[int]:
        return sorted(set().union(*(answer(q)[0] for q in np.flatnonzero(space.hard[j]))))

    # Stages: pass_jk, every requirement of j's smallest strategy checked at stages 0..k holds --
    # a viability over a subset of the requirements, as patterns when few options enable them.
    stage_count = space.stage_count
    prefixes: dict[tuple[int, int], tuple[list[int], NDArray[np.float64], NDArray[np.float64]]] = {}

    def prefix_required(j: int, k: int) -> NDArray[np.bool_]:
        return space.hard[j] & (space.stage[j] <= k)

    def prefix_enabling(j: int, k: int) -> list[int]:
        return sorted(set().union(*(answer(q)[0] for q in np.flatnonzero(prefix_required(j, k)))))

    def prefix(j: int, k: int):
        if (j, k) not in prefixes:
            options, required = prefix_enabling(j, k), prefix_required(j, k)
            if len(options) > PATTERN_LIMIT:  # written per scenario instead (_viability_rows)
                prefixes[j, k] = (options, None, None)
            else:
                patterns = np.array([np.all(holds(u)[:, required], axis=1) for u in subsets(options)], dtype=float)
                prefixes[j, k] = (options, patterns, mobius_coefficients(patterns))
        return prefixes[j, k]

    # Outcome e = constant + matrix @ columns, entries (flat criterion * draw index, column, value);
    # bounds lo <= e <= hi over every strategy, option by option.
    entries: list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]] = []
    constant = draws.base.ravel().copy()
    lo, hi = constant.copy(), constant.copy()
    everywhere = np.arange(n_cs)

    def add(col: int | None, values: NDArray[np.float64], where: NDArray[np.intp] = everywhere) -> None:
        if col is None:
            return
        if col == -1:
            constant[where] += values
        else:
            keep = np.abs(values) > ZERO
            entries.append((where[keep], np.full(int(keep.sum()), col, dtype=np.intp), values[keep]))

    gains = np.zeros((n_o, n_cs))   # most option i can raise e (free options)
    losses = np.zeros((n_o, n_cs))  # most it can lower e
    for i in np.flatnonzero(live):
        related = np.flatnonzero(space.mobius[i])
        union = sorted(set().union(*(enabling_of(j) for j in related)))
        if len(union) <= PATTERN_LIMIT:
            # Exact bounds: option i's contribution under every pattern of the options enabling it.
            masks = np.arange(1 << len(union))
            contribution = np.zeros((len(masks), n_cs))
        else:
            contribution = np.zeros((2, n_cs))  # [lowest, highest], requirement by requirement
        for j in related:
            mu = float(space.mobius[i, j])
            if stage_count[j] > 1:
                contribution += _staged_terms(
                    i, j, mu, int(stage_count[j]), union if len(union) <= PATTERN_LIMIT else None,
                    draws, poly, prefix, prefix_required, add,
                    lambda values, required, i=i, j=j, mu=mu: _viability_rows(
                        spec, poly, space, i, j, mu, values, answer, add, n_c, n_s, required=required,
                        level=level))
                continue
            fixed = (draws.failure[j] - draws.base).ravel()
            swing = (draws.planned[j] - draws.failure[j]).ravel()
            add(poly.column([i]), mu * fixed)
            if len(enabling_of(j)) <= PATTERN_LIMIT:
                options, patterns, b = viable(j)
                for mask, subset in enumerate(subsets(options)):
                    if np.any(np.abs(b[mask]) > ZERO):
                        add(poly.column(subset + [i]), mu * np.tile(b[mask], n_c) * swing)
                if len(union) <= PATTERN_LIMIT:
                    held = patterns[restrict(masks, union, options)]  # (pattern of union, draw)
                    contribution += mu * (fixed[None] + np.tile(held, (1, n_c)) * swing[None])
                    continue
                low, high = patterns.min(axis=0), patterns.max(axis=0)
            else:
                low, high = _viability_rows(spec, poly, space, i, j, mu, swing, answer, add, n_c, n_s, level=level)
            ends = mu * (fixed[None] + np.tile(np.array([low, high]), (1, n_c)) * swing[None])
            contribution[0] += ends.min(axis=0)
            contribution[1] += ends.max(axis=0)
        if forced[i]:
            lo += contribution.min(axis=0)
            hi += contribution.max(axis=0)
        else:
            losses[i] = np.maximum(-contribution.min(axis=0), 0.0)
            gains[i] = np.maximum(contribution.max(axis=0), 0.0)
    free = live & ~forced
    room = space.budgets - forced.astype(float) @ space.uses
    lo -= knapsack_bound(losses[free], space.uses[free], room)
    hi += knapsack_bound(gains[free], space.uses[free], room)
    rows_idx = np.concatenate([e[0] for e in entries]) if entries else np.zeros(0, np.intp)
    cols_idx = np.concatenate([e[1] for e in entries]) if entries else np.zeros(0, np.intp)
    vals = np.concatenate([e[2] for e in entries]) if entries else np.zeros(0)
    matrix = sp.csr_array((vals, (rows_idx, cols_idx)), shape=(n_cs, spec.n_cols))
    matrix.sum_duplicates()

    value_terms, value_constant = value_pieces(spec, space, matrix, constant, lo, hi, n_c, n_s)
    best_reachable = np.array([_best_on_range(space, c, lo[c * n_s:(c + 1) * n_s], hi[c * n_s:(c + 1) * n_s]).mean()
                               for c in range(n_c)])
    penalty_cols = penalty_terms(spec, space, poly, answer, n_s)
    poly.link()

    G = np.zeros((n_c, spec.n_cols))
    for c, cols, vals in value_terms:
        np.add.at(G[c], cols, vals)
    for col, share, criteria in penalty_cols:
        # A soft loss on criteria counts as their weights do (a flat penalty: on every criterion).
        G[criteria, col] -= share
    objective = weights @ G
    spec.objective, spec.constant = objective, weights @ value_constant
    spec.ceiling = weights @ best_reachable
    return spec, poly


def _best_on_range(space: StrategySpace, c: int, lo: NDArray[np.float64],
                   hi: NDArray[np.float64]) -> NDArray[np.float64]:
    """Highest value criterion c's value function reaches on each interval [lo, hi]."""
    k = int(space.n_points[c])
    xs, vs = space.value_x[c, :k], space.value_v[c, :k]
    best = np.maximum(np.interp(lo, xs, vs), np.interp(hi, xs, vs))
    for x, v in zip(xs, vs):
        best = np.where((lo <= x) & (x <= hi), np.maximum(best, v), best)
    return best


def _viability_rows(spec: Spec, poly: Polynomials, space: StrategySpace, i: int, j: int, mu: float,
                    swing: NDArray[np.float64], answer, add, n_c: int, n_s: int,
                    required: NDArray[np.bool_] | None = None, level=None):
    """``x_i * v_j`` per scenario when many options enable j's requirements.

    ``v_j`` is the product of its requirements' answers ``h_q`` (each a polynomial in the few
    options enabling q). Where every answer is settled by the draws the product is a constant;
    elsewhere a variable ``y = x_i AND (every unsettled h_q)``: ``y <= x_i``, ``y <= h_q``,
    ``y >= x_i + sum h_q - (count - 1)``. The term added is ``mu * y * swing``. ``required``
    (default: every hard requirement of j's smallest strategy) takes a subset instead: the
    requirements of an option's first stages (``pass_jk``). ``level(q)``, where it gives columns, writes
    ``h_q`` as one binary per scenario (:func:`~decide.optimise.milp.spec.threshold_levels`).
    Returns the lowest and highest possible ``v_j`` per draw.
    """
    required = space.hard[j] if required is None else required
    questions = np.flatnonzero(required)
    requirements = [answer(q) for q in questions]
    settled = [np.all(p == p[:1], axis=0) for _, p, _ in requirements]
    never = np.zeros(n_s, dtype=bool)
    for (_, p, _), fixed in zip(requirements, settled):
        never |= fixed & (p[0] == 0)
    open_ = [~fixed for fixed in settled]
    variable = ~never & np.any(open_, axis=0) if requirements else np.zeros(n_s, dtype=bool)
    always = ~never & ~variable
    x_i = poly.column([i])
    flat = np.arange(n_c)[:, None] * n_s
    # Settled yes everywhere: the option's planned outcome, as a term in x_i.
    where = (flat + np.flatnonzero(always)[None, :]).ravel()
    add(x_i, mu * swing[where], where)
    for s in np.flatnonzero(variable):
        y = int(spec.add_cols("y", 0.0, 1.0, False)[0])
        add(y, mu * swing[flat[:, 0] + s], flat[:, 0] + s)
        lower_terms: dict[int, float] = {y: 1.0}
        lower_constant = 0.0
        if x_i == -1:
            lower_constant -= 1.0
        else:
            spec.add_row("viable_le_x", {y: 1.0, x_i: -1.0}, 0.0, -INF, 0.0)
            lower_terms[x_i] = -1.0
        count = 1
        for q, (options, _, b), is_open in zip(questions, requirements, open_):
            if not is_open[s]:
                continue
            count += 1
            terms: dict[int, float] = {}
            h_constant = 0.0
            columns = None if level is None else level(int(q))
            if columns is not None:
                terms[int(columns[s])] = 1.0
            for mask, subset in enumerate(subsets(options) if columns is None else ()):
                coef = float(b[mask, s])
                if abs(coef) <= ZERO:
                    continue
                col = poly.column(subset)
                if col == -1:
                    h_constant += coef
                elif col is not None:
                    terms[col] = terms.get(col, 0.0) + coef
            # y <= h_q
            spec.add_row("viable_le_answer", {y: 1.0} | {c: -v for c, v in terms.items()}, -h_constant, -INF, 0.0)
            for c, v in terms.items():
                lower_terms[c] = lower_terms.get(c, 0.0) - v
            lower_constant -= h_constant
        # y >= x_i + sum h_q - (count - 1)
        spec.add_row("viable_ge", lower_terms, lower_constant, -(count - 1.0), INF)
    low = np.where(always, 1.0, 0.0)
    high = np.where(never, 0.0, 1.0)
    return low, high


def _staged_terms(i: int, j: int, mu: float, n_stages: int, union: list[int] | None, draws: Draws,
                  poly: Polynomials, prefix, prefix_required, add, rows) -> NDArray[np.float64]:
    """Option i's terms for ``mu * (O_j - B)`` where option j has stages, and their bounds.

    Telescoping over the stages (``pass_k`` = every requirement checked at stages 0..k holds)::

        O_j - B = (F^0 - B) + sum_{k < S-1} pass_k (F^{k+1} - F^k) + pass_{S-1} (P - F^{S-1})

    Each ``x_i pass_k`` is written like a viability: as patterns (Moebius coefficients over the
    options enabling the stage prefix's requirements) when they are at most
    :data:`PATTERN_LIMIT`, else with ``rows(values, required)`` (:func:`_viability_rows`). Terms
    of different stages on the same product of options land in the same column and are summed
    when the matrix is assembled.

    Returns the term's range per (criterion * draw): ``(pattern of union, n_cs)`` exact values
    when ``union`` (the options enabling option i's related requirements) is given, else
    ``(2, n_cs)`` lowest and highest: over the outcomes the bounds on each ``pass_k`` leave
    possible (failing first at stage k needs ``pass_{k-1}`` possibly 1 and ``pass_k`` possibly 0).
    """
    n_c, n_s = draws.base.shape
    fails = [draws.failure_at(k)[j] for k in range(n_stages)]  # (criterion, draw)
    steps = [(fails[k + 1] - fails[k]).ravel() for k in range(n_stages - 1)]
    steps.append((draws.planned[j] - fails[-1]).ravel())
    fixed = (fails[0] - draws.base).ravel()
    add(poly.column([i]), mu * fixed)
    lows, highs = [], []
    total = None
    if union is not None:
        masks = np.arange(1 << len(union))
        total = np.broadcast_to(fixed, (len(masks), len(fixed))).copy()
    for k, values in enumerate(steps):
        options, patterns, b = prefix(j, k)
        if len(options) <= PATTERN_LIMIT:
            for mask, subset in enumerate(subsets(options)):
                if np.any(np.abs(b[mask]) > ZERO):
                    add(poly.column(subset + [i]), mu * np.tile(b[mask], n_c) * values)
            if total is not None:
                held = patterns[restrict(masks, union, options)]  # (pattern of union, draw)
                total += np.tile(held, (1, n_c)) * values[None]
            lows.append(patterns.min(axis=0))
            highs.append(patterns.max(axis=0))
        else:
            low, high = rows(values, prefix_required(j, k))
            lows.append(low)
            highs.append(high)
    if total is not None:
        return mu * total
    low_end = np.full(n_c * n_s, INF)
    high_end = np.full(n_c * n_s, -INF)
    reach = np.ones(n_s, dtype=bool)  # pass_{k-1} may hold
    for k in range(n_stages):
        here = np.tile(reach & (lows[k] < 0.5), n_c)  # the first no may be at stage k
        value = mu * (fails[k] - draws.base).ravel()
        low_end = np.where(here, np.minimum(low_end, value), low_end)
        high_end = np.where(here, np.maximum(high_end, value), high_end)
        reach = highs[k] > 0.5
    here = np.tile(reach, n_c)  # every stage may hold
    value = mu * (draws.planned[j] - draws.base).ravel()
    low_end = np.where(here, np.minimum(low_end, value), low_end)
    high_end = np.where(here, np.maximum(high_end, value), high_end)
    return np.array([low_end, high_end])
