"""The solver helper: status mapping, arrays out, persistent re-solves, a missing HiGHS."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from decide.errors import SolverError
from decide.optimise.solve import Solution, Status, highs, solve

REPO = Path(__file__).resolve().parents[2]


def toy(rhs: float = 6.0) -> pyo.ConcreteModel:
    # max x0 + x1  s.t.  x0 + 2 x1 <= 4,  3 x0 + x1 <= rhs,  x >= 0.
    # rhs = 6: both rows bind, x = (1.6, 1.2), objective 2.8. rhs = -1: infeasible.
    m = pyo.ConcreteModel(name="toy")
    m.x = pyo.Var(range(2), bounds=(0, None))
    m.y = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=m.x[0] + m.x[1] + 0 * m.y, sense=pyo.maximize)
    m.c1 = pyo.Constraint(expr=m.x[0] + 2 * m.x[1] <= 4)
    m.c2 = pyo.Constraint(expr=3 * m.x[0] + m.x[1] <= rhs)
    m.c3 = pyo.Constraint(expr=m.y <= 0.5 * m.x[0])
    return m


def test_optimal_returns_arrays_not_pyomo_objects():
    model = toy()
    solution = solve(model)
    assert isinstance(solution, Solution)
    assert solution.status is Status.OPTIMAL and solution.optimal
    assert solution.objective == pytest.approx(2.8)
    np.testing.assert_allclose(solution.values["x"], [1.6, 1.2], atol=1e-9)
    assert isinstance(solution.values["x"], np.ndarray) and solution.values["x"].shape == (2,)
    assert solution.values["y"].shape == ()
    # Nothing was loaded into the model.
    assert model.x[0].value is None


def test_infeasible_is_an_answer():
    solution = solve(toy(rhs=-1.0))
    assert solution.status is Status.INFEASIBLE and not solution.optimal
    assert np.isnan(solution.objective)
    assert solution.values == {}


def test_unbounded_raises_solver_error_with_reason():
    m = pyo.ConcreteModel(name="unbounded")
    m.x = pyo.Var(bounds=(0, None))
    m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
    m.c = pyo.Constraint(expr=m.x >= 1)
    with pytest.raises(SolverError, match="(?i)unbounded"):
        solve(m)


def test_persistent_resolve_with_mutable_params():
    # min c . w over the simplex = min_i c_i.
    m = pyo.ConcreteModel(name="simplex")
    m.leaves = pyo.Set(initialize=range(3))
    m.w = pyo.Var(m.leaves, bounds=(0, 1))
    m.c = pyo.Param(m.leaves, mutable=True, initialize=0.0)
    m.simplex = pyo.Constraint(expr=sum(m.w[i] for i in m.leaves) == 1)
    m.obj = pyo.Objective(expr=sum(m.c[i] * m.w[i] for i in m.leaves))
    solver = highs(params_only=True)
    rows = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0], [-1.0, 0.0, 0.0]])
    for row in rows:
        m.c.store_values(dict(enumerate(row.tolist())))
        solution = solve(m, solver, time_limit=10)
        assert solution.objective == pytest.approx(row.min())
        assert solution.values["w"][row.argmin()] == pytest.approx(1.0)


def test_missing_highspy_gives_a_clear_solver_error():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["highspy"] = None  # simulate: highspy not installed
        import numpy as np
        from decide.errors import SolverError
        from decide.optimise.weight_lp import least_change
        try:
            least_change(np.eye(2), np.array([0.5, 0.5]), norm="l1")
        except SolverError as exc:
            print("SolverError:", exc)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "SolverError:" in done.stdout
    assert "pip install highspy" in done.stdout
