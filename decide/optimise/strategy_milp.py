"""Strategy selection as a mixed-integer program (Pyomo, solved by HiGHS).

The same sample-average problem :mod:`decide.optimise.strategy` solves by enumeration, written
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
...`` per scenario, and only where the draws leave some answer open.

The outcome on criterion c in scenario s is then affine in x and lam::

    e_cs = B_cs + sum_i sum_j mu_ij x_i [(F_jcs - B_cs) + v_js (P_jcs - F_jcs)]

(see :mod:`decide.optimise.strategy` for why). An option j with ``S_j > 1`` stages fails at the
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
x), one ``t`` per group of scenarios with the same answer patterns (see :func:`_penalties`).

The objective, with ``value_p(x)`` the sample-average value under profile p (affine in the
columns): expected, ``max value_p(x)``; maximin, over the profiles, of the gain over doing
nothing, ``max t`` with ``t <= value_p(x) - value_p(empty)`` for every p (doing nothing's value
is a constant per profile on the scenarios, so each profile's row only shifts); minimax regret,
``min r`` with ``r >= best_p - value_p(x)``, each profile's ``best_p`` from its own solve first.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from decide.errors import DecideError, SolverError
from decide.optimise.scenarios import Scenarios
from decide.optimise.strategy import (
    StrategySpace,
    _as_space,
    _Draws,
    _draws,
    _forced_and_banned,
    _Found,
    _on_scenarios,
    _Target,
    _target,
    criterion_means,
    strategy_problems,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyomo.environ as pyo

__all__ = ["build_strategy_model", "solve_strategy_model", "solve_strategies", "MilpSolution", "MAX_ENABLING"]

logger = logging.getLogger(__name__)

MAX_ENABLING = 8
"""Most options enabling one precondition: 2^8 patterns of its answers."""

PATTERN_LIMIT = 4
"""Most options enabling one option's requirements for its viability to be written as patterns
(no variable per scenario); beyond, one variable per scenario where the answers are open."""

_ZERO = 1e-12  # coefficients below this are rounding noise of the Moebius sums
_KINK = 1e-12
INF = float("inf")


# --------------------------------------------------------------------------- the model as arrays


@dataclass
class _Spec:
    """A MILP as arrays: columns in named groups, rows in named blocks, one objective per profile."""

    col_lower: list[float] = field(default_factory=list)
    col_upper: list[float] = field(default_factory=list)
    col_integer: list[bool] = field(default_factory=list)
    groups: dict[str, list[int]] = field(default_factory=dict)
    """Column group (a Pyomo ``Var``) -> its columns, in index order."""
    blocks: dict[str, list] = field(default_factory=dict)
    objective: NDArray[np.float64] | None = None
    """(profile, column) objective coefficients (value per profile, before the target)."""
    constant: NDArray[np.float64] | None = None
    """(profile,) objective constants."""
    ceiling: NDArray[np.float64] | None = None
    """(profile,) a valid (loose) upper bound on each profile's value: every criterion at the best
    value its outcome range allows, no penalty."""

    @property
    def n_cols(self) -> int:
        return len(self.col_lower)

    @property
    def n_nonzeros(self) -> int:
        return sum(len(part[2]) for parts in self.blocks.values() for part in parts)

    def add_cols(self, group: str, lower, upper, integer: bool) -> NDArray[np.intp]:
        lower, upper = np.atleast_1d(np.asarray(lower, dtype=float)), np.atleast_1d(np.asarray(upper, dtype=float))
        n = max(len(lower), len(upper))
        start = self.n_cols
        self.col_lower.extend(np.broadcast_to(lower, n).tolist())
        self.col_upper.extend(np.broadcast_to(upper, n).tolist())
        self.col_integer.extend([integer] * n)
        self.groups.setdefault(group, []).extend(range(start, start + n))
        return np.arange(start, start + n)

    def add_rows(self, block: str, rows, cols, vals, lower, upper) -> None:
        """Rows with local ids 0..m-1 (``rows``), bounds per row (scalars broadcast)."""
        rows, cols, vals = np.asarray(rows, np.intp), np.asarray(cols, np.intp), np.asarray(vals, float)
        lower, upper = np.atleast_1d(np.asarray(lower, float)), np.atleast_1d(np.asarray(upper, float))
        m = max(len(lower), len(upper), int(rows.max()) + 1 if len(rows) else 0)
        self.blocks.setdefault(block, []).append(
            (rows, cols, vals, np.broadcast_to(lower, m).copy(), np.broadcast_to(upper, m).copy()))

    def add_row(self, block: str, terms: dict[int, float], constant: float, lower: float, upper: float) -> None:
        """One row ``lower <= sum terms + constant <= upper``."""
        cols = np.array(list(terms), dtype=np.intp)
        vals = np.array([terms[c] for c in cols], dtype=float)
        self.add_rows(block, np.zeros(len(cols), np.intp), cols, vals, lower - constant, upper - constant)

    def block(self, name: str):
        """(indptr, indices, data, lower, upper) of a block's rows, stacked."""
        parts = self.blocks[name]
        offsets = np.cumsum([0] + [len(p[3]) for p in parts])
        rows = np.concatenate([p[0] + o for p, o in zip(parts, offsets)])
        cols = np.concatenate([p[1] for p in parts])
        vals = np.concatenate([p[2] for p in parts])
        lower = np.concatenate([p[3] for p in parts])
        upper = np.concatenate([p[4] for p in parts])
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        indptr = np.searchsorted(rows, np.arange(len(lower) + 1))
        return indptr, cols, vals, lower, upper


