"""Common-mode judgement errors: on a criterion the case names, every option's outcome shares one
normal error (Gaussian copula with correlation ``rho``), so a criterion misjudged is misjudged for
everyone. Marginals are unchanged; joint quantities move. References: the bivariate normal by
quadrature (SciPy), and the comonotone limit in closed form.
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
from decide.score import score

N = 200_000


def case(rho: float | None = None, criteria=("c",)) -> dict:
    data = {
        "id": "cm", "title": "cm",
        "criteria": {"id": "t", "name": "t", "criteria": [
            {"id": "c", "name": "c", "direction": "max", "scale": {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}},
            {"id": "d", "name": "d", "direction": "max", "scale": {"low": 0, "high": 10, "low_means": "l", "high_means": "h"}},
        ]},
        "options": [
            {"id": "a", "name": "a", "scores": {"c": {"kind": "uniform", "low": 0, "high": 8}, "d": 5}},
            {"id": "b", "name": "b", "scores": {"c": {"kind": "uniform", "low": 2, "high": 10}, "d": 5}},
        ],
        "weights": {"profiles": [{"id": "p", "name": "p", "weights": {"c": 1, "d": 1}}]},
    }
    if rho is not None:
        data["common_mode"] = [{"criteria": list(criteria), "rho": rho}]
    return data


def p_a_beats_b(rho: float) -> float:
    """P(8 U_a > 2 + 8 U_b), U = Phi(Z), corr(Z_a, Z_b) = rho: over z_b, P(Z_a > Phi^-1(Phi(z_b) + 1/4) | z_b)."""
    s = math.sqrt(1 - rho * rho)

    def given(zb: float) -> float:
        level = stats.norm.cdf(zb) + 0.25
        return 0.0 if level >= 1 else stats.norm.sf((stats.norm.ppf(level) - rho * zb) / s) * stats.norm.pdf(zb)

    return integrate.quad(given, -np.inf, stats.norm.ppf(0.75), epsabs=1e-12, limit=200)[0]


@pytest.mark.parametrize("rho", [None, 0.5, 0.9])
def test_pairwise_probability_follows_the_copula(rho):
    result = decide.simulate(parse_case(case(rho)), N, rng=8)
    expected = p_a_beats_b(rho or 0.0)
    p, se = result.pairwise.loc["a", "b"], result.pairwise_se.loc["a", "b"]
    assert abs(p - expected) < 4 * se, (p, expected, se)
    # the marginal means do not move
    frame = result.to_frame()
    assert abs(frame.loc["a", "mean"] - 0.45) < 4 * frame.loc["a", "mean_se"]


def test_independent_and_common_mode_differ_beyond_noise():
    assert p_a_beats_b(0.0) - p_a_beats_b(0.9) > 0.1


def test_one_error_for_all_is_comonotone():
    result = decide.simulate(parse_case(case(1.0)), 20_000, rng=9)
    assert result.pairwise.loc["a", "b"] == 0.0  # b = a + 2 in every draw
    assert result.to_frame().loc["b", "p_best"] == 1.0


def test_a_group_names_its_leaves_and_the_deterministic_table_is_unchanged():
    data = case(0.5, criteria=("c", "d"))
    arrays = compile_case(parse_case(data))
    assert list(arrays.common_mode) == [0.5, 0.5]
    plain = score(compile_case(parse_case(case()))).table
    assert score(arrays).table["expected_value"].equals(plain["expected_value"])


def test_common_mode_on_fixed_outcomes_changes_nothing_but_the_stream():
    # rho on a criterion whose outcomes are points: a head uniform is drawn (so the cells' uniforms
    # shift), nothing else changes: the same pairwise probability within noise
    result = decide.simulate(parse_case(case(0.7, criteria=("d",))), N, rng=3)
    assert abs(result.pairwise.loc["a", "b"] - p_a_beats_b(0.0)) < 4 * result.pairwise_se.loc["a", "b"]


def test_unknown_criterion_is_located():
    data = case(0.5, criteria=("nope",))
    with pytest.raises(CaseError) as info:
        parse_case(data)
    assert "common_mode[0].criteria[0]" in str(info.value) and "'nope' is not a criterion" in str(info.value)


@pytest.mark.parametrize("rho", [0.0, 0.6, 1.0])
def test_the_gap_model_mixes_the_shared_error_as_the_simulation_does(rho):
    from decide.sensitivity.gap import build_gap_model

    arrays = compile_case(parse_case(case(rho or None)))
    model = build_gap_model(arrays, leading=("b", "a"), vary_weights=False, rng=1)
    kinds = [i.kind for i in model.inputs]
    assert ("common" in kinds) == (rho > 0)
    unit = np.random.default_rng(2).random((50_000, model.n_inputs))
    gap = model.evaluate(unit)  # 0.5 (x_b - x_a) / 10 = 0.1 + 0.4 (u_b - u_a), with x_a = 8 u_a, x_b = 2 + 8 u_b
    # variance of the gap: 0.4^2 Var(U_b - U_a) = 0.4^2 (1/6 - 2 Cov(U_a, U_b)), Cov by Pearson's
    # formula for the Gaussian copula: (6 / pi) arcsin(rho / 2) / 12
    cov = (6 / math.pi) * math.asin(rho / 2) / 12
    expected_sd = 0.4 * math.sqrt(max(1 / 6 - 2 * cov, 0.0))
    n = len(gap)
    assert gap.std() == pytest.approx(expected_sd, abs=4 * expected_sd / math.sqrt(2 * n) + 1e-12)
    assert gap.mean() == pytest.approx(0.1, abs=4 * expected_sd / math.sqrt(n) + 1e-12)


@pytest.mark.parametrize("rho", [0.0, 0.8])
def test_the_strategies_scenarios_share_the_error_as_the_kernel_does(rho):
    from decide.optimise.scenarios import draw_scenarios
    from decide.model.strategies import strategy_space
    from decide.optimise.evaluate import scenario_values

    data = case(rho or None)
    data["options"].insert(0, {"id": "wait", "name": "wait", "baseline": True, "scores": {"c": 5, "d": 5}})
    arrays = compile_case(parse_case(data))
    space = strategy_space(arrays)
    values = scenario_values(space, np.array([space.vector(["a"]), space.vector(["b"])]),
                             draw_scenarios(arrays, N, rng=6), arrays.weights)
    wins = (values[0] > values[1]).astype(float)
    assert abs(wins.mean() - p_a_beats_b(rho)) < 4 * wins.std() / math.sqrt(N) + 1e-12
    kernel = decide.simulate(parse_case(data), N, rng=6)
    both = math.hypot(wins.std() / math.sqrt(N), kernel.pairwise_se.loc["a", "b"])
    assert abs(kernel.pairwise.loc["a", "b"] - wins.mean()) < 4 * both
