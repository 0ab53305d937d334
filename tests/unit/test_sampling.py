"""Draws of :mod:`decide.montecarlo`: streams, special functions, inverse CDFs, weights, copula.

Inverse CDFs are checked pointwise against SciPy (they are deterministic functions of u), and
sampled weights against their known distributions, in multiples of the Monte Carlo error.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from decide.compile import compile_case
from decide.errors import DecideError
from decide.load import parse_case
from decide.montecarlo.beta import DENSE_EXACT, DENSE_INTERVALS, END_FIRST, BetaTables, dense_ppf, table_ppf
from decide.montecarlo.distributions import draw_scores
from decide.montecarlo.special import ndtri, norm_cdf, norm_cdf_table
from decide.montecarlo.streams import (FILL_ROWS, LANES, fill_lanes, fill_lanes_rows, fill_uniforms, resolve_seed,
                                       stream_states)
from decide.montecarlo.weight_sampling import hit_and_run, sample_weights, weight_sampler
from decide.montecarlo.world import copula_factor, draw_probabilities

U = np.concatenate([np.linspace(0, 1, 2001)[1:-1], np.geomspace(1e-12, 1e-3, 50), 1 - np.geomspace(1e-12, 1e-3, 50)])


def small_case(scores: dict, *, criteria: int = 1, **extra) -> dict:
    """A case with ``criteria`` linear 0-10 criteria and one option per entry of ``scores``."""
    crits = [{"id": f"c{i}", "name": f"c{i}", "direction": "max",
              "scale": {"low": 0, "high": 10, "low_means": "bad", "high_means": "good"}} for i in range(criteria)]
    options = [{"id": oid, "name": oid, "scores": {f"c{i}": s for i, s in enumerate(row)}}
               for oid, row in scores.items()]
    return {"id": "t", "title": "t", "criteria": {"id": "s", "name": "s", "criteria": crits},
            "options": options, **extra}


# --------------------------------------------------------------------------- streams and seeds


def test_sfc64_lanes_are_numpys_sfc64() -> None:
    """Lane 0 of the main stream is NumPy's SFC64 of the block's seed sequence (its top 52 bits);
    a single stream (``fill_uniforms``) gives NumPy's doubles exactly."""
    seq = np.random.SeedSequence(42, spawn_key=(3,))
    main, _ = stream_states(seq)
    rows = np.empty((1000, LANES))
    for k in range(1000):
        fill_lanes(main, rows[k])
    raw = np.random.SFC64(np.random.SeedSequence(42, spawn_key=(3,))).random_raw(1000)
    np.testing.assert_array_equal(rows[:, 0], (raw >> np.uint64(12)) * 2.0**-52)
    assert len(np.unique(rows[0])) == LANES  # lanes are distinct streams
    assert 0.0 <= rows.min() and rows.max() < 1.0
    single, _ = stream_states(np.random.SeedSequence(7))
    out = np.empty(1000)
    fill_uniforms(np.ascontiguousarray(single[:, 0]), out, 1000)
    np.testing.assert_array_equal(out, np.random.Generator(np.random.SFC64(np.random.SeedSequence(7))).random(1000))


def test_rows_drawn_together_are_the_rows_drawn_one_by_one() -> None:
    one, _ = stream_states(np.random.SeedSequence(5))
    together = one.copy()
    expected = np.empty((3 * FILL_ROWS, LANES))
    for k in range(3 * FILL_ROWS):
        fill_lanes(one, expected[k])
    got = np.empty((3, FILL_ROWS, LANES))
    for k in range(3):
        fill_lanes_rows(together, got[k])
    np.testing.assert_array_equal(got.reshape(-1, LANES), expected)
    np.testing.assert_array_equal(together, one)


def test_auxiliary_stream_differs_from_main() -> None:
    main, aux = stream_states(np.random.SeedSequence(1))
    a, b = np.empty(10), np.empty(10)
    fill_uniforms(np.ascontiguousarray(main[:, 0]), a, 10), fill_uniforms(aux, b, 10)
    assert not np.any(a == b)


@pytest.mark.parametrize("bad", [1.5, "7", True, [1, 2], -1, np.float64(3.0)])
def test_non_integer_seed_is_refused(bad) -> None:
    with pytest.raises(DecideError, match="non-negative integer"):
        resolve_seed(bad)


def test_seeds_are_recorded() -> None:
    root, seed = resolve_seed(np.int64(5))
    assert seed == 5 and root.entropy == 5
    root, seed = resolve_seed(None)
    assert isinstance(seed, int) and root.entropy == seed
    root, seed = resolve_seed(np.random.default_rng(3))
    assert isinstance(seed, int)


