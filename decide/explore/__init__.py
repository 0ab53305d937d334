"""Explore a case under deep uncertainty: many variants, each evaluated by the full engine.

When nobody will commit to a probability, a weight or a budget, a design (:mod:`.design`) names
the parameters that vary and their ranges; a sampling plan (:mod:`.sampling`: Latin hypercube,
Sobol', full factorial) gives each experiment its values; each experiment is a variant of the case
(:mod:`.variants`), validated like any case, simulated and searched for its best strategy
(:mod:`.experiment`), on local processes or a Dask cluster (:mod:`.runners`); the rows stream to a
Parquet or CSV file as they finish (:mod:`.store`), so a run that stops resumes where it was.
:func:`prim_inputs` turns the table into what scenario discovery (PRIM) reads.

Modules, lowest first: design -> sampling -> variants -> experiment -> runners, store -> this.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from decide import __version__
from decide.errors import DecideError
from decide.explore.design import Design, Parameter, load_design, parse_design
from decide.explore.experiment import OPTION_MEASURES, TIMING_COLUMNS, ExperimentContext, result_columns
from decide.explore.runners import SCHEDULER_VARIABLE, run_dask, run_local
from decide.explore.sampling import experiment_seed, sampling_plan
from decide.explore.store import ResultStore, read_results
from decide.explore.variants import CaseSource, read_case_source
from decide.load import YamlDocument

__all__ = ["explore", "Progress", "Design", "Parameter", "load_design", "parse_design", "sampling_plan",
           "experiment_seed", "read_results", "prim_inputs", "discover_experiments", "summarise", "SCHEDULER_VARIABLE", "TIMING_COLUMNS"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """What a progress callback is told after each finished experiment."""

    done: int
    """Experiments finished in this run (resumed ones not counted)."""
    total: int
    """Experiments this run has to do."""
    failed: int
    elapsed: float
    """Seconds since the first experiment was sent."""

    @property
    def rate(self) -> float:
        """Experiments per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining(self) -> float:
        """Seconds left at the rate so far (NaN before the first experiment)."""
        return (self.total - self.done) / self.rate if self.rate > 0 else float("nan")


