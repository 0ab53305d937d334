"""Read a case workbook: cells -> the mapping a case file holds -> the case file's own validator.

The workbook is turned into exactly the mapping a YAML case file would give, with the cell of
every field path recorded where the YAML reader records a line; :func:`decide.load.parse_case`
then applies every rule of the case format. Each problem it finds is located back to its cell
(``scores!F14``), together with the problems of the workbook's own structure (an unknown sheet
or column, a score for an option no row defines), all at once. The sheets are read by
:mod:`decide.workbook.cells` and turned into the mapping by :mod:`decide.workbook.mapping`; this
module validates it, locates the problems and writes the imported case as YAML.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from decide.errors import CaseError, Problem
from decide.workbook.cells import WorkbookError, _Cells, _parse_path, read_sheets
from decide.workbook.layout import SHEETS
from decide.workbook.mapping import _Builder

__all__ = ["WorkbookError", "read_workbook", "read_sheets", "import_workbook", "validate_mapping", "case_yaml"]


def read_workbook(path: str | Path) -> tuple[Any, _Cells]:
    """The workbook as a case file's mapping, and the cell of each field path.

    Raises :class:`WorkbookError` when the file is not a workbook; problems of its content are
    returned in ``cells.problems`` (with every rule of the case format still to check).
    """
    sheets, cells = read_sheets(path)
    return _Builder(sheets, cells).build(), cells


def _located(problem: Problem, cells: _Cells) -> Problem:
    """A validator's problem (field path, 'line' = cell index) as ``sheet!CELL: message``."""
    message = problem.message
    where = ""
    header = ""
    structural = problem.path.startswith("@") or any(problem is p for p in cells.problems)
    if problem.line is not None and 0 < problem.line <= len(cells.cells):
        sheet, coordinate, header = cells.cells[problem.line - 1]
        where = f"{sheet}!{coordinate}"
        exact = problem.path and cells.lines.get(_parse_path(problem.path)) == problem.line
        if structural:
            header = ""
        elif not exact:  # reported at an enclosing record's cell: name the field
            parts = [p for p in _parse_path(problem.path) if isinstance(p, str)] if problem.path else []
            header = parts[-1] if parts else ""
    if header and message == "required field is missing":
        message = f"{header} is required (empty here)"
    elif header and not message.startswith(header):
        message = f"{header} {message}" if message.startswith(("must ", "is ", "needs ")) else f"{header}: {message}"
    return Problem(message, where, cells.file)


def import_workbook(path: str | Path):
    """Read and validate a case workbook; the :class:`~decide.spec.Case` and the mapping it came from.

    Raises :class:`WorkbookError` listing every problem, each as ``sheet!CELL: message``.
    """
    from decide.load import YamlDocument, parse_case

    path = Path(path)
    data, cells = read_workbook(path)
    return validate_mapping(data, cells, base_dir=path.parent), data


def validate_mapping(data: dict[str, Any], cells: _Cells, base_dir: str | Path | None = None):
    """Check a workbook's mapping by the case format's rules (:func:`decide.load.parse_case`)."""
    from decide.load import YamlDocument, parse_case

    doc = YamlDocument(data, cells.lines, cells.file, tuple(cells.problems))
    try:
        return parse_case(doc, base_dir=base_dir)
    except CaseError as exc:
        raise WorkbookError(_sorted([_located(p, cells) for p in exc.problems]), cells.file) from None


def _sorted(problems: list[Problem]) -> list[Problem]:
    """In the workbook's order: sheet by sheet, then row by row, column by column."""
    order = {sheet.name: k for k, sheet in enumerate(SHEETS)}

    def key(p: Problem):
        sheet, _, coordinate = p.path.partition("!")
        match = re.match(r"([A-Z]+)(\d+)", coordinate)
        col, row = (match.group(1), int(match.group(2))) if match else ("", 0)
        return (order.get(sheet, len(order)), row, len(col), col)

    seen, out = set(), []
    for p in sorted(problems, key=key):
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out


def case_yaml(data: dict[str, Any]) -> str:
    """The imported mapping as a case file's YAML text, written as a person would: a point
    outcome as a bare number, small records (an outcome, a scale, evidence) on one line."""
    import yaml

    from decide.spec import FORMAT_VERSION

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_mapping(
        "tag:yaml.org,2002:map", value.items(), flow_style=True))
    Dumper.add_representer(_FlowList, lambda dumper, value: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", value, flow_style=True))
    from decide.spec import Case

    order = list(Case.model_fields)  # the case format's own order: id, title, ..., options, ..., weights
    ordered = {"decide": FORMAT_VERSION, **dict(sorted(data.items(), key=lambda kv: (
        order.index(kv[0]) if kv[0] in order else len(order))))}
    return yaml.dump(_styled(ordered), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=110)


class _Flow(dict):
    """A mapping written on one line."""


_INLINE = {"evidence", "scale", "probability", "consequence"}


class _FlowList(list):
    """A list written on one line."""


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _styled(value: Any, key: Any = None) -> Any:
    if isinstance(value, dict):
        if value.get("kind") == "point" and set(value) == {"kind", "value"}:
            return value["value"]
        styled = {k: _styled(v, k) for k, v in value.items()}
        # One line for a record of plain values, and for an outcome, a scale or a probability with
        # its evidence; records that hold others (an option's scores) stay a block.
        small = all(_scalar(v) or isinstance(v, _FlowList) or (isinstance(v, _Flow) and k in _INLINE)
                    for k, v in styled.items())
        return _Flow(styled) if small and key not in ("criteria", "source") else styled
    if isinstance(value, list):
        styled = [_styled(v) for v in value]
        if all(_scalar(v) or isinstance(v, _FlowList) for v in styled):
            return _FlowList(styled)
        return styled
    return value
