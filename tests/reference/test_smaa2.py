"""SMAA-2 outputs (rank acceptabilities, central weights, confidence factors) against exact values.

Definitions: Lahdelma, R. & Salminen, P. (2001). SMAA-2: Stochastic multicriteria acceptability
analysis for group decision making. Operations Research 49(3), 444-454: the rank acceptability
``b_i^r`` is the share of the weight space (uniform on the simplex, no preference information)
and of the criteria measurements in which alternative i has rank r; the central weight vector is
the expected weight vector given that i ranks first; the confidence factor is the probability that
i ranks first when the weights are fixed at its central weight vector.

Published numbers: the examples of the R package ``smaa`` (Tervonen's thrombolytics example,
``smaa/tests/Examples/smaa-Ex.Rout.save`` in github.com/gertvv/rsmaa: rank acceptabilities
0.3504/0.6496, confidence factors 0.6682/0.8956) are computed on a stored sample of partial values
that no distribution decide offers reproduces, so they cannot serve here. Instead this test uses a
case whose SMAA-2 outputs are known exactly (the fallback the issue names): two criteria, uniform
weights ``(t, 1 - t)`` with ``t ~ U(0, 1)``, values on [0, 1] scales:

* A = (1, 0), B = (0, 1) (points), C = (x, 0.6) with ``x ~ U(0.4, 0.8)``.

Values are linear in ``t`` for each ``x`` (A: t, B: 1 - t, C: 0.6 + t (x - 0.6)), so for each x
the rank of every alternative is piecewise constant in t with breakpoints where two lines cross;
integrating the lengths (and first moments, for central weights) over a fine grid of x gives the
exact values to ~1e-7, checked against the closed forms where they are short.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from decide.load import parse_case
from decide.montecarlo import simulate

X_LOW, X_HIGH = 0.4, 0.8
N_X = 20_000


def lines(x: float) -> np.ndarray:
    """(alternative, [intercept, slope]) of the value as a function of t, for C's outcome x."""
    return np.array([[0.0, 1.0], [1.0, -1.0], [0.6, x - 0.6]])


def exact_smaa2() -> tuple[np.ndarray, np.ndarray]:
    """Rank acceptabilities (3 x 3) and central weights of criterion 1 (3,) by integration."""
    ranks = np.zeros((3, 3))
    best_t = np.zeros(3)
    xs = X_LOW + (np.arange(N_X) + 0.5) * (X_HIGH - X_LOW) / N_X
    for x in xs:
        ab = lines(x)
        cuts = {0.0, 1.0}
        for i, j in itertools.combinations(range(3), 2):
            ds = ab[i, 1] - ab[j, 1]
            if ds != 0:
                t = (ab[j, 0] - ab[i, 0]) / ds
                if 0 < t < 1:
                    cuts.add(t)
        cuts_sorted = sorted(cuts)
        for lo, hi in zip(cuts_sorted, cuts_sorted[1:]):
            mid = (lo + hi) / 2
            v = ab[:, 0] + ab[:, 1] * mid
            order = np.argsort(-v)
            for r, alt in enumerate(order):
                ranks[alt, r] += hi - lo
            best_t[order[0]] += (hi**2 - lo**2) / 2
    ranks /= N_X
    best_t /= N_X
    return ranks, best_t / ranks[:, 0]


def exact_confidence(central_t: np.ndarray) -> np.ndarray:
    """P(alternative best | weights fixed at (t_c, 1 - t_c)), over x ~ U(0.4, 0.8)."""
    xs = X_LOW + (np.arange(N_X) + 0.5) * (X_HIGH - X_LOW) / N_X
    out = np.zeros(3)
    for k, t in enumerate(central_t):
        v = np.column_stack([np.full_like(xs, t), np.full_like(xs, 1 - t), 0.6 + t * (xs - 0.6)])
        out[k] = np.mean(np.argmax(v, axis=1) == k)
    return out


def smaa_case() -> dict:
    crits = [{"id": f"c{i}", "name": f"c{i}", "direction": "max",
              "scale": {"low": 0, "high": 1, "low_means": "worst", "high_means": "best"}} for i in (1, 2)]
    options = [
        {"id": "A", "name": "A", "scores": {"c1": 1, "c2": 0}},
        {"id": "B", "name": "B", "scores": {"c1": 0, "c2": 1}},
        {"id": "C", "name": "C", "scores": {"c1": {"kind": "uniform", "low": X_LOW, "high": X_HIGH}, "c2": 0.6}},
    ]
    return {"id": "smaa2", "title": "SMAA-2 exact", "options": options,
            "criteria": {"id": "two", "name": "two criteria", "criteria": crits}}


@pytest.fixture(scope="module")
def exact() -> dict[str, np.ndarray]:
    ranks, central_t = exact_smaa2()
    return {"ranks": ranks, "central_t": central_t, "cf": exact_confidence(central_t)}


@pytest.fixture(scope="module")
def result():
    return simulate(parse_case(smaa_case()), 200_000, rng=2001, weights="uniform", confidence_draws=100_000)


def test_exact_reference_is_consistent(exact) -> None:
    # Closed forms. C is best for t in (0.4 / (x + 0.4), 0.6 / (1.6 - x)), A above, B below, so
    # P(A best) = 1 - 1.5 ln 1.5, P(B best) = ln 1.5, P(C best) = 0.5 ln 1.5, and C's central weight
    # of criterion 1 is E[(hi^2 - lo^2) / 2] / P(C best) = (2.5 (0.15 - 0.2 / 3) / 2) / (0.5 ln 1.5).
    ln = np.log(1.5)
    np.testing.assert_allclose(exact["ranks"][:, 0], [1 - 1.5 * ln, ln, 0.5 * ln], atol=1e-6)
    np.testing.assert_allclose(exact["central_t"][2], 2.5 * (0.15 - 0.2 / 3) / 2 / (0.5 * ln), atol=1e-6)
    np.testing.assert_allclose(exact["ranks"].sum(axis=0), 1.0, atol=1e-9)


def test_rank_acceptabilities(result, exact) -> None:
    est, se = result.estimates["rank_acceptability"], result.standard_errors["rank_acceptability"]
    assert np.all(np.abs(est - exact["ranks"]) <= 4 * se + 1e-6)


def test_central_weights(result, exact) -> None:
    est, se = result.estimates["central_weights"], result.standard_errors["central_weights"]
    ref = np.column_stack([exact["central_t"], 1 - exact["central_t"]])
    assert np.all(np.abs(est - ref) <= 4 * se + 1e-6)


def test_confidence_factors(result, exact) -> None:
    est, se = result.estimates["confidence_factor"], result.standard_errors["confidence_factor"]
    # The engine fixes the weights at its estimated central weights; their error moves the exact
    # confidence factor by at most |d cf / d t| x 4 se(central weight) (C: density 2.5 per unit t).
    slack = 2.5 * 4 * result.standard_errors["central_weights"][:, 0]
    assert np.all(np.abs(est - exact["cf"]) <= 4 * se + slack + 1e-6)
    assert result.confidence_draws == 100_000
