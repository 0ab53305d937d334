"""A MILP as arrays, and the products of option binaries it is written in.

:class:`Spec` holds columns in named groups and rows in named blocks (translated to Pyomo by
:mod:`decide.optimise.milp.pyomo_model`); :class:`Polynomials` makes one column per product of
option binaries, simplified by the strategy rules; :class:`Holds` and :func:`mobius_coefficients`
turn a precondition's answers under each pattern of its enabling options into the coefficients
of its multilinear polynomial.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from decide.compile import ENABLER_ADD, ENABLER_ODDS, enable
from decide.errors import DecideError
from decide.model.strategies import StrategySpace
from decide.optimise.evaluator import Draws, holds

__all__ = ["MAX_ENABLING", "ZERO", "INF", "Spec", "Polynomials", "enabling_options", "mobius_coefficients",
           "Holds", "subsets", "restrict", "threshold_levels"]

MAX_ENABLING = 12
"""Most options enabling one precondition: 2^12 patterns of its answers."""

ZERO = 1e-12  # coefficients below this are rounding noise of the Moebius sums
LEVEL_GAP = 1e-4
"""Smallest step between two scores of enabler patterns the threshold form accepts (far above
HiGHS's feasibility tolerance, 1e-7, so that no level is taken for its neighbour)."""
INF = float("inf")


@dataclass
class Spec:
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


class Polynomials:
    """Products of option binaries as columns: x_k for one option, lam_R for several."""

    def __init__(self, spec: Spec, space: StrategySpace, forced: NDArray[np.bool_], banned: NDArray[np.bool_]):
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


def enabling_options(space: StrategySpace, preconditions: NDArray[np.bool_], skip: NDArray[np.bool_]) -> list[int]:
    """Options (not in ``skip``) with an enabler acting on one of ``preconditions``."""
    arrays = space.arrays
    hits = preconditions[arrays.enabler_precondition] & (space.enabler_local >= 0) if len(space.enabler_local) else []
    found = sorted({int(space.enabler_local[e]) for e in np.flatnonzero(hits)} - set(np.flatnonzero(skip).tolist()))
    if len(found) > MAX_ENABLING:
        names = ", ".join(space.option_ids[k] for k in found)
        raise DecideError(f"{len(found)} options enable the same precondition ({names}): the MILP handles at "
                          f"most {MAX_ENABLING}; use engine='enumerate'")
    return found


def mobius_coefficients(patterns: NDArray[np.float64]) -> NDArray[np.float64]:
    """Coefficients b_T with f(U) = sum_{T subset U} b_T, from values f over all subsets (bit masks)."""
    b = patterns.astype(float).copy()
    n = b.shape[0]
    bit = 1
    while bit < n:
        masks = np.arange(n)[(np.arange(n) & bit) > 0]
        b[masks] -= b[masks ^ bit]
        bit <<= 1
    return b


class Holds:
    """Which preconditions say yes in each scenario, per set of pursued enabling options (cached)."""

    def __init__(self, space: StrategySpace, draws: Draws, forced: NDArray[np.bool_]):
        self.space, self.draws, self.forced = space, draws, forced
        self.cache: dict[frozenset[int], NDArray[np.bool_]] = {}

    def __call__(self, options: Sequence[int]) -> NDArray[np.bool_]:
        key = frozenset(int(k) for k in options)
        if key not in self.cache:
            x = self.forced.copy()
            x[list(key)] = True
            self.cache[key] = holds(self.space, self.draws, x)
        return self.cache[key]

    def answers(self, q: int, options: list[int]) -> NDArray[np.float64]:
        """(pattern, draw): precondition ``q``'s answers (1 for yes) under each subset of ``options``
        (bit masks), the demanded options pursued too: only q's own enablers are applied."""
        arrays = self.space.arrays
        own = np.flatnonzero(arrays.enabler_precondition == q)  # in case-file order
        out = np.empty((1 << len(options), self.draws.n_draws))
        for mask, subset in enumerate(subsets(options)):
            x = self.forced.copy()
            x[subset] = True
            active = self.space.enablers_active(x)
            p = self.draws.probabilities[:, q]
            for e in own:
                if active[e]:
                    p = enable(arrays, int(e), p)
            out[mask] = self.draws.latent[:, q] < p
        return out


def subsets(options: list[int]) -> list[list[int]]:
    """All subsets as lists, indexed by bit mask over ``options``."""
    return [[k for b, k in enumerate(options) if mask >> b & 1] for mask in range(1 << len(options))]


def restrict(masks: NDArray[np.intp], union: list[int], options: list[int]) -> NDArray[np.intp]:
    """Bit masks over ``union`` re-expressed over its sub-list ``options``."""
    out = np.zeros_like(masks)
    for b, k in enumerate(options):
        out |= ((masks >> union.index(k)) & 1) << b
    return out


def threshold_levels(spec: Spec, poly: Polynomials, space: StrategySpace, q: int, options: list[int],
                     patterns: NDArray[np.float64]) -> NDArray[np.intp] | None:
    """Precondition ``q``'s answers as binaries on one score of its enabling options, where they are
    a threshold on it: the column of each scenario's answer (-1 where the draws settle it), or None.

    An odds ratio adds its logarithm to the log-odds of yes, an amount adds to the probability, so
    with ``g(x) = sum_k c_k x_k`` (``c_k`` the option's log odds ratios or amounts) a scenario's
    answer is usually ``[g(x) >= G]`` at a level ``G`` of its own. One binary per level that some
    scenario uses, ``H_l = [g(x) >= G_l]``, replaces the 2^n-term polynomial::

        g(x) - (G_l - g_min) H_l >= g_min         (H_l = 1: g reaches G_l)
        g(x) - (g_max - G_l-1) H_l <= G_l-1       (H_l = 0: g stays at the level below)
        H_l >= H_l'   for l < l'                  (a higher level is reached only past a lower)

    exact at integer x because g takes only the levels' values. The form is checked against
    ``patterns`` (``(pattern, draw)`` answers, the exact rule): where some scenario's answers are
    not a threshold on g (a ``to`` enabler, amounts clipped at the scale's ends, mixed kinds that
    do not order the patterns), or two scores are closer than :data:`LEVEL_GAP`, it returns None
    and the polynomial is used.
    """
    n = len(options)
    arrays = space.arrays
    weight = np.zeros(n)
    for e in np.flatnonzero(arrays.enabler_precondition == q):
        k = int(space.enabler_local[e])
        if k not in options:
            continue
        amount = float(arrays.enabler_amount[e])
        if arrays.enabler_kind[e] == ENABLER_ODDS and amount > 0:
            weight[options.index(k)] += np.log(amount)
        elif arrays.enabler_kind[e] == ENABLER_ADD:
            weight[options.index(k)] += amount
        else:
            return None
    score = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1) @ weight
    order = np.argsort(score, kind="stable")
    ranked, steps = patterns[order] > 0.5, np.diff(score[order])
    same = steps <= ZERO
    if np.any(~same & (steps < LEVEL_GAP)) or np.any(ranked[1:][same] != ranked[:-1][same]):
        return None  # scores too close to tell apart, or equal scores with different answers
    if np.any(ranked[1:] < ranked[:-1]):
        return None  # some scenario says no at a higher score than it says yes: not a threshold
    level = np.concatenate([[0], np.cumsum(~same)])  # of each ranked pattern
    values = score[order][np.concatenate([[0], np.flatnonzero(~same) + 1])]  # G_l
    open_ = ~ranked[0] & ranked[-1]
    first_yes = np.argmax(ranked, axis=0)
    columns = np.full(ranked.shape[1], -1, dtype=np.intp)
    g_terms = {int(poly.x[k]): float(c) for k, c in zip(options, weight) if c != 0.0}
    g_min, g_max = values[0], values[-1]
    previous = None
    for lv in np.unique(level[first_yes[open_]]):
        h = int(spec.add_cols("level", 0.0, 1.0, True)[0])
        columns[open_ & (level[first_yes] == lv)] = h
        spec.add_row("level_reached", g_terms | {h: -(values[lv] - g_min)}, 0.0, g_min, INF)
        spec.add_row("level_below", g_terms | {h: -(g_max - values[lv - 1])}, 0.0, -INF, values[lv - 1])
        if previous is not None:
            spec.add_row("level_order", {previous: 1.0, h: -1.0}, 0.0, 0.0, INF)
        previous = h
    return columns
