"""Aggregation kernels offered as cross-checks on the additive value: TOPSIS, VIKOR, PROMETHEE II, WPM.

Every kernel is a pure function over arrays: ``matrix (..., n_options, n_criteria)``,
``weights (..., n_criteria)`` and ``maximise (n_criteria,)`` (``True`` where higher is better), with
any leading batch axes (e.g. Monte Carlo draws) carried through. The kernels check only the types
and shapes of what they are given (``None`` or direction names for ``maximise`` would otherwise
become NaN or all-``True``); checking the values belongs to the callers,
:func:`decide.mcda.matrix.score_matrix` for a plain options x criteria table. Weights are used as
given unless the method's own definition normalises them (PROMETHEE does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

import decide.arguments as arguments

__all__ = [
    "METHODS",
    "PREFERENCE_FUNCTIONS",
    "Normalisation",
    "PreferenceFunction",
    "PrometheeResult",
    "TopsisResult",
    "VikorResult",
    "minmax_normalise",
    "promethee_ii",
    "topsis",
    "vikor",
    "weighted_product",
    "weighted_product_ratios",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

Normalisation = Literal["vector", "minmax"]
PreferenceFunction = Literal["usual", "ushape", "vshape", "level", "linear", "gaussian"]

PREFERENCE_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "usual": (),
    "ushape": ("q",),
    "vshape": ("p",),
    "level": ("q", "p"),
    "linear": ("q", "p"),
    "gaussian": ("s",),
}
"""PROMETHEE generalised criteria (Brans & Vincke 1985, types I-VI) and the thresholds each needs."""


def _ratio_or(numerator: FloatArray, denominator: FloatArray, fill: float) -> FloatArray:
    """``numerator / denominator``, with ``fill`` where the denominator is zero (no spread to scale by)."""
    numerator, denominator = np.broadcast_arrays(numerator, denominator)
    out = np.full(numerator.shape, fill, dtype=float)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _matrix(matrix: ArrayLike, maximise: ArrayLike) -> tuple[FloatArray, BoolArray]:
    """``matrix`` as floats with at least two axes, and ``maximise`` as one boolean per criterion."""
    matrix = arguments.float_array(matrix, "matrix", min_ndim=2)
    maximise = arguments.bool_array(maximise, "maximise", what="booleans (True where higher is better)")
    if maximise.shape != matrix.shape[-1:]:
        raise arguments.ArgumentValueError(f"maximise must have one entry per criterion ({matrix.shape[-1]}), "
                                           f"got shape {maximise.shape}")
    return matrix, maximise


def _weights(weights: ArrayLike, matrix: FloatArray) -> FloatArray:
    """``weights`` as floats, ``(..., n_criteria)`` with batch axes that broadcast against ``matrix``'s."""
    weights = arguments.float_array(weights, "weights", min_ndim=1)
    try:
        np.broadcast_shapes(weights.shape[:-1], matrix.shape[:-2])
    except ValueError:
        ok = False
    else:
        ok = weights.shape[-1] == matrix.shape[-1]
    if not ok:
        raise arguments.ArgumentValueError(f"weights must have shape (..., {matrix.shape[-1]}) matching the "
                                           f"matrix {matrix.shape}, got {weights.shape}")
    return weights


def minmax_normalise(matrix: ArrayLike, maximise: ArrayLike) -> FloatArray:
    """Rescale each criterion linearly so its best option scores 1 and its worst 0.

    Parameters
    ----------
    matrix : array_like, shape (..., n_options, n_criteria)
    maximise : array_like of bool, shape (n_criteria,)
        ``True`` where a higher raw value is better.

    Returns
    -------
    ndarray, shape (..., n_options, n_criteria)
        Values in [0, 1], 1 for the best observed value. A criterion on which every option scores the
        same cannot separate them; every option then gets 1 (each attains the best observed value),
        which is also VIKOR's "no regret" on that criterion.

    Examples
    --------
    >>> minmax_normalise([[1.0, 10.0], [3.0, 10.0], [2.0, 10.0]], [True, False]).tolist()
    [[0.0, 1.0], [1.0, 1.0], [0.5, 1.0]]
    """
    matrix, maximise = _matrix(matrix, maximise)
    best = np.where(maximise, matrix.max(axis=-2), matrix.min(axis=-2))[..., None, :]
    worst = np.where(maximise, matrix.min(axis=-2), matrix.max(axis=-2))[..., None, :]
    return _ratio_or(matrix - worst, best - worst, fill=1.0)


