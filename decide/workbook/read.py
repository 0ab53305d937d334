"""Read a case workbook: cells -> the mapping a case file holds -> the case file's own validator.

The workbook is turned into exactly the mapping a YAML case file would give, with the cell of
every field path recorded where the YAML reader records a line; :func:`decide.load.parse_case`
then applies every rule of the case format. Each problem it finds is located back to its cell
(``scores!F14``), together with the problems of the workbook's own structure (an unknown sheet
or column, a score for an option no row defines), all at once.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decide.errors import CaseError, DecideError, Problem
from decide.workbook.layout import CASE_FIELDS, SHEET_BY_NAME, SHEETS, Sheet

__all__ = ["WorkbookError", "read_workbook", "read_sheets", "import_workbook", "validate_mapping", "case_yaml"]

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


# --------------------------------------------------------------------------- reading cells


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


def read_workbook(path: str | Path) -> tuple[Any, _Cells]:
    """The workbook as a case file's mapping, and the cell of each field path.

    Raises :class:`WorkbookError` when the file is not a workbook; problems of its content are
    returned in ``cells.problems`` (with every rule of the case format still to check).
    """
    sheets, cells = read_sheets(path)
    return _Builder(sheets, cells).build(), cells


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


# --------------------------------------------------------------------------- cells -> mapping


class _Builder:
    def __init__(self, sheets: dict[str, list[_Row]], cells: _Cells):
        self.sheets, self.cells = sheets, cells

    def rows(self, name: str) -> list[_Row]:
        return self.sheets.get(name, [])

    def build(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        self.case_fields(data)
        self.criteria(data)
        options = self.options(data)
        self.scores(options)
        self.requirements(options)
        self.uses(options)
        self.simple_lists(data)
        self.weights(data)
        self.findings(data)
        return data

    # -- case sheet
    def case_fields(self, data: dict[str, Any]) -> None:
        paths = {name: tuple(p.split(".")) for name, p, _ in CASE_FIELDS}
        source: dict[str, Any] = {}
        self.criteria_meta: dict[str, Any] = {}
        self.criteria_ref: str | None = None
        seen: dict[str, str] = {}
        for row in self.rows("case"):
            name = row.get("field")
            if name is None:
                continue
            if name not in paths:
                self.cells.problem(f"unknown field {name!r}; the case sheet's fields are: "
                                   f"{', '.join(paths)}", "case", row.at("field"))
                continue
            if name in seen:
                self.cells.problem(f"field {name!r} is given twice (first on row {seen[name]})", "case", row.at("field"))
                continue
            seen[name] = str(row.number)
            path = paths[name]
            self.cells.put(path, "case", row.at("value"), name)  # messages name the field, not "value"
            value = row.get("value")
            if name == "criteria" and value is not None:
                self.criteria_ref = value.strip() if isinstance(value, str) else value
                continue
            if value is None:
                continue
            if path[0] == "source":
                source[path[1]] = value
            elif path[0] == "criteria":
                self.criteria_meta[path[1]] = value
            elif path[0] == "weights":
                data.setdefault("weights", {})["default"] = value.strip() if isinstance(value, str) else value
            else:
                data[path[0]] = value
            if name == "id" and isinstance(value, str):
                data["id"] = value.strip()
        for key in ("id", "title"):
            if key not in data and key not in seen:
                self.cells.problem(f"the case sheet has no {key!r} row", "case", "A1", (key,))
        sections = []
        for i, row in enumerate(self.rows("sections")):
            value = row.get("section", ("source", "sections", i))
            if value is not None:
                sections.append(value)
        if self.rows("sections"):
            self.rows("sections")[0].mark(("source", "sections"), "section")
        if sections:
            source["sections"] = sections
        if source:
            data["source"] = source

    # -- criteria sheet
    def criteria(self, data: dict[str, Any]) -> None:
        rows = self.rows("criteria")
        if self.criteria_ref is not None:
            if rows:
                self.cells.problem("the case sheet names a bundled criteria set and the criteria sheet holds one "
                                   "too: leave one of them empty", "case", self._case_row("criteria"), ("criteria",))
            data["criteria"] = self.criteria_ref
            return
        criteria: dict[str, Any] = dict(self.criteria_meta)
        if not rows:
            self.cells.problem("no criteria: fill the criteria sheet, or name a bundled criteria set in the "
                               "case sheet's criteria row", "criteria", "A2", ("criteria",))
            return
        ids = [row.get("id") for row in rows]
        parents = {row.get("parent") for row in rows} - {None}
        nodes: dict[str, tuple[dict[str, Any], tuple]] = {}
        top: list[dict[str, Any]] = []
        leaf_fields = {"direction": "direction", "value_function": "value_function"}
        scale_fields = {"scale_low": "low", "scale_high": "high", "low_means": "low_means",
                        "high_means": "high_means", "unit": "unit"}
        for row, ident in zip(rows, ids):
            parent = row.get("parent")
            if parent is None:
                container, path = top, ("criteria", "criteria", len(top))
            elif parent in nodes and "children" in nodes[parent][0]:
                node, ppath = nodes[parent]
                container, path = node["children"], ppath + ("children", len(node["children"]))
            else:
                known = parent in ids
                self.cells.problem(
                    f"parent {parent!r} " + ("must come on a row above its children" if known else
                                             "is not an id on the criteria sheet"), "criteria", row.at("parent"))
                continue
            node: dict[str, Any] = {}
            row.mark(path, "id")
            row.fill(node, path, {"id": "id", "name": "name", "description": "description", "weight": "weight"})
            if ident in parents:
                node["children"] = []
                for header in (*leaf_fields, *scale_fields):
                    if row.has(header):
                        self.cells.problem(f"{header} belongs to a leaf criterion, and {ident!r} is a group (rows "
                                           "name it as their parent): leave it empty", "criteria", row.at(header))
            else:
                row.fill(node, path, leaf_fields)
                scale: dict[str, Any] = {}
                row.mark(path + ("scale",), "scale_low")
                row.fill(scale, path + ("scale",), scale_fields)
                node["scale"] = scale
            if isinstance(ident, str) and ident not in nodes:
                nodes[ident] = (node, path)
            container.append(node)
        criteria["criteria"] = top
        for key, header in (("id", "criteria_id"), ("name", "criteria_name")):
            if key not in criteria:
                self.cells.problem(f"{header} is required when the criteria sheet holds the value tree",
                                   "case", self._case_row(header), ("criteria", key))
        data["criteria"] = criteria

    def _case_row(self, field_name: str) -> str:
        for row in self.rows("case"):
            if row.values.get("field") == field_name:
                return row.at("value")
        return "A1"

    # -- options and what hangs on them
    def options(self, data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], tuple, _Row]]:
        options: dict[str, tuple[dict[str, Any], tuple, _Row]] = {}
        out = []
        for i, row in enumerate(self.rows("options")):
            path = ("options", i)
            option: dict[str, Any] = {}
            row.mark(path, "id")
            row.fill(option, path, {"id": "id", "name": "name", "description": "description", "actors": "actors",
                                    "baseline": "baseline", "depends_on": "depends_on", "excludes": "excludes"})
            option["scores"] = {}
            row.mark(path + ("scores",), "id")
            ident = option.get("id")
            if isinstance(ident, str) and ident not in options:
                options[ident] = (option, path, row)
            out.append(option)
        data["options"] = out
        # stages
        for row in self.rows("stages"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            stages = option.setdefault("stages", [])
            spath = path + ("stages", len(stages))
            stage: dict[str, Any] = {"requires": []}
            row.mark(spath, "stage")
            row.mark(spath + ("requires",), "stage")
            row.fill(stage, spath, {"stage": "id", "name": "name"})
            row.evidence(stage, spath)
            stages.append(stage)
        return options

    def _option(self, options, row: _Row):
        ident = row.get("option")
        if ident is None:
            self.cells.problem("option is required: the id of an option on the options sheet",
                               row.sheet.name, row.at("option"))
            return None
        if ident not in options:
            self.cells.problem(f"unknown option {ident!r}: not an id on the options sheet", row.sheet.name,
                               row.at("option"))
            return None
        return options[ident]

    def _stage(self, option: dict[str, Any], path: tuple, row: _Row) -> tuple[dict[str, Any], tuple] | None:
        ident = row.get("stage")
        for k, stage in enumerate(option.get("stages", [])):
            if stage.get("id") == ident:
                return stage, path + ("stages", k)
        self.cells.problem(f"unknown stage {ident!r} of option {option.get('id')!r}: not on the stages sheet",
                           row.sheet.name, row.at("stage"))
        return None

    def scores(self, options) -> None:
        shape = {h: h for h in ("kind", "value", "low", "mode", "high", "shape", "mean", "sd", "mu", "sigma",
                                "values", "probabilities")}
        for row in self.rows("scores"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            outcome = row.get("outcome") or "planned"
            if outcome not in ("planned", "failure"):
                self.cells.problem(f"outcome must be planned or failure (given: {outcome!r})", "scores",
                                   row.at("outcome"))
                continue
            if row.has("stage"):
                if outcome != "failure":
                    self.cells.problem("a stage is given only for a failure outcome", "scores", row.at("stage"))
                    continue
                found = self._stage(option, path, row)
                if found is None:
                    continue
                holder, hpath = found[0].setdefault("failure", {}), found[1] + ("failure",)
            else:
                key = "scores" if outcome == "planned" else "failure"
                holder, hpath = option.setdefault(key, {}), path + (key,)
            criterion = row.get("criterion")
            if criterion is None:
                self.cells.problem("criterion is required: a leaf criterion's id", "scores", row.at("criterion"))
                continue
            if criterion in holder:
                first = self.cells.cells[self.cells.lines[hpath + (criterion,)] - 1][1]
                self.cells.problem(f"{criterion!r} is scored twice for this outcome of {option.get('id')!r} "
                                   f"(first in {first})", "scores", row.at("criterion"))
                continue
            spath = hpath + (criterion,)
            score: dict[str, Any] = {}
            row.fill(score, spath, shape)
            row.mark(spath, "kind")  # a problem of the distribution as a whole (an unknown kind, low > high)
            row.evidence(score, spath)
            if "kind" not in score:
                score["kind"] = "point"
            holder[criterion] = score

    def requirements(self, options) -> None:
        for row in self.rows("requirements"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            if row.has("stage"):
                found = self._stage(option, path, row)
                if found is None:
                    continue
                stage, spath = found
                extra = [h for h in ("soft", "penalty", "consequence", "section", "rationale", "assumption")
                         if row.has(h)]
                if extra:
                    self.cells.problem(f"a stage's requirement is hard and carries no {extra[0]} (evidence for a "
                                       "stage goes on the stages sheet)", "requirements", row.at(extra[0]))
                    continue
                value = row.get("precondition", spath + ("requires", len(stage["requires"])))
                stage["requires"].append(value)
                continue
            requires = option.setdefault("requires", [])
            rpath = path + ("requires", len(requires))
            requirement: dict[str, Any] = {}
            row.mark(rpath, "precondition")
            row.fill(requirement, rpath, {"precondition": "precondition", "soft": "soft", "penalty": "penalty",
                                          "consequence": "consequence"})
            row.evidence(requirement, rpath)
            requires.append(requirement)

    def uses(self, options) -> None:
        for row in self.rows("uses"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            uses = option.setdefault("uses", {})
            resource = row.get("resource")
            if resource is None:
                self.cells.problem("resource is required", "uses", row.at("resource"))
                continue
            if resource in uses:
                self.cells.problem(f"{option.get('id')!r} uses {resource!r} on two rows", "uses", row.at("resource"))
                continue
            row.mark(path + ("uses",), "option")
            uses[resource] = row.get("amount", path + ("uses", resource))

    # -- plain lists
    def simple_lists(self, data: dict[str, Any]) -> None:
        specs = {
            "preconditions": {"id": "id", "question": "question"},
            "correlations": {"rho": "rho"},
            "common_mode": {"criteria": "criteria", "rho": "rho"},
            "enablers": {"option": "option", "precondition": "precondition", "add": "add",
                         "odds_ratio": "odds_ratio", "to": "to"},
            "resources": {"id": "id", "name": "name", "unit": "unit", "budget": "budget"},
            "strategies": {"id": "id", "name": "name", "options": "options", "description": "description"},
        }
        for name, headers in specs.items():
            items = []
            for i, row in enumerate(self.rows(name)):
                path = (name, i)
                item: dict[str, Any] = {}
                row.mark(path, next(iter(headers)) if name != "correlations" else "precondition_a")
                row.fill(item, path, headers)
                if name == "preconditions":
                    self._probability(row, item, path)
                if name == "correlations":
                    row.mark(path + ("between",), "precondition_a")
                    pair = [row.get("precondition_a", path + ("between", 0)),
                            row.get("precondition_b", path + ("between", 1))]
                    item["between"] = pair
                if name not in ("resources", "strategies"):
                    row.evidence(item, path)
                items.append(item)
            if items:
                data[name] = items

    def _probability(self, row: _Row, item: dict[str, Any], path: tuple) -> None:
        given = [h for h in ("probability", "low", "high", "alpha", "beta") if row.has(h)]
        ppath = path + ("probability",)
        if given == ["probability"]:
            item["probability"] = row.get("probability", ppath)  # a bare number, as in a case file
            return
        if given and set(given) <= {"low", "high"}:
            row.mark(ppath, given[0])
            item["probability"] = {}
            row.fill(item["probability"], ppath, {"low": "low", "high": "high"})
            return
        if given and set(given) <= {"alpha", "beta"}:
            row.mark(ppath, given[0])
            item["probability"] = {}
            row.fill(item["probability"], ppath, {"alpha": "alpha", "beta": "beta"})
            return
        header = given[1] if len(given) > 1 else "probability"
        self.cells.problem("give the probability of yes in one way: a number in probability, or low and high (an "
                           "interval), or alpha and beta (a Beta distribution)"
                           + (f"; this row gives {', '.join(given)}" if given else ""),
                           row.sheet.name, row.at(header), ppath)

    # -- weights
    def weights(self, data: dict[str, Any]) -> None:
        weights = data.get("weights", {})
        profiles: dict[str, tuple[dict[str, Any], tuple]] = {}
        out = []
        for i, row in enumerate(self.rows("profiles")):
            path = ("weights", "profiles", i)
            profile: dict[str, Any] = {}
            row.mark(path, "id")
            row.fill(profile, path, {"id": "id", "name": "name", "stakeholder": "stakeholder", "method": "method"})
            row.evidence(profile, path)
            if isinstance(profile.get("id"), str) and profile["id"] not in profiles:
                profiles[profile["id"]] = (profile, path)
            out.append(profile)
        for sheet, key in (("weights", "weights"), ("comparisons", "comparisons")):
            for row in self.rows(sheet):
                ident = row.get("profile")
                if ident not in profiles:
                    self.cells.problem(f"unknown profile {ident!r}: not an id on the profiles sheet" if ident else
                                       "profile is required: an id on the profiles sheet", sheet, row.at("profile"))
                    continue
                profile, path = profiles[ident]
                if key == "weights":
                    node = row.get("node")
                    entries = profile.setdefault("weights", {})
                    if node is None:
                        self.cells.problem("node is required: a criterion or group", sheet, row.at("node"))
                        continue
                    if node in entries:
                        self.cells.problem(f"profile {ident!r} weighs {node!r} on two rows", sheet, row.at("node"))
                        continue
                    epath = path + ("weights", node)
                    row.mark(path + ("weights",), "node")
                    entry: dict[str, Any] = {}
                    row.mark(epath, "weight")
                    row.fill(entry, epath, {"weight": "value"})
                    row.evidence(entry, epath)
                    entries[node] = entry
                else:
                    comparisons = profile.setdefault("comparisons", [])
                    cpath = path + ("comparisons", len(comparisons))
                    comparison: dict[str, Any] = {}
                    row.mark(cpath, "parent")
                    row.fill(comparison, cpath, {"parent": "parent", "order": "order", "matrix": "matrix"})
                    row.evidence(comparison, cpath)
                    comparisons.append(comparison)
        if out:
            weights["profiles"] = out
        imprecise = []
        for i, row in enumerate(self.rows("imprecise")):
            path = ("weights", "imprecise", i)
            statement: dict[str, Any] = {}
            interval = [h for h in ("node", "low", "high") if row.has(h)]
            order = [h for h in ("greater", "lesser") if row.has(h)]
            if interval and order:
                self.cells.problem("a statement is an interval (node, low, high) or an order (greater, lesser), "
                                   "not both", "imprecise", row.at(order[0]), path)
                continue
            row.mark(path, (interval or order or ["node"])[0])
            row.fill(statement, path, {"greater": "greater", "lesser": "lesser"} if order else
                     {"node": "node", "low": "low", "high": "high"})
            row.evidence(statement, path)
            imprecise.append(statement)
        if imprecise:
            weights["imprecise"] = imprecise
        if weights:
            data["weights"] = weights

    def findings(self, data: dict[str, Any]) -> None:
        findings: dict[str, tuple[dict[str, Any], tuple]] = {}
        out = []
        for i, row in enumerate(self.rows("findings")):
            path = ("findings", i)
            finding: dict[str, Any] = {"claims": []}
            row.mark(path, "id")
            row.mark(path + ("claims",), "id")
            row.fill(finding, path, {"id": "id", "statement": "statement"})
            row.evidence(finding, path)
            if isinstance(finding.get("id"), str) and finding["id"] not in findings:
                findings[finding["id"]] = (finding, path)
            out.append(finding)
        for row in self.rows("claims"):
            ident = row.get("finding")
            if ident not in findings:
                self.cells.problem(f"unknown finding {ident!r}: not an id on the findings sheet" if ident else
                                   "finding is required: an id on the findings sheet", "claims", row.at("finding"))
                continue
            finding, path = findings[ident]
            cpath = path + ("claims", len(finding["claims"]))
            claim: dict[str, Any] = {}
            row.mark(cpath, "better")
            row.fill(claim, cpath, {"better": "better", "than": "than", "precondition_matters": "precondition_matters"})
            finding["claims"].append(claim)
        if out:
            data["findings"] = out


# --------------------------------------------------------------------------- validation


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
