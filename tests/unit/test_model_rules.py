"""The rules of the value model (DESIGN.md, "Requirement", "Soft requirement", "Sensitivity and
robustness") in the Monte Carlo engine, against closed forms in multiples of its own MCSE."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from decide.load import load_case, parse_case
from decide.montecarlo import simulate
from decide.score import resolve_weights
from decide.compile import compile_case

sys.path.insert(0, str(Path(__file__).parent))
from test_montecarlo import case, close, pre  # noqa: E402

N = 200_000
TRI = {"kind": "triangular", "low": 0, "mode": 5, "high": 10}


def test_a_failed_option_keeps_the_baselines_own_draw():
    """go scores 8 on c if q (p = 0.5) holds, else fails to the baseline's outcome on c, a
    triangular(0, 5, 10). Regret arises only where q holds and the baseline draws above 8:
    E[regret of go] = P(q) w_c E[(X - 8)+] / 10 = 0.5 * 0.5 * (8 / 150) / 10. A fresh draw of the
    baseline's distribution would give 0.0306. Where go fails the two tie exactly."""
    data = case({"wait": {"scores": [TRI, 5], "baseline": True}, "go": {"scores": [8, 5], "requires": ["q"]}},
                criteria=2, preconditions=[pre("q", 0.5)])
    r = simulate(parse_case(data), N, rng=1)
    go, wait = r.option_ids.index("go"), r.option_ids.index("wait")
    e, se = r.estimates, r.standard_errors
    close(e["expected_regret"][go], se["expected_regret"][go], 0.5 * 0.5 * (8 / 150) / 10)
    # P(go > wait), a tie counting half: where q holds, X < 8 (0.92); where it fails, a tie.
    close(e["pairwise"][go, wait], se["pairwise"][go, wait], 0.5 * 0.92 + 0.5 * 0.5)
    # Ties share rank 1: go is best where q holds and X < 8, and half-best where it fails.
    close(e["p_best"][go], se["p_best"][go], 0.5 * 0.92 + 0.5 * 0.5)


def test_a_discrete_failure_profile_elsewhere_still_shares_the_baselines_draw():
    """The Mali pattern: a failure profile listing one criterion (with a discrete outcome) leaves
    the others to the baseline's own draw."""
    disc = {"kind": "discrete", "values": [1, 3], "probabilities": [0.5, 0.5]}
    data = case({"wait": {"scores": [TRI, 5], "baseline": True}, "go": {"scores": [8, 5], "requires": ["q"]}},
                criteria=2, preconditions=[pre("q", 0.5)])
    data["options"][1]["failure"] = {"c1": disc}  # c0 is not listed
    r = simulate(parse_case(data), N, rng=2)
    go = r.option_ids.index("go")
    e, se = r.estimates, r.standard_errors
    # Where go fails: c is the baseline's X for both; go loses (5 - d)/10 * 0.5 on d, d in {1, 3}:
    # regret 0.5 * E[(5 - d)] / 10 = 0.15 there. Where q holds: E[(X - 8)+] / 10 * 0.5.
    close(e["expected_regret"][go], se["expected_regret"][go], 0.5 * 0.15 + 0.5 * 0.5 * (8 / 150) / 10)


def test_a_soft_no_costs_only_an_option_that_goes_ahead():
    """go: hard q (0.5), soft s (0.5, penalty 0.1), planned 0.65, failure 0.35:
    E[v] = 0.5 * 0.65 + 0.5 * 0.35 - P(q) P(not s) 0.1 = 0.475 (charged after failing: 0.45)."""
    data = case({"wait": {"scores": [5, 5], "baseline": True},
                 "go": {"scores": [8, 5], "failure": [2, 5],
                        "requires": ["q", {"precondition": "s", "soft": True, "penalty": 0.1}]}},
                criteria=2, preconditions=[pre("q", 0.5), pre("s", 0.5)])
    r = simulate(parse_case(data), N, rng=3)
    go = r.option_ids.index("go")
    close(r.estimates["mean"][go], r.standard_errors["mean"][go], 0.475)
    close(r.estimates["expected_penalty"][go], r.standard_errors["expected_penalty"][go], 0.025)


def _mediation_case() -> dict:
    """med succeeds (0.8) if q says yes, else fails (0.2); wait is 0.5. q's probability is 0.3,
    0.6 when med is pursued (its own enabler)."""
    return case({"wait": {"scores": [5], "baseline": True},
                 "med": {"scores": [8], "failure": [2], "requires": ["q"]}},
                preconditions=[pre("q", 0.3)], enablers=[{"option": "med", "precondition": "q", "add": 0.3}])


