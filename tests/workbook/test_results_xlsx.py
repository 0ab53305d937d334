"""--format xlsx -o FILE: one sheet per table, numbers as numbers, standard errors in their own columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("openpyxl")
from openpyxl import load_workbook  # noqa: E402

from decide.cli import cli  # noqa: E402
from decide.load import load_case  # noqa: E402
from decide.score import score  # noqa: E402

CASE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def sheet(wb, name: str) -> list[dict]:
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_score_to_xlsx_matches_the_table(tmp_path):
    out = tmp_path / "score.xlsx"
    result = run("score", CASE, "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["about", "scores", "contributions"]
    table = score(load_case(CASE)).table
    rows = {r["option"]: r for r in sheet(wb, "scores")}
    for option, expected in table.iterrows():
        assert isinstance(rows[option]["expected_value"], float)
        assert rows[option]["expected_value"] == pytest.approx(expected["expected_value"], rel=1e-12)
    about = {r[0]: r[1] for r in wb["about"].iter_rows(values_only=True) if r[0]}
    assert about["case"] == str(CASE) and about["method"] == "additive"


def test_simulate_to_xlsx_keeps_standard_errors_in_their_own_columns(tmp_path):
    out = tmp_path / "sim.xlsx"
    assert run("simulate", CASE, "-n", "1000", "-q", "--format", "xlsx", "-o", out).exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["about", "summary", "rank_acceptability", "pairwise", "central_weights", "blockers",
                             "preconditions", "value_of_information"]
    summary = sheet(wb, "summary")
    assert {"mean", "mean_se", "p_best", "p_best_se"} <= set(summary[0])
    # numbers as numbers (a whole number, e.g. a standard error of 0, reads back as an int)
    assert all(isinstance(r[c], (int, float)) and not isinstance(r[c], bool) for r in summary for c in ("mean", "mean_se"))


def test_strategies_to_xlsx(tmp_path):
    out = tmp_path / "st.xlsx"
    assert run("strategies", CASE, "-S", "50", "--format", "xlsx", "-o", out).exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["about", "strategies", "contributions"]
    first = sheet(wb, "strategies")[0]
    assert isinstance(first["strategy"], str) and isinstance(first["mean"], float) and isinstance(first["mcse"], float)


def test_xlsx_needs_a_file_and_keeps_an_existing_one(tmp_path):
    result = run("score", CASE, "--format", "xlsx")
    assert result.exit_code == 2 and "-o FILE.xlsx" in result.output
    assert run("score", CASE, "-o", tmp_path / "x.xlsx").exit_code == 2  # -o is for xlsx only
    out = tmp_path / "kept.xlsx"
    out.write_bytes(b"mine")
    result = run("score", CASE, "--format", "xlsx", "-o", out)
    assert result.exit_code == 1 and "--force" in result.output and out.read_bytes() == b"mine"
    assert run("score", CASE, "--format", "xlsx", "-o", out, "--force").exit_code == 0
