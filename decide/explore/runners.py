"""Runners: where an explore run's experiments execute.

- :func:`run_local` -- a pool of local processes (``spawn``ed, one thread each), the default;
- :func:`run_dask` -- tasks on an existing ``dask.distributed`` cluster (a scheduler's address or
  a ``Client``); the context (case data and design) is scattered once to every worker.

Both call :func:`~decide.explore.experiment.run_experiment` on (index, values) pairs and hand each
finished row to ``on_row`` in the order they finish; a row does not depend on the runner, the
worker or the order (its seeds come from its index). A task that dies (a worker lost, a pool
broken) becomes a row with an error, never the end of the run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from decide.errors import DecideError
from decide.explore.experiment import OPTION_MEASURES, ExperimentContext, run_experiment

__all__ = ["run_local", "run_dask", "failed_row", "SCHEDULER_VARIABLE"]

SCHEDULER_VARIABLE = "DECIDE_SCHEDULER"

Task = tuple[int, Mapping[str, Any]]

_CONTEXT: ExperimentContext | None = None


def _init_worker(context: ExperimentContext) -> None:
    global _CONTEXT
    _CONTEXT = context


def _pool_task(index: int, values: Mapping[str, Any]) -> dict[str, Any]:
    return run_experiment(_CONTEXT, index, values)


def failed_row(context: ExperimentContext, index: int, values: Mapping[str, Any], error: str) -> dict[str, Any]:
    """The row of an experiment whose task died before returning one."""
    row: dict[str, Any] = {"experiment": index, **values, "error": error}
    for measure in OPTION_MEASURES:
        row.update({f"{measure}.{o}": math.nan for o in context.option_ids})
    return row


def run_local(context: ExperimentContext, tasks: Iterable[Task], on_row: Callable[[dict[str, Any]], None], *,
              workers: int | None = None) -> None:
    """Run the tasks on ``workers`` local processes (default: the CPUs this process may use)."""
    import concurrent.futures as cf
    import multiprocessing

    tasks = list(tasks)
    if not tasks:
        return
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = max(1, min(workers, len(tasks)))
    # spawn: a clean interpreter per worker (no inherited threads or locks from the parent's
    # libraries); the compiled kernels come from numba's on-disk cache after the first run.
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                initializer=_init_worker, initargs=(context,)) as pool:
        futures = {pool.submit(_pool_task, i, values): (i, values) for i, values in tasks}
        try:
            for future in cf.as_completed(futures):
                i, values = futures.pop(future)
                try:
                    row = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker: that experiment's error
                    row = failed_row(context, i, values, f"worker failed: {type(exc).__name__}: {exc}")
                on_row(row)
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def run_dask(context: ExperimentContext, tasks: Iterable[Task], on_row: Callable[[dict[str, Any]], None], *,
             scheduler: Any) -> None:
    """Run the tasks on a Dask cluster: ``scheduler`` is its address (``tcp://host:8786``) or a
    ``distributed.Client``. The workers need decide installed (the same version)."""
    from distributed import Client, as_completed

    tasks = list(tasks)
    if not tasks:
        return
    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise DecideError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start one (dask "
                              f"scheduler) or leave out --scheduler and {SCHEDULER_VARIABLE} to run locally") from None
    else:
        client = scheduler
    try:
        shared = client.scatter(context, broadcast=True, hash=False)
        futures = {}
        for i, values in tasks:
            future = client.submit(run_experiment, shared, i, dict(values), pure=False, retries=0)
            futures[future] = (i, values)
        try:
            for future in as_completed(list(futures)):
                i, values = futures.pop(future)
                try:
                    row = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker or a killed task
                    row = failed_row(context, i, values, f"worker failed: {type(exc).__name__}: {exc}")
                future.release()
                on_row(row)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own:
            client.close()
