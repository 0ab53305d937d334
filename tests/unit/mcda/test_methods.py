"""Invariants of the aggregation kernels in decide.mcda.methods."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from decide.mcda.methods import (
    METHODS,
    minmax_normalise,
    promethee_ii,
    topsis,
    vikor,
    weighted_product,
    weighted_product_ratios,
)
from decide.mcda.value import additive_value


@st.composite
def problems_with_dominated_option(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """A random problem in which one option is strictly worse than another on every criterion."""
    n_options = draw(st.integers(2, 6))
    n_criteria = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(1.0, 10.0, size=(n_options, n_criteria))
    maximise = rng.random(n_criteria) < 0.5
    weights = rng.uniform(0.05, 1.0, size=n_criteria)
    better, worse = rng.choice(n_options, size=2, replace=False)
    step = rng.uniform(0.1, 1.0, size=n_criteria)
    matrix[worse] = matrix[better] - np.where(maximise, step, -step)
    return matrix, weights / weights.sum(), maximise, int(better), int(worse)


def _top(scores: np.ndarray) -> set[int]:
    return set(np.flatnonzero(np.isclose(scores, scores.max(), rtol=0, atol=1e-12)).tolist())


@settings(max_examples=60, deadline=None)
@given(problems_with_dominated_option())
def test_strictly_dominated_option_never_leads(problem: tuple) -> None:
    matrix, weights, maximise, better, worse = problem
    for normalisation in ("vector", "minmax"):
        closeness = topsis(matrix, weights, maximise, normalisation=normalisation).closeness
        assert closeness[better] > closeness[worse]
        assert worse not in _top(closeness)
    q = vikor(matrix, weights, maximise).q
    assert q[better] < q[worse]
    for functions in ("usual", "linear"):
        phi = promethee_ii(matrix, weights, maximise, functions=functions, q=0.05, p=2.0).phi
        assert phi[better] > phi[worse]
    scores = weighted_product(matrix, weights, maximise)
    assert scores[better] > scores[worse]
    values = additive_value(minmax_normalise(matrix, maximise), weights)
    assert values[better] > values[worse]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 7), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_promethee_flows_are_balanced(n_options: int, n_criteria: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 5, size=(n_options, n_criteria)).astype(float)  # ties on purpose
    weights = rng.uniform(0.1, 1.0, size=n_criteria)
    maximise = rng.random(n_criteria) < 0.5
    result = promethee_ii(matrix, weights, maximise, functions="linear", q=0.5, p=2.0)
    assert result.phi.sum() == pytest.approx(0.0, abs=1e-12)
    # a flow is a weighted share: 1 where one option beats the other on every criterion, up to the
    # rounding of the normalised weights' sum (seed 505635 gives 1 + 2.2e-16)
    assert np.all((result.phi_plus >= 0) & (result.phi_plus <= 1 + 1e-12))
    assert np.all((result.phi_minus >= 0) & (result.phi_minus <= 1 + 1e-12))
    assert_allclose(np.diagonal(result.preference), 0.0)
    assert np.all(result.preference + result.preference.T <= 1 + 1e-12)


def test_promethee_weights_are_normalised_inside() -> None:
    matrix = [[1.0, 5.0], [2.0, 3.0], [4.0, 4.0]]
    one = promethee_ii(matrix, [0.25, 0.75], [True, True])
    scaled = promethee_ii(matrix, [1.0, 3.0], [True, True])
    assert_allclose(one.phi, scaled.phi)
    assert_allclose(one.preference, scaled.preference)


@pytest.mark.parametrize(
    ("function", "params", "d", "expected"),
    [
        ("usual", {}, 0.0, 0.0),
        ("usual", {}, 0.1, 1.0),
        ("ushape", {"q": 1.0}, 1.0, 0.0),
        ("ushape", {"q": 1.0}, 1.01, 1.0),
        ("vshape", {"p": 2.0}, 1.0, 0.5),
        ("vshape", {"p": 2.0}, 3.0, 1.0),
        ("level", {"q": 1.0, "p": 2.0}, 0.5, 0.0),
        ("level", {"q": 1.0, "p": 2.0}, 1.5, 0.5),
        ("level", {"q": 1.0, "p": 2.0}, 2.5, 1.0),
        ("linear", {"q": 1.0, "p": 3.0}, 0.5, 0.0),
        ("linear", {"q": 1.0, "p": 3.0}, 2.0, 0.5),
        ("linear", {"q": 1.0, "p": 3.0}, 4.0, 1.0),
        ("gaussian", {"s": 1.0}, 1.0, 1.0 - math.exp(-0.5)),
        ("gaussian", {"s": 2.0}, 0.0, 0.0),
    ],
)
def test_preference_functions(function: str, params: dict, d: float, expected: float) -> None:
    # Two options on one criterion: pi(b, a) is P(d) for the better option b.
    benefit = promethee_ii([[0.0], [d]], [1.0], [True], functions=function, **params)
    assert benefit.preference[1, 0] == pytest.approx(expected)
    assert benefit.preference[0, 1] == 0.0
    # On a cost criterion the lower value is the better one.
    cost = promethee_ii([[d], [0.0]], [1.0], [False], functions=function, **params)
    assert cost.preference[1, 0] == pytest.approx(expected)


def test_promethee_rejects_unknown_function() -> None:
    with pytest.raises(ValueError, match="unknown PROMETHEE preference function 'cubic'"):
        promethee_ii([[0.0], [1.0]], [1.0], [True], functions="cubic")


def test_topsis_minmax_by_hand() -> None:
    # Min-max scaled: (0, 0), (1/3, 1), (1, 1/2); weighted by 1/2: ideal (1/2, 1/2), anti-ideal 0.
    result = topsis([[1, 10], [2, 30], [4, 20]], [0.5, 0.5], [True, True], normalisation="minmax")
    d_plus = [math.sqrt(0.5), 1 / 3, 0.25]
    d_minus = [0.0, math.sqrt(1 / 36 + 1 / 4), math.sqrt(1 / 4 + 1 / 16)]
    assert_allclose(result.d_plus, d_plus)
    assert_allclose(result.d_minus, d_minus)
    assert_allclose(result.closeness, np.divide(d_minus, np.add(d_plus, d_minus)))


def test_topsis_closeness_is_nan_when_options_coincide() -> None:
    result = topsis([[3.0, 1.0], [3.0, 1.0]], [0.5, 0.5], [True, False])
    assert np.isnan(result.closeness).all()
    assert_allclose(result.d_plus, 0.0)


def test_topsis_rejects_unknown_normalisation() -> None:
    with pytest.raises(ValueError, match="unknown TOPSIS normalisation"):
        topsis([[1.0], [2.0]], [1.0], [True], normalisation="sum")  # type: ignore[arg-type]


def test_scale_invariances() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.uniform(1, 10, size=(5, 3))
    weights = np.array([0.2, 0.5, 0.3])
    maximise = np.array([True, False, True])
    scale = np.array([1000.0, 0.01, 7.0])
    shift = np.array([-0.5, 3.0, 100.0])
    # TOPSIS (vector) and the WPM ranking do not depend on the unit of each criterion.
    closeness = topsis(matrix, weights, maximise).closeness
    assert_allclose(topsis(matrix * scale, weights, maximise).closeness, closeness)
    wpm = weighted_product(matrix, weights, maximise)
    wpm_scaled = weighted_product(matrix * scale, weights, maximise)
    assert_allclose(wpm_scaled / wpm, wpm_scaled[0] / wpm[0])  # every score times the same factor
    # VIKOR and min-max TOPSIS do not depend on a positive affine change of any criterion.
    affine = matrix * scale + shift
    assert_allclose(vikor(affine, weights, maximise).s, vikor(matrix, weights, maximise).s)
    assert_allclose(vikor(affine, weights, maximise).q, vikor(matrix, weights, maximise).q)
    assert_allclose(
        topsis(affine, weights, maximise, normalisation="minmax").closeness,
        topsis(matrix, weights, maximise, normalisation="minmax").closeness,
    )
    # PROMETHEE thresholds are differences, so a shift changes nothing.
    assert_allclose(
        promethee_ii(matrix + shift, weights, maximise, functions="linear", q=0.5, p=3.0).phi,
        promethee_ii(matrix, weights, maximise, functions="linear", q=0.5, p=3.0).phi,
    )


def test_relabelling_options_permutes_results() -> None:
    rng = np.random.default_rng(11)
    matrix = rng.uniform(1, 10, size=(6, 4))
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    maximise = np.array([True, False, True, False])
    order = rng.permutation(6)
    kw = {"functions": ["linear", "usual", "vshape", "gaussian"], "q": 0.5, "p": 3.0, "s": 1.0}
    outputs = [
        lambda x: topsis(x, weights, maximise).closeness,
        lambda x: vikor(x, weights, maximise).q,
        lambda x: promethee_ii(x, weights, maximise, **kw).phi,
        lambda x: weighted_product(x, weights, maximise),
    ]
    for output in outputs:
        assert_allclose(output(matrix[order]), output(matrix)[order])


def test_leading_batch_axes_match_one_problem_at_a_time() -> None:
    rng = np.random.default_rng(3)
    matrices = rng.uniform(1, 10, size=(2, 3, 5, 4))  # (draw, block, option, criterion)
    weights = rng.dirichlet(np.ones(4), size=(2, 3))
    maximise = np.array([True, False, False, True])
    kw = {"functions": "linear", "q": 0.2, "p": 4.0}
    t = topsis(matrices, weights, maximise)
    v = vikor(matrices, weights, maximise)
    p = promethee_ii(matrices, weights, maximise, **kw)
    w = weighted_product(matrices, weights, maximise)
    assert t.closeness.shape == v.q.shape == p.phi.shape == w.shape == (2, 3, 5)
    assert v.acceptable_advantage.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            one = (matrices[i, j], weights[i, j], maximise)
            assert_allclose(t.closeness[i, j], topsis(*one).closeness)
            single = vikor(*one)
            assert_allclose(v.q[i, j], single.q)
            assert v.acceptable_advantage[i, j] == single.acceptable_advantage
            assert v.acceptable_stability[i, j] == single.acceptable_stability
            assert (v.in_compromise[i, j] == single.in_compromise).all()
            assert_allclose(p.phi[i, j], promethee_ii(*one, **kw).phi)
            assert_allclose(w[i, j], weighted_product(*one))


def test_minmax_normalise_orients_and_handles_ties() -> None:
    scaled = minmax_normalise([[1.0, 5.0, 2.0], [3.0, 1.0, 2.0], [2.0, 3.0, 2.0]], [True, False, True])
    assert_allclose(scaled, [[0.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.5, 0.5, 1.0]])


def test_vikor_acceptable_advantage_without_stability_proposes_top_two() -> None:
    # A5 is best by Q, clearly ahead of A3 (gap 0.283 >= DQ = 1/4), but A2 and A4 are better by S
    # and A3 is better by R, so C1 holds and C2 fails: the compromise is {A5, A3}.
    matrix = [[8, 15, 11], [15, 17, 8], [11, 9, 13], [15, 0, 20], [13, 7, 17]]
    result = vikor(matrix, [1 / 3, 1 / 3, 1 / 3], [True, True, True])
    assert np.argsort(result.q)[:2].tolist() == [4, 2]
    assert result.s[4] > result.s.min() and result.r[4] > result.r.min()
    assert result.acceptable_advantage and not result.acceptable_stability
    assert np.flatnonzero(result.in_compromise).tolist() == [2, 4]


def test_vikor_ties_and_extremes() -> None:
    # Identical options: S and R tie, so Q is 0 everywhere and all are in the compromise.
    same = vikor([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]], [0.5, 0.5], [True, False])
    assert_allclose(same.q, 0.0)
    assert not same.acceptable_advantage
    assert same.in_compromise.all()
    # v = 1 ranks by group utility alone.
    matrix = [[1.0, 9.0], [5.0, 5.0], [9.0, 1.0], [4.0, 4.0]]
    only_s = vikor(matrix, [0.5, 0.5], [True, True], v=1.0)
    assert_allclose(only_s.q, (only_s.s - only_s.s.min()) / np.ptp(only_s.s))


def test_weighted_product_cost_criteria_and_ratios() -> None:
    matrix = np.array([[2.0, 4.0], [8.0, 1.0]])
    weights = np.array([0.5, 0.25])
    scores = weighted_product(matrix, weights, [True, False])
    assert_allclose(scores, [2**0.5 * 4**-0.25, 8**0.5 * 1.0])
    ratios = weighted_product_ratios(matrix, weights, [True, False])
    assert_allclose(ratios, scores[:, None] / scores[None, :])
    assert_allclose(ratios * ratios.T, 1.0)


def test_methods_registry() -> None:
    assert METHODS == {"topsis": topsis, "vikor": vikor, "promethee2": promethee_ii, "wpm": weighted_product}
