"""Strategy evaluation, feasibility and enumeration against a plain-Python brute force."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decide.compile import compile_case
from decide.errors import DecideError
from decide.bundled import resolve_case
from decide.load import load_case, parse_case
from decide.optimise.scenarios import draw_scenarios, iter_scenarios
from decide.model.strategies import check_strategy, strategy_problems, strategy_space
from decide.optimise.enumeration import feasible_strategies
from decide.optimise.evaluate import criterion_means, evaluate_strategy, scenario_values
from decide.optimise.strategy import optimise_strategies

# The suite runs with --import-mode=importlib: put this folder's helper module on the path.
sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import all_subsets, plain_feasible, random_case, reference_value  # noqa: E402


def compiled(n_options: int, seed: int, **kw):
    return compile_case(parse_case(random_case(n_options, seed, **kw)))


def two_phase_case(p_consent: float = 1.0, budget: float = 10.0) -> dict:
    """Phase one and phase two (which depends on it), with point scores, and a rushed option."""
    scale = {"low": 0, "high": 10, "low_means": "bad", "high_means": "good"}
    crit = {"direction": "higher_is_better", "scale": scale}
    return {
        "decide": 1, "id": "phases", "title": "Two phases",
        "criteria": {"id": "k", "name": "K", "criteria": [{"id": "security", "name": "Security", **crit},
                                                          {"id": "politics", "name": "Politics", **crit}]},
        "options": [
            {"id": "status_quo", "name": "Status quo", "baseline": True, "scores": {"security": 2, "politics": 3}},
            {"id": "ecowas_phase1", "name": "Phase one", "uses": {"troops": 2},
             "scores": {"security": 3, "politics": 5}},
            {"id": "ecowas_phase2", "name": "Phase two", "depends_on": ["ecowas_phase1"], "uses": {"troops": 3},
             "requires": ["consent"], "scores": {"security": 8, "politics": 6},
             "failure": {"security": 1, "politics": 2}},
            {"id": "ecowas_rushed", "name": "Rushed", "excludes": ["ecowas_phase1"], "uses": {"troops": 4},
             "scores": {"security": 6, "politics": 1}},
        ],
        "preconditions": [{"id": "consent", "question": "Would Bamako consent?", "probability": p_consent}],
        "resources": [{"id": "troops", "name": "Troops", "unit": "thousand", "budget": budget}],
        "weights": {"profiles": [{"id": "even", "name": "Even", "weights": {"security": 1, "politics": 1}}]},
    }


def test_phase_one_plus_phase_two_scores_as_phase_two():
    arrays = compile_case(parse_case(two_phase_case()))
    scenarios = draw_scenarios(arrays, 50, rng=0)
    both = evaluate_strategy(arrays, ["ecowas_phase1", "ecowas_phase2"], scenarios)
    # outcome (8, 6) on 0-10 scales, equal weights: (0.8 + 0.6) / 2
    np.testing.assert_allclose(both, 0.7, atol=1e-12)
    alone = evaluate_strategy(arrays, ["ecowas_phase1"], scenarios)
    np.testing.assert_allclose(alone, (0.3 + 0.5) / 2, atol=1e-12)
    nothing = evaluate_strategy(arrays, [], scenarios)
    np.testing.assert_allclose(nothing, (0.2 + 0.3) / 2, atol=1e-12)


def test_a_failed_phase_two_gives_its_failure_profile():
    arrays = compile_case(parse_case(two_phase_case(p_consent=0.0)))
    scenarios = draw_scenarios(arrays, 20, rng=0)
    both = evaluate_strategy(arrays, ["ecowas_phase1", "ecowas_phase2"], scenarios)
    np.testing.assert_allclose(both, (0.1 + 0.2) / 2, atol=1e-12)


def test_each_option_alone_is_its_smallest_strategy():
    """closure(i) ends in P_i when its (and its dependencies') hard requirements hold, else F_i."""
    for seed in range(4):
        arrays = compiled(7, seed)
        space = strategy_space(arrays)
        scenarios = draw_scenarios(arrays, 40, rng=seed)
        for k, option in enumerate(space.option_ids):
            i = arrays.option_ids.index(option)
            x = space.closure[k]
            if strategy_problems(space, x):
                continue
            values = scenario_values(space, x[None], scenarios, arrays.weights)[0]
            for d in range(scenarios.n_draws):
                active = x[space.enabler_local.clip(0)] & (space.enabler_local >= 0)
                from decide.compile import apply_enablers

                p = apply_enablers(scenarios.probabilities[d], active, arrays)
                holds = scenarios.latent[d] < p
                ok = all(holds[q] for q in np.flatnonzero(space.hard[k]))
                # unlisted failure criteria: the baseline's own draw
                failed = np.where(arrays.failure_is_baseline[i], scenarios.planned[d, arrays.baseline],
                                  scenarios.failure[d, i])
                outcome = scenarios.planned[d, i] if ok else failed
                v = sum(arrays.weights[c] * np.interp(outcome[c], arrays.value_x[c], arrays.value_v[c])
                        for c in range(arrays.n_criteria))
                # soft losses: per criterion, the largest among the members (i and its
                # dependencies) that go ahead, weighted
                going = [m for m in np.flatnonzero(x) if all(holds[q] for q in np.flatnonzero(space.hard[m]))]
                v -= sum(float(arrays.weights @ np.max([space.soft_loss[m, q] for m in going]
                                                       + [np.zeros(arrays.n_criteria)], axis=0))
                         for q in range(len(holds)) if not holds[q])
                assert values[d] == pytest.approx(v, abs=1e-12)


def test_enumeration_matches_plain_brute_force():
    for seed in range(5):
        arrays = compiled(7, seed)
        space = strategy_space(arrays)
        X = feasible_strategies(space)
        ids = [o for o in arrays.option_ids if o != arrays.option_ids[arrays.baseline]]
        plain = [s for s in all_subsets(ids) if plain_feasible(arrays, s)]
        assert sorted(tuple(sorted(s)) for s in plain) == sorted(tuple(sorted(space.ids(x))) for x in X)
        scenarios = draw_scenarios(arrays, 30, rng=seed)
        means, losses = criterion_means(space, X, scenarios)
        values = (means - losses) @ arrays.weights
        per_scenario = scenario_values(space, X, scenarios, arrays.weights)
        for row, x in enumerate(X):
            ref = [reference_value(arrays, set(space.ids(x)), scenarios.planned[d], scenarios.failure[d],
                                   scenarios.probabilities[d], scenarios.latent[d], arrays.weights)
                   for d in range(scenarios.n_draws)]
            np.testing.assert_allclose(per_scenario[row], ref, atol=1e-12)
            assert values[row] == pytest.approx(np.mean(ref), abs=1e-12)


def test_criterion_means_do_not_depend_on_the_threads(monkeypatch):
    """The criteria are split between threads; each is the same pass whichever thread runs it."""
    import decide.optimise.evaluate as evaluate

    arrays = compile_case(load_case(resolve_case("mali-2012")))
    space = strategy_space(arrays)
    X = feasible_strategies(space)[::37]
    scenarios = draw_scenarios(arrays, 200, rng=5)
    results = []
    for threads in (1, 2, 5):
        monkeypatch.setattr(evaluate, "_threads", lambda threads=threads: threads)
        results.append(criterion_means(space, X, scenarios))
    for means, losses in results[1:]:
        np.testing.assert_array_equal(means, results[0][0])
        np.testing.assert_array_equal(losses, results[0][1])
    reference = scenario_values(space, X, scenarios, arrays.weights).mean(axis=1)
    np.testing.assert_allclose((results[0][0] - results[0][1]) @ arrays.weights, reference, atol=1e-12)


def test_optimum_equals_brute_force_for_every_objective():
    arrays = compiled(7, 11)
    ids = [o for o in arrays.option_ids if o != arrays.option_ids[arrays.baseline]]
    plain = [s for s in all_subsets(ids) if plain_feasible(arrays, s)]
    scenarios = draw_scenarios(arrays, 200, rng=3)
    by_profile = np.array([[np.mean([reference_value(arrays, s, scenarios.planned[d], scenarios.failure[d],
                                                     scenarios.probabilities[d], scenarios.latent[d], w)
                                     for d in range(scenarios.n_draws)]) for w in arrays.profile_weights]
                           for s in plain])
    expected = by_profile[:, list(arrays.profile_ids).index(arrays.default_profile)]
    nothing = by_profile[plain.index(set())]  # doing nothing, per profile
    maximin = (by_profile - nothing).min(axis=1)  # the smallest gain over doing nothing
    regret = (by_profile.max(axis=0) - by_profile).max(axis=1)
    for weights, best in ((None, expected.max()), ("maximin", maximin.max()), ("minimax_regret", regret.min())):
        result = optimise_strategies(arrays, n_scenarios=200, rng=3, weights=weights, engine="enumerate",
                                     out_of_sample=0, stability=0)
        assert result.in_sample[0] == pytest.approx(best, abs=1e-12)
        assert result.status == "optimal" and result.gap == 0


def test_feasibility_messages_name_the_problem():
    arrays = compile_case(parse_case(two_phase_case(budget=5)))
    with pytest.raises(DecideError, match="ecowas_phase2 depends on ecowas_phase1: add it"):
        check_strategy(arrays, ["ecowas_phase2"])
    with pytest.raises(DecideError, match="ecowas_phase1 excludes ecowas_rushed"):
        check_strategy(arrays, ["ecowas_phase1", "ecowas_rushed"])
    tight = compile_case(parse_case(two_phase_case(budget=4)))
    with pytest.raises(DecideError, match=r"over the troops budget by 1 \(uses 5 of 4\)"):
        check_strategy(tight, ["ecowas_phase1", "ecowas_phase2"])
    with pytest.raises(DecideError, match="baseline"):
        check_strategy(arrays, ["status_quo"])
    with pytest.raises(DecideError, match="unknown option 'nato'"):
        check_strategy(arrays, ["nato"])
    assert check_strategy(arrays, ["ecowas_phase1", "ecowas_phase2"]).sum() == 2


def test_every_problem_is_listed_at_once():
    arrays = compile_case(parse_case(two_phase_case(budget=5)))
    with pytest.raises(DecideError) as err:
        check_strategy(arrays, ["ecowas_phase2", "ecowas_rushed"])
    text = str(err.value)
    assert "depends on ecowas_phase1" in text and "over the troops budget by 2" in text


def test_infeasible_budgets_give_a_clear_message():
    case = two_phase_case(budget=1)
    arrays = compile_case(parse_case(case))
    with pytest.raises(DecideError, match="no strategy other than doing nothing fits") as err:
        optimise_strategies(arrays, n_scenarios=20, rng=0)
    assert "ecowas_phase1: over the troops budget by 1" in str(err.value)
    arrays = compile_case(parse_case(two_phase_case(budget=4)))
    demanded = r"(?s)demanded options.*\(ecowas_phase1 \+ ecowas_phase2\).*troops budget by 1"
    with pytest.raises(DecideError, match=demanded):
        optimise_strategies(arrays, n_scenarios=20, rng=0, include=["ecowas_phase2"])
    with pytest.raises(DecideError, match="both demanded and excluded"):
        optimise_strategies(arrays, n_scenarios=20, rng=0, include=["ecowas_phase2"], exclude=["ecowas_phase1"])


def test_a_case_without_baseline_is_refused():
    case = two_phase_case()
    case["options"][0].pop("baseline")
    with pytest.raises(DecideError, match="baseline: true"):
        strategy_space(compile_case(parse_case(case)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_options=st.integers(3, 9), share=st.floats(0.15, 0.7),
       demand=st.integers(-1, 8), weights=st.sampled_from([None, "maximin", "minimax_regret"]))
def test_reported_strategies_respect_every_rule(seed, n_options, share, demand, weights):
    arrays = compiled(n_options, seed, budget_share=share)
    space = strategy_space(arrays)
    include = [space.option_ids[demand]] if 0 <= demand < n_options else []
    try:
        result = optimise_strategies(arrays, n_scenarios=30, rng=seed, weights=weights, include=include,
                                     out_of_sample=50, stability=1, top=4)
    except DecideError as err:  # budgets too small for anything, or for the demanded option
        assert "fits" in str(err) or "demanded" in str(err)
        return
    for strategy in result.strategies + tuple(r.best for r in result.stability_runs):
        x = space.vector(strategy)
        assert strategy_problems(space, x) == []
        assert set(include) <= set(strategy)
    assert list(result.in_sample) == sorted(result.in_sample, reverse=weights != "minimax_regret")


def test_result_reports_the_best_few_out_of_sample():
    arrays = compiled(9, 5)
    result = optimise_strategies(arrays, n_scenarios=300, rng=2, out_of_sample=2000, stability=2, top=4)
    frame = result.to_frame()
    assert list(frame.columns[:4]) == ["strategy", "n_options", "in_sample_value", "out_of_sample_value"]
    assert len(frame) == 4 and frame.index[0] == 1
    assert np.all(frame["p5"] <= frame["mean"]) and np.all(frame["mean"] <= frame["p95"])
    np.testing.assert_allclose(frame["mcse"], frame["sd"] / np.sqrt(2000))
    contributions = result.contributions_frame()
    assert list(contributions.index) == list(result.best)
    removable = contributions["removable"]
    np.testing.assert_allclose(contributions["added"][removable],
                               (contributions["with"] - contributions["without"])[removable])
    assert contributions["without"][~removable].isna().all()
    runs = result.stability_frame()
    assert len(runs) == 2 + 1 + 2 and set(runs["n_scenarios"]) == {300, 150}
    assert result.stability == pytest.approx(runs["same"].mean())
    assert result.n_feasible == len(feasible_strategies(arrays))
    assert "never pursued" in " ".join(result.notes)


def test_a_dependency_cannot_be_removed_alone():
    arrays = compile_case(parse_case(two_phase_case()))
    result = optimise_strategies(arrays, n_scenarios=50, rng=0, out_of_sample=100, stability=0)
    assert result.best == ("ecowas_phase1", "ecowas_phase2")
    frame = result.contributions_frame()
    assert not frame.loc["ecowas_phase1", "removable"] and frame.loc["ecowas_phase2", "removable"]
    # phase two adds (0.8 + 0.6) / 2 - (0.3 + 0.5) / 2
    assert frame.loc["ecowas_phase2", "added"] == pytest.approx(0.3)


def test_out_of_sample_gap_shrinks_as_s_grows():
    """Sample-average optimism: the in-sample optimum overstates its value, less so for large S."""
    arrays = compiled(10, 21, n_criteria=5)
    gaps = {}
    for n in (10, 100, 1000):
        runs = [optimise_strategies(arrays, n_scenarios=n, rng=seed, out_of_sample=5000, stability=0, top=1)
                for seed in range(4)]
        gaps[n] = np.mean([abs(r.in_sample[0] - r.out_of_sample[0]) for r in runs])
        if n == 1000:
            for r in runs:
                # in-sample and out-of-sample estimates agree within their Monte Carlo error
                se = np.hypot(r.oos_sd[0] / np.sqrt(n), r.oos_mcse[0])
                assert abs(r.in_sample[0] - r.out_of_sample[0]) < 4 * se
    assert gaps[10] > gaps[100] > gaps[1000]


def test_scenarios_do_not_depend_on_chunking():
    arrays = compiled(5, 1)
    whole = draw_scenarios(arrays, 2500, rng=7, stream=1)
    parts = list(iter_scenarios(arrays, 2500, rng=7, stream=1, chunk=1024))
    assert [p.n_draws for p in parts] == [1024, 1024, 452]
    for name in ("planned", "failure", "probabilities", "latent"):
        np.testing.assert_array_equal(np.concatenate([getattr(p, name) for p in parts]), getattr(whole, name))
    np.testing.assert_array_equal(draw_scenarios(arrays, 100, rng=7, stream=1).planned, whole.planned[:100])
    assert not np.array_equal(draw_scenarios(arrays, 100, rng=7, stream=0).planned, whole.planned[:100])


def test_failure_to_the_baseline_shares_the_baseline_draw():
    case = random_case(3, 2)
    case["options"][0]["scores"]["c0"] = {"kind": "uniform", "low": 2, "high": 6}
    for option in case["options"][1:]:
        option.setdefault("failure", {}).pop("c0", None)
    arrays = compile_case(parse_case(case))
    scenarios = draw_scenarios(arrays, 100, rng=1)
    for k in range(1, 4):
        np.testing.assert_array_equal(scenarios.failure[:, k, 0], scenarios.planned[:, 0, 0])


def test_weights_argument():
    arrays = compiled(6, 3)
    with pytest.raises(DecideError, match="unknown weight profile"):
        optimise_strategies(arrays, n_scenarios=20, rng=0, weights="nobody")
    one_profile = copy.deepcopy(random_case(6, 3))
    one_profile["weights"]["profiles"] = one_profile["weights"]["profiles"][:1]
    with pytest.raises(DecideError, match="give at least two"):
        optimise_strategies(compile_case(parse_case(one_profile)), n_scenarios=20, rng=0, weights="maximin")
    result = optimise_strategies(arrays, n_scenarios=50, rng=0, weights="p1", out_of_sample=0, stability=0)
    assert result.profiles == ("p1",) and np.isnan(result.out_of_sample).all()
