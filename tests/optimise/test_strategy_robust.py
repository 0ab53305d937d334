"""Robust objectives across weight profiles against a plain-Python brute force.

Maximin is over the gain of a strategy over doing nothing (profiles value the status quo
differently), and out-of-sample regret is measured from each profile's best on the same fresh
scenarios -- not from its best on the scenarios the choice was made on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from decide.compile import compile_case
from decide.load import parse_case
from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, draw_scenarios
from decide.optimise.strategy import optimise_strategies
from decide.optimise.milp.pyomo_model import build_strategy_model

# The suite runs with --import-mode=importlib: put this folder's helper module on the path.
sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import all_subsets, plain_feasible, random_case, reference_value  # noqa: E402


def two_stakeholders() -> dict:
    """Two profiles that value the status quo very differently, and two options that exclude each other.

    ``development`` weighs reach (where the status quo is near 0): it values everything low,
    the status quo lowest. ``security`` weighs stability (where the status quo is already
    good, 8 of 10). ``expand`` brings reach (5) and leaves stability as it is; ``stabilise``
    brings less reach (3) and more stability (9.5), if Bamako consents (p = 0.8; else stability
    falls to 7 and reach stays the status quo's). Expected values, per profile:

    ============  ===========  ========  ===========
                  doing nothing  expand  stabilise
    ============  ===========  ========  ===========
    development        0.125     0.530      0.315
    security           0.725     0.770      0.835
    ============  ===========  ========  ===========

    The worst profile's raw value is largest for ``expand`` (0.530 vs 0.315: development's view
    of both); the worst profile's *gain over doing nothing* is largest for ``stabilise``
    (min(0.19, 0.11) = 0.11 vs min(0.405, 0.045) = 0.045: ``expand`` does almost nothing for
    security).
    """
    scale = {"low": 0, "high": 10, "low_means": "bad", "high_means": "good"}
    crit = {"direction": "higher_is_better", "scale": scale}
    return {
        "decide": 1, "id": "stakeholders", "title": "Two stakeholders",
        "criteria": {"id": "k", "name": "K", "criteria": [{"id": "reach", "name": "Reach", **crit},
                                                          {"id": "stability", "name": "Stability", **crit}]},
        "options": [
            {"id": "status_quo", "name": "Status quo", "baseline": True,
             "scores": {"reach": {"kind": "uniform", "low": 0, "high": 1},
                        "stability": {"kind": "triangular", "low": 7, "mode": 8, "high": 9}}},
            {"id": "expand", "name": "Expand", "excludes": ["stabilise"],
             "scores": {"reach": {"kind": "triangular", "low": 4, "mode": 5, "high": 6}, "stability": 8}},
            {"id": "stabilise", "name": "Stabilise", "requires": ["consent"],
             "scores": {"reach": {"kind": "triangular", "low": 2, "mode": 3, "high": 4},
                        "stability": {"kind": "triangular", "low": 9, "mode": 9.5, "high": 10}},
             "failure": {"stability": 7}},
        ],
        "preconditions": [{"id": "consent", "question": "Would Bamako consent?", "probability": 0.8}],
        "weights": {"profiles": [
            {"id": "development", "name": "Development", "weights": {"reach": 0.9, "stability": 0.1}},
            {"id": "security", "name": "Security", "weights": {"reach": 0.1, "stability": 0.9}},
        ]},
    }


def brute_force(arrays, scenarios) -> tuple[list[set[str]], np.ndarray]:
    """Every feasible strategy and its mean value per profile, one scenario at a time, in plain Python."""
    ids = [o for o in arrays.option_ids if o != arrays.option_ids[arrays.baseline]]
    plain = [s for s in all_subsets(ids) if plain_feasible(arrays, s)]
    by_profile = np.array([[np.mean([reference_value(arrays, s, scenarios.planned[d], scenarios.failure[d],
                                                     scenarios.probabilities[d], scenarios.latent[d], w)
                                     for d in range(scenarios.n_draws)])
                            for w in arrays.profile_weights] for s in plain])
    return plain, by_profile


@pytest.mark.parametrize("engine", ["enumerate", "milp"])
def test_maximin_is_over_the_gain_over_doing_nothing(engine):
    arrays = compile_case(parse_case(two_stakeholders()))
    scenarios = draw_scenarios(arrays, 400, rng=5)
    plain, by_profile = brute_force(arrays, scenarios)
    nothing = by_profile[plain.index(set())]
    gains = by_profile - nothing
    # the construction: the raw worst-profile value and the worst-profile gain disagree
    assert plain[int(np.argmax(by_profile.min(axis=1)))] == {"expand"}
    assert plain[int(np.argmax(gains.min(axis=1)))] == {"stabilise"}

    result = optimise_strategies(arrays, n_scenarios=400, rng=5, weights="maximin", engine=engine,
                                 out_of_sample=500, stability=0, top=3)
    assert result.best == ("stabilise",)
    assert result.in_sample[0] == pytest.approx(gains.min(axis=1).max(), abs=1e-9)
    ranked = [plain[k] for k in np.argsort(-gains.min(axis=1), kind="stable")]
    assert [set(s) for s in result.strategies] == ranked[:len(result.strategies)]
    if engine == "milp":
        assert result.status == "optimal" and result.bound == pytest.approx(result.in_sample[0], abs=1e-7)

    # Out of sample, the gain is over doing nothing on the same fresh scenarios.
    fresh = draw_scenarios(arrays, 500, rng=5, stream=STREAM_OUT_OF_SAMPLE)
    plain, by_profile = brute_force(arrays, fresh)
    nothing = by_profile[plain.index(set())]
    for k, strategy in enumerate(result.strategies):
        gain = by_profile[plain.index(set(strategy))] - nothing
        assert result.out_of_sample[k] == pytest.approx(gain.min(), abs=1e-12)
    np.testing.assert_allclose(result.status_quo_means, nothing, atol=1e-12)
    assert "of the gain over doing nothing" in " ".join(result.notes)
    assert list(result.to_frame().columns[2:4]) == ["in_sample_min_gain", "out_of_sample_min_gain"]


def test_milp_maximin_model_shifts_each_profile_by_doing_nothing():
    arrays = compile_case(parse_case(two_stakeholders()))
    scenarios = draw_scenarios(arrays, 100, rng=2)
    plain, by_profile = brute_force(arrays, scenarios)
    gains = by_profile - by_profile[plain.index(set())]
    from decide.optimise.solve import highs

    model = build_strategy_model(arrays, scenarios, weights="maximin")
    highs().solve(model)
    assert model.objective() == pytest.approx(gains.min(axis=1).max(), abs=1e-7)


@pytest.mark.parametrize("seed", [3, 8])
def test_out_of_sample_regret_is_from_the_out_of_sample_best(seed):
    """Regret of each reported strategy on the fresh scenarios = (brute force) each profile's best
    over every feasible strategy on those scenarios minus the strategy's value there."""
    arrays = compile_case(parse_case(random_case(5, seed, n_criteria=3)))
    n_in, n_out = 15, 400  # few in-sample scenarios: their best values are far from the fresh ones'
    result = optimise_strategies(arrays, n_scenarios=n_in, rng=seed, weights="minimax_regret",
                                 engine="enumerate", out_of_sample=n_out, stability=0, top=3)
    fresh = draw_scenarios(arrays, n_out, rng=seed, stream=STREAM_OUT_OF_SAMPLE)
    plain, by_profile = brute_force(arrays, fresh)
    best = by_profile.max(axis=0)
    for k, strategy in enumerate(result.strategies):
        value = by_profile[plain.index(set(strategy))]
        np.testing.assert_allclose(result.profile_means[k], value, atol=1e-12)
        assert result.out_of_sample[k] == pytest.approx((best - value).max(), abs=1e-12)
    np.testing.assert_allclose(result.profile_best, best, atol=1e-12)
    # the previous definition (from the in-sample best) gives another number, far beyond the tolerance
    _, in_sample = brute_force(arrays, draw_scenarios(arrays, n_in, rng=seed))
    stale = (in_sample.max(axis=0) - by_profile[plain.index(set(result.best))]).max()
    assert abs(stale - result.out_of_sample[0]) > 1e-4
    # the contributions use the same reference: "with" is the best strategy's regret
    np.testing.assert_allclose(result.with_value, result.out_of_sample[0])
    assert f"over every one of the {len(plain):,} feasible strategies" in " ".join(result.notes)


def test_milp_out_of_sample_regret_is_from_the_best_it_evaluated():
    """With the MILP the reference is the best of the strategies evaluated out of sample (reported,
    each profile's own in-sample optimum, the best without each option): never above the exact
    best, never below any reported strategy's value, and the notes say it is a lower bound."""
    arrays = compile_case(parse_case(random_case(5, 3, n_criteria=3, spread=2.0)))
    common = dict(n_scenarios=30, rng=3, weights="minimax_regret", out_of_sample=300, stability=0, top=2)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best
    assert np.all(milp.profile_best <= enum.profile_best + 1e-12)
    assert np.all(milp.profile_best >= milp.profile_means.max(axis=0) - 1e-12)
    np.testing.assert_allclose(milp.out_of_sample,
                               (milp.profile_best[None] - milp.profile_means).max(axis=1), atol=1e-12)
    assert np.all(milp.out_of_sample >= -1e-12)
    assert "lower bound" in " ".join(milp.notes)
