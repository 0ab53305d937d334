"""Whatever a cell holds, import answers with located problems or a case, never a traceback.

Each column of every sheet of a filled workbook gets odd values (text in number columns, numbers
in id columns, booleans, dates, spreadsheet error values, broken lists, huge and non-finite
numbers, a blank) in its first data row; the rows are mutated in memory, so hundreds of variants
take seconds.
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest

pytest.importorskip("openpyxl")

from decide.load import load_case  # noqa: E402
from decide.workbook import WorkbookError, write_case_workbook  # noqa: E402
from decide.workbook.cells import _Cells, _Row, read_sheets  # noqa: E402
from decide.workbook.mapping import _Builder  # noqa: E402
from decide.workbook.read import validate_mapping  # noqa: E402

CASE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"
ODD = ["#DIV/0!", 1e300, float("nan"), True, datetime.datetime(2012, 10, 1), "1; x; ;", "0:0:1; 5", "a, , b",
       "  ", -3, "=SUM(A1)", "x" * 3000]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    path = write_case_workbook(load_case(CASE), tmp_path_factory.mktemp("wb") / "case.xlsx")
    rows, cells = read_sheets(path)
    assert not cells.problems
    return rows


def variants(sheets):
    for name, rows in sheets.items():
        if not rows:
            continue
        for header in rows[0].sheet.columns:
            for value in ODD:
                yield name, header.header, value


def test_odd_cells_get_located_problems_or_a_case(sheets):
    n = 0
    for name, header, value in variants(sheets):
        cells = _Cells(file="case.xlsx")
        mutated = {}
        for sheet, rows in sheets.items():
            mutated[sheet] = [_Row(r.sheet, r.number, copy.copy(r.values), r.letters, cells) for r in rows]
        mutated[name][0].values[header] = value
        mutated[name][0].letters.setdefault(header, "Z")
        try:
            validate_mapping(_Builder(mutated, cells).build(), cells)
        except WorkbookError as exc:
            assert exc.problems and all("!" in p.path for p in exc.problems), (name, header, value, str(exc))
        n += 1
    assert n > 300
