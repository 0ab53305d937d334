"""Read a case workbook's sheets into rows of typed cells, and locate every field at its cell.

The workbook is opened with its size checked first; each known sheet becomes its non-empty rows,
found by header (an unknown sheet or column is a problem at its cell). :class:`_Cells` records the
cell of every field path where the YAML reader records a line, so that a problem with a field is
reported as ``sheet!CELL``; :class:`_Row` converts a cell's text for the case file.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decide.errors import CaseError, DecideError, Problem
from decide.workbook.layout import SHEET_BY_NAME, SHEETS, Sheet

__all__ = ["WorkbookError", "read_sheets", "MAX_UNPACKED_BYTES", "MAX_ROWS"]

MAX_UNPACKED_BYTES = 200_000_000
"""A workbook is a zip of XML; one that unpacks to more than this is refused before it is read
(the bundled Mali case's workbook unpacks to under 1 MB). ``DECIDE_MAX_XLSX_BYTES`` raises it."""
MAX_ROWS = 100_000
"""Rows read from one sheet (the Mali case's largest sheet has about 300)."""


class WorkbookError(CaseError):
    """Problems in a case workbook, each located as ``sheet!CELL``; nothing was written."""

    def __init__(self, problems: list[Problem], file: str):
        DecideError.__init__(self)
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in workbook {file} (nothing written):"
        self.args = ("\n".join([head, *(f"  {p.path}: {p.message}" if p.path else f"  {p.message}"
                                        for p in self.problems)]),)

    def __str__(self) -> str:
        return self.args[0]


@dataclass
class _Cells:
    """The cell of every field path, in the form :class:`decide.load.YamlDocument` keeps lines:
    ``lines[path]`` is an index into ``cells`` (``(sheet, coordinate, header)``)."""

    cells: list[tuple[str, str, str]] = field(default_factory=list)
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    file: str = ""

    def put(self, path: tuple[Any, ...], sheet: str, coordinate: str, header: str) -> None:
        """``path`` is the field in cell ``coordinate`` (its column: ``header``); an empty header marks
        a row's anchor (a record or a score as a whole), named in no message."""
        self.cells.append((sheet, coordinate, header))
        self.lines[path] = len(self.cells)

    def problem(self, message: str, sheet: str, coordinate: str, path: tuple[Any, ...] = ()) -> None:
        """A problem of the workbook's structure at a cell; ``path``: the field it stands for (so the
        validator does not report that field a second time)."""
        self.cells.append((sheet, coordinate, ""))
        self.problems.append(Problem(message, _dotted(path) if path else f"@{sheet}!{coordinate}",
                                     self.file, len(self.cells)))


class _Row:
    """One row of a sheet: typed values by header, and their cells."""

    def __init__(self, sheet: Sheet, number: int, values: dict[str, Any], letters: dict[str, str], cells: _Cells):
        self.sheet, self.number, self.values, self.letters, self.cells = sheet, number, values, letters, cells

    def at(self, header: str) -> str:
        letter = self.letters.get(header)
        return f"{letter}{self.number}" if letter else f"A{self.number}"

    def where(self, header: str) -> str:
        return f"{self.sheet.name}!{self.at(header)}"

    def has(self, header: str) -> bool:
        return self.values.get(header) is not None

    def get(self, header: str, path: tuple[Any, ...] | None = None) -> Any:
        """The cell's value converted for the case file (None when empty); records ``path``'s cell."""
        if path is not None:
            self.cells.put(path, self.sheet.name, self.at(header), header)
        raw = self.values.get(header)
        if raw is None:
            return None
        return _convert(raw, self.sheet.column(header).kind)

    def mark(self, path: tuple[Any, ...], header: str) -> None:
        """Record ``path`` (a record as a whole) at this row's ``header`` cell."""
        self.cells.put(path, self.sheet.name, self.at(header), "")

    def fill(self, target: dict[str, Any], path: tuple[Any, ...], headers: dict[str, str]) -> None:
        """Copy the non-empty cells ``header -> field`` into ``target``, recording each field's cell."""
        for header, name in headers.items():
            value = self.get(header, path + (name,))
            if value is not None:
                target[name] = value

    def evidence(self, target: dict[str, Any], path: tuple[Any, ...]) -> None:
        ev: dict[str, Any] = {}
        self.fill(ev, path + ("evidence",), {"section": "section", "rationale": "rationale",
                                             "assumption": "assumption"})
        if ev.get("assumption") is False and len(ev) == 1:
            return
        if ev:
            self.mark(path + ("evidence",), "section")
            target["evidence"] = ev


_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _number(text: Any) -> Any:
    """A cell's number; text that reads as a number (typed into a text cell) becomes one."""
    if isinstance(text, bool):
        return text
    if isinstance(text, (int, float)):
        return text
    if isinstance(text, str):
        s = text.strip().replace("\u2212", "-")
        if _NUMBER.match(s):
            return float(s) if any(c in s for c in ".eE") else int(s)
        if s.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
            return float(s)
    return text


def _split(text: Any, separators: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{separators}]", str(text)) if part.strip()]


def _convert(raw: Any, kind: str) -> Any:
    import datetime

    if isinstance(raw, (datetime.datetime, datetime.date, datetime.time)):
        raw = raw.isoformat()
        if raw.endswith("T00:00:00"):
            raw = raw[:-9]
    if kind == "number":
        return _number(raw)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        word = str(raw).strip().lower()
        return True if word in _TRUE else False if word in _FALSE else raw
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if kind == "id":
        return str(raw).strip()
    if kind == "text":
        return raw if isinstance(raw, str) else str(raw)
    if kind == "ids":
        return _split(raw, ",;\n")
    if kind == "texts":
        return _split(raw, "\n" if "\n" in str(raw) else ";")
    if kind == "numbers":
        return [_number(x) for x in _split(raw, ";,\n")]
    if kind == "pairs":
        return [[_number(x) for x in _split(pair, ":")] for pair in _split(raw, ";\n")]
    if kind == "mapping":
        out: dict[str, Any] = {}
        for pair in _split(raw, ";,\n"):
            key, _, value = pair.partition(":")
            out[key.strip()] = _number(value.strip()) if value.strip() else None
        return out
    if kind == "matrix":
        return [[_number(x) for x in _split(row, ",")] for row in _split(raw, ";\n")]
    raise ValueError(kind)


def _open(path: Path, cells: _Cells):
    from openpyxl import load_workbook

    file = str(path)
    if not path.is_file():
        raise WorkbookError([Problem(f"no such file: {path}", "", file)], file)
    limit = int(os.environ.get("DECIDE_MAX_XLSX_BYTES", "").replace("_", "") or MAX_UNPACKED_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookError([Problem("not an .xlsx workbook (save it from your spreadsheet as Excel "
                                     "Workbook .xlsx)", "", file)], file) from None
    if unpacked > limit:
        raise WorkbookError([Problem(f"the workbook unpacks to {unpacked:,} bytes, more than the limit of "
                                     f"{limit:,} (a case needs far less); if it is genuine, raise "
                                     "DECIDE_MAX_XLSX_BYTES", "", file)], file)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise WorkbookError([Problem(f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300], "", file)],
                            file) from None


def _sheet_rows(ws, sheet: Sheet, cells: _Cells) -> list[_Row]:
    from openpyxl.utils import get_column_letter

    rows = ws.iter_rows(min_row=1, min_col=1, values_only=True)
    header = next(rows, None) or ()
    letters: dict[str, str] = {}
    index: dict[int, str] = {}
    known = {c.header for c in sheet.columns}
    for j, name in enumerate(header):
        if name is None or (isinstance(name, str) and not name.strip()):
            continue
        text = str(name).strip()
        coordinate = f"{get_column_letter(j + 1)}1"
        if text not in known:
            cells.problem(f"unknown column {text!r}; the {sheet.name} sheet's columns are: "
                          f"{', '.join(c.header for c in sheet.columns)}", sheet.name, coordinate)
        elif text in letters:
            cells.problem(f"column {text!r} appears twice (first in column {letters[text]})", sheet.name, coordinate)
        else:
            letters[text] = get_column_letter(j + 1)
            index[j] = text
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            cells.problem(f"more than {MAX_ROWS:,} rows; a case needs far fewer", sheet.name, f"A{number}")
            break
        row: dict[str, Any] = {}
        for j, value in enumerate(values):
            if j in index and value is not None and not (isinstance(value, str) and not value.strip()):
                row[index[j]] = value
        if row:
            out.append(_Row(sheet, number, row, letters, cells))
    return out


def read_sheets(path: str | Path) -> tuple[dict[str, list[_Row]], _Cells]:
    """The non-empty rows of each known sheet, by header; unknown sheets and columns are problems."""
    path = Path(path)
    cells = _Cells(file=str(path))
    wb = _open(path, cells)
    try:
        sheets: dict[str, list[_Row]] = {}
        for name in wb.sheetnames:
            if name in SHEET_BY_NAME:
                sheets[name] = _sheet_rows(wb[name], SHEET_BY_NAME[name], cells)
            elif name != "how to fill":
                cells.problem(f"unknown sheet {name!r}; a case workbook has the sheets "
                              f"{', '.join(s.name for s in SHEETS)} (extra sheets: rename them or move them "
                              "to another workbook)", name, "A1")
        for sheet in SHEETS:
            if sheet.required and sheet.name not in sheets:
                cells.problem(f"the workbook has no {sheet.name!r} sheet; start from `decide template`",
                              sheet.name, "A1")
    finally:
        wb.close()
    return sheets, cells


def _dotted(path: tuple[Any, ...]) -> str:
    """A field path as the validator writes it: ``options[3].scores.cost``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parse_path(dotted: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for chunk in dotted.replace("]", "").split("."):
        for i, piece in enumerate(chunk.split("[")):
            if piece:
                parts.append(int(piece) if i > 0 and piece.lstrip("-").isdigit() else piece)
    return tuple(parts)
