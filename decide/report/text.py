"""Words and numbers as every section of the report writes them: one notation throughout.

Uncertainty is always ``x ± se``, one Monte Carlo standard error, in the unit of ``x`` (value
points on the 0–1 scale, or percentage points after a percentage); a standard error shows its
first significant digit (``0.0003``, never ``0.000``). Case text goes through
:func:`~decide.tables.escape_markdown`, ids through :func:`code`.
"""

from __future__ import annotations

import re

import numpy as np

from decide.tables import escape_markdown, format_cell, one_line

__all__ = ["PM_NOTE", "TIES", "pct", "num", "se", "signed", "pm", "pct_pm", "and_list", "code", "names",
           "escaped_names", "weights_label", "figure", "question", "count_words"]

PM_NOTE = "± is one Monte Carlo standard error, here and throughout"
TIES = "Ranks: 1 + the number of options strictly better; tied options share the tied ranks in equal fractions."


def pct(p: float | None, error: float | None = None) -> str:
    """``12.3%``, or ``12.3% ± 0.4`` (percentage points) with a standard error."""
    if p is None or not np.isfinite(p):
        return "–"
    out = f"{100 * p:.1f}%"
    return out + (f" ± {se(100 * error, 1)}" if error is not None and np.isfinite(error) and error > 0 else "")


def num(x: float, digits: int = 3) -> str:
    return format_cell(float(x), digits)


def se(x: float, digits: int = 3) -> str:
    """A standard error with at least its first significant digit (0.0003, not 0.000)."""
    x = float(x)
    if not np.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    if x >= 10 ** -digits:
        return f"{x:.{digits}f}"
    return f"{x:.{min(int(-np.floor(np.log10(x))), 8)}f}"


def signed(x: float, digits: int = 3) -> str:
    return ("+" if x >= 0 else "−") + f"{abs(float(x)):.{digits}f}"


def pm(x: float, error: float, digits: int = 3, *, sign: bool = False) -> str:
    """``0.115 ± 0.0009``: a value and its standard error (a value below 0.001 with one more digit)."""
    if 0 < abs(float(x)) < 10 ** -digits:
        digits += 1
    return f"{signed(x, digits) if sign else num(x, digits)} ± {se(error, digits)}"


def pct_pm(p: float, error: float) -> str:
    return pct(p, error)


def and_list(items: list[str]) -> str:
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def code(text: object, *, in_table: bool = False) -> str:
    """``text`` (an id, a path, a command) as a code span on one line: fenced by more backticks
    than any run of them inside it; in a table cell, with ``|`` escaped (as GFM tables require)."""
    text = one_line(text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if in_table:
        text = text.replace("|", r"\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def names(a) -> dict[str, str]:
    """Option id -> name as the case gives it (for tables, which escape their cells)."""
    return dict(zip(a.arrays.option_ids, a.arrays.option_names))


def escaped_names(a) -> dict[str, str]:
    """Option id -> name escaped for a sentence."""
    return {o: escape_markdown(name) for o, name in names(a).items()}


def weights_label(a) -> str:
    w = a.context.weights
    if w is None:
        return f"profile {code(a.arrays.default_profile)} (the case's default)" if a.arrays.default_profile else \
            "the criteria set's own weights"
    return {"imprecise": "drawn uniformly from the case's imprecise weight statements",
            "uniform": "drawn uniformly from the simplex (nothing known)",
            "profiles": "a mixture of the stakeholder profiles"}.get(w, f"profile {code(w)}")


def figure(figures: dict[str, str], key: str, alt: str) -> str:
    return f"![{alt}]({figures[key]})\n" if key in figures else ""


def question(a, q: str) -> str:
    return next(p.question for p in a.case.preconditions if p.id == q)


_COUNTS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
           10: "ten", 11: "eleven", 12: "twelve"}


def count_words(n: int) -> str:
    return _COUNTS.get(n, str(n))