@dataclass(frozen=True, eq=False)
class TopsisResult:
    """TOPSIS distances and relative closeness; see :func:`topsis`."""

    closeness: FloatArray
    """Relative closeness to the ideal, ``d_minus / (d_plus + d_minus)``, in [0, 1]; higher is better."""
    d_plus: FloatArray
    """Euclidean distance of each option from the ideal point, ``(..., n_options)``."""
    d_minus: FloatArray
    """Euclidean distance of each option from the anti-ideal point, ``(..., n_options)``."""
    ideal: FloatArray
    """Ideal point in the weighted normalised space, ``(..., n_criteria)``."""
    anti_ideal: FloatArray
    """Anti-ideal (negative-ideal) point, ``(..., n_criteria)``."""


def topsis(
    matrix: ArrayLike,
    weights: ArrayLike,
    maximise: ArrayLike,
    *,
    normalisation: Normalisation = "vector",
) -> TopsisResult:
    """Rank options by their relative closeness to the ideal point (TOPSIS).

    Each criterion is normalised, multiplied by its weight, and every option is placed between the
    ideal point (best weighted value on each criterion) and the anti-ideal point (worst); its
    closeness is ``d_minus / (d_plus + d_minus)``.

    Parameters
    ----------
    matrix : array_like, shape (..., n_options, n_criteria)
        Raw performance of each option on each criterion.
    weights : array_like, shape (..., n_criteria)
        Criterion weights, used as given (Hwang & Yoon take them to sum to 1; the closeness does not
        depend on their scale, the distances do).
    maximise : array_like of bool, shape (n_criteria,)
        ``True`` for benefit criteria, ``False`` for cost criteria.
    normalisation : {"vector", "minmax"}
        ``"vector"`` (default) is Hwang & Yoon's original ``x / sqrt(sum x^2)`` over options;
        ``"minmax"`` rescales each criterion to [0, 1] with :func:`minmax_normalise`, a common variant
        that makes every criterion's spread count in full.

    Returns
    -------
    TopsisResult
        ``closeness``, ``d_plus``, ``d_minus`` with shape ``(..., n_options)``. Where all options
        coincide on every weighted criterion the closeness is undefined and returned as NaN.

    References
    ----------
    .. [1] Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
       Applications*. Lecture Notes in Economics and Mathematical Systems 186. Springer,
       pp. 128-134. https://doi.org/10.1007/978-3-642-48318-9
    .. [2] Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: a comparative
       analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2), 445-455.
       https://doi.org/10.1016/S0377-2217(03)00020-1

    Examples
    --------
    >>> result = topsis([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], [0.3, 0.4, 0.3], [True] * 3)
    >>> result.closeness.round(4).tolist()
    [0.5037, 0.6581, 0.7482, 0.334]
    """
    matrix, maximise = _matrix(matrix, maximise)
    weights = _weights(weights, matrix)
    arguments.text(normalisation, "normalisation", what="'vector' or 'minmax'")
    if normalisation == "vector":
        norms = np.sqrt(np.sum(matrix**2, axis=-2, keepdims=True))
        normalised = _ratio_or(matrix, norms, fill=0.0)
        benefit = maximise
    elif normalisation == "minmax":
        # Already oriented so that 1 is best, hence every column is now a benefit column.
        normalised = minmax_normalise(matrix, maximise)
        benefit = np.ones_like(maximise)
    else:
        raise arguments.ArgumentValueError(f"unknown TOPSIS normalisation {normalisation!r}; use 'vector' or 'minmax'")
    weighted = normalised * weights[..., None, :]
    ideal = np.where(benefit, weighted.max(axis=-2), weighted.min(axis=-2))
    anti_ideal = np.where(benefit, weighted.min(axis=-2), weighted.max(axis=-2))
    d_plus = np.sqrt(np.sum((weighted - ideal[..., None, :]) ** 2, axis=-1))
    d_minus = np.sqrt(np.sum((weighted - anti_ideal[..., None, :]) ** 2, axis=-1))
    closeness = _ratio_or(d_minus, d_plus + d_minus, fill=np.nan)
    return TopsisResult(closeness, d_plus, d_minus, ideal, anti_ideal)


