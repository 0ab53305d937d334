"""Case workbooks: the bundled cases round-trip exactly; a workbook's mistakes are located by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("openpyxl")
from openpyxl import load_workbook  # noqa: E402

from decide.cli import cli  # noqa: E402
from decide.load import load_case, parse_case  # noqa: E402
from decide.workbook import WorkbookError, case_yaml, import_workbook, write_case_workbook, write_template  # noqa: E402

DATA = Path(__file__).parents[1] / "data"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def set_cell(wb, sheet: str, header: str, row: int, value) -> str:
    """Write ``value`` into the ``header`` column of ``row``; the cell's reference."""
    ws = wb[sheet]
    column = [c.value for c in ws[1]].index(header) + 1
    cell = ws.cell(row=row, column=column)
    cell.value = value
    return f"{sheet}!{cell.coordinate}"


def row_of(wb, sheet: str, **match) -> int:
    """The row whose cells equal ``match`` (header -> value)."""
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        values = {h: c.value for h, c in zip(headers, row)}
        if all(values.get(k) == v for k, v in match.items()):
            return row[0].row
    raise AssertionError(f"no row {match} on {sheet}")


@pytest.mark.parametrize("case", ["mali-2012", str(DATA / "minimal_case.yaml"), str(DATA / "mali-2012-first-edition.yaml")])
def test_case_round_trips_through_a_workbook(case, tmp_path):
    original = load_case(case)
    path = write_case_workbook(original, tmp_path / "case.xlsx")
    imported, data = import_workbook(path)
    assert imported.model_dump() == original.model_dump()
    # and through the case file import writes
    (tmp_path / "case.yaml").write_text(case_yaml(data), encoding="utf-8")
    assert load_case(tmp_path / "case.yaml").model_dump() == original.model_dump()


def test_cli_export_then_import_gives_the_same_mali_case(tmp_path):
    xlsx, out = tmp_path / "m.xlsx", tmp_path / "m.yaml"
    assert run("export", "mali-2012", "-o", xlsx).exit_code == 0
    result = run("import", xlsx, "-o", out)
    assert result.exit_code == 0, result.output
    assert load_case(out).model_dump() == load_case("mali-2012").model_dump()


def test_five_planted_mistakes_get_five_located_messages(tmp_path):
    path = write_case_workbook(load_case(DATA / "minimal_case.yaml"), tmp_path / "bad.xlsx")
    wb = load_workbook(path)
    expected = {
        set_cell(wb, "preconditions", "low", row_of(wb, "preconditions", id="backing"), 1.2):
            "low must be at most 1 (given: 1.2)",
        set_cell(wb, "scores", "mode", row_of(wb, "scores", option="intervene", criterion="territory"), "seven"):
            "mode must be a number",
        set_cell(wb, "requirements", "precondition", row_of(wb, "requirements", precondition="backing"), "backin"):
            "backin",
        set_cell(wb, "options", "name", row_of(wb, "options", id="mediate"), None):
            "name is required",
        set_cell(wb, "scores", "kind", row_of(wb, "scores", option="mediate", criterion="armed_groups"), "unifrom"):
            "unknown kind 'unifrom'",
    }
    wb.save(path)
    out = tmp_path / "case.yaml"
    result = run("import", path, "-o", out)
    assert result.exit_code == 2
    assert not out.exists()
    assert "Traceback" not in result.output
    lines = [line.strip() for line in result.output.splitlines() if "!" in line and ":" in line]
    assert len(lines) == 5, result.output
    for where, words in expected.items():
        hits = [line for line in lines if line.startswith(where + ":")]
        assert len(hits) == 1 and words in hits[0], (where, words, result.output)
    assert result.output.startswith("Error: 5 problems in workbook")


def test_probability_above_one_is_located_as_the_issue_shows(tmp_path):
    path = write_case_workbook(load_case(DATA / "minimal_case.yaml"), tmp_path / "p.xlsx")
    wb = load_workbook(path)
    row = row_of(wb, "preconditions", id="backing")
    set_cell(wb, "preconditions", "low", row, None)
    set_cell(wb, "preconditions", "high", row, None)
    where = set_cell(wb, "preconditions", "probability", row, 1.2)
    wb.save(path)
    with pytest.raises(WorkbookError) as info:
        import_workbook(path)
    assert f"{where}: probability must be at most 1 (given: 1.2)" in str(info.value)


