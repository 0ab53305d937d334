"""Stages: the first stage whose question says no decides which failure profile an option scores.

References are independent of the code under test: every yes/no pattern of the questions is
enumerated with its probability under the Gaussian copula (SciPy's bivariate normal for the one
correlated pair), the option's outcome in that pattern written out by hand, and the engines'
numbers (``score``'s closed form, the Monte Carlo kernel's estimates, a strategy row) compared with
the enumeration: exactly, or in multiples of the estimate's standard error.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

import decide
from decide.compile import compile_case
from decide.errors import CaseError
from decide.load import parse_case
from decide.montecarlo import STRATEGY_ID
from decide.score import score

P = {"consent": 0.7, "win": 0.6, "withstand": 0.8}
RHO = 0.5  # between consent and win
W = {"c": 0.6, "d": 0.4}


def staged_case(*, stages: bool = True) -> dict:
    """A baseline, a staged force (never launched / launched and failed / success) and an option
    with one hard requirement. Outcomes are points so each pattern's value is a number."""
    force = {"id": "force", "name": "Force", "actors": ["ECOWAS"], "scores": {"c": 9, "d": 8}}
    if stages:
        force["stages"] = [
            {"id": "launched", "requires": ["consent"], "failure": {"c": 4}},  # d: the baseline's
            {"id": "in_the_field", "requires": ["win", "withstand"], "failure": {"c": 1, "d": 2}},
        ]
    else:
        force["requires"] = ["consent", "win", "withstand"]
        force["failure"] = {"c": 4}
    return {
        "id": "staged", "title": "staged",
        "criteria": {"id": "t", "name": "t", "criteria": [
            {"id": "c", "name": "c", "direction": "max", "scale": {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}},
            {"id": "d", "name": "d", "direction": "max", "scale": {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}},
        ]},
        "options": [
            {"id": "wait", "name": "Wait", "baseline": True, "scores": {"c": 5, "d": 5}},
            force,
            {"id": "talks", "name": "Talks", "requires": ["consent"], "scores": {"c": 6, "d": 6}, "failure": {"d": 4}},
        ],
        "preconditions": [{"id": q, "question": f"{q}?", "probability": p} for q, p in P.items()],
        "correlations": [{"between": ["consent", "win"], "rho": RHO}],
        "weights": {"profiles": [{"id": "p", "name": "p", "weights": W}]},
    }


def patterns():
    """(answers, probability) for every yes/no pattern of (consent, win, withstand)."""
    z = stats.norm.ppf([P["consent"], P["win"]])
    both = stats.multivariate_normal(mean=[0, 0], cov=[[1, RHO], [RHO, 1]]).cdf(z)
    pair = {(True, True): both, (True, False): P["consent"] - both, (False, True): P["win"] - both}
    pair[(False, False)] = 1 - sum(pair.values())
    for consent, win, withstand in itertools.product([True, False], repeat=3):
        yield (consent, win, withstand), pair[(consent, win)] * (P["withstand"] if withstand else 1 - P["withstand"])


def force_outcome(consent: bool, win: bool, withstand: bool) -> tuple[float, float]:
    if not consent:
        return 4.0, 5.0  # never launched: its first stage's profile, d from the baseline
    if not (win and withstand):
        return 1.0, 2.0  # launched and failed
    return 9.0, 8.0


def value(outcome: tuple[float, float]) -> float:
    return (W["c"] * outcome[0] + W["d"] * outcome[1]) / 10


def test_score_weights_each_stage_by_the_chance_that_its_question_is_the_first_no():
    table = score(compile_case(parse_case(staged_case()))).table
    expected = sum(p * value(force_outcome(*a)) for a, p in patterns())
    p_go = sum(p for a, p in patterns() if all(a))
    assert table.loc["force", "p_hold"] == pytest.approx(p_go, abs=1e-12)
    assert table.loc["force", "expected_value"] == pytest.approx(expected, abs=1e-12)
    # the value if it fails: never launched and launched-and-failed, by their shares of the failures
    failed = sum(p * value(force_outcome(*a)) for a, p in patterns() if not all(a)) / (1 - p_go)
    assert table.loc["force", "failure_value"] == pytest.approx(failed, abs=1e-12)


def test_without_stages_every_no_scores_the_one_failure_profile():
    table = score(compile_case(parse_case(staged_case(stages=False)))).table
    p_go = sum(p for a, p in patterns() if all(a))
    assert table.loc["force", "expected_value"] == pytest.approx(p_go * value((9, 8)) + (1 - p_go) * value((4, 5)),
                                                                 abs=1e-12)


