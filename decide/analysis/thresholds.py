"""Threshold probabilities: at what probability of a question an option stops earning its place in
the recommended strategy.

For each option ``o`` of the strategy ``S`` and each hard question ``Q`` it requires, the option's
added value ``f(p) = E[v(S)] - E[v(S without o)]`` is evaluated with ``Q``'s probability (before
enablers) set to the point ``p``, on the same seeded scenarios for every ``p`` (common random
numbers: only the answers to ``Q`` move). ``f(0)`` and ``f(1)`` bracket the break-even; where they
differ in sign it is found by regula falsi (Illinois), to the sampling of those scenarios. Below it
(or above, where more yes lowers the value) the strategy without ``o`` is at least as good.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from decide.compile import CaseArrays

__all__ = ["break_even_probabilities"]


def break_even_probabilities(arrays: CaseArrays, strategy: tuple[str, ...], *, weights: str | None, rng: int,
                             n_scenarios: int = 1000, iterations: int = 4, refine: int = 3) -> pd.DataFrame:
    """One row per (option of ``strategy``, hard question it requires): the question's probability
    now (central), the option's added value at probability 0 and 1, and the break-even probability
    (NaN where the sign never changes: the option earns its place, or never does, whatever the
    answer's odds); sorted by how close the break-even is to the present probability.

    The break-even is the straight line's between 0 and 1, refined by regula falsi for the
    ``refine`` rows whose line estimate is nearest the present probability (``refined`` says which).
    """
    from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, draw_scenarios
    from decide.optimise.strategy import scenario_values, strategy_problems, strategy_space
    from decide.score import resolve_weights

    w, _ = resolve_weights(arrays, weights)
    space = strategy_space(arrays)
    x = space.vector(list(strategy))
    options = list(arrays.option_ids)
    questions = list(arrays.precondition_ids)
    by_question: dict[int, list[str]] = {}
    for o in strategy:
        without = x.copy()
        without[space.index(o)] = False
        if strategy_problems(space, without):
            continue  # another option of the strategy depends on it
        for q in np.flatnonzero(np.asarray(arrays.hard)[options.index(o)]):
            by_question.setdefault(int(q), []).append(o)

    # A question's probability set to a point changes its probability in every draw and nothing
    # else (each draw's uniforms are the same whatever the distribution): one draw serves all.
    drawn = draw_scenarios(arrays, n_scenarios, rng=rng, stream=STREAM_OUT_OF_SAMPLE)

    def added(q: int, p: float, opts: list[str]) -> np.ndarray:
        rows = [x] + [x & ~space.vector([o]) for o in opts]
        probabilities = drawn.probabilities.copy()
        probabilities[:, q] = p
        values = scenario_values(space, np.array(rows), replace(drawn, probabilities=probabilities), w)
        return values[0].mean() - values[1:].mean(axis=1)

    rows = []
    for q, opts in by_question.items():
        low, high = added(q, 0.0, opts), added(q, 1.0, opts)
        for k, o in enumerate(opts):
            rows.append({"option": o, "question": questions[q], "p_now": float(arrays.probability_central[q]),
                         "added_if_no": float(low[k]), "added_if_yes": float(high[k]), "break_even": np.nan,
                         "_q": q})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    tol = 1e-9
    crosses = ((frame["added_if_no"] < -tol) & (frame["added_if_yes"] > tol)) | (
        (frame["added_if_no"] > tol) & (frame["added_if_yes"] < -tol))
    frame["break_even"] = np.where(crosses, frame["added_if_no"] / (frame["added_if_no"] - frame["added_if_yes"]),
                                   np.nan)
    frame["refined"] = False
    nearest = (frame["break_even"] - frame["p_now"]).abs().sort_values(kind="stable").index[:refine]
    for i in nearest:
        row = frame.loc[i]
        if not crosses[i]:
            continue
        f0, f1 = row["added_if_no"], row["added_if_yes"]
        a, b, fa, fb, side = 0.0, 1.0, f0, f1, 0
        for _ in range(iterations):
            c = b - fb * (b - a) / (fb - fa)
            fc = float(added(int(row["_q"]), c, [row["option"]])[0])
            if np.sign(fc) == np.sign(fb):
                b, fb = c, fc
                fa = fa / 2 if side == -1 else fa
                side = -1
            else:
                a, fa = c, fc
                fb = fb / 2 if side == 1 else fb
                side = 1
        frame.at[i, "break_even"] = b - fb * (b - a) / (fb - fa)
        frame.at[i, "refined"] = True
    frame["distance"] = (frame["break_even"] - frame["p_now"]).abs()
    frame = frame.sort_values("distance", kind="stable", na_position="last").drop(columns=["_q"])
    frame.attrs.update(n_scenarios=n_scenarios)
    return frame.reset_index(drop=True)