def test_template_is_blank_with_lists_and_help(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "how to fill"
    for sheet in ("case", "criteria", "options", "scores", "preconditions", "requirements", "enablers",
                  "correlations", "profiles", "weights"):
        assert sheet in wb.sheetnames
    scores = wb["scores"]
    assert [c.value for c in scores[1]][:5] == ["option", "outcome", "stage", "criterion", "kind"]
    formulas = {dv.formula1 for dv in scores.data_validations.dataValidation}
    assert "=options!$A$2:$A$2000" in formulas and any("triangular" in f for f in formulas)
    assert scores["A1"].comment is None and scores["B1"].comment is not None
    assert scores.max_row == 1
    # a blank workbook is not a case: every missing part is named, nothing is written
    result = run("import", path, "-o", tmp_path / "t.yaml")
    assert result.exit_code == 2 and not (tmp_path / "t.yaml").exists()
    assert "case!B2: id is required" in result.output


def test_nothing_is_overwritten_unasked(tmp_path):
    out = tmp_path / "m.xlsx"
    out.write_bytes(b"mine")
    result = run("export", "mali-2012", "-o", out)
    assert result.exit_code != 0 and "--force" in result.output
    assert out.read_bytes() == b"mine"
    assert run("export", "mali-2012", "-o", out, "--force").exit_code == 0
    assert out.read_bytes() != b"mine"


def test_a_file_that_is_not_a_workbook_gets_a_message(tmp_path):
    bad = tmp_path / "case.xlsx"
    bad.write_text("id: x\n")
    result = run("import", bad, "-o", tmp_path / "x.yaml")
    assert result.exit_code == 2 and "not an .xlsx workbook" in result.output


def test_unknown_sheets_columns_and_ids_are_named(tmp_path):
    path = write_case_workbook(load_case(DATA / "minimal_case.yaml"), tmp_path / "c.xlsx")
    wb = load_workbook(path)
    where = set_cell(wb, "scores", "option", row_of(wb, "scores", option="wait", criterion="cost"), "wiat")
    wb.create_sheet("notes")
    wb["options"].cell(row=1, column=20, value="colour")
    wb.save(path)
    with pytest.raises(WorkbookError) as info:
        import_workbook(path)
    text = str(info.value)
    assert "options!T1: unknown column 'colour'" in text and "notes!A1: unknown sheet 'notes'" in text
    assert f"{where}: unknown option 'wiat'" in text


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    case = load_case(DATA / "minimal_case.yaml")
    data = yaml.safe_load(case_yaml(case.model_dump(mode="json", exclude_defaults=True)))
    data["options"][0]["description"] = "=HYPERLINK(\"http://x\")"
    case = parse_case(data)
    path = write_case_workbook(case, tmp_path / "f.xlsx")
    assert import_workbook(path)[0].options[0].description == "=HYPERLINK(\"http://x\")"


def test_a_bundled_criteria_set_can_be_named_instead_of_listed(tmp_path):
    case = load_case(DATA / "mali-2012-first-edition.yaml")
    path = write_case_workbook(case, tmp_path / "named.xlsx")
    wb = load_workbook(path)
    ws = wb["criteria"]
    ws.delete_rows(2, ws.max_row)
    set_cell(wb, "case", "value", row_of(wb, "case", field="criteria"), "intervention")
    wb.save(path)
    imported, data = import_workbook(path)
    assert data["criteria"] == "intervention"
    assert imported.criteria == case.criteria
    # naming a set and listing one too is ambiguous: refused, located
    wb = load_workbook(write_case_workbook(case, tmp_path / "both.xlsx"))
    where = set_cell(wb, "case", "value", row_of(wb, "case", field="criteria"), "intervention")
    wb.save(tmp_path / "both.xlsx")
    with pytest.raises(WorkbookError) as info:
        import_workbook(tmp_path / "both.xlsx")
    assert f"{where}: the case sheet names a bundled criteria set" in str(info.value)
