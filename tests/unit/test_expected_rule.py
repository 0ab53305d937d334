"""decide.model: the expected-value rule and the copula probabilities it rests on.

References are independent of the code under test: closed forms (Sheppard's orthant
probabilities at zero limits), quadrature of the conditional normal probability, SciPy's
``multivariate_normal.cdf`` (Genz's algorithms) at tight tolerances, and a long simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate, stats

from decide.compile import apply_enablers, compile_case
from decide.load import parse_case
from decide.mcda.value import additive_value, criterion_values
from decide.model.expected import (
    Prospects,
    expected_criterion_values,
    expected_soft_loss,
    expected_values,
    go_probability,
    option_prospects,
)
from decide.model.orthant import all_yes_probability, bivariate_normal_cdf, normal_orthant
from decide.score import expected_value_matrix, score
from decide.sensitivity.gap import build_gap_model


def bivariate_by_quadrature(h: float, k: float, rho: float) -> float:
    """P(X <= h, Y <= k): the integral over x < h of phi(x) Phi((k - rho x) / sqrt(1 - rho^2))."""
    s = math.sqrt(1.0 - rho * rho)
    value, _ = integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((k - rho * x) / s), -np.inf, h,
                              epsabs=1e-14, epsrel=1e-13, limit=200)
    return value


def reference_all_yes(p: np.ndarray, r: np.ndarray) -> float:
    """P(all yes) by SciPy: exact in two dimensions, Genz's quasi-Monte Carlo beyond (to 1e-8 in
    three dimensions, 1e-6 in more)."""
    p = np.asarray(p, dtype=float)
    if np.any(p <= 0.0):
        return 0.0
    keep = p < 1.0
    p, r = p[keep], r[np.ix_(keep, keep)]
    if p.size == 0:
        return 1.0
    if p.size == 1:
        return float(p[0])
    return float(stats.multivariate_normal.cdf(stats.norm.ppf(p), cov=r, allow_singular=True,
                                               abseps=1e-8 if p.size <= 3 else 1e-6, releps=0.0, rng=1))


# --------------------------------------------------------------------------- orthant probabilities


@pytest.mark.parametrize("rho", [-0.999, -0.95, -0.7, -0.3, 0.1, 0.5, 0.8, 0.93, 0.99])
def test_bivariate_against_quadrature(rho):
    rng = np.random.default_rng(int(abs(rho) * 1000))
    h, k = rng.normal(scale=1.5, size=(2, 12))
    mine = bivariate_normal_cdf(h, k, rho)
    assert_allclose(mine, [bivariate_by_quadrature(a, b, rho) for a, b in zip(h, k)], atol=1e-12, rtol=0)


def test_bivariate_limits_and_degenerate_correlations():
    assert bivariate_normal_cdf(0.0, 0.0, 0.5) == pytest.approx(1 / 3, abs=1e-15)
    h = np.array([np.inf, -np.inf, 0.4, 0.4])
    k = np.array([0.3, 0.3, np.inf, -np.inf])
    assert_allclose(bivariate_normal_cdf(h, k, 0.6), [stats.norm.cdf(0.3), 0.0, stats.norm.cdf(0.4), 0.0],
                    atol=1e-300)
    assert bivariate_normal_cdf(0.2, -0.1, 1.0) == pytest.approx(stats.norm.cdf(-0.1), abs=1e-15)
    assert bivariate_normal_cdf(0.2, 0.5, -1.0) == pytest.approx(stats.norm.cdf(0.2) + stats.norm.cdf(0.5) - 1)
    assert bivariate_normal_cdf(-0.2, -0.5, -1.0) == 0.0


@pytest.mark.parametrize("rhos", [(0.6, 0.6, 0.6), (0.3, -0.2, 0.5), (0.9, 0.9, 0.85), (0.99, 0.98, 0.97),
                                  (-0.45, -0.45, -0.1), (0.95, 0.2, 0.1)])
def test_trivariate_orthant_at_zero_is_sheppards(rhos):
    r = np.eye(3)
    r[0, 1], r[0, 2], r[1, 2] = rhos
    r = np.triu(r) + np.triu(r, 1).T
    exact = 1 / 8 + sum(math.asin(x) for x in rhos) / (4 * math.pi)
    assert float(all_yes_probability([0.5, 0.5, 0.5], r)) == pytest.approx(exact, abs=1e-10)
    assert float(normal_orthant([0.0, 0.0, 0.0], r)) == pytest.approx(exact, abs=1e-10)


def random_correlation(rng: np.random.Generator, d: int, scale: float) -> np.ndarray:
    a = rng.normal(size=(d, d + 1)) * scale + np.eye(d, d + 1)
    s = a @ a.T
    return s / np.sqrt(np.outer(np.diag(s), np.diag(s)))


@pytest.mark.parametrize(("d", "tol"), [(3, 1e-7), (4, 5e-5), (5, 5e-5), (7, 5e-5)])
def test_larger_groups_against_scipy(d, tol):
    rng = np.random.default_rng(d)
    for scale in (0.4, 1.0, 3.0):
        r = random_correlation(rng, d, scale)
        p = rng.uniform(0.1, 0.9, size=d)
        assert float(all_yes_probability(p, r)) == pytest.approx(reference_all_yes(p, r), abs=tol)


def test_rows_are_independent_of_the_batch():
    rng = np.random.default_rng(3)
    for d in (2, 3, 5):
        r = random_correlation(rng, d, 0.8)
        p = rng.uniform(0.05, 0.95, size=(40, d))
        batch = all_yes_probability(p, r)
        single = np.array([float(all_yes_probability(row, r)) for row in p])
        assert_allclose(batch, single, rtol=0, atol=1e-15)


def test_independent_answers_multiply_exactly_and_certain_answers_drop_out():
    p = np.array([0.3, 0.8, 0.55])
    assert float(all_yes_probability(p, np.eye(3))) == 0.3 * 0.8 * 0.55
    r = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.2], [0.3, 0.2, 1.0]])
    assert float(all_yes_probability([1.0, 0.4, 0.7], r)) == pytest.approx(
        float(bivariate_normal_cdf(stats.norm.ppf(0.4), stats.norm.ppf(0.7), 0.2)), abs=1e-12)
    assert float(all_yes_probability([0.0, 0.4, 0.7], r)) == 0.0
    assert float(all_yes_probability([1.0, 1.0, 1.0], r)) == pytest.approx(1.0, abs=1e-14)
    assert all_yes_probability(np.zeros((4, 0)), np.eye(0)).tolist() == [1.0] * 4


def test_singular_correlations():
    # Answers that always agree are one answer; a singular matrix without such a pair still works.
    same = np.array([[1.0, 1.0, 0.4], [1.0, 1.0, 0.4], [0.4, 0.4, 1.0]])
    assert float(all_yes_probability([0.5, 0.3, 0.6], same)) == pytest.approx(
        bivariate_by_quadrature(stats.norm.ppf(0.3), stats.norm.ppf(0.6), 0.4), abs=1e-12)
    ring = np.full((3, 3), -0.5) + 1.5 * np.eye(3)  # Z1 + Z2 + Z3 = 0
    assert float(all_yes_probability([0.5, 0.5, 0.5], ring)) == pytest.approx(0.0, abs=1e-9)
    assert float(all_yes_probability([0.7, 0.6, 0.8], ring)) == pytest.approx(
        reference_all_yes(np.array([0.7, 0.6, 0.8]), ring), abs=1e-5)


def test_copula_probability_against_a_long_simulation():
    r = np.array([[1.0, 0.6, 0.6], [0.6, 1.0, 0.6], [0.6, 0.6, 1.0]])
    p = np.array([0.3, 0.5, 0.7])
    rng = np.random.default_rng(8)
    z = rng.standard_normal((2_000_000, 3)) @ np.linalg.cholesky(r).T
    hits = np.mean(np.all(z < stats.norm.ppf(p), axis=1))
    assert float(all_yes_probability(p, r)) == pytest.approx(hits, abs=4 * math.sqrt(hits * (1 - hits) / len(z)))


# --------------------------------------------------------------------------- the rule


def test_soft_penalties_only_where_the_option_goes_ahead():
    # Hard q0 (0.5), soft q1 (0.5, penalty 0.1), q2 both hard (0.8) and soft (never charged).
    p_yes = np.array([0.5, 0.5, 0.8])
    hard = np.array([[True, False, True]])
    penalty = np.array([[0.0, 0.1, 0.3]])
    assert float(go_probability(p_yes, hard[0], np.eye(3))) == pytest.approx(0.4)
    assert float(expected_soft_loss(p_yes, hard, penalty[..., None], np.eye(3))[0]) == pytest.approx(0.1 * 0.4 * 0.5)
    r = np.eye(3)
    r[0, 1] = r[1, 0] = 0.5
    assert float(expected_soft_loss(p_yes, hard, penalty[..., None], r)[0]) == pytest.approx(
        0.1 * 0.8 * (0.25 - math.asin(0.5) / (2 * math.pi)), abs=1e-14)


def brute_force_penalty(p: np.ndarray, member_hard: np.ndarray, member_penalty: np.ndarray) -> float:
    """Independent answers: every yes/no pattern, each "no" costing the largest penalty among the
    members that go ahead in that pattern."""
    n = len(p)
    total = 0.0
    for pattern in range(2 ** n):
        yes = np.array([(pattern >> i) & 1 for i in range(n)], dtype=bool)
        weight = float(np.prod(np.where(yes, p, 1 - p)))
        ahead = np.all(yes | ~member_hard, axis=1)
        for q in np.flatnonzero(~yes):
            total += weight * max([member_penalty[m, q] for m in np.flatnonzero(ahead)], default=0.0)
    return total


def test_a_no_costs_the_largest_penalty_among_the_members_that_go_ahead():
    # Three members: the option (hard q0, q1; soft q3 at 0.05), a dependency (hard q0; soft q3 at
    # 0.2, q4 at 0.1) and another (hard q2; soft q3 at 0.1).
    p = np.array([0.7, 0.4, 0.6, 0.3, 0.5])
    member_hard = np.array([[1, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 1, 0, 0]], dtype=bool)
    member_penalty = np.array([[0, 0, 0, 0.05, 0], [0, 0, 0, 0.2, 0.1], [0, 0, 0, 0.1, 0]])
    mine = float(expected_soft_loss(p, member_hard, member_penalty[..., None], np.eye(5))[0])
    assert mine == pytest.approx(brute_force_penalty(p, member_hard, member_penalty), abs=1e-15)
    # Correlated answers: against a long simulation of the copula.
    r = np.eye(5)
    r[0, 3] = r[3, 0] = 0.5
    r[2, 3] = r[3, 2] = -0.4
    r[0, 2] = r[2, 0] = 0.3
    rng = np.random.default_rng(21)
    yes = rng.standard_normal((1_000_000, 5)) @ np.linalg.cholesky(r).T < stats.norm.ppf(p)
    ahead = np.all(yes[:, None, :] | ~member_hard[None], axis=2)  # (draw, member)
    paid = np.max(np.where(ahead[:, :, None], member_penalty[None], 0.0), axis=1) * ~yes  # (draw, q)
    draws = paid.sum(axis=1)
    mine = float(expected_soft_loss(p, member_hard, member_penalty[..., None], r)[0])
    assert mine == pytest.approx(draws.mean(), abs=4 * draws.std() / math.sqrt(len(draws)))


def test_soft_losses_are_charged_criterion_by_criterion():
    # The same members as above, their losses stated on two criteria: on each criterion, the
    # largest loss among the members that go ahead (brute force per criterion column).
    p = np.array([0.7, 0.4, 0.6, 0.3, 0.5])
    member_hard = np.array([[1, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 1, 0, 0]], dtype=bool)
    loss = np.zeros((3, 5, 2))
    loss[0, 3] = [0.3, 0.0]   # the option: a big loss on criterion 0 only
    loss[1, 3] = [0.1, 0.2]   # a dependency: smaller on 0, larger on 1
    loss[2, 3] = [0.05, 0.05]
    loss[1, 4] = [0.0, 0.4]
    mine = expected_soft_loss(p, member_hard, loss, np.eye(5))
    for c in range(2):
        assert mine[c] == pytest.approx(brute_force_penalty(p, member_hard, loss[:, :, c]), abs=1e-15)


def test_expected_values_ignore_the_failure_of_an_option_that_cannot_fail():
    prospects = Prospects(np.array([0.5, 1.0]), np.zeros((2, 2)), np.array([True, False]), np.array([[0.5], [0.0]]))
    assert_allclose(expected_values(prospects, [0.8, 0.8], [[0.2], [np.nan]], [0.5, 0.5]), [0.5, 0.8])
    matrix = expected_criterion_values(prospects, np.array([[0.8, 0.6], [0.8, 0.6]]),
                                       np.array([[[0.2, 0.2], [np.nan, np.nan]]]))
    assert_allclose(matrix, [[0.5, 0.4], [0.8, 0.6]])


# --------------------------------------------------------------------------- one rule, three callers

SCALE = {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}


@st.composite
def small_cases(draw) -> dict:
    n_q = draw(st.integers(1, 3))
    n_o = draw(st.integers(2, 3))
    qs = [f"q{i}" for i in range(n_q)]
    probability = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.02, 0.98))
    preconditions = [{"id": q, "question": q + "?", "probability": round(draw(probability), 3)} for q in qs]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    r = random_correlation(rng, n_q, draw(st.sampled_from([0.0, 0.5, 1.5])))
    correlations = [{"between": [qs[i], qs[j]], "rho": round(float(r[i, j]) * 0.98, 3)}
                    for i in range(n_q) for j in range(i + 1, n_q) if abs(r[i, j]) > 1e-3]
    options = [{"id": "wait", "name": "wait", "baseline": True, "scores": {"c": 5, "d": 5}}]
    for o in range(n_o):
        requires = []
        for q in qs:
            kind = draw(st.sampled_from(["none", "hard", "soft", "consequence"]))
            if kind == "hard":
                requires.append(q)
            elif kind == "soft":
                requires.append({"precondition": q, "soft": True, "penalty": draw(st.sampled_from([0.05, 0.2]))})
            elif kind == "consequence":  # stated on the criteria it affects
                requires.append({"precondition": q, "soft": True,
                                 "consequence": draw(st.sampled_from([{"c": 0.3}, {"d": 0.1}, {"c": 0.1, "d": 0.4}]))})
        option = {"id": f"o{o}", "name": f"o{o}", "requires": requires,
                  "scores": {"c": draw(st.integers(0, 10)), "d": draw(st.integers(0, 10))},
                  "failure": {"c": draw(st.integers(0, 10))}}
        if o and draw(st.booleans()):
            option["depends_on"] = [f"o{o - 1}"]
        options.append(option)
    enablers = []
    if draw(st.booleans()):
        effect = draw(st.sampled_from([{"add": 0.2}, {"odds_ratio": 3.0}, {"to": 0.9}]))
        enablers.append({"option": "o0", "precondition": qs[-1], **effect})
    case = {"id": "t", "title": "t",
            "criteria": {"id": "k", "name": "k", "criteria": [
                {"id": "c", "name": "c", "direction": "max", "scale": SCALE},
                {"id": "d", "name": "d", "direction": "min", "scale": SCALE}]},
            "options": options, "preconditions": preconditions, "correlations": correlations,
            "weights": {"profiles": [{"id": "p", "name": "p", "weights": {"c": draw(st.integers(1, 5)), "d": 1}}]}}
    if enablers:
        case["enablers"] = enablers
    return case


def pattern_probabilities(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P(each yes/no pattern of the answers) under the copula, by SciPy's rectangle probabilities
    (bit i of the pattern: answer i is yes)."""
    n = len(p)
    z = stats.norm.ppf(np.clip(p, 1e-12, 1 - 1e-12))
    out = np.zeros(2 ** n)
    for pattern in range(2 ** n):
        yes = np.array([(pattern >> i) & 1 for i in range(n)], dtype=bool)
        lower, upper = np.where(yes, -np.inf, z), np.where(yes, z, np.inf)
        if n == 1:
            out[pattern] = stats.norm.cdf(upper[0]) - stats.norm.cdf(lower[0])
        else:
            out[pattern] = stats.multivariate_normal.cdf(upper, lower_limit=lower, cov=r, allow_singular=True,
                                                         abseps=1e-9 if n == 2 else 1e-7, releps=0.0, rng=1)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases())
