"""Charts for the report (matplotlib, Agg backend, imported only when a report is drawn).

Every function takes plain DataFrames/Series labelled with readable names and writes one PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["plot_rank_acceptability", "plot_p_best", "plot_blockers", "plot_profiles", "plot_oneway_grid",
           "draw_figures"]

DPI = 110


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "svg.hashsalt": "decide",
                         "figure.dpi": DPI})
    return plt


def _save(fig, path: Path, tight: bool = True) -> None:
    # Metadata without the matplotlib version/date keeps PNGs reproducible. A tight bounding box
    # costs a second full draw, so large fixed-layout figures skip it.
    fig.savefig(path, dpi=fig.dpi if not tight else DPI, bbox_inches="tight" if tight else None,
                metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)


def plot_rank_acceptability(acceptability: pd.DataFrame, path: Path) -> None:
    """Stacked horizontal bars: each option's probability of each rank (rows: option names)."""
    plt = _plt()
    n_ranks = acceptability.shape[1]
    cmap = plt.get_cmap("viridis", n_ranks)
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(acceptability) + 1.6))
    left = np.zeros(len(acceptability))
    labels = list(acceptability.index)[::-1]
    for r in range(n_ranks):
        widths = acceptability.iloc[::-1, r].to_numpy()
        ax.barh(labels, widths, left=left, color=cmap(r), edgecolor="white", linewidth=0.4,
                label=f"rank {r + 1}")
        left += widths
    ax.set_xlim(0, 1)
    ax.set_xlabel("Probability of each rank (share of Monte Carlo draws; ties share ranks equally)")
    ax.set_title("Rank acceptability: how often each option takes each place")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm

    norm = BoundaryNorm(np.arange(0.5, n_ranks + 1.5), n_ranks)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, ticks=range(1, n_ranks + 1), shrink=0.8)
    bar.set_label("Rank (1 = best)")
    bar.ax.invert_yaxis()
    _save(fig, path)


def plot_p_best(p_best: pd.Series, se: pd.Series, path: Path) -> None:
    """Probability of being best with ±1.96 standard error bars."""
    plt = _plt()
    order = p_best.sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(order) + 1.2))
    ax.barh(list(order), p_best[order], xerr=1.96 * se[order], color="#3b6ea8", ecolor="black", capsize=2)
    ax.set_xlabel("Probability of being the best option (bars: 95% Monte Carlo interval)")
    ax.set_xlim(0, max(0.05, min(1.0, float((p_best + 2 * se).max()) * 1.1)))
    ax.set_title("Which option is best across the uncertainty")
    _save(fig, path)


def plot_blockers(p_no: pd.DataFrame, p_blocked: pd.Series, path: Path) -> None:
    """Heatmap of P(precondition says no) for each option's hard requirements, with P(blocked)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.0 + 0.65 * p_no.shape[1] + 2.5, 0.42 * p_no.shape[0] + 2.2))
    data = p_no.to_numpy(dtype=float)
    masked = np.ma.masked_invalid(data)
    im = ax.imshow(masked, cmap="Reds", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(p_no.shape[1]), list(p_no.columns), rotation=40, ha="right")
    ylabels = [f"{name}  (blocked {p_blocked[name]:.0%})" for name in p_no.index]
    ax.set_yticks(range(p_no.shape[0]), ylabels)
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if np.isfinite(data[i, j]):
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if data[i, j] > 0.6 else "black")
    fig.colorbar(im, ax=ax, label="P(the required question is answered no)", shrink=0.8)
    ax.set_title("Which questions block which options (blank: not required)")
    _save(fig, path)


def plot_profiles(values: pd.DataFrame, path: Path) -> None:
    """Each option's expected value under each stakeholder profile (dots, one colour a profile)."""
    plt = _plt()
    order = values.mean(axis=1).sort_values().index
    fig, ax = plt.subplots(figsize=(8, 0.34 * len(order) + 1.6))
    markers = "osD^vP*Xh"
    cmap = plt.get_cmap("tab10")
    y = np.arange(len(order))
    for k, profile in enumerate(values.columns):
        ax.scatter(values.loc[order, profile], y, label=profile, marker=markers[k % len(markers)],
                   color=cmap(k % 10), s=28, zorder=3)
    ax.set_yticks(y, list(order))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("Expected value (0 = worst on every criterion, 1 = best)")
    ax.set_title("Stakeholder profiles side by side")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(4, values.shape[1]),
              frameon=False)
    _save(fig, path)


