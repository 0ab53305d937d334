"""decide.model.normal against SciPy's ndtr and ndtri, which it stands in for (start-up, issue 18)."""

import numpy as np
import pytest

from decide.model.normal import ndtr, ndtri

special = pytest.importorskip("scipy.special")


def test_ndtr_matches_scipy() -> None:
    x = np.concatenate([np.linspace(-40, 40, 80_001), [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, -0.7071, 8.0, -8.0]])
    ours, theirs = ndtr(x), special.ndtr(x)
    positive = theirs > 0
    np.testing.assert_allclose(ours[positive], theirs[positive], rtol=5e-14, atol=0)
    np.testing.assert_array_equal(ours[~positive], theirs[~positive])
    assert isinstance(ndtr(0.3), float) and ndtr(0.3) == pytest.approx(special.ndtr(0.3), rel=1e-15)


def test_ndtri_matches_scipy_and_inverts_ndtr() -> None:
    p = np.concatenate([np.logspace(-300, np.log10(0.5), 20_000), 1 - np.logspace(-16, np.log10(0.5), 20_000),
                        np.linspace(0, 1, 10_001), [np.nan, -0.1, 1.1]])
    ours, theirs = ndtri(p), special.ndtri(p)
    finite = np.isfinite(theirs)
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(ours[~finite], theirs[~finite])
    x = np.linspace(-8, 5, 1001)  # above 5, ndtr(x) rounds to within 1e-7 of 1 and loses the digits
    np.testing.assert_allclose(ndtri(ndtr(x)), x, atol=1e-9)
