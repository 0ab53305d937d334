"""Linear programs over the leaf weights: least change, potential optimality, dominance.

An option's value is additive, ``values[x] @ w``, with ``values`` an ``(n_options, n_leaves)``
matrix of leaf values and ``w`` the leaf global weights on the simplex. Imprecise weight
statements give the admissible set

    W = {w >= 0, sum(w) = 1, A_ub @ w <= b_ub}

(an interval on a node's weight is two rows on the sum of its leaves' weights; "node A at least
as important as node B" is one row). Each analysis builds one Pyomo model with mutable
parameters (``build_*``) and re-solves it on one persistent HiGHS solver, once per option or
pair of options. Switching the option under study touches few numbers: the option's value
``z = values[x] @ w`` is one row whose coefficients are parameters, and each "x against y" row
carries a parameter ``slack[y]`` that is 0, or large for ``y = x`` so that row switches off.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyomo.environ as pyo
from numpy.typing import ArrayLike, NDArray

import decide.arguments as arguments
from decide.errors import DecideError
from decide.optimise.solve import highs, solve

__all__ = [
    "LeastChangeResult",
    "PotentialOptimalityResult",
    "build_least_change_model",
    "build_potential_optimality_model",
    "build_value_gap_model",
    "least_change",
    "potential_optimality",
    "min_value_gaps",
    "dominance",
]

Norm = Literal["l1", "linf"]


@dataclass(frozen=True, eq=False)
class LeastChangeResult:
    """Smallest change of the weights that makes each option lead.

    Attributes
    ----------
    norm
        ``"l1"`` (sum of absolute changes, at most 2) or ``"linf"`` (largest single change).
    distances
        ``(n_options,)``: the distance from ``w0`` to the nearest weights under which the option
        is at least as good as every other; 0 for a current leader, ``inf`` when no weights on
        the simplex make it lead.
    weights
        ``(n_options, n_leaves)``: those nearest weights (one of them, if several); NaN rows
        where infeasible.
    feasible
        ``(n_options,)``: False where the option can never lead, whatever the weights.
    """

    norm: Norm
    distances: NDArray[np.float64]
    weights: NDArray[np.float64]
    feasible: NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class PotentialOptimalityResult:
    """Whether each option is best for some admissible weights.

    Attributes
    ----------
    potentially_optimal
        ``(n_options,)``: True iff ``margins >= -tol``.
    margins
        ``(n_options,)``: ``max over w in W of min over y != x of (values[x] - values[y]) @ w``.
        Positive: strictly best somewhere in W; zero: at best tied; negative: never best, and
        ``-margin`` is how far it stays behind at the most favourable weights.
    weights
        ``(n_options, n_leaves)``: a witness in W attaining the margin.
    """

    potentially_optimal: NDArray[np.bool_]
    margins: NDArray[np.float64]
    weights: NDArray[np.float64]


def build_least_change_model(values: ArrayLike, w0: ArrayLike, norm: Norm) -> pyo.ConcreteModel:
    """Least-change LP over the simplex, with the option under study left as parameters.

    Minimise ``||w - w0||`` (L1 by split variables ``up - down``, L-inf by a radius) subject to
    ``w >= 0``, ``sum(w) = 1`` and ``values[y] @ w - z <= slack[y]`` for every option ``y``,
    where ``z = target @ w``. Set ``target`` to ``values[x]``, ``slack[x]`` large and the other
    slacks to 0 to ask for option ``x`` (:func:`least_change` does).
    """
    values, w0 = _check_values(values), _check_w0(w0, np.shape(values)[1])
    if norm not in ("l1", "linf"):
        raise ValueError(f"norm must be 'l1' or 'linf', not {norm!r}")
    rows, start = values.tolist(), w0.tolist()
    m = pyo.ConcreteModel(name=f"least_change_{norm}")
    m.options = pyo.Set(initialize=range(values.shape[0]))
    m.leaves = pyo.Set(initialize=range(values.shape[1]))
    m.w = pyo.Var(m.leaves, bounds=(0.0, 1.0))
    m.z = pyo.Var()
    m.target = pyo.Param(m.leaves, mutable=True, initialize=0.0)
    m.slack = pyo.Param(m.options, mutable=True, initialize=0.0)
    m.simplex = pyo.Constraint(expr=sum(m.w[c] for c in m.leaves) == 1)
    m.target_value = pyo.Constraint(expr=m.z == sum(m.target[c] * m.w[c] for c in m.leaves))

    @m.Constraint(m.options)
    def at_least_as_good(m, y):
        return sum(rows[y][c] * m.w[c] for c in m.leaves) - m.z <= m.slack[y]

    if norm == "l1":
        m.up = pyo.Var(m.leaves, within=pyo.NonNegativeReals)
        m.down = pyo.Var(m.leaves, within=pyo.NonNegativeReals)

        @m.Constraint(m.leaves)
        def change(m, c):
            return m.w[c] - start[c] == m.up[c] - m.down[c]

        m.distance = pyo.Objective(expr=sum(m.up[c] + m.down[c] for c in m.leaves))
    else:
        m.radius = pyo.Var(within=pyo.NonNegativeReals)

        @m.Constraint(m.leaves)
        def below_radius(m, c):
            return m.w[c] - start[c] <= m.radius

        @m.Constraint(m.leaves)
        def above_radius(m, c):
            return start[c] - m.w[c] <= m.radius

        m.distance = pyo.Objective(expr=m.radius)
    return m


def least_change(values: ArrayLike, w0: ArrayLike, *, norm: Norm) -> LeastChangeResult:
    """For each option, the smallest change of the weights under which it leads.

    Solves, for every option ``x``, ``min ||w - w0||`` over the simplex subject to
    ``values[x] @ w >= values[y] @ w`` for every other option ``y``: "at least as good as every
    other", not merely "ties the current leader", since with the weights moved a third option
    may take the lead.

    Parameters
    ----------
    values
        ``(n_options, n_leaves)`` leaf values, at least two options.
    w0
        ``(n_leaves,)`` current leaf global weights, non-negative, summing to 1.
    norm
        ``"l1"``: sum of absolute weight changes; ``"linf"``: largest single change.

    Returns
    -------
    LeastChangeResult
        Infeasible means no weights on the simplex make ``x`` lead (for instance ``x`` is
        strictly dominated leaf by leaf, or beaten by a mix of other options everywhere): its
        distance is ``inf``, its weights NaN and ``feasible`` False. This is an answer, not an
        error.

    Raises
    ------
    SolverError
        HiGHS is missing or failed for a reason other than infeasibility.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> result = least_change(values, np.array([0.7, 0.3]), norm="linf")
    >>> np.round(result.distances, 6)
    array([0. , 0.2])
    """
    values = _check_values(values)
    model = build_least_change_model(values, w0, norm)
    solver = highs(params_only=True)
    n_options, n_leaves = values.shape
    distances = np.full(n_options, np.inf)
    weights = np.full((n_options, n_leaves), np.nan)
    start = np.asarray(w0, dtype=float)
    for x in range(n_options):
        _select_option(model, values, x)
        solution = solve(model, solver)
        if solution.optimal:
            w = _clean_weights(solution.values["w"])
            weights[x] = w
            distances[x] = np.abs(w - start).sum() if norm == "l1" else np.abs(w - start).max()
    return LeastChangeResult(norm=norm, distances=distances, weights=weights, feasible=np.isfinite(distances))


def build_potential_optimality_model(
    values: ArrayLike, A_ub: ArrayLike | None = None, b_ub: ArrayLike | None = None
) -> pyo.ConcreteModel:
    """Margin LP over W, with the option under study left as parameters.

    Maximise ``t`` subject to ``w in W`` and ``z - values[y] @ w - t >= -slack[y]`` for every
    option ``y``, where ``z = target @ w`` (set as in :func:`build_least_change_model`).
    """
    values = _check_values(values)
    rows = values.tolist()
    m = pyo.ConcreteModel(name="potential_optimality")
    m.options = pyo.Set(initialize=range(values.shape[0]))
    _add_admissible_weights(m, values.shape[1], A_ub, b_ub)
    m.t = pyo.Var()
    m.z = pyo.Var()
    m.target = pyo.Param(m.leaves, mutable=True, initialize=0.0)
    m.slack = pyo.Param(m.options, mutable=True, initialize=0.0)
    m.target_value = pyo.Constraint(expr=m.z == sum(m.target[c] * m.w[c] for c in m.leaves))

    @m.Constraint(m.options)
    def beats_by_margin(m, y):
        return m.z - sum(rows[y][c] * m.w[c] for c in m.leaves) - m.t >= -m.slack[y]

    m.margin = pyo.Objective(expr=m.t, sense=pyo.maximize)
    return m


def potential_optimality(
    values: ArrayLike, A_ub: ArrayLike | None = None, b_ub: ArrayLike | None = None, *, tol: float = 1e-9
) -> PotentialOptimalityResult:
    """Can each option be best for some admissible weights?

    For each option ``x`` solves ``max t`` subject to ``w in W`` and
    ``(values[x] - values[y]) @ w >= t`` for every other option ``y``; ``x`` is potentially
    optimal iff ``max t >= -tol``.

    Parameters
    ----------
    values
        ``(n_options, n_leaves)`` leaf values, at least two options.
    A_ub, b_ub
        ``(n_rows, n_leaves)`` and ``(n_rows,)``: the weight statements, ``A_ub @ w <= b_ub``, on
        top of ``w >= 0`` and ``sum(w) = 1``. None for the whole simplex.
    tol
        How far below 0 a margin may be and still count as a tie (solver round-off).

    Returns
    -------
    PotentialOptimalityResult
        The LP is never infeasible for a non-empty W (``t`` is free), so every option gets a
        margin and a witness.

    Raises
    ------
    DecideError
        W is empty: the weight statements contradict each other.
    SolverError
        HiGHS is missing or failed.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[1.0, 0.0], [0.0, 1.0], [0.4, 0.4]])
    >>> potential_optimality(values).potentially_optimal
    array([ True,  True, False])
    """
    values = _check_values(values)
    model = build_potential_optimality_model(values, A_ub, b_ub)
    solver = highs(params_only=True)
    n_options, n_leaves = values.shape
    margins = np.empty(n_options)
    weights = np.empty((n_options, n_leaves))
    for x in range(n_options):
        _select_option(model, values, x)
        solution = solve(model, solver)
        if not solution.optimal:
            raise _empty_weight_set()
        margins[x] = solution.objective
        weights[x] = _clean_weights(solution.values["w"])
    return PotentialOptimalityResult(potentially_optimal=margins >= -tol, margins=margins, weights=weights)


def build_value_gap_model(
    n_leaves: int, A_ub: ArrayLike | None = None, b_ub: ArrayLike | None = None
) -> pyo.ConcreteModel:
    """``min gap @ w`` over W, with the objective coefficients ``gap`` as parameters."""
    m = pyo.ConcreteModel(name="value_gap")
    _add_admissible_weights(m, n_leaves, A_ub, b_ub)
    m.gap = pyo.Param(m.leaves, mutable=True, initialize=0.0)
    m.min_gap = pyo.Objective(expr=sum(m.gap[c] * m.w[c] for c in m.leaves), sense=pyo.minimize)
    return m


def min_value_gaps(
    values: ArrayLike, A_ub: ArrayLike | None = None, b_ub: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Smallest value gap of every ordered pair of options over W.

    Solves ``n_options * (n_options - 1)`` LPs on one persistent model.

    Returns
    -------
    numpy.ndarray
        ``(n_options, n_options)``; entry ``[x, y]`` is ``min over w in W of
        (values[x] - values[y]) @ w``, the diagonal 0. The largest gap is ``-gaps[y, x]``.

    Raises
    ------
    DecideError
        W is empty: the weight statements contradict each other.
    SolverError
        HiGHS is missing or failed.
    """
    values = _check_values(values)
    n_options, n_leaves = values.shape
    min_gap = _MinGap(n_leaves, A_ub, b_ub)
    gaps = np.zeros((n_options, n_options))
    for x, y in itertools.permutations(range(n_options), 2):
        gaps[x, y] = min_gap(values[x] - values[y])
    return gaps


