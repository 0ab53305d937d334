"""Invariants of the Monte Carlo engine: chunking and threads change nothing, relabelling options
permutes the results, rank acceptabilities are doubly stochastic, dominated options never win."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decide.load import load_case, parse_case
from decide.montecarlo import simulate

MINIMAL = load_case("tests/data/minimal_case.yaml")
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_identical(a, b) -> None:
    for key in a.estimates:
        np.testing.assert_array_equal(a.estimates[key], b.estimates[key], err_msg=key)
        np.testing.assert_array_equal(a.standard_errors[key], b.standard_errors[key], err_msg=key)


@SETTINGS
@given(n=st.integers(1, 40_000), chunk=st.integers(1, 20_000), workers=st.integers(1, 3),
       weights=st.sampled_from([None, "uniform", "imprecise", "profiles"]), seed=st.integers(0, 2**32))
def test_chunk_size_and_workers_change_nothing(n, chunk, workers, weights, seed) -> None:
    reference = simulate(MINIMAL, n, rng=seed, weights=weights)
    other = simulate(MINIMAL, n, rng=seed, weights=weights, chunk_size=chunk, workers=workers)
    assert_identical(reference, other)


@SETTINGS
@given(n=st.integers(32, 5_000), chunk=st.integers(1, 3_000), seed=st.integers(0, 2**32))
def test_qmc_chunking_changes_nothing(n, chunk, seed) -> None:
    assert_identical(simulate(MINIMAL, n, rng=seed, method="qmc"),
                     simulate(MINIMAL, n, rng=seed, method="qmc", chunk_size=chunk, workers=2))


def _random_case(rng: np.random.Generator, n_options: int) -> dict:
    crits = [{"id": f"c{i}", "name": f"c{i}", "direction": "max" if i % 2 else "min",
              "scale": {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}} for i in range(3)]
    pres = [{"id": f"q{i}", "question": "?", "probability": {"low": 0.2, "high": 0.8}} for i in range(2)]
    options = []
    for o in range(n_options):
        lo = rng.uniform(0, 5, 3).round(1)
        scores = {f"c{i}": {"kind": "triangular", "low": float(lo[i]), "mode": float(lo[i] + 1),
                            "high": float(lo[i] + 3)} for i in range(3)}
        opt = {"id": f"o{o}", "name": f"o{o}", "scores": scores}
        if o % 2:
            opt["requires"] = [f"q{o % 2}"]
            opt["failure"] = {f"c{i}": round(float(rng.uniform(0, 10)), 1) for i in range(3)}
        options.append(opt)
    return {"id": "r", "title": "r", "criteria": {"id": "s", "name": "s", "criteria": crits}, "options": options,
            "preconditions": pres, "correlations": [{"between": ["q0", "q1"], "rho": 0.5}],
            "enablers": [{"option": "o0", "precondition": "q1", "add": 0.1}]}


@SETTINGS
@given(seed=st.integers(0, 2**32), n_options=st.integers(2, 5), data=st.data())
def test_relabelling_options_permutes_results(seed, n_options, data) -> None:
    base = _random_case(np.random.default_rng(seed), n_options)
    perm = data.draw(st.permutations(range(n_options)))
    shuffled = dict(base, options=[base["options"][i] for i in perm])
    a = simulate(parse_case(base), 3_000, rng=seed % 1000, weights="uniform")
    b = simulate(parse_case(shuffled), 3_000, rng=seed % 1000, weights="uniform")
    order = [b.option_ids.index(oid) for oid in a.option_ids]
    for key in ("mean", "sd", "p05", "p95", "p_best", "expected_regret", "p_blocked", "confidence_factor"):
        np.testing.assert_array_equal(a.estimates[key], b.estimates[key][order], err_msg=key)
    np.testing.assert_array_equal(a.estimates["pairwise"], b.estimates["pairwise"][np.ix_(order, order)])
    np.testing.assert_array_equal(a.estimates["rank_acceptability"], b.estimates["rank_acceptability"][order])
    np.testing.assert_array_equal(a.estimates["p_no"], b.estimates["p_no"][order])
    np.testing.assert_allclose(a.estimates["evppi"], b.estimates["evppi"], rtol=0, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**32), n_options=st.integers(2, 5))
def test_rank_acceptabilities_are_doubly_stochastic(seed, n_options) -> None:
    r = simulate(parse_case(_random_case(np.random.default_rng(seed), n_options)), 2_000, rng=seed,
                 weights="uniform")
    ra = r.estimates["rank_acceptability"]
    np.testing.assert_allclose(ra.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(ra.sum(axis=1), 1.0, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**32), n_options=st.integers(2, 4))
def test_dominated_option_never_wins(seed, n_options) -> None:
    data = _random_case(np.random.default_rng(seed), n_options)
    worst = {"c0": 10, "c1": 0, "c2": 10}  # c0, c2 lower is better, c1 higher: worst possible everywhere
    data["options"].append({"id": "dominated", "name": "d", "scores": worst})
    r = simulate(parse_case(data), 2_000, rng=seed, weights="uniform")
    assert r.p_best["dominated"] == 0.0
