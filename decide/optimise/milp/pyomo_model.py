"""The strategy MILP as a Pyomo model, and one HiGHS solve of it as plain values."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from decide.errors import DecideError, SolverError
from decide.model.strategies import as_space, forced_and_banned
from decide.optimise.milp.model import strategy_spec
from decide.optimise.milp.spec import INF, Spec
from decide.optimise.objectives import on_scenarios, resolve_target
from decide.optimise.scenarios import Scenarios

if TYPE_CHECKING:  # pragma: no cover
    import pyomo.environ as pyo

__all__ = ["pyomo_model", "MilpSolution", "solve_strategy_model", "build_strategy_model"]


def pyomo_model(spec: Spec, objective: str, best: NDArray[np.float64] | None = None,
                 name: str = "strategies", status_quo: NDArray[np.float64] | None = None) -> pyo.ConcreteModel:
    """The spec as a Pyomo model: one ``Var`` per column group, one ``Constraint`` per row block.

    ``best`` (minimax regret) and ``status_quo`` (maximin) are per profile: its best value, and
    doing nothing's value, on the model's scenarios.
    """
    import pyomo.environ as pyo
    from pyomo.common.gc_manager import PauseGC
    from pyomo.core.expr.numeric_expr import LinearExpression

    lower = [None if v == -INF else v for v in spec.col_lower]
    upper = [None if v == INF else v for v in spec.col_upper]
    with PauseGC():
        model = pyo.ConcreteModel(name=name)
        columns: list[Any] = [None] * spec.n_cols
        for group, cols in spec.groups.items():
            integer = spec.col_integer[cols[0]]
            var = pyo.Var(range(len(cols)), domain=pyo.Binary if integer else pyo.Reals,
                          bounds=lambda m, j, cols=cols: (lower[cols[j]], upper[cols[j]]))
            model.add_component(group, var)
            for j, col in enumerate(cols):
                columns[col] = var[j]
        for block in spec.blocks:
            indptr, cols, vals, row_lower, row_upper = spec.block(block)
            vals_list, cols_list = vals.tolist(), cols.tolist()
            lo_list = [None if v == -INF else v for v in row_lower.tolist()]
            hi_list = [None if v == INF else v for v in row_upper.tolist()]

            def row(m, r, indptr=indptr, vals_list=vals_list, cols_list=cols_list, lo_list=lo_list, hi_list=hi_list):
                a, b = indptr[r], indptr[r + 1]
                expr = LinearExpression(constant=0.0, linear_coefs=vals_list[a:b],
                                        linear_vars=[columns[j] for j in cols_list[a:b]])
                if lo_list[r] is not None and lo_list[r] == hi_list[r]:
                    return expr == lo_list[r]
                return (lo_list[r], expr, hi_list[r])

            model.add_component(block, pyo.Constraint(range(len(row_lower)), rule=row))

        def value(p: int) -> Any:
            nz = np.flatnonzero(spec.objective[p])
            return LinearExpression(constant=float(spec.constant[p]), linear_coefs=spec.objective[p, nz].tolist(),
                                    linear_vars=[columns[j] for j in nz])

        profiles = range(len(spec.constant))
        if objective == "expected":
            model.objective = pyo.Objective(expr=value(0), sense=pyo.maximize)
        elif objective == "maximin":
            # the smallest gain over doing nothing: level <= value_p(x) - value_p(empty)
            model.level = pyo.Var()
            model.worst_profile = pyo.Constraint(
                profiles, rule=lambda m, p: m.level <= value(p) - float(status_quo[p]))
            model.objective = pyo.Objective(expr=model.level, sense=pyo.maximize)
        else:
            model.regret = pyo.Var(bounds=(0, None))
            model.largest_regret = pyo.Constraint(profiles, rule=lambda m, p: m.regret >= float(best[p]) - value(p))
            model.objective = pyo.Objective(expr=-model.regret, sense=pyo.maximize)
        model.no_good = pyo.ConstraintList()
    return model


@dataclass(frozen=True)
class MilpSolution:
    """One MILP solve, as plain values.

    ``status`` is ``"optimal"``, ``"time limit"`` or ``"infeasible"``; ``x`` the pursued options
    (None when HiGHS found no strategy); ``objective`` the incumbent's objective and ``bound``
    HiGHS's bound on the optimum (both in the model's sense: maximised).
    """

    status: str
    x: NDArray[np.bool_] | None
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        """Relative optimality gap, HiGHS's definition: ``|bound - objective| / |objective|``."""
        if self.x is None or not np.isfinite(self.bound):
            return float("inf")
        return abs(self.bound - self.objective) / max(abs(self.objective), 1e-10)


