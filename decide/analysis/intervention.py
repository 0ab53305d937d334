"""Value at stake by intervention: what a precondition's answer is worth to the recommended strategy.

The simulation's "value at stake" of an option and a question is observed: the option's mean value
where the answer is yes minus where it is no. Where questions are correlated (the case's Gaussian
copula) a world where one says yes is also a world where its correlated questions tend to say yes,
so the contrast mixes in what comes with the answer. Setting the answer instead -- yes in every
world, then no in every world, every other uncertain quantity drawn as before -- gives

    at_stake(q) = E[v(S) | do(q = yes)] - E[v(S) | do(q = no)],

the value the answer itself is worth to strategy ``S`` (DESIGN.md, "Requirement"; Pearl's do
operator). On the strategies engine's scenarios a question says yes iff its latent uniform is below
its probability after the strategy's enablers (:mod:`decide.optimise.scenarios`), so setting the
answer is setting that uniform below every probability (yes) or above (no): nothing else in the
scenario moves, whatever the enablers do, and the two values are paired on the same worlds (common
random numbers). In each world one of the two is the world as drawn, so only the other answer is
evaluated: one pass over the scenarios per question.

Computed for the recommended strategy, not each option alone: the report leads with the strategy
(DESIGN.md, "Who decides, and what the report recommends"), and what a yes is worth to it is what
an analyst weighing whether to work on a question reads; an option's own value at stake is
single-option context, and the observed column of the blockers table gives it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from decide.compile import CaseArrays, apply_enablers
from decide.optimise.scenarios import Scenarios

__all__ = ["value_at_stake_by_intervention", "first_scenarios", "strategy_answers", "FORCED_YES", "FORCED_NO"]

FORCED_YES, FORCED_NO = -1.0, 2.0
"""Latent uniforms that make a question say yes (below any probability), or no (above any)."""


def first_scenarios(scenarios: Scenarios, n: int | None) -> Scenarios:
    """The first ``n`` scenarios (all of them for None or more than there are): by the seeding of
    :func:`~decide.optimise.scenarios.draw_scenarios`, the scenarios a draw of ``n`` would give."""
    if n is None or n >= scenarios.n_draws:
        return scenarios
    later = None if scenarios.stage_failures is None else scenarios.stage_failures[:n]
    return replace(scenarios, planned=scenarios.planned[:n], failure=scenarios.failure[:n],
                   probabilities=scenarios.probabilities[:n], latent=scenarios.latent[:n], stage_failures=later)


def strategy_answers(space: Any, x: NDArray[np.bool_], scenarios: Scenarios) -> NDArray[np.bool_]:
    """(draw, precondition): each question's answer in each scenario under the enablers of strategy
    ``x`` (the evaluator's rule: latent uniform below the probability after the enablers)."""
    p = apply_enablers(scenarios.probabilities, space.enablers_active(x), space.arrays)
    return scenarios.latent < p


def _requirers(space: Any, x: NDArray[np.bool_]) -> dict[int, tuple[list[str], list[str]]]:
    """Questions the strategy's options require: question -> (options requiring it hard, softly),
    an option's hard requirements including those of the options it depends on."""
    out: dict[int, tuple[list[str], list[str]]] = {}
    for j in np.flatnonzero(x):
        for q in np.flatnonzero(space.hard[j]):
            out.setdefault(int(q), ([], []))[0].append(space.option_ids[j])
        for q in np.flatnonzero(space.soft_loss[j].max(axis=-1, initial=0.0) > 0):
            out.setdefault(int(q), ([], []))[1].append(space.option_ids[j])
    return out


def value_at_stake_by_intervention(arrays: CaseArrays, strategy: tuple[str, ...], scenarios: Scenarios, *,
                                   weights: Any = None) -> pd.DataFrame:
    """For each question an option of ``strategy`` requires (hard or soft): the strategy's mean value
    with the answer set to yes and set to no, every other quantity as drawn in ``scenarios``, and
    their paired difference with its standard error; beside it the observed contrast on the same
    scenarios (mean value where the answer, under the strategy's enablers, is yes minus where no).

    Returns one row per question (index ``precondition``), largest value at stake first: ``options``
    (those requiring it, ``+``-joined; soft ones marked ``(soft)``), ``p_yes`` (share of the scenarios
    saying yes under the strategy's enablers), ``value_if_yes``, ``value_if_no``, ``at_stake``,
    ``at_stake_se``, ``observed``, ``observed_se``; attrs ``n_scenarios``, ``strategy`` and ``mean`` (the
    strategy's mean value on the scenarios as drawn: ``value_if_yes - mean`` is what securing a yes adds).

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> from decide.optimise.scenarios import draw_scenarios
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> t = value_at_stake_by_intervention(arrays, ("intervene",), draw_scenarios(arrays, 2000, rng=1))
    >>> list(t.index), bool(t.at["backing", "at_stake"] > 0)
    (['backing', 'consent'], True)
    """
    from decide.model.strategies import check_strategy, strategy_space
    from decide.optimise.evaluate import scenario_values
    from decide.score import resolve_weights

    space = strategy_space(arrays)
    x = check_strategy(space, list(strategy))
    w, _ = resolve_weights(space.arrays, weights)
    questions = _requirers(space, x)
    columns = ["options", "p_yes", "value_if_yes", "value_if_no", "at_stake", "at_stake_se", "observed",
               "observed_se"]
    rows = []
    n = scenarios.n_draws
    drawn = scenario_values(space, x[None], scenarios, w)[0]
    answers = strategy_answers(space, x, scenarios)
    for q, (hard, soft) in questions.items():
        yes = answers[:, q]
        latent = scenarios.latent.copy()
        latent[:, q] = np.where(yes, FORCED_NO, FORCED_YES)  # each world's other answer
        flipped = scenario_values(space, x[None], replace(scenarios, latent=latent), w)[0]
        if_yes, if_no = np.where(yes, drawn, flipped), np.where(yes, flipped, drawn)
        d = if_yes - if_no
        spread = float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        spread = 0.0 if spread < 1e-12 else spread  # the same in every world (a flat soft penalty): rounding only
        k = int(yes.sum())
        observed = observed_se = np.nan
        if 0 < k < n:
            vy, vn = drawn[yes], drawn[~yes]
            observed = float(vy.mean() - vn.mean())
            observed_se = float(np.sqrt((vy.var(ddof=1) if k > 1 else 0.0) / k
                                        + (vn.var(ddof=1) if n - k > 1 else 0.0) / (n - k)))
        rows.append({"precondition": space.arrays.precondition_ids[q],
                     "options": " + ".join(hard + [f"{o} (soft)" for o in soft if o not in hard]),
                     "p_yes": k / n, "value_if_yes": float(if_yes.mean()), "value_if_no": float(if_no.mean()),
                     "at_stake": float(d.mean()), "at_stake_se": spread,
                     "observed": observed, "observed_se": observed_se})
    frame = pd.DataFrame(rows, columns=["precondition", *columns]).set_index("precondition")
    frame = frame.sort_values("at_stake", ascending=False, kind="stable")
    frame.attrs.update(n_scenarios=n, strategy=tuple(strategy), mean=float(drawn.mean()))
    return frame
