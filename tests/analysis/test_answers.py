"""What a precondition's answer is worth to the recommended strategy (issue 16): the value at stake
by intervention and the value of information for the strategy choice, against hand-worked values,
the worlds' own draws, and brute force.

The tiny case (``tiny_answers.yaml``): doing nothing is worth 0.2; acting is worth 0.8 where ``q``
says yes, less a soft penalty of 0.1 where ``r`` says no, and 0 (its failure) where ``q`` says no.
Both questions have probability 1/2 and a Gaussian copula with rho = 0.9, so
P(both yes) = 1/4 + asin(0.9) / (2 pi).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from decide.analysis.intervention import first_scenarios, value_at_stake_by_intervention
from decide.analysis.strategy_voi import candidate_strategies, strategy_evppi
from decide.compile import compile_case
from decide.load import load_case
from decide.optimise.scenarios import STREAM_IN_SAMPLE, STREAM_OUT_OF_SAMPLE, draw_scenarios

TINY = Path(__file__).with_name("tiny_answers.yaml")
P11 = 0.25 + np.arcsin(0.9) / (2 * np.pi)  # P(q yes and r yes)
ACT = 0.8 * 0.5 - 0.1 * (0.5 - P11)  # E[v(act)]: q yes, less the penalty where q yes and r no


@pytest.fixture(scope="module")
def tiny():
    arrays = compile_case(load_case(TINY))
    return arrays, draw_scenarios(arrays, 20_000, rng=3)


def test_value_at_stake_by_intervention_by_hand(tiny):
    arrays, scenarios = tiny
    t = value_at_stake_by_intervention(arrays, ("act",), scenarios)
    assert list(t.index) == ["q", "r"]
    # do(q = yes): act goes ahead everywhere, r said no at its own (marginal) rate 1/2: 0.8 - 0.05.
    q, r = t.loc["q"], t.loc["r"]
    assert abs(q["at_stake"] - 0.75) < 4 * q["at_stake_se"]
    assert q["value_if_no"] == 0.0  # do(q = no): act fails in every world
    # do(r = yes) - do(r = no): the penalty, paid where q says yes: 0.1 * 1/2.
    assert abs(r["at_stake"] - 0.05) < 4 * r["at_stake_se"]
    # Observed, the copula mixes q into r's contrast: E[v | r yes] - E[v | r no].
    observed_r = 0.8 * P11 / 0.5 - 0.7 * (0.5 - P11) / 0.5
    assert abs(r["observed"] - observed_r) < 4 * r["observed_se"]
    assert r["observed"] > 10 * r["at_stake"]
    observed_q = 0.8 - 0.1 * (0.5 - P11) / 0.5
    assert abs(q["observed"] - observed_q) < 4 * q["observed_se"]
    assert t.attrs["n_scenarios"] == 20_000 and "(soft)" in r["options"]
    assert abs(t.attrs["mean"] - ACT) < 4 * 0.4 / np.sqrt(20_000)  # four standard errors: sd(v) < 0.4


def test_the_answer_is_set_and_the_rest_is_drawn_as_before(tiny):
    arrays, scenarios = tiny
    t = value_at_stake_by_intervention(arrays, ("act",), scenarios)
    # Same worlds: with q set to yes, r keeps its own draws (yes iff its latent uniform < 1/2).
    r_no = scenarios.latent[:, 1] >= 0.5
    assert t.at["q", "value_if_yes"] == pytest.approx(0.8 - 0.1 * r_no.mean(), abs=1e-12)
    q_yes = scenarios.latent[:, 0] < 0.5
    assert t.at["r", "at_stake"] == pytest.approx(0.1 * q_yes.mean(), abs=1e-12)


def test_value_at_stake_matches_probabilities_set_to_one_and_zero(point_probability):
    # Brute force on the Mali case: redraw the worlds with the question's probability a point at 1
    # and at 0 (as the threshold analysis does) and evaluate the strategy on each; for a question
    # no enabler of the strategy acts on, "probability 1" is "set the answer to yes".
    from decide.optimise.evaluate import evaluate_strategy

    arrays = compile_case(load_case("mali-2012"))
    strategy = ("bolster_transition", "rebuild_army", "eu_ransom_policy", "humanitarian_aid")
    scenarios = draw_scenarios(arrays, 300, rng=5, stream=STREAM_OUT_OF_SAMPLE)
    t = value_at_stake_by_intervention(arrays, strategy, scenarios)
    assert set(t.index) == {"stable_transition", "army_accepts_reform", "eu_ransom_consensus", "aid_access"}
    for q in t.index:
        k = list(arrays.precondition_ids).index(q)
        at = [evaluate_strategy(v, strategy, draw_scenarios(v, 300, rng=5, stream=STREAM_OUT_OF_SAMPLE)).mean()
              for v in (point_probability(arrays, k, 1.0), point_probability(arrays, k, 0.0))]
        assert t.at[q, "value_if_yes"] == pytest.approx(at[0], abs=1e-12)
        assert t.at[q, "value_if_no"] == pytest.approx(at[1], abs=1e-12)


def test_strategy_evppi_by_hand(tiny):
    arrays, scenarios = tiny
    t = strategy_evppi(arrays, ("act",), scenarios)
    assert t.attrs["n_candidates"] == 2 and t.attrs["best"] == ("act",)
    # Learn q: act if yes (0.8 - 0.1 P(r no | q yes)), nothing if no (0.2); the first term's half
    # is E[v(act)] itself, so the EVPPI is 0.2 / 2 = 0.1.
    q = t.loc["q"]
    assert abs(q["value"] - 0.1) < 4 * q["value_se"]
    assert (q["if_yes"], q["if_no"]) == (("act",), ())
    # Learn r: act if yes (0.8 P(q yes | r yes)), nothing if no (0.7 P(q yes | r no) < 0.2).
    r = t.loc["r"]
    evppi_r = 0.5 * 0.8 * P11 / 0.5 + 0.5 * 0.2 - ACT
    assert abs(r["value"] - evppi_r) < 4 * r["value_se"]
    assert (t["value"] >= 0).all() and t["changes"].all()


def test_strategy_evppi_is_the_mean_of_its_influence(tiny):
    # The estimate is exactly sum over answers of P(answer) max_s mean(v_s | answer) - max_s mean(v_s).
    from decide.model.strategies import strategy_space
    from decide.optimise.evaluate import scenario_values
    from decide.score import resolve_weights

    arrays, scenarios = tiny
    t = strategy_evppi(arrays, ("act",), scenarios)
    space = strategy_space(arrays)
    w, _ = resolve_weights(arrays, None)
    V = scenario_values(space, np.array([space.vector([]), space.vector(["act"])]), scenarios, w)
    for k, q in enumerate(arrays.precondition_ids):
        yes = scenarios.latent[:, k] < 0.5
        direct = yes.mean() * V[:, yes].mean(axis=1).max() + (~yes).mean() * V[:, ~yes].mean(axis=1).max() \
            - V.mean(axis=1).max()
        assert t.at[q, "value"] == pytest.approx(direct, abs=1e-12)


def test_a_question_nothing_reads_is_worth_nothing():
    arrays = compile_case(load_case("mali-2012"))
    scenarios = draw_scenarios(arrays, 300, rng=2, stream=STREAM_OUT_OF_SAMPLE)
    t = strategy_evppi(arrays, ("humanitarian_aid",), scenarios)
    # france_commits is read only by the French-led intervention, which no candidate pursues.
    assert t.at["france_commits", "value"] == 0.0 and not t.at["france_commits", "changes"]
    assert (t["value"] >= -1e-12).all()


def test_first_scenarios_are_a_shorter_draw():
    arrays = compile_case(load_case(TINY))
    long, short = draw_scenarios(arrays, 3000, rng=1), draw_scenarios(arrays, 1100, rng=1)
    cut = first_scenarios(long, 1100)
    assert np.array_equal(cut.planned, short.planned) and np.array_equal(cut.latent, short.latent)
    assert first_scenarios(long, None) is long and first_scenarios(long, 5000) is long


@pytest.mark.slow
def test_the_shortlist_holds_the_best_strategy_given_each_answer():
    # Brute force on the Mali case: every feasible strategy's mean value given each answer, on the
    # strategies engine's 1,000 in-sample scenarios; the best given the answer is on the shortlist.
    from decide.analysis.intervention import strategy_answers
    from decide.analysis.portfolio import _net
    from decide.model.strategies import strategy_space
    from decide.optimise.strategy import criterion_means, feasible_strategies
    from decide.score import resolve_weights

    arrays = compile_case(load_case("mali-2012"))
    space = strategy_space(arrays)
    w, _ = resolve_weights(arrays, None)
    scenarios = draw_scenarios(arrays, 1000, rng=20121, stream=STREAM_IN_SAMPLE)
    X = feasible_strategies(space)
    net = _net(*criterion_means(space, X, scenarios))
    x = X[int(np.argmax(net @ w))]
    short = candidate_strategies(space, x, evaluated=(X, net), weights=w)
    listed = {row.tobytes() for row in short}
    answers = strategy_answers(space, x, scenarios)
    for q in ("stable_transition", "army_accepts_reform", "ag_ghali_breaks", "algeria_engages"):
        yes = answers[:, list(arrays.precondition_ids).index(q)]
        for part in (yes, ~yes):
            cut = type(scenarios)(scenarios.planned[part], scenarios.failure[part], scenarios.probabilities[part],
                                  scenarios.latent[part], scenarios.seed, scenarios.stream,
                                  scenarios.stage_failures[part])
            best = X[int(np.argmax(_net(*criterion_means(space, X, cut)) @ w))]
            assert best.tobytes() in listed, (q, space.ids(best))
