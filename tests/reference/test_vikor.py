"""VIKOR against the published examples of its authors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from decide.mcda.methods import vikor


def test_vikor_opricovic_tzeng_2004() -> None:
    """Three alternatives, one cost and one benefit criterion, equal weights.

    Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: a comparative
    analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2), 445-455,
    numerical example (f1 to minimise: 1, 2, 5; f2 to maximise: 3000, 3750, 4500): S = (0.5, 0.375,
    0.5), R = (0.5, 0.25, 0.5), Q = (1, 0, 1); A2 is the compromise solution with both acceptable
    advantage and acceptable stability. Values as in scikit-criteria's
    ``test_VIKOR_opricovic2004compromise``.
    """
    result = vikor([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], [0.5, 0.5], [False, True])
    assert_allclose(result.s, [0.5, 0.375, 0.5], atol=1e-12)
    assert_allclose(result.r, [0.5, 0.25, 0.5], atol=1e-12)
    assert_allclose(result.q, [1.0, 0.0, 1.0], atol=1e-12)
    assert result.acceptable_advantage
    assert result.acceptable_stability
    assert result.in_compromise.tolist() == [False, True, False]


# Opricovic & Tzeng (2007), Table 1: six hydropower alternatives on profit (max), cost (min), energy
# produced (max), peak energy (max), homes relocated (min), reservoir area (min), villages
# displaced (min) and environmental protection grade (max).
HYDROPOWER = np.array(
    [
        [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
        [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
        [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
        [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
        [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
        [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
    ]
)
HYDROPOWER_MAXIMISE = [True, False, True, True, False, False, False, True]


@pytest.mark.parametrize(
    ("weights", "s", "r", "q", "advantage", "compromise"),
    [
        pytest.param(
            [1, 1, 1, 1, 1, 1, 1, 1],
            [0.692, 0.700, 0.290, 0.423, 0.280, 0.346],
            [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
            [0.991, 1.000, 0.473, 0.670, 0.000, 0.578],
            True,
            [4],
            id="W1",
        ),
        pytest.param(
            [2, 2, 2, 2, 1, 1, 1, 1],
            [0.701, 0.600, 0.386, 0.365, 0.317, 0.459],
            [0.167, 0.114, 0.161, 0.167, 0.089, 0.167],
            [1.000, 0.533, 0.552, 0.563, 0.000, 0.686],
            True,
            [4],
            id="W2",
        ),
        pytest.param(
            [1, 1, 1, 1, 2, 2, 2, 2],
            [0.683, 0.800, 0.193, 0.480, 0.243, 0.232],
            [0.113, 0.167, 0.080, 0.122, 0.044, 0.083],
            [0.684, 1.000, 0.147, 0.554, 0.041, 0.191],
            False,
            [2, 4, 5],
            id="W3",
        ),
        pytest.param(
            [1, 1, 1, 1, 3.2, 3.2, 3.2, 3.2],
            [0.678, 0.857, 0.138, 0.513, 0.222, 0.167],
            [0.129, 0.190, 0.057, 0.139, 0.042, 0.060],
            [0.668, 1.000, 0.051, 0.588, 0.058, 0.078],
            False,
            [2, 4, 5],
            id="W4",
        ),
    ],
)
def test_vikor_opricovic_tzeng_2007_hydropower(
    weights: list[float],
    s: list[float],
    r: list[float],
    q: list[float],
    advantage: bool,
    compromise: list[int],
) -> None:
    """The hydropower planning example under four weight sets, printed to three decimals.

    Opricovic, S. & Tzeng, G.-H. (2007). Extended VIKOR method in comparison with outranking
    methods. *European Journal of Operational Research* 178(2), 514-529, numerical example: S, R, Q
    for weight sets W1-W4 (weights normalised to sum to 1), and the compromise solutions (A5; A5;
    A5, A3, A6 and A3, A5, A6 where acceptable advantage fails). Values as in scikit-criteria's
    ``test_VIKOR_opricovic2007extended``.
    """
    w = np.asarray(weights, dtype=float)
    result = vikor(HYDROPOWER, w / w.sum(), HYDROPOWER_MAXIMISE)
    assert_allclose(result.s, s, atol=5e-4)
    assert_allclose(result.r, r, atol=5e-4)
    assert_allclose(result.q, q, atol=5e-4)
    assert bool(result.acceptable_advantage) is advantage
    assert result.acceptable_stability
    assert np.flatnonzero(result.in_compromise).tolist() == compromise
