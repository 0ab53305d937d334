"""Charts for the report (matplotlib, Agg backend, imported only when a report is drawn).

Every function takes plain DataFrames/Series labelled with readable names and writes one PNG.
Names come from the case and are drawn as written (:func:`literal_text`), never as mathtext.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from decide.tables import one_line

__all__ = ["literal_text", "plot_rank_acceptability", "plot_p_best", "plot_blockers", "plot_profiles",
           "plot_oneway_grid", "FigureJob", "figure_jobs", "draw_figures", "load_matplotlib", "chart_style", "STYLE"]

DPI = 110
PNG_COMPRESS_LEVEL = 1
"""zlib level of the charts' PNGs: level 1 encodes in about two thirds of the time of PIL's
default 6, for files 3-4% larger (measured on the Mali report's eleven charts)."""


def literal_text(text: object) -> str:
    r"""Text from a case as matplotlib draws it literally: on one line, each ``$`` escaped.

    A pair of unescaped dollars makes matplotlib parse the text between them as mathtext: "Pay
    $5bn now or $10bn later" would come out garbled, and an unknown command such as
    ``$\nosuchsymbol$`` would stop the drawing. matplotlib shows ``\$`` as a dollar.

    >>> literal_text("Pay $5bn now\nor $10bn later")
    'Pay \\$5bn now or \\$10bn later'
    """
    return one_line(text).replace("$", r"\$")


def _literal(labels) -> list[str]:
    return [literal_text(label) for label in labels]


STYLE = {"font.size": 9, "axes.titlesize": 10, "svg.hashsalt": "decide", "figure.dpi": DPI}
"""The report's matplotlib settings, applied only while a chart is drawn (:func:`chart_style`)."""


def load_matplotlib():
    """Import what the charts use (before the drawing process is forked, so that it starts with it).

    Nothing global changes: neither the backend nor ``rcParams`` (see :func:`chart_style`).
    """
    return _plt()


class _AggPyplot:
    """The part of pyplot the charts use, on Agg figures that pyplot never registers: drawing a
    report leaves a notebook's backend, its open figures and its settings as they were."""

    @staticmethod
    def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, dpi=None, **kwargs):
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, dpi=dpi)
        _canvas_class()(fig)
        return fig, fig.subplots(nrows, ncols, **kwargs)

    @staticmethod
    def get_cmap(name: str, lut: int | None = None):
        import matplotlib

        cmap = matplotlib.colormaps[name]
        return cmap if lut is None else cmap.resampled(lut)

    @property
    def Line2D(self):  # noqa: N802 - pyplot's name
        from matplotlib.lines import Line2D

        return Line2D


def _plt() -> _AggPyplot:
    import matplotlib.backends.backend_agg  # noqa: F401 - imported before the fork
    import matplotlib.figure  # noqa: F401

    _canvas_class()
    return _AggPyplot()


_CANVAS = None


def _canvas_class():
    """The Agg canvas the charts draw on: matplotlib's, with :func:`_fast_text_renderer`'s text
    drawing where that applies, writing opaque PNGs as RGB at :data:`PNG_COMPRESS_LEVEL`."""
    global _CANVAS
    if _CANVAS is None:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer_class = _fast_text_renderer()

        class Canvas(FigureCanvasAgg):
            def get_renderer(self):
                renderer = super().get_renderer()
                if renderer_class is not None and type(renderer) is not renderer_class:  # a new one
                    renderer.__class__ = renderer_class  # the same object, its text drawn faster
                return renderer

            def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_):
                # ``_``: what savefig passes every canvas outside matplotlib (dpi, facecolor, ...),
                # already applied to the figure.
                """matplotlib's PNG, but RGB when the picture is opaque (every chart of a report is:
                a quarter less to compress, files 10% smaller) and compressed at level 1."""
                from PIL import Image, PngImagePlugin

                FigureCanvasAgg.draw(self)
                rgba = self.buffer_rgba()
                image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
                if image.getextrema()[3][0] == 255:
                    image = image.convert("RGB")
                info = PngImagePlugin.PngInfo()
                software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
                for key, value in {"Software": software, **(metadata or {})}.items():
                    if value is not None:
                        info.add_text(key, value)
                image.save(filename_or_obj, format="png", dpi=(self.figure.dpi, self.figure.dpi),
                           **{"compress_level": PNG_COMPRESS_LEVEL, "pnginfo": info, **(pil_kwargs or {})})

        _CANVAS = Canvas
    return _CANVAS


