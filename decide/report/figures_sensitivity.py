"""Sensitivity charts for the report: the tornado of the value gap between the two leading options.

matplotlib is imported only when a chart is drawn, and through ``matplotlib.figure.Figure`` with
the Agg canvas, so drawing a report never switches the backend of a user's notebook session.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from decide.report.figures import _canvas_class, literal_text
from decide.tables import one_line

__all__ = ["plot_tornado"]

DPI = 110
_LOW_COLOUR = "#d08c3a"
_HIGH_COLOUR = "#3b6ea8"
_LABEL_WIDTH = 44


def plot_tornado(
    frame: pd.DataFrame,
    path: str | Path,
    top: int = 15,
    *,
    base_gap: float | None = None,
    leading_names: tuple[str, str] | None = None,
    title: str | None = None,
) -> Path:
    """Draw a tornado chart of the value gap and write it as a PNG.

    Parameters
    ----------
    frame
        The table from :func:`decide.sensitivity.tornado.tornado` (sorted by swing).
    path
        Where to write the PNG.
    top
        How many inputs to show (the largest swings).
    base_gap, leading_names
        The gap with every input central and the two options compared; default to
        ``frame.attrs`` (set by :func:`~decide.sensitivity.tornado.tornado`).
    title
        Chart title, drawn as given; a plain-language one by default. Every name from the case
        (options, criteria, questions) is drawn as written (:func:`~decide.report.figures.literal_text`).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    path = Path(path)
    base = float(frame.attrs.get("base_gap", 0.0) if base_gap is None else base_gap)
    first, second = map(one_line, leading_names or frame.attrs.get("leading_names", ("option 1", "option 2")))
    low_q, high_q = frame.attrs.get("percentiles", (5.0, 95.0))
    shown = frame.sort_values("swing", ascending=False, kind="stable").head(top)
    n_rows = max(len(shown), 1)

    fig = Figure(figsize=(9.5, 0.62 * n_rows + 2.3), dpi=DPI)
    ax = fig.add_subplot()
    y = np.arange(len(shown))[::-1]  # largest swing on top
    # Low and high ends side by side rather than overlaid: when both move the gap the same way, an
    # overlaid bar would hide the other (or read as stacked).
    ax.barh(y + 0.19, shown["gap_at_low"].to_numpy(float) - base, left=base, height=0.36, color=_LOW_COLOUR)
    ax.barh(y - 0.19, shown["gap_at_high"].to_numpy(float) - base, left=base, height=0.36, color=_HIGH_COLOUR)
    ax.set_yticks(y, [_label(row) for _, row in shown.iterrows()], fontsize=8)
    ax.set_ylim(-0.6, len(shown) - 0.4)

    handles = [Patch(color=_LOW_COLOUR, label=f"input at its {low_q:g}th percentile"),
               Patch(color=_HIGH_COLOUR, label=f"input at its {high_q:g}th percentile"),
               Line2D([], [], color="black", linewidth=1.2, label=f"base gap, every input central: {base:+.3f}")]
    ax.axvline(base, color="black", linewidth=1.2)
    values = np.r_[shown["gap_at_low"].to_numpy(float), shown["gap_at_high"].to_numpy(float), base]
    span = max(float(np.ptp(values)), 1e-3)
    lo, hi = float(values.min()) - 0.08 * span, float(values.max()) + 0.08 * span
    if lo <= 0.0 <= hi or abs(base) < 0.15 * span:
        # Where the gap crosses zero the lead changes hands; a reader must see that line.
        lo, hi = min(lo, -0.04 * span), max(hi, 0.04 * span)
        ax.axvline(0.0, color="#b22222", linestyle="--", linewidth=1.0)
        handles.append(Line2D([], [], color="#b22222", linestyle="--", linewidth=1.0,
                              label="no gap: beyond this line the lead changes"))
    ax.set_xlim(lo, hi)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("\n".join(
        _wrap(f"Expected value gap, {first} minus {second} (value points on the 0–1 scale)", 95)
        + _wrap(f"right of 0: {first} leads; left of 0: {second} leads", 95)))
    ax.set_title(title or "\n".join(_wrap(
        f"What moves the lead of {first} over {second}: each input swung alone, the others at their "
        "central values", 90)), fontsize=10)
    footnotes = list(frame.attrs.get("notes", ()))
    if not lo <= 0.0 <= hi:
        footnotes.insert(0, f"No single swing closes the gap: {first if base > 0 else second} leads throughout "
                            "(0 is off the chart).")
    if len(frame) > len(shown):
        footnotes.append(f"{len(frame) - len(shown)} inputs with smaller swings are not shown.")

    # Size the figure around the axes from the measured labels and the line counts below it, so
    # that everything lies inside and one draw suffices (a tight bounding box costs a second).
    wrapped = "\n".join(line for note in footnotes for line in _wrap(note, 150))
    canvas = _canvas_class()(fig)
    label = max((t.get_window_extent(canvas.get_renderer()).width for t in ax.get_yticklabels()), default=0.0) / DPI
    left, right, axes_w, axes_h = label + 0.25, 0.35, 7.4, 0.77 * (0.62 * n_rows + 2.3)
    top = 0.2 + 0.19 * (ax.get_title().count("\n") + 1)
    bottom = (0.45 + 0.19 * (ax.get_xlabel().count("\n") + 1) + 0.19 * -(-len(handles) // 2)
              + (0.15 + 0.13 * (wrapped.count("\n") + 1) if footnotes else 0.0))
    width, height = left + axes_w + right, top + axes_h + bottom
    fig.set_size_inches(width, height)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)

    # Stack legend and footnotes under the axes' actual extent (tick labels, two-line x label), so
    # nothing overlaps whatever the number of rows or the label lengths.
    renderer = canvas.get_renderer()
    to_figure = fig.transFigure.inverted()
    below = to_figure.transform(ax.get_tightbbox(renderer).p0)[1]
    legend = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, below - 0.01), ncol=2,
                        frameon=False, fontsize=8)
    lowest = legend.get_window_extent(renderer).y0
    if footnotes:
        below = to_figure.transform(legend.get_window_extent(renderer).p0)[1]
        left = to_figure.transform(ax.get_tightbbox(renderer).p0)[0]
        note = fig.text(left, below - 0.01, wrapped, fontsize=7, color="#444444", va="top", ha="left")
        lowest = note.get_window_extent(renderer).y0
    inside = lowest >= 0 and ax.get_tightbbox(renderer).x0 >= 0
    # Should the estimate fall short (unusual fonts), the tight box keeps everything in the picture.
    fig.savefig(path, dpi=DPI, bbox_inches=None if inside else "tight", metadata={"Software": None})
    return path


