"""Robust Portfolio Modelling core index: a hand-checked example, vertices, the Pareto filter."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from decide.compile import compile_case
from decide.errors import DecideError
from decide.load import parse_case
from decide.optimise.core_index import core_index, pareto_mask, weight_vertices

sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import random_case  # noqa: E402


def four_options(imprecise: list | None = None, all_harmful: bool = False) -> dict:
    """Baseline (0, 0); options A, B, C, D with point outcomes on two 0-10 criteria; budget 3."""
    crit = {"direction": "higher_is_better", "scale": {"low": 0, "high": 10, "low_means": "none", "high_means": "full"}}
    outcomes = {"A": (6, 0, 2), "B": (0, 6, 2), "C": (2, 2, 1), "D": (1, 0, 1)}
    options = [{"id": "nothing", "name": "Nothing", "baseline": True,
                "scores": {"c1": 7 if all_harmful else 0, "c2": 7 if all_harmful else 0}}]
    for name, (c1, c2, cost) in outcomes.items():
        options.append({"id": name, "name": name, "uses": {"money": cost}, "scores": {"c1": c1, "c2": c2}})
    case = {
        "decide": 1, "id": "rpm", "title": "RPM hand check",
        "criteria": {"id": "k", "name": "K", "criteria": [{"id": "c1", "name": "One", **crit},
                                                          {"id": "c2", "name": "Two", **crit}]},
        "options": options,
        "resources": [{"id": "money", "name": "Money", "budget": 3}],
    }
    if imprecise:
        case["weights"] = {"imprecise": imprecise}
    return case


def test_hand_checked_example_whole_simplex():
    # Values are outcome / 10, changes from the baseline (0, 0):
    #   A (0.6, 0), B (0, 0.6), C (0.2, 0.2), D (0.1, 0); costs 2, 2, 1, 1; budget 3.
    # Feasible: {}, A, B, C, D, AC, AD, BC, BD, CD (AB costs 4).
    # Strategy values (c1, c2): AC (0.8, 0.2), BC (0.2, 0.8), AD (0.7, 0), BD (0.1, 0.6),
    #   CD (0.3, 0.2), A (0.6, 0), B (0, 0.6), C (0.2, 0.2), D (0.1, 0), {} (0, 0).
    # No imprecise statements: W is the simplex, its vertices (1, 0) and (0, 1), so the values at
    # the vertices are the pairs above. AC dominates A, C, D, AD, CD, {}; BC dominates B, BD.
    # AC and BC do not dominate each other: non-dominated = {AC, BC}.
    # Core index: C in both -> 1 (core); A, B in one of two -> 0.5 (borderline); D -> 0 (exterior).
    result = core_index(compile_case(parse_case(four_options())), n_scenarios=10, rng=0)
    assert set(result.strategies) == {("A", "C"), ("B", "C")}
    index = dict(zip(result.option_ids, result.core_index))
    assert index == pytest.approx({"A": 0.5, "B": 0.5, "C": 1.0, "D": 0.0})
    assert result.core == ("C",) and result.borderline == ("A", "B") and result.exterior == ("D",)
    assert result.whole_simplex and np.array_equal(result.vertices, np.eye(2))
    assert any("whole simplex" in note for note in result.notes)
    np.testing.assert_allclose(sorted(map(tuple, result.values)), [(0.2, 0.8), (0.8, 0.2)])


def test_hand_checked_example_with_an_ordering():
    # "c1 matters at least as much as c2": W = {w1 >= 1/2}, vertices (1, 0) and (1/2, 1/2).
    # At those vertices AC is worth (0.8, 0.5) and BC (0.2, 0.5): AC now dominates BC (equal at
    # (1/2, 1/2), better at (1, 0)), and every other strategy too (A (0.6, 0.3), C (0.2, 0.2),
    # CD (0.3, 0.25), AD (0.7, 0.35)). Non-dominated = {AC}: A and C core, B and D exterior.
    case = four_options(imprecise=[{"greater": "c1", "lesser": "c2"}])
    result = core_index(compile_case(parse_case(case)), n_scenarios=10, rng=0)
    np.testing.assert_allclose(sorted(map(tuple, result.vertices)), [(0.5, 0.5), (1.0, 0.0)])
    assert result.strategies == (("A", "C"),)
    assert result.core == ("A", "C") and result.exterior == ("B", "D") and not result.whole_simplex


def test_doing_nothing_can_be_the_only_non_dominated_strategy():
    # Baseline (7, 7): every option lowers both criteria, so adding options only loses value.
    # The filter must run over all feasible strategies, not only maximal ones: {} survives alone.
    result = core_index(compile_case(parse_case(four_options(all_harmful=True))), n_scenarios=10, rng=0)
    assert result.strategies == ((),)
    assert result.exterior == ("A", "B", "C", "D")
    frame = result.strategies_frame()
    assert frame.loc[0, "strategy"] == "(do nothing)"


def test_vertices_agree_with_linear_programs():
    rng = np.random.default_rng(0)
    for seed in range(4):
        arrays = compile_case(parse_case(random_case(4, seed, n_criteria=5)))
        vertices = weight_vertices(arrays.imprecise_a, arrays.imprecise_b)
        assert np.allclose(vertices.sum(axis=1), 1) and np.all(vertices >= -1e-12)
        assert np.all(vertices @ arrays.imprecise_a.T <= arrays.imprecise_b + 1e-9)
        for _ in range(20):
            d = rng.normal(size=5)
            lp = linprog(-d, A_ub=arrays.imprecise_a, b_ub=arrays.imprecise_b, A_eq=np.ones((1, 5)), b_eq=[1],
                         bounds=[(0, None)] * 5, method="highs")
            assert (vertices @ d).max() == pytest.approx(-lp.fun, abs=1e-9)


def test_degenerate_and_contradictory_weight_sets():
    # w1 fixed at 0.5 (an interval of zero width): W is a segment inside the 3-simplex.
    a = np.array([[1.0, 0, 0], [-1.0, 0, 0]])
    b = np.array([0.5, -0.5])
    vertices = weight_vertices(a, b)
    np.testing.assert_allclose(sorted(map(tuple, vertices)), [(0.5, 0.0, 0.5), (0.5, 0.5, 0.0)])
    with pytest.raises(DecideError, match="contradict"):
        weight_vertices(np.array([[1.0, 0, 0], [-1.0, 0, 0]]), np.array([0.2, -0.6]))


def test_pareto_mask_against_pairwise_check():
    rng = np.random.default_rng(1)
    values = np.round(rng.random((400, 3)), 1)  # many ties and duplicates
    mask = pareto_mask(values)
    for i in range(len(values)):
        dominated = np.any(np.all(values >= values[i], axis=1) & np.any(values > values[i], axis=1))
        assert mask[i] == (not dominated)


def test_core_index_of_a_random_case_is_consistent():
    arrays = compile_case(parse_case(random_case(10, 3)))
    result = core_index(arrays, n_scenarios=100, rng=4)
    assert 1 <= len(result.strategies) <= result.n_feasible
    frame = result.to_frame()
    assert set(frame["class"]) <= {"core", "borderline", "exterior"}
    counts = np.array([[o in s for o in result.option_ids] for s in result.strategies]).mean(axis=0)
    np.testing.assert_allclose(result.core_index, counts)
