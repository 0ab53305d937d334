"""A case's structure, read the same way by the checks and the compiler.

The criteria tree walked depth-first (:func:`iter_nodes`, :func:`leaves`), the options' dependency
closure (:func:`dependency_closure`) and the imprecise weight statements as linear constraints on
the leaf weights (:func:`imprecise_constraints`). Below both :mod:`decide.checks` and
:mod:`decide.compile`, which import them from here (the checks test the statements' feasibility
with the constraints the compiler builds), so neither imports the other's layer upwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import NDArray

from decide.spec import Case, CriteriaGroup, Criterion, Node, WeightInterval

__all__ = ["iter_nodes", "leaves", "dependency_closure", "imprecise_constraints"]


def iter_nodes(nodes: Iterable[Node], path: str = "criteria.criteria") -> Iterator[tuple[str, Node, str | None]]:
    """Depth-first (field path, node, parent id or None for the root) over a criteria tree."""
    for i, node in enumerate(nodes):
        yield f"{path}[{i}]", node, None
        if isinstance(node, CriteriaGroup):
            for sub_path, sub, parent in iter_nodes(node.children, f"{path}[{i}].children"):
                yield sub_path, sub, node.id if parent is None else parent


def leaves(nodes: Iterable[Node]) -> list[Criterion]:
    """The leaf criteria of a tree, in depth-first order."""
    return [n for _, n, _ in iter_nodes(nodes) if isinstance(n, Criterion)]


def dependency_closure(deps: dict[str, list[str]]) -> dict[str, set[str]]:
    """Option id -> itself and every option it depends on, directly or not (graph must be acyclic)."""
    out: dict[str, set[str]] = {}

    def close(node: str) -> set[str]:
        if node not in out:
            out[node] = {node}
            for d in deps.get(node, []):
                if d in deps:
                    out[node] |= close(d)
        return out[node]

    for node in deps:
        close(node)
    return out


def imprecise_constraints(case: Case) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The case's imprecise weight statements as rows of ``A w <= b`` over global leaf weights."""
    crits = leaves(case.criteria.criteria)
    index = {c.id: i for i, c in enumerate(crits)}
    members = {node.id: [index[c.id] for c in leaves([node])] for _, node, _ in iter_nodes(case.criteria.criteria)}
    rows, bounds = [], []
    for s in case.weights.imprecise:
        if isinstance(s, WeightInterval):
            row = np.zeros(len(crits))
            row[members[s.node]] = 1.0
            if s.high < 1.0:
                rows.append(row), bounds.append(s.high)
            if s.low > 0.0:
                rows.append(-row), bounds.append(-s.low)
        else:
            row = np.zeros(len(crits))
            row[members[s.lesser]] += 1.0
            row[members[s.greater]] -= 1.0
            rows.append(row), bounds.append(0.0)
    return np.array(rows, dtype=float).reshape(len(rows), len(crits)), np.array(bounds, dtype=float)