def solve_strategy_model(model: pyo.ConcreteModel, *, time_limit: float, solver: Any = None,
                         presolve: bool = True) -> MilpSolution:
    """Solve a strategy model; a time limit is an answer (with its gap), not an error.

    HiGHS does not look at its clock during presolve; pass ``presolve=False`` where presolve alone
    could outlast the time limit (see :func:`_presolve_fits`).

    Raises
    ------
    SolverError
        HiGHS is missing or stopped for any reason other than optimality, infeasibility or the
        time limit.
    """
    from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

    from decide.optimise.solve import highs

    opt = highs() if solver is None else solver
    t = time.perf_counter()
    # HiGHS's default relative gap (1e-4) would call near-ties optimal; ask for the optimum.
    result = opt.solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                       time_limit=float(time_limit), rel_gap=1e-9, abs_gap=1e-10,
                       solver_options={} if presolve else {"presolve": "off"})
    # HiGHS's own run time: Pyomo's translation of the model before it is the model's build
    seconds = float(getattr(result.timing_info, "highs_time", None) or time.perf_counter() - t)
    condition = result.termination_condition
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        status = "optimal"
    elif condition == TerminationCondition.maxTimeLimit:
        status = "time limit"
    elif condition in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded):
        return MilpSolution("infeasible", None, float("nan"), float("nan"), seconds)
    else:
        raise SolverError(f"HiGHS stopped without a strategy: termination {condition.name}, "
                          f"solution status {result.solution_status.name}")
    x = None
    if result.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible):
        got = result.solution_loader.get_vars()
        # An option fixed by its bounds (demanded, or excluded) may appear in no row: HiGHS never
        # sees it, and its bound is its value.
        x = np.array([(got[model.x[k]] if model.x[k] in got else model.x[k].lb) > 0.5 for k in model.x], dtype=bool)
    objective = float(result.incumbent_objective) if x is not None else float("nan")
    bound = float(result.objective_bound) if result.objective_bound is not None else float("inf")
    return MilpSolution(status, x, objective, bound, seconds)


def build_strategy_model(
    arrays: Any,
    scenarios: Scenarios,
    *,
    weights: Any = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    best: Sequence[float] | None = None,
) -> pyo.ConcreteModel:
    """The sample-average strategy MILP of a case on given scenarios (built, not solved).

    Parameters
    ----------
    arrays
        The compiled case (or the case, or its :class:`~decide.model.strategies.StrategySpace`).
    scenarios
        The scenarios the sample average runs over.
    weights
        As in :func:`~decide.optimise.strategy.optimise_strategies`: None, a profile id, leaf
        weights, ``"maximin"`` (the smallest gain over doing nothing across the profiles; doing
        nothing's value per profile is computed on ``scenarios``) or ``"minimax_regret"`` (which
        needs ``best``, each profile's best expected value).
    include, exclude
        Options every strategy must / may not contain.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``x`` (one binary per pursuable option, in
        :attr:`~decide.model.strategies.StrategySpace.option_ids` order), ``lam``, ``e``, ``v``,
        ``delta``, ``z``, ``t``; its objective is the in-sample objective (maximised; the smallest
        gain over doing nothing for maximin; minus the largest regret for minimax regret).
    """
    space = as_space(arrays)
    target = on_scenarios(space, scenarios, resolve_target(space.arrays, weights))
    if target.objective == "minimax_regret" and best is None:
        raise DecideError("a minimax-regret model needs each profile's best expected value (best=...)")
    forced, banned = forced_and_banned(space, include, exclude)
    spec, _ = strategy_spec(space, scenarios, target.weights, forced, banned)
    return pyomo_model(spec, target.objective, None if best is None else np.asarray(best, float),
                        status_quo=target.status_quo)