# --------------------------------------------------------------------------- special functions


def test_ndtri_matches_scipy() -> None:
    got = np.array([ndtri(u) for u in U])
    np.testing.assert_allclose(got, special.ndtri(U), rtol=1e-14, atol=1e-14)
    assert ndtri(0.0) == -np.inf and ndtri(1.0) == np.inf


def test_norm_cdf_matches_scipy() -> None:
    z = np.linspace(-30, 8, 1001)
    np.testing.assert_allclose([norm_cdf(x) for x in z], special.ndtr(z), rtol=1e-13, atol=0)


def test_tabulated_norm_cdf_is_within_1e10_of_scipy() -> None:
    z = np.concatenate([np.linspace(-9.0, 9.0, 400_001), [-40.0, -8.5, 8.5, 40.0]])
    got = np.array([norm_cdf_table(x) for x in z])
    assert np.abs(got - special.ndtr(z)).max() < 1e-10
    assert np.diff(got[:-4]).min() > -1e-15  # monotone up to rounding


# --------------------------------------------------------------------------- inverse CDFs


@pytest.mark.parametrize("alpha,beta", [(1.0, 5.0), (2.333, 3.667), (3.0, 3.0), (5.0, 1.0), (1.2, 1.2),
                                        (0.5, 0.7), (6.0, 4.0)])
def test_beta_table_close_to_scipy(alpha: float, beta: float) -> None:
    tables = BetaTables()
    row = tables.row(alpha, beta)
    stacked = tables.stack()
    got = np.array([table_ppf(stacked, row, u) for u in U])
    assert np.max(np.abs(got - special.betaincinv(alpha, beta, U))) < 2e-4


@pytest.mark.parametrize("shape", [1.0, 2.0, 4.0, 6.0, 8.0])
def test_dense_table_close_to_scipy(shape: float) -> None:
    """The engine's PERT inverse CDF (dense lerp, end intervals from the end tables) for PERT shapes
    ``alpha = 1 + shape m``, ``beta = 1 + shape (1 - m)`` (mode at fraction m of the range); in the
    end intervals, within 3e-5, down to the smallest uniforms and exactly 0 at u = 0."""
    edge = 2.0 ** -(END_FIRST + 1)
    ends_u = np.concatenate([np.geomspace(2.0**-53, edge, 4000, endpoint=False), [2.0**-52, 2.0**-30, 0.0]])
    ends_u = np.concatenate([ends_u, 1.0 - ends_u[ends_u > 2.0**-53], [1.0 - edge, np.nextafter(1.0, 0.0)]])
    u = np.concatenate([U, np.random.default_rng(1).random(20_000),
                        (np.arange(DENSE_INTERVALS) + 0.5) / DENSE_INTERVALS])
    tables = BetaTables()
    for m in (0.0, 0.1, 0.3, 0.5, 0.8, 1.0):
        alpha, beta = 1.0 + shape * m, 1.0 + shape * (1.0 - m)
        row = tables.row(alpha, beta)
        dense, ends = tables.dense().reshape(-1), tables.dense_ends().reshape(-1)
        got = np.array([dense_ppf(dense, ends, row, x) for x in u])
        assert np.max(np.abs(got - special.betaincinv(alpha, beta, u))) < 2e-4, (alpha, beta)
        got = np.array([dense_ppf(dense, ends, row, x) for x in ends_u])
        assert np.max(np.abs(got - special.betaincinv(alpha, beta, ends_u))) < 3e-5, (alpha, beta)
        assert dense_ppf(dense, ends, row, 0.0) == 0.0
        # Below 2**-53 (a finer QMC point): linear from 0 to the table's last point.
        tiny = np.array([dense_ppf(dense, ends, row, x) for x in (2.0**-60, 2.0**-54, 2.0**-53)])
        np.testing.assert_allclose(tiny[:2], tiny[2] * np.array([2.0**-7, 0.5]), rtol=1e-15)
        assert tiny[2] == pytest.approx(special.betaincinv(alpha, beta, 2.0**-53), rel=1e-12)
        high = np.array([dense_ppf(dense, ends, row, 1.0 - x) for x in (2.0**-53, 2.0**-54)])
        assert high[0] == pytest.approx(special.betaincinv(alpha, beta, 1.0 - 2.0**-53), abs=1e-15)
    assert 0 < DENSE_EXACT < DENSE_INTERVALS // 2


def test_beta_tables_shared_by_shape() -> None:
    tables = BetaTables()
    assert tables.row(2, 3) == tables.row(2.0, 3.0) == 0 and tables.row(3, 2) == 1