def _fast_text_renderer():
    """An Agg renderer drawing each plain string as one bitmap, or None where matplotlib already does.

    matplotlib 3.11 draws text one glyph at a time from Python (to shape complex scripts with
    libraqm), which takes a quarter of a report's drawing time. For text without a complex script
    (every character below U+0590: Latin, Greek, Cyrillic, Armenian) and without font features,
    the string is laid out by FreeType as matplotlib <= 3.10 did, which is also how matplotlib
    measures every string's extent for the layout, and drawn in one call. Anything else, and
    mathtext, goes to matplotlib's own drawing.
    """
    import math

    from matplotlib.backends import backend_agg
    from matplotlib.ft2font import FT2Font

    base = backend_agg.RendererAgg
    if not hasattr(base, "_draw_text_glyphs_and_boxes") or not all(
            hasattr(FT2Font, name) for name in ("set_text", "draw_glyphs_to_bitmap", "get_bitmap_offset",
                                                "get_descent", "get_image")):
        return None

    class FastTextRenderer(base):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or max(map(ord, s), default=0) >= 0x590 or (mtext is not None and (
                    getattr(mtext, "get_fontfeatures", lambda: None)() is not None
                    or getattr(mtext, "get_language", lambda: None)() is not None)):
                return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            font = self._prepare_font(prop)
            font.set_text(s, 0, flags=backend_agg.get_hinting_flag())  # angle 0: the bitmap is rotated below
            font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
            descent = font.get_descent() / 64.0
            xo, yo = font.get_bitmap_offset()
            x = round(x + xo / 64.0 + descent * math.sin(math.radians(angle)))
            y = round(y + yo / 64.0 + descent * math.cos(math.radians(angle)))
            self._renderer.draw_text_image(font.get_image(), x, y + 1, angle, gc)

    return FastTextRenderer