@dataclass(frozen=True, eq=False)
class VikorResult:
    """VIKOR measures and the compromise solution; see :func:`vikor`. Lower S, R, Q are better."""

    s: FloatArray
    """S: group utility, the weighted sum of normalised shortfalls from the best, ``(..., n_options)``."""
    r: FloatArray
    """R: individual regret, the largest weighted normalised shortfall, ``(..., n_options)``."""
    q: FloatArray
    """Q: the compromise index ``v`` S-part + ``(1 - v)`` R-part, in [0, 1], ``(..., n_options)``."""
    acceptable_advantage: np.bool_ | BoolArray
    """Condition C1: the option best by Q leads the second by at least ``DQ = 1 / (n_options - 1)``."""
    acceptable_stability: np.bool_ | BoolArray
    """Condition C2: the option best by Q is also best (possibly tied) by S or by R."""
    in_compromise: BoolArray
    """Options in the compromise solution, ``(..., n_options)``: the best by Q alone if C1 and C2
    hold; the best two by Q if only C2 fails; else every option within ``DQ`` of the best Q."""


def vikor(matrix: ArrayLike, weights: ArrayLike, maximise: ArrayLike, *, v: float = 0.5) -> VikorResult:
    """Rank options by VIKOR's compromise index Q and propose the compromise solution.

    With ``f*`` and ``f-`` the best and worst value of each criterion over the options, the weighted
    normalised shortfall is ``w (f* - f) / (f* - f-)``; S is its sum, R its maximum, and
    ``Q = v (S - S*) / (S- - S*) + (1 - v) (R - R*) / (R- - R*)``.

    Parameters
    ----------
    matrix : array_like, shape (..., n_options, n_criteria)
        Raw performance; needs at least two options.
    weights : array_like, shape (..., n_criteria)
        Criterion weights, used as given (Opricovic & Tzeng take them to sum to 1; Q and the
        compromise do not depend on their scale, S and R do).
    maximise : array_like of bool, shape (n_criteria,)
        ``True`` for benefit criteria, ``False`` for cost criteria.
    v : float
        Weight of the "majority of criteria" strategy (S) against individual regret (R); 0.5 is
        "by consensus".

    Returns
    -------
    VikorResult
        S, R, Q, the acceptable-advantage (C1) and acceptable-stability (C2) conditions, and the
        compromise set. A criterion, or an S or R term, on which all options tie cannot separate
        them and contributes 0.

    References
    ----------
    .. [1] Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: a comparative
       analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2), 445-455.
       https://doi.org/10.1016/S0377-2217(03)00020-1
    .. [2] Opricovic, S. & Tzeng, G.-H. (2007). Extended VIKOR method in comparison with outranking
       methods. *European Journal of Operational Research* 178(2), 514-529.
       https://doi.org/10.1016/j.ejor.2006.01.020

    Examples
    --------
    >>> result = vikor([[1, 3000], [2, 3750], [5, 4500]], [0.5, 0.5], [False, True])
    >>> result.q.tolist(), result.in_compromise.tolist()
    ([1.0, 0.0, 1.0], [False, True, False])
    """
    matrix, maximise = _matrix(matrix, maximise)
    weights = _weights(weights, matrix)
    v = arguments.number(v, "v", minimum=0.0, maximum=1.0)
    shortfall = weights[..., None, :] * (1.0 - minmax_normalise(matrix, maximise))
    s = shortfall.sum(axis=-1)
    r = shortfall.max(axis=-1)

    def spread(x: FloatArray) -> FloatArray:
        low = x.min(axis=-1, keepdims=True)
        return _ratio_or(x - low, x.max(axis=-1, keepdims=True) - low, fill=0.0)

    q = v * spread(s) + (1.0 - v) * spread(r)

    n_options = matrix.shape[-2]
    dq = 1.0 / (n_options - 1)
    order = np.argsort(q, axis=-1, kind="stable")
    first, second = order[..., :1], order[..., 1:2]
    q_first = np.take_along_axis(q, first, axis=-1)
    gap = np.take_along_axis(q, second, axis=-1) - q_first
    # Q, S and R of tied options can differ in the last bits (sums in another order); a small
    # tolerance keeps exact ties ties.
    tol = 1e-12
    advantage = gap[..., 0] >= dq - tol
    best_by_s = np.take_along_axis(s, first, axis=-1) <= s.min(axis=-1, keepdims=True) + tol
    best_by_r = np.take_along_axis(r, first, axis=-1) <= r.min(axis=-1, keepdims=True) + tol
    stability = (best_by_s | best_by_r)[..., 0]

    # Opricovic & Tzeng (2004), step 5: A(1), ..., A(M) with Q(A(M)) - Q(A(1)) < DQ; sorted by Q
    # that is exactly the options within DQ of the best Q.
    near_best = q - q_first < dq - tol
    top_two = np.zeros(q.shape, dtype=bool)
    np.put_along_axis(top_two, order[..., :2], True, axis=-1)
    top_one = np.zeros(q.shape, dtype=bool)
    np.put_along_axis(top_one, first, True, axis=-1)
    in_compromise = np.where(
        advantage[..., None], np.where(stability[..., None], top_one, top_two), near_best
    )
    return VikorResult(s, r, q, advantage[()], stability[()], in_compromise)


