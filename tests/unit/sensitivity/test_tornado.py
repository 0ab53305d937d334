"""Tornado swings of the value gap, checked against hand computation and decide.score."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from decide.compile import KIND_CODES, CaseArrays, compile_case
from decide.load import load_case
from decide.score import score
from decide.sensitivity.tornado import TORNADO_COLUMNS, tornado

MEDIATE, COST = 2, 2  # option and criterion indices in the minimal case


@pytest.fixture(scope="module")
def arrays(request) -> CaseArrays:
    return compile_case(load_case(Path(request.config.rootpath) / "tests" / "data" / "minimal_case.yaml"))


@pytest.fixture(scope="module")
def one_uncertain(arrays) -> CaseArrays:
    """Every score a point at its central value except Mediation's cost: uniform on [0, 4]."""
    kind = np.full_like(arrays.scores.kind, KIND_CODES["point"])
    central = arrays.scores.central.copy()
    params = np.repeat(central[..., None], 4, axis=-1)
    params[..., 3] = 0.0
    kind[MEDIATE, COST] = KIND_CODES["uniform"]
    params[MEDIATE, COST] = (0.0, 2.0, 4.0, 0.0)
    central[MEDIATE, COST] = 2.0
    return replace(arrays, scores=replace(arrays.scores, kind=kind, params=params, central=central))


def gap_of(arrays: CaseArrays, first: str, second: str, weights=None) -> float:
    table = score(arrays, weights=weights).table
    return float(table.loc[first, "expected_value"] - table.loc[second, "expected_value"])


def test_one_uncertain_score_gives_one_swing_equal_to_the_hand_computed_change(one_uncertain):
    frame = tornado(one_uncertain, vary_weights=False, inputs="all")
    assert list(frame.columns) == TORNADO_COLUMNS
    assert frame.attrs["leading"] == ("mediate", "wait")
    nonzero = frame[frame["swing"] > 0]
    assert len(nonzero) == 1 and nonzero["input"].iloc[0] == "score: Mediation / Cost"
    row = nonzero.iloc[0]
    # U(0, 4): 5th and 95th percentiles 0.2 and 3.8. Cost is linear, lower is better, on 0-10, and
    # carries weight 0.5 under the neutral profile (security 1 : cost 1); Mediation has no
    # requirement, so its expected value is its value. Swing = 0.5 * (3.8 - 0.2) / 10 = 0.18.
    assert (row["low_value"], row["high_value"]) == pytest.approx((0.2, 3.8))
    base = frame.attrs["base_gap"]
    assert row["gap_at_low"] == pytest.approx(base + 0.5 * (2.0 - 0.2) / 10, abs=1e-12)
    assert row["gap_at_high"] == pytest.approx(base - 0.5 * (3.8 - 2.0) / 10, abs=1e-12)
    assert row["swing"] == pytest.approx(0.18, abs=1e-12)
    assert row["central_value"] == 2.0
    assert base == pytest.approx(gap_of(one_uncertain, "mediate", "wait"), abs=1e-12)


def test_weight_swings_match_score_with_proportionally_rescaled_weights(arrays):
    simplex = replace(arrays, imprecise_a=np.zeros((0, arrays.n_criteria)), imprecise_b=np.zeros(0))
    frame = tornado(simplex).set_index("input")
    k = simplex.n_criteria
    low, high = stats.beta.ppf([0.05, 0.95], 1, k - 1)  # a simplex coordinate is Beta(1, k - 1)
    default = simplex.weights
    for c, name in enumerate(simplex.criterion_names):
        row = frame.loc[f"weight: {name}"]
        assert (row["low_value"], row["high_value"]) == pytest.approx((low, high))
        for value, column in ((low, "gap_at_low"), (high, "gap_at_high")):
            w = default * (1 - value) / (1 - default[c])
            w[c] = value
            assert row[column] == pytest.approx(gap_of(simplex, "mediate", "wait", weights=w), abs=1e-12)


def test_probability_swings_match_score_with_the_swung_probability(arrays):
    frame = tornado(arrays, leading=("intervene", "mediate"), rng=0).set_index("input")
    row = frame.loc["P(backing)"]
    assert (row["low_value"], row["high_value"]) == pytest.approx((0.315, 0.585))  # interval 0.3-0.6
    for value, column in ((0.315, "gap_at_low"), (0.585, "gap_at_high")):
        p = arrays.probability_central.copy()
        p[0] = value
        assert row[column] == pytest.approx(gap_of(replace(arrays, probability_central=p), "intervene", "mediate"),
                                            abs=1e-12)


def test_rows_are_sorted_by_swing(arrays):
    frame = tornado(arrays, rng=0)
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)
    np.testing.assert_allclose(frame["swing"], (frame["gap_at_high"] - frame["gap_at_low"]).abs())


def test_plot_tornado_writes_a_png(arrays, tmp_path):
    from decide.report.figures_sensitivity import plot_tornado

    path = plot_tornado(tornado(arrays, leading=("intervene", "mediate"), rng=0), tmp_path / "tornado.png", top=5)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    empty = tornado(arrays, vary_weights=False, leading=("wait", "intervene"), rng=0).iloc[:0]
    assert plot_tornado(empty, tmp_path / "empty.png").exists()
