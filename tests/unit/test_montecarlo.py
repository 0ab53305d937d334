"""The Monte Carlo engine against closed forms, in multiples of its own MCSE."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from decide.compile import compile_case
from decide.errors import DecideError
from decide.load import load_case, parse_case
from decide.montecarlo import simulate

N = 40_000
Z = 4.0  # tolerance in MCSEs


def case(options: dict, *, criteria: int = 1, preconditions: list | None = None, **extra) -> dict:
    """A case: ``criteria`` linear 0-10 criteria (higher is better), options ``{id: {scores, ...}}``."""
    crits = [{"id": f"c{i}", "name": f"c{i}", "direction": "max",
              "scale": {"low": 0, "high": 10, "low_means": "bad", "high_means": "good"}} for i in range(criteria)]
    opts = []
    for oid, spec in options.items():
        spec = dict(spec)
        scores = spec.pop("scores")
        failure = spec.pop("failure", None)
        opts.append({"id": oid, "name": oid, "scores": {f"c{i}": s for i, s in enumerate(scores)},
                     **({"failure": {f"c{i}": s for i, s in enumerate(failure)}} if failure else {}), **spec})
    return {"id": "t", "title": "t", "criteria": {"id": "s", "name": "s", "criteria": crits}, "options": opts,
            "preconditions": preconditions or [], **extra}


def pre(pid: str, probability) -> dict:
    return {"id": pid, "question": f"{pid}?", "probability": probability}


def close(est, se, exact, z: float = Z, slack: float = 0.0) -> None:
    est, se, exact = map(np.asarray, (est, se, exact))
    assert np.all(np.abs(est - exact) <= z * se + slack + 1e-12), (est, se, exact)


def test_blocking_of_independent_preconditions() -> None:
    p = [0.9, 0.7, 0.6]
    data = case({"go": {"scores": [8], "failure": [1], "requires": ["a", "b", "c"]}, "wait": {"scores": [5]}},
                preconditions=[pre(q, v) for q, v in zip("abc", p)])
    r = simulate(parse_case(data), N, rng=1)
    est, se = r.estimates, r.standard_errors
    go = r.option_ids.index("go")
    close(est["p_blocked"][go], se["p_blocked"][go], 1 - np.prod(p))
    blocked = 1 - np.prod(p)
    share = [(1 - pi) / blocked for pi in p]
    sole = [(1 - p[i]) * np.prod([p[j] for j in range(3) if j != i]) / blocked for i in range(3)]
    close(est["block_share"][go], se["block_share"][go], share)
    close(est["sole_blocker_share"][go], se["sole_blocker_share"][go], sole)
    # Value at stake: planned 0.8 if viable, failure 0.1 if not; E[v | a yes] - E[v | a no].
    p_others = p[1] * p[2]
    close(est["value_at_stake"][go, 0], se["value_at_stake"][go, 0], (0.8 * p_others + 0.1 * (1 - p_others)) - 0.1)
    close(est["mean"][go], se["mean"][go], 0.8 * (1 - blocked) + 0.1 * blocked)
    assert np.isnan(est["block_share"][r.option_ids.index("wait")]).all()
    assert r.blockers.loc[("go", "a"), "requirement"] == "hard"


def test_interval_and_beta_probabilities_block_at_their_mean() -> None:
    data = case({"go": {"scores": [8], "failure": [1], "requires": ["i", "b"]}, "wait": {"scores": [5]}},
                preconditions=[pre("i", {"low": 0.2, "high": 0.6}), pre("b", {"alpha": 3, "beta": 1})])
    r = simulate(parse_case(data), N, rng=2)
    close(r.estimates["p_yes"], r.standard_errors["p_yes"], [0.4, 0.75])
    go = r.option_ids.index("go")
    close(r.estimates["p_blocked"][go], r.standard_errors["p_blocked"][go], 1 - 0.4 * 0.75)


@pytest.mark.parametrize("rho", [0.6, -0.4, 1.0])
def test_correlated_preconditions_follow_the_gaussian_copula(rho: float) -> None:
    pa, pb = 0.7, 0.55
    data = case({"go": {"scores": [8], "failure": [1], "requires": ["a", "b"]}, "wait": {"scores": [5]}},
                preconditions=[pre("a", pa), pre("b", pb)], correlations=[{"between": ["a", "b"], "rho": rho}])
    r = simulate(parse_case(data), N, rng=3)
    za, zb = stats.norm.ppf([pa, pb])
    both = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([za, zb]) if rho < 1 else min(pa, pb)
    go = r.option_ids.index("go")
    close(r.estimates["p_blocked"][go], r.standard_errors["p_blocked"][go], 1 - both, slack=1e-6)
    close(r.estimates["p_yes"], r.standard_errors["p_yes"], [pa, pb])


def test_enablers_and_soft_penalties() -> None:
    data = case({"go": {"scores": [8], "failure": [8], "requires": ["a", {"precondition": "b", "soft": True,
                                                                           "penalty": 0.2}]},
                 "help": {"scores": [5], "failure": [5], "requires": ["a"]}, "wait": {"scores": [5]}},
                preconditions=[pre("a", 0.5), pre("b", 0.5)],
                enablers=[{"option": "help", "precondition": "a", "add": 0.3},
                          {"option": "go", "precondition": "b", "odds_ratio": 3.0}])
    r = simulate(parse_case(data), N, rng=4)
    est, se = r.estimates, r.standard_errors
    ids = r.option_ids
    close(est["p_no"][ids.index("help"), 0], se["p_no"][ids.index("help"), 0], 0.2)
    close(est["p_no"][ids.index("go"), 0], se["p_no"][ids.index("go"), 0], 0.5)
    close(est["p_no"][ids.index("go"), 1], se["p_no"][ids.index("go"), 1], 0.25)  # odds 1 -> 3
    # go: 0.8 whether or not a holds (its failure profile equals its plan), less 0.2 when b says no
    # and go goes ahead (a says yes): a soft "no" does not cost a failed option anything more.
    close(est["mean"][ids.index("go")], se["mean"][ids.index("go")], 0.8 - 0.2 * 0.25 * 0.5)
    assert r.p_yes_by_option.loc["a", "help"] == pytest.approx(1 - est["p_no"][ids.index("help"), 0])


def test_p_best_of_two_normal_options() -> None:
    """Values (x - 0)/10 of truncated normals cut at 8 sd: P(A > B) = Phi((mA - mB) / sqrt(sA^2 + sB^2))."""
    tn = lambda m, s: {"kind": "truncnormal", "mean": m, "sd": s, "low": m - 8 * s, "high": m + 8 * s}  # noqa: E731
    data = case({"A": {"scores": [tn(5.2, 0.4)]}, "B": {"scores": [tn(5.0, 0.3)]}})
    r = simulate(parse_case(data), N, rng=5)
    exact = stats.norm.cdf(0.2 / np.hypot(0.4, 0.3))
    a = r.option_ids.index("A")
    close(r.estimates["p_best"][a], r.standard_errors["p_best"][a], exact)
    close(r.estimates["pairwise"][a, 1 - a], r.standard_errors["pairwise"][a, 1 - a], exact)
    close(r.estimates["mean"][a], r.standard_errors["mean"][a], 0.52)
    close(r.estimates["sd"][a], r.standard_errors["sd"][a], 0.04)
    # Percentiles of a normal value, within MCSE plus the histogram's resolution.
    for key, q in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
        close(r.estimates[key][a], r.standard_errors[key][a], 0.52 + 0.04 * stats.norm.ppf(q), slack=1 / 4096)


def test_discrete_outcomes_in_the_kernel() -> None:
    """A discrete planned outcome (dense, every draw) and a discrete failure profile (gathered,
    the draws where the option fails): P(best) and means against their closed forms."""
    disc = lambda v, p: {"kind": "discrete", "values": v, "probabilities": p}  # noqa: E731
    data = case({"A": {"scores": [disc([2, 5, 9], [0.2, 0.5, 0.3])]},
                 "B": {"scores": [5]},
                 "C": {"scores": [disc([1, 8], [0.6, 0.4])], "failure": [disc([0, 3, 6, 10], [0.1, 0.2, 0.3, 0.4])],
                       "requires": ["a"]}},
                preconditions=[pre("a", 0.55)])
    r = simulate(parse_case(data), N, rng=12)
    est, se, ids = r.estimates, r.standard_errors, r.option_ids
    a, b, c = (ids.index(k) for k in "ABC")
    close(est["pairwise"][a, b], se["pairwise"][a, b], 0.3 + 0.5 / 2)  # A draws 9; a tie at 5 counts half
    close(est["mean"][a], se["mean"][a], 0.56)
    close(est["mean"][c], se["mean"][c], 0.55 * 0.38 + 0.45 * 0.64)
    # C and A never tie; C's outcome under each answer against A's three values.
    close(est["pairwise"][c, a], se["pairwise"][c, a],
          0.55 * 0.4 * 0.7 + 0.45 * (0.4 + 0.3 * 0.7 + 0.2 * 0.2))


def test_ranks_split_ties_in_equal_fractions() -> None:
    data = case({"x": {"scores": [5]}, "y": {"scores": [5]}, "z": {"scores": [2]}})
    r = simulate(parse_case(data), 1000, rng=6)
    ra = r.rank_acceptability
    np.testing.assert_allclose(ra.loc["x"], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(ra.loc["z"], [0.0, 0.0, 1.0])
    assert r.pairwise.loc["x", "y"] == 0.5 and r.pairwise.loc["x", "z"] == 1.0
    np.testing.assert_allclose(r.estimates["expected_regret"], [0.0, 0.0, 0.3])
    assert "equal fractions" in ra.attrs["note"]


def test_rank_acceptabilities_sum_to_one() -> None:
    r = simulate(load_case("tests/data/minimal_case.yaml"), 20_000, rng=7, weights="uniform")
    ra = r.estimates["rank_acceptability"]
    np.testing.assert_allclose(ra.sum(axis=0), 1.0)
    np.testing.assert_allclose(ra.sum(axis=1), 1.0)
    pw = r.estimates["pairwise"]
    np.testing.assert_allclose(pw + pw.T, 1.0 + np.diag(np.full(len(pw), np.nan)))


def test_value_of_information_closed_form() -> None:
    """Safe option 0.5; risky 1.0 if q (p = 0.6) else 0. EVPI = EVPPI(q) = 0.6 + 0.4 * 0.5 - 0.6 = 0.2."""
    data = case({"safe": {"scores": [5]}, "risky": {"scores": [10], "failure": [0], "requires": ["q"]}},
                preconditions=[pre("q", 0.6), pre("other", 0.5)])
    r = simulate(parse_case(data), 60_000, rng=8)
    close(r.evpi, r.evpi_se, 0.2)
    close(r.estimates["evppi"][0], r.standard_errors["evppi"][0], 0.2)
    assert r.estimates["evppi"][1] < 4 * r.standard_errors["evppi"][1] + 0.005
    assert r.value_of_information.index[0] == "(everything)"


def test_confidence_factor_equals_p_best_with_fixed_weights() -> None:
    """Fixed weights: every central weight is the fixed vector, so the confidence factor is p_best,
    taken from every draw (more than CONFIDENCE_DRAWS here), with p_best's MCSE."""
    r = simulate(load_case("tests/data/minimal_case.yaml"), 40_000, rng=9)
    best = r.estimates["p_best"] > 0
    np.testing.assert_array_equal(r.estimates["confidence_factor"][best], r.estimates["p_best"][best])
    np.testing.assert_allclose(r.standard_errors["confidence_factor"][best], r.standard_errors["p_best"][best])
    assert r.confidence_draws == 40_000
    assert np.isnan(r.estimates["confidence_factor"][~best]).all()
    np.testing.assert_allclose(r.central_weights.dropna().to_numpy(), np.tile(compile_case(
        load_case("tests/data/minimal_case.yaml")).weights, (best.sum(), 1)))


