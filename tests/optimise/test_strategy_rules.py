"""The strategies engine's two rules for failures and soft requirements, against closed forms.

1. A failed option's criteria that its failure profile does not list keep the baseline option's
   own draw in that scenario (not a fresh draw of the same distribution), also where the case
   has a discrete failure outcome elsewhere (the Mali pattern).
2. A soft requirement's penalty is charged only in scenarios where the option goes ahead (all
   hard requirements of its smallest strategy hold, under the strategy's enablers); per
   precondition a strategy pays the largest penalty among its members that go ahead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from decide.compile import compile_case
from decide.load import parse_case
from decide.optimise.compare import compare_strategies
from decide.optimise.scenarios import draw_scenarios
from decide.model.strategies import strategy_space
from decide.optimise.enumeration import feasible_strategies
from decide.optimise.evaluate import criterion_means, evaluate_strategy, scenario_values
from decide.optimise.strategy import optimise_strategies

# The suite runs with --import-mode=importlib: put this folder's helper module on the path.
sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import all_subsets, plain_feasible, reference_value  # noqa: E402

SCALE = {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}
CRITERIA = {"id": "k", "name": "k", "criteria": [
    {"id": "c", "name": "c", "direction": "max", "scale": SCALE},
    {"id": "d", "name": "d", "direction": "max", "scale": SCALE}]}
Z = 4.0


def failure_case(discrete_elsewhere: bool) -> dict:
    """Baseline ``wait`` triangular(0, 5, 10) on c; ``go`` scores 8 on c if q (p = 0.5) holds and
    fails to the baseline's outcome (no failure profile on c). With ``discrete_elsewhere``, a third
    option's failure profile has a discrete outcome on d and ``go``'s failure lists d only, as a
    (one-point) discrete outcome equal to the baseline's 5 -- which changes nothing in the closed form."""
    options = [
        {"id": "wait", "name": "wait", "baseline": True,
         "scores": {"c": {"kind": "triangular", "low": 0, "mode": 5, "high": 10}, "d": 5}},
        {"id": "go", "name": "go", "requires": ["q"], "scores": {"c": 8, "d": 5}},
    ]
    if discrete_elsewhere:
        options[1]["failure"] = {"d": {"kind": "discrete", "values": [5], "probabilities": [1]}}
        options.append({"id": "other", "name": "other", "requires": ["q"], "scores": {"c": 6, "d": 6},
                        "failure": {"d": {"kind": "discrete", "values": [2, 4], "probabilities": [0.5, 0.5]}}})
    return {"id": "t", "title": "t", "criteria": CRITERIA, "options": options,
            "preconditions": [{"id": "q", "question": "q?", "probability": 0.5}]}


# E[(X - 8)+] for X ~ triangular(0, 5, 10): int_8^10 (x - 8)(10 - x) / 25 dx = 8/150
EXCESS_OVER_8 = 8 / 150


@pytest.mark.parametrize("discrete_elsewhere", [False, True])
def test_unlisted_failure_criteria_take_the_baseline_draw(discrete_elsewhere):
    arrays = compile_case(parse_case(failure_case(discrete_elsewhere)))
    scenarios = draw_scenarios(arrays, 3000, rng=4)
    wait, go = arrays.option_ids.index("wait"), arrays.option_ids.index("go")
    np.testing.assert_array_equal(scenarios.failure[:, go, 0], scenarios.planned[:, wait, 0])
    if discrete_elsewhere:
        other = arrays.option_ids.index("other")
        np.testing.assert_array_equal(scenarios.failure[:, other, 0], scenarios.planned[:, wait, 0])
        # a listed criterion keeps its own draw
        assert set(np.unique(scenarios.failure[:, other, 1])) == {2.0, 4.0}
    # Where q says no, {go} is exactly the status quo: same draw, zero change.
    go_values = evaluate_strategy(arrays, ["go"], scenarios)
    nothing = evaluate_strategy(arrays, [], scenarios)
    failed = ~(scenarios.latent[:, 0] < scenarios.probabilities[:, 0])
    assert failed.any() and (~failed).any()
    np.testing.assert_array_equal(go_values[failed], nothing[failed])
    np.testing.assert_allclose(go_values[~failed], (0.8 + 0.5) / 2, atol=1e-12)