@contextmanager
def chart_style() -> Iterator[None]:
    """The report's :data:`STYLE` in ``rcParams`` inside the block only."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def _styled(draw: Callable[[Path], None]) -> Callable[[Path], None]:
    def styled(path: Path) -> None:
        with chart_style():
            draw(path)

    return styled


def _save(fig, path: Path, tight: bool = False) -> None:
    # Metadata without the matplotlib version/date keeps PNGs reproducible. A tight bounding box
    # costs a second full draw, so every chart of the report lays itself out instead.
    fig.savefig(path, dpi=fig.dpi if not tight else DPI, bbox_inches="tight" if tight else None,
                metadata={"Software": None})


def _fit(fig, ax, *, plot_width: float = 6.3, right: float = 0.3, top: float = 0.45, bottom: float = 0.6) -> None:
    """Size a one-axes figure around its y tick labels: the left margin as wide as the longest
    label, fixed margins elsewhere (inches). Measuring the labels costs a little text layout; the
    ``bbox_inches="tight"`` it replaces costs a second draw of the whole figure."""
    renderer = fig.canvas.get_renderer()
    label = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0.0) / fig.dpi
    left = label + 0.25  # tick marks and padding
    width, height = left + plot_width + right, fig.get_size_inches()[1]
    fig.set_size_inches(width, height)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)


def plot_rank_acceptability(acceptability: pd.DataFrame, path: Path) -> None:
    """Stacked horizontal bars: each option's probability of each rank (rows: option names)."""
    plt = _plt()
    n_ranks = acceptability.shape[1]
    cmap = plt.get_cmap("viridis", n_ranks)
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(acceptability) + 1.6))
    # One collection of rectangles rather than a bar call per rank: a patch per bar costs more to
    # build and draw than the whole chart otherwise.
    from matplotlib.collections import PolyCollection

    shares = acceptability.iloc[::-1].to_numpy(dtype=float)  # best-ranked option on top
    left = np.cumsum(shares, axis=1) - shares
    boxes, colours = [], []
    for i in range(shares.shape[0]):
        for r in range(n_ranks):
            x0, x1 = left[i, r], left[i, r] + shares[i, r]
            boxes.append([(x0, i - 0.4), (x1, i - 0.4), (x1, i + 0.4), (x0, i + 0.4)])
            colours.append(cmap(r))
    ax.add_collection(PolyCollection(boxes, facecolors=colours, edgecolors="white", linewidths=0.4))
    ax.set_yticks(range(shares.shape[0]), _literal(acceptability.index[::-1]))
    ax.set_ylim(-0.6, shares.shape[0] - 0.4)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Probability of each rank (share of Monte Carlo draws; ties share ranks equally)")
    ax.set_title("Rank acceptability: how often each option takes each place")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm

    norm = BoundaryNorm(np.arange(0.5, n_ranks + 1.5), n_ranks)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, ticks=range(1, n_ranks + 1), shrink=0.8)
    bar.set_label("Rank (1 = best)")
    bar.ax.invert_yaxis()
    _fit(fig, ax, plot_width=7.0, right=0.8)
    _save(fig, path, tight=False)


def plot_p_best(p_best: pd.Series, se: pd.Series, path: Path) -> None:
    """Probability of being best with ±1.96 standard error bars."""
    plt = _plt()
    order = p_best.sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(order) + 1.2))
    # Positions, not the names as categories: those would be parsed as mathtext, and two options
    # of the same name would share one bar.
    ax.barh(range(len(order)), p_best[order], xerr=1.96 * se[order], color="#3b6ea8", ecolor="black", capsize=2)
    ax.set_yticks(range(len(order)), _literal(order))
    ax.set_xlabel("Probability of being the best option (bars: 95% Monte Carlo interval)")
    ax.set_xlim(0, max(0.05, min(1.0, float((p_best + 2 * se).max()) * 1.1)))
    ax.set_title("Which option is best across the uncertainty")
    _fit(fig, ax)
    _save(fig, path, tight=False)


