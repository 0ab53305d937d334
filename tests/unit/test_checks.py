"""decide.checks: cross-reference problems of a schema-valid case, each with its field path.

These tests build cases from data (no file), so problems carry a path but no file or line; the
loader tests check that file and line are added.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from decide.checks import check_case
from decide.spec import Case, CriteriaGroup
from decide.structure import dependency_closure, iter_nodes, leaves


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in check_case(Case.model_validate(data))]


def option(data: dict[str, Any], option_id: str) -> dict[str, Any]:
    return next(o for o in data["options"] if o["id"] == option_id)


def test_minimal_case_has_no_problems(minimal_data):
    assert problems_of(minimal_data) == []


# --------------------------------------------------------------------------- tree helpers


def test_iter_nodes_gives_paths_and_parents(minimal_data):
    case = Case.model_validate(minimal_data)
    nodes = [(path, node.id, parent) for path, node, parent in iter_nodes(case.criteria.criteria)]
    assert nodes == [
        ("criteria.criteria[0]", "security", None),
        ("criteria.criteria[0].children[0]", "armed_groups", "security"),
        ("criteria.criteria[0].children[1]", "territory", "security"),
        ("criteria.criteria[1]", "cost", None),
    ]
    assert [c.id for c in leaves(case.criteria.criteria)] == ["armed_groups", "territory", "cost"]
    assert isinstance(case.criteria.criteria[0], CriteriaGroup)


def test_dependency_closure_is_transitive():
    closure = dependency_closure({"a": [], "b": ["a"], "c": ["b"], "d": ["c", "a"], "e": ["unknown"]})
    assert closure == {"a": {"a"}, "b": {"a", "b"}, "c": {"a", "b", "c"}, "d": {"a", "b", "c", "d"}, "e": {"e"}}


# --------------------------------------------------------------------------- options


def test_cycles_are_reported_with_the_loop(minimal_data):
    option(minimal_data, "wait")["depends_on"] = ["intervene"]
    option(minimal_data, "intervene")["depends_on"] = ["mediate"]
    option(minimal_data, "mediate")["depends_on"] = ["wait"]
    assert problems_of(minimal_data) == [
        ("options[2].depends_on", "dependency cycle: wait -> intervene -> mediate -> wait; depends_on must not loop")]


def test_a_chain_of_dependencies_is_fine(minimal_data):
    option(minimal_data, "mediate")["depends_on"] = ["intervene"]
    option(minimal_data, "intervene")["depends_on"] = ["wait"]
    assert problems_of(minimal_data) == []


def test_dependencies_that_exclude_each_other(minimal_data):
    option(minimal_data, "intervene")["excludes"] = ["wait"]
    option(minimal_data, "mediate")["depends_on"] = ["intervene", "wait"]
    assert problems_of(minimal_data) == [(
        "options[2].depends_on",
        "'mediate' needs both 'intervene' and 'wait' (through depends_on), but 'intervene' excludes it")]


def test_unknown_and_self_references(minimal_data):
    option(minimal_data, "mediate")["excludes"] = ["mediate", "nobody"]
    assert problems_of(minimal_data) == [
        ("options[2].excludes[0]", "an option cannot list itself in excludes"),
        ("options[2].excludes[1]", "unknown option 'nobody'; known: wait, intervene, mediate"),
    ]


def test_at_most_one_baseline(minimal_data):
    option(minimal_data, "mediate")["baseline"] = True
    assert problems_of(minimal_data) == [("options", "at most one option may be the baseline; found wait, mediate")]


def test_hard_requirement_without_failure_profile_or_baseline(minimal_data):
    option(minimal_data, "wait")["baseline"] = False
    assert problems_of(minimal_data) == [(
        "options[1].failure",
        "an option with hard requirements needs a failure profile for every criterion, or the case needs a "
        "baseline option (baseline: true) whose outcomes fill the gaps")]
    option(minimal_data, "intervene")["failure"]["territory"] = 3
    assert problems_of(minimal_data) == []


def test_distribution_off_the_scale(minimal_data):
    option(minimal_data, "mediate")["scores"]["armed_groups"] = {"kind": "uniform", "low": 4, "high": 12}
    option(minimal_data, "intervene")["failure"]["cost"] = {"kind": "discrete", "values": [-1, 3],
                                                             "probabilities": [0.5, 0.5]}
    assert problems_of(minimal_data) == [
        ("options[1].failure.cost", "outcome range [-1, 3] leaves the scale of 'cost' [0, 10]"),
        ("options[2].scores.armed_groups", "outcome range [4, 12] leaves the scale of 'armed_groups' [0, 10]"),
    ]


def test_failure_profile_of_an_unknown_criterion(minimal_data):
    option(minimal_data, "intervene")["failure"]["blowback"] = 3
    assert problems_of(minimal_data) == [(
        "options[1].failure.blowback",
        "'blowback' is not a criterion; score leaf criteria: armed_groups, territory, cost")]


def test_missing_scores_are_listed_per_option(minimal_data):
    del option(minimal_data, "wait")["scores"]["cost"]
    del option(minimal_data, "mediate")["scores"]["armed_groups"]
    assert problems_of(minimal_data) == [
        ("options[0].scores", "no score for criterion cost; every option scores every leaf criterion"),
        ("options[2].scores", "no score for criterion armed_groups; every option scores every leaf criterion"),
    ]


def test_too_few_options(minimal_data):
    minimal_data["options"] = minimal_data["options"][:1]
    minimal_data["enablers"] = []
    assert problems_of(minimal_data) == [("options", "a decision needs at least two options; found 1")]


# --------------------------------------------------------------------------- weights


def test_inner_group_weights_all_zero(minimal_data):
    for child in minimal_data["criteria"]["criteria"][0]["children"]:
        child["weight"] = 0
    assert problems_of(minimal_data) == [(
        "criteria.criteria[0].children",
        "weights of the children of 'security' are all zero: they cannot be normalised; give at least one a "
        "positive weight")]


def test_profile_must_give_all_siblings(minimal_data):
    minimal_data["weights"]["profiles"][0]["weights"] = {"security": 1, "cost": 1, "armed_groups": 2}
    assert problems_of(minimal_data) == [(
        "weights.profiles[0].weights",
        "weights given for some of the children of 'security' but not for territory; give all siblings or none")]


def test_ahp_comparisons_must_name_a_group_and_its_children(minimal_data):
    minimal_data["weights"]["profiles"].append({
        "id": "algiers", "name": "Algiers", "method": "ahp", "comparisons": [
            {"parent": "cost", "order": ["a", "b"], "matrix": [[1, 2], [0.5, 1]]},
            {"parent": "security", "order": ["armed_groups", "cost"], "matrix": [[1, 2], [0.5, 1]]},
            {"parent": "root", "order": ["security", "cost"], "matrix": [[1, 3], [0.3333, 1]]},  # reciprocal enough
            {"parent": "root", "order": ["security", "cost"], "matrix": [[2, 3], [0.3333, 2]]},
        ]})
    assert problems_of(minimal_data) == [
        ("weights.profiles[2].comparisons[0].parent",
         "'cost' is not a group; compare the children of a group or 'root' (groups: root, security)"),
        ("weights.profiles[2].comparisons[1].order",
         "order must list exactly the children of 'security': armed_groups, territory"),
        ("weights.profiles[2].comparisons[3].matrix",
         "matrix must be reciprocal (a[j][i] = 1 / a[i][j], ones on the diagonal)"),
    ]


@pytest.mark.parametrize(("statements", "feasible"), [
    ([{"node": "security", "low": 0.3, "high": 0.8}, {"greater": "armed_groups", "lesser": "cost"}], True),
    # security <= 0.4 means cost >= 0.6, yet armed_groups (part of security) >= cost.
    ([{"node": "security", "low": 0.3, "high": 0.4}, {"greater": "armed_groups", "lesser": "cost"}], False),
    ([{"node": "cost", "low": 0.7}, {"node": "security", "low": 0.4}], False),
    ([{"node": "cost", "low": 0.6}, {"node": "security", "low": 0.4}], True),  # exactly one point
    ([{"greater": "cost", "lesser": "security"}, {"greater": "security", "lesser": "cost"}], True),  # equal
])
def test_imprecise_statements_must_admit_some_weights(minimal_data, statements, feasible):
    minimal_data["weights"]["imprecise"] = statements
    expected = [] if feasible else [(
        "weights.imprecise",
        "the imprecise weight statements contradict each other: no weights satisfy them all")]
    assert problems_of(minimal_data) == expected


# --------------------------------------------------------------------------- preconditions


def three_preconditions(data: dict[str, Any], rhos: tuple[float, float, float]) -> dict[str, Any]:
    data["preconditions"].append({"id": "third", "question": "A third question?", "probability": 0.5})
    pairs = [["backing", "consent"], ["backing", "third"], ["consent", "third"]]
    data["correlations"] = [{"between": pair, "rho": rho} for pair, rho in zip(pairs, rhos)]
    return data


def test_correlations_that_are_not_a_correlation_matrix(minimal_data):
    three_preconditions(minimal_data, (0.9, 0.9, -0.9))
    matrix = np.array([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]])
    assert np.linalg.eigvalsh(matrix).min() == pytest.approx(-0.8)
    assert problems_of(minimal_data) == [(
        "correlations",
        "the correlations do not form a valid correlation matrix (not positive semi-definite; smallest eigenvalue "
        "-0.8); weaken the correlations that contradict each other")]


@pytest.mark.parametrize("rhos", [(0.9, 0.9, 0.9), (1.0, 1.0, 1.0), (0.5, -0.5, -0.25)])
def test_valid_correlation_matrices_pass(minimal_data, rhos):
    three_preconditions(minimal_data, rhos)
    assert problems_of(minimal_data) == []


def test_correlation_references(minimal_data):
    minimal_data["correlations"] = [
        {"between": ["backing", "nothing"], "rho": 0.1},
        {"between": ["consent", "consent"], "rho": 0.1},
        {"between": ["consent", "backing"], "rho": 0.2},
        {"between": ["backing", "consent"], "rho": 0.3},
    ]
    assert problems_of(minimal_data) == [
        ("correlations[0].between", "unknown precondition 'nothing'; known: backing, consent"),
        ("correlations[1].between", "a precondition's correlation with itself is 1; name two different ones"),
        ("correlations[3]", "correlation of backing and consent given twice (also correlations[2])"),
    ]


def test_enabler_references(minimal_data):
    minimal_data["enablers"].append({"option": "bribe", "precondition": "luck", "to": 0.9})
    assert problems_of(minimal_data) == [
        ("enablers[1].option", "unknown option 'bribe'; known: wait, intervene, mediate"),
        ("enablers[1].precondition", "unknown precondition 'luck'; known: backing, consent"),
    ]


def test_findings_refer_to_known_options_and_preconditions(minimal_data):
    minimal_data["findings"] = [{"id": "f1", "statement": "Mediation beats force.", "claims": [
        {"better": "mediate", "than": "force"}, {"precondition_matters": "luck"}]}]
    assert problems_of(minimal_data) == [
        ("findings[0].claims[0]", "unknown option 'force'; known: wait, intervene, mediate"),
        ("findings[0].claims[1]", "unknown precondition 'luck'; known: backing, consent"),
    ]


def test_every_problem_is_collected(minimal_data):
    option(minimal_data, "intervene")["requires"] = ["nothing"]
    option(minimal_data, "mediate")["uses"] = {"cash": 1}
    minimal_data["weights"]["default"] = "dove"
    minimal_data["correlations"][0]["between"] = ["backing", "nothing"]
    paths = [path for path, _ in problems_of(minimal_data)]
    assert paths == ["options[1].requires[0]", "options[2].uses.cash", "correlations[0].between", "weights.default"]


def test_evidence_must_cite_a_declared_section(minimal_data):
    minimal_data["preconditions"][0]["evidence"] = {"section": "Annex", "rationale": "a guess"}
    minimal_data["weights"]["profiles"][0]["weights"]["cost"] = {"value": 1, "evidence": {
        "section": "Options", "rationale": "as declared"}}
    assert problems_of(minimal_data) == [(
        "preconditions[0].evidence.section",
        "section 'Annex' is not among the source's sections (source.sections); cite a declared heading, spelled "
        "as declared")]
    del minimal_data["source"]  # nothing declared: nothing to check against
    assert problems_of(minimal_data) == []
