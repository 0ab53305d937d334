"""Charts that explain the recommendation: risk profiles, criterion contributions, the value tree.

Drawn like :mod:`decide.report.figures` (Agg canvas, fixed layouts measured from the labels), every
name from the case through :func:`~decide.report.figures.literal_text`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from decide.report.figures import FigureJob, _fit, _literal, _plt, _save, literal_text

__all__ = ["plot_risk_profiles", "plot_contributions", "plot_value_tree", "plot_weighted_differences", "explain_jobs"]


def plot_risk_profiles(quantiles: pd.DataFrame, means: pd.Series, path: Path, *, n_scenarios: int) -> None:
    """Cumulative distribution curves of value, one per alternative (rows of ``quantiles``, columns:
    probabilities), the recommended strategy first and drawn thickest; dots mark the means."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    styles = [dict(color="#1b7837", lw=2.6), dict(color="black", lw=1.6, ls="--"),
              dict(color="#3b6ea8", lw=1.6), dict(color="#d08c3a", lw=1.6), dict(color="#7b3294", lw=1.6)]
    import textwrap

    probabilities = quantiles.columns.to_numpy(dtype=float)
    for k, (name, row) in enumerate(quantiles.iterrows()):
        style = styles[k % len(styles)]
        x = row.to_numpy(dtype=float)
        label = "\n".join(literal_text(line) for line in textwrap.wrap(f"{name} (mean {means[name]:.3f})", 120))
        ax.step(x, probabilities, where="post", label=label, **style)
        ax.plot([means[name]], [np.interp(means[name], x, probabilities)], "o", color=style["color"], ms=4)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.set_xlabel("Value (0 = worst on every criterion, 1 = best)")
    ax.set_ylabel("Probability the value is at most x")
    ax.set_title("Risk profiles: cumulative distribution of value over "
                 f"{n_scenarios:,} simulated worlds\n(further right is better; a curve wholly right of "
                 "another dominates it; dots: means)")
    handles, labels = ax.get_legend_handles_labels()
    rows = sum(label.count("\n") + 1 for label in labels)
    height = 4.6 + 0.15 * rows
    fig.set_size_inches(8, height)
    fig.subplots_adjust(left=0.09, right=0.97, top=1 - 0.6 / height, bottom=(0.75 + 0.15 * rows) / height)
    fig.legend(handles, labels, loc="lower center", ncol=1, fontsize=7.5, frameon=False,
               bbox_to_anchor=(0.5, 0.01))
    _save(fig, path, tight=False)


def plot_contributions(contributions: pd.DataFrame, groups: dict[str, str], means: pd.Series, path: Path,
                       *, penalties: pd.Series | None = None) -> None:
    """Stacked horizontal bars: each criterion's expected weighted value for each option (rows,
    best on top); criteria of one group share a colour family; a dot marks each option's mean
    value (the bar less any soft-requirement penalty)."""
    plt = _plt()
    order = list(contributions.index)[::-1]
    data = contributions.loc[order]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(order) + 2.2))
    group_ids = list(dict.fromkeys(groups[c] for c in data.columns))
    families = ["Blues", "Oranges", "Greens", "Purples", "Reds", "Greys", "YlOrBr", "PuRd"]
    colours = {}
    for g, gid in enumerate(group_ids):
        members = [c for c in data.columns if groups[c] == gid]
        cmap = plt.get_cmap(families[g % len(families)])
        for k, c in enumerate(members):
            colours[c] = cmap(0.85 - 0.5 * k / max(len(members) - 1, 1))
    left = np.zeros(len(order))
    y = np.arange(len(order))
    for c in data.columns:
        width = data[c].to_numpy(dtype=float)
        ax.barh(y, width, left=left, color=colours[c], edgecolor="white", linewidth=0.4, height=0.7,
                label=literal_text(c))
        left += width
    if penalties is not None:
        ax.scatter(means.loc[order], y, color="black", s=14, zorder=3, label="mean value (less penalties)")
    ax.set_yticks(y, _literal(order))
    ax.set_xlim(0, max(float(left.max()) * 1.04, 0.05))
    ax.set_xlabel("Expected weighted value of each criterion (the bar's length is the option's value before "
                  "penalties)")
    ax.set_title("Why an option scores what it does: each criterion's contribution")
    ncol = 3
    legend_rows = -(-(data.shape[1] + (penalties is not None)) // ncol)
    height = 0.5 * len(order) + 1.0 + 0.17 * legend_rows + 0.6
    fig.set_size_inches(fig.get_size_inches()[0], height)
    _fit(fig, ax, bottom=0.75 + 0.17 * legend_rows)
    box = ax.get_position()
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, fontsize=6.5, loc="lower center", bbox_to_anchor=(box.x0 + box.width / 2, 0.01),
              bbox_transform=fig.transFigure, ncol=ncol, frameon=False)
    _save(fig, path, tight=False)


