"""The lognormal outcome kind (JSMAA's LogNormalMeasurement, truncated to the criterion's scale).

Adding it touched the schema (decide/spec.py: its fields, summary and description) and the
distribution layer (decide/montecarlo/distributions.py: its code, parameters and scalar inverse
CDF); every engine reads it from there. References: SciPy's ``lognorm`` (truncated by its CDF) and
numerical integration of its density.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

import decide
from decide.compile import compile_case
from decide.errors import CaseError
from decide.load import parse_case
from decide.montecarlo.distributions import cell_ppf
from decide.score import score
from decide.sensitivity.gap import build_gap_model

MU, SIGMA, LOW, HIGH = math.log(2.0), 0.8, 0.0, 10.0


def case(**lognormal) -> dict:
    spec = {"kind": "lognormal", "mu": MU, "sigma": SIGMA, "low": LOW, "high": HIGH} | lognormal
    return {
        "id": "ln", "title": "ln",
        "criteria": {"id": "t", "name": "t", "criteria": [
            {"id": "harm", "name": "harm", "direction": "min",
             "scale": {"low": 0, "high": 10, "low_means": "none", "high_means": "catastrophic"}},
            {"id": "gain", "name": "gain", "direction": "max",
             "scale": {"low": 0, "high": 10, "low_means": "none", "high_means": "much"}},
        ]},
        "options": [
            {"id": "wait", "name": "wait", "baseline": True, "scores": {"harm": 3, "gain": 5}},
            {"id": "act", "name": "act", "scores": {"harm": spec, "gain": {"kind": "uniform", "low": 4, "high": 8}}},
        ],
        "weights": {"profiles": [{"id": "p", "name": "p", "weights": {"harm": 1, "gain": 1}}]},
    }


def reference():
    dist = stats.lognorm(s=SIGMA, scale=math.exp(MU))
    lo, hi = dist.cdf(LOW), dist.cdf(HIGH)
    mean = integrate.quad(lambda x: x * dist.pdf(x), LOW, HIGH, epsabs=1e-13)[0] / (hi - lo)
    return dist, lo, hi, mean


def test_central_value_is_the_truncated_mean():
    arrays = compile_case(parse_case(case()))
    *_, mean = reference()
    assert arrays.scores.central[1, 0] == pytest.approx(mean, rel=1e-10)
    # score's expected value uses it
    table = score(arrays).table
    assert table.loc["act", "value_if_hold"] == pytest.approx(0.5 * (1 - mean / 10) + 0.5 * 0.6, rel=1e-10)


def test_inverse_cdf_is_scipys_truncated_lognormal():
    arrays = compile_case(parse_case(case()))
    dist, lo, hi, _ = reference()
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    mine = cell_ppf(arrays.scores, 1, 0)(u)
    assert np.allclose(mine, dist.ppf(lo + u * (hi - lo)), rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(mine) >= 0)
    # a positive lower bound truncates below as well
    arrays = compile_case(parse_case(case(low=1.0)))
    lo = dist.cdf(1.0)
    assert np.allclose(cell_ppf(arrays.scores, 1, 0)(u), dist.ppf(lo + u * (hi - lo)), rtol=1e-9)


def test_simulation_mean_matches_the_closed_form():
    n = 200_000
    result = decide.simulate(parse_case(case()), n, rng=4)
    dist, lo, hi, mean = reference()
    second = integrate.quad(lambda x: x * x * dist.pdf(x), LOW, HIGH, epsabs=1e-13)[0] / (hi - lo)
    se = math.sqrt(second - mean * mean) / 10 / math.sqrt(n)  # of the criterion value 1 - x / 10
    assert abs(result.criterion_means.loc["act", "harm"] - (1 - mean / 10)) < 4 * se


def test_the_gap_model_draws_it_with_the_engines_inverse_cdf():
    arrays = compile_case(parse_case(case()))
    model = build_gap_model(arrays, rng=1)
    harm = next(i for i in model.inputs if i.kind == "score" and i.index == 0)
    dist, lo, hi, _ = reference()
    u = np.array([0.05, 0.5, 0.95])
    assert np.allclose(harm.ppf(u), dist.ppf(lo + u * (hi - lo)), rtol=1e-9)


@pytest.mark.parametrize("change, message", [
    ({"low": 5.0, "high": 5.0}, "must be below high"),
    ({"sigma": 80.0}, "sigma (80.0) is the standard deviation of log(x)"),
    ({"mu": 60.0, "high": 10.0}, "holds almost none of the lognormal"),
    ({"low": -1.0}, "must be at least 0"),
])
def test_bad_lognormal_gets_a_located_message(change, message):
    with pytest.raises(CaseError) as info:
        parse_case(case(**change))
    assert "options[1].scores.harm" in str(info.value)
    assert message in str(info.value)
