"""TOPSIS against published worked examples."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from decide.mcda.methods import topsis


def test_topsis_tzeng_huang_2011() -> None:
    """Four alternatives, three benefit criteria, vector normalisation.

    Tzeng, G.-H. & Huang, J.-J. (2011). *Multiple Attribute Decision Making: Methods and
    Applications*. CRC Press, TOPSIS worked example; closeness coefficients printed to four
    decimals (0.5037, 0.6581, 0.7482, 0.3340), as also used by scikit-criteria's reference test
    ``test_TOPSIS_tzeng2011multiple``.
    """
    matrix = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
    result = topsis(matrix, [0.3, 0.4, 0.3], [True, True, True])
    assert_allclose(result.closeness, [0.5037, 0.6581, 0.7482, 0.3340], atol=1e-4)
    assert np.argsort(-result.closeness).tolist() == [2, 1, 0, 3]


def test_topsis_hwang_yoon_1981_fighter_aircraft() -> None:
    """The fighter-aircraft purchase, with one cost criterion (acquisition cost).

    Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*. Springer, TOPSIS numerical example, pp. 132-133: four aircraft on maximum speed,
    ferry range, maximum payload, acquisition cost (cost), reliability and manoeuvrability, weights
    (0.2, 0.1, 0.1, 0.1, 0.2, 0.3); printed ``C* = (0.643, 0.268, 0.613, 0.312)``, ``S* = (0.0545,
    0.1197, 0.0580, 0.1009)``, ``S- = (0.0983, 0.0439, 0.0920, 0.0458)``.

    The book rounds every intermediate table to four decimals and its normalised cost column is
    slightly off (0.5063 for 5.5 / sqrt(117.75) = 0.5069), so the exact computation agrees to one
    unit in the last printed digit (A3: 0.6135 against 0.613), hence ``atol=1e-3`` for the
    closeness and ``2e-4`` for the distances.
    """
    matrix = [
        [2.0, 1500, 20000, 5.5, 5, 9],
        [2.5, 2700, 18000, 6.5, 3, 5],
        [1.8, 2000, 21000, 4.5, 7, 7],
        [2.2, 1800, 20000, 5.0, 5, 5],
    ]
    weights = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
    maximise = [True, True, True, False, True, True]
    result = topsis(matrix, weights, maximise)
    assert_allclose(result.closeness, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert_allclose(result.d_plus, [0.0545, 0.1197, 0.0580, 0.1009], atol=2e-4)
    assert_allclose(result.d_minus, [0.0983, 0.0439, 0.0920, 0.0458], atol=2e-4)
    assert_allclose(result.ideal, [0.1168, 0.0659, 0.0531, 0.0414, 0.1347, 0.2012], atol=2e-4)
    assert_allclose(result.anti_ideal, [0.0841, 0.0366, 0.0455, 0.0598, 0.0577, 0.1118], atol=2e-4)
    # Published preference order: A1, A3, A4, A2.
    assert np.argsort(-result.closeness).tolist() == [0, 2, 3, 1]
