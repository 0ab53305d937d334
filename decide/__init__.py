"""decide: choose between interventions in a crisis.

Load a case (a file, a bundled case's name, or pandas DataFrames), score it, simulate its
uncertainty, see what moves the answer, choose strategies, and write a report::

    import decide
    case = decide.load_case("mali-2012")
    decide.score(case).to_frame()
    result = decide.simulate(case, n_draws=100_000)       # fresh entropy, recorded in result.seed
    decide.simulate(case, n_draws=100_000, rng=result.seed)  # the same numbers again
    decide.write_report(case, "mali-report")

Randomness (:mod:`decide.seeds`): every stochastic function takes ``rng``; None draws fresh
entropy, which the result records so that passing it back reruns exactly. The command line uses
:data:`DEFAULT_SEED` unless told otherwise; ``rng=decide.DEFAULT_SEED`` reproduces its numbers.

Weights (:mod:`decide.weighting`): ``weights=`` takes None (the default profile), a profile id,
or a keyword — ``"imprecise"``, ``"uniform"``, ``"profiles"`` where weights are drawn,
``"maximin"``, ``"minimax_regret"`` for strategies. No profile may take a keyword's name.

The Monte Carlo engine (numba), the optimisation models (Pyomo), SALib and matplotlib are
imported when first used, so ``import decide`` and ``decide score`` stay quick. Every function
checks its arguments first: a wrong type raises a ``TypeError``, a wrong value a ``ValueError``,
both :class:`DecideError`, naming the argument.
"""

from __future__ import annotations

__version__ = "0.1.0"

import sys
import types
from typing import TYPE_CHECKING

# Imported on first use (PEP 562), so that `decide validate` and `decide score` pay only for what
# they use (issue 18: start-up within 0.8 s).
_LAZY = {
    "discover": "decide.discover.core",  # the function (the package decide.discover is its home)
    "DiscoveryResult": "decide.discover.core",
    "explore": "decide.explore",
    "core_index": "decide.api",
    "optimise_strategies": "decide.api",
    "simulate": "decide.api",
    "sobol_indices": "decide.api",
    "tornado": "decide.api",
    "write_report": "decide.api",
    "bundled_cases": "decide.bundled",
    "dump_case": "decide.dump",
    "CaseError": "decide.errors",
    "DecideError": "decide.errors",
    "DecideWarning": "decide.errors",
    "Problem": "decide.errors",
    "SolverError": "decide.errors",
    "case_from_frames": "decide.frames",
    "load_case": "decide.load",
    "parse_case": "decide.load",
    "ahp_weights": "decide.mcda.ahp",
    "score_matrix": "decide.mcda.matrix",
    "SimulationResult": "decide.results",
    "SobolResult": "decide.results",
    "ScoreResult": "decide.score",
    "score": "decide.score",
    "score_profiles": "decide.score",
    "DEFAULT_SEED": "decide.seeds",
    "WeightSweep": "decide.sensitivity.weights",
    "crossover_table": "decide.sensitivity.weights",
    "dominance_table": "decide.sensitivity.weights",
    "least_change_table": "decide.sensitivity.weights",
    "potential_optimality_table": "decide.sensitivity.weights",
    "weight_sweeps": "decide.sensitivity.weights",
    "Case": "decide.spec",
}

if TYPE_CHECKING:
    from decide.discover.core import DiscoveryResult as DiscoveryResult
    from decide.discover.core import discover as discover
    from decide.explore import explore as explore
    from decide.api import core_index as core_index
    from decide.api import optimise_strategies as optimise_strategies
    from decide.api import simulate as simulate
    from decide.api import sobol_indices as sobol_indices
    from decide.api import tornado as tornado
    from decide.api import write_report as write_report
    from decide.bundled import bundled_cases as bundled_cases
    from decide.dump import dump_case as dump_case
    from decide.errors import CaseError as CaseError
    from decide.errors import DecideError as DecideError
    from decide.errors import DecideWarning as DecideWarning
    from decide.errors import Problem as Problem
    from decide.errors import SolverError as SolverError
    from decide.frames import case_from_frames as case_from_frames
    from decide.load import load_case as load_case
    from decide.load import parse_case as parse_case
    from decide.mcda.ahp import ahp_weights as ahp_weights
    from decide.mcda.matrix import score_matrix as score_matrix
    from decide.results import SimulationResult as SimulationResult
    from decide.results import SobolResult as SobolResult
    from decide.score import ScoreResult as ScoreResult
    from decide.score import score as score
    from decide.score import score_profiles as score_profiles
    from decide.seeds import DEFAULT_SEED as DEFAULT_SEED
    from decide.sensitivity.weights import WeightSweep as WeightSweep
    from decide.sensitivity.weights import crossover_table as crossover_table
    from decide.sensitivity.weights import dominance_table as dominance_table
    from decide.sensitivity.weights import least_change_table as least_change_table
    from decide.sensitivity.weights import potential_optimality_table as potential_optimality_table
    from decide.sensitivity.weights import weight_sweeps as weight_sweeps
    from decide.spec import Case as Case


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'decide' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``decide.score``, ``decide.discover`` and ``decide.explore`` the functions: the first
    import of the subpackage of that name would otherwise bind the module to it."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


_SHADOWED = frozenset({"score", "discover", "explore"})
sys.modules[__name__].__class__ = _Package


__all__ = [
    "__version__",
    # the case
    "Case",
    "load_case",
    "parse_case",
    "case_from_frames",
    "dump_case",
    "bundled_cases",
    # deterministic scores
    "score",
    "score_profiles",
    "score_matrix",
    "ahp_weights",
    "ScoreResult",
    # uncertainty
    "simulate",
    "SimulationResult",
    "DEFAULT_SEED",
    # sensitivity
    "weight_sweeps",
    "crossover_table",
    "least_change_table",
    "potential_optimality_table",
    "dominance_table",
    "WeightSweep",
    "sobol_indices",
    "SobolResult",
    "tornado",
    # strategies
    "optimise_strategies",
    "core_index",
    # exploring deep uncertainty
    "explore",
    # scenario discovery
    "discover",
    "DiscoveryResult",
    # the report
    "write_report",
    # errors and warnings
    "DecideError",
    "CaseError",
    "SolverError",
    "Problem",
    "DecideWarning",
]
