"""simulate(..., strategy=[...]): a strategy as one more alternative, with the strategies engine's semantics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from decide.compile import compile_case
from decide.errors import DecideError
from decide.load import load_case
from decide.montecarlo import STRATEGY_ID, simulate
from decide.optimise.scenarios import draw_scenarios
from decide.optimise.evaluate import evaluate_strategy

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal_case.yaml"
# The first edition of the Mali case: these tests name its options (phase one and two, mediation).
MALI = ROOT / "tests" / "data" / "mali-2012-first-edition.yaml"
N = 200_000
Z = 4.0

# Outputs that depend only on the alternative's own values and answers (not on the others').
OWN = ("mean", "sd", "p05", "p50", "p95", "p_blocked", "p_no", "block_share", "sole_blocker_share",
       "value_at_stake")


@pytest.fixture(scope="module")
def minimal():
    return compile_case(load_case(MINIMAL))


@pytest.fixture(scope="module")
def mali():
    if not MALI.exists():
        pytest.skip("tests/data/mali-2012-first-edition.yaml is missing")
    return compile_case(load_case(MALI))


def _agrees_with_strategies_engine(arrays, strategy, seed: int) -> None:
    result = simulate(arrays, N, rng=seed, strategy=strategy)
    row = result.option_ids.index(STRATEGY_ID)
    values = evaluate_strategy(arrays, strategy, draw_scenarios(arrays, N, rng=seed + 1000))
    mean, se = result.estimates["mean"][row], result.standard_errors["mean"][row]
    se_ref = values.std(ddof=1) / np.sqrt(len(values))
    assert abs(mean - values.mean()) <= Z * np.hypot(se, se_ref), (mean, se, values.mean(), se_ref)
    sd = result.estimates["sd"][row]
    assert abs(sd - values.std(ddof=1)) <= Z * np.hypot(result.standard_errors["sd"][row], se_ref * 1.5 + 1e-12)


@pytest.mark.parametrize("strategy", [["mediate"], ["intervene"]])
def test_minimal_case_matches_evaluate_strategy(minimal, strategy) -> None:
    _agrees_with_strategies_engine(minimal, strategy, seed=11)


@pytest.mark.slow  # Mali runs of up to 200,000 draws: seconds each
@pytest.mark.parametrize("strategy", [["ecowas_phase1", "ecowas_phase2", "algeria_mediation"],
                                      ["algeria_mediation", "us_drone_strikes"]])
def test_mali_matches_evaluate_strategy(mali, strategy) -> None:
    _agrees_with_strategies_engine(mali, strategy, seed=12)


def test_extra_row_ids_names_requirements(mali) -> None:
    strategy = ["ecowas_phase1", "ecowas_phase2", "algeria_mediation"]
    result = simulate(mali, 5_000, rng=1, strategy=strategy)
    assert result.option_ids[-1] == STRATEGY_ID
    assert result.option_ids[:-1] == mali.option_ids
    assert result.option_names[-1] == "ecowas_phase1 + ecowas_phase2 + algeria_mediation"
    assert result.strategy == tuple(strategy)
    assert result.metadata["strategy"] == strategy
    idx = [mali.option_ids.index(o) for o in strategy]
    hard = mali.hard[idx].any(axis=0)
    np.testing.assert_array_equal(result.requirement[-1] == "hard", hard)
    # Every output has a row (or column) for the strategy, and ranks stay a distribution.
    n_a = len(mali.option_ids) + 1
    assert result.estimates["rank_acceptability"].shape == (n_a, n_a)
    np.testing.assert_allclose(result.estimates["rank_acceptability"].sum(axis=0), 1.0)
    np.testing.assert_allclose(result.estimates["p_best"].sum(), 1.0)
    assert result.summary.index[-1] == STRATEGY_ID
    assert 0.0 <= result.estimates["p_blocked"][-1] <= 1.0


def test_single_option_strategy_is_that_option(minimal) -> None:
    result = simulate(minimal, 50_000, rng=4, strategy=["intervene"])
    row, own = result.option_ids.index(STRATEGY_ID), result.option_ids.index("intervene")
    for key in OWN:
        np.testing.assert_array_equal(result.estimates[key][row], result.estimates[key][own], err_msg=key)
    # Tied in every draw: each wins half of their pairwise comparisons and they split being best.
    assert result.estimates["pairwise"][row, own] == 0.5
    assert result.estimates["p_best"][row] == result.estimates["p_best"][own]


def test_phase_two_strategy_is_phase_two_row(mali) -> None:
    """Phase one + phase two scores exactly as phase two was scored (its smallest strategy)."""
    result = simulate(mali, 20_000, rng=5, strategy=["ecowas_phase1", "ecowas_phase2"])
    row, own = result.option_ids.index(STRATEGY_ID), result.option_ids.index("ecowas_phase2")
    for key in OWN:
        np.testing.assert_array_equal(result.estimates[key][row], result.estimates[key][own], err_msg=key)


def test_option_rows_unchanged_by_strategy(mali) -> None:
    plain = simulate(mali, 20_000, rng=6)
    with_strategy = simulate(mali, 20_000, rng=6, strategy=["algeria_mediation", "us_drone_strikes"])
    for key in ("mean", "sd", "p05", "p50", "p95", "p_blocked", "p_no"):
        np.testing.assert_array_equal(plain.estimates[key], with_strategy.estimates[key][:-1], err_msg=key)
    np.testing.assert_array_equal(plain.estimates["p_yes"], with_strategy.estimates["p_yes"])
    assert plain.uniforms_per_draw == with_strategy.uniforms_per_draw


def test_bit_identical_for_chunks_and_workers(mali) -> None:
    strategy = ["ecowas_phase1", "ecowas_phase2", "algeria_mediation"]
    ref = simulate(mali, 40_000, rng=7, strategy=strategy, workers=1)
    for chunk, workers in ((100, 2), (5_000, 3)):
        other = simulate(mali, 40_000, rng=7, strategy=strategy, chunk_size=chunk, workers=workers)
        for key, value in ref.estimates.items():
            np.testing.assert_array_equal(value, other.estimates[key], err_msg=key)


@pytest.mark.slow  # Mali runs of up to 200,000 draws: seconds each
def test_strategy_with_weights_modes_and_qmc(mali) -> None:
    for kwargs in ({"weights": "uniform"}, {"weights": "imprecise"}, {"method": "qmc"}):
        result = simulate(mali, 4_096, rng=8, strategy=["algeria_mediation"], **kwargs)
        row, own = result.option_ids.index(STRATEGY_ID), result.option_ids.index("algeria_mediation")
        np.testing.assert_array_equal(result.estimates["mean"][row], result.estimates["mean"][own])


@pytest.mark.parametrize("strategy, message", [
    (["ecowas_phase2"], "depends on ecowas_phase1"),
    (["no_such_option"], "unknown option"),
    (["status_quo"], "baseline"),
    (["ecowas_rushed", "ecowas_phase1"], "excludes"),
])
def test_infeasible_strategies_are_refused(mali, strategy, message) -> None:
    with pytest.raises(DecideError, match=message):
        simulate(mali, 1_000, strategy=strategy)


def test_budget_is_checked(minimal) -> None:
    with pytest.raises(DecideError, match="budget"):
        simulate(minimal, 1_000, strategy=["mediate", "intervene"])


@pytest.mark.slow  # Mali runs of up to 200,000 draws: seconds each
@pytest.mark.parametrize("strategy", [["algeria_mediation", "eu_ransom_policy", "humanitarian_aid", "us_neighbour_aid"],
                                      ["ecowas_phase1", "ecowas_phase2"]])
def test_engines_agree_on_joint_quantities(mali, strategy) -> None:
    """Not only means: P(strategy beats the status quo), which depends on both alternatives in the
    same world (the baseline's own draw where a part fails, soft penalties only where a member goes
    ahead), and the mean paired difference agree across the two engines."""
    from decide.model.strategies import strategy_space
    from decide.optimise.evaluate import scenario_values
    from decide.score import resolve_weights

    result = simulate(mali, N, rng=21, strategy=strategy)
    row, sq = result.option_ids.index(STRATEGY_ID), mali.baseline
    scenarios = draw_scenarios(mali, N, rng=22)
    values = evaluate_strategy(mali, strategy, scenarios)
    space = strategy_space(mali)
    nothing = scenario_values(space, np.zeros((1, space.n_options), dtype=bool), scenarios,
                              resolve_weights(mali)[0][None, :]).ravel()
    diff = values - nothing
    wins = (diff > 0) + 0.5 * (diff == 0)
    p, p_se = result.estimates["pairwise"][row, sq], result.standard_errors["pairwise"][row, sq]
    assert abs(p - wins.mean()) <= Z * np.hypot(p_se, wins.std(ddof=1) / np.sqrt(N)), (p, wins.mean())
    mean_diff = result.estimates["mean"][row] - result.estimates["mean"][sq]
    se_diff = np.hypot(result.standard_errors["mean"][row], result.standard_errors["mean"][sq])
    assert abs(mean_diff - diff.mean()) <= Z * np.hypot(se_diff, diff.std(ddof=1) / np.sqrt(N))


@pytest.mark.parametrize("seed", [22, 35])
def test_engines_agree_with_soft_consequences_on_criteria(seed) -> None:
    """Soft costs stated on criteria (some options sharing a softly required question, with
    different losses): the kernel's strategy row and the strategies engine agree on the mean and
    on P(strategy beats the status quo), under a profile other than the default."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "optimise"))
    from strategy_cases import random_case

    from decide.load import parse_case
    from decide.model.strategies import strategy_space
    from decide.optimise.enumeration import feasible_strategies
    from decide.optimise.evaluate import scenario_values

    arrays = compile_case(parse_case(random_case(6, seed, spread=2.0, n_criteria=3, soft=0.7, consequence=0.6)))
    space = strategy_space(arrays)
    X = feasible_strategies(space)
    soft_members = space.soft_loss.any(axis=2).any(axis=1)
    x = X[np.argmax((X & soft_members).sum(axis=1))]
    strategy = list(space.ids(x))
    profile = arrays.profile_ids[-1]
    w = arrays.profile_weights[-1]
    result = simulate(arrays, N, rng=seed, strategy=strategy, weights=profile)
    row, sq = result.option_ids.index(STRATEGY_ID), arrays.baseline
    scenarios = draw_scenarios(arrays, N, rng=seed + 1)
    both = scenario_values(space, np.vstack([x, np.zeros_like(x)]), scenarios, w)
    diff = both[0] - both[1]
    mean, se = result.estimates["mean"][row], result.standard_errors["mean"][row]
    assert abs(mean - both[0].mean()) <= Z * np.hypot(se, both[0].std(ddof=1) / np.sqrt(N)), (mean, both[0].mean())
    wins = (diff > 0) + 0.5 * (diff == 0)
    p, p_se = result.estimates["pairwise"][row, sq], result.standard_errors["pairwise"][row, sq]
    assert abs(p - wins.mean()) <= Z * np.hypot(p_se, wins.std(ddof=1) / np.sqrt(N)), (p, wins.mean())
