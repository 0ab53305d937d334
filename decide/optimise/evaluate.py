"""Values of strategies on scenarios: mean criterion values of many, per-scenario values of a few.

The rule is :mod:`decide.optimise.evaluator`'s. Strategies that choose the same enabling options
share every question's answers in every scenario; the compiled pass
(:mod:`decide.optimise._strategy_kernels`) takes them a group at a time and reads each option's
change from its outcomes as it adds it, so no change row is built or held.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.model.strategies import StrategySpace, as_space, check_strategy
from decide.optimise.evaluator import Evaluator, pattern_codes, strategy_draws
from decide.optimise.scenarios import Scenarios
from decide.spec import Case

__all__ = ["criterion_means", "scenario_values", "evaluate_strategy"]


def _groups(space: StrategySpace, X: NDArray[np.bool_]) -> list[NDArray[np.intp]]:
    """Row indices of X grouped by the enabling options they pursue (same viability per scenario)."""
    keys = pattern_codes(X[:, space.enabling_options])
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    return np.split(order, bounds)


def criterion_means(
    arrays: CaseArrays | Case | StrategySpace,
    X: NDArray[np.bool_],
    scenarios: Scenarios,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean value on each criterion, and mean soft loss on each criterion, of many strategies.

    Parameters
    ----------
    X
        ``(strategy, option)`` 0/1 rows over the pursuable options (not checked for feasibility).
    scenarios
        The scenarios (the same for every strategy).

    Returns
    -------
    means
        ``(strategy, criterion)``: mean over scenarios of the capped outcome's value in [0, 1].
    losses
        ``(strategy, criterion)``: mean soft loss (charged only where the options requiring it
        go ahead; see :mod:`decide.optimise.evaluator`). A strategy's expected value under
        weights ``w`` (summing to 1) is ``(means - losses) @ w``.
    """
    from decide.optimise._strategy_kernels import criterion_means as kernel

    space = as_space(arrays)
    X = np.asarray(X, dtype=bool).reshape(-1, space.n_options)
    draws = strategy_draws(space, scenarios)
    evaluator = Evaluator(space, draws)
    if len(X) == 0:
        return np.zeros((0, space.arrays.n_criteria)), evaluator.losses(X, mean=True)
    # Options whose change depends on fewer enablers first, then strategies in lexicographic order
    # of (option, change): neighbours share long prefixes, whose partial sums the kernel keeps.
    codes = evaluator.change_codes(X)
    path = np.argsort(codes.max(axis=0, initial=0), kind="stable")
    keys = np.where(X, codes + 1, 0)[:, path]
    order = np.lexsort(keys.T[::-1])
    group_of = pattern_codes(X[:, space.enabling_options])
    _, first, group = np.unique(group_of[order], return_index=True, return_inverse=True)
    outcome_row, outcomes = evaluator.outcome_table(X[order[first]])
    dependents = [np.flatnonzero(row) for row in space.mobius]
    taken = X[order][:, path]
    n_c, n_s = draws.base.shape
    arguments = (outcome_row.astype(np.int64), outcomes, _offsets(dependents), np.concatenate(dependents).astype(np.int64),
                 np.concatenate([space.mobius[i, js] for i, js in enumerate(dependents)]),
                 evaluator.ends().reshape(space.n_options, -1, n_c, n_s), (1 + space.stage_count).astype(np.int64),
                 np.broadcast_to(path, taken.shape)[taken].astype(np.int64),
                 codes[order][:, path][taken].astype(np.int64), group.ravel().astype(np.int64),
                 np.concatenate([[0], np.cumsum(taken.sum(axis=1))]).astype(np.int64), draws.base,
                 space.value_x, space.value_v, space.n_points)
    out = np.empty((len(X), n_c))
    # Criteria are independent passes: split them between threads (the kernel releases the GIL).
    shares = [part.astype(np.int64) for part in np.array_split(np.arange(n_c), min(_threads(), n_c)) if len(part)]
    if len(shares) == 1:
        kernel(shares[0], *arguments, out)
    else:
        with ThreadPoolExecutor(len(shares)) as pool:
            list(pool.map(lambda part: kernel(part, *arguments, out), shares))
    means = np.empty_like(out)
    means[order] = out
    return means, evaluator.losses(X, mean=True)


def _threads() -> int:
    """Threads the evaluation may use: the cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _offsets(lists: list[NDArray]) -> NDArray[np.int64]:
    """CSR row offsets of a list of index arrays."""
    return np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)


def scenario_values(
    arrays: CaseArrays | Case | StrategySpace,
    X: NDArray[np.bool_],
    scenarios: Scenarios,
    weights: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per-scenario values of a few strategies under one or more weight vectors.

    Parameters
    ----------
    X
        ``(strategy, option)`` 0/1 rows over the pursuable options.
    weights
        ``(criterion,)`` or ``(profile, criterion)`` leaf weights, each summing to 1.

    Returns
    -------
    ``(strategy, profile, draw)`` values (``(strategy, draw)`` for a single weight vector).
    """
    space = as_space(arrays)
    X = np.asarray(X, dtype=bool).reshape(-1, space.n_options)
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    draws = strategy_draws(space, scenarios)
    n_c, n_s = draws.base.shape
    out = np.empty((len(X), len(W), n_s))
    evaluator = Evaluator(space, draws)
    losses = evaluator.losses(X, mean=False)  # (strategy, criterion, draw)
    for rows in _groups(space, X):
        x = X[rows[0]]
        changes = evaluator.changes(x, np.flatnonzero(X[rows].any(axis=0)))
        outcomes = (X[rows].astype(float) @ changes).reshape(len(rows), n_c, n_s)
        outcomes += draws.base
        values = np.empty_like(outcomes)
        for c in range(n_c):
            k = space.n_points[c]
            values[:, c] = np.interp(outcomes[:, c], space.value_x[c, :k], space.value_v[c, :k])
        out[rows] = np.einsum("rcs,pc->rps", values - losses[rows], W)
    return out[:, 0] if np.ndim(weights) == 1 else out


def evaluate_strategy(
    arrays: CaseArrays | Case,
    strategy: Sequence[str],
    scenarios: Scenarios,
    *,
    weights: Any = None,
) -> NDArray[np.float64]:
    """The value of one strategy in each scenario.

    Parameters
    ----------
    arrays
        The compiled case (or the case).
    strategy
        Option ids pursued together; checked first (:func:`check_strategy`). The empty list is
        the status quo.
    scenarios
        From :func:`decide.optimise.scenarios.draw_scenarios`.
    weights
        A weight profile id, explicit leaf weights, or None for the case's default profile.

    Returns
    -------
    ``(draw,)`` values: weighted value of the capped outcome minus soft losses.

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> from decide.optimise.scenarios import draw_scenarios
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> scenarios = draw_scenarios(arrays, 1000, rng=1)
    >>> values = evaluate_strategy(arrays, ["mediate"], scenarios)
    >>> values.shape
    (1000,)
    >>> evaluate_strategy(arrays, ["mediate", "intervene"], scenarios)
    Traceback (most recent call last):
    ...
    decide.errors.DecideError: strategy intervene + mediate is not feasible:
      - over the money budget by 0.5 (uses 4 of 3.5)
    >>> evaluate_strategy(arrays, ["wait"], scenarios)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    decide.errors.DecideError: 'wait' is the baseline (the status quo): it is the empty strategy ...
    """
    from decide.score import resolve_weights

    space = as_space(arrays)
    x = check_strategy(space, strategy)
    w, _ = resolve_weights(space.arrays, weights)
    return scenario_values(space, x[None], scenarios, w)[0]