def dominance(
    values: ArrayLike, A_ub: ArrayLike | None = None, b_ub: ArrayLike | None = None, *, tol: float = 1e-9
) -> NDArray[np.bool_]:
    """Which options beat which for every admissible weight.

    ``x`` dominates ``y`` iff ``min over W of (values[x] - values[y]) @ w >= -tol`` (never worse)
    and the max is ``> tol`` (better somewhere). Options with equal values for all of W dominate
    neither way. Arguments as for :func:`potential_optimality`.

    The admissible weights found by each LP are kept; a pair already settled by one of them
    (``x`` worse than ``y`` there, or better there once "never worse" is proven) needs no LP,
    which skips most of the ``n_options * (n_options - 1)`` LPs of :func:`min_value_gaps`.

    Returns
    -------
    numpy.ndarray
        ``(n_options, n_options)`` bool; ``[x, y]`` True iff ``x`` dominates ``y``; diagonal False.

    Raises
    ------
    DecideError
        W is empty: the weight statements contradict each other.
    SolverError
        HiGHS is missing or failed.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[0.8, 0.6], [0.5, 0.5], [0.9, 0.1]])
    >>> dominance(values).astype(int)
    array([[0, 1, 0],
           [0, 0, 0],
           [0, 0, 0]])
    """
    values = _check_values(values)
    n_options, n_leaves = values.shape
    min_gap = _MinGap(n_leaves, A_ub, b_ub)
    dominates = np.zeros((n_options, n_options), dtype=bool)
    for x, y in itertools.permutations(range(n_options), 2):
        gap = values[x] - values[y]
        if np.any(min_gap.seen() @ gap < -tol) or min_gap(gap) < -tol:
            continue  # x is worse than y somewhere in W
        dominates[x, y] = bool(np.any(min_gap.seen() @ gap > tol)) or -min_gap(-gap) > tol
    return dominates