def plot_value_tree(rows: list[tuple[int, str, float, bool]], path: Path, *, profile: str) -> None:
    """The criteria tree as an indented bar chart: ``rows`` of (depth, name, global weight, is a
    group), in tree order; groups drawn dark and bold, their criteria lighter and indented under them."""
    plt = _plt()
    height = 0.3 * len(rows) + 1.4
    fig, ax = plt.subplots(figsize=(8, height))
    y = np.arange(len(rows))[::-1]
    indent = 14.0  # points per level
    labels = []
    for (depth, name, weight, is_group), yy in zip(rows, y):
        ax.barh(yy, weight, color="#2b4c7e" if is_group else "#8fb3de", height=0.7 if is_group else 0.55)
        ax.text(weight, yy, f" {weight:.3f}", va="center", fontsize=7, fontweight="bold" if is_group else "normal")
        labels.append(ax.annotate(literal_text(name), xy=(0, yy), xycoords=("axes fraction", "data"),
                                  textcoords="offset points", xytext=(0, 0), ha="left", va="center",
                                  fontweight="bold" if is_group else "normal",
                                  annotation_clip=False))
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, max(w for _, _, w, _ in rows) * 1.15)
    ax.set_xlabel("Global weight (a group's weight is the sum of its criteria's; the criteria add up to 1)")
    ax.set_title(f"The value tree and its weights (profile {literal_text(profile)})")
    # Labels as one left-aligned, indented column before the axes, as wide as the widest label.
    renderer = fig.canvas.get_renderer()
    widths = [t.get_window_extent(renderer).width * 72 / fig.dpi for t in labels]
    column = max(w + indent * depth for w, (depth, *_) in zip(widths, rows)) + 8
    for t, (depth, *_) in zip(labels, rows):
        t.set_position((-column + indent * depth, 0))
    left, plot_width, right = column / 72 + 0.2, 5.6, 0.3
    width = left + plot_width + right
    fig.set_size_inches(width, height)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - 0.45 / height, bottom=0.6 / height)
    _save(fig, path, tight=False)


def _tree_rows(nodes, weights: pd.Series, depth: int = 0) -> list[tuple[int, str, float, bool]]:
    rows = []
    for node in nodes:
        children = getattr(node, "children", None)
        if children:
            sub = _tree_rows(children, weights, depth + 1)
            total = sum(w for d, _, w, g in sub if d == depth + 1)
            rows.append((depth, node.name, total, True))
            rows += sub
        else:
            rows.append((depth, node.name, float(weights.get(node.id, 0.0)), False))
    return rows


def _group_of(nodes, group: str | None = None, out: dict[str, str] | None = None) -> dict[str, str]:
    out = {} if out is None else out
    for node in nodes:
        children = getattr(node, "children", None)
        if children:
            _group_of(children, group or node.id, out)
        else:
            out[node.id] = group or node.id
    return out


def _draw_risk_profiles(a, path: Path) -> None:
    from decide.report.build import _leading_pair, _profile, strategy_values

    done = a.completed()
    values = done.strategies.values if done.strategies is not None else None
    if values is None:  # strategies not computed: doing nothing and the leading options only
        values = strategy_values(done.arrays, (), _leading_pair(done.simulation), n=10_000,
                                 rng=done.context.seed, weights=_profile(done.context.weights))
        keep = [k for k, label in enumerate(values.labels) if label != "strategy"]
    else:
        keep = list(range(len(values.labels)))
    names = list(values.names)
    if keep[0] == 0:  # the strategy's full name is every option's: its size says enough here
        size = len(done.strategies.best.best) if done.strategies is not None else 0
        names[0] = f"Recommended strategy ({size} options)"
    names[1] = "Doing nothing: " + names[1]
    for k, label in enumerate(values.labels):
        if label in values.strategies:
            names[k] = "Runner-up strategy: " + names[k]
    index = [names[k] for k in keep]
    quantiles = pd.DataFrame(values.quantiles[keep], index=index, columns=values.probabilities)
    plot_risk_profiles(quantiles, pd.Series(values.means[keep], index=index), path,
                       n_scenarios=values.n_scenarios)


