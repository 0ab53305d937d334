"""Least change, potential optimality and dominance: hand-solved cases, scipy baselines, brute force."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from decide.errors import DecideError
from decide.optimise.weight_lp import (
    build_least_change_model,
    dominance,
    least_change,
    min_value_gaps,
    potential_optimality,
)

SEEDS = range(6)


def instance(seed: int, n_options: int = 8, n_leaves: int = 5):
    """Leaf values with a common quality factor (some options dominated, some never lead)."""
    rng = np.random.default_rng(seed)
    quality = rng.uniform(0.2, 0.8, size=(n_options, 1))
    values = np.clip(quality + rng.normal(0, 0.2, size=(n_options, n_leaves)), 0, 1)
    w0 = rng.dirichlet(np.ones(n_leaves))
    return rng, values, w0


def statements(rng, n_leaves: int):
    """Intervals +-0.1 on three random groups around a Dirichlet centre, one ordering of two leaves."""
    centre = rng.dirichlet(np.ones(n_leaves))
    rows, rhs = [], []
    for _ in range(3):
        group = rng.choice(n_leaves, size=rng.integers(1, n_leaves), replace=False)
        row = np.zeros(n_leaves)
        row[group] = 1.0
        total = centre[group].sum()
        rows += [row, -row]
        rhs += [total + 0.1, -(total - 0.1)]
    heavier, lighter = np.argsort(centre)[::-1][:2]
    row = np.zeros(n_leaves)
    row[lighter], row[heavier] = 1.0, -1.0
    rows.append(row)
    rhs.append(0.0)
    return np.array(rows), np.array(rhs)


def scipy_least_change(values, x, w0, norm):
    n_options, n = values.shape
    others = [y for y in range(n_options) if y != x]
    lead = values[others] - values[x]  # (V_y - V_x) . w <= 0
    if norm == "l1":  # variables [w, up, down]: w - w0 = up - down
        c = np.r_[np.zeros(n), np.ones(2 * n)]
        A_ub = np.hstack([lead, np.zeros((len(others), 2 * n))])
        b_ub = np.zeros(len(others))
        eye = np.eye(n)
        A_eq = np.vstack([np.hstack([eye, -eye, eye]), np.r_[np.ones(n), np.zeros(2 * n)]])
        b_eq = np.r_[w0, 1.0]
        bounds = [(0, None)] * (3 * n)
    else:  # variables [w, radius]
        c = np.r_[np.zeros(n), 1.0]
        eye, ones = np.eye(n), np.ones((n, 1))
        A_ub = np.vstack(
            [np.hstack([lead, np.zeros((len(others), 1))]), np.hstack([eye, -ones]), np.hstack([-eye, -ones])]
        )
        b_ub = np.r_[np.zeros(len(others)), w0, -w0]
        A_eq = np.r_[np.ones(n), 0.0][None, :]
        b_eq = [1.0]
        bounds = [(0, None)] * (n + 1)
    r = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert r.status in (0, 2), r.message
    return r.fun if r.status == 0 else np.inf


def scipy_margin(values, x, A, b):
    n_options, n = values.shape
    others = [y for y in range(n_options) if y != x]
    # variables [w, t]; max t  s.t.  t - (V_x - V_y) . w <= 0
    beaten = np.hstack([values[others] - values[x], np.ones((len(others), 1))])
    A_ub = np.vstack([beaten, np.hstack([A, np.zeros((len(A), 1))])])
    b_ub = np.r_[np.zeros(len(others)), b]
    c = np.r_[np.zeros(n), -1.0]
    A_eq = np.r_[np.ones(n), 0.0][None, :]
    bounds = [(0, None)] * n + [(None, None)]
    r = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    assert r.status == 0, r.message
    return -r.fun


def scipy_min_gap(values, x, y, A, b):
    n = values.shape[1]
    r = linprog(
        values[x] - values[y], A_ub=A, b_ub=b, A_eq=np.ones((1, n)), b_eq=[1.0], bounds=[(0, None)] * n, method="highs"
    )
    assert r.status == 0, r.message
    return r.fun


def is_leader(values, x, w, atol=1e-7):
    totals = values @ w
    return totals[x] >= totals.max() - atol


def test_least_change_hand_solved_two_leaves():
    # Values: A = (1, 0), B = (0, 1), C = (0.4, 0.4); w0 = (0.7, 0.3): A 0.7, B 0.3, C 0.4.
    # A leads: distance 0. B leads iff w2 >= w1 (and w2 >= 0.4), i.e. w2 >= 0.5: nearest
    # w = (0.5, 0.5), L-inf 0.2, L1 0.4. C leads iff 0.4 >= w1 and 0.4 >= w2, impossible with
    # w1 + w2 = 1: infeasible.
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.4, 0.4]])
    w0 = np.array([0.7, 0.3])
    for norm, expected in (("linf", [0.0, 0.2, np.inf]), ("l1", [0.0, 0.4, np.inf])):
        result = least_change(values, w0, norm=norm)
        np.testing.assert_allclose(result.distances, expected, atol=1e-9)
        np.testing.assert_array_equal(result.feasible, [True, True, False])
        np.testing.assert_allclose(result.weights[:2], [[0.7, 0.3], [0.5, 0.5]], atol=1e-9)
        assert np.all(np.isnan(result.weights[2]))


def test_least_change_must_beat_every_option_not_only_the_leader():
    # A = (1, 0), B = (0, 1), C = (0.6, 0.6); w0 = (0.8, 0.2): A 0.8, C 0.6, B 0.2.
    # Tying A alone would need w2 = 0.5 (0.3 away), but then C (0.6) leads. B must also beat C:
    # w2 >= 0.6, nearest w = (0.4, 0.6): L-inf 0.4, L1 0.8.
    # C leads iff 0.6 >= w1 and 0.6 >= w2: w1 in [0.4, 0.6], nearest (0.6, 0.4): L-inf 0.2, L1 0.4.
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]])
    w0 = np.array([0.8, 0.2])
    linf = least_change(values, w0, norm="linf")
    np.testing.assert_allclose(linf.distances, [0.0, 0.4, 0.2], atol=1e-9)
    np.testing.assert_allclose(linf.weights, [[0.8, 0.2], [0.4, 0.6], [0.6, 0.4]], atol=1e-9)
    l1 = least_change(values, w0, norm="l1")
    np.testing.assert_allclose(l1.distances, [0.0, 0.8, 0.4], atol=1e-9)


def test_dominated_option_is_infeasible_not_an_exception():
    # Option 2 is worse than option 0 on every leaf: it can never lead.
    values = np.array([[0.9, 0.8, 0.7], [0.1, 0.9, 0.5], [0.5, 0.4, 0.3]])
    result = least_change(values, np.full(3, 1 / 3), norm="l1")
    assert result.feasible.tolist() == [True, True, False]
    assert result.distances[2] == np.inf


@pytest.mark.parametrize("norm", ["l1", "linf"])
@pytest.mark.parametrize("seed", SEEDS)
def test_least_change_matches_linprog(seed, norm):
    _, values, w0 = instance(seed)
    result = least_change(values, w0, norm=norm)
    expected = np.array([scipy_least_change(values, x, w0, norm) for x in range(len(values))])
    np.testing.assert_array_equal(result.feasible, np.isfinite(expected))
    np.testing.assert_allclose(result.distances, expected, atol=1e-7)


def test_random_instances_include_options_that_never_lead():
    # Keeps the baseline comparisons honest: the infeasible path is exercised.
    never_lead = 0
    for seed in SEEDS:
        _, values, w0 = instance(seed)
        never_lead += (~least_change(values, w0, norm="l1").feasible).sum()
    assert never_lead > 0


@pytest.mark.parametrize("norm", ["l1", "linf"])
@pytest.mark.parametrize("seed", SEEDS)
def test_least_change_against_brute_force_search(seed, norm):
    rng, values, w0 = instance(seed, n_options=6, n_leaves=4)
    result = least_change(values, w0, norm=norm)
    # Random points over the simplex: uniform, sparse, and close to w0.
    samples = np.vstack([
        rng.dirichlet(np.ones(4), size=20_000),
        rng.dirichlet(np.full(4, 0.2), size=20_000),
        np.clip(w0 + rng.normal(0, 0.05, size=(20_000, 4)), 0, None),
    ])
    samples /= samples.sum(axis=1, keepdims=True)
    totals = samples @ values.T
    change = np.abs(samples - w0)
    distances = change.sum(axis=1) if norm == "l1" else change.max(axis=1)
    for x in range(len(values)):
        leads = totals[:, x] >= totals.max(axis=1)
        if not result.feasible[x]:
            assert not leads.any()
            continue
        w = result.weights[x]
        assert np.all(w >= 0) and w.sum() == pytest.approx(1.0, abs=1e-12)
        assert is_leader(values, x, w)
        if leads.any():
            assert result.distances[x] <= distances[leads].min() + 1e-9


def test_build_least_change_model_checks_norm():
    with pytest.raises(ValueError, match="norm"):
        build_least_change_model(np.eye(2), np.array([0.5, 0.5]), "l2")


def test_w0_must_be_on_the_simplex():
    with pytest.raises(ValueError, match="w0"):
        least_change(np.eye(2), np.array([0.5, 0.6]), norm="l1")


def test_potential_optimality_hand_solved():
    # A = (1, 0), B = (0, 1), C = (0.4, 0.4).
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.4, 0.4]])
    # Whole simplex: A's margin min(w1 - w2, w1 - 0.4) is largest at w = (1, 0): 0.6; B likewise;
    # C's min(0.4 - w1, 0.4 - w2) is largest at (0.5, 0.5): -0.1.
    result = potential_optimality(values)
    np.testing.assert_allclose(result.margins, [0.6, 0.6, -0.1], atol=1e-9)
    assert result.potentially_optimal.tolist() == [True, True, False]
    np.testing.assert_allclose(result.weights, [[1, 0], [0, 1], [0.5, 0.5]], atol=1e-9)
    # Statement w1 >= w2 (row -w1 + w2 <= 0): B's best is w = (0.5, 0.5), a tie with A: margin 0,
    # still potentially optimal.
    result = potential_optimality(values, [[-1.0, 1.0]], [0.0])
    assert result.margins[1] == pytest.approx(0.0, abs=1e-9)
    assert result.potentially_optimal.tolist() == [True, True, False]
    # Statement w1 >= 0.6 (row -w1 <= -0.6): B's best is w = (0.6, 0.4): min(-0.2, 0) = -0.2;
    # C's best is also (0.6, 0.4): min(-0.2, 0) = -0.2.
    result = potential_optimality(values, [[-1.0, 0.0]], [-0.6])
    np.testing.assert_allclose(result.margins, [0.6, -0.2, -0.2], atol=1e-9)
    assert result.potentially_optimal.tolist() == [True, False, False]


@pytest.mark.parametrize("seed", SEEDS)
def test_potential_optimality_matches_linprog(seed):
    rng, values, _ = instance(seed)
    A, b = statements(rng, values.shape[1])
    result = potential_optimality(values, A, b)
    expected = np.array([scipy_margin(values, x, A, b) for x in range(len(values))])
    np.testing.assert_allclose(result.margins, expected, atol=1e-7)
    np.testing.assert_array_equal(result.potentially_optimal, expected >= -1e-9)
    # Witnesses are admissible and attain the margin.
    for x, w in enumerate(result.weights):
        assert np.all(A @ w <= b + 1e-7) and w.sum() == pytest.approx(1.0)
        gaps = values[x] @ w - np.delete(values, x, axis=0) @ w
        assert gaps.min() == pytest.approx(result.margins[x], abs=1e-7)


def test_empty_weight_set_is_a_decide_error():
    # w1 >= 0.7 and w2 >= 0.7 cannot both hold on the simplex.
    values = np.array([[1.0, 0.0], [0.0, 1.0]])
    A, b = np.array([[-1.0, 0.0], [0.0, -1.0]]), np.array([-0.7, -0.7])
    with pytest.raises(DecideError, match="admit no weights"):
        potential_optimality(values, A, b)
    with pytest.raises(DecideError, match="admit no weights"):
        dominance(values, A, b)
    with pytest.raises(DecideError, match="admit no weights"):
        dominance(values, np.zeros((1, 2)), np.array([-1.0]))


def test_dominance_hand_solved():
    # A = (0.8, 0.6), B = (0.5, 0.5), C = (0.9, 0.1).
    values = np.array([[0.8, 0.6], [0.5, 0.5], [0.9, 0.1]])
    # Whole simplex: A - B = (0.3, 0.1) > 0 on both leaves: A dominates B. A - C = (-0.1, 0.5)
    # and C - B = (0.4, -0.4) change sign over the simplex: no dominance.
    expected = [[False, True, False], [False, False, False], [False, False, False]]
    np.testing.assert_array_equal(dominance(values), expected)
    # w1 >= 0.9 (row -w1 <= -0.9): C - A = 0.6 w1 - 0.5 >= 0.04 and C - B = 0.8 w1 - 0.4 >= 0.32:
    # C now dominates both.
    expected = [[False, True, False], [False, False, False], [True, True, False]]
    np.testing.assert_array_equal(dominance(values, [[-1.0, 0.0]], [-0.9]), expected)
    gaps = min_value_gaps(values, [[-1.0, 0.0]], [-0.9])
    assert gaps[2, 0] == pytest.approx(0.04) and gaps[2, 1] == pytest.approx(0.32)


def test_equal_options_do_not_dominate_each_other():
    values = np.array([[0.3, 0.7], [0.3, 0.7], [0.1, 0.2]])
    assert dominance(values).tolist() == [[False, False, True], [False, False, True], [False, False, False]]


@pytest.mark.parametrize("seed", SEEDS)
def test_dominance_matches_linprog(seed):
    rng, values, _ = instance(seed)
    A, b = statements(rng, values.shape[1])
    n_options = len(values)
    expected_gaps = np.zeros((n_options, n_options))
    for x in range(n_options):
        for y in range(n_options):
            if x != y:
                expected_gaps[x, y] = scipy_min_gap(values, x, y, A, b)
    np.testing.assert_allclose(min_value_gaps(values, A, b), expected_gaps, atol=1e-7)
    expected = (expected_gaps >= -1e-9) & (-expected_gaps.T > 1e-9)
    np.testing.assert_array_equal(dominance(values, A, b), expected)


def test_dominance_is_consistent_with_potential_optimality():
    # A dominated option is never strictly best; with these instances it is not even tied.
    for seed in SEEDS:
        rng, values, _ = instance(seed)
        A, b = statements(rng, values.shape[1])
        dominated = dominance(values, A, b).any(axis=0)
        result = potential_optimality(values, A, b)
        assert np.all(result.margins[dominated] <= 1e-9)


def test_pruned_dominance_agrees_with_all_gaps():
    # dominance() skips LPs settled by weights already found; min_value_gaps() solves them all.
    for seed in SEEDS:
        rng, values, _ = instance(seed, n_options=10, n_leaves=4)
        A, b = statements(rng, 4)
        gaps = min_value_gaps(values, A, b)
        np.testing.assert_array_equal(dominance(values, A, b), (gaps >= -1e-9) & (-gaps.T > 1e-9))
