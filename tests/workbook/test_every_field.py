"""Every field the case format has goes through a workbook and back, and the workbook's layout
keeps up with the format: a field added to decide.spec without a place in the workbook fails here."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

pytest.importorskip("openpyxl")

from decide import spec  # noqa: E402
from decide.load import parse_case  # noqa: E402
from decide.workbook import import_workbook, write_case_workbook  # noqa: E402

MINIMAL = Path(__file__).parents[1] / "data" / "minimal_case.yaml"

# Each schema type and the fields the workbook carries (decide/workbook/layout.py, read.py, write.py).
CARRIED = {
    spec.Evidence: {"section", "rationale", "assumption"},
    spec.Scale: {"low", "high", "low_means", "high_means", "unit"},
    spec.Criterion: {"id", "name", "description", "direction", "scale", "value_function", "weight"},
    spec.CriteriaGroup: {"id", "name", "description", "weight", "children"},
    spec.CriteriaSet: {"id", "name", "description", "criteria"},
    spec.PointScore: {"kind", "value", "evidence"},
    spec.TriangularScore: {"kind", "low", "mode", "high", "evidence"},
    spec.PertScore: {"kind", "low", "mode", "high", "shape", "evidence"},
    spec.UniformScore: {"kind", "low", "high", "evidence"},
    spec.TruncNormalScore: {"kind", "mean", "sd", "low", "high", "evidence"},
    spec.LogNormalScore: {"kind", "mu", "sigma", "low", "high", "evidence"},
    spec.DiscreteScore: {"kind", "values", "probabilities", "evidence"},
    spec.Requirement: {"precondition", "soft", "consequence", "penalty", "evidence"},
    spec.Stage: {"id", "name", "requires", "failure", "evidence"},
    spec.Option: {"id", "name", "description", "actors", "baseline", "requires", "depends_on", "excludes", "uses",
                  "scores", "failure", "stages"},
    spec.PointProbability: {"kind", "value"},
    spec.IntervalProbability: {"kind", "low", "high"},
    spec.BetaProbability: {"kind", "alpha", "beta"},
    spec.Precondition: {"id", "question", "probability", "evidence"},
    spec.Correlation: {"between", "rho", "evidence"},
    spec.Enabler: {"option", "precondition", "add", "odds_ratio", "to", "evidence"},
    spec.Resource: {"id", "name", "unit", "budget"},
    spec.WeightEntry: {"value", "evidence"},
    spec.PairwiseComparison: {"parent", "order", "matrix", "evidence"},
    spec.WeightProfile: {"id", "name", "stakeholder", "method", "weights", "comparisons", "evidence"},
    spec.WeightInterval: {"node", "low", "high", "evidence"},
    spec.WeightOrder: {"greater", "lesser", "evidence"},
    spec.Weights: {"default", "profiles", "imprecise"},
    spec.Claim: {"better", "than", "precondition_matters"},
    spec.Finding: {"id", "statement", "claims", "evidence"},
    spec.NamedStrategy: {"id", "name", "options", "description"},
    spec.Source: {"title", "author", "publisher", "date", "description", "sections"},
    spec.CommonMode: {"criteria", "rho", "evidence"},
    spec.Case: {"decide", "id", "title", "description", "source", "criteria", "options", "preconditions",
                "correlations", "common_mode", "enablers", "resources", "weights", "findings", "strategies"},
}


def test_the_workbook_carries_every_field_of_the_case_format():
    schema_types = {obj for obj in vars(spec).values()
                    if isinstance(obj, type) and issubclass(obj, spec.Frozen) and obj is not spec.Frozen}
    missing_types = schema_types - set(CARRIED)
    assert not missing_types, f"schema types the workbook does not know: {sorted(t.__name__ for t in missing_types)}"
    for kind, fields in CARRIED.items():
        new = set(kind.model_fields) - fields
        assert not new, (f"{kind.__name__} has fields the workbook does not carry: {sorted(new)}; "
                         "add them to decide/workbook (layout, read, write) and to this list")


def every_field_case() -> spec.Case:
    """The minimal case with every kind of score, probability, requirement, enabler, profile and statement."""
    data = copy.deepcopy(yaml.safe_load(MINIMAL.read_text(encoding="utf-8")))
    data["description"] = "Line one.\nLine two; with a semicolon, and a comma."
    data["source"].update(author="A. Author", publisher="P", date="May 2020", description="About it")
    opts = {o["id"]: o for o in data["options"]}
    opts["wait"]["actors"] = ["nobody; really", "still nobody"]
    opts["mediate"]["actors"] = ["UN", "AU"]
    opts["mediate"]["excludes"] = ["intervene"]
    opts["mediate"]["scores"]["armed_groups"] = {"kind": "lognormal", "mu": 1.2, "sigma": 0.4, "low": 0, "high": 10,
                                                 "evidence": {"section": "Options", "rationale": "r", "assumption": True}}
    opts["mediate"]["requires"] = [{"precondition": "consent", "soft": True, "consequence": {"cost": 0.2, "territory": 0.05},
                                    "evidence": {"section": "Summary", "rationale": "why"}}]
    opts["intervene"]["failure"]["territory"] = {"kind": "uniform", "low": 0.5, "high": 2.25}
    data["options"].append({
        "id": "staged", "name": "Staged", "depends_on": ["mediate"], "uses": {"money": 0.25},
        "requires": [{"precondition": "backing", "soft": True, "penalty": 0.05}],
        "stages": [{"id": "launch", "name": "Launched", "requires": ["consent"],
                    "evidence": {"section": "Options", "rationale": "first"}},
                   {"id": "field", "requires": ["backing2"],
                    "failure": {"cost": {"kind": "truncnormal", "mean": 6, "sd": 1.5, "low": 0, "high": 10}}}],
        "scores": {"armed_groups": 3.125, "territory": {"kind": "pert", "low": 1, "mode": 2, "high": 9, "shape": 2.5},
                   "cost": {"kind": "discrete", "values": [1, 2.5, 3], "probabilities": [0.25, 0.5, 0.25]}},
    })
    data["preconditions"].append({"id": "backing2", "question": "Again?", "probability": 0.35,
                                  "evidence": {"section": "Summary", "rationale": "point"}})
    data["enablers"] += [{"option": "staged", "precondition": "backing2", "to": 0.9},
                         {"option": "intervene", "precondition": "consent", "odds_ratio": 1.5}]
    data["common_mode"] = [{"criteria": ["security", "cost"], "rho": 0.3}]
    data["resources"].append({"id": "troops", "name": "Troops"})
    data["weights"]["profiles"].append({
        "id": "ahp", "name": "AHP", "stakeholder": "Them", "method": "ahp",
        "comparisons": [{"parent": "root", "order": ["security", "cost"], "matrix": [[1, 3], [1 / 3, 1]]},
                        {"parent": "security", "order": ["armed_groups", "territory"], "matrix": [[1, 0.5], [2, 1]],
                         "evidence": {"section": "Summary", "rationale": "c"}}]})
    data["weights"]["profiles"][0]["weights"]["cost"] = {"value": 1.5, "evidence": {"section": "Summary", "rationale": "w"}}
    data["weights"]["imprecise"].append({"node": "cost", "high": 0.7})
    data["findings"] = [{"id": "f1", "statement": "Mediation beats waiting.",
                         "claims": [{"better": "mediate", "than": "wait"}, {"precondition_matters": "backing"}]}]
    data["strategies"] = [{"id": "both", "name": "Both", "options": ["mediate", "staged"], "description": "d"}]
    return parse_case(data)


def test_every_field_round_trips(tmp_path):
    case = every_field_case()
    imported, _ = import_workbook(write_case_workbook(case, tmp_path / "all.xlsx"))
    assert imported.model_dump() == case.model_dump()
