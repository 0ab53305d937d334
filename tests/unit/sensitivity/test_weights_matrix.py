"""The weight analyses run on the matrix they are given (the simulation's), else on score's.

Expected value is linear in the weights: with ``M[a, c] = E[v_c(outcome of a)] - E[penalty of a]``
the expected value of option ``a`` is ``M[a] @ w`` for every weight vector on the simplex. A
report passes the simulation's ``M``; without one, the analyses use the deterministic table's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.load import load_case
from decide.montecarlo import simulate
from decide.score import expected_value_matrix, score
from decide.sensitivity.weights import (
    crossover_table,
    dominance_table,
    least_change_table,
    potential_optimality_table,
    value_matrix,
    weight_sweeps,
)

OPTIONS = ["wait", "intervene", "mediate"]
CRITERIA = ["armed_groups", "territory", "cost"]


@pytest.fixture(scope="module")
def arrays(request) -> CaseArrays:
    return compile_case(load_case(Path(request.config.rootpath) / "tests" / "data" / "minimal_case.yaml"))


@pytest.fixture
def given() -> pd.DataFrame:
    """A matrix, as the simulation would estimate it, in which intervene leads at the default weights
    (0.25, 0.25, 0.5): wait 0.6, intervene 0.7, mediate 0.55; mediate leads when cost weighs little."""
    return pd.DataFrame([[0.6, 0.6, 0.6], [0.7, 0.7, 0.7], [0.9, 0.9, 0.2]], index=OPTIONS, columns=CRITERIA)


def test_default_matrix_is_the_deterministic_tables(arrays):
    values = value_matrix(arrays)
    assert_allclose(values, expected_value_matrix(arrays))
    table = score(arrays).table
    assert_allclose(values @ arrays.weights, table.loc[OPTIONS, "expected_value"], rtol=0, atol=1e-14)


def test_a_frame_is_aligned_by_option_and_criterion_ids(arrays, given):
    shuffled = given.loc[["mediate", "wait", "intervene"], ["cost", "armed_groups", "territory"]]
    assert_allclose(value_matrix(arrays, shuffled), given.to_numpy())
    assert_allclose(value_matrix(arrays, given.to_numpy()), given.to_numpy())


def test_the_analyses_use_the_given_matrix(arrays, given):
    sweeps = weight_sweeps(arrays, matrix=given)
    cost = next(s for s in sweeps if s.node == "cost")
    assert cost.option_ids[cost.result.current_leader] == "intervene"
    assert_allclose(cost.lines()["intercept"] + cost.lines()["slope"] * 0.5, given.to_numpy() @ arrays.weights)
    crossings = crossover_table(sweeps)
    row = crossings[(crossings["weight"] == "cost") & crossings["nearest"]]
    # intervene 0.7 vs mediate 0.9 - 0.7 t (cost weight t): they cross at t = 2/7.
    assert row["crossover"].tolist() == pytest.approx([2 / 7])
    assert row["new_leader"].tolist() == ["mediate"]

    least = least_change_table(arrays, matrix=given)
    assert least.loc["intervene", "l1"] == pytest.approx(0.0, abs=1e-9)
    assert not least.loc["wait", "can_lead"]  # 0.6 everywhere, below intervene's 0.7 everywhere

    potential = potential_optimality_table(arrays, matrix=given)
    assert potential.loc["intervene", "potentially_optimal"]
    assert not potential.loc["wait", "potentially_optimal"]

    dominance = dominance_table(arrays, matrix=given)
    assert ("intervene", "wait") in set(map(tuple, dominance[["option", "dominates"]].to_numpy()))

    # The deterministic table ranks mediate first: without the matrix the answers differ.
    assert least_change_table(arrays).loc["mediate", "l1"] == pytest.approx(0.0, abs=1e-9)


def test_the_simulations_matrix_gives_the_simulations_means(arrays):
    # With the default weights fixed, the simulation's mean of each option is value_matrix @ w.
    result = simulate(arrays, 20_000, rng=3)
    values = value_matrix(arrays, result.value_matrix)
    means = result.summary.loc[list(arrays.option_ids), "mean"].to_numpy()
    assert_allclose(values @ arrays.weights, means, rtol=0, atol=1e-12)
    least = least_change_table(arrays, matrix=result.value_matrix)
    leader = result.summary["mean"].idxmax()
    assert least.loc[leader, "l1"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("matrix", "error", "words"), [
    (np.zeros((2, 3)), ValueError, "matrix must be (n_options, n_criteria) = (3, 3)"),
    (pd.DataFrame(np.zeros((2, 3)), index=["wait", "mediate"], columns=CRITERIA), DecideError, "missing: intervene"),
    (pd.DataFrame(np.zeros((3, 3)), index=["wait", "intervene", "strike"], columns=CRITERIA), DecideError,
     "unknown: strike"),
    (np.full((3, 3), np.nan), ValueError, "matrix must be finite"),
    ("simulation", TypeError, "matrix must be a DataFrame"),
])
def test_bad_matrices_are_refused(arrays, matrix, error, words):
    with pytest.raises(error) as info:
        least_change_table(arrays, matrix=matrix)
    assert words in str(info.value)
