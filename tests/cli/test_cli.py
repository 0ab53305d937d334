"""The ``decide`` command line through click's CliRunner: exit status, located messages, formats.

A user's mistake must give ``file:line: path: message`` lines and a non-zero exit status, never a
traceback; nothing the user wrote may change.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from decide import __version__
from decide.cli import cli
from decide.load import load_case
from decide.score import score


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def problem_lines(result: Result, path: Path) -> list[str]:
    """The located lines of a CaseError as printed (``file:line: path: message``)."""
    return [line.strip() for line in result.stderr.splitlines() if line.strip().startswith(f"{path}:")]


# --------------------------------------------------------------------------- validate


def test_validate_a_valid_case(minimal_case_path):
    result = run("validate", minimal_case_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (f"minimal ({minimal_case_path}): valid — 3 options, 3 criteria, "
                                             "2 preconditions, 2 weight profiles.")
    assert result.stderr == ""


def test_validate_reports_ahp_consistency(mutate_case):
    path, _ = mutate_case(("    - id: hawk", "    - id: algiers\n      name: Algiers\n      method: ahp\n"
                           "      comparisons:\n        - parent: root\n          order: [security, cost]\n"
                           "          matrix: [[1, 3], [0.3333, 1]]\n    - id: hawk"))
    result = run("validate", path)
    assert result.exit_code == 0
    assert "3 weight profiles" in result.stdout
    assert "  AHP profile algiers, group root: consistency ratio 0.000" in result.stdout


def test_five_distinct_mistakes_print_five_located_messages(mutate_case, line_of):
    path, text = mutate_case(
        ("{low: 0.3, high: 0.6}", "{low: 0.3, high: 1.6}"),
        ("{kind: triangular, low: 2, mode: 3, high: 6}", "{kind: triangular, low: 6, mode: 3, high: 2}"),
        ("      cost: 0\n", ""),
        ("  - option: mediate", "  - option: mediation"),
        ("rho: 0.4", "rho: .nan"),
    )
    result = run("validate", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "5 problems in case:"
    lines = problem_lines(result, path)
    assert lines == sorted(lines, key=lambda s: int(s.split(":")[1]))  # in line order, as a reader goes
    assert lines == [
        f"{path}:{line_of(text, '    scores:')}: options[0].scores: no score for criterion cost; every option "
        "scores every leaf criterion",
        f"{path}:{line_of(text, 'kind: triangular')}: options[1].scores.armed_groups: need low <= mode <= high, "
        "got low=6.0, mode=3.0, high=2.0",
        f"{path}:{line_of(text, 'high: 1.6')}: preconditions[0].probability.high: must be at most 1 (given: 1.6)",
        f"{path}:{line_of(text, 'rho: .nan')}: correlations[0].rho: must be a finite number, not nan",
        f"{path}:{line_of(text, 'option: mediation')}: enablers[0].option: unknown option 'mediation'; known: "
        "wait, intervene, mediate",
    ]
    assert len(result.stderr.splitlines()) == 6


# Each mistake the issue names, with the exact line `decide validate` prints for it:
# (replacements, text on the reported line [and which occurrence], "path: message").
CLI_MISTAKES = [
    pytest.param([("rho: 0.4", "rho: [0.4")], "enablers:",
                 "YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence, from line 64)",
                 id="yaml-syntax"),
    pytest.param([("      territory: 2\n", "      territory: 2\n      territory: 3\n")], "territory: 3",
                 "options[0].scores.territory: duplicate key 'territory' (first given on line 35); each key may "
                 "appear once", id="duplicate-yaml-key"),
    pytest.param([("  - id: mediate", "  - id: wait"), ("  - option: mediate", "  - option: wait")], ("id: wait", 2),
                 "options[2].id: duplicate option id 'wait' (also at options[0]); ids must be unique",
                 id="duplicate-id"),
    pytest.param([("requires: [backing,", "requires: [backup,")], "requires: [backup",
                 "options[1].requires[0]: requires unknown precondition 'backup'; known: backing, consent",
                 id="unknown-precondition"),
    pytest.param([("      cost: 7\n", "      cost: high\n")], "cost: high",
                 "options[1].scores.cost: must be a number or a distribution with a 'kind' (point, triangular, "
                 "pert, uniform, truncnormal, discrete, lognormal), not 'high'", id="wrong-type"),
    pytest.param([("      cost: 7\n", "      cost: .inf\n")], "cost: .inf",
                 "options[1].scores.cost: must be a finite number, not inf", id="infinity"),
    pytest.param([("probability: {alpha: 6, beta: 4}", "probability: -0.2")], "probability: -0.2",
                 "preconditions[1].probability: must be at least 0 (given: -0.2)", id="probability-below-zero"),
    pytest.param([("{kind: pert, low: 4, mode: 7, high: 9}", "{kind: pert, low: 9, mode: 7, high: 4}")], "kind: pert",
                 "options[1].scores.territory: need low <= mode <= high, got low=9.0, mode=7.0, high=4.0",
                 id="low-mode-high"),
    pytest.param([("      armed_groups: {kind: uniform, low: 4, high: 7}\n", "")], ("    scores:", 3),
                 "options[2].scores: no score for criterion armed_groups; every option scores every leaf criterion",
                 id="missing-score"),
    pytest.param([("    baseline: true\n", "    baseline: true\n    depends_on: [mediate]\n"),
                  ("    name: Mediation\n", "    name: Mediation\n    depends_on: [wait]\n")], "depends_on: [wait]",
                 "options[2].depends_on: dependency cycle: wait -> mediate -> wait; depends_on must not loop",
                 id="cycle"),
    pytest.param([("weights: {security: 1, cost: 1}", "weights: {security: 0, cost: 0}")], "security: 0, cost: 0",
                 "weights.profiles[0].weights: weights of the top-level criteria are all zero: they cannot be "
                 "normalised", id="weights-not-normalisable"),
    pytest.param([("{node: security, low: 0.3, high: 0.8}", "{node: security, low: 0.9, high: 1}"),
                  ("{greater: armed_groups, lesser: cost}", "{greater: cost, lesser: security}")], "  imprecise:",
                 "weights.imprecise: the imprecise weight statements contradict each other: no weights satisfy "
                 "them all", id="contradictory-imprecise-weights"),
]


@pytest.mark.parametrize(("replacements", "where", "message"), CLI_MISTAKES)
def test_validate_prints_file_line_path_message(mutate_case, line_of, replacements, where, message):
    path, text = mutate_case(*replacements)
    needle, nth = where if isinstance(where, tuple) else (where, 1)
    line = line_of(text, needle, nth)
    result = run("validate", path)
    assert result.exit_code == 2
    assert problem_lines(result, path) == [f"{path}:{line}: {message}"]
    assert result.stderr.startswith("1 problem in case:\n")


def test_ahp_and_correlation_messages(mutate_case, line_of):
    path, text = mutate_case(
        ("    - id: hawk", "    - id: algiers\n      name: Algiers\n      method: ahp\n      comparisons:\n"
                           "        - parent: root\n          order: [security, cost]\n"
                           "          matrix: [[1, 3], [3, 1]]\n    - id: hawk"),
        ("    probability: {alpha: 6, beta: 4}\n",
         "    probability: {alpha: 6, beta: 4}\n  - id: third\n    question: Third?\n    probability: 0.5\n"),
        ("  - between: [backing, consent]\n    rho: 0.4\n",
         "  - between: [backing, consent]\n    rho: 0.9\n  - between: [backing, third]\n    rho: 0.9\n"
         "  - between: [consent, third]\n    rho: -0.9\n"))
    result = run("validate", path)
    assert result.exit_code == 2
    assert problem_lines(result, path) == [
        f"{path}:{line_of(text, 'correlations:')}: correlations: the correlations do not form a valid correlation "
        "matrix (not positive semi-definite; smallest eigenvalue -0.8); weaken the correlations that contradict "
        "each other",
        f"{path}:{line_of(text, 'matrix: [[1, 3], [3, 1]]')}: weights.profiles[1].comparisons[0].matrix: matrix "
        "must be reciprocal (a[j][i] = 1 / a[i][j], ones on the diagonal)",
    ]


def test_fewer_than_two_options(mutate_case, minimal_text, line_of):
    start, end = minimal_text.index("  - id: intervene"), minimal_text.index("preconditions:")
    path, text = mutate_case((minimal_text[start:end], ""), ("  - option: mediate", "  - option: wait"))
    result = run("validate", path)
    assert result.exit_code == 2
    assert problem_lines(result, path) == [
        f"{path}:{line_of(text, 'options:')}: options: a decision needs at least two options; found 1"]


def test_missing_case_path(tmp_path):
    missing = tmp_path / "missing.yaml"
    for command in ("validate", "score"):
        result = run(command, missing)
        assert result.exit_code == 2
        assert f"Invalid value for 'CASE': '{missing}' is neither a file nor a bundled case (bundled: mali-2012)" \
            in result.stderr


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "a: [unclosed\n"])
def test_not_a_case_file(write_case, text):
    path = write_case(text)
    result = run("validate", path)
    assert result.exit_code == 2
    assert problem_lines(result, path)


def test_validate_and_score_change_nothing_the_user_wrote(minimal_case_path, mutate_case):
    broken, _ = mutate_case(("rho: 0.4", "rho: 1.4"))
    for path in (minimal_case_path, broken):
        before = path.read_bytes()
        siblings = sorted(p.name for p in path.parent.iterdir())
        for args in (["validate", path], ["score", path], ["score", path, "--format", "json"],
                     ["score", path, "--method", "topsis", "--format", "csv"]):
            run(*args)
        assert path.read_bytes() == before
        assert sorted(p.name for p in path.parent.iterdir()) == siblings  # nothing written beside it


# --------------------------------------------------------------------------- score


def test_score_reports_case_problems_like_validate(mutate_case, line_of):
    path, text = mutate_case(("rho: 0.4", "rho: 1.4"))
    result = run("score", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert problem_lines(result, path) == [
        f"{path}:{line_of(text, 'rho: 1.4')}: correlations[0].rho: must be at most 1 (given: 1.4)"]


def test_score_with_an_unknown_weight_profile(minimal_case_path):
    result = run("score", minimal_case_path, "--weights", "dove")
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown weight profile 'dove'; the case has: neutral, hawk\n"
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["--param", "v"], "Error: --param takes NAME=VALUE, got 'v'"),
    (["--param", "v=0.5"], "Error: method 'additive' takes no parameters; got v"),
    (["--method", "vikor", "--param", "v=1.5"], "Error: VIKOR v must be a number between 0 and 1; got 1.5"),
    (["--method", "wpm"], "Error: the weighted product needs every outcome positive"),
    (["--method", "wpm", "--param", "shift=one"], "Error: shift must be a number, e.g. --param shift=1; got 'one'"),
])
def test_score_parameter_mistakes(minimal_case_path, args, message):
    result = run("score", minimal_case_path, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)


def test_score_rejects_unknown_choices(minimal_case_path):
    result = run("score", minimal_case_path, "--method", "electre")
    assert result.exit_code == 2
    assert "Invalid value for '--method'" in result.stderr
    result = run("score", minimal_case_path, "--format", "xml")
    assert result.exit_code == 2


def test_score_table(minimal_case_path):
    result = run("score", minimal_case_path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "minimal — method additive, weights neutral"  # the case id, not the file (issue 18)
    assert lines[2] == "Options ranked"
    header = lines[4].split()
    # evaluated_with is a note where it differs from the option (here it never does), not a column
    assert header == ["option", "rank", "name", "expected_value", "value_if_hold", "p_hold", "failure_value",
                      "soft_penalty"]
    assert [line.split()[0] for line in lines[6:9]] == ["mediate", "wait", "intervene"]
    # intervene: 0.45 x 0.53 + 0.55 x 0.22 - 0.1 x P(backing yes, consent no) under the copula
    # (rho 0.4: 0.45 - Phi2(z(0.45), z(0.6); 0.4) = 0.1177), a soft no costing only where it goes ahead
    assert "0.348" in lines[8] and "0.220" in lines[8] and "0.012" in lines[8]
    assert "Contributions of each criterion" in result.stdout


def parse_markdown_tables(text: str) -> list[pd.DataFrame]:
    tables, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        elif block:
            header, separator, *rows = block
            assert all(set(cell.strip()) <= set("-: ") for cell in separator)
            assert all(len(row) == len(header) for row in rows)
            tables.append(pd.DataFrame(rows, columns=header))
            block = []
    return tables


def test_score_markdown_parses(minimal_case_path):
    result = run("score", minimal_case_path, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("## minimal — method additive, weights neutral\n")
    ranking, contributions = parse_markdown_tables(result.stdout)
    expected = score(load_case(minimal_case_path)).table
    assert list(ranking.columns) == ["option", *expected.columns]
    assert ranking["option"].tolist() == list(expected.index)
    assert [float(x) for x in ranking["expected_value"]] == pytest.approx(expected["expected_value"], abs=5e-4)
    assert ranking["failure_value"].tolist() == ["-", "-", "0.220"]
    assert list(contributions.columns) == ["option", "armed_groups", "territory", "cost"]


def test_score_csv_parses(minimal_case_path):
    result = run("score", minimal_case_path, "--format", "csv")
    assert result.exit_code == 0
    frame = pd.read_csv(io.StringIO(result.stdout), index_col="option")
    expected = score(load_case(minimal_case_path)).table
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame, expected, check_exact=False, rtol=1e-12)
    assert list(csv.reader(io.StringIO(result.stdout)))[0][0] == "option"


@pytest.mark.parametrize("method", ["additive", "topsis", "vikor", "promethee2"])
def test_score_json_uses_the_dataframe_columns(minimal_case_path, method):
    result = run("score", minimal_case_path, "--format", "json", "--method", method, "--weights", "hawk")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    expected = score(load_case(minimal_case_path), method=method, weights="hawk")
    assert (data["case"], data["version"], data["method"], data["profile"]) == (
        str(minimal_case_path), __version__, method, "hawk")
    assert [r["option"] for r in data["options"]] == list(expected.table.index)
    for record in data["options"]:
        assert list(record) == ["option", *expected.table.columns]
    assert data["weights"] == pytest.approx(expected.weights.to_dict())
    intervene = next(r for r in data["options"] if r["option"] == "intervene")
    # 0.45 v(plan) + 0.55 v(failure) = 0.425625 under the hawk's weights, less the soft penalty
    # where it goes ahead: 0.1 x (0.45 - Phi2(z(0.45), z(0.6); 0.4)) = 0.0117664
    assert intervene["expected_value"] == pytest.approx(0.425625 - 0.0117664, abs=1e-6)
    assert next(r for r in data["options"] if r["option"] == "wait")["failure_value"] is None


def test_score_cross_check_in_markdown_and_params(minimal_case_path):
    result = run("score", minimal_case_path, "--method", "wpm", "--param", "shift=1", "--format", "markdown")
    assert result.exit_code == 0
    [ranking] = parse_markdown_tables(result.stdout)
    assert list(ranking.columns[:4]) == ["option", "rank", "name", "wpm"]
    assert "> wpm ranks risk-adjusted outcomes" in result.stdout
    data = json.loads(run("score", minimal_case_path, "--method", "vikor", "--param", "v=0.25",
                          "--format", "json").stdout)
    assert data["params"] == {"v": 0.25}


def test_score_a_bundled_case_by_name():
    result = run("score", "mali-2012", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["case"] == "mali-2012" and len(data["options"]) >= 2


# --------------------------------------------------------------------------- other commands


def test_cases_lists_the_bundled_cases():
    result = run("cases")
    assert result.exit_code == 0
    assert result.stdout.startswith("mali-2012\t")


def test_version_and_help():
    assert run("--version").stdout.strip() == f"decide, version {__version__}"
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "score", "cases"):
        assert command in result.stdout


def test_validate_notes_profiles_outside_the_imprecise_statements():
    """The minimal case's neutral profile gives cost more weight than armed_groups, against its own
    ordinal statement; validate says so without failing."""
    from pathlib import Path

    case = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"
    result = CliRunner().invoke(cli, ["validate", str(case)])
    assert result.exit_code == 0
    assert "Note: profile neutral breaks 1 of the imprecise weight statements" in result.output


def test_simulate_with_a_strategy_adds_one_alternative(minimal_case_path):
    result = run("simulate", minimal_case_path, "-n", "2000", "--strategy", "mediate", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "strategy" in [r["option"] for r in rows]
    means = [float(r["mean"]) for r in rows]
    assert means == sorted(means, reverse=True)  # sorted as the table is (issue 18)


def test_simulate_with_an_infeasible_strategy_says_why(minimal_case_path):
    result = run("simulate", minimal_case_path, "-n", "2000", "--strategy", "intervene,mediate")
    assert result.exit_code != 0
    assert "money budget" in result.output and "Traceback" not in result.output


def test_allow_path_lets_a_case_use_criteria_from_another_folder(tmp_path):
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "case").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "crit.yaml").write_text((root / "criteria" / "intervention.yaml").read_text())
    text = (root / "tests" / "data" / "mali-2012-first-edition.yaml").read_text()  # criteria: intervention
    case = tmp_path / "case" / "mali.yaml"
    case.write_text("\n".join("criteria: ../shared/crit.yaml" if line.startswith("criteria:") else line
                              for line in text.splitlines()) + "\n")
    runner = CliRunner()
    refused = runner.invoke(cli, ["validate", str(case)])
    assert refused.exit_code == 2 and "outside the case's folder" in refused.output
    assert "--allow-path" in refused.output
    allowed = runner.invoke(cli, ["--allow-path", str(tmp_path / "shared"), "validate", str(case)])
    assert allowed.exit_code == 0, allowed.output
