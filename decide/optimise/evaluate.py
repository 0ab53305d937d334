"""Values of strategies on scenarios: mean criterion values of many, per-scenario values of a few.

The rule is :mod:`decide.optimise.evaluator`'s. Strategies that choose the same enabling options
share every scenario's viability, so each such group is one compiled pass over the scenarios
(:mod:`decide.optimise._strategy_kernels`), its options' change rows computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.model.strategies import StrategySpace, as_space, check_strategy
from decide.optimise.evaluator import Evaluator, pattern_codes, strategy_draws
from decide.optimise.scenarios import Scenarios
from decide.spec import Case

__all__ = ["criterion_means", "scenario_values", "evaluate_strategy"]

_ROW_MEMORY = 256 * 2**20  # bytes of change rows held at once while evaluating strategies
_BATCH = 4096  # strategies per kernel call (fewer when their change rows would pass _ROW_MEMORY)


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
    means = np.empty((len(X), space.arrays.n_criteria))
    base = np.ascontiguousarray(draws.base.ravel())
    evaluator = Evaluator(space, draws)
    # Each (option, code) pair is one change row, shared by every strategy with that code. Rows
    # are kept between batches of strategies, and both are bounded so that memory stays bounded.
    codes = evaluator.change_codes(X)
    # Strategies with the same enabling options next to each other (all their change rows agree),
    # lexicographic within: neighbours then share partial sums in the kernel.
    group = pattern_codes(X[:, space.enabling_options])
    order = np.lexsort(tuple(X.T[::-1]) + (group,))[::-1]
    row_bytes = 8 * base.size
    kept: dict[tuple[int, int], NDArray[np.float64]] = {}
    start = 0
    while start < len(X):
        size = min(_BATCH, len(X) - start)
        while True:
            rows = order[start:start + size]
            option = np.broadcast_to(np.arange(space.n_options), (len(rows), space.n_options))[X[rows]]
            pair = codes[rows][X[rows]] * space.n_options + option  # (code, option) as one integer
            unique, index = np.unique(pair, return_inverse=True)
            distinct = np.column_stack([unique % space.n_options, unique // space.n_options])
            if len(distinct) * row_bytes <= _ROW_MEMORY or size == 1:
                break
            size //= 2
        start += size
        if (len(kept) + len(distinct)) * row_bytes > _ROW_MEMORY:
            kept.clear()
        changes = np.empty((len(distinct), base.size))
        for k, (i, code) in enumerate(distinct):
            key = (int(i), int(code))
            if key not in kept:
                first = rows[np.flatnonzero(X[rows, i] & (codes[rows, i] == code))[0]]
                kept[key] = evaluator.change(int(i), X[first])
            changes[k] = kept[key]
        chosen = index.ravel().astype(np.int64)  # row-major: each strategy's options in case order
        starts = np.concatenate([[0], np.cumsum(X[rows].sum(axis=1))]).astype(np.int64)
        out = np.empty((len(rows), space.arrays.n_criteria))
        kernel(chosen, starts, changes, base, space.value_x, space.value_v, space.n_points, out)
        means[rows] = out
    return means, evaluator.losses(X, mean=True)


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
