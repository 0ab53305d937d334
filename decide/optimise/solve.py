"""The one place decide talks to a solver: HiGHS through Pyomo's v2 interface.

Every model in :mod:`decide.optimise` is solved by :func:`solve`, which never lets Pyomo load a
non-optimal point into the model and never hands back live Pyomo objects: the answer is a
:class:`Solution` holding plain numpy arrays. "Infeasible" is a normal answer (e.g. "this option
can never lead"), anything else that is not optimal (time limit, numerical trouble, a missing
solver) raises :class:`decide.errors.SolverError` with the reason.

Pyomo's own log handler writes to stdout while the root logger has none; the CLI configures
logging to stderr before calling into this package (see ``notes/pyomo-highs.md``).
"""

from __future__ import annotations

import enum
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
from numpy.typing import NDArray
from pyomo.common.errors import ApplicationError
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from decide.errors import SolverError

__all__ = ["Status", "Solution", "highs", "solve"]

logger = logging.getLogger(__name__)

_INFEASIBLE = (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded)


class Status(enum.Enum):
    """How a solve ended, when it ended with an answer."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True, eq=False)
class Solution:
    """The answer of one solve, detached from the Pyomo model.

    Attributes
    ----------
    status
        :attr:`Status.OPTIMAL` or :attr:`Status.INFEASIBLE`.
    objective
        Optimal objective value; NaN when infeasible.
    values
        Variable name -> values: a 1-D array in index order for an indexed ``Var``, a 0-D array
        for a scalar one. Empty when infeasible. A variable that appears in no constraint or
        objective has no value from the solver and is NaN.
    """

    status: Status
    objective: float = float("nan")
    values: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        """True when the solve found an optimum."""
        return self.status is Status.OPTIMAL


@functools.cache
def _highs_available() -> bool:
    # Checked once per process: the check imports highspy, which is not cheap.
    return bool(SolverFactory("highs").available())


def highs(*, params_only: bool = False) -> Any:
    """A fresh persistent HiGHS solver (Pyomo v2 interface), checked to be installed.

    Parameters
    ----------
    params_only
        Tell the solver that between re-solves of the same model only mutable ``Param`` values
        change (coefficients, bounds, objective terms). Re-solves then skip the scan for new
        constraints, variables and objectives, which is most of Pyomo's per-solve cost for small
        LPs. Leave False for models whose structure changes between solves: with it True, added
        constraints would be silently ignored.

    Returns
    -------
    pyomo.contrib.solver.solvers.highs.Highs
        Keep one per model and pass it to :func:`solve` for every re-solve of that model.

    Raises
    ------
    SolverError
        If HiGHS (the ``highspy`` package) is not installed.
    """
    if not _highs_available():
        raise SolverError(
            "The HiGHS solver is not available (the Python package 'highspy' could not be "
            "imported). Install it with: pip install highspy"
        )
    opt = SolverFactory("highs")
    if params_only:
        updates = opt.config.auto_updates
        updates.check_for_new_or_removed_constraints = False
        updates.check_for_new_or_removed_vars = False
        updates.check_for_new_or_removed_params = False
        updates.check_for_new_objective = False
        updates.update_constraints = False
        updates.update_vars = False
        updates.update_named_expressions = False
        updates.update_objective = False
        updates.update_parameters = True
    return opt


def solve(model: pyo.ConcreteModel, solver: Any = None, time_limit: float | None = None) -> Solution:
    """Solve ``model`` and return its answer as arrays.

    Parameters
    ----------
    model
        A Pyomo model. It is not modified: no solution is loaded into its variables.
    solver
        A solver from :func:`highs`; reuse the same one to re-solve a model whose mutable
        parameters changed. None creates a fresh one.
    time_limit
        Seconds; None for no limit. Hitting it is an error, not an answer.

    Returns
    -------
    Solution
        Optimal, with objective and variable values; or infeasible (no values). Infeasible also
        covers HiGHS's "infeasible or unbounded": decide's models all have bounded objectives,
        so for them this status means infeasible.

    Raises
    ------
    SolverError
        HiGHS is missing, or the solve ended for any other reason (time limit, unbounded,
        numerical error, ...); the message names the termination condition.
    """
    opt = highs() if solver is None else solver
    options: dict[str, Any] = {"load_solutions": False, "raise_exception_on_nonoptimal_result": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    try:
        result = opt.solve(model, **options)
    except ApplicationError as exc:
        raise SolverError(f"HiGHS could not solve model {model.name!r}: {exc}") from exc
    condition = result.termination_condition
    converged = condition == TerminationCondition.convergenceCriteriaSatisfied
    if result.solution_status == SolutionStatus.optimal and converged:
        return Solution(Status.OPTIMAL, float(result.incumbent_objective), _variable_values(model, result))
    if condition in _INFEASIBLE:
        logger.debug("model %s is infeasible (%s)", model.name, condition.name)
        return Solution(Status.INFEASIBLE)
    raise SolverError(
        f"HiGHS stopped without an optimal solution for model {model.name!r}: "
        f"termination {condition.name}, solution status {result.solution_status.name}"
    )


def _variable_values(model: pyo.ConcreteModel, result: Any) -> dict[str, NDArray[np.float64]]:
    """All variables' values from ``result`` as arrays, without loading them into ``model``."""
    solved = result.solution_loader.get_vars()
    out: dict[str, NDArray[np.float64]] = {}
    for var in model.component_objects(pyo.Var, descend_into=True):
        got = [solved.get(var[index], None) for index in var.index_set()]
        array = np.array([np.nan if v is None else v for v in got], dtype=float)
        out[var.local_name] = array if var.is_indexed() else array.reshape(())
    return out
