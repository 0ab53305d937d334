"""The MILP search beyond what HiGHS proves on every scenario: many enablers on one precondition,
the MILP written on a subsample and compared on every scenario, early stops with --top rows."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from decide.compile import compile_case
from decide.load import parse_case
from decide.model.strategies import strategy_problems, strategy_space
from decide.optimise.milp.pyomo_model import build_strategy_model
from decide.optimise.milp.spec import MAX_ENABLING
from decide.optimise.scenarios import draw_scenarios
from decide.optimise.strategy import optimise_strategies

sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import random_case  # noqa: E402

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"


MIXED = [{"add": 0.1}, {"odds_ratio": 1.5}, {"add": 0.05}]
ODDS = [{"odds_ratio": 1.5}, {"odds_ratio": 0.6}, {"odds_ratio": 2.5}, {"odds_ratio": 1.2}]


def many_enablers(n_options: int, seed: int, n_enabling: int, effects: list[dict] = MIXED) -> dict:
    """A random case where ``n_enabling`` options move the first precondition (required by some)."""
    case = random_case(n_options, seed, spread=2.0, n_preconditions=3)
    first = case["preconditions"][0]["id"]
    case["enablers"] = [e for e in case["enablers"] if e["precondition"] != first]
    case["enablers"] += [{"option": f"o{k}", "precondition": first, **effects[k % len(effects)]}
                         for k in range(n_enabling)]
    return case


def test_more_options_enabling_one_precondition_than_the_old_cap():
    """Nine options enabling one precondition (the Mali case's algeria_backing) were rejected at 8."""
    arrays = compile_case(parse_case(many_enablers(10, 3, 9)))
    assert 9 <= MAX_ENABLING
    space = strategy_space(arrays)
    assert space.hard[:, 0].any()  # some option needs it
    common = dict(n_scenarios=40, rng=3, out_of_sample=0, stability=0, top=2)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.status == "optimal"
    assert milp.strategies == enum.strategies
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)


@pytest.mark.parametrize("seed", [3, 8])
def test_answers_as_levels_of_the_log_odds_match_enumeration(seed):
    """Odds ratios add up in log-odds: each answer is a threshold on one score of the enabling
    options, written as one binary per level (not a 2^n-term polynomial), exactly."""
    arrays = compile_case(parse_case(many_enablers(9, seed, 7, ODDS)))
    scenarios = draw_scenarios(arrays, 40, rng=seed)
    model = build_strategy_model(arrays, scenarios)
    assert model.find_component("level") is not None and len(model.level) > 0
    common = dict(n_scenarios=40, rng=seed, out_of_sample=0, stability=0, top=3)
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.status == "optimal"
    assert milp.strategies == enum.strategies
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)
    assert milp.bound == pytest.approx(milp.in_sample[0], abs=1e-7)


def test_answers_that_are_no_threshold_keep_the_polynomial():
    """A 'to' enabler sets the probability: no score orders the patterns, so no levels."""
    arrays = compile_case(parse_case(many_enablers(8, 5, 6, ODDS[:2] + [{"to": 0.9}])))
    model = build_strategy_model(arrays, draw_scenarios(arrays, 30, rng=5))
    assert model.find_component("level") is None
    common = dict(n_scenarios=30, rng=5, out_of_sample=0, stability=0, top=1)
    assert optimise_strategies(arrays, engine="milp", **common).best == \
        optimise_strategies(arrays, engine="enumerate", **common).best


@pytest.mark.parametrize("weights", [None, "maximin", "minimax_regret"])
def test_milp_on_a_subsample_finds_the_enumeration_optimum(weights):
    arrays = compile_case(parse_case(random_case(9, 4, spread=2.0)))
    common = dict(n_scenarios=240, rng=4, out_of_sample=0, stability=0, top=3, weights=weights)
    milp = optimise_strategies(arrays, engine="milp", milp_scenarios=40, time_limit=20, **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.best == enum.best
    assert milp.strategies == enum.strategies  # the top few too, compared on every scenario
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)
    assert milp.status in ("optimal on 40 scenarios", "time limit on 40 scenarios")
    assert np.isfinite(milp.gap) and np.isfinite(milp.bound) and milp.gap >= 0
    assert any("first 40 of the 240 scenarios" in note for note in milp.notes)


def test_a_time_limit_still_reports_top_distinct_feasible_strategies():
    arrays = compile_case(parse_case(random_case(14, 3, n_criteria=6)))
    result = optimise_strategies(arrays, n_scenarios=150, rng=1, engine="milp", time_limit=0.3, top=4,
                                 out_of_sample=50, stability=0)
    assert result.status == "time limit"
    assert len(result.strategies) == 4 and len(set(result.strategies)) == 4
    assert np.all(np.diff(result.in_sample) <= 1e-12)  # best first
    assert np.isfinite(result.gap)
    space = strategy_space(arrays)
    assert all(strategy_problems(space, space.vector(s)) == [] for s in result.strategies)


def test_stability_reruns_with_the_milp():
    arrays = compile_case(parse_case(random_case(6, 2, spread=2.0)))
    result = optimise_strategies(arrays, n_scenarios=40, rng=2, engine="milp", stability=1, out_of_sample=0, top=1)
    assert len(result.stability_runs) == 3  # one other seed at S and S/2, the seed itself at S/2
    assert 0.0 <= result.stability <= 1.0


def test_cli_milp_settings_top_and_no_nan():
    from decide.cli import cli

    args = ["strategies", str(MINIMAL), "--engine", "milp", "--top", "2", "-S", "300", "--milp-scenarios", "60",
            "--time-limit", "10", "--stability", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output.lower()
    assert "same choice in" in result.output
    assert "first 60 of the 300 scenarios" in result.output
    table = result.output.split("What each option")[0]
    assert sum(line.lstrip().startswith(("1 ", "2 ")) for line in table.splitlines()) == 2
