"""The bundled Mali 2012 case: complete, traceable to its source, and loadable.

Reads the raw YAML (so the checks do not depend on the engines) and, where the loader is present,
loads the case through it as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "cases" / "mali-2012.yaml"
CRITERIA = ROOT / "criteria" / "intervention.yaml"
BRIEF = ROOT.parent / "shared" / "brief" / "mali-crisis-brief.txt"

OPTION_IDS = [
    "status_quo", "ecowas_phase1", "ecowas_phase2", "ecowas_rushed", "us_drone_strikes",
    "algeria_mediation", "rebuild_malian_army", "algeria_border_security", "revive_cemoc",
    "eu_ransom_policy", "humanitarian_aid", "arm_local_militias",
]
PRECONDITION_IDS = [
    "ecowas_capable", "western_support", "algeria_backing", "stable_transition", "unsc_endorsement",
    "malian_consent", "troop_contributors", "ag_ghali_breaks", "algeria_beyond_nonintervention",
    "mnla_accepts_mediation",
]


@pytest.fixture(scope="module")
def case() -> dict:
    with CASE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def criteria() -> dict:
    with CRITERIA.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _leaves(nodes: list[dict]) -> list[dict]:
    out = []
    for node in nodes:
        out += _leaves(node["children"]) if "children" in node else [node]
    return out


def _groups(nodes: list[dict]) -> list[dict]:
    out = []
    for node in nodes:
        if "children" in node:
            out += [node] + _groups(node["children"])
    return out


def _evidenced(case: dict):
    """(where, evidence) for every number the case must justify."""
    for option in case["options"]:
        for table in ("scores", "failure"):
            for crit, score in (option.get(table) or {}).items():
                yield f"{option['id']}.{table}.{crit}", score.get("evidence") if isinstance(score, dict) else None
        for req in option.get("requires", []):
            if isinstance(req, dict):
                yield f"{option['id']}.requires.{req['precondition']}", req.get("evidence")
    for pre in case["preconditions"]:
        yield f"preconditions.{pre['id']}", pre.get("evidence")
    for i, enabler in enumerate(case.get("enablers", [])):
        yield f"enablers[{i}]", enabler.get("evidence")
    for i, corr in enumerate(case.get("correlations", [])):
        yield f"correlations[{i}]", corr.get("evidence")
    for profile in case["weights"]["profiles"]:
        yield f"weights.{profile['id']}", profile.get("evidence")
        for node, entry in profile.get("weights", {}).items():
            yield f"weights.{profile['id']}.{node}", entry.get("evidence") if isinstance(entry, dict) else None
    for i, statement in enumerate(case["weights"].get("imprecise", [])):
        yield f"weights.imprecise[{i}]", statement.get("evidence")


def test_case_names_the_bundled_criteria_set(case, criteria):
    assert case["criteria"] == "intervention" == criteria["id"]


def test_source_is_declared(case):
    source = case["source"]
    assert "Paranoid Neighbor" in source["title"]
    assert source["author"] == "Anouar Boukhars"
    assert "Carnegie" in source["publisher"]
    assert "2012" in source["date"]
    assert len(source["sections"]) >= 10
    assert len(set(source["sections"])) == len(source["sections"])


def test_required_options_and_preconditions_present(case):
    options = [o["id"] for o in case["options"]]
    preconditions = [q["id"] for q in case["preconditions"]]
    assert len(options) >= 12
    assert set(OPTION_IDS) <= set(options)
    assert set(PRECONDITION_IDS) <= set(preconditions)
    assert len(set(options)) == len(options) and len(set(preconditions)) == len(preconditions)


def test_status_quo_is_the_only_baseline(case):
    assert [o["id"] for o in case["options"] if o.get("baseline")] == ["status_quo"]


def test_phase_two_depends_on_phase_one_and_rushed_excludes_both(case):
    options = {o["id"]: o for o in case["options"]}
    assert options["ecowas_phase2"]["depends_on"] == ["ecowas_phase1"]
    assert {"ecowas_phase1", "ecowas_phase2"} <= set(options["ecowas_rushed"]["excludes"])


def test_conclusion_questions_are_hard_requirements_of_the_ecowas_interventions(case):
    options = {o["id"]: o for o in case["options"]}
    for oid in ("ecowas_phase2", "ecowas_rushed"):
        hard = {r["precondition"] for r in options[oid]["requires"]
                if isinstance(r, dict) and not r.get("soft")}
        assert {"ecowas_capable", "western_support", "algeria_backing"} <= hard


def test_every_option_scores_every_leaf_within_the_scale(case, criteria):
    leaves = {leaf["id"]: leaf["scale"] for leaf in _leaves(criteria["criteria"])}
    assert len(leaves) >= 8
    for option in case["options"]:
        assert set(option["scores"]) == set(leaves), option["id"]
        for table in ("scores", "failure"):
            for crit, score in (option.get(table) or {}).items():
                assert crit in leaves, (option["id"], table, crit)
                values = score.get("values") or [score.get(k) for k in ("value", "low", "mode", "high")
                                                 if score.get(k) is not None]
                scale = leaves[crit]
                assert all(scale["low"] <= v <= scale["high"] for v in values), (option["id"], crit)


def test_options_with_hard_requirements_have_failure_profiles(case):
    for option in case["options"]:
        hard = [r for r in option.get("requires", []) if isinstance(r, str) or not r.get("soft")]
        if hard:
            assert option.get("failure"), option["id"]


def test_criteria_set_is_generic_and_anchored(criteria):
    text = CRITERIA.read_text(encoding="utf-8").lower()
    for word in ("mali", "algeria", "ecowas", "aqim", "bamako", "tuareg"):
        assert word not in text
    for leaf in _leaves(criteria["criteria"]):
        assert leaf["scale"]["low"] == 0 and leaf["scale"]["high"] == 10
        assert leaf["scale"]["low_means"] and leaf["scale"]["high_means"]
        assert leaf["direction"] in ("higher_is_better", "lower_is_better")


def test_every_number_carries_evidence_from_a_declared_section(case):
    sections = set(case["source"]["sections"])
    seen = 0
    for where, evidence in _evidenced(case):
        assert isinstance(evidence, dict), f"{where}: no evidence"
        assert evidence.get("section") in sections, f"{where}: section {evidence.get('section')!r} not declared"
        rationale = evidence.get("rationale", "")
        assert rationale.strip() and "\n" not in rationale.strip(), f"{where}: rationale must be one line"
        seen += 1
    assert seen > 200


def test_weights_default_is_neutral_and_profiles_cover_stakeholders(case):
    weights = case["weights"]
    ids = [p["id"] for p in weights["profiles"]]
    assert weights["default"] == "neutral" and "neutral" in ids
    assert {"ecowas_hawks", "algiers", "washington", "bamako"} <= set(ids)
    assert weights.get("imprecise")


def test_resources_have_budgets_and_are_used(case):
    resources = {r["id"]: r for r in case["resources"]}
    assert {"money", "troops", "political_capital"} <= set(resources)
    assert all(r.get("budget") is not None for r in resources.values())
    used = {res for o in case["options"] for res in o.get("uses", {})}
    assert used <= set(resources)


def test_cross_references(case, criteria):
    options = {o["id"] for o in case["options"]}
    preconditions = {q["id"] for q in case["preconditions"]}
    nodes = {n["id"] for n in _leaves(criteria["criteria"]) + _groups(criteria["criteria"])}
    for option in case["options"]:
        for other in option.get("depends_on", []) + option.get("excludes", []):
            assert other in options
        for req in option.get("requires", []):
            assert (req if isinstance(req, str) else req["precondition"]) in preconditions
    for enabler in case.get("enablers", []):
        assert enabler["option"] in options and enabler["precondition"] in preconditions
    for corr in case.get("correlations", []):
        assert set(corr["between"]) <= preconditions
    for profile in case["weights"]["profiles"]:
        assert set(profile.get("weights", {})) <= nodes


def test_case_validates_against_the_schema(case, criteria):
    from decide.spec import Case

    raw = dict(case, criteria=criteria)
    assert len(Case.model_validate(raw).options) >= 12


def test_case_loads_through_the_loader():
    try:
        from decide.load import load_case
    except ImportError:  # pragma: no cover - the loader is written in parallel
        pytest.skip("decide.load not available")
    loaded = load_case(CASE)
    assert len(loaded.options) >= 12
    assert load_case("mali-2012").id == loaded.id


@pytest.mark.skipif(not BRIEF.exists(), reason="the source brief is not available (CI has no brief)")
def test_declared_headings_are_lines_of_the_brief(case):
    lines = {line.strip() for line in BRIEF.read_text(encoding="utf-8").splitlines()}
    missing = [h for h in case["source"]["sections"] if h not in lines]
    assert not missing, f"headings not found as lines of the brief: {missing}"
