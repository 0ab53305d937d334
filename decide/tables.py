"""Render DataFrames as terminal tables, Markdown, CSV or JSON (no optional dependencies)."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

import numpy as np
import pandas as pd

Format = Literal["table", "markdown", "json", "csv"]


def format_cell(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, (float, np.floating)):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{digits}f}"
    return str(value)


def _cells(frame: pd.DataFrame, digits: int, index: bool) -> tuple[list[str], list[list[str]]]:
    head = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    rows = [([str(i)] if index else []) + [format_cell(v, digits) for v in row]
            for i, row in zip(frame.index, frame.itertuples(index=False))]
    return head, rows


def markdown_table(frame: pd.DataFrame, digits: int = 3, index: bool = True) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned."""
    head, rows = _cells(frame, digits, index)
    numeric = ([False] if index else []) + [pd.api.types.is_numeric_dtype(t) for t in frame.dtypes]
    esc = lambda s: s.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(esc(h) for h in head) + " |",
             "|" + "|".join(" ---: " if n else " --- " for n in numeric) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(frame: pd.DataFrame, digits: int = 3, index: bool = True) -> str:
    """A plain fixed-width table for the terminal."""
    head, rows = _cells(frame, digits, index)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    numeric = ([False] if index else []) + [pd.api.types.is_numeric_dtype(t) for t in frame.dtypes]
    fmt = lambda row: "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric))  # noqa: E731
    return "\n".join([fmt(head), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas values to plain JSON types (NaN and inf become null)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.reset_index().to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    return value


def dumps_json(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)


def render(frame: pd.DataFrame, fmt: Format, digits: int = 3) -> str:
    """One DataFrame in the requested format (JSON as a list of records)."""
    if fmt == "markdown":
        return markdown_table(frame, digits)
    if fmt == "csv":
        return frame.to_csv()
    if fmt == "json":
        return dumps_json(frame)
    return text_table(frame, digits)