class _Polynomials:
    """Products of option binaries as columns: x_k for one option, lam_R for several."""

    def __init__(self, spec: _Spec, space: StrategySpace, forced: NDArray[np.bool_], banned: NDArray[np.bool_]):
        self.spec, self.space, self.forced, self.banned = spec, space, forced, banned
        closure = space.closure.astype(np.int64)
        # Options a and b cannot be pursued together if anything they need excludes each other.
        self.clash = (closure @ space.excludes.astype(np.int64) @ closure.T) > 0
        self.dead = banned | self.clash[:, forced].any(axis=1)
        lower = forced.astype(float)
        upper = np.where(self.dead, 0.0, 1.0)
        self.x = spec.add_cols("x", lower, upper, True)
        self.products: dict[frozenset[int], int] = {}

    def column(self, options) -> int | None:
        """Column of the product of ``x_k`` over ``options``; -1 for the constant 1, None for 0."""
        members = {int(k) for k in options if not self.forced[k]}
        if any(self.dead[k] for k in members):
            return None
        closure = self.space.closure
        members = {k for k in members if not any(closure[m, k] for m in members if m != k)}
        if any(self.clash[a, b] for a, b in itertools.combinations(members, 2)):
            return None
        if not members:
            return -1
        if len(members) == 1:
            return int(self.x[next(iter(members))])
        key = frozenset(members)
        if key not in self.products:
            self.products[key] = int(self.spec.add_cols("lam", 0.0, 1.0, False)[0])
        return self.products[key]

    def link(self) -> None:
        """lam_R <= x_k for k in R, lam_R >= sum_{k in R} x_k - |R| + 1."""
        for key, col in self.products.items():
            members = sorted(key)
            for k in members:
                self.spec.add_row("product_le", {col: 1.0, int(self.x[k]): -1.0}, 0.0, -INF, 0.0)
            terms = {col: 1.0} | {int(self.x[k]): -1.0 for k in members}
            self.spec.add_row("product_ge", terms, 0.0, 1.0 - len(members), INF)


def _enabling(space: StrategySpace, preconditions: NDArray[np.bool_], skip: NDArray[np.bool_]) -> list[int]:
    """Options (not in ``skip``) with an enabler acting on one of ``preconditions``."""
    arrays = space.arrays
    hits = preconditions[arrays.enabler_precondition] & (space.enabler_local >= 0) if len(space.enabler_local) else []
    found = sorted({int(space.enabler_local[e]) for e in np.flatnonzero(hits)} - set(np.flatnonzero(skip).tolist()))
    if len(found) > MAX_ENABLING:
        names = ", ".join(space.option_ids[k] for k in found)
        raise DecideError(f"{len(found)} options enable the same precondition ({names}): the MILP handles at "
                          f"most {MAX_ENABLING}; use engine='enumerate'")
    return found


def _mobius(patterns: NDArray[np.float64]) -> NDArray[np.float64]:
    """Coefficients b_T with f(U) = sum_{T subset U} b_T, from values f over all subsets (bit masks)."""
    b = patterns.astype(float).copy()
    n = b.shape[0]
    bit = 1
    while bit < n:
        masks = np.arange(n)[(np.arange(n) & bit) > 0]
        b[masks] -= b[masks ^ bit]
        bit <<= 1
    return b


class _Holds:
    """Which preconditions say yes in each scenario, per set of pursued enabling options (cached)."""

    def __init__(self, space: StrategySpace, draws: _Draws, forced: NDArray[np.bool_]):
        self.space, self.draws, self.forced = space, draws, forced
        self.cache: dict[frozenset[int], NDArray[np.bool_]] = {}

    def __call__(self, options: Sequence[int]) -> NDArray[np.bool_]:
        key = frozenset(int(k) for k in options)
        if key not in self.cache:
            from decide.optimise.strategy import _holds

            x = self.forced.copy()
            x[list(key)] = True
            self.cache[key] = _holds(self.space, self.draws, x)
        return self.cache[key]