def test_a_single_stage_is_the_option_without_stages():
    data = staged_case(stages=False)
    force = data["options"][1]
    force["stages"] = [{"id": "all", "requires": force.pop("requires"), "failure": force.pop("failure")}]
    staged = decide.simulate(parse_case(data), 20_000, rng=5).to_frame()
    plain = decide.simulate(parse_case(staged_case(stages=False)), 20_000, rng=5).to_frame()
    assert staged.equals(plain)


@pytest.fixture(scope="module")
def simulated():
    return decide.simulate(parse_case(staged_case()), 400_000, rng=11)


def test_simulation_mean_and_joint_quantities_match_the_enumeration(simulated):
    frame = simulated.to_frame()
    expected = sum(p * value(force_outcome(*a)) for a, p in patterns())
    mean, se = frame.loc["force", "mean"], frame.loc["force", "mean_se"]
    assert abs(mean - expected) < 4 * se
    # P(force beats wait) and P(force beats talks): joint in the answers (talks needs consent too)
    wait = value((5, 5))
    beats_wait = sum(p for a, p in patterns() if value(force_outcome(*a)) > wait)
    talks = {True: value((6, 6)), False: value((5, 4))}
    beats_talks = sum(p for a, p in patterns() if value(force_outcome(*a)) > talks[a[0]])
    pair, pair_se = simulated.pairwise, simulated.pairwise_se
    assert abs(pair.loc["force", "wait"] - beats_wait) < 4 * pair_se.loc["force", "wait"] + 1e-12
    assert abs(pair.loc["force", "talks"] - beats_talks) < 4 * pair_se.loc["force", "talks"] + 1e-12
    # expected regret against the best of the three in each pattern
    regret = sum(p * (max(wait, talks[a[0]], value(force_outcome(*a))) - value(force_outcome(*a)))
                 for a, p in patterns())
    assert abs(frame.loc["force", "expected_regret"] - regret) < 4 * frame.loc["force", "expected_regret_se"]


def test_launched_and_failed_differs_from_never_launched(simulated):
    # A no to consent and a no in the field are different outcomes: launched and failed is the
    # worst atom and holds over 5% of the draws, so it is the 5th percentile.
    frame = simulated.to_frame()
    assert sum(p for a, p in patterns() if a[0] and not (a[1] and a[2])) > 0.05
    assert frame.loc["force", "p05"] == pytest.approx(value((1, 2)), abs=1e-3)
    assert frame.loc["force", "p_blocked"] == pytest.approx(1 - sum(p for a, p in patterns() if all(a)),
                                                            abs=4 * frame.loc["force", "p_blocked_se"])


def test_a_strategy_row_scores_each_member_at_its_first_failed_stage():
    result = decide.simulate(parse_case(staged_case()), 200_000, rng=12, strategy=["force", "talks"])
    row = result.to_frame().loc[STRATEGY_ID]
    expected = 0.0
    for a, p in patterns():
        force = np.array(force_outcome(*a))
        talks = np.array((6.0, 6.0) if a[0] else (5.0, 4.0))
        joint = np.clip(np.array((5.0, 5.0)) + (force - 5.0) + (talks - 5.0), 0, 10)
        expected += p * value(tuple(joint))
    assert abs(row["mean"] - expected) < 4 * row["mean_se"]


@pytest.mark.parametrize("change, message", [
    (lambda f: f.update(requires=["consent"]), "move consent from 'requires' into a stage"),
    (lambda f: f.update(failure={"c": 1}), "failure profile per stage"),
    (lambda f: f["stages"][1]["requires"].append("consent"), "already required at stage 'launched'"),
    (lambda f: f["stages"][1].update(id="launched"), "used twice"),
    (lambda f: f["stages"][0].update(requires=["nope"]), "unknown precondition 'nope'"),
])
def test_bad_stages_get_a_located_message(change, message):
    data = staged_case()
    change(data["options"][1])
    with pytest.raises(CaseError) as info:
        parse_case(data)
    assert message in str(info.value)
    assert "options[1]" in str(info.value) or "force" in str(info.value)


def test_how_the_staged_option_ends_matches_the_enumeration(simulated):
    ended = simulated.outcomes.loc["force"]
    expected = {"goes ahead": sum(p for a, p in patterns() if all(a)),
                "fails at launched": 1 - P["consent"],
                "fails at in_the_field": sum(p for a, p in patterns() if a[0] and not (a[1] and a[2]))}
    assert list(ended.index) == list(expected)
    for label, p in expected.items():
        assert abs(ended.loc[label, "p"] - p) < 4 * ended.loc[label, "p_se"]
    assert list(simulated.outcomes.loc["talks"].index) == ["goes ahead", "fails"]
