"""A case (or a blank template) laid out as a workbook, by :mod:`decide.workbook.layout`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from decide.errors import DecideError
from decide.files import replace_file
from decide.spec import Case, CriteriaGroup, Evidence, IntervalProbability, BetaProbability, WeightInterval
from decide.workbook.layout import CASE_FIELDS, HOW_TO_FILL, LIST_ROWS, SHEETS, Column, Sheet

__all__ = ["case_rows", "write_case_workbook", "write_template", "save_atomically"]

Row = dict[str, Any]


def _number(x: float | None) -> float | int | None:
    """A number as a cell holds it: whole numbers as integers (exact either way)."""
    if x is None:
        return None
    if isinstance(x, float) and x.is_integer() and abs(x) < 2 ** 53:
        return int(x)
    return x


def _numbers(xs: Iterable[float]) -> str:
    return "; ".join(repr(_number(x)) for x in xs)


def _evidence(e: Evidence | None) -> Row:
    if e is None:
        return {}
    return {"section": e.section, "rationale": e.rationale, "assumption": True if e.assumption else None}


def _score(option: str, outcome: str, stage: str | None, criterion: str, score: Any) -> Row:
    row: Row = {"option": option, "outcome": outcome, "stage": stage, "criterion": criterion, "kind": score.kind}
    for name in ("value", "low", "mode", "high", "shape", "mean", "sd", "mu", "sigma"):
        if name in type(score).model_fields:
            row[name] = _number(getattr(score, name))
    if score.kind == "discrete":
        row["values"] = _numbers(score.values)
        row["probabilities"] = _numbers(score.probabilities)
    row.update(_evidence(score.evidence))
    return row


def _actors(actors: list[str]) -> str | None:
    if not actors:
        return None
    return ("\n" if any(";" in a for a in actors) else "; ").join(actors)


def _ids(ids: Iterable[str]) -> str | None:
    return ", ".join(ids) or None


def case_rows(case: Case) -> dict[str, list[Row]]:
    """Every sheet's rows for ``case``: header -> value (numbers as numbers, lists as text)."""
    rows: dict[str, list[Row]] = {sheet.name: [] for sheet in SHEETS}
    source = case.source
    criteria = case.criteria
    values = {
        "id": case.id, "title": case.title, "description": case.description or None,
        "criteria_id": criteria.id, "criteria_name": criteria.name,
        "criteria_description": criteria.description or None,
        "default_profile": case.weights.default,
        "source_title": source.title if source else None,
        "source_author": (source.author or None) if source else None,
        "source_publisher": (source.publisher or None) if source else None,
        "source_date": (source.date or None) if source else None,
        "source_description": (source.description or None) if source else None,
    }
    rows["case"] = [{"field": name, "value": values.get(name), "what": what} for name, _, what in CASE_FIELDS]
    if source is not None:
        rows["sections"] = [{"section": s} for s in source.sections]

    def walk(nodes: list[Any], parent: str | None) -> None:
        for node in nodes:
            row: Row = {"id": node.id, "name": node.name, "parent": parent, "weight": _number(node.weight),
                        "description": node.description or None}
            if not isinstance(node, CriteriaGroup):
                row.update({
                    "direction": node.direction.value, "scale_low": _number(node.scale.low),
                    "scale_high": _number(node.scale.high), "low_means": node.scale.low_means,
                    "high_means": node.scale.high_means, "unit": node.scale.unit,
                    "value_function": ("; ".join(f"{_number(x)!r}: {_number(v)!r}" for x, v in node.value_function)
                                       if node.value_function is not None else None),
                })
            rows["criteria"].append(row)
            if isinstance(node, CriteriaGroup):
                walk(node.children, node.id)

    walk(criteria.criteria, None)

    for option in case.options:
        rows["options"].append({
            "id": option.id, "name": option.name, "actors": _actors(option.actors),
            "baseline": True if option.baseline else None, "depends_on": _ids(option.depends_on),
            "excludes": _ids(option.excludes), "description": option.description or None})
        for crit, score in option.scores.items():
            rows["scores"].append(_score(option.id, "planned", None, crit, score))
        for crit, score in option.failure.items():
            rows["scores"].append(_score(option.id, "failure", None, crit, score))
        for req in option.requires:
            rows["requirements"].append({
                "option": option.id, "precondition": req.precondition, "soft": True if req.soft else None,
                "penalty": _number(req.penalty),
                "consequence": "; ".join(f"{k}: {_number(v)!r}" for k, v in req.consequence.items()) or None,
                **_evidence(req.evidence)})
        for stage in option.stages:
            rows["stages"].append({"option": option.id, "stage": stage.id, "name": stage.name or None,
                                   **_evidence(stage.evidence)})
            for q in stage.requires:
                rows["requirements"].append({"option": option.id, "precondition": q, "stage": stage.id})
            for crit, score in stage.failure.items():
                rows["scores"].append(_score(option.id, "failure", stage.id, crit, score))
        for resource, amount in option.uses.items():
            rows["uses"].append({"option": option.id, "resource": resource, "amount": _number(amount)})

    for q in case.preconditions:
        p = q.probability
        row = {"id": q.id, "question": q.question}
        if isinstance(p, IntervalProbability):
            row.update(low=_number(p.low), high=_number(p.high))
        elif isinstance(p, BetaProbability):
            row.update(alpha=_number(p.alpha), beta=_number(p.beta))
        else:
            row["probability"] = _number(p.value)
        rows["preconditions"].append({**row, **_evidence(q.evidence)})
    for c in case.correlations:
        rows["correlations"].append({"precondition_a": c.between[0], "precondition_b": c.between[1],
                                     "rho": _number(c.rho), **_evidence(c.evidence)})
    for m in case.common_mode:
        rows["common_mode"].append({"criteria": _ids(m.criteria), "rho": _number(m.rho), **_evidence(m.evidence)})
    for e in case.enablers:
        rows["enablers"].append({"option": e.option, "precondition": e.precondition, "add": _number(e.add),
                                 "odds_ratio": _number(e.odds_ratio), "to": _number(e.to), **_evidence(e.evidence)})
    for r in case.resources:
        rows["resources"].append({"id": r.id, "name": r.name, "unit": r.unit or None, "budget": _number(r.budget)})
    for profile in case.weights.profiles:
        rows["profiles"].append({"id": profile.id, "name": profile.name, "stakeholder": profile.stakeholder or None,
                                 "method": profile.method.value, **_evidence(profile.evidence)})
        for node, entry in profile.weights.items():
            rows["weights"].append({"profile": profile.id, "node": node, "weight": _number(entry.value),
                                    **_evidence(entry.evidence)})
        for comparison in profile.comparisons:
            rows["comparisons"].append({
                "profile": profile.id, "parent": comparison.parent, "order": _ids(comparison.order),
                "matrix": "; ".join(", ".join(repr(_number(x)) for x in row) for row in comparison.matrix),
                **_evidence(comparison.evidence)})
    for statement in case.weights.imprecise:
        if isinstance(statement, WeightInterval):
            row = {"node": statement.node, "low": _number(statement.low), "high": _number(statement.high)}
        else:
            row = {"greater": statement.greater, "lesser": statement.lesser}
        rows["imprecise"].append({**row, **_evidence(statement.evidence)})
    for finding in case.findings:
        rows["findings"].append({"id": finding.id, "statement": finding.statement, **_evidence(finding.evidence)})
        for claim in finding.claims:
            rows["claims"].append({"finding": finding.id, "better": claim.better, "than": claim.than,
                                   "precondition_matters": claim.precondition_matters})
    for strategy in case.strategies:
        rows["strategies"].append({"id": strategy.id, "name": strategy.name, "options": _ids(strategy.options),
                                   "description": strategy.description or None})
    return rows