class _MinGap:
    """``min gap @ w`` over W on one persistent model; remembers the minimisers it found."""

    def __init__(self, n_leaves: int, A_ub: ArrayLike | None, b_ub: ArrayLike | None):
        self.model = build_value_gap_model(n_leaves, A_ub, b_ub)
        self.solver = highs(params_only=True)
        self.points: list[NDArray[np.float64]] = []
        self.n_leaves = n_leaves

    def __call__(self, gap: NDArray[np.float64]) -> float:
        self.model.gap.store_values(dict(enumerate(gap.tolist())))
        solution = solve(self.model, self.solver)
        if not solution.optimal:
            raise _empty_weight_set()
        self.points.append(solution.values["w"])
        return solution.objective

    def seen(self) -> NDArray[np.float64]:
        """``(n_found, n_leaves)``: the admissible weights found so far."""
        return np.array(self.points).reshape(-1, self.n_leaves)


def _select_option(model: pyo.ConcreteModel, values: NDArray[np.float64], x: int) -> None:
    """Point a model with ``target``/``slack`` parameters at option ``x``."""
    # Any slack above the largest possible value gap switches the row off.
    big = 1.0 + float(np.ptp(values))
    model.target.store_values(dict(enumerate(values[x].tolist())))
    model.slack.store_values({y: (big if y == x else 0.0) for y in range(values.shape[0])})


