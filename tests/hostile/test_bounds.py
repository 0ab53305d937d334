"""Counts the user chooses (draws, scenarios) never grow memory until the machine gives out."""

import resource
import time
from pathlib import Path

import numpy as np
import pytest

from decide import memory
from decide.errors import DecideError
from decide.load import load_case
from decide.montecarlo import MAX_DRAWS, simulate
from decide.montecarlo.driver import _tasks
from decide.optimise.strategy import optimise_strategies

CASE = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"


def test_draws_beyond_exact_counting_are_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(DecideError, match=r"n_draws must be at most 9\.01e\+15 \(given 1\.00e\+23\)"):
        simulate(load_case(CASE), n_draws=10**23, rng=1)
    assert time.perf_counter() - start < 5


def test_the_blocks_of_a_run_are_made_as_they_are_run():
    """A list of every block of 2**53 draws would need 50 TB; the plan is lazy."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    blocks = _tasks(MAX_DRAWS, 1)
    first = next(blocks)
    assert (first.block, first.start) == (0, 0) and next(blocks).block == 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB


def test_one_draw_has_no_standard_errors():
    result = simulate(load_case(CASE), n_draws=1, rng=1)
    assert result.summary["mean"].notna().all()
    assert result.summary["mean_se"].isna().all() and result.summary["p_best_se"].isna().all()


def test_scenarios_that_cannot_fit_are_refused_with_the_estimate():
    with pytest.raises(DecideError, match=r"10,000,000,000 scenarios would need about [\d.]+ GiB of memory "
                                          r"\(an estimate\).*use fewer scenarios \(-S\), at most about"):
        optimise_strategies(load_case(CASE), n_scenarios=10**10, rng=1)


def test_the_estimate_scales_with_what_is_available(monkeypatch):
    case = load_case(CASE)
    monkeypatch.setattr(memory, "available_bytes", lambda: 700 * 2**20)
    with pytest.raises(DecideError, match="0.7 GiB is available"):
        optimise_strategies(case, n_scenarios=200_000, rng=1)
    monkeypatch.setattr(memory, "available_bytes", lambda: 64 * 2**30)
    assert len(optimise_strategies(case, n_scenarios=200, rng=1).to_frame()) >= 1


def test_core_index_scenarios_that_cannot_fit_are_refused():
    from decide.optimise.core_index import core_index

    with pytest.raises(DecideError, match=r"scenarios would need about [\d.]+ GiB"):
        core_index(load_case(CASE), n_scenarios=10**11, rng=1)


@pytest.mark.parametrize("call", [
    lambda: __import__("decide.optimise.compare", fromlist=["x"]).compare_strategies(None, []),
    lambda: __import__("decide.optimise.compare", fromlist=["x"]).compare_strategies("mali-2012", []),
    lambda: __import__("decide.optimise.weight_lp", fromlist=["x"]).dominance("x"),
    lambda: __import__("decide.report.write", fromlist=["x"]).build_report(CASE, None),
])
def test_wrong_types_left_over_name_the_argument(call):
    with pytest.raises(TypeError, match=r"^(arrays|values|out_dir) must be"):
        call()


def test_a_sobol_design_that_cannot_fit_is_refused():
    from decide.sensitivity.sobol import sobol_indices

    with pytest.raises(DecideError, match=r"Sobol' design with base size 1,000,000,000,000 would need"):
        sobol_indices(load_case(CASE), n=10**12, rng=1)
