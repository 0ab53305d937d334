"""Weighted product model against Triantaphyllou's worked example."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from decide.mcda.methods import weighted_product, weighted_product_ratios


def test_wpm_triantaphyllou_2000() -> None:
    """Three alternatives, four benefit criteria, weights (0.20, 0.15, 0.40, 0.25).

    Triantaphyllou, E. (2000). *Multi-Criteria Decision Making Methods: A Comparative Study*.
    Kluwer, ch. 2, WPM numerical example (the same data as its WSM example): A1 = (25, 20, 15, 30),
    A2 = (10, 30, 20, 30), A3 = (30, 10, 30, 10); printed ratios R(A1/A2) = 1.007, R(A1/A3) = 1.067,
    R(A2/A3) = 1.059, so A1 is best, then A2, then A3.
    """
    matrix = [[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]]
    weights = [0.20, 0.15, 0.40, 0.25]
    maximise = [True] * 4
    ratios = weighted_product_ratios(matrix, weights, maximise)
    assert_allclose([ratios[0, 1], ratios[0, 2], ratios[1, 2]], [1.007, 1.067, 1.059], atol=5e-4)
    assert_allclose(np.diagonal(ratios), 1.0)
    scores = weighted_product(matrix, weights, maximise)
    assert np.argsort(-scores).tolist() == [0, 1, 2]