def _subsets(options: list[int]) -> list[list[int]]:
    """All subsets as lists, indexed by bit mask over ``options``."""
    return [[k for b, k in enumerate(options) if mask >> b & 1] for mask in range(1 << len(options))]


def _restrict(masks: NDArray[np.intp], union: list[int], options: list[int]) -> NDArray[np.intp]:
    """Bit masks over ``union`` re-expressed over its sub-list ``options``."""
    out = np.zeros_like(masks)
    for b, k in enumerate(options):
        out |= ((masks >> union.index(k)) & 1) << b
    return out


def _strategy_spec(space: StrategySpace, scenarios: Scenarios, weights: NDArray[np.float64],
                   forced: NDArray[np.bool_], banned: NDArray[np.bool_]) -> tuple[_Spec, _Polynomials]:
    """The MILP as arrays (no Pyomo): rules, outcome rows, value pieces, penalties, objectives."""
    draws = _draws(space, scenarios)
    n_o = space.n_options
    n_c, n_s = draws.base.shape
    spec = _Spec()
    poly = _Polynomials(spec, space, forced, banned)
    holds = _Holds(space, draws, forced)
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
            options = _enabling(space, np.eye(space.penalty.shape[1], dtype=bool)[q], forced | poly.dead)
            patterns = np.array([holds(u)[:, q] for u in _subsets(options)], dtype=float)
            answers[q] = (options, patterns, _mobius(patterns))
        return answers[q]

    # Viability of option j's smallest strategy, as patterns when few options enable its
    # requirements.
    viability: dict[int, tuple[list[int], NDArray[np.float64], NDArray[np.float64]]] = {}

    def viable(j: int):
        if j not in viability:
            options = sorted(set().union(*(answer(q)[0] for q in np.flatnonzero(space.hard[j]))))
            patterns = np.array([np.all(holds(u)[:, space.hard[j]], axis=1) for u in _subsets(options)], dtype=float)
            viability[j] = (options, patterns, _mobius(patterns))
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
            patterns = np.array([np.all(holds(u)[:, required], axis=1) for u in _subsets(options)], dtype=float)
            prefixes[j, k] = (options, patterns, _mobius(patterns))
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
            keep = np.abs(values) > _ZERO
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
                        spec, poly, space, i, j, mu, values, answer, add, n_c, n_s, required=required))
                continue
            fixed = (draws.failure[j] - draws.base).ravel()
            swing = (draws.planned[j] - draws.failure[j]).ravel()
            add(poly.column([i]), mu * fixed)
            if len(enabling_of(j)) <= PATTERN_LIMIT:
                options, patterns, b = viable(j)
                for mask, subset in enumerate(_subsets(options)):
                    if np.any(np.abs(b[mask]) > _ZERO):
                        add(poly.column(subset + [i]), mu * np.tile(b[mask], n_c) * swing)
                if len(union) <= PATTERN_LIMIT:
                    held = patterns[_restrict(masks, union, options)]  # (pattern of union, draw)
                    contribution += mu * (fixed[None] + np.tile(held, (1, n_c)) * swing[None])
                    continue
                low, high = patterns.min(axis=0), patterns.max(axis=0)
            else:
                low, high = _viability_rows(spec, poly, space, i, j, mu, swing, answer, add, n_c, n_s)
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
    lo -= _knapsack(losses[free], space.uses[free], room)
    hi += _knapsack(gains[free], space.uses[free], room)
    rows_idx = np.concatenate([e[0] for e in entries]) if entries else np.zeros(0, np.intp)
    cols_idx = np.concatenate([e[1] for e in entries]) if entries else np.zeros(0, np.intp)
    vals = np.concatenate([e[2] for e in entries]) if entries else np.zeros(0)
    matrix = sp.csr_array((vals, (rows_idx, cols_idx)), shape=(n_cs, spec.n_cols))
    matrix.sum_duplicates()

    value_terms, value_constant = _value_pieces(spec, space, matrix, constant, lo, hi, n_c, n_s)
    best_reachable = np.array([_best_on_range(space, c, lo[c * n_s:(c + 1) * n_s], hi[c * n_s:(c + 1) * n_s]).mean()
                               for c in range(n_c)])
    penalty_cols, penalty_shares = _penalties(spec, space, poly, answer, n_s)
    poly.link()

    G = np.zeros((n_c, spec.n_cols))
    for c, cols, vals in value_terms:
        np.add.at(G[c], cols, vals)
    objective = weights @ G
    if penalty_cols:
        # Soft penalties are on the value scale: the same cost under every weight profile.
        objective[:, penalty_cols] -= np.asarray(penalty_shares)[None, :]
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


