"""Criterion weights from an AHP pairwise-comparison matrix, with Saaty's consistency check."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

import decide.arguments as arguments
from decide.errors import DecideWarning
from decide.mcda.matrix import MatrixError

__all__ = ["AHPResult", "RANDOM_INDEX", "ahp_weights"]

RANDOM_INDEX: dict[int, float] = {
    1: 0.00, 2: 0.00, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
    9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}  # fmt: skip
"""Saaty's (1980, p. 21) random index: the mean consistency index of random reciprocal matrices."""

CONSISTENCY_LIMIT = 0.1
"""Saaty's rule: a consistency ratio above 10% calls for the judgements to be revised."""


@dataclass(frozen=True, eq=False)
class AHPResult:
    """Priorities derived from a pairwise-comparison matrix; see :func:`ahp_weights`."""

    weights: NDArray[np.float64] | pd.Series
    """Normalised principal right eigenvector (sums to 1); a Series labelled like the input DataFrame."""
    lambda_max: float
    """Principal eigenvalue; equals ``n`` exactly when the judgements are perfectly consistent."""
    consistency_index: float
    """CI = ``(lambda_max - n) / (n - 1)`` (0 for ``n = 1``)."""
    consistency_ratio: float
    """CR = CI / RI(n), with Saaty's random index RI; 0 for ``n <= 2`` (always consistent)."""
    consistent: bool
    """``consistency_ratio <= 0.1``."""


def ahp_weights(pairwise: ArrayLike | pd.DataFrame, *, reciprocal_tolerance: float = 0.01) -> AHPResult:
    """Weights from a pairwise-comparison matrix by Saaty's principal-eigenvector method.

    Entry ``(i, j)`` says how many times more important criterion ``i`` is than criterion ``j``
    (Saaty's 1-9 scale), so the matrix must be positive and reciprocal: ``a_ji = 1 / a_ij``.

    Parameters
    ----------
    pairwise : array_like or pandas.DataFrame, shape (n, n)
        The judgements, ``1 <= n <= 15``. With a DataFrame, the column labels (which must equal the
        row labels, unless the rows are unlabelled) label the returned weights.
    reciprocal_tolerance : float
        Largest accepted ``|a_ij * a_ji - 1|``. The default 0.01 accepts reciprocals typed to three
        decimals (0.143 for 1/7) and 0.33 for 1/3, but not 0.14 for 1/7. The matrix is used as
        given, not symmetrised.

    Returns
    -------
    AHPResult
        Weights, principal eigenvalue, consistency index and ratio, and whether CR <= 0.1. A
        :class:`decide.errors.DecideWarning` is issued when it is not.

    Raises
    ------
    MatrixError
        If the matrix is not square, has fewer than one or more than 15 rows, has entries that are
        missing, non-positive or not finite, or is not reciprocal within the tolerance.

    References
    ----------
    .. [1] Saaty, T.L. (1977). A scaling method for priorities in hierarchical structures.
       *Journal of Mathematical Psychology* 15(3), 234-281.
       https://doi.org/10.1016/0022-2496(77)90033-5
    .. [2] Saaty, T.L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    .. [3] Saaty, T.L. (1990). How to make a decision: the analytic hierarchy process. *European
       Journal of Operational Research* 48(1), 9-26. https://doi.org/10.1016/0377-2217(90)90057-I

    Examples
    --------
    >>> result = ahp_weights([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    >>> result.weights.round(4).tolist(), round(result.consistency_ratio, 6), result.consistent
    ([0.5714, 0.2857, 0.1429], 0.0, True)
    """
    reciprocal_tolerance = arguments.number(reciprocal_tolerance, "reciprocal_tolerance", minimum=0.0)
    labels = _labels(pairwise) if isinstance(pairwise, pd.DataFrame) else None
    matrix = _checked(pairwise, reciprocal_tolerance)
    n = matrix.shape[0]

    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    # Perron-Frobenius: a positive matrix has a real, simple, largest eigenvalue whose eigenvector
    # can be taken positive; the other eigenvalues may be complex.
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    vector = np.abs(eigenvectors[:, k].real)
    weights = vector / vector.sum()

    consistency_index = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    # lambda_max >= n holds in exact arithmetic; clip the rounding noise of consistent matrices.
    consistency_index = max(consistency_index, 0.0)
    consistency_ratio = consistency_index / RANDOM_INDEX[n] if n > 2 else 0.0
    consistent = consistency_ratio <= CONSISTENCY_LIMIT
    if not consistent:
        warnings.warn(
            f"AHP judgements are inconsistent: consistency ratio {consistency_ratio:.3f} exceeds "
            f"{CONSISTENCY_LIMIT} (Saaty); consider revising the comparisons",
            DecideWarning,
            stacklevel=2,
        )
    return AHPResult(
        weights=weights if labels is None else pd.Series(weights, index=labels, name="weight"),
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        consistency_ratio=consistency_ratio,
        consistent=consistent,
    )