def test_dominated_option_is_never_best() -> None:
    tri = lambda lo, hi: {"kind": "triangular", "low": lo, "mode": (lo + hi) / 2, "high": hi}  # noqa: E731
    data = case({"good": {"scores": [tri(5, 8), tri(5, 8)]}, "bad": {"scores": [tri(1, 4.9), tri(1, 4.9)]},
                 "other": {"scores": [tri(0, 10), tri(0, 10)]}}, criteria=2)
    r = simulate(parse_case(data), 20_000, rng=10, weights="uniform")
    assert r.p_best["bad"] == 0.0 and r.pairwise.loc["bad", "good"] == 0.0


def test_results_are_reproducible_and_seeded() -> None:
    c = load_case("tests/data/minimal_case.yaml")
    a, b = simulate(c, 5_000, rng=11), simulate(c, 5_000, rng=11)
    for k in a.estimates:
        np.testing.assert_array_equal(a.estimates[k], b.estimates[k])
    assert not np.array_equal(simulate(c, 5_000, rng=12).estimates["mean"], a.estimates["mean"])
    fresh = simulate(c, 5_000, rng=None)
    again = simulate(c, 5_000, rng=fresh.seed)
    np.testing.assert_array_equal(fresh.estimates["mean"], again.estimates["mean"])
    seq = np.random.SeedSequence(11)
    np.testing.assert_array_equal(simulate(c, 5_000, rng=seq).estimates["mean"], a.estimates["mean"])


