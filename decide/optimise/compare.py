"""Compare named strategies side by side on common scenarios (the combinations a case names)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, draw_scenarios
from decide.model.strategies import strategy_problems, strategy_space
from decide.optimise.evaluate import scenario_values
from decide.score import resolve_weights

__all__ = ["compare_strategies"]


def compare_strategies(
    arrays: CaseArrays,
    strategies: Sequence[tuple[str, str, Sequence[str]]],
    *,
    n_scenarios: int = 10_000,
    rng: Any = None,
    weights: Any = None,
) -> pd.DataFrame:
    """Value of each named strategy, and its paired difference from doing nothing.

    ``strategies`` holds ``(id, name, option ids)``. All are evaluated on the same fresh
    scenarios (common random numbers), so differences between them are paired. A strategy that
    breaks a budget, dependency or exclusion is still evaluated, and ``problems`` says what it
    breaks — the comparison is the point, not feasibility.
    """
    if not isinstance(arrays, CaseArrays):
        arrays = compile_case(arguments.require_case(arrays, "arrays", arrays=True))
    n_scenarios = arguments.integer(n_scenarios, "n_scenarios")
    rng = arguments.seed(rng, "rng")
    space = strategy_space(arrays)
    w, _ = resolve_weights(arrays, weights)
    rows = [np.zeros(space.n_options, dtype=bool)]
    for _, _, options in strategies:
        rows.append(space.vector([o for o in options if o != arrays.option_ids[arrays.baseline]]))
    X = np.array(rows)
    scenarios = draw_scenarios(arrays, n_scenarios, rng=rng, stream=STREAM_OUT_OF_SAMPLE)
    values = scenario_values(space, X, scenarios, w)  # (strategy, draw)
    nothing = values[0]
    n = values.shape[1]
    out = []
    for k, (sid, name, options) in enumerate(strategies, start=1):
        v = values[k]
        diff = v - nothing
        problems = strategy_problems(space, X[k])
        out.append({
            "strategy": sid, "name": name, "options": " + ".join(options),
            "mean": v.mean(), "mcse": v.std(ddof=1) / np.sqrt(n),
            "p5": np.percentile(v, 5), "p95": np.percentile(v, 95),
            "vs_doing_nothing": diff.mean(), "vs_doing_nothing_mcse": diff.std(ddof=1) / np.sqrt(n),
            "feasible": not problems, "problems": "; ".join(problems),
        })
    frame = pd.DataFrame(out).set_index("strategy")
    frame.attrs["doing_nothing"] = float(nothing.mean())
    frame.attrs["n_scenarios"] = n
    return frame
