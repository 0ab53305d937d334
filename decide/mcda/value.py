"""Value functions and additive value: outcomes on criterion scales -> values in [0, 1] -> totals."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["criterion_values", "additive_value"]


def criterion_values(
    outcomes: NDArray[np.float64], value_x: NDArray[np.float64], value_v: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Map outcomes ``(..., criterion)`` through each criterion's piecewise-linear value function.

    ``value_x`` and ``value_v`` are ``(criterion, point)`` (see :class:`decide.compile.CaseArrays`);
    outcomes beyond the end points take the end values.
    """
    outcomes = np.asarray(outcomes, dtype=float)
    out = np.empty_like(outcomes)
    for c in range(value_x.shape[0]):
        out[..., c] = np.interp(outcomes[..., c], value_x[c], value_v[c])
    return out


def additive_value(values: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weighted sum over the last axis: ``values (..., option, criterion)``, ``weights (..., criterion)``."""
    return np.einsum("...oc,...c->...o", values, weights)