def _viability_rows(spec: _Spec, poly: _Polynomials, space: StrategySpace, i: int, j: int, mu: float,
                    swing: NDArray[np.float64], answer, add, n_c: int, n_s: int,
                    required: NDArray[np.bool_] | None = None):
    """``x_i * v_j`` per scenario when many options enable j's requirements.

    ``v_j`` is the product of its requirements' answers ``h_q`` (each a polynomial in the few
    options enabling q). Where every answer is settled by the draws the product is a constant;
    elsewhere a variable ``y = x_i AND (every unsettled h_q)``: ``y <= x_i``, ``y <= h_q``,
    ``y >= x_i + sum h_q - (count - 1)``. The term added is ``mu * y * swing``. ``required``
    (default: every hard requirement of j's smallest strategy) takes a subset instead: the
    requirements of an option's first stages (``pass_jk``). Returns the lowest and highest
    possible ``v_j`` per draw.
    """
    required = space.hard[j] if required is None else required
    requirements = [answer(q) for q in np.flatnonzero(required)]
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
        for (options, _, b), is_open in zip(requirements, open_):
            if not is_open[s]:
                continue
            count += 1
            terms: dict[int, float] = {}
            h_constant = 0.0
            for mask, subset in enumerate(_subsets(options)):
                coef = float(b[mask, s])
                if abs(coef) <= _ZERO:
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


def _staged_terms(i: int, j: int, mu: float, n_stages: int, union: list[int] | None, draws: _Draws,
                  poly: _Polynomials, prefix, prefix_required, add, rows) -> NDArray[np.float64]:
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
            for mask, subset in enumerate(_subsets(options)):
                if np.any(np.abs(b[mask]) > _ZERO):
                    add(poly.column(subset + [i]), mu * np.tile(b[mask], n_c) * values)
            if total is not None:
                held = patterns[_restrict(masks, union, options)]  # (pattern of union, draw)
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