@pytest.mark.parametrize("bad", [1.5, "1", True])
def test_bad_seed_is_a_decide_error(bad) -> None:
    with pytest.raises(DecideError, match="seed"):
        simulate(load_case("tests/data/minimal_case.yaml"), 100, rng=bad)


@pytest.mark.parametrize("kwargs,match", [({"n_draws": 0}, "n_draws"), ({"n_draws": 10.5}, "n_draws"),
                                          ({"method": "lhs"}, "method"), ({"weights": "nobody"}, "unknown weights"),
                                          ({"chunk_size": 0}, "chunk_size"), ({"workers": 0}, "workers")])
def test_bad_arguments_are_decide_errors(kwargs, match) -> None:
    args = {"n_draws": 100} | kwargs
    with pytest.raises(DecideError, match=match):
        simulate(load_case("tests/data/minimal_case.yaml"), **args)


def test_result_frames_and_json() -> None:
    c = load_case("tests/data/minimal_case.yaml")
    seen: list[int] = []
    r = simulate(c, 40_000, rng=13, weights="imprecise", chunk_size=5_000, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 40_000
    assert list(r.summary.index) == ["wait", "intervene", "mediate"]
    assert {"mean", "mean_se", "p_best", "p_best_se", "confidence_factor_se", "regret_p95"} <= set(r.summary)
    assert r.blockers.shape == (6, 9) and list(r.blockers.index.names) == ["option", "precondition"]
    assert list(r.preconditions.columns) == ["p_yes", "p_yes_se", "evppi", "evppi_se", "evppi_answer",
                                             "evppi_unmediated", "evppi_unmediated_se"]
    assert r.central_weights.shape == (3, 3) and r.rank_acceptability.shape == (3, 3)
    text = json.dumps(r.to_dict())
    back = json.loads(text)
    assert back["metadata"]["seed"] == 13 and back["metadata"]["weights"]["mode"] == "imprecise"
    assert back["metadata"]["version"] and back["metadata"]["n_draws"] == 40_000
    with pytest.raises(Exception):
        r.estimates["mean"][0] = 1.0  # read-only


def test_qmc_agrees_with_mc_and_reports_replicate_errors() -> None:
    c = load_case("tests/data/minimal_case.yaml")
    mc = simulate(c, 64_000, rng=14, weights="uniform")
    qmc = simulate(c, 64_000, rng=14, weights="uniform", method="qmc")
    assert qmc.replicates == 16 and qmc.method == "qmc"
    diff = np.abs(mc.estimates["p_best"] - qmc.estimates["p_best"])
    assert np.all(diff <= 4 * np.hypot(mc.standard_errors["p_best"], qmc.standard_errors["p_best"]) + 1e-9)
    assert np.all(qmc.standard_errors["p_best"][qmc.estimates["p_best"] > 0] > 0)
    a = simulate(c, 20_000, rng=15, method="qmc", chunk_size=999, workers=1)
    b = simulate(c, 20_000, rng=15, method="qmc", workers=2)
    for k in a.estimates:
        np.testing.assert_array_equal(a.estimates[k], b.estimates[k])


def test_case_arrays_are_accepted() -> None:
    c = load_case("tests/data/minimal_case.yaml")
    a = simulate(c, 3_000, rng=16)
    b = simulate(compile_case(c), 3_000, rng=16)
    np.testing.assert_array_equal(a.estimates["mean"], b.estimates["mean"])


def test_copula_normals_are_ndtri_bit_for_bit() -> None:
    """The kernel takes the inverse normal in passes (central, listed tails, far tails): each
    latent uniform's normal must be exactly ``ndtri`` of it, in every branch and at 0 and 1; and
    the normal CDF of the correlated normals exactly ``norm_cdf_table``."""
    from decide.montecarlo.model import build_model
    from decide.montecarlo.special import ndtri, norm_cdf_table
    from decide.montecarlo.stages import _world
    from decide.montecarlo.state import SUB_BLOCK, new_scratch
    from decide.montecarlo.weight_sampling import weight_sampler

    arrays = compile_case(load_case("mali-2012"))
    m = build_model(arrays, weight_sampler(arrays, None))
    t = new_scratch(m)
    assert len(m.corr_index) > 1  # the case has correlated preconditions: the test checks something
    special = [0.0, 1e-300, 1e-20, 1e-11, 1.3e-11, 1.4e-11, 1e-10, 0.0749, 0.075, 0.0751, 0.5, 0.925,
               0.9250001, 1 - 1e-10, 1 - 1e-11, 1 - 1e-16, 1.0]
    u = np.random.default_rng(11).random((len(m.corr_index), SUB_BLOCK))
    u[:, : len(special)] = special
    for j, q in enumerate(m.corr_index):
        t.u[m.lat_slot + q] = u[j]
    _world(m, t.u, SUB_BLOCK, t.world)
    expected = np.array([[ndtri(min(max(x, 1e-300), 1.0 - 1e-16)) for x in row] for row in u])
    assert np.array_equal(t.world.normals, expected)
    # The latent uniforms: norm_cdf_table of each component of L z, summed in the kernel's order.
    for j, q in enumerate(m.corr_index):
        z = np.zeros(SUB_BLOCK)
        for i in range(j + 1 if m.corr_lower else len(m.corr_index)):
            z = z + m.corr_factor[j, i] * expected[i]
        assert np.array_equal(t.world.lat[q], [norm_cdf_table(v) for v in z])


def test_a_sub_block_reads_exactly_its_slots_of_the_stream() -> None:
    """The head and the outcome cells (drawn a few rows ahead) take exactly ``n_slots`` steps of each
    lane per sub-block, the cells' rows in slot order: the stream ends where stepping it row by
    row ends, and a cell scored alone sees the row of its slot."""
    from decide.montecarlo.beta import dense_ppf
    from decide.montecarlo.distributions import PERT
    from decide.montecarlo.model import build_model
    from decide.montecarlo.outcomes import _outcomes
    from decide.montecarlo.stages import _answers, _start_values, _uniforms, _world
    from decide.montecarlo.state import SUB_BLOCK, new_scratch
    from decide.montecarlo.streams import block_seed_sequence, fill_lanes, resolve_seed, stream_states
    from decide.montecarlo.weight_sampling import weight_sampler

    # The first Mali edition: no common_mode, so every cell reads its own slot's row.
    arrays = compile_case(load_case("tests/data/mali-2012-first-edition.yaml"))
    m = build_model(arrays, weight_sampler(arrays, None))
    assert m.n_slots - m.n_head > 8  # the cells take several rounds of rows drawn ahead
    state, _ = stream_states(block_seed_sequence(resolve_seed(3)[0], 0))
    stepped = state.copy()
    rows = np.empty((m.n_slots, SUB_BLOCK))
    for k in range(m.n_slots):
        fill_lanes(stepped, rows[k])
    t = new_scratch(m)
    nb_ = SUB_BLOCK
    _uniforms(state, t.u, m.n_head)
    np.testing.assert_array_equal(t.u[:m.n_head], rows[:m.n_head])
    _world(m, t.u, nb_, t.world)
    _answers(m, nb_, t.world, t.answers)
    _start_values(m, nb_, t.weights, t.answers, t.scored)
    _outcomes(m, False, t.u, 0, state, nb_, True, t.weights, t.answers, t.strategy, t.cells, t.scored)
    np.testing.assert_array_equal(state, stepped)
    # Every PERT cell of an option that cannot fail scores its planned outcome on its slot's row:
    # its criterion value is the value function at low + width F^-1(u).
    checked = 0
    for a in range(m.n_opt):
        for c in range(m.vf_x.shape[0]):
            if m.alt_can_fail[a] or m.cell_kind[0, a, c] != PERT:
                continue
            par = m.cell_par[0, a, c]
            x = par[0] + par[1] * np.array([dense_ppf(m.dense, m.dense_ends, int(par[2]), u)
                                            for u in rows[m.cell_slot[a, c]]])
            v = np.interp(x, m.vf_x[c, :m.vf_n[c]], m.vf_v[c, :m.vf_n[c]])
            np.testing.assert_allclose(t.scored.vcell[a, c], v, rtol=0, atol=1e-12)
            checked += 1
    assert checked > 30


def test_kernel_caches_are_stamped_with_all_the_kernels_sources() -> None:
    """A compiled stage embeds the stages it calls, which live in other files (``run_chunk`` in
    stages.py calls ``_outcomes`` in outcomes.py): numba's per-file stamp would reuse a cached
    ``run_chunk`` with an outcome stage edited since. Every cached function of the package is
    stamped with all of the kernel's sources instead."""
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    import decide.montecarlo as package
    from decide.montecarlo import caching

    checked = 0
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"decide.montecarlo.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, CPUDispatcher) and obj.__module__ == module.__name__:
                locator = obj._cache._impl.locator  # every kernel function is cached (NullCache has no _impl)
                assert isinstance(locator, caching._KernelStamp), obj
                assert locator.get_source_stamp() == caching.sources_stamp()
                checked += 1
    assert checked > 40
