"""Best strategies by the MILP: solves within one time limit, runners-up, a local-search stand-in."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from decide.errors import DecideError
from decide.model.strategies import StrategySpace, forced_and_banned, strategy_problems
from decide.optimise.evaluate import criterion_means
from decide.optimise.milp.model import strategy_spec
from decide.optimise.milp.pyomo_model import MilpSolution, pyomo_model, solve_strategy_model
from decide.optimise.milp.spec import Spec
from decide.optimise.objectives import Found, Target, on_scenarios
from decide.optimise.scenarios import Scenarios

if TYPE_CHECKING:  # pragma: no cover
    import pyomo.environ as pyo

__all__ = ["solve_strategies"]

logger = logging.getLogger(__name__)

_PRESOLVE_SECONDS_PER_NONZERO = 1e-4
"""A generous upper estimate of HiGHS's MIP presolve time per nonzero of the strategy model
(measured: benchmarks/NOTES.md)."""


def solve_strategies(space: StrategySpace, scenarios: Scenarios, target: Target, *, include: Sequence[str],
                     exclude: Sequence[str], time_limit: float, top: int, timings: dict[str, float]) -> Found:
    """Best strategies by the MILP, re-evaluated exactly on the same scenarios.

    Maximin's gains are over doing nothing on these scenarios. Minimax regret first solves each
    profile's own problem for its best value (its optimum is kept as a candidate for the profile's
    best out of sample, ``Found.references``). The runners-up
    come from re-solving with the strategies found cut off, while the first solve was optimal.
    Where HiGHS ends at its time limit without a strategy, or with one worse than a greedy and
    local search finds, that strategy stands in and the gap is measured from it.
    """
    from decide.optimise.solve import highs

    forced, banned = forced_and_banned(space, include, exclude)
    notes: list[str] = []
    target = on_scenarios(space, scenarios, target)
    references: list[NDArray[np.bool_]] = []
    t = time.perf_counter()
    spec, poly = strategy_spec(space, scenarios, target.weights, forced, banned)
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
            single = Spec(spec.col_lower, spec.col_upper, spec.col_integer, spec.groups, spec.blocks,
                           spec.objective[p:p + 1], spec.constant[p:p + 1])
            model = pyomo_model(single, "expected", name=f"strategies_{target.profiles[p]}")
            build += clock.pause(time.perf_counter() - t)
            # each profile's own problem gets an equal share of what is left, the last share the main one
            solution = solve(model, share=1 / (len(target.profiles) + 1 - p))
            solve_seconds += solution.seconds
            if solution.x is None:  # out of time: the local search's best stands in
                own = Target("expected", target.weights[p:p + 1], target.profiles[p:p + 1])
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
    model = pyomo_model(spec, target.objective, target.best, status_quo=target.status_quo)
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
    return Found(X, sign * in_sample, "milp", status, float(gap), sign * float(bound), tuple(notes), target,
                  np.array(references) if references else None)


def _objective(space: StrategySpace, scenarios: Scenarios, target: Target,
               X: NDArray[np.bool_]) -> NDArray[np.float64]:
    """In-sample objective (maximised) of strategies, computed exactly."""
    means, losses = criterion_means(space, X, scenarios)
    return target.score((means - losses) @ target.weights.T)


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


def _heuristic(space: StrategySpace, scenarios: Scenarios, target: Target, forced: NDArray[np.bool_],
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
