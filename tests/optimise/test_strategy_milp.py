"""The strategy MILP against enumeration and a plain-Python brute force on small cases."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from decide.compile import compile_case
from decide.load import parse_case
from decide.optimise.scenarios import draw_scenarios
from decide.model.strategies import strategy_problems, strategy_space
from decide.optimise.milp.pyomo_model import build_strategy_model
from decide.optimise.strategy import optimise_strategies

# The suite runs with --import-mode=importlib: put this folder's helper module on the path.
sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import all_subsets, plain_feasible, random_case, reference_value  # noqa: E402


def brute_force_best(arrays, scenarios, weights) -> float:
    """Best mean value over every feasible subset, one scenario at a time, in plain Python."""
    ids = [o for o in arrays.option_ids if o != arrays.option_ids[arrays.baseline]]
    best = -np.inf
    for subset in all_subsets(ids):
        if plain_feasible(arrays, subset):
            value = np.mean([reference_value(arrays, subset, scenarios.planned[d], scenarios.failure[d],
                                             scenarios.probabilities[d], scenarios.latent[d], weights)
                             for d in range(scenarios.n_draws)])
            best = max(best, value)
    return best


@pytest.mark.parametrize("n_options, seed, n_scenarios, spread", [
    (8, 1, 200, 2.0),    # moderate changes: few floors can bind
    (12, 3, 60, 2.0),    # twelve options
    (7, 1, 40, None),    # outcomes over the whole scale: many caps bind
])
def test_milp_equals_enumeration_and_brute_force(n_options, seed, n_scenarios, spread):
    arrays = compile_case(parse_case(random_case(n_options, seed, spread=spread)))
    common = dict(n_scenarios=n_scenarios, rng=seed, out_of_sample=0, stability=0, top=2)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.status == "optimal" and milp.engine == "milp"
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)
    assert milp.best == enum.best
    # The MILP's own objective (its bound, at optimality) is the exact sample-average value.
    assert milp.bound == pytest.approx(milp.in_sample[0], abs=1e-7)
    scenarios = draw_scenarios(arrays, n_scenarios, rng=seed)
    assert enum.in_sample[0] == pytest.approx(brute_force_best(arrays, scenarios, arrays.weights), abs=1e-12)


@pytest.mark.parametrize("weights, seed", [("maximin", 4), ("minimax_regret", 5)])
def test_robust_variants_match_enumeration(weights, seed):
    arrays = compile_case(parse_case(random_case(6, seed, spread=2.0)))
    common = dict(n_scenarios=60, rng=seed, weights=weights, out_of_sample=0, stability=0, top=1)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best
    assert milp.in_sample[0] == pytest.approx(enum.in_sample[0], abs=1e-9)


def test_demanded_and_excluded_options():
    arrays = compile_case(parse_case(random_case(8, 1, spread=2.0)))
    space = strategy_space(arrays)
    include, exclude = [space.option_ids[5]], [space.option_ids[0]]
    common = dict(n_scenarios=50, rng=2, out_of_sample=0, stability=0, top=1, include=include, exclude=exclude)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best
    assert include[0] in milp.best and exclude[0] not in milp.best
    assert strategy_problems(space, space.vector(milp.best)) == []


def test_time_limit_is_said_plainly_with_the_gap():
    arrays = compile_case(parse_case(random_case(14, 3, n_criteria=6)))
    result = optimise_strategies(arrays, n_scenarios=150, rng=1, engine="milp", time_limit=0.3,
                                 out_of_sample=100, stability=0)
    assert result.status == "time limit"
    assert result.gap > 0 and np.isfinite(result.gap)
    assert any("time limit" in note and "gap" in note for note in result.notes)
    space = strategy_space(arrays)
    assert strategy_problems(space, space.vector(result.best)) == []
    assert {"build", "solve", "evaluate"} <= set(result.timings)


def test_model_has_binaries_only_where_a_scale_end_can_bind():
    # Small changes and a budget for two options: no outcome can leave its scale.
    case = random_case(5, 2, spread=0.5, budget_share=0.3, n_preconditions=2)
    arrays = compile_case(parse_case(case))
    scenarios = draw_scenarios(arrays, 30, rng=0)
    model = build_strategy_model(arrays, scenarios)
    binaries = [v for v in model.component_data_objects(pyo.Var) if v.is_binary()]
    assert len(binaries) == len(model.x) == 5
    assert isinstance(model.budget, pyo.Constraint) and isinstance(model.objective, pyo.Objective)
    # With outcomes over the whole scale, floors and ceilings can bind: kink binaries appear.
    wide = compile_case(parse_case(random_case(5, 2)))
    wide_model = build_strategy_model(wide, draw_scenarios(wide, 30, rng=0))
    assert len(wide_model.z) > 0 and all(v.is_binary() for v in wide_model.z.values())


def test_auto_switches_to_the_milp_beyond_the_enumeration_limit(monkeypatch):
    import decide.optimise.strategy as strategy

    arrays = compile_case(parse_case(random_case(6, 4, spread=2.0)))
    monkeypatch.setattr(strategy, "ENUMERATION_LIMIT", 3)
    result = optimise_strategies(arrays, n_scenarios=40, rng=0, out_of_sample=0)
    assert result.engine == "milp" and result.n_feasible is None
    assert any("solved as a MILP" in note for note in result.notes)
    assert any("stability not assessed" in note for note in result.notes) and not result.stability_runs
    monkeypatch.undo()
    enum = optimise_strategies(arrays, n_scenarios=40, rng=0, out_of_sample=0, stability=0)
    assert enum.engine == "enumerate" and enum.best == result.best


@pytest.mark.parametrize("seed", [1, 6])
def test_per_scenario_viability_matches_enumeration(monkeypatch, seed):
    """Viability as per-scenario variables (used when many options enable one option's
    requirements, like phase two of the Mali plan) gives the same optimum as the patterns."""
    import decide.optimise.milp.model as milp_model

    arrays = compile_case(parse_case(random_case(7, seed, spread=2.0, n_preconditions=4)))
    monkeypatch.setattr(milp_model, "PATTERN_LIMIT", 0)
    common = dict(n_scenarios=40, rng=seed, out_of_sample=0, stability=0, top=1)
    milp = optimise_strategies(arrays, engine="milp", **common)
    model = build_strategy_model(arrays, draw_scenarios(arrays, 40, rng=seed))
    assert model.find_component("y") is not None and len(model.y) > 0
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best
    assert milp.in_sample[0] == pytest.approx(enum.in_sample[0], abs=1e-9)
    assert milp.bound == pytest.approx(milp.in_sample[0], abs=1e-7)


def test_every_solve_shares_one_time_limit(monkeypatch):
    """Minimax regret solves each profile, then the main model, then runners-up: all of them
    together stay within the time limit (each used to get the whole limit, so 3 profiles took 4x)."""
    import dataclasses
    import time

    from decide.optimise.milp import search as milp_search

    real = milp_search.solve_strategy_model
    given: list[float] = []

    def hits_the_limit(model, *, time_limit, **kwargs):
        """HiGHS's answer, after using all the time it was given (as on a hard model)."""
        solution = real(model, time_limit=time_limit, **kwargs)
        given.append(time_limit)
        time.sleep(max(time_limit - solution.seconds, 0.0))
        return dataclasses.replace(solution, seconds=max(time_limit, solution.seconds))

    monkeypatch.setattr(milp_search, "solve_strategy_model", hits_the_limit)
    case = parse_case(random_case(6, 2, n_profiles=3))
    limit = 1.0
    result = optimise_strategies(case, n_scenarios=40, rng=1, engine="milp", weights="minimax_regret",
                                 time_limit=limit, top=3, stability=0)
    assert len(given) >= 4  # three profiles and the main model
    assert sum(given) <= limit * 1.0 + 0.05
    assert result.timings["solve"] <= limit + 0.5


