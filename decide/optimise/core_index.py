"""Robust Portfolio Modelling: which options belong to every strategy that imprecise weights allow.

Under the case's imprecise weight statements the admissible weights are

    W = {w >= 0, sum(w) = 1, imprecise_a @ w <= imprecise_b}

(the whole simplex when the case makes no statement). A strategy's value at weights ``w`` is
``values @ w``, with ``values[c]`` the mean over scenarios of its capped outcome's value on
criterion c minus its mean soft loss on c (a flat penalty is the same loss on every criterion,
as weights sum to 1), so the value stays linear in w. Strategy p dominates q if
it is at least as good for every w in W and better for some; as values are linear in w, checking
W's extreme points suffices (Liesio, Mild & Salo 2007). The non-dominated strategies are those a
decision maker with admissible weights could prefer; an option's core index is the share of them
that contain it: 1 -- a *core* option, in every one; 0 -- *exterior*, in none; in between --
*borderline*.

Adding an option can lower a strategy's value here (a failure profile or a soft penalty), so the
filter runs over *all* feasible strategies, not only the maximal ones of the additive RPM model.

References
----------
.. [1] Liesiö, J., Mild, P., & Salo, A. (2007). Preference programming for robust portfolio
   modeling and project selection. European Journal of Operational Research, 181(3),
   1488-1505. https://doi.org/10.1016/j.ejor.2005.12.041
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.model.strategies import as_space
from decide.optimise.enumeration import ENUMERATION_LIMIT, feasible_strategies
from decide.optimise.evaluate import criterion_means
from decide.optimise.scenarios import STREAM_IN_SAMPLE, Scenarios, SeedLike, draw_scenarios
from decide.spec import Case

__all__ = ["CoreIndexResult", "core_index", "weight_vertices", "pareto_mask"]

_TOL = 1e-12
_MAX_COMBINATIONS = 500_000


@dataclass(frozen=True, eq=False)
class CoreIndexResult:
    """Non-dominated strategies under imprecise weights and each option's core index.

    Attributes
    ----------
    option_ids
        Options a strategy may pursue (the baseline is the empty strategy).
    core_index
        ``(option,)``: share of the non-dominated strategies that contain the option.
    strategies
        The non-dominated strategies (option ids), best first by their mean value over the
        extreme points.
    values
        ``(strategy, vertex)``: each non-dominated strategy's expected value at each extreme point.
    vertices
        ``(vertex, criterion)``: the extreme points of the admissible weights.
    whole_simplex
        True when the case makes no imprecise statement (W is the simplex; vertices are unit vectors).
    """

    option_ids: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    core_index: NDArray[np.float64]
    strategies: tuple[tuple[str, ...], ...]
    values: NDArray[np.float64]
    vertices: NDArray[np.float64]
    whole_simplex: bool
    n_feasible: int
    n_scenarios: int
    seed: int | list[int]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def classification(self) -> tuple[str, ...]:
        """Per option: ``"core"`` (index 1), ``"exterior"`` (0) or ``"borderline"``."""
        return tuple("core" if c >= 1 - 1e-12 else "exterior" if c <= 1e-12 else "borderline" for c in self.core_index)

    @property
    def core(self) -> tuple[str, ...]:
        return tuple(o for o, c in zip(self.option_ids, self.classification) if c == "core")

    @property
    def borderline(self) -> tuple[str, ...]:
        return tuple(o for o, c in zip(self.option_ids, self.classification) if c == "borderline")

    @property
    def exterior(self) -> tuple[str, ...]:
        return tuple(o for o, c in zip(self.option_ids, self.classification) if c == "exterior")

    def to_frame(self) -> pd.DataFrame:
        """Core index and class per option, highest index first."""
        frame = pd.DataFrame({"core_index": self.core_index, "class": self.classification},
                             index=pd.Index(self.option_ids, name="option"))
        return frame.sort_values("core_index", ascending=False, kind="stable")

    def strategies_frame(self) -> pd.DataFrame:
        """The non-dominated strategies with their lowest, mean and highest value over W's vertices."""
        return pd.DataFrame({
            "strategy": [" + ".join(s) or "(do nothing)" for s in self.strategies],
            "min_value": self.values.min(axis=1) if len(self.values) else [],
            "mean_value": self.values.mean(axis=1) if len(self.values) else [],
            "max_value": self.values.max(axis=1) if len(self.values) else [],
        })