def explain_jobs(a) -> list[FigureJob]:
    """The explaining charts of a report: risk profiles (where the case has a baseline) and the
    weighted differences, drawn after the analyses are completed, contributions and the value tree."""
    arrays, sim = a.arrays, a.simulation
    names = dict(zip(arrays.option_ids, arrays.option_names))
    criterion_names = dict(zip(arrays.criterion_ids, arrays.criterion_names))
    jobs = []
    if arrays.baseline is not None:
        jobs.append(FigureJob("risk_profiles", "risk_profiles.png", partial(_draw_risk_profiles, a)))
    w = a.scores.weights
    means = sim.summary["mean"].sort_values(ascending=False, kind="stable")
    shown = list(means.index[:5])
    baseline = arrays.option_ids[arrays.baseline] if arrays.baseline is not None else None
    if baseline is not None and baseline not in shown:
        shown.append(baseline)
    contributions = (sim.criterion_means.loc[shown] * w).rename(index=names, columns=criterion_names)
    groups = {criterion_names[c]: g for c, g in _group_of(a.case.criteria.criteria).items()}
    penalties = pd.Series(sim.estimates["expected_penalty"], index=sim.option_ids).loc[shown].rename(index=names)
    jobs.append(FigureJob("contributions", "contributions.png", partial(
        plot_contributions, contributions, groups, means.loc[shown].rename(index=names),
        penalties=penalties), True, 0.18))
    jobs.append(FigureJob("weighted_difference", "weighted_difference.png", partial(_draw_weighted_differences, a)))
    profile = a.context.weights if a.context.weights in arrays.profile_ids else arrays.default_profile
    jobs.append(FigureJob("value_tree", "value_tree.png", partial(
        plot_value_tree, _tree_rows(a.case.criteria.criteria, w), profile=profile or "case weights"), True, 0.12))
    return jobs


def plot_weighted_differences(panels: list[tuple[str, pd.Series]], path: Path) -> None:
    """Per criterion, the weighted difference between two alternatives (weight x difference of mean
    values), one panel per pair: bars right favour the first, left the second; they add up to the gap."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    rows = max(len(p[1]) for p in panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 2.0, 0.32 * rows + 1.9), squeeze=False)
    import textwrap

    title_lines = 1
    for ax, (title, diff) in zip(axes[0], panels):
        diff = diff.reindex(diff.abs().sort_values(kind="stable").index)
        colours = ["#1b7837" if v >= 0 else "#b2182b" for v in diff]
        ax.barh(range(len(diff)), diff.to_numpy(float), color=colours)
        ax.set_yticks(range(len(diff)), _literal(diff.index))
        ax.set_ylim(-0.6, len(diff) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.axvline(0, color="black", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        lines = [literal_text(t) for t in textwrap.wrap(f"{title} (gap {diff.sum():+.3f})", 60)]
        title_lines = max(title_lines, len(lines))
        ax.set_title("\n".join(lines), fontsize=8.5)
        ax.set_xlabel("weight × difference of mean values")
    # A fixed layout from the measured tick labels (inches), side by side: tight_layout would cost
    # a layout pass, and leave a layout engine that makes saving lay the figure out once more.
    renderer = fig.canvas.get_renderer()
    lefts = [max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0.0) / fig.dpi + 0.25
             for ax in axes[0]]
    plot_width, gap, right = 4.2, 0.35, 0.3
    top, bottom = 0.45 + 0.17 * title_lines, 0.6
    width = sum(lefts) + len(lefts) * plot_width + (len(lefts) - 1) * gap + right
    height = 0.32 * rows + 0.6 + top + bottom
    fig.set_size_inches(width, height)
    x = 0.0
    for ax, left in zip(axes[0], lefts):
        x += left
        ax.set_position([x / width, bottom / height, plot_width / width, 1 - (top + bottom) / height])
        x += plot_width + gap
    fig.suptitle("Why one wins: each criterion's weighted difference (right favours the first named)", fontsize=10,
                 y=1 - 0.12 / height, va="top")
    _save(fig, path, tight=False)


def _draw_weighted_differences(a, path: Path) -> None:
    done = a.completed()
    arrays, sim = done.arrays, done.simulation
    criterion_names = dict(zip(arrays.criterion_ids, arrays.criterion_names))
    names = dict(zip(arrays.option_ids, arrays.option_names))
    w = pd.Series(done.scores.weights, index=list(arrays.criterion_ids)) if not isinstance(
        done.scores.weights, pd.Series) else done.scores.weights
    panels = []
    ps = done.strategies.standing if done.strategies is not None else None
    if ps is not None and ps.nothing_values is not None:
        diff = pd.Series((ps.recommended_values - ps.nothing_values) * ps.weights, index=list(ps.criterion_ids))
        panels.append(("Recommended strategy vs doing nothing", diff.rename(index=criterion_names)))
    means = sim.summary["mean"].sort_values(ascending=False, kind="stable")
    x, y = means.index[0], means.index[1]
    cm = sim.criterion_means
    diff = (cm.loc[x] - cm.loc[y]) * w.reindex(cm.columns)
    panels.append((f"{names[x]} vs {names[y]} (the two leading single options)", diff.rename(index=criterion_names)))
    plot_weighted_differences(panels, path)
