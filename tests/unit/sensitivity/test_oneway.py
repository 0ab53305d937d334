"""One-way weight sensitivity: hand-solved envelopes, a dense grid, ties and degenerate cases."""

from __future__ import annotations

import numpy as np
import pytest

from decide.errors import DecideError
from decide.sensitivity.oneway import Crossover, Segment, one_way_sensitivity


def test_two_options_hand_solved():
    # A = (1, 0), B = (0, 1), w0 = (0.7, 0.3), move leaf 0: w(t) = (t, 1 - t).
    # A = t, B = 1 - t: B leads on [0, 0.5), A on [0.5, 1]; t0 = 0.7, A leads now.
    result = one_way_sensitivity(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.7, 0.3]), 0)
    assert result.t0 == pytest.approx(0.7)
    np.testing.assert_allclose(result.intercepts, [0.0, 1.0])
    np.testing.assert_allclose(result.slopes, [1.0, -1.0])
    assert result.crossovers == (Crossover(0.5, 1, 0),)
    assert result.segments == (Segment(0.0, 0.5, 1), Segment(0.5, 1.0, 0))
    assert result.current_leader == 0
    assert result.leader_at(0.5) == 0 and result.leader_at(0.49) == 1


def test_group_of_leaves_hand_solved():
    # Three leaves, w0 = (0.2, 0.2, 0.6); move the group {0, 1}: inside = (0.5, 0.5, 0),
    # outside = (0, 0, 1), t0 = 0.4.
    # A = (1, 1, 0): value t.   B = (0, 0, 1): 1 - t.   C = (0.9, 0.1, 0.6): 0.6 - 0.1 t.
    # Upper envelope: C leads from t = 0? B (1.0) > C (0.6) at 0. B = C at 1 - t = 0.6 - 0.1 t,
    # t = 4/9; C = A at 0.6 - 0.1 t = t, t = 6/11. So B on [0, 4/9), C on [4/9, 6/11), A after.
    values = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.9, 0.1, 0.6]])
    result = one_way_sensitivity(values, np.array([0.2, 0.2, 0.6]), [1, 0])
    assert result.leaves == (0, 1)
    assert result.t0 == pytest.approx(0.4)
    np.testing.assert_allclose(result.inside, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(result.outside, [0.0, 0.0, 1.0])
    assert [c.t for c in result.crossovers] == pytest.approx([4 / 9, 6 / 11])
    assert [(c.option_before, c.option_after) for c in result.crossovers] == [(1, 2), (2, 0)]
    assert [s.leader for s in result.segments] == [1, 2, 0]
    assert result.current_leader == 1  # t0 = 0.4 < 4/9


def test_weights_and_values_along_the_path():
    rng = np.random.default_rng(3)
    values = rng.uniform(size=(5, 6))
    w0 = rng.dirichlet(np.ones(6))
    result = one_way_sensitivity(values, w0, [2, 4])
    np.testing.assert_allclose(result.weights_at(result.t0), w0, atol=1e-12)
    ts = np.linspace(0, 1, 11)
    weights = result.weights_at(ts)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    np.testing.assert_allclose(weights[:, [2, 4]].sum(axis=1), ts)
    np.testing.assert_allclose(result.values_at(ts), weights @ values.T, atol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_crossovers_agree_with_a_dense_grid(seed):
    rng = np.random.default_rng(seed)
    n_options, n_leaves = rng.integers(2, 9), rng.integers(2, 7)
    values = rng.uniform(size=(n_options, n_leaves))
    w0 = rng.dirichlet(np.ones(n_leaves))
    group = rng.choice(n_leaves, size=rng.integers(1, n_leaves), replace=False)
    result = one_way_sensitivity(values, w0, group)

    grid = np.linspace(0.0, 1.0, 100_001)
    spacing = grid[1] - grid[0]
    grid_leaders = np.argmax(result.values_at(grid), axis=1)  # argmax: lowest index on ties
    np.testing.assert_allclose(result.values_at(grid), result.weights_at(grid) @ values.T, atol=1e-12)

    # Off the crossovers, the grid's leader is the segment's leader.
    crossings = np.array([c.t for c in result.crossovers])
    near = np.zeros(grid.size, dtype=bool)
    for t in crossings:
        near |= np.abs(grid - t) <= spacing
    segment_leaders = np.array([result.leader_at(t) for t in grid[~near][::97]])
    np.testing.assert_array_equal(grid_leaders[~near][::97], segment_leaders)

    # Every change of leader on the grid lies within one spacing of a crossover, and back.
    changes = grid[1:][np.diff(grid_leaders) != 0]
    assert len(changes) == len(crossings)
    np.testing.assert_allclose(changes, crossings, atol=spacing)
    for crossover, segment, following in zip(result.crossovers, result.segments, result.segments[1:]):
        assert segment.end == following.start == crossover.t
        assert (segment.leader, following.leader) == (crossover.option_before, crossover.option_after)
    assert result.segments[0].start == 0.0 and result.segments[-1].end == 1.0


def test_option_that_never_leads_has_no_segment():
    # C is below A on every leaf, so below A for every t.
    values = np.array([[0.9, 0.8, 0.7], [0.1, 0.9, 0.5], [0.5, 0.4, 0.3]])
    result = one_way_sensitivity(values, np.full(3, 1 / 3), 1)
    assert 2 not in {s.leader for s in result.segments}


def test_identical_options_lowest_index_leads():
    # Options 0 and 2 are the same; 1 crosses them at t = 0.5 (A = t, B = 1 - t).
    values = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    result = one_way_sensitivity(values, np.array([0.5, 0.5]), 0)
    assert [s.leader for s in result.segments] == [1, 0]
    assert result.crossovers == (Crossover(0.5, 1, 0),)
    # At the crossover itself A and B tie; the leader after it is reported.
    assert result.current_leader == 0


def test_tie_at_zero_goes_to_the_option_rising_fastest():
    # Move leaf 0: option 0 = (0, 0.5) has value 0.5 - 0.5 t, option 1 = (0.5, 0.5) has 0.5.
    # Tied at t = 0, option 1 is above on all of (0, 1]: it leads the one segment, no crossover.
    values = np.array([[0.0, 0.5], [0.5, 0.5]])
    result = one_way_sensitivity(values, np.array([0.3, 0.7]), 0)
    assert result.crossovers == ()
    assert result.segments == (Segment(0.0, 1.0, 1),)


def test_three_lines_through_one_point():
    # Values at t: A = 1 - t, B = 0.5, C = t; all equal 0.5 at t = 0.5. A leads before, C after;
    # B only touches the envelope there, so it never leads a segment.
    values = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    result = one_way_sensitivity(values, np.array([0.4, 0.6]), 0)
    assert result.crossovers == (Crossover(0.5, 0, 2),)


def test_single_option():
    result = one_way_sensitivity(np.array([[0.2, 0.4]]), np.array([0.5, 0.5]), 0)
    assert result.crossovers == () and result.segments == (Segment(0.0, 1.0, 0),)


def test_zero_weight_group_is_spread_equally():
    # The group {0, 1} has no weight now (t0 = 0): inside is (0.5, 0.5, 0).
    values = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    result = one_way_sensitivity(values, np.array([0.0, 0.0, 1.0]), [0, 1])
    assert result.t0 == 0.0
    np.testing.assert_allclose(result.inside, [0.5, 0.5, 0.0])
    # A = 0.5 t, B = 1 - t: crossover at t = 2/3.
    assert result.crossovers[0].t == pytest.approx(2 / 3)


def test_no_weight_to_trade_against_is_a_decide_error():
    values = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.3]])
    with pytest.raises(DecideError, match="trade against"):
        one_way_sensitivity(values, np.array([0.5, 0.5, 0.0]), [0, 1])  # zero weight outside
    with pytest.raises(DecideError, match="trade against"):
        one_way_sensitivity(values, np.array([0.5, 0.3, 0.2]), [0, 1, 2])  # every leaf


@pytest.mark.parametrize("leaves", [[], [3], [0, 0], [-1], 1.5])
def test_bad_leaf_indices(leaves):
    with pytest.raises(ValueError, match="leaves"):
        one_way_sensitivity(np.eye(3), np.full(3, 1 / 3), leaves)


def test_bad_weights():
    with pytest.raises(ValueError, match="w0"):
        one_way_sensitivity(np.eye(3), np.array([0.5, 0.5, 0.5]), 0)