def plot_oneway_grid(sweeps: list, names: dict[str, str], node_names: dict[str, str], title: str,
                     path: Path) -> None:
    """Small multiples: each option's expected value as one weight moves from 0 to 1.

    The dashed line marks the current weight, dotted lines the crossovers where the leader changes.
    One colour per option, shared by every panel and named in one legend.
    """
    plt = _plt()
    n = len(sweeps)
    cols = 3
    rows = max(1, -(-n // cols))
    legend_height = 0.17 * -(-len(sweeps[0].option_ids) // 2) if sweeps else 0.0
    height = 2.6 * rows + 1.0 + legend_height
    fig, axes = plt.subplots(rows, cols, figsize=(11, height), squeeze=False, sharey=True, sharex=True, dpi=90)
    cmap = plt.get_cmap("tab20")
    option_ids = sweeps[0].option_ids if sweeps else ()
    t = np.array([0.0, 1.0])
    for k, sweep in enumerate(sweeps):
        ax = axes[k // cols][k % cols]
        r = sweep.result
        leaders = {seg.leader for seg in r.segments}
        for j, option in enumerate(option_ids):
            ax.plot(t, r.intercepts[j] + r.slopes[j] * t, color=cmap(j % 20),
                    lw=2.0 if j in leaders else 0.8, alpha=1.0 if j in leaders else 0.55)
        ax.axvline(r.t0, color="black", ls="--", lw=1)
        for c in r.crossovers:
            ax.axvline(c.t, color="grey", ls=":", lw=1.2)
        ax.set_xlim(0, 1)
        ax.set_title(node_names.get(sweep.node, sweep.node) + (" (group)" if sweep.is_group else ""), fontsize=8)
        ax.tick_params(labelsize=7)
        if k % cols == 0:
            ax.set_ylabel("Expected value", fontsize=8)
        if k // cols == rows - 1:
            ax.set_xlabel("Weight", fontsize=8)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    handles = [plt.Line2D([0], [0], color=cmap(j % 20), lw=2) for j in range(len(option_ids))]
    fig.legend(handles, [names.get(o, o) for o in option_ids], loc="lower center", ncol=2, fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, 0.005))
    fig.suptitle(title + "\n(dashed: current weight; dotted: the leading option changes; thick: options that lead "
                 "somewhere)", fontsize=9)
    # Fixed spacing instead of tight_layout: a second layout pass doubles the drawing time.
    fig.subplots_adjust(left=0.07, right=0.98, top=1 - 1.05 / height, bottom=(legend_height + 0.55) / height,
                        hspace=0.35, wspace=0.08)
    _save(fig, path, tight=False)


def draw_figures(a, out_dir: Path) -> dict[str, str]:
    """Draw every chart of a report into ``out_dir``; return chart key -> file name."""
    from decide.report.figures_sensitivity import plot_tornado

    names = dict(zip(a.arrays.option_ids, a.arrays.option_names))
    sim = a.simulation
    files: dict[str, str] = {}

    def named(frame):
        return frame.rename(index=names)

    files["rank_acceptability"] = "rank_acceptability.png"
    plot_rank_acceptability(named(sim.rank_acceptability.loc[sim.summary["mean"].sort_values(ascending=False).index]),
                            out_dir / files["rank_acceptability"])
    files["p_best"] = "p_best.png"
    plot_p_best(named(sim.summary["p_best"]), named(sim.summary["p_best_se"]), out_dir / files["p_best"])
    b = sim.blockers
    hard = b["p_no"].where(b["requirement"] != "").unstack("precondition")
    hard = hard.loc[hard.notna().any(axis=1), hard.notna().any(axis=0)]
    if not hard.empty:
        files["blockers"] = "blockers.png"
        plot_blockers(named(hard), named(sim.summary["p_blocked"]), out_dir / files["blockers"])
    if a.profiles is not None:
        files["profiles"] = "profiles.png"
        profile_names = {p.id: p.name for p in a.case.weights.profiles}
        plot_profiles(named(a.profiles.drop(columns="rank_spread")).rename(columns=profile_names),
                      out_dir / files["profiles"])
    node_names = dict(zip(a.arrays.criterion_ids, a.arrays.criterion_names))
    from decide.checks import iter_nodes

    node_names.update({n.id: n.name for _, n, _ in iter_nodes(a.case.criteria.criteria)})
    groups = [s for s in a.sweeps if s.is_group]
    leaves = [s for s in a.sweeps if not s.is_group]
    if groups:
        files["oneway_groups"] = "weights_groups.png"
        plot_oneway_grid(groups, names, node_names, "One-way sensitivity of the group weights",
                         out_dir / files["oneway_groups"])
    if leaves:
        files["oneway_leaves"] = "weights_criteria.png"
        plot_oneway_grid(leaves, names, node_names, "One-way sensitivity of the criterion weights",
                         out_dir / files["oneway_leaves"])
    if len(a.tornado):
        files["tornado"] = "tornado.png"
        plot_tornado(a.tornado, out_dir / files["tornado"], base_gap=a.tornado.attrs.get("base_gap"),
                     leading_names=a.tornado.attrs.get("leading_names"))
    return files
