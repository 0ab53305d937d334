"""Best strategies by the MILP: solves within one time limit, runners-up, a local-search stand-in."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from decide.errors import DecideError
from decide.model.strategies import StrategySpace, forced_and_banned, strategy_problems
from decide.optimise.enumeration import TooMany, enumerate_strategies
from decide.optimise.evaluate import criterion_means
from decide.optimise.milp.model import strategy_spec
from decide.optimise.milp.pyomo_model import MilpSolution, pyomo_model, solve_strategy_model
from decide.optimise.milp.spec import Spec
from decide.optimise.objectives import Found, Target, on_scenarios
from decide.optimise.scenarios import Scenarios

if TYPE_CHECKING:  # pragma: no cover
    import pyomo.environ as pyo

__all__ = ["MILP_CELLS", "SUBSET_OPTIONS", "solve_strategies"]

logger = logging.getLogger(__name__)

MILP_CELLS = 2000
"""Most outcome cells (criteria x scenarios) the MILP is written on by default: with more
scenarios, it is solved on the first ``MILP_CELLS // n_criteria`` (its gap certified on them), and
the strategies it finds are compared with a local search's and an enumeration's around them on
every scenario (:func:`solve_strategies`). HiGHS's bound on the capped outcomes weakens fast with
the cells (benchmarks/NOTES.md)."""

SUBSET_OPTIONS = 14
"""Options the enumeration around the best strategy found combines (at most 2^14 strategies)."""

_PRESOLVE_SECONDS_PER_NONZERO = 1e-4
"""A generous upper estimate of HiGHS's MIP presolve time per nonzero of the strategy model
(measured: benchmarks/NOTES.md)."""


def solve_strategies(space: StrategySpace, scenarios: Scenarios, target: Target, *, include: Sequence[str],
                     exclude: Sequence[str], time_limit: float, top: int, timings: dict[str, float],
                     milp_scenarios: int | None = None) -> Found:
    """Best strategies by the MILP, re-evaluated exactly on the same scenarios.

    Maximin's gains are over doing nothing on these scenarios. Minimax regret first solves each
    profile's own problem for its best value (its optimum is kept as a candidate for the profile's
    best out of sample, ``Found.references``). With at most ``milp_scenarios`` scenarios (None:
    ``MILP_CELLS // n_criteria``), the MILP is written on all of them and, once optimal, the
    runners-up come from re-solving with the strategies found cut off.

    With more scenarios, or where HiGHS stops at the time limit, the MILP proposes and exact
    evaluation disposes: a local search on every scenario runs first, the MILP is solved on the
    first ``milp_scenarios`` scenarios (its gap certified there), and its strategies, a local
    search from the best of them and every strategy over the options of the best and the most
    promising others (:data:`SUBSET_OPTIONS` in all) are compared exactly on every scenario; the
    best few of all strategies evaluated are reported.
    """
    from decide.optimise.solve import highs

    forced, banned = forced_and_banned(space, include, exclude)
    notes: list[str] = []
    target = on_scenarios(space, scenarios, target)
    references: list[NDArray[np.bool_]] = []
    # One clock for the whole search: every solve takes what is left of the time limit (with more
    # scenarios than the MILP is written on, 70% of it: the comparison on every scenario gets the
    # rest), and the local search has a last tenth, so the wall time stays within the time limit
    # plus the models' build.
    clock = _Clock(0.9 * time_limit)
    pool = _Pool(space, scenarios, target)
    if milp_scenarios is None:
        milp_scenarios = max(1, MILP_CELLS // space.arrays.n_criteria)
    subsampled = scenarios.n_draws > milp_scenarios
    sub = _first_scenarios(scenarios, milp_scenarios) if subsampled else scenarios
    milp_share = 0.7 if subsampled else 1.0
    if subsampled:
        h = time.perf_counter()
        _seed(space, pool, forced, banned, deadline=time.perf_counter() + 0.1 * time_limit)
        timings["heuristic"] = time.perf_counter() - h
    sub_target = on_scenarios(space, sub, target)
    t = time.perf_counter()
    spec, poly = strategy_spec(space, sub, sub_target.weights, forced, banned)
    build = time.perf_counter() - t
    solve_seconds = 0.0
    solver = highs()
    presolve = _presolve_fits(spec, time_limit)

    def solve(model: pyo.ConcreteModel, share: float = 1.0, **kwargs: Any) -> MilpSolution:
        nonlocal build
        t = time.perf_counter()
        solution = solve_strategy_model(model, time_limit=clock.left() * share * milp_share, presolve=presolve,
                                        **kwargs)
        build += clock.pause(max(time.perf_counter() - t - solution.seconds, 0.0))  # Pyomo's translation
        return solution

    if sub_target.objective == "minimax_regret":
        best = np.empty(len(sub_target.profiles))
        for p in range(len(sub_target.profiles)):
            t = time.perf_counter()
            single = Spec(spec.col_lower, spec.col_upper, spec.col_integer, spec.groups, spec.blocks,
                          spec.objective[p:p + 1], spec.constant[p:p + 1])
            model = pyomo_model(single, "expected", name=f"strategies_{sub_target.profiles[p]}")
            build += clock.pause(time.perf_counter() - t)
            # each profile's own problem gets an equal share of what is left, the last share the main one
            solution = solve(model, share=1 / (len(sub_target.profiles) + 1 - p))
            solve_seconds += solution.seconds
            if solution.x is None:  # out of time: the local search's best stands in
                own = Target("expected", sub_target.weights[p:p + 1], sub_target.profiles[p:p + 1])
                stand_in = _heuristic(space, lambda X: _objective(space, sub, own, X), forced, banned,
                                      deadline=time.perf_counter() + 0.1 * time_limit / len(sub_target.profiles))
                best[p] = _objective(space, sub, own, stand_in[None])[0]
                references.append(stand_in)
                notes.append(f"profile {sub_target.profiles[p]}'s best value is a local search's: HiGHS found no "
                             "strategy in its share of the time limit, so regrets may be understated")
                continue
            best[p] = solution.objective
            references.append(solution.x)
            if solution.status != "optimal":
                notes.append(f"profile {sub_target.profiles[p]}'s best value is HiGHS's incumbent at the time limit "
                             f"(gap {solution.gap:.2%}): regrets may be understated")
        sub_target = replace(sub_target, best=best)
        if not subsampled:
            target = sub_target

    t = time.perf_counter()
    model = pyomo_model(spec, sub_target.objective, sub_target.best, status_quo=sub_target.status_quo)
    build += clock.pause(time.perf_counter() - t)
    first = solve(model, solver=solver)
    solve_seconds += first.seconds
    if first.status == "infeasible":
        raise DecideError("no strategy satisfies the budgets, dependencies and exclusions"
                          + (f" with {', '.join(include)} included" if len(include) else ""))

    t, polish = time.perf_counter(), 0.0
    status, bound, gap = first.status, first.bound, first.gap
    if not np.isfinite(bound):
        # Stopped before HiGHS had a bound: fall back on the outcome ranges' (loose) one.
        if sub_target.objective == "expected":
            bound = spec.ceiling[0]
        elif sub_target.objective == "maximin":
            bound = (spec.ceiling - sub_target.status_quo).min()
        else:
            bound = 0.0
        notes.append("HiGHS had no bound at the time limit; the gap is measured against the bound the outcome "
                     "ranges give (loose)")
    found = [first.x] if first.x is not None else []
    if status == "optimal" and not subsampled:
        # Runners-up: cut off what was found and solve again, while the time limit allows.
        while len(found) < top and time.perf_counter() < clock.deadline:
            x = found[-1]
            free = [k for k in model.x if not (forced[k] or poly.dead[k])]
            if not free:
                break
            model.no_good.add(sum(1 - model.x[k] for k in free if x[k])
                              + sum(model.x[k] for k in free if not x[k]) >= 1)
            nxt = solve(model, solver=solver)
            solve_seconds += nxt.seconds
            if nxt.x is None or nxt.status == "infeasible":
                break
            found.append(nxt.x)
            if nxt.status != "optimal":
                notes.append(f"runner-up {len(found)} is HiGHS's incumbent at the time limit")
                break
        if len(found) < top:
            notes.append(f"the MILP reports {len(found)} strategies (runners-up are found by re-solving)")
        X = np.array(found)
        in_sample = _objective(space, scenarios, target, X)
        if abs(in_sample[0] - first.objective) > 1e-6 * max(1.0, abs(first.objective)):
            logger.warning("MILP objective %.9g differs from the exact evaluation %.9g", first.objective, in_sample[0])
    else:
        # The MILP's strategies, then a local search from the best strategy so far and every
        # strategy over the options of the best and the most promising others, all compared
        # exactly on every scenario; the best few of everything evaluated are reported.
        pool.objective(np.array(found + references).reshape(-1, space.n_options))
        h = time.perf_counter()
        deadline = time.perf_counter() + max(clock.left(), 0.0) + 0.1 * time_limit
        start, _ = pool.top(1)
        _heuristic(space, pool.objective, forced, banned, start=start[0] if len(start) else None, deadline=deadline)
        _enumerate_around(space, pool, forced, banned, SUBSET_OPTIONS, deadline)
        polish = time.perf_counter() - h
        timings["heuristic"] = timings.get("heuristic", 0.0) + polish
        X, in_sample = pool.top(top)
        if len(X) == 0:
            raise DecideError("no strategy was found within the time limit")
        target = pool.scored()
        if target.objective == "minimax_regret":
            references += list(pool.profile_best())
            notes.append("each profile's best value is the best among the strategies evaluated (a lower bound): "
                         "regrets may be understated")
        on_milp = _objective(space, sub, sub_target, X[:1])[0]
        gap = abs(bound - on_milp) / max(abs(on_milp), 1e-10)
        if found and not np.array_equal(X[0], found[0]):
            notes.append("the MILP's strategy was bettered by the local search or the enumeration around it "
                         "(compared on every scenario)")
        if subsampled:
            notes.append(f"the MILP was solved on the first {sub.n_draws:,} of the {scenarios.n_draws:,} scenarios "
                         f"(HiGHS {'proved its optimum' if status == 'optimal' else 'stopped at its time limit'} "
                         f"there; the gap, {gap:.2%}, is the best strategy's on them); its strategies and "
                         f"{len(pool) - 1:,} others were compared on all {scenarios.n_draws:,}")
            status = f"{status} on {sub.n_draws:,} scenarios"
        elif first.x is None:
            notes.append(f"HiGHS found no strategy within {time_limit:g} s; the local search's strategies stand in")
    timings["evaluate"] = time.perf_counter() - t - polish
    timings["build"] = build
    timings["solve"] = solve_seconds
    if status == "time limit":
        notes.append(f"MILP stopped at its time limit ({time_limit:g} s): gap {gap:.2%}")
    sign = -1.0 if target.objective == "minimax_regret" else 1.0
    return Found(X, sign * np.asarray(in_sample), "milp", status, float(gap), sign * float(bound), tuple(notes),
                 target, np.array(references) if references else None)


def _first_scenarios(scenarios: Scenarios, n: int) -> Scenarios:
    """The first ``n`` scenarios (each scenario's draws are its own: any prefix is a sample)."""
    stages = None if scenarios.stage_failures is None else scenarios.stage_failures[:n]
    return replace(scenarios, planned=scenarios.planned[:n], failure=scenarios.failure[:n],
                   probabilities=scenarios.probabilities[:n], latent=scenarios.latent[:n], stage_failures=stages)


def _objective(space: StrategySpace, scenarios: Scenarios, target: Target,
               X: NDArray[np.bool_]) -> NDArray[np.float64]:
    """In-sample objective (maximised) of strategies, computed exactly."""
    return target.score(_profile_values(space, scenarios, target, X))


def _profile_values(space: StrategySpace, scenarios: Scenarios, target: Target,
                    X: NDArray[np.bool_]) -> NDArray[np.float64]:
    """(strategy, profile): expected values of strategies, computed exactly."""
    means, losses = criterion_means(space, X, scenarios)
    return (means - losses) @ target.weights.T


class _Pool:
    """Every strategy evaluated on the search's scenarios, with its expected value per profile."""

    def __init__(self, space: StrategySpace, scenarios: Scenarios, target: Target):
        self.space, self.scenarios, self.target = space, scenarios, target
        self.rows: dict[bytes, int] = {}
        self.strategies: list[NDArray[np.bool_]] = []
        self.values = np.zeros((0, len(target.profiles)))

    def __len__(self) -> int:
        return len(self.strategies)

    def profile_values(self, X: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(strategy, profile) expected values, evaluating only the strategies not seen before."""
        X = np.asarray(X, dtype=bool).reshape(-1, self.space.n_options)
        keys = [x.tobytes() for x in X]
        new = [k for k in dict.fromkeys(keys) if k not in self.rows]
        if new:
            Y = np.array([np.frombuffer(k, dtype=bool) for k in new])
            self.values = np.concatenate([self.values, _profile_values(self.space, self.scenarios, self.target, Y)])
            for k, y in zip(new, Y):
                self.rows[k] = len(self.strategies)
                self.strategies.append(y)
        return self.values[[self.rows[k] for k in keys]]

    def scored(self) -> Target:
        """The target on these scenarios; minimax regret's best per profile is the best seen (a lower bound)."""
        if self.target.objective == "minimax_regret":
            return replace(self.target, best=self.values.max(axis=0))
        return self.target

    def objective(self, X: NDArray[np.bool_]) -> NDArray[np.float64]:
        """The objective (maximised) of strategies."""
        values = self.profile_values(X)
        return self.scored().score(values) if len(values) else np.zeros(0)

    def top(self, k: int) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """The ``k`` best strategies seen, best first, and their objective."""
        if not self.strategies:
            return np.zeros((0, self.space.n_options), dtype=bool), np.zeros(0)
        objective = self.scored().score(self.values)
        order = np.argsort(-objective, kind="stable")[:k]
        return np.array([self.strategies[i] for i in order]), objective[order]

    def profile_best(self) -> NDArray[np.bool_]:
        """Each profile's best strategy seen."""
        return np.array([self.strategies[i] for i in np.unique(self.values.argmax(axis=0))])


def _seed(space: StrategySpace, pool: _Pool, forced: NDArray[np.bool_], banned: NDArray[np.bool_],
          deadline: float) -> None:
    """Local searches on every scenario before the MILP: for the objective and, for a robust one,
    each profile's expected value (its best is the reference of the regrets)."""
    n_p = len(pool.target.profiles) if pool.target.objective != "expected" else 0
    start = time.perf_counter()
    share = (deadline - start) / (n_p + 1)
    for p in range(n_p):
        _heuristic(space, lambda X, p=p: pool.profile_values(X)[:, p], forced, banned,
                   deadline=start + (p + 1) * share)
    _heuristic(space, pool.objective, forced, banned, deadline=deadline)


def _feasible(space: StrategySpace, forced: NDArray[np.bool_], banned: NDArray[np.bool_],
              y: NDArray[np.bool_]) -> bool:
    return not (y & banned).any() and not (forced & ~y).any() and not strategy_problems(space, y)


def _enumerate_around(space: StrategySpace, pool: _Pool, forced: NDArray[np.bool_], banned: NDArray[np.bool_],
                      size: int, deadline: float) -> None:
    """Every feasible strategy over the options of the best strategy so far and the most promising
    others (by what adding each, with its dependencies, does to it), up to ``size`` options (more if
    the best has more), evaluated into the pool while the deadline allows."""
    best, _ = pool.top(1)
    centre = best[0] if len(best) else forced.copy()
    free = ~forced & ~banned
    chosen = centre & free
    # an addition that breaks a rule ranks last (only feasible strategies enter the pool)
    candidates = np.flatnonzero(free & ~centre)
    fits = np.array([_feasible(space, forced, banned, centre | space.closure[k]) for k in candidates], dtype=bool)
    gains = np.full(len(candidates), -np.inf)
    if fits.any():
        gains[fits] = pool.objective(np.array([centre | space.closure[k] for k in candidates[fits]]))
    for k in candidates[np.argsort(-gains, kind="stable")]:
        if chosen.sum() >= size:
            break
        chosen |= space.closure[k] & free
    left_out = free & ~chosen
    try:
        X = enumerate_strategies(space, space.ids(forced), space.ids(banned | left_out), 2 ** (size + 2))
    except TooMany:
        return
    for start in range(0, len(X), 4096):
        if time.perf_counter() >= deadline:
            break
        pool.objective(X[start:start + 4096])


def _presolve_fits(spec: Spec, time_limit: float) -> bool:
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


def _heuristic(space: StrategySpace, objective: Callable[[NDArray[np.bool_]], NDArray[np.float64]],
               forced: NDArray[np.bool_], banned: NDArray[np.bool_], *, start: NDArray[np.bool_] | None = None,
               max_rounds: int = 100, deadline: float = np.inf) -> NDArray[np.bool_]:
    """A good feasible strategy without the solver: greedy additions, then local search.

    Greedy (from ``start``, else the demanded options): add, one at a time, the option (with its
    dependencies) that improves the objective most. Local search: move to the best neighbour --
    one option added (with its dependencies), dropped (with what depends on it) or swapped for
    another -- while that improves. Every neighbourhood is evaluated exactly, all at once, by
    ``objective`` (strategies -> values, maximised). Past ``deadline`` (a ``time.perf_counter()``
    time) it stops with the best strategy so far.
    """
    def best_of(candidates: list[NDArray[np.bool_]]) -> tuple[NDArray[np.bool_] | None, float]:
        candidates = [y for y in candidates if _feasible(space, forced, banned, y)]
        if not candidates:
            return None, -np.inf
        values = objective(np.array(candidates))
        k = int(np.argmax(values))
        return candidates[k], float(values[k])

    x = forced.copy() if start is None else np.asarray(start, dtype=bool).copy()
    value = float(objective(x[None])[0])
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
