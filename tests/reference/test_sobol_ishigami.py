"""Sobol' indices of the Ishigami function through decide's SALib wrapper.

The Ishigami function ``f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1``, ``x_i ~ U(-pi, pi)``, has
analytic first-order and total indices (Ishigami & Homma 1990; Saltelli et al. 2008, section 4.6;
Sobol' & Levitan 1999). With a = 7, b = 0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).

References
----------
Ishigami, T., Homma, T. (1990). An importance quantification technique in uncertainty analysis
for computer models. Proc. ISUMA '90, 398-403. doi:10.1109/ISUMA.1990.151285
Saltelli, A., Ratto, M., Andres, T., et al. (2008). Global Sensitivity Analysis: The Primer. Wiley.
"""

from __future__ import annotations

import numpy as np
import pytest

from decide.sensitivity.sobol import sobol_table

A, B = 7.0, 0.1


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = -np.pi + 2.0 * np.pi * unit
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def analytic_indices() -> tuple[np.ndarray, np.ndarray]:
    """Closed-form partial variances (Saltelli et al. 2008, eq. 4.35-4.37)."""
    pi4, pi8 = np.pi**4, np.pi**8
    v1 = 0.5 * (1 + B * pi4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * pi8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def test_analytic_values_are_the_published_ones():
    s1, st = analytic_indices()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


@pytest.mark.parametrize("seeds", [(1, 2), (3, 4)])
def test_ishigami_indices_match_analytic(seeds):
    table, n, outputs = sobol_table(ishigami, ["x1", "x2", "x3"], n=4096, seeds=seeds)
    s1, st = analytic_indices()
    assert n == 4096 and outputs.shape == (4096 * 5,)
    # Scrambled Sobol' points at n = 4096 land within ~0.005 of the analytic values.
    np.testing.assert_allclose(table["S1"], s1, atol=0.01)
    np.testing.assert_allclose(table["ST"], st, atol=0.01)
    # The bootstrap intervals should cover the truth.
    assert np.all(np.abs(table["ST"] - st) <= table["ST_conf"] + 0.005)


def test_grouping_x1_with_x3_gives_their_joint_indices():
    table, _, _ = sobol_table(ishigami, ["x1", "x2", "x3"], ["x1 and x3", "x2", "x1 and x3"], n=4096, seeds=(5, 6))
    s1, st = analytic_indices()
    # Closed group {x1, x3}: its first-order index holds V1 + V13; the group explains 1 - S2.
    np.testing.assert_allclose(table.loc["x1 and x3", "S1"], st[0], atol=0.01)
    np.testing.assert_allclose(table.loc["x1 and x3", "ST"], 1 - s1[1], atol=0.01)
    np.testing.assert_allclose(table.loc["x2", "ST"], st[1], atol=0.01)


@pytest.mark.parametrize(
    "groups",
    [None, ["a", "b", "a", "c", "b"], ["b", "a", "b", "a", "a"]],
    ids=["each input", "three groups", "groups out of order"],
)
@pytest.mark.parametrize("n", [1, 8, 256])
def test_design_is_salibs_saltelli_sample_bit_for_bit(groups, n):
    from SALib.sample import sobol as sobol_sample

    from decide.sensitivity.sobol import saltelli_design

    names = ["x1", "x2", "x3", "x4", "x5"]
    problem = {"num_vars": 5, "names": names, "bounds": [[0.0, 1.0]] * 5, "groups": groups}
    expected = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=11)
    got = saltelli_design(groups or names, n, seed=11)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected)
