"""A crossover is where the leading option changes strictly inside the weight range: lines that only
tie at an end (t = 0 or t = 1) make none, however the intersection rounds (issue 16)."""

from __future__ import annotations

import numpy as np
import pytest

from decide.sensitivity.oneway import Crossover, one_way_sensitivity
from decide.sensitivity.weights import WeightSweep, crossover_table

# The Mali case's troop_commitment sweep at 10,000 draws: two options both worth 1.0 with all the
# weight on the moved leaf, the lines' intersection rounding to 0.9999999999999953.
TIE_AT_ONE = np.array([[0.4189976555240182, 1.0], [0.4070630150872051, 1.0], [0.2, 0.5]])


def test_a_tie_at_weight_one_is_not_a_crossover():
    result = one_way_sensitivity(TIE_AT_ONE, np.array([0.9, 0.1]), 1)
    assert result.crossovers == ()
    assert [(s.start, s.end, s.leader) for s in result.segments] == [(0.0, 1.0, 0)]
    assert result.leader_at(1.0) == 0


def test_the_crossover_table_lists_no_crossover_for_it():
    result = one_way_sensitivity(TIE_AT_ONE, np.array([0.9, 0.1]), 1)
    table = crossover_table([WeightSweep("troops", False, result, ("a", "b", "c"))])
    assert len(table) == 1 and np.isnan(table.at[0, "crossover"])
    assert table.at[0, "leader_before"] == "a" and table.at[0, "leader_after"] == ""


def test_a_crossover_just_inside_the_end_still_counts():
    # a = 0.5 + 0.5 t, b = 0.4 + (0.6 + 1e-6) t: b overtakes at t = 1 / (1 + 1e-5) and leads by
    # 1e-6 at t = 1, a change strictly inside the range.
    values = np.array([[0.5, 1.0], [0.4, 1.0 + 1e-6]])
    result = one_way_sensitivity(values, np.array([0.9, 0.1]), 1)
    (c,) = result.crossovers
    assert (c.option_before, c.option_after) == (0, 1)
    assert c.t == pytest.approx(1 / (1 + 1e-5), abs=1e-12)


def test_a_tie_at_weight_zero_is_not_a_crossover():
    # Equal at t = 0, the steeper one leads from the start: no crossover there either.
    values = np.array([[0.4, 0.2], [0.4, 0.9]])
    result = one_way_sensitivity(values, np.array([0.5, 0.5]), 1)
    assert result.crossovers == ()
    assert result.segments[0].leader == 1


@pytest.mark.parametrize("seed", range(10))
def test_lines_that_meet_exactly_at_one_never_cross(seed):
    # Random lines forced through one point at t = 1 below a steeper leader's end: the leader
    # at t = 0 keeps the lead wherever the rounding puts their intersection.
    rng = np.random.default_rng(seed)
    top = rng.uniform(0.5, 1.0)
    starts = np.sort(rng.uniform(0.0, 0.4, size=4))[::-1]
    values = np.column_stack([starts, np.full(4, top)])  # value = start + (top - start) t
    result = one_way_sensitivity(values, np.array([0.7, 0.3]), 1)
    assert result.crossovers == ()
    assert result.segments[-1].end == 1.0 and result.segments[0].leader == 0


def test_the_two_options_hand_solved_crossover_is_unchanged():
    result = one_way_sensitivity(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.7, 0.3]), 0)
    assert result.crossovers == (Crossover(0.5, 1, 0),)