def _knapsack(gains: NDArray[np.float64], uses: NDArray[np.float64],
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


def _value_pieces(spec: _Spec, space: StrategySpace, matrix: sp.csr_array,
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


def _penalties(spec: _Spec, space: StrategySpace, poly: _Polynomials, answer,
               n_s: int) -> tuple[list[int], list[float]]:
    """Soft-requirement costs, charged only where the option goes ahead.

    In scenario s a strategy pays for precondition q, if q says no, the largest ``pen_iq`` among
    its options i that go ahead. Option i pays iff ``x_i``, every hard requirement ``p`` of its
    smallest strategy holds (``h_ps``) and q says no (``1 - h_qs``): an AND of binaries, each
    answer a polynomial in the few options enabling it (``answer``). The cost is minimised, so
    the AND's lower bound alone is exact at integer x::

        t >= pen_iq (x_i + sum_p h_ps + (1 - h_qs) - m + 1),   t >= 0   (m terms in the AND)

    Scenarios whose answers to q and to its requirers' hard requirements are the same functions
    of the options (the same answer patterns) share one ``t``, weighted by their share of the
    scenarios. Answers the draws settle drop out: a settled "no" to a hard requirement rules the
    option out there, a settled "yes" to q the whole group. Returns the ``t`` columns and their
    weights in the objective.
    """
    live = ~poly.dead
    cols, shares = [], []
    for q in np.flatnonzero((space.penalty * live[:, None]).max(axis=0, initial=0.0) > 0):
        q = int(q)
        # An option whose smallest strategy also requires q outright never pays for it.
        members = np.flatnonzero(live & (space.penalty[:, q] > 0) & ~space.hard[:, q])
        if len(members) == 0:
            continue
        relevant = sorted({q} | {int(p) for i in members for p in np.flatnonzero(space.hard[i])})
        tables = {p: answer(p) for p in relevant}  # (enabling options, patterns, Moebius coefficients)
        signature = np.vstack([tables[p][1] for p in relevant]).T  # (draw, every answer pattern)
        _, first, counts = np.unique(signature, axis=0, return_index=True, return_counts=True)
        for s, count in zip(first, counts):
            settled = {p: tables[p][1][0, s] for p in relevant if np.all(tables[p][1][:, s] == tables[p][1][0, s])}
            if settled.get(q) == 1.0:
                continue
            t = None
            for i in members:
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
                    for mask, subset in enumerate(_subsets(options)):
                        coef = float(b[mask, s])
                        if abs(coef) <= _ZERO:
                            continue
                        col = poly.column(subset)
                        if col == -1:
                            constant += sign * coef
                        elif col is not None:
                            terms[col] = terms.get(col, 0.0) + sign * coef
                if t is None:
                    t = int(spec.add_cols("t", 0.0, INF, False)[0])
                    cols.append(t)
                    shares.append(float(count) / n_s)
                pen = float(space.penalty[i, q])
                # t - pen * sum(terms) >= pen * (constant - m + 1)
                spec.add_row("penalty", {t: 1.0} | {c: -pen * v for c, v in terms.items()}, 0.0,
                             pen * (constant - m + 1.0), INF)
    return cols, shares


# --------------------------------------------------------------------------- Pyomo


def _pyomo_model(spec: _Spec, objective: str, best: NDArray[np.float64] | None = None,
                 name: str = "strategies", status_quo: NDArray[np.float64] | None = None) -> pyo.ConcreteModel:
    """The spec as a Pyomo model: one ``Var`` per column group, one ``Constraint`` per row block.

    ``best`` (minimax regret) and ``status_quo`` (maximin) are per profile: its best value, and
    doing nothing's value, on the model's scenarios.
    """
    import pyomo.environ as pyo
    from pyomo.common.gc_manager import PauseGC
    from pyomo.core.expr.numeric_expr import LinearExpression

    lower = [None if v == -INF else v for v in spec.col_lower]
    upper = [None if v == INF else v for v in spec.col_upper]
    with PauseGC():
        model = pyo.ConcreteModel(name=name)
        columns: list[Any] = [None] * spec.n_cols
        for group, cols in spec.groups.items():
            integer = spec.col_integer[cols[0]]
            var = pyo.Var(range(len(cols)), domain=pyo.Binary if integer else pyo.Reals,
                          bounds=lambda m, j, cols=cols: (lower[cols[j]], upper[cols[j]]))
            model.add_component(group, var)
            for j, col in enumerate(cols):
                columns[col] = var[j]
        for block in spec.blocks:
            indptr, cols, vals, row_lower, row_upper = spec.block(block)
            vals_list, cols_list = vals.tolist(), cols.tolist()
            lo_list = [None if v == -INF else v for v in row_lower.tolist()]
            hi_list = [None if v == INF else v for v in row_upper.tolist()]

            def row(m, r, indptr=indptr, vals_list=vals_list, cols_list=cols_list, lo_list=lo_list, hi_list=hi_list):
                a, b = indptr[r], indptr[r + 1]
                expr = LinearExpression(constant=0.0, linear_coefs=vals_list[a:b],
                                        linear_vars=[columns[j] for j in cols_list[a:b]])
                if lo_list[r] is not None and lo_list[r] == hi_list[r]:
                    return expr == lo_list[r]
                return (lo_list[r], expr, hi_list[r])

            model.add_component(block, pyo.Constraint(range(len(row_lower)), rule=row))

        def value(p: int) -> Any:
            nz = np.flatnonzero(spec.objective[p])
            return LinearExpression(constant=float(spec.constant[p]), linear_coefs=spec.objective[p, nz].tolist(),
                                    linear_vars=[columns[j] for j in nz])

        profiles = range(len(spec.constant))
        if objective == "expected":
            model.objective = pyo.Objective(expr=value(0), sense=pyo.maximize)
        elif objective == "maximin":
            # the smallest gain over doing nothing: level <= value_p(x) - value_p(empty)
            model.level = pyo.Var()
            model.worst_profile = pyo.Constraint(
                profiles, rule=lambda m, p: m.level <= value(p) - float(status_quo[p]))
            model.objective = pyo.Objective(expr=model.level, sense=pyo.maximize)
        else:
            model.regret = pyo.Var(bounds=(0, None))
            model.largest_regret = pyo.Constraint(profiles, rule=lambda m, p: m.regret >= float(best[p]) - value(p))
            model.objective = pyo.Objective(expr=-model.regret, sense=pyo.maximize)
        model.no_good = pyo.ConstraintList()
    return model


@dataclass(frozen=True)
class MilpSolution:
    """One MILP solve, as plain values.

    ``status`` is ``"optimal"``, ``"time limit"`` or ``"infeasible"``; ``x`` the pursued options
    (None when HiGHS found no strategy); ``objective`` the incumbent's objective and ``bound``
    HiGHS's bound on the optimum (both in the model's sense: maximised).
    """

    status: str
    x: NDArray[np.bool_] | None
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        """Relative optimality gap, HiGHS's definition: ``|bound - objective| / |objective|``."""
        if self.x is None or not np.isfinite(self.bound):
            return float("inf")
        return abs(self.bound - self.objective) / max(abs(self.objective), 1e-10)


def solve_strategy_model(model: pyo.ConcreteModel, *, time_limit: float, solver: Any = None,
                         presolve: bool = True) -> MilpSolution:
    """Solve a strategy model; a time limit is an answer (with its gap), not an error.

    HiGHS does not look at its clock during presolve; pass ``presolve=False`` where presolve alone
    could outlast the time limit (see :func:`_presolve_fits`).

    Raises
    ------
    SolverError
        HiGHS is missing or stopped for any reason other than optimality, infeasibility or the
        time limit.
    """
    from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

    from decide.optimise.solve import highs

    opt = highs() if solver is None else solver
    t = time.perf_counter()
    # HiGHS's default relative gap (1e-4) would call near-ties optimal; ask for the optimum.
    result = opt.solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                       time_limit=float(time_limit), rel_gap=1e-9, abs_gap=1e-10,
                       solver_options={} if presolve else {"presolve": "off"})
    # HiGHS's own run time: Pyomo's translation of the model before it is the model's build
    seconds = float(getattr(result.timing_info, "highs_time", None) or time.perf_counter() - t)
    condition = result.termination_condition
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        status = "optimal"
    elif condition == TerminationCondition.maxTimeLimit:
        status = "time limit"
    elif condition in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded):
        return MilpSolution("infeasible", None, float("nan"), float("nan"), seconds)
    else:
        raise SolverError(f"HiGHS stopped without a strategy: termination {condition.name}, "
                          f"solution status {result.solution_status.name}")
    x = None
    if result.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible):
        got = result.solution_loader.get_vars()
        # An option fixed by its bounds (demanded, or excluded) may appear in no row: HiGHS never
        # sees it, and its bound is its value.
        x = np.array([(got[model.x[k]] if model.x[k] in got else model.x[k].lb) > 0.5 for k in model.x], dtype=bool)
    objective = float(result.incumbent_objective) if x is not None else float("nan")
    bound = float(result.objective_bound) if result.objective_bound is not None else float("inf")
    return MilpSolution(status, x, objective, bound, seconds)


