"""decide: choose between interventions in a crisis.

Load a case, score it, simulate its uncertainty, and report::

    import decide
    case = decide.load_case("mali-2012")
    decide.score(case).to_frame()
    decide.simulate(case, n_draws=100_000, rng=1).summary

The Monte Carlo engine (numba), the optimisation models (Pyomo) and the report (matplotlib,
SALib) are imported when first used, so ``import decide`` and ``decide score`` stay quick.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from decide.errors import CaseError as CaseError
from decide.errors import DecideError as DecideError
from decide.errors import Problem as Problem
from decide.errors import SolverError as SolverError
from decide.load import load_case as load_case
from decide.load import parse_case as parse_case
from decide.mcda.ahp import ahp_weights as ahp_weights
from decide.mcda.matrix import score_matrix as score_matrix
from decide.score import score as score
from decide.score import score_profiles as score_profiles

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
    "report",
]


def simulate(case: Any, n_draws: int = 100_000, **kwargs: Any) -> Any:
    """Monte Carlo robustness of a case; see :func:`decide.montecarlo.simulate`."""
    from decide.montecarlo import simulate as run

    return run(case, n_draws, **kwargs)


def optimise_strategies(case: Any, **kwargs: Any) -> Any:
    """Best combinations of options; see :func:`decide.optimise.strategy.optimise_strategies`."""
    from decide.optimise.strategy import optimise_strategies as run

    return run(case, **kwargs)


def core_index(case: Any, **kwargs: Any) -> Any:
    """Robust Portfolio Modelling core index; see :func:`decide.optimise.core_index.core_index`."""
    from decide.optimise.core_index import core_index as run

    return run(case, **kwargs)


def report(case: str, out_dir: str, **kwargs: Any) -> Any:
    """Run every analysis and write ``report.md`` with charts into ``out_dir`` (atomically).

    ``case`` is a case file or a bundled case's name; keyword arguments go to
    :func:`decide.report.build.run_analyses` (``n_draws``, ``seed``, ``weights``).
    """
    from decide.report.write import build_report

    return build_report(case, out_dir, **kwargs)