def _cells_case() -> dict:
    return small_case({
        "tri": [{"kind": "triangular", "low": 1, "mode": 2, "high": 6}],
        "pert": [{"kind": "pert", "low": 1, "mode": 2, "high": 6}],
        "uni": [{"kind": "uniform", "low": 2, "high": 5}],
        "tn": [{"kind": "truncnormal", "mean": 3, "sd": 2, "low": 2, "high": 9}],
        "tn_up": [{"kind": "truncnormal", "mean": 0, "sd": 1, "low": 5, "high": 6}],
        "disc": [{"kind": "discrete", "values": [1, 4, 7], "probabilities": [0.2, 0.5, 0.3]}],
        "point": [4],
    })


def test_score_inverse_cdfs_match_scipy() -> None:
    arrays = compile_case(parse_case(_cells_case()))
    u = np.tile(U[:, None, None], (1, arrays.n_options, 1))
    x = draw_scores(arrays.scores, u)[:, :, 0]
    expected = {
        "tri": stats.triang(c=0.2, loc=1, scale=5).ppf(U),
        "uni": stats.uniform(2, 3).ppf(U),
        "tn": stats.truncnorm(-0.5, 3.0, loc=3, scale=2).ppf(U),
        "tn_up": stats.truncnorm(5, 6).ppf(U),
        "disc": np.select([U < 0.2, U < 0.7], [1.0, 4.0], 7.0),
        "point": np.full_like(U, 4.0),
    }
    for i, oid in enumerate(arrays.option_ids):
        if oid == "pert":
            # Beta-PERT, shape 4: Beta(1 + 4 (2-1)/5, 1 + 4 (6-2)/5) on [1, 6] [Vose 2008].
            ref = 1 + 5 * special.betaincinv(1.8, 4.2, U)
            assert np.max(np.abs(x[:, i] - ref)) < 5 * 2e-4
        else:
            np.testing.assert_allclose(x[:, i], expected[oid], rtol=1e-9, atol=1e-9, err_msg=oid)


def test_sampled_scores_match_their_moments() -> None:
    arrays = compile_case(parse_case(_cells_case()))
    n = 200_000
    u = np.random.default_rng(5).random((n, arrays.n_options, 1))
    x = draw_scores(arrays.scores, u)[:, :, 0]
    dists = {"tri": stats.triang(c=0.2, loc=1, scale=5), "pert": stats.beta(1.8, 4.2, loc=1, scale=5),
             "uni": stats.uniform(2, 3), "tn": stats.truncnorm(-0.5, 3.0, loc=3, scale=2),
             "disc": stats.rv_discrete(values=([1, 4, 7], [0.2, 0.5, 0.3]))}
    for oid, dist in dists.items():
        col = x[:, arrays.option_ids.index(oid)]
        mean, var = dist.mean(), dist.var()
        assert abs(col.mean() - mean) < 4 * np.sqrt(var / n), oid
        var_se = np.sqrt((dist.moment(4) - 4 * mean * dist.moment(3) + 6 * mean**2 * dist.moment(2)
                          - 3 * mean**4 - var**2) / n)
        assert abs(col.var() - var) < 4 * var_se, oid


def test_probability_draws() -> None:
    data = small_case({"a": [1], "b": [2]}, preconditions=[
        {"id": "p", "question": "p?", "probability": 0.3},
        {"id": "i", "question": "i?", "probability": {"low": 0.2, "high": 0.6}},
        {"id": "b", "question": "b?", "probability": {"alpha": 2, "beta": 5}}])
    arrays = compile_case(parse_case(data))
    u = np.column_stack([U, U, U])
    p = draw_probabilities(arrays, u)
    np.testing.assert_allclose(p[:, 0], 0.3)
    np.testing.assert_allclose(p[:, 1], 0.2 + 0.4 * U, atol=1e-15)
    assert np.max(np.abs(p[:, 2] - special.betaincinv(2, 5, U))) < 2e-4


# --------------------------------------------------------------------------- copula


def test_copula_factor_semidefinite() -> None:
    r = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.5], [0.0, 0.0, 0.5, 1.0]])
    r = np.pad(r, [(0, 1), (0, 1)])
    r[4, 4] = 1.0  # an uncorrelated fifth precondition: left out of the factor
    index, factor = copula_factor(r)
    np.testing.assert_array_equal(index, [0, 1, 2, 3])
    np.testing.assert_allclose(factor @ factor.T, r[:4, :4], atol=1e-12)
    assert np.allclose(factor, np.tril(factor))


# --------------------------------------------------------------------------- weights