@pytest.mark.parametrize("discrete_elsewhere", [False, True])
def test_regret_and_paired_difference_match_the_closed_form(discrete_elsewhere):
    """Two alternatives, {go} and doing nothing: E[regret of go] = P(q) w_c E[(X - 8)+] / 10 = 0.001333;
    E[go - nothing] = P(q) w_c (8 - E[X]) / 10 = 0.075. A fresh draw for the failure would add
    P(not q) w_c E[(X - Y)+] / 10 = 0.029 to the regret."""
    arrays = compile_case(parse_case(failure_case(discrete_elsewhere)))
    n = 200_000
    scenarios = draw_scenarios(arrays, n, rng=8)
    go = evaluate_strategy(arrays, ["go"], scenarios)
    nothing = evaluate_strategy(arrays, [], scenarios)
    regret = np.maximum(nothing - go, 0.0)
    exact = 0.5 * 0.5 * EXCESS_OVER_8 / 10
    assert exact == pytest.approx(0.001333, abs=1e-6)
    assert abs(regret.mean() - exact) <= Z * regret.std(ddof=1) / np.sqrt(n)
    frame = compare_strategies(arrays, [("go", "go", ["go"])], n_scenarios=n, rng=8)
    row = frame.loc["go"]
    assert abs(row["mean"] - 0.575) <= Z * row["mcse"]
    assert abs(row["vs_doing_nothing"] - 0.075) <= Z * row["vs_doing_nothing_mcse"]
    # Paired: the difference is zero wherever q says no, so its spread is the q-yes half only.
    # sd of 0.5 * B * (0.8 - X / 10) with B ~ Bernoulli(0.5), X ~ triangular(0, 5, 10)
    m1, m2 = 0.3 / 2, (0.09 + 0.25 / 6) / 4  # E[(0.8 - X/10)/2], E[((0.8 - X/10)/2)^2]
    sd = np.sqrt(0.5 * m2 - (0.5 * m1) ** 2)
    assert row["vs_doing_nothing_mcse"] == pytest.approx(sd / np.sqrt(n), rel=0.02)


def soft_case(**extra) -> dict:
    """go: hard q (0.5), soft s (0.5, penalty 0.1); planned value 0.65, failure value 0.35."""
    options = [
        {"id": "wait", "name": "wait", "baseline": True, "scores": {"c": 5, "d": 5}},
        {"id": "go", "name": "go", "requires": ["q", {"precondition": "s", "soft": True, "penalty": 0.1}],
         "scores": {"c": 8, "d": 5}, "failure": {"c": 2, "d": 5}},
    ]
    return {"id": "t", "title": "t", "criteria": CRITERIA, "options": options,
            "preconditions": [{"id": "q", "question": "q?", "probability": 0.5},
                              {"id": "s", "question": "s?", "probability": 0.5}], **extra}


def test_soft_penalty_only_where_the_option_goes_ahead():
    arrays = compile_case(parse_case(soft_case()))
    n = 100_000
    scenarios = draw_scenarios(arrays, n, rng=3)
    q = scenarios.latent[:, 0] < scenarios.probabilities[:, 0]
    s = scenarios.latent[:, 1] < scenarios.probabilities[:, 1]
    values = evaluate_strategy(arrays, ["go"], scenarios)
    expected = np.where(q, np.where(s, 0.65, 0.55), 0.35)
    np.testing.assert_allclose(values, expected, atol=1e-12)
    # Expected value 0.5 * 0.65 + 0.5 * 0.35 - P(q) P(not s) 0.1 = 0.475
    assert abs(values.mean() - 0.475) <= Z * values.std(ddof=1) / np.sqrt(n)
    space = strategy_space(arrays)
    means, losses = criterion_means(space, space.vector(["go"])[None], scenarios)
    # a flat penalty: the same loss on every criterion, so the penalty itself under any weights
    np.testing.assert_allclose(losses[0], 0.1 * np.mean(q & ~s), atol=1e-12)
    assert ((means - losses) @ arrays.weights)[0] == pytest.approx(values.mean(), abs=1e-12)