def build_strategy_model(
    arrays: Any,
    scenarios: Scenarios,
    *,
    weights: Any = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    best: Sequence[float] | None = None,
) -> pyo.ConcreteModel:
    """The sample-average strategy MILP of a case on given scenarios (built, not solved).

    Parameters
    ----------
    arrays
        The compiled case (or the case, or its :class:`~decide.optimise.strategy.StrategySpace`).
    scenarios
        The scenarios the sample average runs over.
    weights
        As in :func:`~decide.optimise.strategy.optimise_strategies`: None, a profile id, leaf
        weights, ``"maximin"`` (the smallest gain over doing nothing across the profiles; doing
        nothing's value per profile is computed on ``scenarios``) or ``"minimax_regret"`` (which
        needs ``best``, each profile's best expected value).
    include, exclude
        Options every strategy must / may not contain.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``x`` (one binary per pursuable option, in
        :attr:`~decide.optimise.strategy.StrategySpace.option_ids` order), ``lam``, ``e``, ``v``,
        ``delta``, ``z``, ``t``; its objective is the in-sample objective (maximised; the smallest
        gain over doing nothing for maximin; minus the largest regret for minimax regret).
    """
    space = _as_space(arrays)
    target = _on_scenarios(space, scenarios, _target(space.arrays, weights))
    if target.objective == "minimax_regret" and best is None:
        raise DecideError("a minimax-regret model needs each profile's best expected value (best=...)")
    forced, banned = _forced_and_banned(space, include, exclude)
    spec, _ = _strategy_spec(space, scenarios, target.weights, forced, banned)
    return _pyomo_model(spec, target.objective, None if best is None else np.asarray(best, float),
                        status_quo=target.status_quo)


# --------------------------------------------------------------------------- the search


