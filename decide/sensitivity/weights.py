"""Weight sensitivity of a case: one-way crossovers, least change, potential optimality, dominance.

Case-level wrappers that label the array results of :mod:`decide.sensitivity.oneway` and
:mod:`decide.optimise.weight_lp` with ids and return DataFrames. All work on an (option, criterion)
matrix ``M`` of expected criterion values with value = M @ w for every weight vector on the
simplex (expected value is linear in the weights). Given ``matrix=``, they use that one — a report
passes the simulation's, ``SimulationResult.value_matrix`` (``E[v_c(outcome)] - E[penalty]`` per
option and criterion), so that every probability and every pair is the one the simulation
reports; otherwise the deterministic table's (:func:`decide.score.expected_value_matrix`, the
same rule on central values). Pyomo is imported only when an LP is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.score import expected_value_matrix, resolve_weights
from decide.sensitivity.oneway import OneWayResult, one_way_sensitivity
from decide.spec import Case

__all__ = ["WeightSweep", "weight_sweeps", "crossover_table", "least_change_table",
           "potential_optimality_table", "dominance_table", "value_matrix"]


def _arrays(case: Case | CaseArrays) -> CaseArrays:
    return case if isinstance(case, CaseArrays) else compile_case(arguments.require_case(case, "case", arrays=True))


def value_matrix(case: Case | CaseArrays, matrix: Any = None) -> np.ndarray:
    """The (option, criterion) matrix the weight analyses use, in the case's option and criterion order.

    ``matrix`` None gives the deterministic :func:`decide.score.expected_value_matrix`; a
    DataFrame (e.g. a simulation's ``value_matrix``) is aligned by option id (index) and leaf
    criterion id (columns), extra rows or columns refused; an array must be
    ``(n_options, n_criteria)`` in case order.
    """
    arrays = _arrays(case)
    if matrix is None:
        return expected_value_matrix(arrays)
    options, criteria = list(arrays.option_ids), list(arrays.criterion_ids)
    if isinstance(matrix, pd.DataFrame):
        missing = [o for o in options if o not in matrix.index] + [c for c in criteria if c not in matrix.columns]
        extra = [str(o) for o in matrix.index if o not in options] + [str(c) for c in matrix.columns
                                                                     if c not in criteria]
        if missing or extra:
            raise DecideError(f"matrix must have one row per option ({', '.join(options)}) and one column per leaf "
                              f"criterion ({', '.join(criteria)}); missing: {', '.join(missing) or 'none'}, "
                              f"unknown: {', '.join(extra) or 'none'}")
        values = arguments.float_array(matrix.loc[options, criteria].to_numpy(), "matrix")
    elif isinstance(matrix, (np.ndarray, list, tuple)):
        values = arguments.float_array(matrix, "matrix")
        if values.shape != (arrays.n_options, arrays.n_criteria):
            raise arguments.ArgumentValueError(f"matrix must be (n_options, n_criteria) = ({arrays.n_options}, "
                                               f"{arrays.n_criteria}), got shape {values.shape}")
    else:
        raise arguments.ArgumentTypeError(f"matrix must be a DataFrame (option x criterion), an array or None, not "
                                          f"{arguments.given(matrix)}")
    if not np.all(np.isfinite(values)):
        raise arguments.ArgumentValueError("matrix must be finite")
    return values


@dataclass(frozen=True)
class WeightSweep:
    """One weight (a leaf's or a group's) moved from 0 to 1, others rescaled in proportion."""

    node: str
    is_group: bool
    result: OneWayResult
    option_ids: tuple[str, ...]

    def lines(self) -> pd.DataFrame:
        """Intercept and slope of each option's value as a line in the moved weight."""
        return pd.DataFrame({"intercept": self.result.intercepts, "slope": self.result.slopes},
                            index=pd.Index(self.option_ids, name="option"))


def weight_sweeps(case: Case | CaseArrays, weights: Any = None, *, matrix: Any = None) -> list[WeightSweep]:
    """One-way sensitivity of every weight in the tree: each group, then each leaf.

    ``matrix``: the (option, criterion) expected values to sweep (see :func:`value_matrix`);
    None for the deterministic table's.
    """
    arrays = _arrays(case)
    w0, _ = resolve_weights(arrays, weights)
    values = value_matrix(arrays, matrix)
    nodes = list(arrays.group_ids) + list(arrays.criterion_ids)
    sweeps = []
    for node in nodes:
        leaves = arrays.node_leaves[node]
        if len(leaves) == arrays.n_criteria:
            continue  # the root's only child: moving it changes nothing
        try:
            result = one_way_sensitivity(values, w0, leaves)
        except DecideError:
            continue  # nothing outside the node carries weight to trade against
        sweeps.append(WeightSweep(node, node in arrays.group_ids, result, arrays.option_ids))
    return sweeps


def crossover_table(sweeps: list[WeightSweep]) -> pd.DataFrame:
    """Every weight at which the leading option changes, next to the current weight.

    ``leader_before``/``leader_after`` lead just below/above the crossover. ``nearest`` marks the
    first crossover on each side of the current weight: moving the weight that far dethrones the
    current leader, and ``new_leader`` names who takes over.
    """
    if not isinstance(sweeps, (list, tuple)) or not all(isinstance(s, WeightSweep) for s in sweeps):
        raise arguments.ArgumentTypeError(f"sweeps must be a list of WeightSweep from weight_sweeps(case), not "
                                          f"{arguments.given(sweeps)}")
    rows = []
    for s in sweeps:
        ids, t0 = s.option_ids, s.result.t0
        if not s.result.crossovers:
            rows.append({"weight": s.node, "current": t0, "crossover": np.nan,
                         "leader_before": ids[s.result.current_leader], "leader_after": "",
                         "change_needed": np.nan, "nearest": False, "new_leader": ""})
        below = [c for c in s.result.crossovers if c.t <= t0]
        above = [c for c in s.result.crossovers if c.t > t0]
        nearest = {id(below[-1]) if below else None, id(above[0]) if above else None}
        for c in s.result.crossovers:
            rows.append({"weight": s.node, "current": t0, "crossover": c.t,
                         "leader_before": ids[c.option_before], "leader_after": ids[c.option_after],
                         "change_needed": c.t - t0, "nearest": id(c) in nearest,
                         "new_leader": ids[c.option_after] if c.t > t0 else ids[c.option_before]})
    return pd.DataFrame(rows, columns=["weight", "current", "crossover", "leader_before", "leader_after",
                                       "change_needed", "nearest", "new_leader"])


def least_change_table(case: Case | CaseArrays, weights: Any = None, *, matrix: Any = None) -> pd.DataFrame:
    """For each option, the smallest change of the weights (L1 and L∞) that makes it lead.

    ``l1``/``linf`` are distances (inf: the option can never lead, whatever the weights);
    ``weights_l1`` describes the L1 solution's largest moves. ``matrix``: see :func:`value_matrix`.
    """
    from decide.optimise.weight_lp import least_change

    arrays = _arrays(case)
    w0, _ = resolve_weights(arrays, weights)
    values = value_matrix(arrays, matrix)
    l1 = least_change(values, w0, norm="l1")
    linf = least_change(values, w0, norm="linf")
    moves = []
    for i in range(arrays.n_options):
        if not l1.feasible[i]:
            moves.append("can never lead")
            continue
        delta = l1.weights[i] - w0
        top = np.argsort(-np.abs(delta))[:3]
        moves.append(", ".join(f"{arrays.criterion_ids[j]} {delta[j]:+.3f}" for j in top if abs(delta[j]) > 1e-6)
                     or "already leads")
    return pd.DataFrame({"l1": l1.distances, "linf": linf.distances, "can_lead": l1.feasible,
                         "largest_moves_l1": moves},
                        index=pd.Index(arrays.option_ids, name="option")).sort_values("l1")


def potential_optimality_table(case: Case | CaseArrays, *, matrix: Any = None) -> pd.DataFrame:
    """Can each option be best for some weights the case's imprecise statements admit?

    Without imprecise statements the admissible set is the whole simplex. ``matrix``: see
    :func:`value_matrix`.
    """
    from decide.optimise.weight_lp import potential_optimality

    arrays = _arrays(case)
    values = value_matrix(arrays, matrix)
    res = potential_optimality(values, arrays.imprecise_a, arrays.imprecise_b)
    frame = pd.DataFrame({"potentially_optimal": res.potentially_optimal, "margin": res.margins},
                         index=pd.Index(arrays.option_ids, name="option")).sort_values("margin", ascending=False)
    # attrs["witness"]: option x criterion, the weights at which each potentially optimal option
    # leads by its margin (NaN rows for the others)
    witness = np.full((arrays.n_options, arrays.n_criteria), np.nan)
    for k in np.flatnonzero(res.potentially_optimal):
        witness[k] = np.asarray(res.weights[k], dtype=float)
    frame.attrs["witness"] = pd.DataFrame(witness, index=pd.Index(arrays.option_ids, name="option"),
                                          columns=list(arrays.criterion_ids))
    return frame


def dominance_table(case: Case | CaseArrays, *, matrix: Any = None) -> pd.DataFrame:
    """Pairs (x, y) where x is at least as good as y for every admissible weight vector.

    ``matrix``: see :func:`value_matrix`.
    """
    from decide.optimise.weight_lp import dominance

    arrays = _arrays(case)
    values = value_matrix(arrays, matrix)
    dom = dominance(values, arrays.imprecise_a, arrays.imprecise_b)
    rows = [{"option": arrays.option_ids[x], "dominates": arrays.option_ids[y]}
            for x in range(arrays.n_options) for y in range(arrays.n_options) if x != y and dom[x, y]]
    return pd.DataFrame(rows, columns=["option", "dominates"])
