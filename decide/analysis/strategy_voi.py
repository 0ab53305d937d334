"""Value of information for the strategy choice: what learning one precondition's answer before
choosing the combination of options is worth (DESIGN.md, "Sensitivity and robustness").

For a question ``q`` and the strategies ``s`` of a candidate set, on common scenarios,

    EVPPI(q) = sum over a in {yes, no} of P(a) max_s E[v_s | a]  -  max_s E[v_s],

the expected gain from choosing the strategy after learning the answer instead of before. The
answer is the one the recommendation turns on: ``q``'s answer under the recommended strategy's
enablers ("would Algeria engage, with the recommendation pursued"). With the best strategy given
each answer (``s_yes``, ``s_no``) and overall (``s*``) fixed at their estimates, the estimate is
exactly the mean over the scenarios of ``g = v[s_answer] - v[s*]`` (the per-draw influence, as
:mod:`decide.montecarlo.estimates` does for the options), so its standard error is
``sd(g) / sqrt(n)``. Picking the best given an answer from noisy means biases the estimate up, by
about the standard error of the closest differences; a question worth nothing shows as a small
positive value within two standard errors of zero.

The candidates
--------------
Every feasible strategy would need every strategy's value per scenario, at the cost of the whole
search again per answer; the maximum is taken over a shortlist instead, which makes the estimate a
lower bound (a strategy outside the list could only do better given an answer). The shortlist is
what a decision given one answer moves to: the recommendation; it without each of its options (and
what depends on it); it with each other option (and what that needs), where feasible; it without
every option that requires ``q`` (each question's "if no, drop what needs it"); and the strategies
with the best expected value on the search's own scenarios (``evaluated``, the search's evaluation
of every feasible strategy), ``top`` of them -- without that evaluation, each option alone (with
what it needs) instead. On the bundled Mali case, against every feasible
strategy (73,728) on the search's 1,000 scenarios, the best strategy given each answer of every
question was on this list.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.optimise.scenarios import Scenarios

__all__ = ["strategy_evppi", "candidate_strategies"]


def candidate_strategies(space: Any, x: NDArray[np.bool_], *, evaluated: Any = None, weights: Any = None,
                         top: int = 20, extra: tuple[tuple[str, ...], ...] = ()) -> NDArray[np.bool_]:
    """The shortlist of the module notes, recommendation ``x`` first: ``(strategy, option)`` rows,
    feasible and distinct. ``evaluated`` is ``StrategyResult.evaluated`` (strategies and their net
    criterion values; None: each option alone instead of the top strategies), ``weights`` the leaf
    weights they are valued with; ``extra`` further strategies (option ids) to include."""
    from decide.model.strategies import strategy_problems

    rows = [x.copy()]
    for i in range(space.n_options):
        # Drop the option and what depends on it; or add it and what it needs.
        y = x & ~space.closure[:, i] if x[i] else x | space.closure[i]
        rows.append(y)
    for q in range(space.arrays.n_preconditions):
        needing = np.flatnonzero(space.hard[:, q] & x)
        if len(needing):
            rows.append(x & ~space.closure[:, needing].any(axis=1))
    if evaluated is not None and weights is not None and top > 0:
        X, net = evaluated
        value = np.asarray(net) @ np.asarray(weights, dtype=float)
        k = min(top, len(value))
        best = np.argpartition(-value, k - 1)[:k]
        rows += [np.asarray(X[i], dtype=bool) for i in best[np.argsort(-value[best], kind="stable")]]
    else:
        rows += [space.closure[i].copy() for i in range(space.n_options)]
    rows += [space.vector(list(s)) for s in extra]
    out, seen = [], set()
    for y in rows:
        key = y.tobytes()
        if key in seen or strategy_problems(space, y):
            continue
        seen.add(key)
        out.append(y)
    return np.array(out, dtype=bool)


def strategy_evppi(arrays: CaseArrays, strategy: tuple[str, ...], scenarios: Scenarios, *, weights: Any = None,
                   evaluated: Any = None, top: int = 20, extra: tuple[tuple[str, ...], ...] = ()) -> pd.DataFrame:
    """EVPPI of each question for the choice of strategy (see the module notes), on ``scenarios``.

    ``strategy`` is the recommendation; ``weights`` the profile id (None: the case's default) it
    was chosen with; ``evaluated`` and ``top``: see :func:`candidate_strategies`.

    Returns one row per question whose answer varies over the scenarios (index ``precondition``),
    most valuable first: ``value``, ``value_se``, ``p_yes`` (under the recommendation's enablers),
    ``if_yes`` and ``if_no`` (the best candidate given that answer, option ids), ``changes`` (whether
    either differs from the best without the answer). attrs: ``n_scenarios``, ``n_candidates``,
    ``best`` (the best candidate without information) and ``recommended_value`` (its mean value).

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> from decide.optimise.scenarios import draw_scenarios
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> t = strategy_evppi(arrays, ("mediate",), draw_scenarios(arrays, 2000, rng=1))
    >>> t.attrs["n_candidates"], t.attrs["best"]
    (3, ('mediate',))
    >>> float(t.at["backing", "value"]), t.at["backing", "if_yes"], t.at["backing", "if_no"]
    (0.0, ('mediate',), ('mediate',))
    """
    from decide.analysis.intervention import strategy_answers
    from decide.model.strategies import check_strategy, strategy_space
    from decide.optimise.evaluate import scenario_values
    from decide.score import resolve_weights

    space = strategy_space(arrays)
    x = check_strategy(space, list(strategy))
    w, _ = resolve_weights(space.arrays, weights)
    X = candidate_strategies(space, x, evaluated=evaluated, weights=w, top=top, extra=extra)
    V = scenario_values(space, X, scenarios, w)  # (candidate, draw)
    n = V.shape[1]
    means = V.mean(axis=1)
    best = int(np.argmax(means))
    answers = strategy_answers(space, x, scenarios)
    rows = []
    for q, qid in enumerate(space.arrays.precondition_ids):
        yes = answers[:, q]
        k = int(yes.sum())
        if k in (0, n):
            continue
        a_yes, a_no = int(np.argmax(V[:, yes].mean(axis=1))), int(np.argmax(V[:, ~yes].mean(axis=1)))
        g = np.where(yes, V[a_yes], V[a_no]) - V[best]
        value = float(g.mean())
        rows.append({"precondition": qid, "value": value if abs(value) > 1e-12 else 0.0,
                     "value_se": float(g.std(ddof=1) / np.sqrt(n)), "p_yes": k / n,
                     "if_yes": space.ids(X[a_yes]), "if_no": space.ids(X[a_no]),
                     "changes": a_yes != best or a_no != best})
    frame = pd.DataFrame(rows, columns=["precondition", "value", "value_se", "p_yes", "if_yes", "if_no", "changes"])
    frame = frame.set_index("precondition").sort_values("value", ascending=False, kind="stable")
    frame.attrs.update(n_scenarios=n, n_candidates=len(X), best=space.ids(X[best]), recommended_value=float(means[0]),
                       strategy=tuple(strategy))
    return frame