def solve_strategies(space: StrategySpace, scenarios: Scenarios, target: _Target, *, include: Sequence[str],
                     exclude: Sequence[str], time_limit: float, top: int, timings: dict[str, float]) -> _Found:
    """Best strategies by the MILP, re-evaluated exactly on the same scenarios.

    Maximin's gains are over doing nothing on these scenarios. Minimax regret first solves each
    profile's own problem for its best value (its optimum is kept as a candidate for the profile's
    best out of sample, ``_Found.references``). The runners-up
    come from re-solving with the strategies found cut off, while the first solve was optimal.
    Where HiGHS ends at its time limit without a strategy, or with one worse than a greedy and
    local search finds, that strategy stands in and the gap is measured from it.
    """
    from decide.optimise.solve import highs

    forced, banned = _forced_and_banned(space, include, exclude)
    notes: list[str] = []
    target = _on_scenarios(space, scenarios, target)
    references: list[NDArray[np.bool_]] = []
    t = time.perf_counter()
    spec, poly = _strategy_spec(space, scenarios, target.weights, forced, banned)
    build = time.perf_counter() - t
    solve_seconds = 0.0
    solver = highs()
    # One clock for the whole search: every solve takes what is left of the time limit, and the
    # local search that may stand in for HiGHS has its last tenth, so the wall time stays within
    # the time limit plus the models' build.
    clock = _Clock(0.9 * time_limit)
    presolve = _presolve_fits(spec, time_limit)

    def solve(model: pyo.ConcreteModel, share: float = 1.0, **kwargs: Any) -> MilpSolution:
        nonlocal build
        t = time.perf_counter()
        solution = solve_strategy_model(model, time_limit=clock.left() * share, presolve=presolve, **kwargs)
        build += clock.pause(max(time.perf_counter() - t - solution.seconds, 0.0))  # Pyomo's translation
        return solution

    if target.objective == "minimax_regret":
        best = np.empty(len(target.profiles))
        for p in range(len(target.profiles)):
            t = time.perf_counter()
            single = _Spec(spec.col_lower, spec.col_upper, spec.col_integer, spec.groups, spec.blocks,
                           spec.objective[p:p + 1], spec.constant[p:p + 1])
            model = _pyomo_model(single, "expected", name=f"strategies_{target.profiles[p]}")
            build += clock.pause(time.perf_counter() - t)
            # each profile's own problem gets an equal share of what is left, the last share the main one
            solution = solve(model, share=1 / (len(target.profiles) + 1 - p))
            solve_seconds += solution.seconds
            if solution.x is None:  # out of time: the local search's best stands in
                own = _Target("expected", target.weights[p:p + 1], target.profiles[p:p + 1])
                stand_in = _heuristic(space, scenarios, own, forced, banned,
                                      deadline=time.perf_counter() + 0.1 * time_limit / len(target.profiles))
                best[p] = _objective(space, scenarios, own, stand_in[None])[0]
                references.append(stand_in)
                notes.append(f"profile {target.profiles[p]}'s best value is a local search's: HiGHS found no "
                             "strategy in its share of the time limit, so regrets may be understated")
                continue
            best[p] = solution.objective
            references.append(solution.x)
            if solution.status != "optimal":
                notes.append(f"profile {target.profiles[p]}'s best value is HiGHS's incumbent at the time limit "
                             f"(gap {solution.gap:.2%}): regrets may be understated")
        target = replace(target, best=best)

    t = time.perf_counter()
    model = _pyomo_model(spec, target.objective, target.best, status_quo=target.status_quo)
    build += clock.pause(time.perf_counter() - t)
    first = solve(model, solver=solver)
    solve_seconds += first.seconds
    if first.status == "infeasible":
        raise DecideError("no strategy satisfies the budgets, dependencies and exclusions"
                          + (f" with {', '.join(include)} included" if len(include) else ""))

    t = time.perf_counter()
    found = [first.x] if first.x is not None else []
    status, bound, gap = first.status, first.bound, first.gap
    if not np.isfinite(bound):
        # Stopped before HiGHS had a bound: fall back on the outcome ranges' (loose) one.
        if target.objective == "expected":
            bound = spec.ceiling[0]
        elif target.objective == "maximin":
            bound = (spec.ceiling - target.status_quo).min()
        else:
            bound = 0.0
        notes.append("HiGHS had no bound at the time limit; the gap is measured against the bound the outcome "
                     "ranges give (loose)")
        if first.x is not None:
            gap = abs(bound - first.objective) / max(abs(first.objective), 1e-10)
    if status != "optimal":
        # Stopped early: a local-search strategy stands in if HiGHS has none or a worse one.
        h = time.perf_counter()
        heuristic = _heuristic(space, scenarios, target, forced, banned,
                               deadline=time.perf_counter() + max(clock.left(), 0.0) + 0.1 * time_limit)
        timings["heuristic"] = time.perf_counter() - h
        value = _objective(space, scenarios, target, heuristic[None])[0]
        if first.x is None or value > first.objective + 1e-12:
            found = [heuristic]
            gap = abs(bound - value) / max(abs(value), 1e-10)
            notes.append(f"HiGHS found no strategy within {time_limit:g} s; a local-search strategy stands in"
                         if first.x is None else "at the time limit a local-search strategy beat HiGHS's incumbent; "
                         "it stands in")
    timings["evaluate"] = time.perf_counter() - t - timings.get("heuristic", 0.0)

    # Runners-up: cut off what was found and solve again, while the time limit allows.
    while status == "optimal" and len(found) < top and time.perf_counter() < clock.deadline:
        x = found[-1]
        free = [k for k in model.x if not (forced[k] or poly.dead[k])]
        if not free:
            break
        model.no_good.add(sum(1 - model.x[k] for k in free if x[k]) + sum(model.x[k] for k in free if not x[k]) >= 1)
        nxt = solve(model, solver=solver)
        solve_seconds += nxt.seconds
        if nxt.x is None or nxt.status == "infeasible":
            break
        found.append(nxt.x)
        if nxt.status != "optimal":
            notes.append(f"runner-up {len(found)} is HiGHS's incumbent at the time limit")
            break
    if status == "optimal" and len(found) < top:
        notes.append(f"the MILP reports {len(found)} strategies (runners-up are found by re-solving)")

    t = time.perf_counter()
    X = np.array(found)
    in_sample = _objective(space, scenarios, target, X)
    timings["evaluate"] = timings.get("evaluate", 0.0) + time.perf_counter() - t
    if first.x is not None and abs(in_sample[0] - first.objective) > 1e-6 * max(1.0, abs(first.objective)) \
            and found[0] is first.x:
        logger.warning("MILP objective %.9g differs from the exact evaluation %.9g", first.objective, in_sample[0])
    timings["build"] = build
    timings["solve"] = solve_seconds
    if status == "time limit":
        notes.append(f"MILP stopped at its time limit ({time_limit:g} s): gap {gap:.2%}")
    sign = -1.0 if target.objective == "minimax_regret" else 1.0
    return _Found(X, sign * in_sample, "milp", status, float(gap), sign * float(bound), tuple(notes), target,
                  np.array(references) if references else None)