@dataclass(frozen=True, eq=False)
class PrometheeResult:
    """PROMETHEE outranking flows; see :func:`promethee_ii`."""

    phi_plus: FloatArray
    """Leaving (positive) flow: how strongly each option outranks the others, ``(..., n_options)``."""
    phi_minus: FloatArray
    """Entering (negative) flow: how strongly the others outrank it, ``(..., n_options)``."""
    phi: FloatArray
    """Net flow ``phi_plus - phi_minus`` (PROMETHEE II); higher is better; sums to 0 over options."""
    preference: FloatArray
    """Preference index ``pi(a, b)`` of row ``a`` over column ``b``, ``(..., n_options, n_options)``."""


def _per_criterion(value: ArrayLike | None, n_criteria: int, name: str) -> FloatArray:
    """A threshold given once for all criteria or per criterion, as floats (NaN where not given)."""
    if value is None:
        return np.full(n_criteria, np.nan)
    array = arguments.float_array(value, name)
    if array.shape not in ((), (n_criteria,)):
        raise arguments.ArgumentValueError(f"{name} must be one number or one per criterion ({n_criteria}), "
                                           f"got shape {array.shape}")
    return np.broadcast_to(array, (n_criteria,)) if array.ndim == 0 else array


def _preference(function: str, d: FloatArray, q: float, p: float, s: float) -> FloatArray:
    """Brans & Vincke's generalised criterion ``P(d)`` for a difference ``d`` (positive = better)."""
    if function == "usual":
        return (d > 0).astype(float)
    if function == "ushape":
        return (d > q).astype(float)
    if function == "vshape":
        return np.clip(d / p, 0.0, 1.0)
    if function == "level":
        return np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
    if function == "linear":
        return np.clip((d - q) / (p - q), 0.0, 1.0)
    if function == "gaussian":
        return np.where(d > 0, -np.expm1(-(d**2) / (2.0 * s**2)), 0.0)
    raise ValueError(
        f"unknown PROMETHEE preference function {function!r}; use one of {sorted(PREFERENCE_FUNCTIONS)}"
    )


