"""decide.load: every mistake in a case file is reported at once, with file, line and field path.

Each mutation edits the minimal case's YAML text; the expected line is found by content in the
text that was written (``line_of``), so each assertion names the exact file:line:path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import decide
from decide.errors import CaseError, DecideError, Problem
from decide.load import load_case, parse_case, parse_yaml_text, read_yaml
from decide.spec import Case, IntervalProbability, PertScore, PointScore

# A mutation: text replacements on the minimal case, then the problems expected, each as
# (text on the reported line [, which occurrence], field path, words the message must contain).
MISTAKES = [
    # --- unknown or duplicate ids
    pytest.param(
        [("  - id: mediate", "  - id: wait")],
        [(("id: wait", 2), "options[2].id", "duplicate option id 'wait' (also at options[0]); ids must be unique"),
         ("  - option: mediate", "enablers[0].option", "unknown option 'mediate'; known: wait, intervene")],
        id="duplicate-option-id"),
    pytest.param(
        [("  - id: consent", "  - id: backing")],
        [("requires: [backing", "options[1].requires[1]", "requires unknown precondition 'consent'; known: backing"),
         (("id: backing", 2), "preconditions[1].id", "duplicate precondition id 'backing' (also at preconditions[0])"),
         ("between: [backing, consent]", "correlations[0].between", "unknown precondition 'consent'; known: backing")],
        id="duplicate-precondition-id"),
    pytest.param(
        [("    - id: hawk", "    - id: neutral")],
        [(("id: neutral", 2), "weights.profiles[1].id", "duplicate weight profile id 'neutral'")],
        id="duplicate-profile-id"),
    pytest.param(
        [("  - id: mediate", "  - id: 3mediate")],
        [("id: 3mediate", "options[2].id", "'3mediate' is not a valid id: start with a letter"),
         ("  - option: mediate", "enablers[0].option", "unknown option 'mediate'")],
        id="invalid-id"),
    pytest.param(
        [("requires: [backing,", "requires: [backup,")],
        [("requires: [backup", "options[1].requires[0]",
          "requires unknown precondition 'backup'; known: backing, consent")],
        id="unknown-precondition"),
    pytest.param(
        [("    name: Mediation\n", "    name: Mediation\n    depends_on: [wiat]\n")],
        [("depends_on: [wiat]", "options[2].depends_on[0]", "unknown option 'wiat'; known: wait, intervene, mediate")],
        id="unknown-option-in-depends_on"),
    pytest.param(
        [("  - option: mediate", "  - option: mediation")],
        [("  - option: mediation", "enablers[0].option",
          "unknown option 'mediation'; known: wait, intervene, mediate")],
        id="unknown-option-in-enabler"),
    pytest.param(
        [("      cost: 7\n", "      cost: 7\n      costs: 7\n")],
        [("costs: 7", "options[1].scores.costs",
          "'costs' is not a criterion; score leaf criteria: armed_groups, territory, cost")],
        id="unknown-criterion-in-scores"),
    pytest.param(
        [("      cost: 0\n", "      cost: 0\n      security: 5\n")],
        [("security: 5", "options[0].scores.security", "'security' is a group, not a leaf criterion")],
        id="group-scored"),
    pytest.param(
        [("weights: {security: 1, cost: 1}", "weights: {security: 1, costs: 1}")],
        [("costs: 1", "weights.profiles[0].weights.costs", "unknown criterion 'costs'"),
         ("costs: 1", "weights.profiles[0].weights", "weights given for some of the top-level criteria but not for cost")],
        id="unknown-criterion-in-profile"),
    pytest.param(
        [("uses: {money: 3}", "uses: {cash: 3}")],
        [("uses: {cash: 3}", "options[1].uses.cash", "unknown resource 'cash'; declare it under resources")],
        id="unknown-resource"),
    pytest.param(
        [("  default: neutral", "  default: dove")],
        [("default: dove", "weights.default", "default profile 'dove' is not among the profiles: neutral, hawk")],
        id="unknown-default-profile"),
    pytest.param(
        [("{greater: armed_groups, lesser: cost}", "{greater: armed_groups, lesser: costs}")],
        [("lesser: costs", "weights.imprecise[1]", "unknown criterion 'costs'")],
        id="unknown-criterion-in-imprecise"),
    pytest.param(
        [("section: Summary, rationale", "section: Sumary, rationale")],
        [("section: Sumary", "options[0].scores.armed_groups.evidence.section",
          "section 'Sumary' is not among the source's sections (source.sections); cite a declared heading")],
        id="evidence-cites-undeclared-section"),
    # --- wrong types and unknown fields
    pytest.param(
        [("      cost: 7\n", "      cost: seven\n")],
        [("cost: seven", "options[1].scores.cost",
          "must be a number or a distribution with a 'kind' (point, triangular, pert, uniform, truncnormal, "
          "discrete, lognormal), not 'seven'")],
        id="text-for-score"),
    pytest.param(
        [("probability: {alpha: 6, beta: 4}", "probability: likely")],
        [("probability: likely", "preconditions[1].probability",
          "must be a probability: a number from 0 to 1, {low, high} or {alpha, beta}; not 'likely'")],
        id="text-for-probability"),
    pytest.param(
        [("    baseline: true", "    baseline: maybe")],
        [("baseline: maybe", "options[0].baseline", "must be true or false, not 'maybe'")],
        id="text-for-bool"),
    pytest.param(
        [("scale: {low: 0, high: 10, low_means: negligible", "scale: {low: zero, high: 10, low_means: negligible")],
        [("low: zero", "criteria.criteria[1].scale.low", "must be a number, not 'zero'")],
        id="text-for-number"),
    pytest.param(
        [("requires: [backing, {precondition: consent, soft: true, penalty: 0.1}]", "requires: {backing: yes}")],
        [("requires: {backing: yes}", "options[1].requires", "must be a list, not a mapping")],
        id="mapping-for-list"),
    pytest.param(
        [("    name: Mediation\n", "    name: [Mediation]\n")],
        [("name: [Mediation]", "options[2].name", "must be text, not a list")],
        id="list-for-text"),
    pytest.param(
        [("{kind: triangular, low: 2, mode: 3, high: 6}", "{kind: gamma, low: 2, mode: 3, high: 6}")],
        [("kind: gamma", "options[1].scores.armed_groups", "unknown kind 'gamma'; valid kinds: 'point'")],
        id="unknown-distribution-kind"),
    pytest.param(
        [("    uses: {money: 1}", "    usse: {money: 1}")],
        [("usse:", "options[2].usse", "unknown field (check the spelling")],
        id="unknown-field"),
    pytest.param(
        [("    name: Wait and see\n", "")],
        [("  - id: wait", "options[0].name", "required field is missing")],
        id="missing-field"),
    pytest.param(
        [("          direction: lower_is_better", "          direction: down")],
        [("direction: down", "criteria.criteria[0].children[0].direction",
          "must be 'higher_is_better' or 'lower_is_better' (given: 'down')")],
        id="unknown-direction"),
    pytest.param(
        [("decide: 1", "decide: 2")],
        [("decide: 2", "decide", "unsupported format version 2; this version of decide reads 'decide: 1'")],
        id="format-version"),
    # --- NaN and infinity
    pytest.param(
        [("      cost: 7\n", "      cost: .nan\n")],
        [("cost: .nan", "options[1].scores.cost", "must be a finite number, not nan")],
        id="nan-score"),
    pytest.param(
        [("{kind: pert, low: 4, mode: 7, high: 9}", "{kind: pert, low: 4, mode: .NaN, high: 9}")],
        [("mode: .NaN", "options[1].scores.territory.mode", "must be a finite number, not nan")],
        id="nan-in-distribution"),
    pytest.param(
        [("rho: 0.4", "rho: .inf")],
        [("rho: .inf", "correlations[0].rho", "must be a finite number, not inf")],
        id="inf-correlation"),
    pytest.param(
        [("budget: 3.5", "budget: -.inf")],
        [("budget: -.inf", "resources[0].budget", "must be a finite number, not -inf")],
        id="minus-inf-budget"),
    pytest.param(
        [("{low: 0.3, high: 0.6}", "{low: .nan, high: 0.6}")],
        [("low: .nan", "preconditions[0].probability.low", "must be a finite number, not nan")],
        id="nan-probability"),
    pytest.param(
        [("      cost: 7\n", "      cost: " + "9" * 400 + "\n")],
        [("cost: 999", "options[1].scores.cost", "is too large to use: must be a finite number")],
        id="huge-number"),
    # --- probabilities outside [0, 1]
    pytest.param(
        [("probability: {alpha: 6, beta: 4}", "probability: 1.5")],
        [("probability: 1.5", "preconditions[1].probability", "must be at most 1 (given: 1.5)")],
        id="point-probability-above-one"),
    pytest.param(
        [("{low: 0.3, high: 0.6}", "{low: 0.3, high: 1.6}")],
        [("high: 1.6", "preconditions[0].probability.high", "must be at most 1 (given: 1.6)")],
        id="interval-probability-above-one"),
    pytest.param(
        [("{low: 0.3, high: 0.6}", "{low: -0.3, high: 0.6}")],
        [("low: -0.3", "preconditions[0].probability.low", "must be at least 0 (given: -0.3)")],
        id="negative-probability"),
    pytest.param(
        [("{low: 0.3, high: 0.6}", "{low: 0.6, high: 0.3}")],
        [("{low: 0.6, high: 0.3}", "preconditions[0].probability", "low (0.6) must not exceed high (0.3)")],
        id="interval-reversed"),
    pytest.param(
        [("probabilities: [0.5, 0.5]", "probabilities: [1.5, -0.5]")],
        [("probabilities: [1.5", "options[2].scores.territory.probabilities[0]", "must be at most 1 (given: 1.5)"),
         ("probabilities: [1.5", "options[2].scores.territory.probabilities[1]", "must be at least 0 (given: -0.5)")],
        id="discrete-probabilities-outside"),
    pytest.param(
        [("probabilities: [0.5, 0.5]", "probabilities: [0.5, 0.6]")],
        [("probabilities: [0.5, 0.6]", "options[2].scores.territory", "probabilities must sum to 1 (they sum to 1.1)")],
        id="discrete-probabilities-sum"),
    pytest.param(
        [("penalty: 0.1", "penalty: 2")],
        [("penalty: 2", "options[1].requires[1].penalty", "must be at most 1 (given: 2)")],
        id="penalty-above-one"),
    pytest.param(
        [("rho: 0.4", "rho: 1.4")],
        [("rho: 1.4", "correlations[0].rho", "must be at most 1 (given: 1.4)")],
        id="rho-above-one"),
    # --- low > mode > high
    pytest.param(
        [("{kind: triangular, low: 2, mode: 3, high: 6}", "{kind: triangular, low: 6, mode: 3, high: 2}")],
        [("kind: triangular", "options[1].scores.armed_groups",
          "need low <= mode <= high, got low=6.0, mode=3.0, high=2.0")],
        id="triangular-reversed"),
    pytest.param(
        [("{kind: pert, low: 4, mode: 7, high: 9}", "{kind: pert, low: 4, mode: 9.5, high: 9}")],
        [("kind: pert", "options[1].scores.territory", "need low <= mode <= high, got low=4.0, mode=9.5, high=9.0")],
        id="pert-mode-above-high"),
    pytest.param(
        [("{kind: uniform, low: 4, high: 7}", "{kind: uniform, low: 7, high: 4}")],
        [("kind: uniform", "options[2].scores.armed_groups", "low (7.0) must be below high (4.0)")],
        id="uniform-reversed"),
    pytest.param(
        [("sd: 1, low: 0, high: 5}", "sd: 0, low: 0, high: 5}")],
        [("kind: truncnormal", "options[2].scores.cost.sd", "must be greater than 0 (given: 0)")],
        id="truncnormal-zero-sd"),
    pytest.param(
        [("scale: {low: 0, high: 10, low_means: negligible", "scale: {low: 10, high: 0, low_means: negligible")],
        [("low_means: negligible", "criteria.criteria[1].scale", "scale low (10.0) must be below high (0.0)")],
        id="scale-reversed"),
    pytest.param(
        [("      cost: 7\n", "      cost: 12\n")],
        [("cost: 12", "options[1].scores.cost", "outcome range [12, 12] leaves the scale of 'cost' [0, 10]")],
        id="score-off-scale"),
    pytest.param(
        [("value_function: [[0, 0], [5, 0.7], [10, 1]]", "value_function: [[0, 0], [5, 0.7], [4, 1]]")],
        [("value_function:", "criteria.criteria[0].children[1].value_function",
          "value_function outcomes must strictly increase")],
        id="value-function-not-increasing"),
    # --- a score missing for an option x leaf criterion
    pytest.param(
        [("      cost: 7\n", "")],
        [(("    scores:", 2), "options[1].scores", "no score for criterion cost; every option scores every leaf")],
        id="missing-score"),
    pytest.param(
        [("      territory: {kind: discrete, values: [3, 5], probabilities: [0.5, 0.5]}\n", ""),
         ("      cost: {kind: truncnormal, mean: 2, sd: 1, low: 0, high: 5}\n", "")],
        [(("    scores:", 3), "options[2].scores", "no score for criteria territory, cost")],
        id="missing-scores"),
    # --- dependency cycles
    pytest.param(
        [("    baseline: true\n", "    baseline: true\n    depends_on: [mediate]\n"),
         ("    name: Mediation\n", "    name: Mediation\n    depends_on: [wait]\n")],
        [("depends_on: [wait]", "options[2].depends_on",
          "dependency cycle: wait -> mediate -> wait; depends_on must not loop")],
        id="cycle-of-two"),
    pytest.param(
        [("    baseline: true\n", "    baseline: true\n    depends_on: [intervene]\n"),
         ("    uses: {money: 3}\n", "    uses: {money: 3}\n    depends_on: [mediate]\n"),
         ("    name: Mediation\n", "    name: Mediation\n    depends_on: [wait]\n")],
        [("depends_on: [wait]", "options[2].depends_on", "dependency cycle: wait -> intervene -> mediate -> wait")],
        id="cycle-of-three"),
    pytest.param(
        [("    name: Mediation\n", "    name: Mediation\n    depends_on: [mediate]\n")],
        [("depends_on: [mediate]", "options[2].depends_on[0]", "an option cannot list itself in depends_on")],
        id="depends-on-itself"),
    pytest.param(
        [("    name: Mediation\n", "    name: Mediation\n    depends_on: [wait]\n    excludes: [wait]\n")],
        [("excludes: [wait]", "options[2].excludes", "'mediate' both depends on and excludes 'wait'")],
        id="depends-on-and-excludes"),
    # --- weights that cannot be normalised
    pytest.param(
        [("weights: {security: 1, cost: 1}", "weights: {security: 0, cost: 0}")],
        [("weights: {security: 0", "weights.profiles[0].weights",
          "weights of the top-level criteria are all zero: they cannot be normalised")],
        id="profile-weights-all-zero"),
    pytest.param(
        [("      weight: 2\n", "      weight: 0\n"), ("      name: Cost\n", "      name: Cost\n      weight: 0\n")],
        [("  criteria:", "criteria.criteria", "top-level criteria weights are all zero: they cannot be normalised")],
        id="tree-weights-all-zero"),
    pytest.param(
        [("weights: {security: 1, cost: 1}", "weights: {security: -1, cost: 1}")],
        [("security: -1", "weights.profiles[0].weights.security", "must be at least 0 (given: -1)")],
        id="negative-weight"),
    pytest.param(
        [("weights: {security: 100, cost: 20,", "weights: {security: 90, cost: 20,")],
        [("security: 90", "weights.profiles[1].weights",
          "swing weights of the top-level criteria must give 100 points to the most valued swing")],
        id="swing-without-100"),
    pytest.param(
        [("  - id: intervene\n", "  - id: intervene\n    excludes: [wait]\n"),
         ("    name: Mediation\n", "    name: Mediation\n    depends_on: [intervene, wait]\n")],
        [("depends_on: [intervene, wait]", "options[2].depends_on",
          "'mediate' needs both 'intervene' and 'wait' (through depends_on), but 'intervene' excludes it")],
        id="dependencies-that-exclude-each-other"),
    # --- correlations
    pytest.param(
        [("between: [backing, consent]", "between: [backing, backing]")],
        [("between: [backing, backing]", "correlations[0].between",
          "a precondition's correlation with itself is 1; name two different ones")],
        id="self-correlation"),
    # --- imprecise weights
    pytest.param(
        [("{node: security, low: 0.3, high: 0.8}", "{node: security, low: 0.3, high: 0.4}")],
        [("  imprecise:", "weights.imprecise",
          "the imprecise weight statements contradict each other: no weights satisfy them all")],
        id="contradictory-imprecise-weights"),
    pytest.param(
        [("{node: security, low: 0.3, high: 0.8}", "{node: security, low: 0.8, high: 0.3}")],
        [("{node: security, low: 0.8", "weights.imprecise[0]", "low (0.8) must not exceed high (0.3)")],
        id="imprecise-interval-reversed"),
    # --- enablers
    pytest.param(
        [("    add: 0.2\n", "    add: 0.2\n    to: 0.9\n")],
        [("  - option: mediate", "enablers[0]", "give exactly one effect: 'add' (-1..1), 'odds_ratio' (> 0) or "
                                               "'to' (0..1); found add, to")],
        id="enabler-two-effects"),
]


def _expected(text: str, path: Path, expected: list[tuple], line_of) -> list[tuple]:
    out = []
    for where, field, words in expected:
        needle, nth = where if isinstance(where, tuple) else (where, 1)
        out.append((str(path), line_of(text, needle, nth), field, words))
    return out


def _located(problems: list[Problem]) -> list[tuple]:
    return [(p.file, p.line, p.path, p.message) for p in problems]


@pytest.mark.parametrize(("replacements", "expected"), MISTAKES)
def test_each_mistake_is_located(mutate_case, line_of, replacements, expected):
    path, text = mutate_case(*replacements)
    with pytest.raises(CaseError) as info:
        load_case(path)
    got = _located(info.value.problems)
    want = _expected(text, path, expected, line_of)
    assert len(got) == len(want), "\n".join(map(str, info.value.problems))
    for (file, line, field, message), (w_file, w_line, w_field, words) in zip(
            sorted(got, key=lambda g: (g[1], g[2])), sorted(want, key=lambda w: (w[1], w[2]))):
        assert (file, line, field) == (w_file, w_line, w_field), message
        assert words in message


def test_valid_minimal_case_loads(minimal_case_path):
    case = load_case(minimal_case_path)
    assert isinstance(case, Case)
    assert [o.id for o in case.options] == ["wait", "intervene", "mediate"]
    assert case.options[0].scores["territory"] == PointScore(value=2)  # a bare number is a point score
    assert isinstance(case.options[1].scores["territory"], PertScore)
    assert case.options[1].scores["territory"].shape == 4.0
    assert case.options[1].requires[0].precondition == "backing" and not case.options[1].requires[0].soft
    assert case.options[1].requires[1].soft and case.options[1].requires[1].penalty == 0.1
    assert isinstance(case.preconditions[0].probability, IntervalProbability)
    assert case.criteria.criteria[1].direction.value == "lower_is_better"


def test_load_case_is_reexported_and_frozen(minimal_case_path):
    case = decide.load_case(minimal_case_path)
    with pytest.raises(Exception):
        case.title = "changed"  # type: ignore[misc]


def test_loading_never_changes_the_file(minimal_case_path, mutate_case):
    before = minimal_case_path.read_bytes()
    load_case(minimal_case_path)
    assert minimal_case_path.read_bytes() == before
    broken, _ = mutate_case(("      cost: 7\n", "      cost: .nan\n"))
    broken_bytes = broken.read_bytes()
    with pytest.raises(CaseError):
        load_case(broken)
    assert broken.read_bytes() == broken_bytes


def test_five_distinct_mistakes_give_five_located_problems(mutate_case, line_of):
    path, text = mutate_case(
        ("probabilities: [0.5, 0.5]", "probabilities: [0.5, 1.5]"),             # probability above 1
        ("{kind: triangular, low: 2, mode: 3, high: 6}",
         "{kind: triangular, low: 6, mode: 3, high: 2}"),                         # low > mode > high
        ("      cost: 0\n", ""),                                                  # missing score
        ("requires: [backing,", "requires: [backup,"),                            # unknown precondition
        ("rho: 0.4", "rho: .nan"),                                                # NaN
    )
    with pytest.raises(CaseError) as info:
        load_case(path)
    problems = info.value.problems
    assert len(problems) == 5, "\n".join(map(str, problems))
    f = str(path)
    assert sorted(_located(problems), key=lambda p: p[1]) == [
        (f, line_of(text, "    scores:"), "options[0].scores",
         "no score for criterion cost; every option scores every leaf criterion"),
        (f, line_of(text, "requires: [backup"), "options[1].requires[0]",
         "requires unknown precondition 'backup'; known: backing, consent"),
        (f, line_of(text, "kind: triangular"), "options[1].scores.armed_groups",
         "need low <= mode <= high, got low=6.0, mode=3.0, high=2.0"),
        (f, line_of(text, "probabilities: [0.5, 1.5]"), "options[2].scores.territory.probabilities[1]",
         "must be at most 1 (given: 1.5)"),
        (f, line_of(text, "rho: .nan"), "correlations[0].rho", "must be a finite number, not nan"),
    ]
    assert str(info.value).startswith("5 problems in case:\n")


def test_duplicate_yaml_key_is_reported_with_the_other_problems(mutate_case, line_of):
    path, text = mutate_case(("      territory: 2\n", "      territory: 2\n      territory: 3\n"),
                             ("rho: 0.4", "rho: 1.4"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert _located(info.value.problems) == [
        (str(path), line_of(text, "territory: 3"), "options[0].scores.territory",
         f"duplicate key 'territory' (first given on line {line_of(text, 'territory: 2')}); each key may appear once"),
        (str(path), line_of(text, "rho: 1.4"), "correlations[0].rho", "must be at most 1 (given: 1.4)"),
    ]


def test_duplicate_top_level_key(mutate_case, line_of):
    path, text = mutate_case(("title: Minimal test case\n", "title: Minimal test case\ntitle: Again\n"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (line_of(text, "title: Again"), "title")
    assert "duplicate key 'title' (first given on line 4)" in problem.message


def test_entry_removed_for_a_schema_error_does_not_shift_later_paths(mutate_case, line_of):
    """A broken option is set aside so the rest is still checked; later options keep their index."""
    path, text = mutate_case(("    name: Wait and see\n", "    name: ''\n"),
                             ("    name: Mediation\n", "    name: Mediation\n    depends_on: [wiat]\n"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert _located(info.value.problems) == [
        (str(path), line_of(text, "name: ''"), "options[0].name", "must not be empty"),
        (str(path), line_of(text, "depends_on: [wiat]"), "options[2].depends_on[0]",
         "unknown option 'wiat'; known: intervene, mediate"),
    ]


def test_problems_caused_by_a_broken_entry_are_not_repeated(mutate_case):
    # The baseline option is broken: the missing-baseline and unknown-option consequences stay quiet.
    path, _ = mutate_case(("    baseline: true", "    baseline: maybe"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert [p.path for p in info.value.problems] == ["options[0].baseline"]
    # A broken score is reported once, not again as "no score for criteria cost".
    path, _ = mutate_case(("      cost: 7\n", "      cost: [7]\n"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert [p.path for p in info.value.problems] == ["options[1].scores.cost"]


def test_broken_title_does_not_hide_cross_reference_problems(mutate_case, line_of):
    path, text = mutate_case(("title: Minimal test case", "title: ''"),
                             ("requires: [backing,", "requires: [backup,"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert [(p.line, p.path) for p in info.value.problems] == [
        (line_of(text, "title: ''"), "title"), (line_of(text, "requires: [backup"), "options[1].requires[0]")]


def test_correlation_matrix_not_positive_semidefinite(mutate_case, line_of):
    # Every |rho| <= 1, but rho(a,b) = rho(a,c) = 0.9 with rho(b,c) = -0.9 is impossible:
    # the matrix [[1, .9, .9], [.9, 1, -.9], [.9, -.9, 1]] has eigenvalue 1 - 2(0.9) = -0.8.
    path, text = mutate_case(
        ("    probability: {alpha: 6, beta: 4}\n",
         "    probability: {alpha: 6, beta: 4}\n"
         "  - id: third\n    question: A third question?\n    probability: 0.5\n"),
        ("  - between: [backing, consent]\n    rho: 0.4\n",
         "  - between: [backing, consent]\n    rho: 0.9\n  - between: [backing, third]\n    rho: 0.9\n"
         "  - between: [consent, third]\n    rho: -0.9\n"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert _located(info.value.problems) == [(
        str(path), line_of(text, "correlations:"), "correlations",
        "the correlations do not form a valid correlation matrix (not positive semi-definite; smallest "
        "eigenvalue -0.8); weaken the correlations that contradict each other")]


AHP_PROFILE = """    - id: algiers
      name: Algiers
      method: ahp
      comparisons:
        - parent: root
          order: [security, cost]
          matrix: {matrix}
    - id: hawk"""


def test_ahp_matrix_not_reciprocal(mutate_case, line_of):
    path, text = mutate_case(("    - id: hawk", AHP_PROFILE.format(matrix="[[1, 3], [3, 1]]")))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert _located(info.value.problems) == [(
        str(path), line_of(text, "matrix: [[1, 3], [3, 1]]"), "weights.profiles[1].comparisons[0].matrix",
        "matrix must be reciprocal (a[j][i] = 1 / a[i][j], ones on the diagonal)")]


def test_ahp_matrix_wrong_shape_and_zero(mutate_case, line_of):
    path, text = mutate_case(("    - id: hawk", AHP_PROFILE.format(matrix="[[1, 3, 2], [0, 1]]")))
    with pytest.raises(CaseError) as info:
        load_case(path)
    line = line_of(text, "matrix: [[1, 3, 2]")
    assert _located(info.value.problems) == [
        (str(path), line, "weights.profiles[1].comparisons[0].matrix[1][0]", "must be greater than 0 (given: 0)")]
    path, text = mutate_case(("    - id: hawk", AHP_PROFILE.format(matrix="[[1, 3, 2], [0.33, 1]]")))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert _located(info.value.problems) == [
        (str(path), line, "weights.profiles[1].comparisons[0].matrix",
         "matrix must be 2 x 2 (one row and column per entry of order)")]


def test_valid_ahp_profile_loads(mutate_case):
    path, _ = mutate_case(("    - id: hawk", AHP_PROFILE.format(matrix="[[1, 3], [0.3333, 1]]")))
    case = load_case(path)
    assert [p.id for p in case.weights.profiles] == ["neutral", "algiers", "hawk"]


def test_fewer_than_two_options(mutate_case, minimal_text, line_of):
    start = minimal_text.index("  - id: intervene")
    end = minimal_text.index("preconditions:")
    path, text = mutate_case((minimal_text[start:end], ""), ("  - option: mediate", "  - option: wait"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert _located(info.value.problems) == [
        (str(path), line_of(text, "options:"), "options", "a decision needs at least two options; found 1")]
    path, text = mutate_case((minimal_text[minimal_text.index("  - id: wait"):end], ""),
                             ("options:\n", "options: []\n"), ("  - option: mediate", "  - option: wait"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    messages = [p.message for p in info.value.problems]
    assert "a decision needs at least two options; found 0" in messages


# --------------------------------------------------------------------------- YAML syntax


def test_yaml_syntax_error_names_where_the_construct_began(mutate_case, line_of):
    path, text = mutate_case(("rho: 0.4", "rho: [0.4"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.path) == (str(path), line_of(text, "enablers:"), "")
    assert problem.message == (f"YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow "
                               f"sequence, from line {line_of(text, 'rho: [0.4')})")


def test_yaml_tab_indent(mutate_case, line_of):
    path, text = mutate_case(("    rho: 0.4", "\trho: 0.4"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert problem.line == line_of(text, "\trho")
    assert problem.message.startswith("YAML syntax error: found character '\\t' that cannot start any token")


def test_yaml_bad_indentation(mutate_case, line_of):
    path, text = mutate_case(("    question: Would the government consent?",
                              "     question: Would the government consent?"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert problem.line == line_of(text, "     question: Would the government")
    assert problem.message.startswith("YAML syntax error:")


@pytest.mark.parametrize(("text", "line", "words"), [
    ("", None, "the file is empty; a case is a YAML mapping"),
    ("# only a comment\n", None, "the file is empty"),
    ("- a\n- b\n", 1, "a case is a YAML mapping (id, title, criteria, options, ...)"),
    ("just text\n", 1, "a case is a YAML mapping"),
    ("a: &x [*x]\n", 1, "this YAML alias refers to a node that contains it"),
    ("id: x\ntitle: !custom y\n", 2, "cannot read this value: could not determine a constructor for the tag "
                                     "'!custom'; write plain numbers, text, lists and mappings"),
    ("? [a, b]\n: c\n", 1, "keys must be plain text"),
    ("--- {}\n--- {}\n", 2, "YAML syntax error: found another document (expected a single document in "
                             "the stream, from line 1)"),
])
def test_not_a_case(write_case, text, line, words):
    path = write_case(text)
    with pytest.raises(CaseError) as info:
        load_case(path)
    found = [p for p in info.value.problems if words in p.message]
    assert found, info.value.problems
    assert (found[0].file, found[0].line) == (str(path), line)


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(CaseError) as info:
        load_case(missing)
    [problem] = info.value.problems
    assert problem.file == str(missing)
    assert problem.message.startswith("no such file; give a case file's path or a bundled case's name")
    with pytest.raises(CaseError) as info:
        load_case(tmp_path)
    assert "cannot read file" in info.value.problems[0].message


def test_file_that_is_not_utf8(write_case, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Bamako é".encode("latin-1"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert info.value.problems[0].message.startswith("cannot read file")


# --------------------------------------------------------------------------- criteria references


def test_criteria_from_a_file_beside_the_case(minimal_data, write_case, tmp_path):
    criteria = minimal_data["criteria"]
    write_case(criteria, name="small.yaml")
    minimal_data["criteria"] = "small.yaml"
    case = load_case(write_case(minimal_data))
    assert case.criteria.id == "small"


def test_problems_in_a_criteria_file_name_that_file(minimal_data, write_case, line_of):
    criteria = minimal_data["criteria"]
    criteria["criteria"][1]["direction"] = "sideways"
    criteria_path = write_case(criteria, name="small.yaml")
    minimal_data["criteria"] = "small.yaml"
    with pytest.raises(CaseError) as info:
        load_case(write_case(minimal_data))
    [problem] = info.value.problems
    text = criteria_path.read_text()
    assert (problem.file, problem.line, problem.path) == (
        str(criteria_path), line_of(text, "direction: sideways"), "criteria[1].direction")


def test_unknown_criteria_set(minimal_data, write_case, line_of):
    minimal_data["criteria"] = "no-such-set"
    path = write_case(minimal_data)
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (line_of(path.read_text(), "criteria: no-such-set"), "criteria")
    assert "unknown criteria set 'no-such-set': not a bundled set" in problem.message


def test_criteria_of_the_wrong_type(minimal_data, write_case):
    minimal_data["criteria"] = [1, 2]
    with pytest.raises(CaseError) as info:
        load_case(write_case(minimal_data))
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("criteria", "criteria must be a bundled set's name, a path or a mapping")]


def test_bundled_case_and_criteria_load():
    case = load_case("mali-2012")
    assert len(case.options) >= 2


# --------------------------------------------------------------------------- parse_case, read_yaml, errors


def test_parse_case_from_a_mapping(minimal_data):
    case = parse_case(minimal_data)
    assert case.id == "minimal"
    minimal_data["options"][0]["scores"]["cost"] = float("nan")
    with pytest.raises(CaseError) as info:
        parse_case(minimal_data)
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.path) == (None, None, "options[0].scores.cost")
    assert str(problem) == "<case>: options[0].scores.cost: must be a finite number, not nan"


def test_parse_case_does_not_change_the_mapping(minimal_data):
    import copy

    before = copy.deepcopy(minimal_data)
    parse_case(minimal_data)
    assert minimal_data == before
    minimal_data["options"][0]["name"] = ""
    broken = copy.deepcopy(minimal_data)
    with pytest.raises(CaseError):
        parse_case(minimal_data)
    assert minimal_data == broken


def test_read_yaml_records_lines(minimal_case_path, minimal_text, line_of):
    doc = read_yaml(minimal_case_path)
    assert doc.file == str(minimal_case_path)
    assert doc.data == yaml.safe_load(minimal_text)
    assert doc.lines[("options", 1, "scores", "cost")] == line_of(minimal_text, "cost: 7")
    assert doc.line_of(("options", 1, "scores", "cost", "no", "such")) == line_of(minimal_text, "cost: 7")
    assert doc.problems == ()


def test_parse_yaml_text_keeps_duplicate_keys_as_problems():
    doc = parse_yaml_text("a: 1\nb: 2\na: 3\n", file="x.yaml")
    assert doc.data == {"a": 1, "b": 2}
    assert [str(p) for p in doc.problems] == [
        "x.yaml:3: a: duplicate key 'a' (first given on line 1); each key may appear once"]


def test_case_error_is_a_value_error_with_exit_status_2():
    error = CaseError([Problem("bad", "options[0]", "c.yaml", 3), Problem("worse", "", "c.yaml")])
    assert isinstance(error, ValueError) and isinstance(error, DecideError)
    assert error.exit_code == 2
    assert str(error) == "2 problems in case:\n  c.yaml:3: options[0]: bad\n  c.yaml: worse"
    assert str(CaseError([Problem("bad")])) == "1 problem in case:\n  <case>: bad"
