"""The recommended strategy across stakeholders and admissible weights (DESIGN.md, "Who decides, and
what the report recommends"): a recommendation never rests on one assumed weight profile alone.

Every feasible strategy's expected value is linear in the weights: with ``means`` its mean value on
each criterion over the scenarios and ``penalty`` its mean soft penalty (weights sum to one),
``value(w) = (means - penalty) @ w``. :func:`portfolio_standing` evaluates every feasible strategy
once, on the strategies engine's own in-sample scenarios (so under the profile the recommendation
was chosen with, its best is the recommendation), and reads from that one matrix:

- under each stakeholder profile: the best strategy, how far the recommendation falls short of it
  (paired standard error), and its gain over doing nothing;
- under the case's imprecise weight statements (SMAA): how often each strategy is best for weights
  drawn uniformly from the admissible set, the recommendation's share and its central weights;
- the smallest change of the weights (L1) under which another strategy is at least as good as the
  recommendation, over the whole simplex (exact: a fractional knapsack per strategy) and within the
  imprecise statements (linear programs, HiGHS via SciPy);
- the core index (Robust Portfolio Modelling) over a shortlist: the strategies among the ``top``
  best at some extreme point of the admissible weights. Any strategy dominating a shortlisted one
  is at least as good at every extreme point, so it is shortlisted too: the non-dominated
  strategies of the shortlist are exactly the non-dominated strategies that rank among the
  ``top`` best somewhere, and their count is stated beside the index.

References
----------
.. [1] Liesiö, J., Mild, P., & Salo, A. (2007). Preference programming for robust portfolio modeling
   and project selection. European Journal of Operational Research, 181(3), 1488-1505.
.. [2] Lahdelma, R., & Salminen, P. (2001). SMAA-2: Stochastic multicriteria acceptability analysis
   for group decision making. Operations Research, 49(3), 444-454.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays

__all__ = ["PortfolioStanding", "portfolio_standing", "least_change_l1", "admissible_weights", "preference_smaa"]


@dataclass(frozen=True, eq=False)
class PortfolioStanding:
    """Where the recommended strategy stands across profiles and admissible weights."""

    option_ids: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    recommended: tuple[str, ...]
    n_feasible: int
    n_scenarios: int
    recommended_is_best: bool
    """Whether the recommendation is the best feasible strategy on these scenarios under its profile
    (False only where the strategies engine solved a MILP to a gap)."""
    profile_ids: tuple[str, ...]
    profile_best: tuple[tuple[str, ...], ...]
    """Each profile's best strategy on these scenarios."""
    profile_gap: NDArray[np.float64]
    """(profile,): recommendation's expected value minus the profile's best (0 where it is the best)."""
    profile_gap_se: NDArray[np.float64]
    profile_gain: NDArray[np.float64]
    """(profile,): recommendation's expected value minus doing nothing's."""
    profile_gain_se: NDArray[np.float64]
    profile_n_scenarios: int
    """The scenarios the profiles' gaps and gains are estimated on: fresh ones (out of sample) where
    given, so that each best, chosen on the search's scenarios, is not judged on them too."""
    smaa_mode: str
    """``"imprecise"`` (uniform on the statements' admissible set) or ``"uniform"`` (the simplex)."""
    smaa_n: int
    smaa_strategies: tuple[tuple[str, ...], ...]
    """Strategies best for some drawn weight vector, most often first."""
    smaa_share: NDArray[np.float64]
    smaa_recommended: float
    """Share of the drawn admissible weights under which the recommendation is best."""
    smaa_recommended_se: float
    smaa_regret: float
    """Mean shortfall of the recommendation from the best strategy over the drawn weights."""
    smaa_central: NDArray[np.float64] | None
    """Mean of the drawn weights under which the recommendation is best (None if it never is)."""
    least_l1: float
    """Smallest L1 change of the weights under which another strategy is at least as good (inf: none)."""
    least_challenger: tuple[str, ...]
    least_weights: NDArray[np.float64] | None
    least_within_statements: bool | None
    """Whether those weights satisfy the case's imprecise statements (None without statements)."""
    least_l1_admissible: float
    """The same, with the weights kept within the imprecise statements (nan without statements;
    inf where no admissible weights make another strategy as good)."""
    least_challenger_admissible: tuple[str, ...]
    default_admissible: bool | None
    """Whether the profile's own weights satisfy the imprecise statements."""
    shortlist_top: int
    n_vertices: int
    n_shortlist: int
    n_nondominated: int
    core_index: NDArray[np.float64]
    """(option,): share of the shortlisted non-dominated strategies that contain the option."""
    recommended_values: NDArray[np.float64] | None = None
    """(criterion,): the recommendation's mean value on each criterion, less its soft losses (on the
    scenarios of :attr:`profile_n_scenarios`)."""
    nothing_values: NDArray[np.float64] | None = None
    """(criterion,): the same for doing nothing (the baseline)."""
    weights: NDArray[np.float64] | None = None
    """(criterion,): the profile's weights the recommendation was chosen with."""
    notes: tuple[str, ...] = field(default=())

    def profile_verdicts(self) -> tuple[str, ...]:
        """Per profile: ``"best"`` (its best strategy is the recommendation), ``"behind"`` (the
        recommendation falls short of that best by more than two standard errors) or ``"close"``
        (within two, or ahead of it on the fresh scenarios)."""
        return tuple("best" if tuple(b) == tuple(self.recommended) else "behind" if g <= -2 * e else "close"
                     for b, g, e in zip(self.profile_best, self.profile_gap, self.profile_gap_se))