def promethee_ii(
    matrix: ArrayLike,
    weights: ArrayLike,
    maximise: ArrayLike,
    *,
    functions: PreferenceFunction | Sequence[PreferenceFunction] = "usual",
    q: ArrayLike | None = None,
    p: ArrayLike | None = None,
    s: ArrayLike | None = None,
) -> PrometheeResult:
    """Outranking flows of PROMETHEE I and the net flow that ranks options in PROMETHEE II.

    For each ordered pair ``(a, b)`` and criterion ``j`` the difference ``d = g_j(a) - g_j(b)``
    (reversed for cost criteria) passes through the criterion's preference function ``P_j``; the
    preference index is ``pi(a, b) = sum_j w_j P_j(a, b) / sum_j w_j``, and
    ``phi+(a) = sum_b pi(a, b) / (n - 1)``, ``phi-(a) = sum_b pi(b, a) / (n - 1)``,
    ``phi = phi+ - phi-``.

    Parameters
    ----------
    matrix : array_like, shape (..., n_options, n_criteria)
        Raw performance; needs at least two options.
    weights : array_like, shape (..., n_criteria)
        Criterion weights; normalised to sum to 1 here, as in the method's definition.
    maximise : array_like of bool, shape (n_criteria,)
        ``True`` for benefit criteria, ``False`` for cost criteria.
    functions : str or sequence of str
        Preference function for all criteria or per criterion (Brans & Vincke's types):
        ``"usual"`` (I, no threshold), ``"ushape"`` (II, indifference ``q``), ``"vshape"``
        (III, preference ``p``), ``"level"`` (IV, ``q`` and ``p``, 1/2 between them), ``"linear"``
        (V, linear from ``q`` to ``p``), ``"gaussian"`` (VI, ``s``).
    q, p, s : float or array_like of shape (n_criteria,), optional
        Indifference, preference and Gaussian thresholds, in the criterion's units, once for all
        criteria or per criterion (NaN where a criterion's function does not use it).

    Returns
    -------
    PrometheeResult
        ``phi_plus``, ``phi_minus``, ``phi`` with shape ``(..., n_options)`` and the preference
        index matrix ``preference``.

    References
    ----------
    .. [1] Brans, J.-P. & Vincke, Ph. (1985). A preference ranking organisation method (the
       PROMETHEE method for multiple criteria decision-making). *Management Science* 31(6), 647-656.
       https://doi.org/10.1287/mnsc.31.6.647
    .. [2] Brans, J.-P., Vincke, Ph. & Mareschal, B. (1986). How to select and how to rank projects:
       the PROMETHEE method. *European Journal of Operational Research* 24(2), 228-238.
       https://doi.org/10.1016/0377-2217(86)90044-5
    .. [3] Brans, J.-P. & Mareschal, B. (2005). PROMETHEE methods. In Figueira, J., Greco, S. &
       Ehrgott, M. (eds) *Multiple Criteria Decision Analysis: State of the Art Surveys*, 163-186.
       Springer. https://doi.org/10.1007/0-387-23081-5_5

    Examples
    --------
    >>> result = promethee_ii([[1.0, 9.0], [2.0, 7.0], [3.0, 8.0]], [1, 1], [True, False])
    >>> result.phi.tolist()
    [-1.0, 0.5, 0.5]
    """
    matrix, maximise = _matrix(matrix, maximise)
    weights = _weights(weights, matrix)
    sign = np.where(maximise, 1.0, -1.0)
    n_options, n_criteria = matrix.shape[-2:]
    names = list(arguments.ids(functions, "functions", what="preference function names"))
    if len(names) == 1:
        names *= n_criteria
    unknown = [f for f in names if f not in PREFERENCE_FUNCTIONS]
    if unknown:
        raise arguments.ArgumentValueError(f"functions names an unknown PROMETHEE preference function "
                                           f"{unknown[0]!r}; use one of {sorted(PREFERENCE_FUNCTIONS)}")
    if len(names) != n_criteria:
        raise arguments.ArgumentValueError(f"functions must name one function for all criteria or one per "
                                           f"criterion ({n_criteria}); got {len(names)}")
    qs, ps, ss = (_per_criterion(t, n_criteria, name) for t, name in ((q, "q"), (p, "p"), (s, "s")))

    # differences[..., a, b, j] = how much better option a is than option b on criterion j.
    differences = (matrix[..., :, None, :] - matrix[..., None, :, :]) * sign
    preferences = np.stack(
        [_preference(names[j], differences[..., j], qs[j], ps[j], ss[j]) for j in range(n_criteria)],
        axis=-1,
    )
    normalised = weights / weights.sum(axis=-1, keepdims=True)
    preference = np.einsum("...abj,...j->...ab", preferences, normalised)
    phi_plus = preference.sum(axis=-1) / (n_options - 1)
    phi_minus = preference.sum(axis=-2) / (n_options - 1)
    return PrometheeResult(phi_plus, phi_minus, phi_plus - phi_minus, preference)