def core_index(
    arrays: CaseArrays | Case,
    *,
    n_scenarios: int = 1000,
    rng: SeedLike | None = None,
    scenarios: Scenarios | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> CoreIndexResult:
    """Core index of every option over the strategies non-dominated under imprecise weights.

    Parameters
    ----------
    arrays
        The compiled case (or the case); it needs a baseline option.
    n_scenarios, rng
        Scenarios the expected values are averaged over (ignored when ``scenarios`` is given).
    scenarios
        Ready-made scenarios, e.g. those of :func:`decide.optimise.strategy.optimise_strategies`.
    include, exclude
        Options every strategy must / may not contain.

    Returns
    -------
    CoreIndexResult

    Raises
    ------
    DecideError
        If the case has no baseline, the feasible strategies are too many to enumerate, or the
        imprecise statements leave no admissible weights.

    Examples
    --------
    >>> from decide.load import load_case
    >>> result = core_index(load_case("tests/data/minimal_case.yaml"), n_scenarios=200, rng=1)
    >>> result.vertices.shape[1], len(result.option_ids)
    (3, 2)
    """
    if not isinstance(arrays, CaseArrays):
        arrays = compile_case(arguments.require_case(arrays, "arrays", arrays=True))
    if scenarios is None:
        n_scenarios = arguments.integer(n_scenarios, "n_scenarios")
        rng = arguments.seed(rng, "rng")
    elif not isinstance(scenarios, Scenarios):
        raise arguments.ArgumentTypeError(f"scenarios must be Scenarios from decide.optimise.scenarios.draw_scenarios "
                                          f"or None, not {arguments.given(scenarios)}")
    include, exclude = arguments.ids(include, "include"), arguments.ids(exclude, "exclude")
    timings: dict[str, float] = {}
    space = as_space(arrays)
    t = time.perf_counter()
    X = feasible_strategies(space, include=include, exclude=exclude, limit=ENUMERATION_LIMIT)
    timings["enumerate"] = time.perf_counter() - t
    t = time.perf_counter()
    if scenarios is None:
        scenarios = draw_scenarios(arrays, n_scenarios, rng=rng, stream=STREAM_IN_SAMPLE)
    timings["scenarios"] = time.perf_counter() - t
    t = time.perf_counter()
    means, losses = criterion_means(space, X, scenarios)
    timings["evaluate"] = time.perf_counter() - t

    t = time.perf_counter()
    notes = []
    whole = arrays.imprecise_a.shape[0] == 0
    if whole:
        vertices = np.eye(arrays.n_criteria)
        notes.append("the case makes no imprecise weight statement: W is the whole simplex (its vertices are the "
                     "unit weight vectors)")
    else:
        vertices = weight_vertices(arrays.imprecise_a, arrays.imprecise_b)
    timings["vertices"] = time.perf_counter() - t

    t = time.perf_counter()
    at_vertices = (means - losses) @ vertices.T  # (strategy, vertex)
    keep = pareto_mask(at_vertices)
    timings["filter"] = time.perf_counter() - t
    nd = np.flatnonzero(keep)
    nd = nd[np.argsort(-at_vertices[nd].mean(axis=1), kind="stable")]
    notes.append(f"{len(nd)} of {len(X)} feasible strategies are non-dominated at the {len(vertices)} extreme "
                 "points of W")
    return CoreIndexResult(
        option_ids=space.option_ids,
        criterion_ids=arrays.criterion_ids,
        core_index=X[nd].mean(axis=0),
        strategies=tuple(space.ids(x) for x in X[nd]),
        values=at_vertices[nd],
        vertices=vertices,
        whole_simplex=whole,
        n_feasible=len(X),
        n_scenarios=scenarios.n_draws,
        seed=scenarios.seed,
        timings=timings,
        notes=tuple(notes),
    )


def weight_vertices(a_ub: NDArray[np.float64], b_ub: NDArray[np.float64]) -> NDArray[np.float64]:
    """Extreme points of ``{w >= 0, sum(w) = 1, a_ub @ w <= b_ub}``.

    In the simplex's n - 1 free coordinates (``w_n = 1 - sum of the others``) the set is a
    polytope; where it is full-dimensional its vertices come from qhull (half-space intersection
    around the Chebyshev centre), otherwise (e.g. a weight interval of zero width) from every
    choice of n - 1 active constraints.

    Raises
    ------
    DecideError
        If no weights satisfy the statements.
    """
    from scipy.optimize import linprog

    a_ub = np.atleast_2d(np.asarray(a_ub, dtype=float))
    b_ub = np.asarray(b_ub, dtype=float)
    n = a_ub.shape[1]
    if n == 1:
        return np.ones((1, 1))
    # All constraints as G w <= h, then w_n substituted out: A y <= c.
    G = np.vstack([a_ub, -np.eye(n)])
    h = np.concatenate([b_ub, np.zeros(n)])
    A = G[:, :-1] - G[:, [-1]]
    c = h - G[:, -1]
    norms = np.linalg.norm(A, axis=1)
    trivial = norms < 1e-14
    if np.any(c[trivial] < -1e-12):
        raise DecideError("the imprecise weight statements contradict each other: no weights satisfy them all")
    A, c, norms = A[~trivial], c[~trivial], norms[~trivial]
    centre = linprog(np.r_[np.zeros(n - 1), -1.0], A_ub=np.c_[A, norms], b_ub=c,
                     bounds=[(None, None)] * (n - 1) + [(0, None)], method="highs")
    if centre.status != 0:
        raise DecideError("the imprecise weight statements contradict each other: no weights satisfy them all")
    if centre.x[-1] > 1e-9:
        from scipy.spatial import HalfspaceIntersection

        if n == 2:
            # One free coordinate: the interval's two ends.
            y = centre.x[:1]
            lows = [(c[i]) / A[i, 0] for i in range(len(A)) if A[i, 0] < 0]
            highs = [(c[i]) / A[i, 0] for i in range(len(A)) if A[i, 0] > 0]
            points = np.array([[max(lows)], [min(highs)]]) if lows and highs else y[None]
        else:
            points = HalfspaceIntersection(np.c_[A, -c], centre.x[:-1]).intersections
    else:
        points = _vertices_by_combination(A, c, n - 1)
    W = np.c_[points, 1.0 - points.sum(axis=1)]
    W[np.abs(W) < 1e-13] = 0.0
    W = np.unique(np.round(W, 12), axis=0)
    return W


def _vertices_by_combination(A: NDArray[np.float64], c: NDArray[np.float64], d: int) -> NDArray[np.float64]:
    """Vertices of ``{y : A y <= c}`` (bounded, maybe not full-dimensional) by active sets."""
    m = len(A)
    if math.comb(m, d) > _MAX_COMBINATIONS:
        raise DecideError(f"the admissible weights are degenerate and have too many candidate vertices "
                          f"({math.comb(m, d):,}) to enumerate; loosen an interval of zero width")
    found = []
    for rows in itertools.combinations(range(m), d):
        sub = A[list(rows)]
        if abs(np.linalg.det(sub)) < 1e-12:
            continue
        y = np.linalg.solve(sub, c[list(rows)])
        if np.all(A @ y <= c + 1e-9):
            found.append(y)
    if not found:
        raise DecideError("the imprecise weight statements contradict each other: no weights satisfy them all")
    return np.array(found)


def pareto_mask(values: NDArray[np.float64], tol: float = _TOL) -> NDArray[np.bool_]:
    """Rows of ``values`` (to maximise in every column) that no other row dominates.

    Row p dominates row q if ``p >= q - tol`` everywhere and ``p > q + tol`` somewhere. Rows are
    visited in decreasing order of their sum, so dominating rows come first, and each is compared
    with the non-dominated rows found so far (a compiled loop that stops at the first column
    ruling dominance out).

    Examples
    --------
    >>> pareto_mask(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.4, 0.4], [1.0, 0.0]])).tolist()
    [True, True, True, False, True]
    """
    from decide.optimise._strategy_kernels import pareto_front

    values = np.ascontiguousarray(values, dtype=float)
    keep = np.zeros(len(values), dtype=bool)
    if len(values):
        order = np.argsort(-values.sum(axis=1), kind="stable").astype(np.int64)
        pareto_front(values, order, float(tol), keep)
    return keep
