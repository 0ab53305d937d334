"""Robustness of a choice between two alternatives evaluated on the same simulated worlds: the paired
value gap with its standard error, and first- and second-order stochastic dominance.

Both alternatives' values come from the same worlds (common random numbers), so the gap's standard
error is that of the paired differences. Dominance is checked on the two empirical distributions
(equal sample sizes): first order -- every quantile of ``x`` at least that of ``y``, i.e. the sorted
samples compare elementwise, so every decision maker preferring more to less prefers ``x``;
second order -- every partial sum of the sorted samples of ``x`` at least that of ``y`` (the
generalised Lorenz curves), so every risk-averse decision maker prefers ``x``. On a finite sample
these are statements about the sample; a near miss (a violation smaller than the values' Monte
Carlo noise) is reported with its size.

References
----------
.. [1] Levy, H. (2016). *Stochastic Dominance: Investment Decision Making under Uncertainty*
   (3rd ed.). Springer, ch. 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["PairComparison", "compare_pair", "dominance_words"]


@dataclass(frozen=True)
class PairComparison:
    """``x`` against ``y`` on the same worlds."""

    gap: float
    """Mean of x - y."""
    gap_se: float
    p_better: float
    """P(x > y), ties counted half."""
    p_better_se: float
    first_order: bool
    """x dominates y to first order on the sample."""
    first_order_violation: float
    """Largest amount by which a quantile of x falls below y's (0 when x dominates)."""
    second_order: bool
    second_order_violation: float
    """Largest shortfall of x's mean over its lowest k worlds from y's, over k (0 when x dominates)."""
    reverse_first_order: bool
    """y dominates x to first order."""
    n: int
    reverse_second_order: bool = False
    """y dominates x to second order."""


def compare_pair(x: ArrayLike, y: ArrayLike) -> PairComparison:
    """Paired gap and stochastic dominance of ``x`` over ``y`` (values in the same worlds).

    Examples
    --------
    >>> c = compare_pair([1.0, 2.0, 3.0], [0.5, 2.0, 2.5])
    >>> c.first_order, c.second_order, round(c.gap, 3)
    (True, True, 0.333)
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError("x and y need the same number (at least two) of paired values")
    n = x.size
    diff = x - y
    beats = (diff > 0) + 0.5 * (diff == 0)
    xs, ys = np.sort(x), np.sort(y)
    tol = 1e-12
    fsd_short = float(np.max(ys - xs))
    lorenz = (np.cumsum(xs) - np.cumsum(ys)) / np.arange(1, n + 1)
    ssd_short = float(-np.min(lorenz))
    return PairComparison(
        gap=float(diff.mean()), gap_se=float(diff.std(ddof=1) / np.sqrt(n)),
        p_better=float(beats.mean()), p_better_se=float(beats.std(ddof=1) / np.sqrt(n)),
        first_order=fsd_short <= tol, first_order_violation=max(fsd_short, 0.0),
        second_order=ssd_short <= tol, second_order_violation=max(ssd_short, 0.0),
        reverse_first_order=bool(np.max(xs - ys) <= tol), n=n,
        reverse_second_order=bool(np.max(lorenz) <= tol))


def dominance_words(c: PairComparison) -> str:
    """One phrase on dominance, for a sentence: 'dominates it to first order (...)'."""
    if c.first_order:
        return ("dominates it to first order: at every probability its value is at least as high, so anyone "
                "who prefers more value to less prefers it, whatever their attitude to risk")
    if c.second_order:
        return ("dominates it to second order but not first (its worst worlds are better on average, some "
                f"quantile is lower by up to {c.first_order_violation:.3f}): every risk-averse reader prefers it")
    if c.reverse_first_order:
        return "is dominated by it to first order"
    if c.reverse_second_order:
        return ("is dominated by it to second order (its worst worlds are worse on average however many are "
                "taken): every risk-averse or risk-neutral reader prefers the other")
    return (f"does not dominate it (a quantile lower by up to {c.first_order_violation:.3f}; its mean over the "
            f"worst worlds lower by up to {c.second_order_violation:.3f}): the choice depends on the attitude to risk")
