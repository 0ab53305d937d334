"""decide.score: deterministic scores of the minimal case, worked out by hand.

The arithmetic (tests/data/minimal_case.yaml, default profile ``neutral``):

Global weights. Root: security 1, cost 1 -> 1/2 each; security's children keep the tree's equal
weights -> w = (armed_groups 0.25, territory 0.25, cost 0.5).

Value functions. armed_groups and cost are lower-is-better and linear on [0, 10]: v(x) = 1 - x/10.
territory is piecewise linear through (0, 0), (5, 0.7), (10, 1): v(x) = 0.14 x below 5 and
0.7 + 0.06 (x - 5) above.

Central outcomes. wait: points 7, 2, 0. intervene: triangular mode 3, PERT mode 7, point 7.
mediate: uniform mean (4 + 7) / 2 = 5.5; discrete mean 0.5 * 3 + 0.5 * 5 = 4; truncated normal
(mean 2, sd 1, on [0, 5]) mean 2 + (phi(-2) - phi(3)) / (Phi(3) - Phi(-2)) = 2.050783.

Values if the preconditions hold:
  wait      v = (0.3, 0.28, 1)             -> 0.25*0.3 + 0.25*0.28 + 0.5*1        = 0.645
  intervene v = (0.7, 0.82, 0.3)           -> 0.175 + 0.205 + 0.15                 = 0.53
  mediate   v = (0.45, 0.56, 0.794922)     -> 0.1125 + 0.14 + 0.397461             = 0.649961

intervene requires ``backing`` (hard; interval [0.3, 0.6], central = midpoint 0.45) and ``consent``
(soft, penalty 0.1; Beta(6, 4), mean 0.6), correlated with rho = 0.4 through the Gaussian copula.
Its failure profile gives armed_groups 8 and cost 8; territory falls back to the baseline (wait)
outcome 2:
  failure   v = (0.2, 0.28, 0.2)            -> 0.05 + 0.07 + 0.1                   = 0.22
  p_hold = 0.45; the soft penalty is charged only where intervene goes ahead:
  P(backing yes, consent yes) = Phi2(Phi^-1(0.45), Phi^-1(0.6); 0.4) = 0.332336 (BOTH_YES, by quadrature)
  soft penalty = 0.1 * P(backing yes, consent no) = 0.1 * (0.45 - 0.332336)       = 0.0117664
  expected = 0.45 * 0.53 + 0.55 * 0.22 - 0.0117664 = 0.2385 + 0.121 - 0.0117664  = 0.3477336
The enabler (mediate raises backing by 0.2) is not in intervene's own strategy, so it does not act.
Ranking by expected value: mediate 0.649961, wait 0.645, intervene 0.347734.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats

import decide
from decide.compile import compile_case
from decide.errors import DecideError
from decide.load import load_case, parse_case
from decide.score import Method, ScoreResult, score, score_profiles

MEDIATE_COST = 2 + ((math.exp(-2) - math.exp(-4.5)) / math.sqrt(2 * math.pi)) / (
    0.5 * (math.erf(3 / math.sqrt(2)) - math.erf(-2 / math.sqrt(2))))  # 2.050783
MEDIATE_VALUE = 0.25 * 0.45 + 0.25 * 0.56 + 0.5 * (1 - MEDIATE_COST / 10)  # 0.649961


def both_yes(p1: float, p2: float, rho: float) -> float:
    """P(two answers both yes) under the Gaussian copula, by quadrature of the conditional probability:
    the integral over x < z1 of phi(x) Phi((z2 - rho x) / sqrt(1 - rho^2))."""
    z1, z2 = stats.norm.ppf(p1), stats.norm.ppf(p2)
    value, _ = integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((z2 - rho * x) / math.sqrt(1 - rho * rho)),
                              -np.inf, z1, epsabs=1e-13, epsrel=1e-13)
    return value


BOTH_YES = both_yes(0.45, 0.6, 0.4)  # 0.332336
SOFT_PENALTY = 0.1 * (0.45 - BOTH_YES)  # 0.0117664
INTERVENE = 0.45 * 0.53 + 0.55 * 0.22 - SOFT_PENALTY  # 0.347734
PHASE_TWO = {"id": "phase2", "name": "Phase two", "depends_on": ["mediate"], "requires": ["backing"],
             "scores": {"armed_groups": 4, "territory": 6, "cost": 3}}


@pytest.fixture
def case(minimal_case_path):
    return load_case(minimal_case_path)


def test_hand_computed_additive_scores(case):
    result = score(case)
    table = result.table
    assert isinstance(result, ScoreResult) and result.method is Method.ADDITIVE
    assert result.profile == "neutral"
    assert list(table.index) == ["mediate", "wait", "intervene"]
    assert list(table.columns) == ["rank", "name", "expected_value", "value_if_hold", "p_hold", "failure_value",
                                   "soft_penalty", "evaluated_with"]
    assert table["rank"].tolist() == [1, 2, 3]
    assert MEDIATE_COST == pytest.approx(2.050783, abs=1e-6)
    assert_allclose(table["value_if_hold"], [MEDIATE_VALUE, 0.645, 0.53], rtol=1e-12)
    assert_allclose(table["p_hold"], [1.0, 1.0, 0.45], rtol=1e-12)
    assert BOTH_YES == pytest.approx(0.332336, abs=1e-6)
    assert_allclose(table["soft_penalty"], [0.0, 0.0, SOFT_PENALTY], rtol=1e-10, atol=1e-15)
    assert table.loc["intervene", "failure_value"] == pytest.approx(0.22, rel=1e-12)
    assert table[["failure_value"]].loc[["mediate", "wait"]].isna().all().all()  # nothing to fail
    assert_allclose(table["expected_value"], [MEDIATE_VALUE, 0.645, INTERVENE], rtol=1e-10)
    assert table["evaluated_with"].tolist() == ["mediate", "wait", "intervene"]
    assert table.loc["wait", "name"] == "Wait and see"
    assert_allclose(result.weights, [0.25, 0.25, 0.5])
    assert result.to_frame() is table
    assert result.notes == ()


def test_contributions_are_weighted_values_if_preconditions_hold(case):
    contributions = score(case).contributions
    assert list(contributions.columns) == ["armed_groups", "territory", "cost"]
    assert list(contributions.index) == ["mediate", "wait", "intervene"]
    # wait: 0.25 * 0.3, 0.25 * 0.28 (territory 2 on the piecewise function: 0.14 * 2), 0.5 * 1
    assert_allclose(contributions.loc["wait"], [0.075, 0.07, 0.5])
    # intervene: territory mode 7 -> 0.7 + 0.06 * 2 = 0.82
    assert_allclose(contributions.loc["intervene"], [0.175, 0.205, 0.15])
    assert_allclose(contributions.sum(axis=1), score(case).table["value_if_hold"])


def test_hand_computed_scores_with_the_swing_profile(case):
    # hawk: root 100 : 20 -> 5/6, 1/6; security 100 : 60 -> 5/8, 3/8 -> w = (25/48, 15/48, 1/6).
    result = score(case, weights="hawk")
    table = result.table
    assert result.profile == "hawk"
    assert_allclose(result.weights, [25 / 48, 15 / 48, 1 / 6])
    # wait: 0.3 * 25/48 + 0.28 * 15/48 + 1 * 1/6 = 0.15625 + 0.0875 + 0.166667 = 0.410417
    assert table.loc["wait", "expected_value"] == pytest.approx(0.15625 + 0.0875 + 1 / 6)
    # intervene if it holds: 0.7 * 25/48 + 0.82 * 15/48 + 0.3/6 = 0.364583 + 0.25625 + 0.05 = 0.670833
    # failing: 0.2 * 25/48 + 0.28 * 15/48 + 0.2/6 = 0.104167 + 0.0875 + 0.033333 = 0.225
    # expected: 0.45 * 0.670833 + 0.55 * 0.225 - 0.0117664 = 0.413859
    assert table.loc["intervene", "value_if_hold"] == pytest.approx(0.364583333 + 0.25625 + 0.05)
    assert table.loc["intervene", "failure_value"] == pytest.approx(0.225)
    assert table.loc["intervene", "expected_value"] == pytest.approx(0.45 * (0.364583333 + 0.25625 + 0.05)
                                                                     + 0.55 * 0.225 - SOFT_PENALTY)
    # mediate: 0.45 * 25/48 + 0.56 * 15/48 + 0.794922 / 6
    assert table.loc["mediate", "expected_value"] == pytest.approx(
        0.45 * 25 / 48 + 0.56 * 15 / 48 + (1 - MEDIATE_COST / 10) / 6)


def test_explicit_weights(case):
    by_mapping = score(case, weights={"armed_groups": 1, "territory": 1, "cost": 2})
    by_array = score(case, weights=np.array([1.0, 1.0, 2.0]))
    assert by_mapping.profile is None and by_array.profile is None
    pd.testing.assert_frame_equal(by_mapping.table, score(case).table)
    pd.testing.assert_frame_equal(by_array.table, score(case).table)


@pytest.mark.parametrize(("weights", "words"), [
    ("dove", "unknown weight profile 'dove'; the case has: neutral, hawk"),
    ({"armed_groups": 1, "cost": 1}, "missing: ['territory']"),
    ({"armed_groups": 1, "territory": 1, "cost": 1, "blowback": 1}, "unknown: ['blowback']"),
    ([1.0, 1.0], "weights need one entry per leaf criterion (3)"),
    ([0.0, 0.0, 0.0], "weights must be finite, non-negative and not all zero"),
    ([1.0, -1.0, 1.0], "weights must be finite, non-negative and not all zero"),
    ([1.0, math.nan, 1.0], "weights must be finite, non-negative and not all zero"),
])
def test_bad_weights(case, weights, words):
    with pytest.raises(DecideError) as info:
        score(case, weights=weights)
    assert words in str(info.value)


def test_unknown_method_and_stray_parameters(case):
    with pytest.raises(DecideError, match="unknown method 'electre'; choose one of additive, topsis"):
        score(case, method="electre")
    with pytest.raises(DecideError, match="method 'additive' takes no parameters; got v"):
        score(case, v=0.5)


def test_enablers_of_the_options_own_strategy_act(minimal_data):
    # phase2 depends on mediate, so it is evaluated as mediate + phase2, and mediate's enabler raises
    # backing from 0.45 to 0.65 for it (not for intervene, which does not pursue mediate).
    # phase2 if it holds: v = (0.6, 0.7 + 0.06 * 1 = 0.76, 0.7) -> 0.15 + 0.19 + 0.35 = 0.69
    # failing (no failure profile: the baseline's outcomes) -> 0.645
    # expected = 0.65 * 0.69 + 0.35 * 0.645 = 0.4485 + 0.22575 = 0.67425
    minimal_data["options"].append(PHASE_TWO)
    result = score(parse_case(minimal_data))
    table = result.table
    assert table.loc["phase2", "p_hold"] == pytest.approx(0.65)
    assert table.loc["intervene", "p_hold"] == pytest.approx(0.45)
    assert table.loc["phase2", "value_if_hold"] == pytest.approx(0.69)
    assert table.loc["phase2", "failure_value"] == pytest.approx(0.645)
    assert table.loc["phase2", "expected_value"] == pytest.approx(0.67425)
    assert table.loc["phase2", "evaluated_with"] == "mediate + phase2"
    assert list(table.index) == ["phase2", "mediate", "wait", "intervene"]
    assert result.notes == ("Options that depend on others are evaluated with them: phase2 is evaluated as "
                            "mediate + phase2.",)


@pytest.mark.parametrize(("effect", "p_backing"), [
    ({"odds_ratio": 2}, 0.9 / 1.45),   # odds 0.45/0.55 doubled: 0.9/0.55 -> p = 0.9 / 1.45 = 0.6207
    ({"to": 0.9}, 0.9),
    ({"add": 0.8}, 1.0),               # 0.45 + 0.8, clipped to 1
    ({"add": -0.5}, 0.0),              # clipped to 0: phase2 always fails
])
def test_enabler_effects(minimal_data, effect, p_backing):
    minimal_data["options"].append(PHASE_TWO)
    minimal_data["enablers"] = [{"option": "mediate", "precondition": "backing", **effect}]
    table = score(parse_case(minimal_data)).table
    assert table.loc["phase2", "p_hold"] == pytest.approx(p_backing)
    assert table.loc["phase2", "expected_value"] == pytest.approx(p_backing * 0.69 + (1 - p_backing) * 0.645)


def test_requirements_of_dependencies_count(minimal_data):
    # follow_up depends on intervene, so intervene's hard requirement (backing) and soft penalty
    # (consent: 0.1 * P(backing yes, consent no) = 0.0117664) apply to it too. follow_up's own
    # scores are the joint outcome.
    # if it holds: v = (0.9, 0.14 * 4 = 0.56, 0.2) -> 0.225 + 0.14 + 0.1 = 0.465; failing: baseline 0.645.
    # expected = 0.45 * 0.465 + 0.55 * 0.645 - 0.0117664 = 0.20925 + 0.35475 - 0.0117664 = 0.552234
    minimal_data["options"].append({"id": "follow_up", "name": "Follow-up", "depends_on": ["intervene"],
                                    "scores": {"armed_groups": 1, "territory": 4, "cost": 8}})
    table = score(parse_case(minimal_data)).table
    row = table.loc["follow_up"]
    assert (row["p_hold"], row["soft_penalty"]) == (pytest.approx(0.45), pytest.approx(SOFT_PENALTY, rel=1e-10))
    assert row["expected_value"] == pytest.approx(0.20925 + 0.35475 - SOFT_PENALTY)
    assert row["evaluated_with"] == "intervene + follow_up"


def test_correlated_hard_requirements_hold_together_through_the_copula(minimal_data):
    # Both requirements hard, correlated with rho = 0.4: p_hold = Phi2(Phi^-1(0.45), Phi^-1(0.6); 0.4)
    # = 0.332336 (by quadrature), as in the simulation -- not the independent product 0.27.
    minimal_data["options"][1]["requires"] = ["backing", "consent"]
    table = score(parse_case(minimal_data)).table
    assert table.loc["intervene", "p_hold"] == pytest.approx(BOTH_YES, abs=1e-10)
    assert table.loc["intervene", "soft_penalty"] == 0
    assert table.loc["intervene", "expected_value"] == pytest.approx(BOTH_YES * 0.53 + (1 - BOTH_YES) * 0.22,
                                                                     abs=1e-10)


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.2, 0.6, 0.95])
def test_p_hold_of_a_correlated_pair_is_the_bivariate_normal_probability(minimal_data, rho):
    minimal_data["options"][1]["requires"] = ["backing", "consent"]
    minimal_data["correlations"][0]["rho"] = rho
    p_hold = score(parse_case(minimal_data)).table.loc["intervene", "p_hold"]
    assert p_hold == pytest.approx(both_yes(0.45, 0.6, rho), abs=1e-9)


def test_p_hold_against_a_long_simulation_of_the_copula(minimal_data):
    # 4,000,000 draws of the copula: standard error sqrt(p (1 - p) / n) = 0.00024.
    minimal_data["options"][1]["requires"] = ["backing", "consent"]
    p_hold = score(parse_case(minimal_data)).table.loc["intervene", "p_hold"]
    rng = np.random.default_rng(13)
    z = rng.standard_normal((4_000_000, 2)) @ np.linalg.cholesky(np.array([[1.0, 0.4], [0.4, 1.0]])).T
    both = np.mean((z[:, 0] < stats.norm.ppf(0.45)) & (z[:, 1] < stats.norm.ppf(0.6)))
    assert abs(p_hold - both) < 4 * math.sqrt(both * (1 - both) / len(z))
    assert abs(p_hold - 0.27) > 0.05  # far from the independent product


def three_correlated(rho: float) -> dict:
    scale = {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}
    qs = ["q1", "q2", "q3"]
    return {"id": "t", "title": "t",
            "criteria": {"id": "k", "name": "k", "criteria": [
                {"id": "c", "name": "c", "direction": "max", "scale": scale},
                {"id": "d", "name": "d", "direction": "max", "scale": scale}]},
            "options": [{"id": "wait", "name": "wait", "baseline": True, "scores": {"c": 5, "d": 5}},
                        {"id": "go", "name": "go", "requires": qs, "scores": {"c": 8, "d": 5},
                         "failure": {"c": 3, "d": 5}}],
            "preconditions": [{"id": q, "question": q + "?", "probability": 0.5} for q in qs],
            "correlations": [{"between": [a, b], "rho": rho} for a, b in [("q1", "q2"), ("q1", "q3"), ("q2", "q3")]]}


@pytest.mark.parametrize("rho", [-0.3, 0.0, 0.6, 0.97])
def test_three_correlated_requirements(rho):
    # P(all three yes) at p = 0.5 each: 1/8 + 3 asin(rho) / (4 pi) (Sheppard); 0.2786 at rho = 0.6.
    table = score(parse_case(three_correlated(rho))).table
    assert table.loc["go", "p_hold"] == pytest.approx(1 / 8 + 3 * math.asin(rho) / (4 * math.pi), abs=1e-9)


def soft_after_failure(rho: float = 0.0) -> dict:
    case = three_correlated(0.0)
    case["options"][1].update(requires=["q1", {"precondition": "q2", "soft": True, "penalty": 0.1}],
                              failure={"c": 2, "d": 5})
    case["preconditions"] = case["preconditions"][:2]
    case["correlations"] = [{"between": ["q1", "q2"], "rho": rho}] if rho else []
    return case


def test_soft_penalty_is_charged_only_where_the_option_goes_ahead():
    # go: hard q1 (0.5), soft q2 (0.5, penalty 0.1); planned 0.65, failure 0.35 (equal weights).
    # E = 0.5 * 0.65 + 0.5 * 0.35 - 0.1 * P(q1 yes, q2 no) = 0.5 - 0.1 * 0.25 = 0.475 (not 0.45).
    row = score(parse_case(soft_after_failure())).table.loc["go"]
    assert row["soft_penalty"] == pytest.approx(0.025, abs=1e-15)
    assert row["expected_value"] == pytest.approx(0.475, abs=1e-15)


@pytest.mark.parametrize("rho", [-0.5, 0.5])
def test_soft_penalty_with_a_correlated_hard_requirement(rho):
    # P(q1 yes, q2 no) = 0.5 - Phi2(0, 0; rho) = 0.25 - asin(rho) / (2 pi).
    row = score(parse_case(soft_after_failure(rho))).table.loc["go"]
    assert row["soft_penalty"] == pytest.approx(0.1 * (0.25 - math.asin(rho) / (2 * math.pi)), abs=1e-12)


def test_a_requirement_both_hard_and_soft_costs_nothing_as_soft():
    # go requires q1 hard and q1 soft: where q1 says no, go does not go ahead, so nothing is charged.
    case = soft_after_failure()
    case["options"][1]["requires"] = ["q1", {"precondition": "q1", "soft": True, "penalty": 0.1}]
    row = score(parse_case(case)).table.loc["go"]
    assert (row["p_hold"], row["soft_penalty"]) == (0.5, 0.0)


def test_a_dependency_that_goes_ahead_pays_its_own_soft_penalty(minimal_data):
    # follow_up requires consent hard and depends on intervene (hard backing, soft consent 0.1).
    # Where backing says yes and consent no, follow_up fails but intervene goes ahead and pays its
    # penalty (the rule of the strategies engine and the simulation): 0.1 * P(backing yes, consent no).
    minimal_data["options"].append({"id": "follow_up", "name": "Follow-up", "depends_on": ["intervene"],
                                    "requires": ["consent"], "scores": {"armed_groups": 1, "territory": 4, "cost": 8}})
    row = score(parse_case(minimal_data)).table.loc["follow_up"]
    assert row["p_hold"] == pytest.approx(BOTH_YES, abs=1e-10)
    assert row["soft_penalty"] == pytest.approx(SOFT_PENALTY, abs=1e-12)


def test_a_no_costs_the_largest_penalty_among_the_members_that_go_ahead(minimal_data):
    # follow_up (soft consent 0.3, no hard requirement of its own) depends on intervene (hard
    # backing, soft consent 0.1). Both go ahead exactly where backing says yes (follow_up needs its
    # dependency's backing too), so a consent no there costs the larger penalty only:
    # 0.3 * P(backing yes, consent no), not 0.4 * ... .
    minimal_data["options"].append({"id": "follow_up", "name": "Follow-up", "depends_on": ["intervene"],
                                    "requires": [{"precondition": "consent", "soft": True, "penalty": 0.3}],
                                    "scores": {"armed_groups": 1, "territory": 4, "cost": 8}})
    row = score(parse_case(minimal_data)).table.loc["follow_up"]
    assert row["soft_penalty"] == pytest.approx(3 * SOFT_PENALTY, abs=1e-12)


@pytest.mark.parametrize(("p_consent", "p_hold"), [(1.0, 0.45), (0.0, 0.0)])
def test_certain_answers_in_a_correlated_pair(minimal_data, p_consent, p_hold):
    minimal_data["options"][1]["requires"] = ["backing", "consent"]
    minimal_data["preconditions"][1]["probability"] = p_consent
    assert score(parse_case(minimal_data)).table.loc["intervene", "p_hold"] == pytest.approx(p_hold, abs=1e-15)


@pytest.mark.parametrize(("rho", "p_hold"), [(1.0, 0.45), (-1.0, 0.05)])
def test_answers_that_always_agree_or_always_differ(minimal_data, rho, p_hold):
    # rho = 1: both yes when the less likely one is (0.45); rho = -1: max(0, 0.45 + 0.6 - 1) = 0.05.
    minimal_data["options"][1]["requires"] = ["backing", "consent"]
    minimal_data["correlations"][0]["rho"] = rho
    assert score(parse_case(minimal_data)).table.loc["intervene", "p_hold"] == pytest.approx(p_hold, abs=1e-12)


def test_beta_and_point_probabilities(minimal_data):
    minimal_data["preconditions"][0]["probability"] = {"alpha": 1, "beta": 3}  # mean 0.25
    assert score(parse_case(minimal_data)).table.loc["intervene", "p_hold"] == pytest.approx(0.25)
    minimal_data["preconditions"][0]["probability"] = 0.7
    assert score(parse_case(minimal_data)).table.loc["intervene", "p_hold"] == pytest.approx(0.7)


def test_score_accepts_compiled_arrays_and_is_reexported(case):
    pd.testing.assert_frame_equal(score(compile_case(case)).table, decide.score(case).table)


def test_ties_share_the_best_rank(minimal_data):
    minimal_data["options"][2]["scores"] = dict(minimal_data["options"][0]["scores"])
    table = score(parse_case(minimal_data)).table
    assert sorted(table["rank"].tolist()) == [1, 1, 3]


# --------------------------------------------------------------------------- cross-check methods


def risk_adjusted_outcomes() -> np.ndarray:
    # p_hold * planned + (1 - p_hold) * failure on each criterion's own scale (wait, intervene, mediate):
    # intervene: 0.45 * (3, 7, 7) + 0.55 * (8, 2, 8) = (5.75, 4.25, 7.55)
    return np.array([[7.0, 2.0, 0.0], [5.75, 4.25, 7.55], [5.5, 4.0, MEDIATE_COST]])


def test_topsis_on_the_case_matches_a_hand_computation(case):
    x = risk_adjusted_outcomes()
    w = np.array([0.25, 0.25, 0.5])
    v = w * x / np.sqrt((x ** 2).sum(axis=0))             # vector normalisation, then weights
    maximise = np.array([False, True, False])              # armed_groups and cost: lower is better
    best = np.where(maximise, v.max(axis=0), v.min(axis=0))
    worst = np.where(maximise, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - worst) ** 2).sum(axis=1))
    closeness = pd.Series(d_minus / (d_plus + d_minus), index=["wait", "intervene", "mediate"])

    result = score(case, method="topsis")
    table = result.table
    assert result.method is Method.TOPSIS
    assert list(table.columns) == ["rank", "name", "closeness", "d_plus", "d_minus", "expected_value",
                                   "value_if_hold", "p_hold", "failure_value", "soft_penalty", "evaluated_with"]
    assert_allclose(table["closeness"], closeness[table.index], rtol=1e-10)
    assert list(table.index) == list(closeness.sort_values(ascending=False).index)
    assert table["rank"].tolist() == [1, 2, 3]
    # the additive columns are kept beside, for comparison
    assert_allclose(table["expected_value"].sort_index(), score(case).table["expected_value"].sort_index())
    assert any("topsis ranks risk-adjusted outcomes" in note for note in result.notes)


@pytest.mark.parametrize(("method", "params", "key", "ascending", "columns"), [
    ("topsis", {"normalisation": "minmax"}, "closeness", False, ["closeness", "d_plus", "d_minus"]),
    ("vikor", {"v": 0.3}, "Q", True, ["S", "R", "Q", "in_compromise"]),
    ("promethee2", {}, "phi", False, ["phi_plus", "phi_minus", "phi"]),
    ("wpm", {"shift": 1}, "wpm", False, ["wpm"]),
])
def test_cross_check_methods_rank_by_their_own_key(case, method, params, key, ascending, columns):
    result = score(case, method=method, **params)
    table = result.table
    assert result.method.value == method and result.params == params
    assert list(table.columns[:2]) == ["rank", "name"]
    assert list(table.columns[2:2 + len(columns)]) == columns
    assert table[key].is_monotonic_increasing if ascending else table[key].is_monotonic_decreasing
    assert table["rank"].tolist() == sorted(table["rank"].tolist())
    assert set(table.index) == {"wait", "intervene", "mediate"}


def test_promethee_usual_criterion_by_hand(case):
    # Usual preference: 1 if strictly better on a criterion. Outcomes (see risk_adjusted_outcomes):
    # armed_groups (min): mediate 5.5 < intervene 5.75 < wait 7; territory (max): intervene > mediate > wait;
    # cost (min): wait < mediate < intervene. Weights (0.25, 0.25, 0.5).
    # pi(wait, intervene) = 0.5, pi(wait, mediate) = 0.5, pi(intervene, wait) = 0.5, pi(intervene, mediate) = 0.25,
    # pi(mediate, wait) = 0.5, pi(mediate, intervene) = 0.75.
    # phi+ = mean over the other two: wait 0.5, intervene 0.375, mediate 0.625;
    # phi- : wait 0.5, intervene 0.625, mediate 0.375 -> phi = 0, -0.25, 0.25.
    table = score(case, method="promethee2").table
    assert_allclose(table.loc[["wait", "intervene", "mediate"], "phi"], [0.0, -0.25, 0.25], atol=1e-12)
    assert list(table.index) == ["mediate", "wait", "intervene"]


@pytest.mark.parametrize(("method", "params", "words"), [
    ("wpm", {}, "the weighted product needs every outcome positive"),
    ("wpm", {"shift": "abc"}, "shift must be a number, e.g. --param shift=1; got 'abc'"),
    ("vikor", {"v": 2.0}, "VIKOR v must be a number between 0 and 1; got 2.0"),
    ("vikor", {"w": 1.0}, "method 'vikor' takes no parameter w; it takes: v"),
])
def test_bad_method_parameters(case, method, params, words):
    with pytest.raises(DecideError) as info:
        score(case, method=method, **params)
    assert words in str(info.value)


# --------------------------------------------------------------------------- machine-readable forms


@pytest.mark.parametrize("method", ["additive", "topsis", "vikor", "promethee2"])
def test_to_dict_uses_the_dataframe_column_names(case, method):
    result = score(case, method=method)
    out = result.to_dict()
    assert out["method"] == method and out["profile"] == "neutral"
    assert out["weights"] == pytest.approx({"armed_groups": 0.25, "territory": 0.25, "cost": 0.5})
    records = out["options"]
    assert [r["option"] for r in records] == list(result.table.index)
    for record, (_, row) in zip(records, result.table.iterrows()):
        assert list(record) == ["option", *result.table.columns]
        for column, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                assert record[column] is None  # NaN becomes null
            else:
                assert record[column] == value
    assert set(out["contributions"]) == set(result.table.index)


def test_score_profiles_side_by_side(case):
    frame = score_profiles(case)
    assert list(frame.columns) == ["neutral", "hawk", "rank_spread"]
    assert list(frame.index) == ["mediate", "wait", "intervene"]
    assert frame.loc["intervene", "hawk"] == pytest.approx(0.45 * (25 / 48 * 0.7 + 15 / 48 * 0.82 + 0.3 / 6)
                                                           + 0.55 * 0.225 - SOFT_PENALTY)
    # With the penalty only where intervene goes ahead, the hawk puts it (0.413859) above wait (0.410417).
    assert frame["rank_spread"].tolist() == ["1", "2-3", "2-3"]
