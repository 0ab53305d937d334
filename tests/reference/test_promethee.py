"""PROMETHEE against the six-criteria example of its authors."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from decide.mcda.methods import promethee_ii

# Six actions on six criteria, one of each of Brans & Vincke's generalised criteria:
# f1 min, type II (U-shape) q = 10; f2 max, type III (V-shape) p = 30; f3 min, type V (linear)
# q = 0.5, p = 5; f4 min, type IV (level) q = 1, p = 6; f5 min, type I (usual); f6 max, type VI
# (Gaussian) s = 5. Equal weights.
ACTIONS = [
    [80, 90, 6, 5.4, 8, 5],
    [65, 58, 2, 9.7, 1, 1],
    [83, 60, 4, 7.2, 4, 7],
    [40, 80, 10, 7.5, 7, 10],
    [52, 72, 6, 2.0, 3, 8],
    [94, 96, 7, 3.6, 5, 6],
]
MAXIMISE = [False, True, False, False, False, True]
FUNCTIONS = ["ushape", "vshape", "linear", "level", "usual", "gaussian"]
NAN = np.nan
Q = [10, NAN, 0.5, 1, NAN, NAN]
P = [NAN, 30, 5, 6, NAN, NAN]
S = [NAN, NAN, NAN, NAN, NAN, 5]

# pi(a_i, a_j), row i over column j, printed to three decimals.
PUBLISHED_PREFERENCE = [
    [0.000, 0.296, 0.250, 0.268, 0.100, 0.185],
    [0.462, 0.000, 0.389, 0.333, 0.296, 0.500],
    [0.236, 0.180, 0.000, 0.333, 0.056, 0.429],
    [0.399, 0.505, 0.305, 0.000, 0.223, 0.212],
    [0.444, 0.515, 0.487, 0.380, 0.000, 0.448],
    [0.286, 0.399, 0.250, 0.432, 0.133, 0.000],
]


def test_promethee_brans_vincke_mareschal_1986() -> None:
    """Valued outranking relation of the six-action, six-criterion example.

    Brans, J.-P., Vincke, Ph. & Mareschal, B. (1986). How to select and how to rank projects: the
    PROMETHEE method. *European Journal of Operational Research* 24(2), 228-238, numerical
    example: the table of preference indices pi(a, b), equal weights (numbers as reproduced in the
    test data of the open-source "Construct your own PROMETHEE" modules,
    github.com/WAndraszyk/Construct-your-own-PROMETHEE-with-Python-for-MCDA).

    The printed table was computed from rounded intermediate values: the exact indices agree to
    within one unit in the third decimal (e.g. pi(a2, a1) = 0.46296, printed 0.462), hence
    ``atol=1e-3``. The flows follow from the table, so they are checked against flows computed
    from the printed table at the same tolerance.
    """
    result = promethee_ii(ACTIONS, [1] * 6, MAXIMISE, functions=FUNCTIONS, q=Q, p=P, s=S)
    assert_allclose(result.preference, PUBLISHED_PREFERENCE, atol=1e-3)

    published = np.asarray(PUBLISHED_PREFERENCE)
    n = len(published)
    assert_allclose(result.phi_plus, published.sum(axis=1) / (n - 1), atol=1e-3)
    assert_allclose(result.phi_minus, published.sum(axis=0) / (n - 1), atol=1e-3)
    # The net flows of the printed table rank the actions a5, a2, a4, a6, a3, a1; so must ours.
    assert np.argsort(-(published.sum(axis=1) - published.sum(axis=0))).tolist() == [4, 1, 3, 5, 2, 0]
    assert np.argsort(-result.phi).tolist() == [4, 1, 3, 5, 2, 0]