def _objective(space: StrategySpace, scenarios: Scenarios, target: _Target,
               X: NDArray[np.bool_]) -> NDArray[np.float64]:
    """In-sample objective (maximised) of strategies, computed exactly."""
    means, penalties = criterion_means(space, X, scenarios)
    return target.score(means @ target.weights.T - penalties[:, None])


_PRESOLVE_SECONDS_PER_NONZERO = 1e-4
"""HiGHS 1.16's MIP presolve on the Mali strategy model: 15 s for 239,210 nonzeros (S = 1,000),
about 6e-5 s each on this machine, rounded up."""


def _presolve_fits(spec: _Spec, time_limit: float) -> bool:
    """Presolve only where it is expected to take at most a quarter of the time limit: HiGHS does
    not check its clock while presolving, and the time limit bounds the search's wall time."""
    return spec.n_nonzeros * _PRESOLVE_SECONDS_PER_NONZERO <= 0.25 * time_limit


class _Clock:
    """What is left of a time limit, not counting the pauses (model builds) it is told about."""

    def __init__(self, limit: float):
        self.deadline = time.perf_counter() + limit

    def pause(self, seconds: float) -> float:
        self.deadline += seconds
        return seconds

    def left(self) -> float:
        return max(self.deadline - time.perf_counter(), 1e-3)


def _heuristic(space: StrategySpace, scenarios: Scenarios, target: _Target, forced: NDArray[np.bool_],
               banned: NDArray[np.bool_], max_rounds: int = 100, deadline: float = np.inf) -> NDArray[np.bool_]:
    """A good feasible strategy without the solver: greedy additions, then local search.

    Greedy: add, one at a time, the option (with its dependencies) that improves the objective
    most. Local search: move to the best neighbour -- one option added (with its dependencies),
    dropped (with what depends on it) or swapped for another -- while that improves. Every
    neighbourhood is evaluated exactly, all at once, on the same scenarios. Past ``deadline``
    (a ``time.perf_counter()`` time) it stops with the best strategy so far.
    """
    def feasible(y: NDArray[np.bool_]) -> bool:
        return not (y & banned).any() and not (forced & ~y).any() and not strategy_problems(space, y)

    def best_of(candidates: list[NDArray[np.bool_]]) -> tuple[NDArray[np.bool_] | None, float]:
        candidates = [y for y in candidates if feasible(y)]
        if not candidates:
            return None, -np.inf
        values = _objective(space, scenarios, target, np.array(candidates))
        k = int(np.argmax(values))
        return candidates[k], float(values[k])

    x = forced.copy()
    value = float(_objective(space, scenarios, target, x[None])[0])
    while time.perf_counter() < deadline:  # greedy
        y, v = best_of([x | space.closure[k] for k in np.flatnonzero(~x & ~banned)])
        if y is None or v <= value + 1e-12:
            break
        x, value = y, v
    for _ in range(max_rounds):  # local search
        if time.perf_counter() >= deadline:
            break
        dropped = [x & ~space.closure[:, k] for k in np.flatnonzero(x & ~forced)]
        candidates = [x | space.closure[k] for k in np.flatnonzero(~x & ~banned)] + dropped
        candidates += [d | space.closure[m] for d in dropped for m in np.flatnonzero(~d & ~banned)]
        y, v = best_of(candidates)
        if y is None or v <= value + 1e-12:
            break
        x, value = y, v
    return x