def test_a_strategy_pays_the_largest_penalty_among_members_that_go_ahead():
    """a (hard q, soft s 0.1) and b (no hard requirement, soft s 0.04): where s says no, {a, b}
    pays 0.1 if a goes ahead, else b's 0.04; an enabler of q chosen with e changes which."""
    case = soft_case()
    case["options"][1]["id"] = "a"
    case["options"] += [
        {"id": "b", "name": "b", "requires": [{"precondition": "s", "soft": True, "penalty": 0.04}],
         "scores": {"c": 5, "d": 6}},
        {"id": "e", "name": "e", "scores": {"c": 5, "d": 5}},
    ]
    case["enablers"] = [{"option": "e", "precondition": "q", "add": 0.3}]
    arrays = compile_case(parse_case(case))
    scenarios = draw_scenarios(arrays, 4000, rng=5)
    space = strategy_space(arrays)
    s = scenarios.latent[:, 1] < scenarios.probabilities[:, 1]
    X = feasible_strategies(space)
    values = scenario_values(space, X, scenarios, arrays.weights)
    means, losses = criterion_means(space, X, scenarios)
    for row, x in enumerate(X):
        chosen = set(space.ids(x))
        p_q = np.minimum(scenarios.probabilities[:, 0] + (0.3 if "e" in chosen else 0.0), 1.0)
        q = scenarios.latent[:, 0] < p_q
        going = [np.where(q, 0.1, 0.0)] if "a" in chosen else []
        going += [np.full(len(q), 0.04)] if "b" in chosen else []
        charged = np.where(s, 0.0, np.max(going, axis=0)) if going else np.zeros(len(q))
        np.testing.assert_allclose(losses[row], charged.mean(), atol=1e-12, err_msg=str(chosen))
        c = 5.0 + (np.where(q, 3.0, -3.0) if "a" in chosen else 0.0)
        d = 5.0 + (1.0 if "b" in chosen else 0.0)
        np.testing.assert_allclose(values[row], (c + d) / 20 - charged, atol=1e-12)
        assert (means[row] - losses[row]) @ arrays.weights == pytest.approx(values[row].mean(), abs=1e-12)


@pytest.mark.parametrize("penalty", [0.1, 0.6])
def test_milp_prices_soft_penalties_where_the_option_goes_ahead(penalty):
    """Only the MILP's penalty model decides here: a penalty charged only where a goes ahead."""
    case = soft_case()
    case["options"][1]["id"] = "a"
    case["options"][1]["requires"][1]["penalty"] = penalty
    case["options"] += [
        {"id": "b", "name": "b", "requires": ["s", {"precondition": "q", "soft": True, "penalty": 0.05}],
         "scores": {"c": 6, "d": 5}, "failure": {"c": 4}},
        {"id": "e", "name": "e", "scores": {"c": 4.5, "d": 5}},
    ]
    case["enablers"] = [{"option": "e", "precondition": "q", "odds_ratio": 3.0},
                        {"option": "b", "precondition": "s", "add": 0.2}]
    arrays = compile_case(parse_case(case))
    common = dict(n_scenarios=300, rng=2, out_of_sample=0, stability=0, top=3)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.status == "optimal"
    assert milp.best == enum.best
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)
    assert milp.bound == pytest.approx(milp.in_sample[0], abs=1e-7)
    scenarios = draw_scenarios(arrays, 300, rng=2)
    ids = [o for o in arrays.option_ids if o != "wait"]
    plain = {tuple(sorted(s)): np.mean([reference_value(arrays, s, scenarios.planned[d], scenarios.failure[d],
                                                        scenarios.probabilities[d], scenarios.latent[d],
                                                        arrays.weights) for d in range(300)])
             for s in all_subsets(ids) if plain_feasible(arrays, s)}
    best = max(plain, key=plain.get)
    assert tuple(sorted(milp.best)) == best
    assert milp.in_sample[0] == pytest.approx(plain[best], abs=1e-12)


def test_a_soft_requirement_that_a_dependency_requires_outright_never_costs():
    """Phase two softly requires q, which phase one requires outright: where q says no neither goes
    ahead, so the penalty is never paid -- by enumeration and by the MILP."""
    case = soft_case()
    case["options"][1].update(id="phase1", requires=["q"], scores={"c": 6, "d": 5})
    case["options"].append({"id": "phase2", "name": "phase2", "depends_on": ["phase1"],
                            "requires": [{"precondition": "q", "soft": True, "penalty": 0.5},
                                         {"precondition": "s", "soft": True, "penalty": 0.02}],
                            "scores": {"c": 9, "d": 6}})
    arrays = compile_case(parse_case(case))
    scenarios = draw_scenarios(arrays, 500, rng=1)
    space = strategy_space(arrays)
    both = space.vector(["phase1", "phase2"])[None]
    q = scenarios.latent[:, 0] < scenarios.probabilities[:, 0]
    s = scenarios.latent[:, 1] < scenarios.probabilities[:, 1]
    _, penalties = criterion_means(space, both, scenarios)
    assert penalties[0] == pytest.approx(0.02 * np.mean(q & ~s), abs=1e-12)
    common = dict(n_scenarios=500, rng=1, out_of_sample=0, stability=0, top=3)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best == ("phase1", "phase2")
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)
    assert milp.bound == pytest.approx(milp.in_sample[0], abs=1e-7)
