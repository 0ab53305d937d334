"""Charts for the report (matplotlib, Agg backend, imported only when a report is drawn).

Every function takes plain DataFrames/Series labelled with readable names and writes one PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["plot_rank_acceptability", "plot_p_best", "plot_blockers", "plot_profiles", "plot_oneway"]

DPI = 110


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "svg.hashsalt": "decide",
                         "figure.dpi": DPI})
    return plt


def _save(fig, path: Path) -> None:
    # Metadata without the matplotlib version/date keeps PNGs reproducible.
    fig.savefig(path, dpi=DPI, bbox_inches="tight", metadata={"Software": None})
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
    ax.legend(ncol=min(n_ranks, 7), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14 - 0.1 / max(1, len(labels) / 10)),
              frameon=False)
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


def plot_oneway(lines: pd.DataFrame, current: float, crossovers: list[float], title: str, path: Path) -> None:
    """Value of each option as one weight moves from 0 to 1 (lines: intercept, slope per option)."""
    plt = _plt()
    t = np.array([0.0, 1.0])
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    cmap = plt.get_cmap("tab20")
    for k, (name, row) in enumerate(lines.iterrows()):
        ax.plot(t, row["intercept"] + row["slope"] * t, color=cmap(k % 20), lw=1.4, label=name)
    ax.axvline(current, color="black", ls="--", lw=1)
    ax.text(current, ax.get_ylim()[1], " current", va="top", fontsize=7)
    for c in crossovers:
        ax.axvline(c, color="grey", ls=":", lw=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Weight (others rescaled in proportion); dotted: leader changes")
    ax.set_ylabel("Expected value")
    ax.set_title(title)
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    _save(fig, path)
