"""Scenario discovery results as the command line prints them: table, JSON or CSV."""

from __future__ import annotations

from typing import Any

from decide.discover.core import DiscoveryResult
from decide.tables import dumps_json, text_table

__all__ = ["render_discovery"]


def _qp(x: float) -> str:
    if x != x:  # NaN
        return "-"
    return "< 1e-16" if x < 1e-16 else f"{x:.2g}"


def render_discovery(result: DiscoveryResult, fmt: str = "table", *, case: str = "", chart: str | None = None) -> str:
    """The result as text: ``"table"`` (for a terminal), ``"json"`` or ``"csv"`` (the
    restrictions, one row each, with their box's coverage, density and mass)."""
    if fmt == "json":
        payload: dict[str, Any] = {"case": case, **result.metadata, "boxes": result.boxes_frame(),
                                   "restrictions": result.to_frame(), "chart": chart}
        return dumps_json(payload)
    if fmt == "csv":
        frame = result.to_frame().join(result.boxes_frame()[["coverage", "density", "mass"]], on="box")
        return frame.to_csv()
    return _table(result, case, chart)


def _table(r: DiscoveryResult, case: str, chart: str | None) -> str:
    strategy = " + ".join(r.strategy)
    what = {"recommended": "the recommended strategy", "given": "the strategy"}.get(r.label, r.label)
    lines = [f"{case + ': ' if case else ''}scenario discovery for {what}: {strategy}",
             f"{r.n_draws:,} worlds, seed {r.seed}, weights {r.weights}; PRIM by {r.library}.",
             f"Poor worlds: {r.rule}: {r.n_poor:,} of {r.n_draws:,} ({r.share_poor:.1%}); mean gain over doing "
             f"nothing {r.gain_mean:.3f}.", ""]
    if not r.boxes:
        lines.append("No box: " + ("no world is poor." if r.n_poor == 0 else
                                   "every world is poor." if r.n_poor == r.n_draws else
                                   "no combination of inputs holds poor worlds more densely than all worlds do."))
    for b in r.boxes:
        after = " (among poor worlds outside the earlier boxes)" if b.number > 1 else ""
        lines += [f"Box {b.number}{after}: {b.words}",
                  f"  coverage {b.coverage:.3f} (share of all poor worlds in the box), density {b.density:.3f} "
                  f"(share of the box's worlds that are poor), mass {b.mass:.3f} (share of all worlds); "
                  f"{b.n_poor:,} poor of {b.n_worlds:,} worlds.", ""]
    if r.boxes:
        frame = r.to_frame().reset_index()[["box", "restriction", "kind", "qp", "meaning"]]
        frame["qp"] = [_qp(x) for x in frame["qp"]]
        lines += ["Restrictions, with quasi-p-values (one-sided binomial test of the box's density against the "
                  "same box without the restriction; small: the restriction matters):", "",
                  text_table(frame.set_index("box")), ""]
    n = r.n_inputs
    lines.append(f"Inputs PRIM saw: {n.get('answer', 0)} answers, {n.get('probability', 0)} probabilities, "
                 f"{n.get('outcome', 0)} outcomes, {n.get('weight', 0)} weights ({n.get('constant', 0)} constant "
                 f"and {n.get('screened', 0)} screened out).")
    if chart:
        lines.append(f"Peeling trajectories: {chart}")
    lines += [f"Note: {note}" for note in r.notes[1:]]
    return "\n".join(lines)
