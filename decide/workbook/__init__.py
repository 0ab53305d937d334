"""Case workbooks (.xlsx): a blank template, a case exported to one, and one imported to a case file.

A workbook has one sheet per part of a case (:mod:`decide.workbook.layout`); importing one goes
through the case file's own validator (:func:`decide.load.parse_case`), so the same rules apply,
and every problem is located by sheet, row and column (``scores!F14: ...``), all at once.
openpyxl reads and writes them (imported only when a workbook is used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decide.workbook.read import WorkbookError, case_yaml, import_workbook, read_workbook
    from decide.workbook.write import case_rows, write_case_workbook, write_template

# Imported on first use, so that the CLI's commands without a workbook do not load these (issue 18).
_HOMES = {"WorkbookError": "read", "case_yaml": "read", "import_workbook": "read", "read_workbook": "read",
          "case_rows": "write", "write_case_workbook": "write", "write_template": "write"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'decide.workbook' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"decide.workbook.{_HOMES[name]}"), name)
    globals()[name] = value
    return value

__all__ = ["WorkbookError", "case_rows", "case_yaml", "import_workbook", "read_workbook", "write_case_workbook",
           "write_template"]
