"""decide: choose between interventions in a crisis.

Load a case, score it, simulate its uncertainty, and report::

    import decide
    case = decide.load_case("mali-2012")
    decide.score(case).to_frame()
    decide.simulate(case, n_draws=100_000, rng=1).summary
    decide.write_report("mali-2012", "mali-report")

The Monte Carlo engine (numba), the optimisation models (Pyomo) and the report (matplotlib,
SALib) are imported when first used, so ``import decide`` and ``decide score`` stay quick.

Every function here checks its arguments first: a wrong type raises a ``TypeError``, a wrong value
a ``ValueError``, both :class:`DecideError` and naming the argument (see :mod:`decide.arguments`).
A function that works on a case takes the loaded :class:`~decide.spec.Case`, not its file name.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

__version__ = "0.1.0"

import decide.arguments as _arguments
import decide.compile as _compile
import decide.load as _load
import decide.score as _scoring
from decide.errors import CaseError as CaseError
from decide.errors import DecideError as DecideError
from decide.errors import Problem as Problem
from decide.errors import SolverError as SolverError
from decide.mcda.ahp import ahp_weights as ahp_weights
from decide.mcda.matrix import score_matrix as score_matrix

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from decide.compile import CaseArrays
    from decide.optimise.core_index import CoreIndexResult
    from decide.optimise.scenarios import Scenarios
    from decide.optimise.strategy import StrategyResult
    from decide.results import SimulationResult
    from decide.montecarlo.streams import SeedLike
    from decide.score import ScoreResult
    from decide.spec import Case

# The subpackage decide.report would replace the function `report` below the first time any of
# its modules is imported (the import system sets a package's submodules as its attributes).
# Imported now, before the function is bound, it never will; its __init__ is empty, so this
# imports nothing heavy.
importlib.import_module("decide.report")

__all__ = [
    "__version__",
    "CaseError",
    "DecideError",
    "Problem",
    "SolverError",
    "load_case",
    "parse_case",
    "score",
    "score_profiles",
    "score_matrix",
    "ahp_weights",
    "simulate",
    "optimise_strategies",
    "core_index",
    "write_report",
    "report",
]


def _compiled_case(case: Any, name: str) -> Case | CaseArrays:
    """A loaded case or its compiled arrays, or the TypeError naming ``name``."""
    if isinstance(case, _compile.CaseArrays):
        return case
    return _arguments.require_case(case, name, arrays=True)


# load_case, parse_case, score and score_profiles are the modules' own functions (same signature
# and docstring, see functools.wraps), after a check of the argument their modules would otherwise
# fail on deep inside.


@functools.wraps(_load.load_case)
def load_case(path: Any, *args: Any, **kwargs: Any) -> Case:
    return _load.load_case(_arguments.path(path, "path"), *args, **kwargs)


@functools.wraps(_load.parse_case)
def parse_case(data: Any, *args: Any, **kwargs: Any) -> Case:
    if not isinstance(data, (Mapping, _load.YamlDocument)):
        hint = "; for a case file, call decide.load_case(path)" if isinstance(data, (str, PathLike)) else ""
        raise _arguments.ArgumentTypeError(f"data must be a mapping (a parsed case), not {_arguments.given(data)}"
                                           f"{hint}")
    return _load.parse_case(data, *args, **kwargs)


@functools.wraps(_scoring.score)
def score(case: Any, *args: Any, **kwargs: Any) -> ScoreResult:
    return _scoring.score(_compiled_case(case, "case"), *args, **kwargs)


@functools.wraps(_scoring.score_profiles)
def score_profiles(case: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
    return _scoring.score_profiles(_compiled_case(case, "case"), *args, **kwargs)


def simulate(
    case: Case | CaseArrays,
    n_draws: int = 100_000,
    *,
    rng: SeedLike = 20120406,
    weights: str | None = None,
    method: Literal["mc", "qmc"] = "mc",
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    confidence_draws: int | None = None,
    strategy: Sequence[str] | None = None,
) -> SimulationResult:
    """Monte Carlo robustness of a case: value distributions, ranks, blockers, value of information.

    ``case`` is a loaded case; ``n_draws`` the number of iterations (memory does not grow with
    it); ``rng`` the seed (a non-negative integer, a ``SeedSequence``, a ``Generator`` or None for
    fresh entropy, recorded in the result); ``weights`` None (the default profile), a profile id,
    ``"imprecise"``, ``"uniform"`` or ``"profiles"``; ``method`` ``"mc"`` or ``"qmc"``;
    ``workers`` and ``chunk_size`` change speed, never results; ``progress`` is called with the
    draws done; ``confidence_draws`` the prefix on which confidence factors are estimated;
    ``strategy`` option ids evaluated together as one more alternative. Every estimate comes
    with its Monte Carlo standard error. Full description: :func:`decide.montecarlo.simulate`.
    """
    case = _compiled_case(case, "case")
    from decide.montecarlo import simulate as run

    return run(case, n_draws, rng=rng, weights=weights, method=method, workers=workers, chunk_size=chunk_size,
               progress=progress, confidence_draws=confidence_draws, strategy=strategy)


def optimise_strategies(
    case: Case | CaseArrays,
    *,
    n_scenarios: int = 1000,
    rng: SeedLike | None = None,
    weights: Any = None,
    engine: Literal["auto", "enumerate", "milp"] = "auto",
    top: int = 5,
    time_limit: float = 60.0,
    out_of_sample: int = 10_000,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    stability: int | None = None,
) -> StrategyResult:
    """Best combinations of options under budgets, dependencies and exclusions.

    The candidates are compared on ``n_scenarios`` common Monte Carlo scenarios (seed ``rng``),
    the ``top`` best re-simulated on ``out_of_sample`` fresh ones. ``weights``: None (the
    default profile), a profile id, explicit leaf weights, ``"maximin"`` or ``"minimax_regret"``.
    ``engine``: exact enumeration, the MILP (``time_limit`` seconds per solve) or ``"auto"``.
    ``include``/``exclude``: option ids every strategy must / may not contain. ``stability``:
    reruns with other seeds. The case needs a baseline option. Full description:
    :func:`decide.optimise.strategy.optimise_strategies`.
    """
    case = _compiled_case(case, "case")
    from decide.optimise.strategy import optimise_strategies as run

    return run(case, n_scenarios=n_scenarios, rng=rng, weights=weights, engine=engine, top=top,
               time_limit=time_limit, out_of_sample=out_of_sample, include=include, exclude=exclude,
               stability=stability)


def core_index(
    case: Case | CaseArrays,
    *,
    n_scenarios: int = 1000,
    rng: SeedLike | None = None,
    scenarios: Scenarios | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> CoreIndexResult:
    """Robust Portfolio Modelling core index: which options every admissible strategy contains.

    Expected values are averaged over ``n_scenarios`` scenarios (seed ``rng``), or over ready-made
    ``scenarios``; ``include``/``exclude`` are option ids every strategy must / may not contain.
    Full description: :func:`decide.optimise.core_index.core_index`.
    """
    case = _compiled_case(case, "case")
    from decide.optimise.core_index import core_index as run

    return run(case, n_scenarios=n_scenarios, rng=rng, scenarios=scenarios, include=include, exclude=exclude)


def write_report(
    case: str | PathLike[str],
    out_dir: str | PathLike[str],
    *,
    n_draws: int = 100_000,
    seed: int = 20121,
    weights: str | None = None,
    sobol_n: int = 1024,
    strategies: bool = True,
    progress: Callable[[int], None] | None = None,
    allow_paths: str | PathLike[str] | Sequence[str | PathLike[str]] = (),
) -> Path:
    """Run every analysis of a case and write ``report.md`` with its charts into ``out_dir``.

    ``case`` is a case file or a bundled case's name (the report records the file and its hash);
    ``n_draws`` the Monte Carlo draws; ``seed`` a non-negative integer from which every analysis
    takes its own stream; ``weights`` None, a profile id, ``"imprecise"``, ``"uniform"`` or
    ``"profiles"``; ``sobol_n`` the Sobol base sample size; ``strategies`` False skips the
    strategies; ``progress`` is called with the draws done; ``allow_paths`` folders besides the
    case's own where its ``criteria:`` may name a file. The directory is written atomically, and
    only into a new or empty folder or an unchanged earlier report. Returns its path. ``decide.report`` is the same function. See
    :func:`decide.report.build.run_analyses` and :func:`decide.report.write.build_report`.
    """
    _arguments.case_reference(case, "case")
    _arguments.path(out_dir, "out_dir")
    _arguments.flag(strategies, "strategies")
    from decide.report.write import build_report

    return build_report(case, out_dir, n_draws=n_draws, seed=seed, weights=weights, sobol_n=sobol_n,
                        strategies=strategies, progress=progress, allow_paths=allow_paths)


report = write_report
