"""Render DataFrames as terminal tables, Markdown, CSV or JSON (no optional dependencies)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection
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


# Line breaks (and every other control character: a terminal obeys escape sequences) in text.
_BREAKS = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")
# Backslash escapes for the characters that start code, links and images, table cells and (in
# GitHub's and many other renderers) $-maths; ( ) ! need none once [ is escaped.
_ACTIVE = re.compile(r"[\\`\[\]|$]")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # an & that would start an entity; R&D stays as it is
_DELIMITERS = re.compile(r"_+|\*+|~+")  # emphasis and strikethrough
# What opens a heading, list item or thematic break when text starts a line (a list item's, say).
# The escape goes before the marker, or between an ordered list item's number and its . or ).
_BLOCK_START = re.compile(r"^(\d{1,9}(?=[.)](?:[ \t]|$))|(?=#{1,6}(?:[ \t]|$)|[-+](?:[ \t]|$|-)))")


def one_line(text: object) -> str:
    """``text`` on one line: line breaks and other control characters become one space."""
    return _BREAKS.sub(" ", str(text)).strip()


def escape_markdown(text: object) -> str:
    r"""Text from a case as literal Markdown, for a paragraph, list item, emphasis or table cell.

    Rendered by any CommonMark renderer (GitHub's tables and maths included) it shows the text as
    written, on one line: ``<`` and ``>`` become entities, so no HTML tag, script or autolink can
    form; characters that would start a link, image, code span, emphasis, table cell or maths are
    escaped with a backslash; a heading or list marker at the start is escaped. Ordinary prose is
    left readable: full stops, hyphens, apostrophes, parentheses, ``R&D``, ``a ~ b`` and the
    underscores inside ``snake_case`` are left alone.

    Examples
    --------
    >>> escape_markdown("[click](javascript:alert(1)) <b>|</b>")
    '\\[click\\](javascript:alert(1)) &lt;b&gt;\\|&lt;/b&gt;'
    >>> escape_markdown("Humanitarian aid (US and EU), Mali's north - 5.5 bn.")
    "Humanitarian aid (US and EU), Mali's north - 5.5 bn."
    """
    text = _ACTIVE.sub(r"\\\g<0>", one_line(text))
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _DELIMITERS.sub(lambda m: m[0] if _inert(m) else "".join("\\" + c for c in m[0]), text)
    return _BLOCK_START.sub(r"\1\\", text, count=1)


def _inert(match: re.Match[str]) -> bool:
    # A run of * _ or ~ between two spaces (a ~ b), or of _ between two letters or digits
    # (snake_case), can neither open nor close emphasis or strikethrough.
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or end == len(text):
        return False
    before, after = text[start - 1], text[end]
    return (before.isspace() and after.isspace()) or (match[0][0] == "_" and before.isalnum() and after.isalnum())


def _cells(frame: pd.DataFrame, digits: int, index: bool, text: Callable[[Any], str],
           markdown: Collection[str] = ()) -> tuple[list[str], list[list[str]]]:
    """Header and rows as strings; labels and text cells through ``text``, numbers formatted,
    cells of the ``markdown`` columns as they are."""
    def cell(value: Any, column: str) -> str:
        if column in markdown or value is None or isinstance(value, (float, int, np.number, np.bool_)):
            return format_cell(value, digits)
        return text(format_cell(value, digits))

    head = ([text(frame.index.name or "")] if index else []) + [text(c) for c in frame.columns]
    columns = [str(c) for c in frame.columns]
    rows = [([text(i)] if index else []) + [cell(v, c) for v, c in zip(row, columns)]
            for i, row in zip(frame.index, frame.itertuples(index=False))]
    return head, rows


def markdown_table(frame: pd.DataFrame, digits: int = 3, index: bool = True,
                   markdown: Collection[str] = ()) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned.

    Labels and text cells are escaped (:func:`escape_markdown`): a case's names can neither break
    the table nor become markup. Cells of the columns named in ``markdown`` are Markdown already
    and are written as they are (their author escapes any text in them, and ``|`` as ``\\|``).
    """
    head, rows = _cells(frame, digits, index, escape_markdown, markdown)
    numeric = ([False] if index else []) + [pd.api.types.is_numeric_dtype(t) for t in frame.dtypes]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(" ---: " if n else " --- " for n in numeric) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(frame: pd.DataFrame, digits: int = 3, index: bool = True) -> str:
    """A plain fixed-width table for the terminal, one line a row."""
    head, rows = _cells(frame, digits, index, one_line)
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