def _label(row: pd.Series) -> str:
    """Full input name in plain words, with the range it swings over, wrapped (never cut off)."""
    label = one_line(row["input"])
    kind, _, rest = label.partition(": ")
    low, high = float(row["low_value"]), float(row["high_value"])
    central = row.get("central_value", np.nan)
    if label.startswith("P("):
        name = f"Probability that {label[2:-1]} holds"
        span = f"{_percent(low)} to {_percent(high)}" + ("" if np.isnan(central) else f"; central {_percent(central)}")
    elif kind == "weight":
        name = f"Weight of {rest}"
        span = (f"{_percent(low)} to {_percent(high)} of total weight"
                + ("" if np.isnan(central) else f"; default {_percent(central)}"))
    else:
        option, _, criterion = rest.partition(" / ")
        name = (f"{option}: outcome on {criterion}" if kind == "score"
                else f"{option} if it fails: outcome on {criterion}")
        span = (f"{_number(low)} to {_number(high)} on the criterion's scale"
                + ("" if np.isnan(central) else f"; central {_number(central)}"))
    return "\n".join(_wrap(name, _LABEL_WIDTH) + [f"({span})"])


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, each drawn as written: wrapped before
    the dollars are escaped, so that no line break falls between a backslash and its dollar."""
    return [literal_text(line) for line in textwrap.wrap(one_line(text), width)]


def _number(x: float) -> str:
    """Two decimals at most, without trailing zeros (3, 0.54, 3.64)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _percent(x: float) -> str:
    """Whole percent, but one decimal below 10% so that 0.4% does not read as 0%."""
    return f"{x:.1%}" if abs(x) < 0.1 else f"{x:.0%}"