def _labels(frame: pd.DataFrame) -> pd.Index:
    """The criterion labels of a pairwise DataFrame: its columns, which the rows must repeat."""
    unlabelled_rows = isinstance(frame.index, pd.RangeIndex)
    if not (frame.index.equals(frame.columns) or unlabelled_rows):
        raise MatrixError(
            "pairwise matrix row labels must equal its column labels in the same order; got rows "
            f"{list(frame.index)} and columns {list(frame.columns)}"
        )
    return frame.columns


def _checked(pairwise: ArrayLike | pd.DataFrame, tolerance: float) -> NDArray[np.float64]:
    """The pairwise matrix as floats, or a :class:`MatrixError` saying what is wrong with it."""
    if pairwise is None or isinstance(pairwise, (str, bytes, Mapping)):
        raise arguments.ArgumentTypeError(f"pairwise must be a square matrix of numbers (nested lists, an array or "
                                          f"a DataFrame), not {arguments.given(pairwise)}")
    try:
        raw = np.asarray(pairwise)
        # numpy would read "2" as 2.0; judgements typed as text are a mistake to show, not to guess at.
        words = [x for x in raw.flat if isinstance(x, (str, bytes))] if raw.dtype.kind in "OUS" else []
        if words:
            raise ValueError(f"not a number: {str(words[0])!r}")
        matrix = raw.astype(float)
    except (TypeError, ValueError) as exc:
        raise MatrixError(f"pairwise matrix must hold numbers only ({exc})") from None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise MatrixError(f"pairwise matrix must be square; got shape {matrix.shape}")
    n = matrix.shape[0]
    if not 1 <= n <= max(RANDOM_INDEX):
        raise MatrixError(
            f"pairwise matrix must compare 1 to {max(RANDOM_INDEX)} items (Saaty's random index "
            f"stops there); got {n}. Split the items into a hierarchy of smaller groups"
        )
    bad = ~np.isfinite(matrix) | (matrix <= 0)
    if bad.any():
        cells = ", ".join(f"[{i}, {j}] = {matrix[i, j]}" for i, j in np.argwhere(bad)[:5])
        raise MatrixError(f"pairwise matrix entries must be positive and finite; bad entries: {cells}")
    # The slack keeps a tolerance of exactly 0.01 accepting 3 x 0.33 despite binary rounding.
    off = np.abs(matrix * matrix.T - 1.0) > tolerance + 1e-9
    if off.any():
        i, j = np.argwhere(off)[0]
        raise MatrixError(
            "pairwise matrix must be reciprocal (entry [j, i] = 1 / entry [i, j], diagonal 1); "
            f"[{i}, {j}] = {matrix[i, j]:g} but [{j}, {i}] = {matrix[j, i]:g} "
            f"(product {matrix[i, j] * matrix[j, i]:g}, tolerance {tolerance:g})"
        )
    return matrix