@pytest.mark.parametrize("seed, pattern_limit, consequence", [(0, 4, 0.0), (7, 4, 0.0), (18, 0, 0.0), (19, 0, 0.0),
                                                               (3, 4, 0.6), (19, 0, 0.6), (22, 4, 0.6)])
def test_soft_penalties_where_options_go_ahead_match_enumeration(monkeypatch, seed, pattern_limit, consequence):
    """Mostly soft requirements, with enablers: the MILP's soft costs (charged only where the option
    goes ahead, per criterion the largest per precondition; flat penalties, or consequences on
    criteria) give the enumeration's and the brute force's optimum."""
    import decide.optimise.milp.model as milp_model

    monkeypatch.setattr(milp_model, "PATTERN_LIMIT", pattern_limit)
    arrays = compile_case(parse_case(random_case(6, seed, spread=2.0, n_criteria=3, soft=0.7,
                                                 consequence=consequence)))
    # soft requirers that can fail (so where they go ahead matters)
    assert (arrays.soft.any(axis=1) & arrays.eval_hard.any(axis=1)).sum() >= 2
    if consequence:  # some losses on some criteria only
        assert ((arrays.soft_loss > 0).any(axis=2) & ~(arrays.soft_loss > 0).all(axis=2)).any()
    common = dict(n_scenarios=60, rng=seed, out_of_sample=0, stability=0, top=1)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best
    assert milp.in_sample[0] == pytest.approx(enum.in_sample[0], abs=1e-9)
    assert milp.bound == pytest.approx(milp.in_sample[0], abs=1e-7)
    scenarios = draw_scenarios(arrays, 60, rng=seed)
    assert enum.in_sample[0] == pytest.approx(brute_force_best(arrays, scenarios, arrays.weights), abs=1e-12)