def least_change_l1(deltas: NDArray[np.float64], w0: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Smallest L1 change of ``w0`` on the simplex after which ``deltas[k] @ w >= 0``, for every row k.

    Moving mass from criterion i to j raises ``d @ w`` by ``d_j - d_i`` per unit at an L1 cost of 2;
    the cheapest moves give everything to the criterion where ``d`` is largest and take from the
    criteria where it is smallest first (a fractional knapsack, exact). Returns the distances (0
    where the row already holds, inf where no weights make it hold) and, per row, the position in
    the greedy order of the last source criterion used.

    Examples
    --------
    >>> d, _ = least_change_l1(np.array([[-0.1, 0.1]]), np.array([0.75, 0.25]))
    >>> round(float(d[0]), 12)  # to (0.5, 0.5): 0.25 moved, L1 0.5
    0.5
    """
    deltas = np.atleast_2d(np.asarray(deltas, dtype=float))
    w0 = np.asarray(w0, dtype=float)
    need = -(deltas @ w0)
    best = deltas.max(axis=1)
    order = np.argsort(deltas, axis=1, kind="stable")
    sorted_d = np.take_along_axis(deltas, order, axis=1)
    capacity = w0[order]
    gains = (best[:, None] - sorted_d) * capacity
    cumulative = np.cumsum(gains, axis=1)
    moved_before = np.cumsum(capacity, axis=1) - capacity
    gained_before = cumulative - gains
    enough = cumulative >= need[:, None] - 1e-15
    k = np.where(enough.any(axis=1), enough.argmax(axis=1), deltas.shape[1] - 1)
    rows = np.arange(len(deltas))
    rate = best - sorted_d[rows, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = np.where(rate > 0, (need - gained_before[rows, k]) / rate, np.inf)
    distance = 2 * (moved_before[rows, k] + partial)
    distance = np.where(need <= 0, 0.0, np.where(enough.any(axis=1), distance, np.inf))
    return distance, k


def admissible_weights(arrays: CaseArrays, n: int, *, rng: int) -> tuple[NDArray[np.float64], str]:
    """``n`` weight vectors uniform on the admissible set of the case's imprecise statements (the
    simplex when it makes none), and the mode (``"imprecise"`` or ``"uniform"``).

    Uniform simplex draws (normalised Exp(1), the SMAA convention) kept where they satisfy the
    statements: exactly uniform on the admissible set. Where fewer than one draw in a thousand is
    kept, the Monte Carlo engine's hit-and-run sampler takes over.
    """
    a_ub, b_ub = np.asarray(arrays.imprecise_a, dtype=float), np.asarray(arrays.imprecise_b, dtype=float)
    generator = np.random.default_rng(np.random.SeedSequence(rng, spawn_key=(7,)))
    n_c = arrays.n_criteria
    if a_ub.shape[0] == 0:
        e = generator.exponential(size=(n, n_c))
        return e / e.sum(axis=1, keepdims=True), "uniform"
    kept, tried = [], 0
    while sum(len(k) for k in kept) < n and tried < 1_000_000:
        e = generator.exponential(size=(max(4 * n, 10_000), n_c))
        w = e / e.sum(axis=1, keepdims=True)
        tried += len(w)
        kept.append(w[(w @ a_ub.T <= b_ub + 1e-12).all(axis=1)])
    W = np.vstack(kept)
    if len(W) >= n:
        return W[:n], "imprecise"
    from decide.montecarlo.weight_sampling import sample_weights

    return sample_weights(arrays, n, weights="imprecise", rng=rng), "imprecise"


def preference_smaa(values: NDArray[np.float64], weights: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    """SMAA over drawn weights of alternatives with fixed expected criterion values ``values``
    (alternative, criterion): preference uncertainty alone, the world's averaged out.

    Returns the share of weights under which each alternative is best (first-rank acceptability,
    ties shared), its central weight vector (mean of those weights; NaN where it is never best) and
    its mean shortfall from the best (expected regret over the weights).
    """
    at = values @ weights.T  # (alternative, weight)
    top = at.max(axis=0)
    best = at >= top - 1e-12
    share = (best / best.sum(axis=0)).mean(axis=1)
    counts = best.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = (best.astype(float) @ weights) / counts[:, None]
    return {"p_best": share, "central": central, "regret": (top - at).mean(axis=1)}


def _moved_weights(delta: NDArray[np.float64], w0: NDArray[np.float64]) -> NDArray[np.float64]:
    """The weights :func:`least_change_l1` reaches for one row."""
    need = -(delta @ w0)
    w = w0.copy()
    if need <= 0:
        return w
    target = int(np.argmax(delta))
    for i in np.argsort(delta, kind="stable"):
        if i == target or need <= 0:
            continue
        rate = delta[target] - delta[i]
        if rate <= 0:
            break
        amount = min(w0[i], need / rate)
        w[i] -= amount
        w[target] += amount
        need -= amount * rate
    return w


def _least_change_within(deltas: NDArray[np.float64], w0: NDArray[np.float64], a_ub: NDArray[np.float64],
                         b_ub: NDArray[np.float64], candidates: NDArray[np.intp],
                         lower_bounds: NDArray[np.float64]) -> tuple[float, int]:
    """Smallest L1 change keeping the weights within ``a_ub @ w <= b_ub``, over ``candidates``
    visited by increasing unconstrained distance (a lower bound), stopping once none can do better."""
    from scipy.optimize import linprog

    n = len(w0)
    # Variables (w, t) with t >= |w - w0|; minimise sum t.
    c = np.r_[np.zeros(n), np.ones(n)]
    eye = np.eye(n)
    base_ub = np.block([[eye, -eye], [-eye, -eye], [a_ub, np.zeros((len(a_ub), n))]])
    base_b = np.r_[w0, -w0, b_ub]
    a_eq = np.r_[np.ones(n), np.zeros(n)][None]
    best, arg = np.inf, -1
    for k in candidates:
        if lower_bounds[k] >= best - 1e-12:
            break
        res = linprog(c, A_ub=np.vstack([base_ub, np.r_[-deltas[k], np.zeros(n)]]), b_ub=np.r_[base_b, 0.0],
                      A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * (2 * n), method="highs")
        if res.status == 0 and res.fun < best:
            best, arg = float(res.fun), int(k)
    return best, arg


def _net(means: NDArray[np.float64], losses: NDArray[np.float64]) -> NDArray[np.float64]:
    """Means less soft losses, per criterion: a flat penalty (one per strategy) counts on every
    criterion, which with weights summing to one is the penalty itself."""
    return means - (losses[:, None] if losses.ndim == 1 else losses)


def portfolio_standing(arrays: CaseArrays, recommended: tuple[str, ...], *, weights: str | None, rng: int,
                       n_scenarios: int = 1000, smaa_n: int = 1000, top: int = 50,
                       max_programs: int = 200, evaluated=None, fresh=None) -> PortfolioStanding:
    """Evaluate every feasible strategy once and place ``recommended`` among them.

    ``weights`` is the profile the recommendation was chosen with (None: the case's default);
    ``rng`` and ``n_scenarios`` those of :func:`decide.optimise.strategy.optimise_strategies`, so
    that the scenarios are the very ones it chose on. ``evaluated``: that search's
    ``StrategyResult.evaluated`` (every strategy's net criterion values on those scenarios),
    reused instead of evaluating them again where it covers the same strategies. ``fresh``: other
    scenarios (the out-of-sample ones the report's other comparisons use) on which each profile's
    gap and gain are estimated; without them, the search's own.
    """
    from decide.optimise.core_index import pareto_mask, weight_vertices
    from decide.optimise.scenarios import STREAM_IN_SAMPLE, draw_scenarios
    from decide.optimise.strategy import (ENUMERATION_LIMIT, criterion_means, feasible_strategies, scenario_values,
                                          strategy_space)
    from decide.score import resolve_weights

    space = strategy_space(arrays)
    X = feasible_strategies(space, limit=ENUMERATION_LIMIT)
    scenarios = draw_scenarios(arrays, n_scenarios, rng=rng, stream=STREAM_IN_SAMPLE)
    if evaluated is not None and np.array_equal(evaluated[0], X):
        net = evaluated[1]  # the strategies search's own evaluation of these strategies
    else:
        net = _net(*criterion_means(space, X, scenarios))  # value(w) = net @ w for weights summing to one
    rec_x = space.vector(list(recommended))
    matches = np.flatnonzero((X == rec_x).all(axis=1))
    notes: list[str] = []
    if not len(matches):  # not among the enumerated strategies (cannot happen for a feasible one)
        X = np.vstack([X, rec_x])
        net = np.vstack([net, _net(*criterion_means(space, rec_x[None], scenarios))])
        matches = np.array([len(X) - 1])
    rec = int(matches[0])
    nothing = int(np.flatnonzero(~X.any(axis=1))[0]) if (~X.any(axis=1)).any() else None
    w0, _ = resolve_weights(arrays, weights)
    at_w0 = net @ w0
    recommended_is_best = bool(at_w0[rec] >= at_w0.max() - 1e-12)
    if not recommended_is_best:
        notes.append(f"on these scenarios the best strategy under the profile is "
                     f"{' + '.join(space.ids(X[int(np.argmax(at_w0))]))}, ahead of the recommendation by "
                     f"{at_w0.max() - at_w0[rec]:.4f}")

    # Each profile: its best strategy (on the search's scenarios), and the recommendation's shortfall
    # from it and gain over doing nothing, paired, on fresh scenarios where given (out of sample).
    compare_on = fresh if fresh is not None else scenarios
    profile_ids = tuple(arrays.profile_ids)
    P = np.asarray(arrays.profile_weights, dtype=float).reshape(len(profile_ids), arrays.n_criteria)
    at_profiles = net @ P.T if len(profile_ids) else np.empty((len(X), 0))
    best_rows = at_profiles.argmax(axis=0) if len(profile_ids) else np.empty(0, dtype=np.intp)
    gap = np.zeros(len(profile_ids))
    gap_se = np.zeros(len(profile_ids))
    gain = np.full(len(profile_ids), np.nan)
    gain_se = np.full(len(profile_ids), np.nan)
    # One evaluation on those scenarios, per criterion: the recommendation's and doing nothing's
    # criterion values (whose weighted difference is the gain the report quotes) and, weighted by
    # each profile, the per-draw values its comparisons are read from.
    pair = [rec] + ([nothing] if nothing is not None else [])
    rows = pair + [int(r) for r in best_rows]
    per_criterion = scenario_values(space, X[rows], compare_on, np.eye(arrays.n_criteria))  # (strategy, c, draw)
    shown = per_criterion[:len(pair)].mean(axis=2)
    if len(profile_ids):
        per_draw = np.einsum("scd,pc->spd", per_criterion, P)  # (strategy, profile, draw)
        n = per_draw.shape[-1]
        for p in range(len(profile_ids)):
            best_draws = per_draw[(2 if nothing is not None else 1) + p, p]
            diff = per_draw[0, p] - best_draws
            gap[p], gap_se[p] = diff.mean(), diff.std(ddof=1) / np.sqrt(n)
            if nothing is not None:
                g = per_draw[0, p] - per_draw[1, p]
                gain[p], gain_se[p] = g.mean(), g.std(ddof=1) / np.sqrt(n)

    # SMAA over the admissible weights: world uncertainty averaged out, preferences drawn.
    imprecise = arrays.imprecise_a.shape[0] > 0
    W, mode = admissible_weights(arrays, smaa_n, rng=rng)
    counts = np.zeros(len(X), dtype=np.int64)
    regret = np.empty(len(W))
    rec_best = np.zeros(len(W), dtype=bool)
    for start in range(0, len(W), 250):
        block = W[start:start + 250] @ net.T  # (weight, strategy): each weight's values in one row
        winners = block.argmax(axis=1)
        best = block[np.arange(len(block)), winners]
        np.add.at(counts, winners, 1)
        regret[start:start + 250] = best - block[:, rec]
        rec_best[start:start + 250] = block[:, rec] >= best - 1e-12
    winners = np.flatnonzero(counts)[np.argsort(-counts[np.flatnonzero(counts)], kind="stable")]
    share_rec = float(rec_best.mean())

    # Least change of the weights: any strategy at least as good as the recommendation.
    deltas = net - net[rec]
    deltas[rec] = -np.inf  # never itself
    finite = np.isfinite(deltas).all(axis=1)
    distance = np.full(len(X), np.inf)
    distance[finite], _ = least_change_l1(deltas[finite], w0)
    challenger = int(np.argmin(distance))
    least = float(distance[challenger])
    least_w = _moved_weights(deltas[challenger], w0) if np.isfinite(least) else None
    within = default_ok = None
    least_adm, challenger_adm = float("nan"), ()
    if imprecise:
        a_ub, b_ub = np.asarray(arrays.imprecise_a, dtype=float), np.asarray(arrays.imprecise_b, dtype=float)
        default_ok = bool(np.all(a_ub @ w0 <= b_ub + 1e-9))
        within = bool(least_w is not None and np.all(a_ub @ least_w <= b_ub + 1e-9))
        order = np.argsort(distance, kind="stable")
        order = order[np.isfinite(distance[order])][:max_programs]
        least_adm, arg = _least_change_within(np.where(np.isfinite(deltas), deltas, 0.0), w0, a_ub, b_ub, order,
                                              distance)
        challenger_adm = space.ids(X[arg]) if arg >= 0 else ()
        if len(order) == max_programs and np.isfinite(least_adm) and distance[order[-1]] < least_adm:
            notes.append(f"least change within the statements: the {max_programs} strategies nearest without "
                         "them were tried; another might need less")

    # Core index over the shortlist (see the module notes).
    vertices = weight_vertices(arrays.imprecise_a, arrays.imprecise_b) if imprecise else np.eye(arrays.n_criteria)
    k = min(top, len(X))
    short: set[int] = {rec}
    for start in range(0, len(vertices), 32):
        block = vertices[start:start + 32] @ net.T  # (vertex, strategy)
        short.update(np.argpartition(-block, k - 1, axis=1)[:, :k].ravel().tolist())
    short_rows = np.array(sorted(short))
    keep = pareto_mask(net[short_rows] @ vertices.T)
    nd = short_rows[keep]
    return PortfolioStanding(
        option_ids=space.option_ids, criterion_ids=tuple(arrays.criterion_ids), recommended=tuple(recommended),
        n_feasible=len(X), n_scenarios=scenarios.n_draws, recommended_is_best=recommended_is_best,
        profile_ids=profile_ids, profile_best=tuple(space.ids(X[r]) for r in best_rows),
        profile_gap=gap, profile_gap_se=gap_se, profile_gain=gain, profile_gain_se=gain_se,
        profile_n_scenarios=compare_on.n_draws,
        smaa_mode=mode, smaa_n=len(W), smaa_strategies=tuple(space.ids(X[r]) for r in winners),
        smaa_share=counts[winners] / len(W), smaa_recommended=share_rec,
        smaa_recommended_se=float(np.sqrt(share_rec * (1 - share_rec) / len(W))),
        smaa_regret=float(regret.mean()), smaa_central=W[rec_best].mean(axis=0) if rec_best.any() else None,
        least_l1=least, least_challenger=space.ids(X[challenger]) if np.isfinite(least) else (),
        least_weights=least_w, least_within_statements=within, least_l1_admissible=least_adm,
        least_challenger_admissible=challenger_adm, default_admissible=default_ok,
        shortlist_top=k, n_vertices=len(vertices), n_shortlist=len(short_rows), n_nondominated=len(nd),
        core_index=X[nd].mean(axis=0) if len(nd) else np.zeros(space.n_options),
        recommended_values=shown[0], nothing_values=shown[1] if nothing is not None else None,
        weights=np.asarray(w0, dtype=float), notes=tuple(notes))