def test_one_rule_in_score_gap_and_a_brute_force_enumeration(data):
    arrays = compile_case(parse_case(data))
    table = score(arrays).table
    w = arrays.weights
    planned = additive_value(criterion_values(arrays.scores.central, arrays.value_x, arrays.value_v), w)
    failed = additive_value(criterion_values(arrays.failure.central, arrays.value_x, arrays.value_v), w)

    # Independently: every yes/no pattern under the option's enablers; the option goes ahead where
    # every hard requirement of it and its dependencies says yes; each "no" costs, on each
    # criterion, the largest loss among its members (itself, its dependencies) that go ahead in
    # that pattern, weighted by the profile.
    p_yes = apply_enablers(arrays.probability_central[None, :], arrays.eval_enablers, arrays)
    n_q = arrays.n_preconditions
    patterns = np.array([[(k >> i) & 1 for i in range(n_q)] for k in range(2 ** n_q)], dtype=bool)
    for o, option in enumerate(arrays.option_ids):
        weights = pattern_probabilities(p_yes[o], arrays.correlation)
        members = np.flatnonzero(arrays.closure[o])
        goes = np.all(patterns | ~arrays.eval_hard[o], axis=1)
        ahead = np.all(patterns[:, None, :] | ~arrays.eval_hard[members][None], axis=2)  # (pattern, member)
        loss = arrays.soft_loss[members]  # (member, q, criterion)
        best = np.max(np.where(ahead[:, :, None, None], loss[None], 0.0), axis=1)  # (pattern, q, criterion)
        paid = (best * ~patterns[:, :, None]).sum(axis=1) @ w
        p_go, penalty = weights @ goes, weights @ paid
        expected = p_go * planned[o] + ((1 - p_go) * failed[o] if arrays.eval_hard[o].any() else 0.0) - penalty
        assert table.loc[option, "p_hold"] == pytest.approx(p_go, abs=2e-6)
        assert table.loc[option, "soft_penalty"] == pytest.approx(penalty, abs=2e-6)
        assert table.loc[option, "expected_value"] == pytest.approx(expected, abs=2e-6)

    # The rule module, score, the matrix and the gap model agree to rounding.
    prospects = option_prospects(arrays)
    rule = expected_values(prospects, planned, np.where(prospects.can_fail, failed, np.nan)[:, None], w)
    assert_allclose(table.loc[list(arrays.option_ids), "expected_value"], rule, rtol=0, atol=1e-14)
    assert_allclose(expected_value_matrix(arrays) @ w, rule, rtol=0, atol=1e-14)
    for first, second in [(1, 0), (0, 2), (2, 1)] if arrays.n_options > 2 else [(1, 0)]:
        pair = (arrays.option_ids[first], arrays.option_ids[second])
        model = build_gap_model(arrays, leading=pair, vary_weights=False, rng=0)
        assert_allclose(model.expected_values(model.central_state())[0], rule[[first, second]], rtol=0, atol=1e-14)
