"""The report's portfolio standing reuses the strategies search's evaluation of every strategy:
the same numbers as evaluating them again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from decide.analysis.portfolio import portfolio_standing
from decide.compile import compile_case
from decide.load import load_case
from decide.optimise.strategy import optimise_strategies

FIRST_EDITION = Path(__file__).resolve().parents[1] / "data" / "mali-2012-first-edition.yaml"


def test_standing_from_the_searchs_evaluation_equals_a_fresh_one():
    arrays = compile_case(load_case(FIRST_EDITION))
    best = optimise_strategies(arrays, n_scenarios=200, rng=4, out_of_sample=500, stability=0)
    assert best.evaluated is not None and best.evaluated[1].shape == (best.n_feasible, arrays.n_criteria)
    common = dict(weights=None, rng=4, n_scenarios=best.n_scenarios, smaa_n=200)
    fresh = portfolio_standing(arrays, best.best, **common)
    reused = portfolio_standing(arrays, best.best, evaluated=best.evaluated, **common)
    for f in dataclasses.fields(fresh):
        a, b = getattr(fresh, f.name), getattr(reused, f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a == b or (a != a and b != b), f.name
