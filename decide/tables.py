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


def terminal_width() -> int | None:
    """The width to fit terminal tables to: the terminal's columns (``COLUMNS`` where set) when
    standard output is a terminal; None (full width, one line a row) when it is piped or redirected."""
    import shutil
    import sys

    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size((100, 24)).columns


def _with_errors(frame: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Each ``X`` with an ``X_se`` column as one text column ``X (se)``: "0.512 (0.003)", or
    "0.451 (4e-5)" where the error is below the last place shown. ASCII only, so that a
    terminal's width in characters is its width in bytes too (tools such as mawk count bytes)."""
    out = frame.copy()
    for column in list(frame.columns):
        error = f"{column}_se"
        if error not in frame.columns or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        # Without an error (one draw) the value keeps its place, so the columns of digits line up.
        blank = " " * (len(" ()") + len(format_cell(0.0, digits)))
        out[column] = [_plus_minus(v, e, digits, blank) for v, e in zip(frame[column], frame[error])]
        out = out.drop(columns=error).rename(columns={column: f"{column} (se)"})
    return out


def _plus_minus(value: Any, error: Any, digits: int, blank: str) -> str:
    # The value as every number of the table; its error to one significant digit, in scientific
    # notation below the last shown place ("0.451 (4e-5)"), so the column stays narrow.
    if not isinstance(value, (float, int, np.number)) or not isinstance(error, (float, int, np.number)):
        return format_cell(value, digits)
    if not np.isfinite(error) or not np.isfinite(value):
        return format_cell(value, digits) + blank
    if error >= 0.5 * 10.0 ** -digits or error == 0:
        shown = f"{error:.{digits}f}"
    else:
        mantissa, exponent = f"{error:.0e}".split("e")
        shown = f"{mantissa}e{int(exponent)}"
    return f"{value:.{digits}f} ({shown})"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 3, 0)] + "..."


def text_table(frame: pd.DataFrame, digits: int = 3, index: bool = True, *, width: int | None = None,
               overflow: Literal["drop", "wrap"] = "drop", keep: Collection[str] = (),
               priority: Collection[str] = (), min_text: int = 16, wrap_text: bool = False) -> str:
    """A plain fixed-width table for the terminal, one line a row; numbers right-aligned.

    A column ``X`` with a standard-error column ``X_se`` shows as ``X (se)``. With ``width`` (see
    :func:`terminal_width`), a table wider than that is made to fit: long text cells are cut
    (to ``min_text`` characters at least, ending in ...), then with ``overflow="drop"`` columns are
    left out, least important first (the reverse of ``priority``, then of the frame's order;
    never those in ``keep``) and a last line names them; with ``overflow="wrap"`` the columns go
    on in further blocks under the first, each with the index column. With ``wrap_text``, long
    text cells go on over further lines of their row (at spaces) instead of being cut.
    """
    frame = _with_errors(frame, digits)
    head, rows = _cells(frame, digits, index, one_line)
    lead = 1 if index else 0
    numeric = ([False] * lead) + [pd.api.types.is_numeric_dtype(t) or str(c).endswith(" (se)")
                                  for c, t in zip(frame.columns, frame.dtypes)]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    columns = list(range(len(head)))

    def total(chosen: list[int]) -> int:
        return sum(widths[i] for i in chosen) + 2 * (len(chosen) - 1)

    left_out: list[str] = []
    if width is not None and total(columns) > width:
        # Cut the longest text columns first, never below min_text or their header.
        texts = [i for i in columns[lead:] if not numeric[i]]
        while total(columns) > width and texts:
            i = max(texts, key=lambda j: widths[j])
            floor = max(min_text, len(head[i]))
            if widths[i] <= floor:
                texts.remove(i)
                continue
            widths[i] = max(floor, widths[i] - (total(columns) - width))
        if overflow == "drop":
            names = [str(c) for c in frame.columns]
            rank = {name: k for k, name in enumerate(priority)}
            order = sorted(columns[lead:], key=lambda i: (rank.get(names[i - lead].removesuffix(" (se)"), len(rank)),
                                                          i))
            for i in reversed(order):
                if total(columns) <= width:
                    break
                if names[i - lead].removesuffix(" (se)") in keep or len(columns) <= lead + 1:
                    continue
                columns.remove(i)
                left_out.append(head[i])
            left_out.reverse()
    def fmt(row: list[str], chosen: list[int]) -> str:
        if wrap_text and any(not numeric[i] and len(row[i]) > widths[i] for i in chosen):
            import textwrap

            pieces = {i: textwrap.wrap(row[i], widths[i], break_on_hyphens=False) or [""] for i in chosen}
            depth = max(len(p) for p in pieces.values())
            return "\n".join("  ".join((pieces[i][k] if k < len(pieces[i]) else "").rjust(widths[i]) if numeric[i]
                                        else (pieces[i][k] if k < len(pieces[i]) else "").ljust(widths[i])
                                        for i in chosen).rstrip() for k in range(depth))
        return "  ".join(_shorten(row[i], widths[i]).rjust(widths[i]) if numeric[i]
                         else _shorten(row[i], widths[i]).ljust(widths[i]) for i in chosen).rstrip()

    blocks = [columns]
    if width is not None and overflow == "wrap" and total(columns) > width:
        blocks, current = [], columns[:lead]
        for i in columns[lead:]:
            if len(current) > lead and total(current + [i]) > width:
                blocks.append(current)
                current = columns[:lead]
            current = current + [i]
        blocks.append(current)
    parts = ["\n".join([fmt(head, b), "  ".join("-" * widths[i] for i in b), *(fmt(r, b) for r in rows)])
             for b in blocks]
    text = "\n\n".join(parts)
    if left_out:
        import textwrap

        text += "\n" + textwrap.fill(
            f"({len(left_out)} column{'s' if len(left_out) != 1 else ''} left out to fit {width} columns: "
            f"{', '.join(left_out)}; choose with --columns, or see all with --format csv)", width=max(width, 20))
    return text


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
