"""One experiment: build the variant, simulate it, search its best strategy, return one row.

:func:`run_experiment` is what a runner ships to a process or a Dask worker: a module-level
function of plain data (picklable by reference), whose result depends only on the experiment's
index and values, never on where or when it ran (its seeds come from
:func:`~decide.explore.sampling.experiment_seed`). A failure (an invalid variant, an engine
refusing it, or a bug) is recorded in the row's ``error``; it never ends the run.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from decide.errors import DecideError
from decide.explore.design import Design
from decide.explore.sampling import experiment_seed
from decide.explore.variants import CaseSource, build_variant

__all__ = ["ExperimentContext", "run_experiment", "result_columns", "OPTION_MEASURES", "TIMING_COLUMNS"]

OPTION_MEASURES = ("mean", "p_best", "p_blocked")
"""Per option, columns ``<measure>.<option id>``: mean value, probability of being best among the
options, probability that a hard requirement says no."""
NOTHING_FITS = "no strategy other than doing nothing fits"
"""How :func:`decide.optimise_strategies` begins its message when no option fits the budgets."""
TIMING_COLUMNS = ("seconds", "engine_seconds")
"""The only columns that change from one run of the same design to the next."""


@dataclass(frozen=True)
class ExperimentContext:
    """Everything an experiment needs besides its index and values, shipped once per worker."""

    source: CaseSource
    design: Design
    option_ids: tuple[str, ...]
    baseline: str | None


def result_columns(design: Design, option_ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """The results table's ``(column, kind)``, kind one of int, float, str, in order."""
    columns: list[tuple[str, str]] = [("experiment", "int")]
    for p in design.parameters:
        columns.append((p.id, "float" if p.is_continuous or all(not isinstance(v, str) for v in p.values)
                        else "str"))
    columns += [("error", "str"), ("best_option", "str"), ("strategy", "str"), ("strategy_size", "float"),
                ("strategy_mean", "float"), ("strategy_p_best", "float"), ("strategy_p_blocked", "float")]
    for measure in OPTION_MEASURES:
        columns += [(f"{measure}.{o}", "float") for o in option_ids]
    columns += [(c, "float") for c in TIMING_COLUMNS]
    return columns


_THREADS_LIMITED = False


def _one_thread() -> None:
    """One BLAS/OpenMP thread per process (once): a worker is one experiment at a time, and a
    pool of them already fills the cores."""
    global _THREADS_LIMITED
    if not _THREADS_LIMITED:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        _THREADS_LIMITED = True


def run_experiment(context: ExperimentContext, index: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """The row of experiment ``index`` with parameter ``values`` (see :func:`result_columns`)."""
    _one_thread()
    start = time.perf_counter()
    design = context.design
    row: dict[str, Any] = {"experiment": int(index), **values, "error": "", "best_option": "", "strategy": "",
                           "strategy_size": math.nan, "strategy_mean": math.nan, "strategy_p_best": math.nan,
                           "strategy_p_blocked": math.nan}
    for measure in OPTION_MEASURES:
        row.update({f"{measure}.{o}": math.nan for o in context.option_ids})
    engine = 0.0
    try:
        case = build_variant(context.source, design.parameters, values)
        engine_start = time.perf_counter()
        _evaluate(case, context, index, row)
        engine = time.perf_counter() - engine_start
    except DecideError as exc:
        row["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug in one experiment must not end the others
        row["error"] = f"bug: {type(exc).__name__}: {exc} ({traceback.extract_tb(exc.__traceback__)[-1].name})"
    row["seconds"] = time.perf_counter() - start
    row["engine_seconds"] = engine
    return row


def _evaluate(case: Any, context: ExperimentContext, index: int, row: dict[str, Any]) -> None:
    import decide

    design = context.design
    seed = design.seed
    # Options alone: p_best is among the options.
    sim = decide.simulate(case, design.draws, rng=experiment_seed(seed, index, 0), workers=1)
    estimates = sim.estimates
    means = {o: float(m) for o, m in zip(sim.option_ids, estimates["mean"])}
    for measure in OPTION_MEASURES:
        for o, x in zip(sim.option_ids, estimates[measure]):
            if o in context.option_ids:
                row[f"{measure}.{o}"] = float(x)
    row["best_option"] = max(means, key=means.get)
    if design.strategies is None:
        return
    search = design.strategies
    try:
        found = decide.optimise_strategies(case, n_scenarios=search.scenarios, rng=experiment_seed(seed, index, 1),
                                           engine=search.engine, top=1, time_limit=search.time_limit,
                                           out_of_sample=search.out_of_sample, stability=0)
        best = tuple(found.strategies[0]) if found.strategies else ()
    except DecideError as exc:
        # A variant whose budgets admit no option (e.g. a budget explored down to nothing): doing
        # nothing is its recommendation, an answer rather than a failure.
        if not str(exc).startswith(NOTHING_FITS):
            raise
        best = ()
    row["strategy"] = " + ".join(best) if best else "(nothing)"
    row["strategy_size"] = float(len(best))
    if not best:  # doing nothing is the baseline option
        if context.baseline is not None:
            i = sim.option_ids.index(context.baseline)
            row["strategy_mean"] = float(estimates["mean"][i])
            row["strategy_p_blocked"] = float(estimates["p_blocked"][i])
            row["strategy_p_best"] = float(estimates["p_best"][i])
        return
    # The strategy ranked alongside the options, on the same draws (same seed): its p_best is the
    # probability that it beats every single option.
    with_strategy = decide.simulate(case, design.draws, rng=experiment_seed(seed, index, 0), workers=1,
                                    strategy=list(best))
    k = with_strategy.option_ids.index("strategy")
    for measure in OPTION_MEASURES:
        row[f"strategy_{measure}"] = float(with_strategy.estimates[measure][k])
