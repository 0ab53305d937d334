"""AHP priorities and consistency against Saaty's published house-buying example."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from decide.errors import DecideWarning
from decide.mcda.ahp import ahp_weights

# Criteria: size of house, transportation, neighbourhood, age of house, yard space, modern
# facilities, general condition, financing.
HOUSE_CRITERIA = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]


def test_ahp_saaty_1990_house_criteria() -> None:
    """The eight criteria for buying a house.

    Saaty, T.L. (1990). How to make a decision: the analytic hierarchy process. *European Journal
    of Operational Research* 48(1), 9-26, house example, pairwise comparisons of the criteria:
    priorities (0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333), lambda_max = 9.669,
    C.I. = 0.238, C.R. = 0.169 (also in Saaty 1980, *The Analytic Hierarchy Process*, ch. 2).
    Printed to three decimals, hence ``atol=5e-4``. C.R. > 0.1: inconsistent.
    """
    with pytest.warns(DecideWarning, match="inconsistent"):
        result = ahp_weights(HOUSE_CRITERIA)
    assert_allclose(result.weights, [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], atol=5e-4)
    assert result.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert result.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert result.consistency_ratio == pytest.approx(0.169, abs=5e-4)
    assert not result.consistent


def test_ahp_saaty_1990_size_of_house() -> None:
    """The three houses A, B, C compared on size of house.

    Saaty (1990), as above, house example, comparison of the houses with respect to size:
    priorities (0.754, 0.181, 0.065), lambda_max = 3.136, C.I. = 0.068, C.R. = 0.117.
    """
    with pytest.warns(DecideWarning):
        result = ahp_weights([[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]])
    assert_allclose(result.weights, [0.754, 0.181, 0.065], atol=5e-4)
    assert result.lambda_max == pytest.approx(3.136, abs=5e-4)
    assert result.consistency_index == pytest.approx(0.068, abs=5e-4)
    assert result.consistency_ratio == pytest.approx(0.117, abs=5e-4)
    assert not result.consistent