def weighted_product(matrix: ArrayLike, weights: ArrayLike, maximise: ArrayLike) -> FloatArray:
    """Weighted product model: ``prod_j x_j ** w_j`` over benefit, ``x_j ** -w_j`` over cost criteria.

    Being a product of powers, the ranking does not depend on each criterion's unit; the ratio of
    two options' scores is the classic pairwise WPM ratio (see :func:`weighted_product_ratios`).

    Parameters
    ----------
    matrix : array_like, shape (..., n_options, n_criteria)
        Raw performance; every entry must be positive (not checked here).
    weights : array_like, shape (..., n_criteria)
        Exponents, used as given; rescaling them all by ``c`` raises every score to the power ``c``
        and leaves the ranking unchanged.
    maximise : array_like of bool, shape (n_criteria,)
        ``True`` for benefit criteria, ``False`` for cost criteria.

    Returns
    -------
    ndarray, shape (..., n_options)
        Scores; higher is better.

    References
    ----------
    .. [1] Bridgman, P.W. (1922). *Dimensional Analysis*. Yale University Press.
    .. [2] Miller, D.W. & Starr, M.K. (1969). *Executive Decisions and Operations Research*, 2nd ed.
       Prentice-Hall.
    .. [3] Triantaphyllou, E. (2000). *Multi-Criteria Decision Making Methods: A Comparative Study*.
       Kluwer, ch. 2. https://doi.org/10.1007/978-1-4757-3157-6_2

    Examples
    --------
    >>> weighted_product([[4.0, 2.0], [1.0, 1.0]], [0.5, 1.0], [True, False]).tolist()
    [1.0, 1.0]
    """
    matrix, maximise = _matrix(matrix, maximise)
    exponents = _weights(weights, matrix) * np.where(maximise, 1.0, -1.0)
    # Sum of logs rather than a product of powers: many criteria with small entries would underflow.
    return np.exp(np.sum(exponents[..., None, :] * np.log(matrix), axis=-1))


def weighted_product_ratios(matrix: ArrayLike, weights: ArrayLike, maximise: ArrayLike) -> FloatArray:
    """Pairwise WPM ratios ``R(A_K / A_L) = prod_j (a_Kj / a_Lj) ** (+-w_j)``, Triantaphyllou's form.

    ``R(A_K / A_L) >= 1`` means ``A_K`` is at least as good as ``A_L``.

    Parameters
    ----------
    matrix, weights, maximise
        As for :func:`weighted_product`.

    Returns
    -------
    ndarray, shape (..., n_options, n_options)
        Row ``K``, column ``L`` holds ``R(A_K / A_L)``.

    References
    ----------
    .. [1] Triantaphyllou, E. (2000). *Multi-Criteria Decision Making Methods: A Comparative Study*.
       Kluwer, ch. 2. https://doi.org/10.1007/978-1-4757-3157-6_2
    """
    scores = weighted_product(matrix, weights, maximise)
    return scores[..., :, None] / scores[..., None, :]


METHODS: dict[str, Callable[..., Any]] = {
    "topsis": topsis,
    "vikor": vikor,
    "promethee2": promethee_ii,
    "wpm": weighted_product,
}
"""Kernel for each method name :func:`decide.mcda.matrix.score_matrix` accepts besides ``"additive"``."""
