"""The best strategies re-estimated on fresh scenarios, and what each option of the best adds."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from decide.model.strategies import StrategySpace
from decide.optimise.evaluate import criterion_means, scenario_values
from decide.optimise.objectives import Found, Target
from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, iter_scenarios

__all__ = ["out_of_sample_estimates"]

_EXACT_BEST_WORK = 2 * 10**8
"""Most strategy-scenarios (feasible strategies x fresh scenarios) evaluated for each profile's
exact out-of-sample best (minimax regret); beyond, the best of the candidates in
``Found.references`` and the reported strategies (cost: benchmarks/NOTES.md)."""


def out_of_sample_estimates(space: StrategySpace, found: Found, target: Target, root: np.random.SeedSequence,
                   n: int, forced: NDArray[np.bool_], feasible: NDArray[np.bool_] | None) -> dict[str, Any]:
    """Fresh-scenario estimates for the reported strategies and for the best without each option.

    The objective is re-anchored on the fresh scenarios: maximin's gains are over doing nothing
    *there*, and minimax regret's regrets are from each profile's best *there* -- over every
    feasible strategy when they were enumerated (and the work fits ``_EXACT_BEST_WORK``), else
    over the reported strategies, the best without each of its options and ``found.references``.
    """
    strategies = found.strategies
    best = strategies[0]
    members = np.flatnonzero(best)
    without = np.repeat(best[None], len(members), axis=0)
    without[np.arange(len(members)), members] = False
    # Removing an option keeps a strategy feasible unless another member depends on it.
    dependents = (space.closure[np.ix_(best, members)].sum(axis=0) > 1) if len(members) else np.zeros(0, bool)
    removable = ~dependents & ~forced[members]
    n_top, n_p = len(strategies), len(target.profiles)
    out: dict[str, Any] = {"contribution_options": tuple(space.option_ids[k] for k in members),
                           "removable": removable, "best_over": ""}
    nan_top, nan_profiles = np.full(n_top, np.nan), np.full(n_p, np.nan)
    if n == 0:
        nan_members = np.full(len(members), np.nan)
        out.update(objective=nan_top, mean=nan_top, sd=nan_top, p5=nan_top, p95=nan_top, mcse=nan_top,
                   profile_means=np.full((n_top, n_p), np.nan), added=nan_members, added_mcse=nan_members,
                   status_quo=nan_profiles, profile_best=nan_profiles)
        out["with"], out["without"] = nan_members, nan_members
        return out
    regret = target.objective == "minimax_regret"
    exact = regret and feasible is not None and len(feasible) * n <= _EXACT_BEST_WORK
    candidates = None
    if regret:
        candidates = feasible if exact else found.references
    # Rows evaluated per scenario: the reported strategies, the best without each option, doing nothing.
    X = np.concatenate([strategies, without, np.zeros((1, space.n_options), dtype=bool)])
    parts, candidate_sums = [], None
    for chunk in iter_scenarios(space.arrays, n, rng=root, stream=STREAM_OUT_OF_SAMPLE):
        parts.append(scenario_values(space, X, chunk, target.weights))
        if candidates is not None and len(candidates):
            means, losses = criterion_means(space, candidates, chunk)
            sums = ((means - losses) @ target.weights.T) * chunk.n_draws
            candidate_sums = sums if candidate_sums is None else candidate_sums + sums
    values = np.concatenate(parts, axis=2)  # (strategy, profile, draw)
    means = values.mean(axis=2)
    fresh = replace(target, status_quo=means[-1])
    if regret:
        evaluated = np.concatenate([means[:n_top], means[n_top:n_top + len(members)][removable]])
        profile_best = evaluated.max(axis=0)
        if candidate_sums is not None:
            profile_best = np.maximum(profile_best, (candidate_sums / n).max(axis=0))
        fresh = replace(fresh, best=profile_best)
        out["profile_best"] = profile_best
        out["best_over"] = (f"every one of the {len(feasible):,} feasible strategies" if exact else
                            "the reported strategies, the best without each of its options and each profile's "
                            "best in sample (a lower bound on the true best: regrets may be understated)")
    else:
        out["profile_best"] = nan_profiles
    out["status_quo"] = means[-1]
    values, means = values[:-1], means[:-1]
    objective = fresh.score(means)
    binding = fresh.binding(means)
    chosen = values[np.arange(len(values)), binding]  # (strategy, draw) under the binding profile
    top_values = chosen[:n_top]
    sign = -1.0 if regret else 1.0
    out.update(
        objective=sign * objective[:n_top],
        mean=top_values.mean(axis=1),
        sd=top_values.std(axis=1, ddof=1) if n > 1 else nan_top,
        p5=np.percentile(top_values, 5, axis=1),
        p95=np.percentile(top_values, 95, axis=1),
        mcse=top_values.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else nan_top,
        profile_means=means[:n_top],
    )
    # Contributions: objective with minus without, paired on the same scenarios under the profile
    # binding for the best strategy (the status quo and the best per profile cancel in the difference).
    b = binding[0]
    diffs = values[0, b][None, :] - values[n_top:, b]
    with_value = np.full(len(members), sign * objective[0])
    without_value = np.where(removable, sign * objective[n_top:], np.nan)
    out["with"], out["without"] = with_value, without_value
    out["added"] = np.where(removable, (objective[0] - objective[n_top:]), np.nan)
    out["added_mcse"] = np.where(removable, diffs.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.nan, np.nan)
    return out