def plot_blockers(p_no: pd.DataFrame, p_blocked: pd.Series, path: Path, soft: pd.DataFrame | None = None) -> None:
    """Heatmap of P(precondition says no) for each option's requirements, with P(blocked).

    Hard requirements (a no blocks the option) are coloured; soft ones (a no costs a penalty, it
    never blocks), given as True in ``soft``, are shown hatched with their probability, so that
    a reader does not take them for blockers.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.0 + 0.65 * p_no.shape[1] + 2.5, 0.42 * p_no.shape[0] + 2.4))
    data = p_no.to_numpy(dtype=float)
    is_soft = np.zeros(data.shape, dtype=bool) if soft is None else soft.reindex_like(p_no).fillna(False).to_numpy(bool)
    im = ax.imshow(np.ma.masked_where(~np.isfinite(data) | is_soft, data), cmap="Reds", vmin=0, vmax=1,
                   aspect="auto")
    ax.set_xticks(range(p_no.shape[1]), _literal(p_no.columns), rotation=40, ha="right")
    ylabels = [f"{literal_text(name)}  (blocked {p_blocked[name]:.0%})" for name in p_no.index]
    ax.set_yticks(range(p_no.shape[0]), ylabels)
    from matplotlib.patches import Rectangle

    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if not np.isfinite(data[i, j]):
                continue
            if is_soft[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#bbbbbb",
                                       linewidth=0))
                ax.text(j, i, f"{data[i, j]:.2f}\nsoft", ha="center", va="center", fontsize=6.5, color="#555555")
            else:
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if data[i, j] > 0.6 else "black")
    ax.set_title("Which questions block which options\n(coloured: hard requirement, a no blocks the option; "
                 "hatched: soft, a no costs a penalty; blank: not required)")
    renderer = fig.canvas.get_renderer()
    column_label = max(t.get_window_extent(renderer).height for t in ax.get_xticklabels()) / fig.dpi  # rotated
    _fit(fig, ax, plot_width=max(0.65 * p_no.shape[1], 5.5), right=1.4, top=0.7, bottom=column_label + 0.25)
    width, height = fig.get_size_inches()
    box = ax.get_position()
    cax = fig.add_axes([box.x1 + 0.2 / width, box.y0 + 0.1 * box.height, 0.18 / width, 0.8 * box.height])
    fig.colorbar(im, cax=cax, label="P(the required question is answered no)")
    _save(fig, path, tight=False)


def plot_profiles(values: pd.DataFrame, path: Path) -> None:
    """Each option's expected value under each stakeholder profile (dots, one colour a profile)."""
    plt = _plt()
    order = values.mean(axis=1).sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.34 * len(order) + 1.6))
    markers = "osD^vP*Xh"
    cmap = plt.get_cmap("tab10")
    y = np.arange(len(order))
    for k, profile in enumerate(values.columns):
        ax.scatter(values.loc[order, profile], y, label=literal_text(profile), marker=markers[k % len(markers)],
                   color=cmap(k % 10), s=28, zorder=3)
    ax.set_yticks(y, _literal(order))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("Expected value (0 = worst on every criterion, 1 = best)")
    ax.set_title("Stakeholder profiles side by side")
    ncol = min(4, values.shape[1])
    legend_rows = -(-values.shape[1] // ncol)
    fig.set_size_inches(fig.get_size_inches()[0], fig.get_size_inches()[1] + 0.18 * legend_rows)
    _fit(fig, ax, bottom=0.7 + 0.18 * legend_rows)
    box = ax.get_position()  # the legend goes under the x label, centred on the axes
    legend = ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(box.x0 + box.width / 2, 0.02),
                       bbox_transform=fig.transFigure, ncol=ncol, frameon=False)
    # ... unless that would push it past the figure's right edge (long profile names).
    half = legend.get_window_extent(fig.canvas.get_renderer()).width / 2 / fig.bbox.width
    if box.x0 + box.width / 2 + half > 0.99:
        legend.set_bbox_to_anchor((max(0.5, 0.99 - half), 0.02), transform=fig.transFigure)
    _save(fig, path, tight=False)