def test_the_evppi_is_of_the_answer_the_decision_turns_on():
    """E[med] = 0.56 > 0.5. Learning whether q holds *if med is pursued* (yes 0.6: med 0.8; no: wait
    0.5) is worth 0.68 - 0.56 = 0.12. Learning the answer without the enabler (yes 0.3: med 0.8;
    no 0.7: E[med | no] = 3/7 * 0.8 + 4/7 * 0.2 < 0.5, wait) is worth 0.59 - 0.56 = 0.03."""
    r = simulate(parse_case(_mediation_case()), N, rng=4)
    e, se = r.estimates, r.standard_errors
    close(e["evppi"][0], se["evppi"][0], 0.12)
    close(e["evppi_unmediated"][0], se["evppi_unmediated"][0], 0.03)
    assert r.evppi_answer == ("med",)
    assert r.value_of_information.loc["q", "answer_under"] == "med"


def test_evppi_standard_errors_match_the_spread_over_seeds():
    """The reported MCSE against the observed spread of 24 independent runs of 5,000 draws (before,
    batch means over 16,384-draw blocks gave no MCSE at all at this size)."""
    parsed = parse_case(_mediation_case())
    runs = [simulate(parsed, 5_000, rng=seed) for seed in range(24)]
    for key in ("evppi", "evppi_unmediated"):
        values = np.array([r.estimates[key][0] for r in runs])
        ses = np.array([r.standard_errors[key][0] for r in runs])
        ratio = values.std(ddof=1) / ses.mean()
        assert 0.6 <= ratio <= 1.6, (key, ratio)


@pytest.mark.parametrize("name", ["tests/data/minimal_case.yaml", "mali-2012"])
def test_the_weight_analyses_matrix_gives_the_simulated_means(name):
    """E[v] is linear in the weights: criterion means times the weights, less the expected penalty,
    is the simulated mean, exactly (fixed weights)."""
    loaded = load_case(name)
    r = simulate(loaded, 20_000, rng=5)
    w = resolve_weights(compile_case(loaded))[0]
    np.testing.assert_allclose(r.value_matrix.to_numpy() @ w, r.estimates["mean"], rtol=0, atol=1e-12)
    assert list(r.criterion_means.columns) == list(r.criterion_ids)


def _consequence_case() -> dict:
    """go: scores (8, 6), fails on q (0.6) to 3 on c0 (c1 keeps the baseline's 5); a soft "no" to s
    (0.5) costs 0.2 of c0's value scale. Two profiles that weigh c0 and c1 3:1 and 1:3."""
    return case({"wait": {"scores": [5, 5], "baseline": True},
                 "go": {"scores": [8, 6], "failure": [3],
                        "requires": ["q", {"precondition": "s", "soft": True, "consequence": {"c0": 0.2}}]}},
                criteria=2, preconditions=[pre("q", 0.6), pre("s", 0.5)],
                weights={"profiles": [{"id": "pc", "name": "pc", "weights": {"c0": 3, "c1": 1}},
                                      {"id": "pd", "name": "pd", "weights": {"c0": 1, "c1": 3}}]})


# E[value] = 0.6 v(planned) + 0.4 v(failure) - w_c0 * 0.2 * P(q yes, s no): the soft loss is on c0.
CONSEQUENCE = {"pc": (0.75 * 0.8 + 0.25 * 0.6, 0.75 * 0.3 + 0.25 * 0.5, 0.75 * 0.06),
               "pd": (0.25 * 0.8 + 0.75 * 0.6, 0.25 * 0.3 + 0.75 * 0.5, 0.25 * 0.06)}


@pytest.mark.parametrize("profile", ["pc", "pd"])
def test_a_soft_consequence_counts_as_much_as_the_profile_weighs_its_criterion(profile):
    from decide.score import score

    planned, failed, loss = CONSEQUENCE[profile]
    expected = 0.6 * planned + 0.4 * failed - loss
    parsed = parse_case(_consequence_case())
    table = score(parsed, weights=profile).table
    assert table.loc["go", "soft_penalty"] == pytest.approx(loss, abs=1e-15)
    assert table.loc["go", "expected_value"] == pytest.approx(expected, abs=1e-15)
    r = simulate(parsed, N, rng=6, weights=profile)
    go = r.option_ids.index("go")
    close(r.estimates["mean"][go], r.standard_errors["mean"][go], expected)
    close(r.estimates["expected_penalty"][go], r.standard_errors["expected_penalty"][go], loss)
    # The loss sits on c0's column of the weight analyses' matrix, not spread over both.
    close(r.estimates["expected_loss"][go], r.standard_errors["expected_loss"][go], [0.06, 0.0])
    np.testing.assert_allclose(r.value_matrix.loc["go"].to_numpy(), [0.6 * 0.8 + 0.4 * 0.3 - 0.06, 0.6 * 0.6 + 0.4 * 0.5],
                               atol=4 * r.standard_errors["mean"][go])