def _add_admissible_weights(
    m: pyo.ConcreteModel, n_leaves: int, A_ub: ArrayLike | None, b_ub: ArrayLike | None
) -> None:
    """Add ``leaves``, ``w`` and the constraints of W to ``m``."""
    A, b = _check_statements(A_ub, b_ub, n_leaves)
    coefficients = [{c: a for c, a in enumerate(row) if a != 0.0} for row in A.tolist()]
    bounds = b.tolist()
    m.leaves = pyo.Set(initialize=range(n_leaves))
    m.statements = pyo.Set(initialize=range(len(bounds)))
    m.w = pyo.Var(m.leaves, bounds=(0.0, 1.0))
    m.simplex = pyo.Constraint(expr=sum(m.w[c] for c in m.leaves) == 1)

    if any(not row and bound < 0 for row, bound in zip(coefficients, bounds)):
        raise _empty_weight_set()  # a row reading 0 <= negative number

    @m.Constraint(m.statements)
    def statement(m, k):
        if not coefficients[k]:
            return pyo.Constraint.Skip  # 0 <= non-negative number: always true
        return sum(a * m.w[c] for c, a in coefficients[k].items()) <= bounds[k]


def _empty_weight_set() -> DecideError:
    return DecideError(
        "The weight statements admit no weights (intervals and orderings contradict each "
        "other), so no option can be compared under them."
    )


def _clean_weights(w: NDArray[np.float64]) -> NDArray[np.float64]:
    """Remove solver round-off: no negative weights, sum exactly 1."""
    w = np.clip(w, 0.0, None)
    return w / w.sum()


def _check_values(values: ArrayLike) -> NDArray[np.float64]:
    values = arguments.float_array(values, "values")
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 1:
        raise ValueError(f"values must be (n_options >= 2, n_leaves >= 1), got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    return values


def _check_w0(w0: ArrayLike, n_leaves: int) -> NDArray[np.float64]:
    w0 = arguments.float_array(w0, "w0")
    if w0.shape != (n_leaves,):
        raise ValueError(f"w0 must have shape ({n_leaves},), got {w0.shape}")
    if not np.all(np.isfinite(w0)) or np.any(w0 < 0) or abs(w0.sum() - 1.0) > 1e-9:
        raise ValueError("w0 must be non-negative weights summing to 1")
    return w0


def _check_statements(
    A_ub: ArrayLike | None, b_ub: ArrayLike | None, n_leaves: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if A_ub is None and b_ub is None:
        return np.zeros((0, n_leaves)), np.zeros(0)
    if A_ub is None or b_ub is None:
        raise ValueError("give both A_ub and b_ub, or neither")
    A = np.asarray(A_ub, dtype=float).reshape(-1, n_leaves) if np.size(A_ub) == 0 else np.asarray(A_ub, dtype=float)
    b = np.asarray(b_ub, dtype=float).reshape(-1)
    if A.ndim != 2 or A.shape != (b.shape[0], n_leaves):
        raise ValueError(f"A_ub must be (n_rows, {n_leaves}) and b_ub (n_rows,), got {A.shape} and {b.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(b))):
        raise ValueError("A_ub and b_ub must be finite")
    return A, b
