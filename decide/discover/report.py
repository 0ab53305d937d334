"""The report's "Where the recommendation goes wrong" section (scenario discovery, first box).

:func:`discover_for_report` runs after the strategies: it takes the recommended strategy and the
very worlds the report re-estimated it on (the strategies engine's out-of-sample scenarios of the
strategies' seed, as many as it used), so the share of worlds where the strategy does worse than
doing nothing is the Summary's "beats doing nothing in X%" read from the other side, and finds the
first PRIM box of those worlds. :func:`where_it_goes_wrong` writes the section (pure text).
"""

from __future__ import annotations

import re
from typing import Any

from decide.tables import escape_markdown, one_line

__all__ = ["discover_for_report", "discover_recommendation", "where_it_goes_wrong"]


def discover_for_report(a: Any) -> Any:
    """The first box of the worlds where the recommended strategy does worse than doing nothing
    (a :class:`~decide.discover.core.DiscoveryResult`), or None without a recommended strategy."""
    st = getattr(a, "strategies", None)
    values = getattr(st, "values", None)
    if st is None or values is None:
        return None
    weights = a.context.weights if a.context.weights not in ("imprecise", "uniform", "profiles") else None
    return discover_recommendation(a.arrays, st.best.best, values.n_scenarios, st.best.seed, weights)


def discover_recommendation(arrays: Any, strategy: tuple[str, ...], n_scenarios: int, seed: Any,
                            weights: Any) -> Any:
    """The first box of the worlds where ``strategy`` does worse than doing nothing, on the
    strategies engine's first ``n_scenarios`` fresh scenarios of ``seed`` (the ones the report's
    value distributions come from); None for an empty strategy or a case without a baseline."""
    if not strategy or arrays.baseline is None:
        return None
    from decide.discover.core import explain_worlds
    from decide.discover.worlds import draw_worlds
    from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE
    from decide.optimise.strategy import strategy_space

    space = strategy_space(arrays)
    # the seed and stream strategy_values drew the recommendation's value distribution from
    worlds = draw_worlds(space, space.vector(list(strategy)), n_scenarios, rng=seed, weights=weights,
                         stream=STREAM_OUT_OF_SAMPLE)
    return explain_worlds(worlds, strategy, "recommended", threshold=0.0, max_boxes=1)


def _code(text: object) -> str:
    text = one_line(text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    return f"{fence}{text}{fence}"


def _restriction(r: Any) -> str:
    if r.values is not None:
        return f"{_code(r.input)} says {' or '.join(r.values)}"
    return _code(r.words) + (f" ({escape_markdown(r.label)})" if r.label else "")


def where_it_goes_wrong(a: Any) -> str:
    """``## Where the recommendation goes wrong``: how often the recommended strategy does worse
    than doing nothing, and the first PRIM box of those worlds with its coverage, density and
    mass ("" where there is no recommended strategy)."""
    d = getattr(a, "discovery", None)
    if d is None:
        return ""
    lines = ["## Where the recommendation goes wrong", ""]
    share = f"{d.share_poor:.1%}"
    head = (f"In {d.n_poor:,} of the {d.n_draws:,} simulated worlds ({share}) the recommended strategy does worse "
            "than doing nothing (the same worlds as above).")
    if d.n_poor == 0:
        lines.append(f"In none of the {d.n_draws:,} simulated worlds does the recommended strategy do worse than "
                     "doing nothing (the same worlds as above).")
        return "\n".join(lines + [""])
    if d.n_poor == d.n_draws:
        lines.append(f"In every one of the {d.n_draws:,} simulated worlds the recommended strategy does worse than "
                     "doing nothing (the same worlds as above): there is nothing to tell apart.")
        return "\n".join(lines + [""])
    if not d.boxes:
        lines.append(head + " Scenario discovery (PRIM) finds no combination of answers or outcomes where they "
                     "gather much more densely than elsewhere: they are spread out.")
        return "\n".join(lines + [""])
    box = d.boxes[0]
    conditions = " and ".join(_restriction(r) for r in box.restrictions)
    qp = max(r.qp for r in box.restrictions)
    significance = (f"every restriction has a quasi-p-value below {max(qp, 1e-16):.1g}" if qp == qp
                    else "quasi-p-values were not computed")
    lines.append(
        f"{head} Scenario discovery (PRIM, {escape_markdown(d.library)}) finds them gathered where "
        f"{conditions}: that box holds {box.coverage:.0%} of them (coverage), the strategy does worse than "
        f"doing nothing in {box.density:.0%} of the worlds inside it (density, against {d.share_poor:.0%} "
        f"overall), and it takes in {box.mass:.0%} of all worlds (mass); {significance}. "
        "`decide discover` lists further boxes and draws the peeling trajectory.")
    return "\n".join(lines + [""])
