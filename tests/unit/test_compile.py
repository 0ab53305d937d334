"""decide.compile: a validated case as arrays — ids, global weights, value functions, distributions.

Expected numbers are worked out by hand from tests/data/minimal_case.yaml in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from decide.compile import (
    ENABLER_ADD,
    ENABLER_ODDS,
    ENABLER_TO,
    KIND_CODES,
    apply_enablers,
    compile_case,
    tree_leaf_weights,
)
from decide.errors import DecideError
from decide.load import load_case, parse_case
from decide.structure import imprecise_constraints


def truncnormal_mean(mean: float, sd: float, low: float, high: float) -> float:
    """Mean of a normal truncated to [low, high]: mean + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a))."""
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    a, b = (low - mean) / sd, (high - mean) / sd
    return mean + sd * (pdf(a) - pdf(b)) / (cdf(b) - cdf(a))


# mediate's cost: truncnormal(mean 2, sd 1) on [0, 5]: a = -2, b = 3,
# 2 + (0.053991 - 0.004432) / (0.998650 - 0.022750) = 2.050783
MEDIATE_COST = truncnormal_mean(2, 1, 0, 5)


@pytest.fixture
def arrays(minimal_case_path):
    return compile_case(load_case(minimal_case_path))


def test_truncnormal_mean_by_hand():
    assert MEDIATE_COST == pytest.approx(2.050783, abs=1e-6)


def test_ids_in_file_order(arrays):
    assert arrays.option_ids == ("wait", "intervene", "mediate")
    assert arrays.option_names == ("Wait and see", "Military intervention", "Mediation")
    assert arrays.criterion_ids == ("armed_groups", "territory", "cost")  # leaves, depth first
    assert arrays.precondition_ids == ("backing", "consent")
    assert arrays.resource_ids == ("money",)
    assert arrays.profile_ids == ("neutral", "hawk")
    assert arrays.group_ids == ("security",)
    assert (arrays.n_options, arrays.n_criteria, arrays.n_preconditions) == (3, 3, 2)
    assert {k: v.tolist() for k, v in arrays.node_leaves.items()} == {
        "security": [0, 1], "armed_groups": [0], "territory": [1], "cost": [2]}


def test_global_weights_are_products_down_the_tree(arrays):
    # neutral: security 1, cost 1 -> 1/2 each; security's children keep the tree's equal weights
    # -> armed_groups = territory = 1/2 * 1/2 = 0.25, cost = 0.5.
    assert arrays.default_profile == "neutral"
    assert_allclose(arrays.weights, [0.25, 0.25, 0.5])
    # hawk (swing): root 100 : 20 -> 5/6, 1/6; security 100 : 60 -> 5/8, 3/8
    # -> armed_groups 5/6 * 5/8 = 25/48, territory 5/6 * 3/8 = 15/48, cost 1/6.
    assert_allclose(arrays.profile_weights, [[0.25, 0.25, 0.5], [25 / 48, 15 / 48, 1 / 6]])
    assert_allclose(arrays.profile_weights.sum(axis=1), 1.0)


def test_tree_weights_without_profiles(minimal_data):
    # The tree itself: security weight 2, cost 1 -> 2/3, 1/3; security's leaves 1 : 1 -> 1/3 each.
    minimal_data["weights"] = {}
    arrays = compile_case(parse_case(minimal_data))
    assert arrays.default_profile is None and arrays.profile_ids == ()
    assert_allclose(arrays.weights, [1 / 3, 1 / 3, 1 / 3])
    assert arrays.profile_weights.shape == (0, 3)
    case = parse_case(minimal_data)
    assert_allclose(tree_leaf_weights(case, {"security": 1, "armed_groups": 3}), [0.375, 0.125, 0.5])


def test_default_profile_is_the_first_when_not_named(minimal_data):
    del minimal_data["weights"]["default"]
    minimal_data["weights"]["profiles"].reverse()
    arrays = compile_case(parse_case(minimal_data))
    assert arrays.default_profile == "hawk"
    assert_allclose(arrays.weights, [25 / 48, 15 / 48, 1 / 6])


def test_ahp_profile_weights_and_consistency(minimal_data):
    # [[1, 3], [1/3, 1]]: principal eigenvector (3, 1) / 4 -> security 0.75, cost 0.25; consistent (CR 0).
    minimal_data["weights"]["profiles"].append({
        "id": "algiers", "name": "Algiers", "method": "ahp",
        "comparisons": [{"parent": "root", "order": ["security", "cost"], "matrix": [[1, 3], [1 / 3, 1]]}]})
    arrays = compile_case(parse_case(minimal_data))
    assert_allclose(arrays.profile_weights[2], [0.375, 0.375, 0.25])
    assert arrays.consistency["algiers"]["root"] == pytest.approx(0.0, abs=1e-9)


def test_value_functions_padded_by_repetition(arrays):
    # armed_groups and cost: lower is better, linear -> (0, 1), (10, 0); territory: its own points.
    assert_allclose(arrays.value_x, [[0, 10, 10], [0, 5, 10], [0, 10, 10]])
    assert_allclose(arrays.value_v, [[1, 0, 0], [0, 0.7, 1], [1, 0, 0]])
    assert_allclose(arrays.scale_low, [0, 0, 0])
    assert_allclose(arrays.scale_high, [10, 10, 10])


def test_score_distributions_and_central_values(arrays):
    k = KIND_CODES
    assert_array_equal(arrays.scores.kind, [[k["point"]] * 3,
                                            [k["triangular"], k["pert"], k["point"]],
                                            [k["uniform"], k["discrete"], k["truncnormal"]]])
    # Central values: point; mode of triangular (3) and PERT (7); mean of uniform (4 + 7) / 2 = 5.5,
    # of discrete 0.5 * 3 + 0.5 * 5 = 4 and of the truncated normal (2.0508).
    assert_allclose(arrays.scores.central, [[7, 2, 0], [3, 7, 7], [5.5, 4, MEDIATE_COST]])
    assert_allclose(arrays.scores.params[1, 1], [4, 7, 9, 4])  # PERT (low, mode, high, shape)
    assert_allclose(arrays.scores.params[2, 2], [0, 2, 5, 1])  # truncnormal (low, mean, high, sd)
    assert_allclose(arrays.scores.discrete_values[2, 1], [3, 5])
    assert_allclose(arrays.scores.discrete_probabilities[2, 1], [0.5, 0.5])
    assert_allclose(arrays.scores.discrete_probabilities[0, 0], [1, 0])  # padded with zero probability


def test_failure_fills_in_from_the_baseline(arrays):
    # intervene fails to armed_groups 8 and cost 8 as given; territory takes wait's (baseline) 2.
    # Options without a failure profile take the baseline's outcomes on every criterion.
    assert arrays.baseline == 0
    assert_allclose(arrays.failure.central, [[7, 2, 0], [8, 2, 8], [7, 2, 0]])


def test_preconditions_requirements_and_resources(arrays):
    # backing: interval [0.3, 0.6] -> midpoint 0.45; consent: Beta(6, 4) -> mean 6 / 10 = 0.6.
    assert_array_equal(arrays.probability_kind, [1, 2])
    assert_allclose(arrays.probability_params, [[0.3, 0.6], [6, 4]])
    assert_allclose(arrays.probability_central, [0.45, 0.6])
    assert_allclose(arrays.correlation, [[1, 0.4], [0.4, 1]])
    assert_array_equal(arrays.hard, [[False, False], [True, False], [False, False]])
    assert_allclose(arrays.soft_loss, [[[0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0.1, 0.1, 0.1]], [[0, 0, 0], [0, 0, 0]]])
    assert_array_equal(arrays.closure, np.eye(3, dtype=bool))
    assert not arrays.excludes.any()
    assert_array_equal(arrays.enabler_option, [2])
    assert_array_equal(arrays.enabler_precondition, [0])
    assert_array_equal(arrays.enabler_kind, [ENABLER_ADD])
    assert_allclose(arrays.enabler_amount, [0.2])
    assert_allclose(arrays.uses, [[0], [3], [1]])
    assert_allclose(arrays.budgets, [3.5])


def test_dependencies_widen_what_an_option_is_evaluated_with(minimal_data):
    minimal_data["options"][1]["depends_on"] = ["mediate"]
    minimal_data["options"][1]["excludes"] = ["wait"]
    minimal_data["resources"][0].pop("budget")
    arrays = compile_case(parse_case(minimal_data))
    assert_array_equal(arrays.closure, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    assert_array_equal(arrays.excludes, [[0, 1, 0], [1, 0, 0], [0, 0, 0]])  # symmetric
    assert_array_equal(arrays.eval_enablers, [[False], [True], [True]])  # mediate's enabler acts for intervene
    assert_array_equal(arrays.eval_hard, arrays.hard)
    assert arrays.budgets[0] == np.inf


def test_imprecise_statements_as_inequalities(arrays, minimal_case_path):
    # security in [0.3, 0.8]: w_ag + w_t <= 0.8 and -(w_ag + w_t) <= -0.3; armed_groups >= cost: w_c - w_ag <= 0.
    assert_allclose(arrays.imprecise_a, [[1, 1, 0], [-1, -1, 0], [-1, 0, 1]])
    assert_allclose(arrays.imprecise_b, [0.8, -0.3, 0])
    a, b = imprecise_constraints(load_case(minimal_case_path))
    assert_allclose(a, arrays.imprecise_a)
    assert_allclose(b, arrays.imprecise_b)
    assert np.all(arrays.imprecise_a @ [0.4, 0.2, 0.4] <= arrays.imprecise_b + 1e-12)  # admissible
    assert not np.all(arrays.imprecise_a @ arrays.weights <= arrays.imprecise_b)  # neutral puts cost above


def test_apply_enablers(arrays, minimal_data):
    base = np.array([0.45, 0.6])
    # add 0.2 when active, nothing otherwise.
    assert_allclose(apply_enablers(base, np.array([True]), arrays), [0.65, 0.6])
    assert_allclose(apply_enablers(base, np.array([False]), arrays), base)
    # broadcasting: (option, precondition) probabilities x (option, enabler) activity.
    out = apply_enablers(base[None, :], arrays.eval_enablers, arrays)
    assert_allclose(out, [[0.45, 0.6], [0.45, 0.6], [0.65, 0.6]])
    assert_allclose(apply_enablers(np.array([0.9, 0.6]), np.array([True]), arrays), [1.0, 0.6])  # clipped
    # odds ratio 2 on 0.45: odds 0.45 / 0.55 = 0.8182 -> 1.6364 -> p = 1.6364 / 2.6364 = 0.6207; p = 1 stays 1.
    minimal_data["enablers"] = [{"option": "mediate", "precondition": "backing", "odds_ratio": 2},
                                {"option": "wait", "precondition": "consent", "to": 0.25}]
    other = compile_case(parse_case(minimal_data))
    assert_array_equal(other.enabler_kind, [ENABLER_ODDS, ENABLER_TO])
    assert_allclose(apply_enablers(base, np.array([True, True]), other), [0.9 / 1.45, 0.25])
    assert_allclose(apply_enablers(np.array([1.0, 0.6]), np.array([True, False]), other), [1.0, 0.6])
    assert_allclose(base, [0.45, 0.6])  # the input is not changed


def test_compiling_does_not_change_the_case(minimal_case_path):
    case = load_case(minimal_case_path)
    before = case.model_dump()
    compile_case(case)
    assert case.model_dump() == before


def test_unknown_profile_is_a_decide_error(arrays):
    assert arrays.profile_index("hawk") == 1
    with pytest.raises(DecideError, match=r"unknown weight profile 'dove'; the case has: neutral, hawk"):
        arrays.profile_index("dove")