def test_a_soft_consequence_with_drawn_weights_is_weighted_draw_by_draw():
    """Weights uniform on the simplex (E[w] = (1/2, 1/2)) and independent of the world: the mean is
    the matrix times E[w], and the confidence pass (fixed central weights) runs with the losses."""
    r = simulate(parse_case(_consequence_case()), N, rng=7, weights="uniform")
    go = r.option_ids.index("go")
    matrix = np.array([0.6 * 0.8 + 0.4 * 0.3 - 0.06, 0.6 * 0.6 + 0.4 * 0.5])
    close(r.estimates["mean"][go], r.standard_errors["mean"][go], matrix @ [0.5, 0.5])
    close(r.estimates["expected_penalty"][go], r.standard_errors["expected_penalty"][go], 0.03)


def test_the_confidence_factor_charges_soft_losses_at_the_central_weights():
    """go (9, 5) loses half of c0's scale where s (0.5) says no: then it is worse than wait (5, 5)
    for every weight with w_c0 > 0, else better. So go is best exactly where s says yes, its central
    weights are E[w] = (1/2, 1/2), and at them it is best with probability 0.5 (1 if the confidence
    pass ignored the loss)."""
    data = case({"wait": {"scores": [5, 5], "baseline": True},
                 "go": {"scores": [9, 5], "requires": [{"precondition": "s", "soft": True, "consequence": {"c0": 0.5}}]}},
                criteria=2, preconditions=[pre("s", 0.5)])
    r = simulate(parse_case(data), N, rng=8, weights="uniform")
    go = r.option_ids.index("go")
    e, se = r.estimates, r.standard_errors
    close(e["p_best"][go], se["p_best"][go], 0.5)
    close(e["central_weights"][go], se["central_weights"][go], [0.5, 0.5])
    close(e["confidence_factor"][go], se["confidence_factor"][go], 0.5)


def test_with_drawn_weights_learning_ones_own_preferences_is_not_information():
    """a = (10, 0) and b = (0, 10), nothing uncertain but the weights, uniform: values t and 1 - t.
    Counting the weights as information, the EVPI would be E[max(t, 1 - t)] - 1/2 = 0.25; given
    the weights there is nothing to learn."""
    data = case({"a": {"scores": [10, 0]}, "b": {"scores": [0, 10]}}, criteria=2)
    r = simulate(parse_case(data), 100_000, rng=9, weights="uniform")
    assert abs(float(r.estimates["evpi"])) < 1e-9


def test_evppi_given_drawn_weights():
    """wait (5, 5) = 0.5; go scores (10, 0) = t if q (0.5) says yes, else fails to 0 on c0 and the
    baseline's 5 on c1 = (1 - t) / 2. Given t, go's mean 1/4 + t/4 never beats 1/2; knowing q, go
    is chosen when yes and t > 1/2: EVPPI = EVPI = (E[max(t, 1/2)] - 1/2) / 2 = 1/16. Counting the
    weights as information would give EVPPI 0 (E[go | yes] = E[t] = 1/2 ties wait)."""
    data = case({"wait": {"scores": [5, 5], "baseline": True},
                 "go": {"scores": [10, 0], "failure": [0], "requires": ["q"]}},
                criteria=2, preconditions=[pre("q", 0.5)])
    r = simulate(parse_case(data), 100_000, rng=10, weights="uniform")
    e, se = r.estimates, r.standard_errors
    close(e["evppi"][0], se["evppi"][0], 1 / 16)
    close(e["evpi"], se["evpi"], 1 / 16)
    assert se["evppi"][0] > 0


def test_evppi_given_drawn_weights_standard_errors_match_the_spread_over_seeds():
    data = case({"wait": {"scores": [5, 5], "baseline": True},
                 "go": {"scores": [10, 0], "failure": [0], "requires": ["q"]}},
                criteria=2, preconditions=[pre("q", 0.5)])
    parsed = parse_case(data)
    runs = [simulate(parsed, 4_000, rng=seed, weights="uniform") for seed in range(16)]
    values = np.array([r.estimates["evppi"][0] for r in runs])
    ses = np.array([r.standard_errors["evppi"][0] for r in runs])
    assert 0.6 <= values.std(ddof=1) / ses.mean() <= 1.6