def write_case_workbook(case: Case, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``case`` as a workbook that :func:`decide.workbook.read.import_workbook` reads back to
    an equal case."""
    return save_atomically(_workbook(case_rows(case)), path, overwrite=overwrite)


def write_template(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a blank case workbook: headers, help on each header, lists to pick from, a how-to sheet."""
    blank = {sheet.name: [] for sheet in SHEETS}
    blank["case"] = [{"field": name, "what": what} for name, _, what in CASE_FIELDS]
    return save_atomically(_workbook(blank), path, overwrite=overwrite)


def _workbook(rows: Mapping[str, list[Row]]):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from decide import __version__

    wb = Workbook()
    how = wb.active
    how.title = "how to fill"
    for i, line in enumerate(HOW_TO_FILL.splitlines(), start=1):
        cell = how.cell(row=i, column=1, value=line)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 1:
            cell.font = Font(bold=True, size=14)
    how.column_dimensions["A"].width = 120
    head_fill = PatternFill("solid", fgColor="DDE7F0")

    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        for j, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=j, value=column.header)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            if column.help:
                cell.comment = Comment(column.help, "decide", width=320, height=110)
            ws.column_dimensions[get_column_letter(j)].width = column.width
        ws.freeze_panes = "A2"
        for i, row in enumerate(rows.get(sheet.name, ()), start=2):
            for j, column in enumerate(sheet.columns, start=1):
                value = row.get(column.header)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=i, column=j, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text as text: '=...' is not a formula
                    if column.width >= 28:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _validations(ws, sheet, DataValidation, get_column_letter)
    wb.properties.creator = f"decide {__version__}"
    return wb


def _validations(ws, sheet: Sheet, DataValidation, get_column_letter) -> None:
    for j, column in enumerate(sheet.columns, start=1):
        formula = None
        if column.choices:
            formula = '"' + ",".join(column.choices) + '"'
        elif column.source:
            formula = f"={_quoted(column.source)}!$A$2:$A${LIST_ROWS}"
        if formula is None:
            continue
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorStyle="warning", error=_list_error(column), errorTitle=column.header)
        letter = get_column_letter(j)
        dv.add(f"{letter}2:{letter}{LIST_ROWS}")
        ws.add_data_validation(dv)


def _quoted(sheet_name: str) -> str:
    return f"'{sheet_name}'" if not sheet_name.isidentifier() else sheet_name


def _list_error(column: Column) -> str:
    if column.choices:
        return f"{column.header} is one of: {', '.join(column.choices)}"
    return f"{column.header} is an id from the {column.source} sheet's first column"


def save_atomically(workbook, path: str | Path, *, overwrite: bool = False) -> Path:
    """Save an openpyxl workbook to ``path`` whole or not at all (:func:`decide.files.replace_file`).

    An existing file is replaced only with ``overwrite``: nothing the user wrote is changed unasked.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise DecideError(f"{path}: a workbook's name ends in .xlsx")
    return replace_file(path, workbook.save, overwrite=overwrite)


def _is_nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)
