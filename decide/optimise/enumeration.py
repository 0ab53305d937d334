"""Exact search by enumeration: every feasible strategy, listed, then evaluated on the scenarios.

:func:`feasible_strategies` lists every feasible strategy (options in dependency order, pruned by
budgets and exclusions as it goes); :func:`enumeration_search` evaluates them all exactly
(:func:`decide.optimise.evaluate.criterion_means`) and ranks them by the objective.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.errors import DecideError
from decide.model.strategies import BUDGET_TOL, StrategySpace, as_space, forced_and_banned
from decide.optimise.evaluate import criterion_means
from decide.optimise.objectives import Found, Target, on_scenarios
from decide.optimise.scenarios import Scenarios
from decide.spec import Case

__all__ = ["ENUMERATION_LIMIT", "RERUN_SHORTLIST", "TooMany", "feasible_strategies", "enumerate_strategies",
           "enumeration_search"]

ENUMERATION_LIMIT = 1 << 21
"""Most feasible strategies ``engine="auto"`` enumerates (about 2 million: 20-22 options)."""
RERUN_SHORTLIST = 1024
"""Strategies the stability reruns re-optimise over when more are feasible: the best of the first run.
On Mali (73,728 feasible, 1,000 scenarios) the last of them is 0.044 behind the best, about 15
paired standard errors of a rerun on 500 scenarios (0.003): a rerun's best is far inside the
list, and the notes give the margin of every run."""
_REFERENCES = 10  # per profile, its best strategies in sample kept as candidates for its best out of sample


class TooMany(Exception):
    """Enumeration would exceed its limit (internal: auto switches to the MILP)."""


def feasible_strategies(
    arrays: CaseArrays | Case | StrategySpace,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    limit: int | None = ENUMERATION_LIMIT,
) -> NDArray[np.bool_]:
    """Every feasible strategy, as rows of 0/1 over the pursuable options (the empty one first).

    Options are added in dependency order; a partial strategy is extended by an option only if
    that option's dependencies are in it, nothing in it excludes the option and the budgets still
    hold (resource uses are non-negative, so a partial strategy over budget never recovers).

    Parameters
    ----------
    include
        Options every strategy must contain (with the options they depend on).
    exclude
        Options no strategy may contain (nor any option depending on them).
    limit
        Give up (``DecideError``) beyond this many strategies; None for no limit.
    """
    space = as_space(arrays)
    try:
        return enumerate_strategies(space, include, exclude, limit)
    except TooMany:
        raise DecideError(f"more than {limit:,} feasible strategies: too many to enumerate; "
                          "use engine='milp'") from None


def enumerate_strategies(space: StrategySpace, include, exclude, limit) -> NDArray[np.bool_]:
    """As :func:`feasible_strategies`, raising :class:`TooMany` beyond ``limit`` strategies."""
    forced, banned = forced_and_banned(space, include, exclude)
    X = forced[None, :].copy()
    used = (forced.astype(float) @ space.uses)[None, :]
    for k in space.order:
        if forced[k] or banned[k]:
            continue
        deps = space.closure[k].copy()
        deps[k] = False
        ok = np.all(X[:, deps], axis=1) & ~np.any(X[:, space.excludes[k]], axis=1)
        ok &= np.all(used + space.uses[k] <= space.budgets + BUDGET_TOL, axis=1)
        if not ok.any():
            continue
        grown = X[ok]
        grown[:, k] = True
        X = np.concatenate([X, grown])
        used = np.concatenate([used, used[ok] + space.uses[k]])
        if limit is not None and len(X) > limit:
            raise TooMany
    return X


def enumeration_search(space: StrategySpace, X: NDArray[np.bool_], target: Target):
    """Exact search over the enumerated strategies, on any scenarios."""

    def search(scenarios: Scenarios, top: int, timings: dict[str, float]) -> Found:
        t = time.perf_counter()
        means, losses = criterion_means(space, X, scenarios)
        values = (means - losses) @ target.weights.T  # (strategy, profile)
        tgt = on_scenarios(space, scenarios, target)
        references = None
        if target.objective == "minimax_regret":
            tgt = replace(tgt, best=values.max(axis=0))
            # each profile's best few here: candidates for its best on fresh scenarios
            references = X[np.unique(np.argsort(-values, axis=0, kind="stable")[:_REFERENCES].ravel())]
        objective = tgt.score(values)
        best = np.argsort(-objective, kind="stable")[:top]
        timings["evaluate"] = time.perf_counter() - t
        in_sample = -objective[best] if tgt.objective == "minimax_regret" else objective[best]
        order = np.argsort(-objective, kind="stable")[:RERUN_SHORTLIST] if len(X) > RERUN_SHORTLIST else None
        return Found(X[best], in_sample, "enumerate", bound=float(in_sample[0]), target=tgt,
                      references=references, ranked=None if order is None else X[order],
                      ranked_margin=float("nan") if order is None else float(objective[order[0]] - objective[order[-1]]),
                      evaluated=(X, means - losses))

    return search