def _weights_case(imprecise: list | None = None) -> dict:
    data = small_case({"a": [1, 2, 3], "b": [3, 2, 1]}, criteria=3)
    data["weights"] = {"profiles": [{"id": "even", "name": "even", "weights": {"c0": 1, "c1": 1, "c2": 1}},
                                    {"id": "first", "name": "first", "weights": {"c0": 4, "c1": 1, "c2": 1}}]}
    if imprecise is not None:
        data["weights"]["imprecise"] = imprecise
    return data


def test_uniform_weights_are_uniform_on_the_simplex() -> None:
    arrays = compile_case(parse_case(_weights_case()))
    w = sample_weights(arrays, 20_000, weights="uniform", rng=1)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (w >= 0).all()
    # Marginals of the uniform distribution on the 2-simplex are Beta(1, 2).
    for c in range(3):
        assert stats.kstest(w[:, c], stats.beta(1, 2).cdf).pvalue > 1e-3


def test_profiles_mode_picks_profiles_uniformly() -> None:
    arrays = compile_case(parse_case(_weights_case()))
    w = sample_weights(arrays, 10_000, weights="profiles", rng=2)
    first = np.isclose(w[:, 0], arrays.profile_weights[1, 0])
    assert abs(first.mean() - 0.5) < 4 * np.sqrt(0.25 / 10_000)


def test_total_order_uses_sorted_simplex_draws() -> None:
    order = [{"greater": "c2", "lesser": "c0"}, {"greater": "c0", "lesser": "c1"}]
    arrays = compile_case(parse_case(_weights_case(order)))
    assert weight_sampler(arrays, "imprecise").code == 2
    w = sample_weights(arrays, 20_000, weights="imprecise", rng=3)
    assert (w[:, 2] >= w[:, 0]).all() and (w[:, 0] >= w[:, 1]).all()
    # Uniform on the ordered region: compare with rejection sampling from the simplex.
    ref = np.random.default_rng(4).dirichlet(np.ones(3), 200_000)
    ref = ref[(ref[:, 2] >= ref[:, 0]) & (ref[:, 0] >= ref[:, 1])]
    for c in range(3):
        assert stats.ks_2samp(w[:, c], ref[:, c]).pvalue > 1e-3


def test_hit_and_run_is_uniform_on_a_polytope() -> None:
    """Hit-and-run against rejection sampling on a 3-criterion polytope (a 2-D region)."""
    a = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [-1.0, 1.0, 0.0]])  # 0.2 <= w0 <= 0.7, w1 <= w0
    b = np.array([0.7, -0.2, 0.0])
    w = hit_and_run(a, b, 20_000, rng=5)
    assert (w >= -1e-12).all() and np.allclose(w.sum(axis=1), 1.0)
    assert (w @ a.T <= b + 1e-12).all()
    ref = np.random.default_rng(6).dirichlet(np.ones(3), 400_000)
    ref = ref[(ref @ a.T <= b).all(axis=1)]
    # Successive hit-and-run draws are weakly correlated: compare a thinned subsample.
    for c in range(3):
        assert stats.ks_2samp(w[::5, c], ref[:, c]).pvalue > 1e-3
    # Uniformity in the plane: cell frequencies of a 4 x 4 grid on (w0, w1).
    edges = [np.linspace(0.2, 0.7, 5), np.linspace(0, 0.7, 5)]
    got = np.histogram2d(w[:, 0], w[:, 1], bins=edges)[0] / len(w)
    exp = np.histogram2d(ref[:, 0], ref[:, 1], bins=edges)[0] / len(ref)
    assert np.abs(got - exp).max() < 0.015


def test_imprecise_weights_respect_the_case_statements() -> None:
    stmts = [{"node": "c0", "low": 0.2, "high": 0.5}, {"greater": "c1", "lesser": "c2"}]
    arrays = compile_case(parse_case(_weights_case(stmts)))
    sampler = weight_sampler(arrays, "imprecise")
    assert sampler.code == 4
    w = sample_weights(arrays, 5_000, weights="imprecise", rng=7)
    assert (w[:, 0] >= 0.2 - 1e-12).all() and (w[:, 0] <= 0.5 + 1e-12).all() and (w[:, 1] >= w[:, 2] - 1e-12).all()


def test_weight_modes_refuse_bad_requests() -> None:
    arrays = compile_case(parse_case(_weights_case()))
    with pytest.raises(DecideError, match="unknown weights 'nope'"):
        weight_sampler(arrays, "nope")
    no_profiles = compile_case(parse_case(small_case({"a": [1], "b": [2]})))
    with pytest.raises(DecideError, match="no weight profiles|has none"):
        weight_sampler(no_profiles, "profiles")
    flat = compile_case(parse_case(_weights_case([{"node": "c0", "low": 0.3, "high": 0.3}])))
    with pytest.raises(DecideError, match="pin some weights"):
        weight_sampler(flat, "imprecise")
