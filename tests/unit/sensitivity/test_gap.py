"""The gap model behind Sobol' and the tornado evaluates the same expected-value rule as score.

Hand values (tests/data/minimal_case.yaml): intervene requires backing (hard, central 0.45) and
consent (soft, penalty 0.1, central 0.6), correlated with rho = 0.4 through the Gaussian copula;
its value if it goes ahead is 0.53 and if it fails 0.22 at the default weights. So

    E[intervene] = p_b * 0.53 + (1 - p_b) * 0.22 - 0.1 * (p_b - Phi2(Phi^-1(p_b), Phi^-1(0.6); 0.4))

with Phi2 by quadrature here (0.347734 at p_b = 0.45).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats

from decide.compile import CaseArrays, compile_case
from decide.load import load_case, parse_case
from decide.score import score
from decide.sensitivity.gap import build_gap_model
from decide.sensitivity.tornado import tornado

MEDIATE_COST = 2 + ((math.exp(-2) - math.exp(-4.5)) / math.sqrt(2 * math.pi)) / (
    0.5 * (math.erf(3 / math.sqrt(2)) - math.erf(-2 / math.sqrt(2))))
MEDIATE = 0.25 * 0.45 + 0.25 * 0.56 + 0.5 * (1 - MEDIATE_COST / 10)


def both_yes(p1: float, p2: float, rho: float) -> float:
    z1, z2 = stats.norm.ppf(p1), stats.norm.ppf(p2)
    value, _ = integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((z2 - rho * x) / math.sqrt(1 - rho * rho)),
                              -np.inf, z1, epsabs=1e-13, epsrel=1e-13)
    return value


def intervene(p_backing: float, p_consent: float = 0.6) -> float:
    return (p_backing * 0.53 + (1 - p_backing) * 0.22
            - 0.1 * (p_backing - both_yes(p_backing, p_consent, 0.4)))


@pytest.fixture(scope="module")
def arrays(request) -> CaseArrays:
    return compile_case(load_case(Path(request.config.rootpath) / "tests" / "data" / "minimal_case.yaml"))


def test_central_expected_values_are_scores_by_the_copula_rule(arrays):
    model = build_gap_model(arrays, leading=("intervene", "mediate"), rng=0)
    values = model.expected_values(model.central_state())[0]
    table = score(arrays).table
    assert_allclose(values, table.loc[["intervene", "mediate"], "expected_value"], rtol=0, atol=1e-14)
    assert values[0] == pytest.approx(intervene(0.45), abs=1e-12)  # 0.347734; the old product rule: 0.3195
    assert values[1] == pytest.approx(MEDIATE, abs=1e-12)
    assert model.base_gap() == pytest.approx(intervene(0.45) - MEDIATE, abs=1e-12)


def test_drawn_probabilities_move_the_copula_rule_row_by_row(arrays):
    model = build_gap_model(arrays, leading=("intervene", "mediate"), rng=0)
    backing = next(i for i in model.inputs if i.name == "P(backing)")
    consent = next(i for i in model.inputs if i.name == "P(consent)")
    state = model.central_state(4)
    model.assign(state, backing, np.array([0.3, 0.45, 0.6, 0.6]))
    model.assign(state, consent, np.array([0.6, 0.2, 0.6, 0.9]))
    values = model.expected_values(state)[:, 0]
    expected = [intervene(0.3), intervene(0.45, 0.2), intervene(0.6), intervene(0.6, 0.9)]
    assert_allclose(values, expected, rtol=0, atol=1e-12)


def test_three_correlated_requirements_in_the_gap_model():
    scale = {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}
    qs = ["q1", "q2", "q3"]
    case = parse_case({
        "id": "t", "title": "t",
        "criteria": {"id": "k", "name": "k", "criteria": [
            {"id": "c", "name": "c", "direction": "max", "scale": scale},
            {"id": "d", "name": "d", "direction": "max", "scale": scale}]},
        "options": [{"id": "wait", "name": "wait", "baseline": True, "scores": {"c": 5, "d": 5}},
                    {"id": "go", "name": "go", "requires": qs, "scores": {"c": 8, "d": 5},
                     "failure": {"c": 3, "d": 5}}],
        "preconditions": [{"id": q, "question": q + "?", "probability": {"low": 0.4, "high": 0.6}} for q in qs],
        "correlations": [{"between": [a, b], "rho": 0.6} for a, b in [("q1", "q2"), ("q1", "q3"), ("q2", "q3")]]})
    model = build_gap_model(case, leading=("go", "wait"), rng=0)
    p_go = 1 / 8 + 3 * math.asin(0.6) / (4 * math.pi)  # at the central 0.5 each
    assert model.base_gap() == pytest.approx(p_go * 0.65 + (1 - p_go) * 0.4 - 0.5, abs=1e-10)
    assert model.base_gap() == pytest.approx(float(score(case).table.loc["go", "expected_value"]) - 0.5, abs=1e-14)


def test_tornado_and_sobol_compare_the_pair_they_are_given(arrays):
    # A report passes the simulation's top two; the order given is the order of the gap.
    frame = tornado(arrays, leading=("wait", "intervene"), rng=0)
    assert frame.attrs["leading"] == ("wait", "intervene")
    assert frame.attrs["base_gap"] == pytest.approx(0.645 - intervene(0.45), abs=1e-12)
    frame = tornado(arrays, leading=["intervene", "wait"], rng=0)
    assert frame.attrs["leading"] == ("intervene", "wait")
    swing = frame.set_index("input").loc["P(backing)"]
    assert swing["gap_at_low"] == pytest.approx(intervene(0.3 + 0.3 * 0.05) - 0.645, abs=1e-12)
    assert swing["gap_at_high"] == pytest.approx(intervene(0.3 + 0.3 * 0.95) - 0.645, abs=1e-12)
