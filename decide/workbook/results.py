"""Result tables into a spreadsheet: one sheet per table, numbers as numbers.

``decide score|simulate|strategies --format xlsx -o FILE`` write through :func:`write_results`.
Standard errors stay in their own columns (``mean_se``, ``mcse``...), as in the DataFrames; a
list of option ids (a strategy) is written as ids joined by " + ", the one cell a spreadsheet
has for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["write_results"]

_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return " + ".join(str(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARACTERS.sub("_", name)[:31] or "table"
    out, k = base, 2
    while out.lower() in taken:
        suffix = f" {k}"
        out, k = base[:31 - len(suffix)] + suffix, k + 1
    taken.add(out.lower())
    return out


def write_results(path: str | Path, tables: Mapping[str, pd.DataFrame], about: Mapping[str, Any], *,
                  notes: list[str] | tuple[str, ...] = (), overwrite: bool = False) -> Path:
    """Write ``tables`` (sheet name -> DataFrame; the index becomes the first columns) and an
    ``about`` sheet (what was run: case, seed, draws, version; then ``notes``) to ``path`` (.xlsx).

    Written through a temporary sibling and a rename; an existing file is replaced only with
    ``overwrite``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from decide.workbook.write import save_atomically

    wb = Workbook()
    info = wb.active
    info.title = "about"
    taken = {"about"}
    for i, (key, value) in enumerate(about.items(), start=1):
        info.cell(row=i, column=1, value=str(key)).font = Font(bold=True)
        cell = info.cell(row=i, column=2, value=_cell(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
    start = len(about) + 2
    for k, note in enumerate(notes):
        cell = info.cell(row=start + k, column=1, value=f"Note: {note}")
        cell.data_type = "s"
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 60
    for name, frame in tables.items():
        ws = wb.create_sheet(_sheet_name(name, taken))
        flat = frame.reset_index() if _has_index(frame) else frame
        for j, column in enumerate(flat.columns, start=1):
            ws.cell(row=1, column=j, value=str(column)).font = Font(bold=True)
            ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(str(column)) + 2))
        for i, row in enumerate(flat.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j, value=_cell(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                elif isinstance(cell.value, float):
                    cell.number_format = "0.0000"
        ws.freeze_panes = "B2"
    return save_atomically(wb, path, overwrite=overwrite)


def _has_index(frame: pd.DataFrame) -> bool:
    return not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