def plot_oneway_grid(sweeps: list, names: dict[str, str], node_names: dict[str, str], title: str,
                     path: Path) -> None:
    """Small multiples: each option's expected value as one weight moves from 0 to 1.

    The dashed line marks the current weight, dotted lines the crossovers where the leader changes.
    One colour per option, shared by every panel and named in one legend.
    """
    # The panels look like subplots sharing both axes, pixel for pixel, but are drawn on the figure
    # itself: an Axes per panel (axis objects, spines, a Tick of two lines and two texts per tick)
    # took two thirds of the chart's time (Mali's 14 panels: 0.36 s, now 0.13 s).
    import matplotlib
    from matplotlib import ticker
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure
    from matplotlib.gridspec import GridSpec
    from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
    from matplotlib.transforms import Affine2D, Bbox, TransformedBbox, offset_copy

    rc = matplotlib.rcParams
    plt = _plt()
    n = len(sweeps)
    cols = 3
    rows = max(1, -(-n // cols))
    legend_height = 0.17 * -(-len(sweeps[0].option_ids) // 2) if sweeps else 0.0
    height = 2.6 * rows + 1.0 + legend_height
    fig = Figure(figsize=(11, height), dpi=90)
    _canvas_class()(fig)
    # Fixed spacing instead of tight_layout: a second layout pass doubles the drawing time.
    bottoms, tops, lefts, rights = GridSpec(
        rows, cols, left=0.07, right=0.98, top=1 - 1.05 / height, bottom=(legend_height + 0.55) / height,
        hspace=0.35, wspace=0.08).get_grid_positions(fig)
    cmap = plt.get_cmap("tab20")
    option_ids = sweeps[0].option_ids if sweeps else ()
    colours = np.array([cmap(j % 20) for j in range(len(option_ids))]).reshape(-1, 4)
    t = np.array([0.0, 1.0])
    ends = [np.stack([np.column_stack([t, s.result.intercepts[j] + s.result.slopes[j] * t])
                      for j in range(len(option_ids))]).reshape(-1, 2, 2) for s in sweeps]
    # One y range for all panels, as autoscaling shared axes sets it: every panel's lines plus margins.
    values = np.concatenate([e[..., 1].ravel() for e in ends]) if ends else np.zeros(0)
    lo, hi = ticker.MaxNLocator(4).nonsingular(*((values.min(), values.max()) if values.size else (0.0, 1.0)))
    lo, hi = lo - rc["axes.ymargin"] * (hi - lo), hi + rc["axes.ymargin"] * (hi - lo)
    yticks, y_offset = _ticks(ticker.MaxNLocator(4), lo, hi)
    xticks, _ = _ticks(ticker.MultipleLocator(0.5), 0.0, 1.0)  # three ticks are enough to read a sweep
    # Tick labels, titles and axis labels sit a fixed number of points off the frame, as matplotlib places them.
    ytick_pad = rc["ytick.major.size"] + rc["ytick.major.pad"]
    xtick_pad = rc["xtick.major.size"] + rc["xtick.major.pad"]
    ytick_text = offset_copy(fig.transFigure, fig, x=-ytick_pad, units="points")
    xtick_text = offset_copy(fig.transFigure, fig, y=-xtick_pad, units="points")
    title_text = offset_copy(fig.transFigure, fig, y=4, units="points")
    frames, tick_points = [], {TICKLEFT: [], TICKDOWN: []}
    renderer = fig.canvas.get_renderer()  # measures tick labels, to set the axis labels beyond them
    for k, sweep in enumerate(sweeps):
        row, col = divmod(k, cols)
        left, right, bottom, top = lefts[col], rights[col], bottoms[row], tops[row]
        r = sweep.result
        leaders = {seg.leader for seg in r.segments}
        lead = np.array([j in leaders for j in range(len(option_ids))], dtype=bool)
        # One collection per panel, drawn in the order the lines were once added: options, then
        # the dashed current weight, then the dotted crossovers on top.
        verticals = [r.t0] + [c.t for c in r.crossovers]
        segments = [*ends[k], *([(x, lo), (x, hi)] for x in verticals)]
        colours_k = colours.copy()
        colours_k[:, 3] = np.where(lead, 1.0, 0.55)
        lines = LineCollection(
            segments, colors=[*colours_k, to_rgba("black")] + [to_rgba("grey")] * len(r.crossovers),
            linewidths=[*np.where(lead, 2.0, 0.8), 1.0] + [1.2] * len(r.crossovers),
            linestyles=["solid"] * len(option_ids) + ["--"] + [":"] * len(r.crossovers),
            transform=Affine2D().scale(right - left, (top - bottom) / (hi - lo))
            .translate(left, bottom - lo * (top - bottom) / (hi - lo)) + fig.transFigure)
        lines.set_clip_box(TransformedBbox(Bbox([[left, bottom], [right, top]]), fig.transFigure))
        fig.add_artist(lines)
        frames += [[(left, bottom), (right, bottom)], [(right, bottom), (right, top)],
                   [(right, top), (left, top)], [(left, top), (left, bottom)]]
        y_at = [bottom + (v - lo) / (hi - lo) * (top - bottom) for v, _ in yticks]
        tick_points[TICKLEFT] += [(left, y) for y in y_at]
        tick_points[TICKDOWN] += [(left + v * (right - left), bottom) for v, _ in xticks]
        panel = literal_text(node_names.get(sweep.node, sweep.node)) + (" (group)" if sweep.is_group else "")
        fig.text((left + right) / 2, top, panel, fontsize=8, ha="center", va="baseline", transform=title_text)
        # Tick labels and axis labels on the outer panels only, as shared axes show them.
        if col == 0:
            labels = [fig.text(left, y, text, fontsize=7, ha="right", va="center_baseline", transform=ytick_text)
                      for y, (_, text) in zip(y_at, yticks)]
            if y_offset:
                fig.text(left, top, y_offset, fontsize=rc["ytick.labelsize"], ha="left", va="baseline",
                         transform=offset_copy(fig.transFigure, fig, y=3, units="points"))
            outer = min([left * fig.bbox.width - ytick_pad * fig.dpi / 72]
                        + [label.get_window_extent(renderer).x0 for label in labels])
            fig.text((outer - rc["axes.labelpad"] * fig.dpi / 72) / fig.bbox.width, (bottom + top) / 2,
                     "Expected value", fontsize=8, rotation="vertical", rotation_mode="anchor", ha="center",
                     va="bottom")
        if row == rows - 1:
            labels = [fig.text(left + v * (right - left), bottom, text, fontsize=7, ha="center", va="top",
                               transform=xtick_text) for v, text in xticks]
            outer = min([bottom * fig.bbox.height - xtick_pad * fig.dpi / 72]
                        + [label.get_window_extent(renderer).y0 for label in labels])
            fig.text((left + right) / 2, (outer - rc["axes.labelpad"] * fig.dpi / 72) / fig.bbox.height, "Weight",
                     fontsize=8, ha="center", va="top")
    # Every frame in one collection and every tick mark in one line of markers: above the panels'
    # lines, as spines are, and drawn exactly as an axis draws its ticks.
    fig.add_artist(LineCollection(frames, colors=[rc["axes.edgecolor"]], linewidths=rc["axes.linewidth"], capstyle="projecting",
                                  zorder=2.5, transform=fig.transFigure))
    for marker, points in tick_points.items():
        axis = "ytick" if marker == TICKLEFT else "xtick"
        if points:
            fig.add_artist(Line2D(*zip(*points), linestyle="none", marker=marker, color=rc[f"{axis}.color"],
                                  markersize=rc[f"{axis}.major.size"], markeredgewidth=rc[f"{axis}.major.width"],
                                  zorder=1.5, transform=fig.transFigure))
    handles = [plt.Line2D([0], [0], color=cmap(j % 20), lw=2) for j in range(len(option_ids))]
    fig.legend(handles, _literal(names.get(o, o) for o in option_ids), loc="lower center", ncol=2, fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, 0.005))
    fig.suptitle(title + "\n(dashed: current weight; dotted: the leading option changes; thick: options that lead "
                 "somewhere)", fontsize=9)
    _save(fig, path, tight=False)


def _ticks(locator, lo: float, hi: float) -> tuple[list[tuple[float, str]], str]:
    """The ticks an axis from ``lo`` to ``hi`` would show with ``locator`` and a default
    formatter, as (value, label) pairs, and the formatter's offset text ("" without one)."""
    from matplotlib import ticker

    locs = locator.tick_values(lo, hi)
    formatter = ticker.ScalarFormatter()
    formatter.create_dummy_axis()
    formatter.axis.set_view_interval(lo, hi)
    labels = formatter.format_ticks(locs)  # every location, as an axis formats them before dropping the outer ones
    close = (hi - lo) * 1e-10
    return [(float(v), s) for v, s in zip(locs, labels) if lo - close <= v <= hi + close], formatter.get_offset()


@dataclass(frozen=True)
class FigureJob:
    """One chart of a report: its key in the Markdown, its file name, and how to draw it."""

    key: str
    filename: str
    draw: Callable[[Path], None]
    """Writes the chart to the given path."""
    background: bool = False
    """Needs only the analyses the charts start from (not what
    :func:`~decide.report.build.complete_analyses` adds): the background process may draw it
    while the parent completes the analyses. The others are drawn by the parent afterwards."""
    cost: float = 0.2
    """Roughly how long it takes to draw (seconds, the Mali report), so that the longest are
    started first and the two processes finish together."""


def figure_jobs(a) -> list[FigureJob]:
    """Every chart of a report, in the order the report shows them."""
    from decide.report.figures_sensitivity import plot_tornado

    names = dict(zip(a.arrays.option_ids, a.arrays.option_names))
    sim = a.simulation
    jobs: list[FigureJob] = []

    def named(frame):
        return frame.rename(index=names)

    acceptability = named(sim.rank_acceptability.loc[sim.summary["mean"].sort_values(ascending=False).index])
    jobs.append(FigureJob("rank_acceptability", "rank_acceptability.png",
                          partial(plot_rank_acceptability, acceptability), True, 0.22))
    jobs.append(FigureJob("p_best", "p_best.png",
                          partial(plot_p_best, named(sim.summary["p_best"]), named(sim.summary["p_best_se"])), True, 0.15))
    b = sim.blockers
    required = b["p_no"].where(b["requirement"] != "").unstack("precondition")
    required = required.loc[required.notna().any(axis=1), required.notna().any(axis=0)]
    soft = (b["requirement"] == "soft").unstack("precondition").reindex_like(required)
    if not required.empty:
        jobs.append(FigureJob("blockers", "blockers.png", partial(
            plot_blockers, named(required), named(sim.summary["p_blocked"]), soft=named(soft)), True, 0.26))
    if a.profiles is not None:
        profile_names = {p.id: p.name for p in a.case.weights.profiles}
        jobs.append(FigureJob("profiles", "profiles.png", partial(
            plot_profiles, named(a.profiles.drop(columns="rank_spread")).rename(columns=profile_names)), True, 0.19))
    node_names = dict(zip(a.arrays.criterion_ids, a.arrays.criterion_names))
    from decide.structure import iter_nodes

    node_names.update({n.id: n.name for _, n, _ in iter_nodes(a.case.criteria.criteria)})
    groups = [s for s in a.sweeps if s.is_group]
    leaves = [s for s in a.sweeps if not s.is_group]
    # Cost: the legend and the PNG, then a few milliseconds a panel (Mali: 0.09 s for 6, 0.13 s for 14).
    if groups:
        jobs.append(FigureJob("oneway_groups", "weights_groups.png", partial(
            plot_oneway_grid, groups, names, node_names, "One-way sensitivity of the group weights"), True,
            0.07 + 0.005 * len(groups)))
    if leaves:
        jobs.append(FigureJob("oneway_leaves", "weights_criteria.png", partial(
            plot_oneway_grid, leaves, names, node_names, "One-way sensitivity of the criterion weights"), True,
            0.07 + 0.005 * len(leaves)))
    if len(a.tornado):
        jobs.append(FigureJob("tornado", "tornado.png", lambda path: plot_tornado(
            a.tornado, path, base_gap=a.tornado.attrs.get("base_gap"),
            leading_names=a.tornado.attrs.get("leading_names")), True, 0.32))
    from decide.report.figures_explain import explain_jobs

    return [replace(job, draw=_styled(job.draw)) for job in jobs + explain_jobs(a)]


def draw_figures(a, out_dir: Path) -> dict[str, str]:
    """Draw every chart of a report into ``out_dir``; return chart key -> file name."""
    jobs = figure_jobs(a)
    for job in jobs:
        job.draw(out_dir / job.filename)
    return {job.key: job.filename for job in jobs}
