"""The report's strategy-level analyses: least change (exact), the core index over the shortlist
(equal to the full filter's restriction), SMAA over admissible weights, paired comparisons."""

import numpy as np
import pytest
from scipy.optimize import linprog

from decide.analysis.portfolio import admissible_weights, least_change_l1, preference_smaa
from decide.analysis.robustness import compare_pair


def _lp_least_change(d, w0):
    n = len(w0)
    eye = np.eye(n)
    res = linprog(np.r_[np.zeros(n), np.ones(n)],
                  A_ub=np.vstack([np.block([[eye, -eye], [-eye, -eye]]), np.r_[-d, np.zeros(n)]]),
                  b_ub=np.r_[w0, -w0, 0.0], A_eq=np.r_[np.ones(n), np.zeros(n)][None], b_eq=[1.0],
                  bounds=[(0, None)] * (2 * n), method="highs")
    return res.fun if res.status == 0 else np.inf


def test_least_change_equals_the_linear_program():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = rng.integers(2, 8)
        w0 = rng.dirichlet(np.ones(n))
        d = rng.normal(size=n) - 0.3
        got, _ = least_change_l1(d[None], w0)
        assert got[0] == pytest.approx(_lp_least_change(d, w0), abs=1e-9)


def test_least_change_zero_when_already_as_good_and_inf_when_never():
    w0 = np.array([0.5, 0.5])
    got, _ = least_change_l1(np.array([[0.1, 0.0], [-0.1, -0.2]]), w0)
    assert got[0] == 0 and np.isinf(got[1])


def test_shortlist_core_equals_full_filter_restricted():
    """A dominator of a shortlisted row ranks above it at every vertex, so it is shortlisted too."""
    from decide.optimise.core_index import pareto_mask

    rng = np.random.default_rng(5)
    values = rng.normal(size=(3000, 6)) @ np.abs(rng.normal(size=(6, 6)))
    full = pareto_mask(values)
    top = 40
    short = np.unique(np.argpartition(-values, top - 1, axis=0)[:top].ravel())
    nd_short = short[pareto_mask(values[short])]
    assert set(nd_short) == set(np.flatnonzero(full)) & set(short)


def test_admissible_weights_keep_the_statements(mali):
    W, mode = admissible_weights(mali.arrays, 500, rng=1)
    assert mode == "imprecise" and W.shape == (500, mali.arrays.n_criteria)
    assert np.allclose(W.sum(axis=1), 1)
    assert (W @ mali.arrays.imprecise_a.T <= mali.arrays.imprecise_b + 1e-9).all()


def test_preference_smaa_shares_sum_to_one():
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.4, 0.4]])
    W = np.random.default_rng(0).dirichlet(np.ones(2), 2000)
    out = preference_smaa(values, W)
    assert out["p_best"].sum() == pytest.approx(1)
    assert out["p_best"][2] == 0 and out["p_best"][0] == pytest.approx(0.5, abs=0.05)


def test_compare_pair_dominance():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    c = compare_pair(x, x - 0.5)
    assert c.first_order and c.second_order and c.gap == pytest.approx(0.5)
    # A mean-preserving spread: second order for the safer, not first.
    safe, risky = np.array([2.0, 2.0, 2.0, 2.0]), np.array([0.0, 1.0, 3.0, 4.0])
    c = compare_pair(safe, risky)
    assert not c.first_order and c.second_order
    assert not compare_pair(risky, safe).second_order


def test_report_standing(mali):
    ps = mali.strategies.standing
    assert ps.recommended == mali.strategies.best.best
    assert ps.recommended_is_best  # the same scenarios the recommendation was chosen on
    k = list(ps.profile_ids).index(mali.arrays.default_profile)
    assert ps.profile_gap[k] == 0
    assert (ps.profile_gap <= 1e-12).all() and 0 <= ps.smaa_recommended <= 1
    assert ps.n_nondominated <= ps.n_shortlist <= ps.n_feasible


def test_threshold_probabilities_bracket_the_break_even(mali):
    t = mali.strategies.thresholds
    assert len(t) and set(t["option"]) <= set(mali.strategies.best.best)
    finite = t[np.isfinite(t["break_even"])]
    assert len(finite) and ((finite["break_even"] >= 0) & (finite["break_even"] <= 1)).all()
    # A sign change between always-no and always-yes is what a break-even needs.
    assert (np.sign(finite["added_if_no"]) != np.sign(finite["added_if_yes"])).all()
    assert finite["refined"].iloc[0]


def test_a_point_probability_changes_only_that_questions_probability_in_the_draws(mali, point_probability):
    """break_even_probabilities draws once and sets the question's column: the same scenarios as
    drawing the case with the question's probability made a point."""
    from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, draw_scenarios

    arrays = mali.arrays
    drawn = draw_scenarios(arrays, 300, rng=20121, stream=STREAM_OUT_OF_SAMPLE)
    for q in range(arrays.n_preconditions):
        variant = draw_scenarios(point_probability(arrays, q, 0.37), 300, rng=20121, stream=STREAM_OUT_OF_SAMPLE)
        expected = drawn.probabilities.copy()
        expected[:, q] = 0.37
        np.testing.assert_array_equal(variant.probabilities, expected)
        for field in ("planned", "failure", "latent", "stage_failures"):
            np.testing.assert_array_equal(getattr(variant, field), getattr(drawn, field))


def test_a_pair_dominated_to_second_order_says_so():
    # y is less spread and higher on average: x is dominated to second order, not first.
    from decide.analysis.robustness import compare_pair, dominance_words

    c = compare_pair([0.0, 1.9], [1.0, 1.0])
    assert not c.first_order and not c.second_order and not c.reverse_first_order
    assert c.reverse_second_order
    assert dominance_words(c).startswith("is dominated by it to second order")
    assert not compare_pair([1.0, 1.0], [0.0, 1.9]).reverse_second_order
