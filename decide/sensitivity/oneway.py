"""One-way weight sensitivity with exact crossover points.

One weight (a leaf's, or a group node's: the sum of its leaves' weights) is moved over [0, 1]
and every other weight is rescaled in proportion (DESIGN.md, "Sensitivity and robustness").
With ``G`` the moved leaves, the weights are

    w(t) = t * inside + (1 - t) * outside,

``inside`` = ``w0`` on ``G`` renormalised to sum 1 (for a single leaf its unit vector),
``outside`` = ``w0`` off ``G`` renormalised. ``t`` is the total weight on ``G``, currently
``t0 = sum(w0[G])``, and ``w(t0) = w0``. Every option's value ``values @ w(t)`` is a line in
``t``, so the leading option along [0, 1] is the upper envelope of lines, computed here exactly
(line intersections), not on a grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

import decide.arguments as arguments
from decide.errors import DecideError

__all__ = ["Crossover", "Segment", "OneWayResult", "one_way_sensitivity"]


@dataclass(frozen=True)
class Crossover:
    """The weight at which the leading option changes."""

    t: float
    """Total weight on the moved leaves at the change."""
    option_before: int
    """Leader just below ``t``."""
    option_after: int
    """Leader just above ``t``."""


@dataclass(frozen=True)
class Segment:
    """An interval of ``t`` with one leading option."""

    start: float
    end: float
    leader: int


@dataclass(frozen=True, eq=False)
class OneWayResult:
    """Lines, crossovers and leaders of a one-way weight sensitivity analysis.

    Attributes
    ----------
    leaves
        Indices of the moved leaves ``G``, sorted.
    t0
        Current total weight on ``G``.
    inside, outside
        ``(n_leaves,)`` directions: ``w(t) = t * inside + (1 - t) * outside``.
    intercepts, slopes
        ``(n_options,)``: option values are ``intercepts + slopes * t``.
    crossovers
        Changes of leader in increasing ``t``, strictly inside (0, 1).
    segments
        Consecutive intervals covering [0, 1], one per leader (``len(crossovers) + 1``).
    """

    leaves: tuple[int, ...]
    t0: float
    inside: NDArray[np.float64]
    outside: NDArray[np.float64]
    intercepts: NDArray[np.float64]
    slopes: NDArray[np.float64]
    crossovers: tuple[Crossover, ...]
    segments: tuple[Segment, ...]

    def weights_at(self, t: ArrayLike) -> NDArray[np.float64]:
        """Leaf weights ``(..., n_leaves)`` at ``t`` (scalar or array)."""
        t = np.asarray(t, dtype=float)[..., None]
        return t * self.inside + (1.0 - t) * self.outside

    def values_at(self, t: ArrayLike) -> NDArray[np.float64]:
        """Option values ``(..., n_options)`` at ``t`` (scalar or array)."""
        t = np.asarray(t, dtype=float)[..., None]
        return self.intercepts + self.slopes * t

    def leader_at(self, t: float) -> int:
        """Leader of the segment containing ``t``; at a crossover, the leader after it."""
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"t must lie in [0, 1], got {t}")
        for segment in self.segments:
            if t < segment.end:
                return segment.leader
        return self.segments[-1].leader

    @property
    def current_leader(self) -> int:
        """Leader at the current weights, ``t0``."""
        return self.leader_at(self.t0)


def one_way_sensitivity(
    values: ArrayLike, w0: ArrayLike, leaves: int | Sequence[int], *, tol: float = 1e-12
) -> OneWayResult:
    """Move the weight of ``leaves`` over [0, 1] and find where the leading option changes.

    Parameters
    ----------
    values
        ``(n_options, n_leaves)`` leaf values.
    w0
        ``(n_leaves,)`` current leaf global weights, non-negative, summing to 1.
    leaves
        One leaf index, or the leaf indices of a group node, whose total weight is moved.
    tol
        Absolute tolerance (in value units) under which two options' values, or two slopes,
        count as equal.

    Returns
    -------
    OneWayResult
        Ties: options whose lines coincide (equal within ``tol``) share every segment, and the
        lowest index leads. Where lines only touch, the leader changes there; if several tie at
        ``t = 0``, the one rising fastest leads the first segment (lowest index among equals).
        A group whose current weight is 0 is spread equally over its leaves (``inside``).

    Raises
    ------
    DecideError
        There is no other weight to trade against: ``leaves`` covers every leaf, or every leaf
        outside it has weight 0, so "the others rescaled in proportion" is undefined.
    TypeError
        Arguments of the wrong type (``None``, text, non-integer leaf indices); also a DecideError.
    ValueError
        Malformed arrays or leaf indices; also a DecideError.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> result = one_way_sensitivity(values, np.array([0.7, 0.3]), leaves=0)
    >>> result.crossovers
    (Crossover(t=0.5, option_before=1, option_after=0),)
    >>> result.current_leader
    0
    """
    values, w0, moved = _check(values, w0, leaves, tol)
    n_leaves = values.shape[1]
    outside_mask = np.ones(n_leaves, dtype=bool)
    outside_mask[moved] = False
    outside_total = w0[outside_mask].sum()
    if not outside_total > 0.0:
        raise DecideError(
            "One-way sensitivity needs weight outside the moved leaves to trade against: "
            f"leaves {list(moved)} carry all the weight, so 'the other weights rescaled in "
            "proportion' is undefined."
        )
    outside = np.where(outside_mask, w0, 0.0) / outside_total
    inside_total = w0[moved].sum()
    inside = np.zeros(n_leaves)
    inside[moved] = w0[moved] / inside_total if inside_total > 0.0 else 1.0 / len(moved)

    intercepts = values @ outside
    slopes = values @ inside - intercepts
    crossovers, segments = _upper_envelope(intercepts, slopes, tol)
    return OneWayResult(
        leaves=tuple(int(i) for i in moved),
        t0=float(inside_total),
        inside=inside,
        outside=outside,
        intercepts=intercepts,
        slopes=slopes,
        crossovers=crossovers,
        segments=segments,
    )


def _upper_envelope(
    intercepts: NDArray[np.float64], slopes: NDArray[np.float64], tol: float
) -> tuple[tuple[Crossover, ...], tuple[Segment, ...]]:
    """Sweep t from 0 to 1 along the highest line; each change of leader is a line intersection.

    Every new leader has a strictly larger slope than the one before, so there are at most
    ``n_options - 1`` crossovers.
    """

    def leader_from(t: float) -> int:
        # Highest value at t; among ties the one rising fastest; among those the lowest index.
        at_t = intercepts + slopes * t
        tied = at_t >= at_t.max() - tol
        rising = np.where(tied, slopes, -np.inf)
        return int(np.flatnonzero(rising >= rising.max() - tol)[0])

    t, leader = 0.0, leader_from(0.0)
    crossovers: list[Crossover] = []
    segments: list[Segment] = []
    at_end = intercepts + slopes  # values at t = 1
    while True:
        steeper = slopes > slopes[leader] + tol
        with np.errstate(divide="ignore", invalid="ignore"):
            meets = (intercepts[leader] - intercepts) / (slopes - slopes[leader])
        meets = np.where(steeper & (meets > t), meets, np.inf)
        overtaker = int(np.argmin(meets))
        t_next = float(meets[overtaker])
        # A steeper line not above the leader at t = 1 (within tol) is below it all the way: lines
        # that only tie at the end of the range (the intersection rounded to just below 1) make no
        # crossover, as a tie at t = 0 makes none (leader_from).
        if t_next >= 1.0 or not np.any(steeper & (at_end > at_end[leader] + tol)):
            segments.append(Segment(t, 1.0, leader))
            break
        after = leader_from(t_next)
        if slopes[after] <= slopes[leader] + tol:  # round-off guard: keep the sweep monotone
            after = overtaker
        segments.append(Segment(t, t_next, leader))
        crossovers.append(Crossover(t_next, leader, after))
        t, leader = t_next, after
    return tuple(crossovers), tuple(segments)


def _check(
    values: ArrayLike, w0: ArrayLike, leaves: int | Sequence[int], tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    values = arguments.float_array(values, "values")
    if values.ndim != 2 or values.shape[0] < 1 or values.shape[1] < 1:
        raise arguments.ArgumentValueError(f"values must be (n_options, n_leaves), got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise arguments.ArgumentValueError("values must be finite")
    n_leaves = values.shape[1]
    w0 = arguments.float_array(w0, "w0")
    if w0.shape != (n_leaves,):
        raise arguments.ArgumentValueError(f"w0 must have shape ({n_leaves},), got {w0.shape}")
    if not np.all(np.isfinite(w0)) or np.any(w0 < 0) or abs(w0.sum() - 1.0) > 1e-9:
        raise arguments.ArgumentValueError("w0 must be non-negative weights summing to 1")
    arguments.number(tol, "tol", minimum=0.0)
    moved = np.atleast_1d(np.asarray(leaves))
    if moved.ndim != 1 or moved.size == 0:
        raise arguments.ArgumentValueError(f"leaves must be a leaf index or a non-empty sequence of them, "
                                           f"got {leaves!r}")
    if moved.dtype.kind == "f":  # a number, but not an index
        raise arguments.ArgumentValueError(f"leaves must be integer leaf indices, got {leaves!r}")
    if moved.dtype.kind not in "iu" or isinstance(leaves, (bool, np.bool_)):
        raise arguments.ArgumentTypeError(f"leaves must be a leaf index or a sequence of them (integers), "
                                          f"not {arguments.given(leaves)}")
    if np.any((moved < 0) | (moved >= n_leaves)) or len(np.unique(moved)) != moved.size:
        raise arguments.ArgumentValueError(f"leaves must be distinct indices in [0, {n_leaves}), got {leaves!r}")
    return values, w0, np.sort(moved)
