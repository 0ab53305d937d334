"""The peeling trajectory chart of scenario discovery (matplotlib, Agg, nothing global changed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from decide.discover.core import DiscoveryResult
from decide.report.figures import literal_text

__all__ = ["plot_trajectory"]

DPI = 110
_STYLE = {"font.size": 9, "axes.titlesize": 10, "svg.hashsalt": "decide"}


def plot_trajectory(result: DiscoveryResult, path: str | Path) -> Path:
    """Coverage against density for every box on each PRIM trajectory, coloured by the number of
    restricted inputs, the chosen box ringed and labelled; one panel per box. Writes a PNG.

    The usual scenario-discovery trade-off plot (EMA's ``show_tradeoff``), drawn on a
    :class:`matplotlib.figure.Figure` that pyplot never registers, inside ``rc_context``: the
    caller's backend, figures and ``rcParams`` stay as they were.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    boxes = result.boxes
    n = max(len(boxes), 1)
    with matplotlib.rc_context(_STYLE):
        width = max(6.4, 3.6 * n + 0.9)
        fig = Figure(figsize=(width, 4.0), dpi=DPI)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, n, squeeze=False)[0]
        fig.subplots_adjust(left=0.9 / width, bottom=0.13, top=0.78, wspace=0.25)
        if not boxes:
            ax = axes[0]
            ax.text(0.5, 0.5, "no box: " + ("no poor world" if result.n_poor == 0 else "nothing restricts"),
                    ha="center", va="center", transform=ax.transAxes)
            ax.set_xlabel("coverage")
            ax.set_ylabel("density")
        top = max((int(b.trajectory["restricted"].max()) for b in boxes), default=1)
        cmap = matplotlib.colormaps["viridis"].resampled(max(top + 1, 2))
        scatter = None
        for ax, box in zip(axes, boxes):
            t = box.trajectory
            ax.plot(t["coverage"], t["density"], color="0.75", linewidth=0.8, zorder=1)
            scatter = ax.scatter(t["coverage"], t["density"], c=t["restricted"], cmap=cmap, vmin=-0.5,
                                 vmax=top + 0.5, s=18, zorder=2)
            c, d = box.coverage, box.density
            ax.scatter([c], [d], s=140, facecolors="none", edgecolors="crimson", linewidths=1.8, zorder=3)
            ax.annotate(f"chosen: {len(box.restrictions)} restriction{'s' if len(box.restrictions) != 1 else ''}\n"
                        f"coverage {c:.2f}, density {d:.2f}", (c, d), xytext=(0.96, 0.96),
                        textcoords="axes fraction", ha="right", va="top", color="crimson", fontsize=8,
                        arrowprops={"arrowstyle": "-", "color": "crimson", "linewidth": 0.8})
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("coverage (share of poor worlds in the box)")
            ax.set_title(f"box {box.number}")
            ax.grid(True, color="0.92", linewidth=0.6)
        axes[0].set_ylabel("density (share of the box's worlds that are poor)")
        if scatter is not None:
            right = 1.0 - 1.25 / width  # room for the colour bar, the same in inches whatever the panels
            fig.subplots_adjust(right=right - 0.03)
            bar = fig.colorbar(scatter, cax=fig.add_axes((right, 0.13, 0.022, 0.65)), ticks=range(top + 1))
            bar.set_label("restricted inputs")
        title = textwrap.wrap(f"PRIM peeling trajectories of {' + '.join(result.strategy)}", int(width * 15))
        if len(title) > 2:
            title = title[:2]
            title[1] = title[1][:-3] + "..."
        fig.suptitle("\n".join(literal_text(line) for line in [*title, f"poor worlds: {result.rule}"]), fontsize=8)
        fig.savefig(path, dpi=DPI)
    return path
