"""Case workbooks (.xlsx): a blank template, a case exported to one, and one imported to a case file.

A workbook has one sheet per part of a case (:mod:`decide.workbook.layout`); importing one goes
through the case file's own validator (:func:`decide.load.parse_case`), so the same rules apply,
and every problem is located by sheet, row and column (``scores!F14: ...``), all at once.
openpyxl reads and writes them (imported only when a workbook is used).
"""

from __future__ import annotations

from decide.workbook.read import WorkbookError, case_yaml, import_workbook, read_workbook
from decide.workbook.write import case_rows, write_case_workbook, write_template

__all__ = ["WorkbookError", "case_rows", "case_yaml", "import_workbook", "read_workbook", "write_case_workbook",
           "write_template"]