def _case_fingerprint(source: CaseSource) -> str:
    return hashlib.sha256(json.dumps(source.data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def explore(
    case: str | os.PathLike[str],
    design: str | os.PathLike[str] | Mapping[str, Any] | Design,
    output: str | os.PathLike[str] | None = None,
    *,
    resume: bool = False,
    scheduler: Any = None,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    allow_paths: tuple[str | os.PathLike[str], ...] = (),
) -> pd.DataFrame:
    """Run every experiment of a design on a case; one row per experiment, sorted by experiment.

    ``case`` is a case file or a bundled case's name; ``design`` a design file, a mapping or a
    :class:`Design` (see :mod:`decide.explore.design`). ``output`` (``.parquet`` or ``.csv``)
    receives each row as it finishes; with ``resume`` the rows already there are kept and their
    experiments skipped (the design and case must be the ones that wrote them). ``scheduler`` is a
    Dask scheduler's address or a ``distributed.Client`` (default: the environment variable
    ``DECIDE_SCHEDULER``, else a local pool of ``workers`` processes). ``progress`` is called with
    a :class:`Progress` after each experiment.

    Columns: ``experiment``, one per parameter, ``error`` (empty unless the experiment failed:
    an invalid variant, an engine refusing it, a lost worker), ``best_option`` (highest mean),
    ``strategy`` (the recommended strategy's option ids joined by " + ") with ``strategy_size``,
    ``strategy_mean``, ``strategy_p_best`` (P(it beats every single option)) and
    ``strategy_p_blocked``; per option ``mean.<id>``, ``p_best.<id>`` (among the options) and
    ``p_blocked.<id>``; ``seconds`` and ``engine_seconds`` (the only columns that differ between
    two runs of one design). Each experiment draws from the design seed's spawn child keyed by its
    index, so its numbers do not depend on where or in which order it ran.
    """
    source = read_case_source(case, allow_paths)
    if isinstance(design, Design):
        plan_design = design
    elif isinstance(design, Mapping) or isinstance(design, YamlDocument):
        plan_design = parse_design(design, source.data)
    else:
        plan_design = load_design(design, source.data)
    from decide.load import parse_case

    base = parse_case(YamlDocument(source.data, dict(source.lines), source.file), base_dir=source.base_dir)
    option_ids = tuple(o.id for o in base.options)
    baseline = next((o.id for o in base.options if o.baseline), None)
    context = ExperimentContext(source, plan_design, option_ids, baseline)
    columns = result_columns(plan_design, option_ids)
    meta = {"design": plan_design.fingerprint(), "case": _case_fingerprint(source), "case_file": source.file,
            "seed": plan_design.seed, "experiments": plan_design.experiments, "sampling": plan_design.sampling,
            "draws": plan_design.draws, "version": __version__, "design_spec": plan_design.to_dict()}
    plan = sampling_plan(plan_design)

    store = ResultStore(output, columns, meta, resume=resume) if output is not None else None
    finished = store.finished if store is not None else set()
    tasks = [(i, values) for i, values in enumerate(plan) if i not in finished]
    rows: list[dict[str, Any]] = []
    counts = {"done": 0, "failed": 0}
    start = time.perf_counter()

    def on_row(row: dict[str, Any]) -> None:
        if store is not None:
            store.append(row)
        else:
            rows.append(row)
        counts["done"] += 1
        counts["failed"] += bool(row.get("error"))
        if progress is not None:
            progress(Progress(counts["done"], len(tasks), counts["failed"], time.perf_counter() - start))

    scheduler = scheduler if scheduler is not None else (os.environ.get(SCHEDULER_VARIABLE) or None)
    complete = False
    try:
        if scheduler is not None:
            run_dask(context, tasks, on_row, scheduler=scheduler)
        else:
            run_local(context, tasks, on_row, workers=workers)
        complete = True
    finally:
        if store is not None:
            store.close(complete=complete)
    if store is not None:
        frame = store.frame()
    else:
        frame = pd.DataFrame(rows, columns=[name for name, _ in columns])
        frame = frame.sort_values("experiment", kind="stable").reset_index(drop=True)
    frame.attrs["explore"] = meta
    return frame


def summarise(table: pd.DataFrame) -> dict[str, Any]:
    """What an explore table says in brief: failures, how often each strategy and option leads."""
    ok = table[table["error"].fillna("") == ""]
    strategies = Counter(s for s in ok.get("strategy", pd.Series(dtype=str)) if s)
    options = Counter(ok["best_option"])
    members = Counter(o for s in strategies.elements() if s != "(nothing)" for o in s.split(" + "))
    return {"experiments": len(table), "failed": int(len(table) - len(ok)),
            "strategies": strategies.most_common(), "best_options": options.most_common(),
            "strategy_members": members.most_common(),
            "seconds_mean": float(table["seconds"].mean()) if len(table) else float("nan"),
            "engine_seconds_mean": float(table["engine_seconds"].mean()) if len(table) else float("nan")}


def prim_inputs(table: pd.DataFrame, *, outcome: str = "strategy",
                reference: str | None = None) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """The explore table as scenario discovery (PRIM) reads it: inputs, the flag to explain, kinds.

    ``x``: one column per parameter (float64, or categorical for listed ids), failed experiments
    dropped. ``y``: True where the recommendation differs from ``reference`` -- for ``outcome``
    ``"strategy"`` the recommended strategy, for ``"best_option"`` the option with the highest
    mean -- by default the one most experiments recommend. ``kinds``: each column's kind
    (``"probability"`` for preconditions, ``"weight"``, ``"answer"`` for a listed choice, else
    ``"outcome"``). This is what :func:`decide.discover.boxes.find_boxes` takes; see
    :func:`discover_experiments`.
    """
    meta = table.attrs.get("explore", {})
    spec = meta.get("design_spec", {}).get("parameters", [])
    ok = table[table["error"].fillna("") == ""]
    if outcome not in ("strategy", "best_option"):
        raise DecideError(f"outcome must be 'strategy' or 'best_option', not {outcome!r}")
    if ok.empty:
        raise DecideError("no experiment succeeded: nothing to discover")
    chosen = ok[outcome].astype(str)
    reference = reference if reference is not None else chosen.value_counts().index[0]
    names = [p["id"] for p in spec] if spec else [c for c in table.columns if c not in _NON_PARAMETERS
                                                    and not c.startswith(tuple(f"{m}." for m in OPTION_MEASURES))]
    targets = {p["id"]: p["target"] for p in spec}
    x = pd.DataFrame(index=ok.index)
    kinds: dict[str, str] = {}
    for name in names:
        column = ok[name]
        if not pd.api.types.is_numeric_dtype(column):
            x[name] = pd.Categorical(column.astype(str))
            kinds[name] = "answer"
        else:
            x[name] = column.astype(float)
            target = targets.get(name, "")
            kinds[name] = ("probability" if target.startswith("preconditions.") else
                           "weight" if target.startswith("weights.") else "outcome")
    y = (chosen != reference).to_numpy()
    x = x.reset_index(drop=True)
    x.attrs["reference"] = reference
    return x, y, kinds


_NON_PARAMETERS = {"experiment", "error", "best_option", "strategy", "strategy_size", "strategy_mean",
                   "strategy_p_best", "strategy_p_blocked", *TIMING_COLUMNS}


def discover_experiments(table: pd.DataFrame, *, outcome: str = "strategy", reference: str | None = None,
                         max_boxes: int = 2, min_share: float = 0.05, min_count: int = 5) -> list[str]:
    """"The recommendation changes to ... when ..." sentences, by PRIM over the experiments' parameters.

    For each alternative recommendation (a strategy, or with ``outcome="best_option"`` an option)
    that at least ``min_share`` (and ``min_count``) of the successful experiments give, other than ``reference`` (by
    default the most common), PRIM boxes (:func:`decide.discover.boxes.find_boxes`, the scenario
    discovery module's EMA Workbench PRIM) explain where it is the one recommended.
    """
    from decide.discover.boxes import find_boxes

    x, y, kinds = prim_inputs(table, outcome=outcome, reference=reference)
    ok = table[table["error"].fillna("") == ""]
    chosen = ok[outcome].astype(str).to_numpy()
    reference = x.attrs["reference"]
    out = []
    counts = pd.Series(chosen).value_counts()
    for alternative, n in counts.items():
        if alternative == reference or n < max(min_share * len(chosen), min_count):
            continue
        change = (f"The recommended strategy {_strategy_change(reference, alternative)}" if outcome == "strategy"
                  else f"The best option changes from {reference} to {alternative}")
        for box in find_boxes(x, chosen == alternative, kinds, max_boxes=max_boxes):
            out.append(f"{change} when {box.words} "
                       f"(coverage {box.coverage:.0%}, density {box.density:.0%}, {box.n_worlds} experiments)")
    return out


def _strategy_change(reference: str, alternative: str) -> str:
    """``adds X and drops Y`` (option ids), from one recommended strategy to another."""
    before = [] if reference == "(nothing)" else reference.split(" + ")
    after = [] if alternative == "(nothing)" else alternative.split(" + ")
    added = [o for o in after if o not in before]
    dropped = [o for o in before if o not in after]
    parts = ([f"adds {', '.join(added)}"] if added else []) + ([f"drops {', '.join(dropped)}"] if dropped else [])
    return " and ".join(parts) if parts else f"changes to {alternative}"
