"""Numbers the engines can draw: no silently wrong number, no traceback, from extreme parameters.

A truncated normal whose mean lies far beyond its bounds is drawn where its mass is (the near
bound), as SciPy and ``score`` place it; validation refuses, with file, line and field, what no
engine can compute (magnitudes beyond 1e15, a PERT shape beyond 20, Beta parameters outside
[0.01, 1e6], a truncated normal 100 sd off its bounds or 100 times wider than them); and over extreme
but accepted parameters ``score``, ``simulate`` and the strategies agree.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.integrate import quad
from scipy.special import erfcx

from decide.compile import KIND_CODES, ScoreArrays
from decide.errors import CaseError
from decide.load import parse_case, parse_yaml_text
from decide.montecarlo import simulate
from decide.montecarlo.distributions import draw_scores
from decide.optimise.strategy import optimise_strategies
from decide.score import score

CASE = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"
TEXT = CASE.read_text(encoding="utf-8")
COST = "cost: {kind: truncnormal, mean: 2, sd: 1, low: 0, high: 5}"  # mediate's cost, on line 54


def _line(needle: str) -> int:
    return next(i for i, line in enumerate(TEXT.splitlines(), start=1) if needle in line)


def _problems(old: str, new: str) -> list:
    assert TEXT.count(old) == 1
    with pytest.raises(CaseError) as info:
        parse_case(parse_yaml_text(TEXT.replace(old, new), "case.yaml"))
    return info.value.problems


def _truncnormal_draws(mean: float, sd: float, low: float, high: float, u: np.ndarray) -> np.ndarray:
    """The sampler's draws (the one the strategies use; the engine's kernel calls the same inverse CDF)."""
    scores = ScoreArrays(np.full((1, 1), KIND_CODES["truncnormal"], dtype=np.int8),
                         np.array([[[low, mean, high, sd]]]), np.zeros((1, 1, 1)), np.ones((1, 1, 1)),
                         np.array([[mean]]))
    return draw_scores(scores, np.asarray(u, dtype=float)[:, None, None])[:, 0, 0]


def _mills(z: float) -> float:
    return math.sqrt(math.pi / 2) * erfcx(z / math.sqrt(2))


def _reference_mean(mean: float, sd: float, low: float, high: float) -> float:
    """Mean of the truncated normal by quadrature, measured from the bound nearer the mean (no
    SciPy ``truncnorm``, which ``score`` uses, and no decide code)."""
    a, b = (low - mean) / sd, (high - mean) / sd
    if a < 0 < b:
        lo, hi = max(a, -40.0), min(b, 40.0)
        mass = quad(lambda x: math.exp(-x * x / 2), lo, hi, points=[0.0] if lo < 0 < hi else None,
                    epsabs=0, epsrel=1e-12, limit=200)[0]
        first = quad(lambda x: x * math.exp(-x * x / 2), lo, hi, points=[0.0] if lo < 0 < hi else None,
                     epsabs=1e-14, epsrel=1e-12, limit=200)[0]  # about 0 for a symmetric [lo, hi]
        return mean + sd * first / mass
    near, width = (a, b - a) if a >= 0 else (-b, b - a)
    # density of the distance t from the near bound: exp(-near t - t^2 / 2) on [0, width]
    cut = min(width, 60.0 / near if near > 1 else 40.0)
    pts = [min(1.0 / near, cut / 2)] if near > 1 else None
    mass = quad(lambda t: math.exp(-near * t - t * t / 2), 0, cut, points=pts, epsabs=0, epsrel=1e-12, limit=200)[0]
    first = quad(lambda t: t * math.exp(-near * t - t * t / 2), 0, cut, points=pts, epsabs=0, epsrel=1e-12,
                 limit=200)[0]
    return low + sd * first / mass if a >= 0 else high - sd * first / mass


# --------------------------------------------------------------------------- the far tail


@pytest.mark.parametrize("mean", [-40.0, 45.0, -100.0], ids=["40-sd-below", "40-sd-above", "100-sd-below"])
def test_a_far_tail_is_drawn_where_score_puts_it(mean):
    """Mediate's cost (lower is better, scale 0-10) truncated to [0, 5] with its mean 40-100 sd
    outside: every draw lies at the near bound, and ``simulate`` agrees with ``score`` (it drew
    the far bound from 38 sd on, a value gap of 0.25)."""
    text = TEXT.replace(COST, f"cost: {{kind: truncnormal, mean: {mean}, sd: 1, low: 0, high: 5}}")
    case = parse_case(parse_yaml_text(text, "case.yaml"))
    expected = score(case).table.loc["mediate", "expected_value"]
    row = simulate(case, 20_000, rng=3).summary.loc["mediate"]
    assert abs(row["mean"] - expected) < 5 * row["mean_se"] + 1e-9


@pytest.mark.parametrize("distance", [8.0, 20.0, 37.5, 38.0, 40.0, 60.0, 100.0])
@pytest.mark.parametrize("width", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("side", ["above", "below"])
def test_the_tail_inverse_cdf_matches_scipy(distance, width, side):
    """Against ``scipy.stats.truncnorm.ppf`` (log-space in its tails): within 1e-9 of the
    distribution's own sd, over u in [1e-10, 1 - 1e-10], increasing in u."""
    low, high = (distance, distance + width) if side == "above" else (-distance - width, -distance)
    u = np.concatenate([np.geomspace(1e-10, 0.5, 60), 1 - np.geomspace(1e-10, 0.5, 60)[::-1]])
    x = _truncnormal_draws(0.0, 1.0, low, high, u)
    spread = stats.truncnorm.std(low, high)
    np.testing.assert_allclose(x, stats.truncnorm.ppf(u, low, high), rtol=0, atol=1e-9 * spread)
    assert np.all(np.diff(x) >= 0)


@pytest.mark.parametrize("distance", [1e3, 1e6, 1e10, 1e14])
def test_the_tail_inverse_cdf_is_exact_beyond_what_scipy_resolves(distance):
    """Far beyond validation's 100 sd (the library may be called on such arrays): the draw is the
    bound plus the tail's exponential quantile, ``-log(1 - q (1 - e^(-z w))) / z`` to relative
    t / 2z <= 20 / z**2 (the quadratic term), and stays inside [low, high] and increasing."""
    width = 5.0
    u = np.concatenate([[0.0, 1e-300], np.linspace(0, 1, 101)[1:-1], [1 - 2.0**-52]])
    x = _truncnormal_draws(0.0, 1.0, distance, distance + width, u)
    offset = -np.log1p(-u * -np.expm1(-distance * width)) / distance
    ulp = 2 * np.spacing(distance + width)  # x - distance is exact to the spacing of x
    np.testing.assert_allclose(x - distance, offset, rtol=max(1e-12, 20 / distance**2), atol=ulp)
    assert np.all((x >= distance) & (x <= distance + width)) and np.all(np.diff(x) >= 0)
    mirrored = _truncnormal_draws(0.0, 1.0, -distance - width, -distance, 1 - u)
    np.testing.assert_allclose(-mirrored, x, rtol=0, atol=ulp)


def test_mills_ratio_matches_erfcx():
    from decide.montecarlo.distributions import TRUNCNORMAL_TAIL
    from decide.montecarlo.special import mills_ratio

    z = np.concatenate([np.linspace(TRUNCNORMAL_TAIL, 100, 400), np.geomspace(100, 1e150, 60)])
    np.testing.assert_allclose([mills_ratio(v) for v in z], [_mills(v) for v in z], rtol=1e-15)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("new", "field", "words"), [
    ("mean: 1.0e+308, sd: 1, low: 0, high: 5", "options[2].scores.cost.mean", "at most 1e+15"),
    ("mean: 2, sd: 1.0e+308, low: 0, high: 5", "options[2].scores.cost.sd", "at most 1e+15"),
    ("mean: -1.0e+4, sd: 1, low: 0, high: 5", "options[2].scores.cost", "lies 1e+04 sd below low"),
    ("mean: 2, sd: 1.0e+9, low: 0, high: 5", "options[2].scores.cost", "more than 100 times the width"),
], ids=["huge-mean", "huge-sd", "mean-1e4-sd-away", "sd-wider-than-bounds"])
def test_a_truncated_normal_no_engine_computes_is_refused_where_it_is(new, field, words):
    [problem] = _problems("mean: 2, sd: 1, low: 0, high: 5", new)
    assert (problem.file, problem.line, problem.path) == ("case.yaml", _line(COST), field)
    assert words in problem.message


def test_a_pert_shape_beyond_the_tables_is_refused():
    """Shape 1e20 gave NaN means with exit 0."""
    old = "territory: {kind: pert, low: 4, mode: 7, high: 9}"
    [problem] = _problems(old, "territory: {kind: pert, low: 4, mode: 7, high: 9, shape: 1.0e+20}")
    assert (problem.line, problem.path) == (_line(old), "options[1].scores.territory.shape")
    assert "at most 20" in problem.message and "1e+20" in problem.message


@pytest.mark.parametrize("new", ["{alpha: 6, beta: 1.0e+20}", "{alpha: 6, beta: 0.001}"])
def test_beta_parameters_the_tables_cannot_draw_are_refused(new):
    """Beta(6, 1e20) was drawn at the wrong end; Beta(6, 0.001) crashed building its table."""
    [problem] = _problems("{alpha: 6, beta: 4}", new)
    assert (problem.line, problem.path) == (_line("{alpha: 6, beta: 4}"), "preconditions[1].probability.beta")
    assert "from 0.01 to 1e+06" in problem.message


@pytest.mark.parametrize(("old", "new", "field"), [
    ("budget: 3.5", "budget: 1.0e+308", "resources[0].budget"),
    ("add: 0.2", "odds_ratio: 1.0e+308", "enablers[0].odds_ratio"),
    ("weights: {security: 1, cost: 1}", "weights: {security: 1.0e+308, cost: 1}",
     "weights.profiles[0].weights.security"),
    ("high: 10, low_means: negligible", "high: 1.0e+300, low_means: negligible", "criteria.criteria[1].scale.high"),
], ids=["budget", "odds-ratio", "profile-weight", "scale-end"])
def test_magnitudes_beyond_1e15_are_refused(old, new, field):
    problems = _problems(old, new)
    assert [(p.line, p.path) for p in problems if "too large" in p.message] == [(_line(old), field)]
    assert any("at most 1e+15" in p.message and "larger unit" in p.message for p in problems)


def test_a_scale_narrower_than_its_ends_resolve_is_refused():
    """[1e14, 1e14 + 1e4]: values would come in steps of 1.6e-6 of the scale (and [1e15, 1e15 + 1]
    in eighths)."""
    old = "scale: {low: 0, high: 10, low_means: negligible"
    problems = _problems(old, "scale: {low: 1.0e+14, high: 100000000010000, low_means: negligible")
    narrow = [p for p in problems if "too narrow" in p.message]
    assert [(p.line, p.path) for p in narrow] == [(_line(old), "criteria.criteria[1].scale")]


def test_the_cli_reports_a_huge_mean_as_a_problem_not_a_traceback(tmp_path):
    from decide.cli import cli

    path = tmp_path / "case.yaml"
    path.write_text(TEXT.replace(COST, "cost: {kind: truncnormal, mean: 1.0e+308, sd: 1, low: 0, high: 5}"),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"case.yaml:{_line(COST)}" in result.output and "options[2].scores.cost.mean" in result.output


# --------------------------------------------------------------------------- the tables behind the bounds


def test_pert_tables_hold_at_the_largest_shape():
    """What :data:`decide.spec.MAX_PERT_SHAPE` rests on: at shape 20 both Beta tables (the kernel's
    dense table and the strategies' Hermite table) are within 0.5% of the sd between the 0.1% and
    99.9% quantiles and within 3e-3 of the range everywhere."""
    from decide.montecarlo.beta import BetaTables, beta_ppf, dense_ppf
    from decide.spec import MAX_PERT_SHAPE

    u = np.linspace(0, 1, 20_001)[1:-1]
    core = (u > 1e-3) & (u < 1 - 1e-3)
    for m in np.linspace(0, 0.5, 6):
        a, b = 1 + MAX_PERT_SHAPE * m, 1 + MAX_PERT_SHAPE * (1 - m)
        ref = stats.beta.ppf(u, a, b)
        sd = stats.beta.std(a, b)
        tables = BetaTables()
        row = tables.row(a, b)
        dense, ends = tables.dense().reshape(-1), tables.dense_ends().reshape(-1)
        for drawn in (beta_ppf(a, b, u), np.array([dense_ppf(dense, ends, row, v) for v in u])):
            assert np.abs(drawn - ref)[core].max() < 5e-3 * sd
            assert np.abs(drawn - ref).max() < 3e-3


def test_beta_tables_hold_over_the_accepted_parameters():
    """What :data:`decide.spec.BETA_PARAMETER_RANGE` rests on: the tabulated Beta keeps its mean
    within 0.5% of its sd at the corners and inside of the range."""
    from decide.montecarlo.beta import beta_ppf
    from decide.spec import BETA_PARAMETER_RANGE

    lo, hi = BETA_PARAMETER_RANGE
    grid = (np.arange(100_000) + 0.5) / 100_000
    for a in (lo, 0.5, 1.0, 30.0, hi):
        for b in (lo, 0.5, 1.0, 30.0, hi):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                x = beta_ppf(a, b, grid)
            assert np.all(np.isfinite(x))
            assert abs(x.mean() - stats.beta.mean(a, b)) < 5e-3 * stats.beta.std(a, b)


# --------------------------------------------------------------------------- property: the engines agree

MAGNITUDE = 1e15


def _case(low: float, width: float, outcome: dict, beta: tuple[float, float] | None) -> dict:
    option = {"id": "act", "name": "Act", "scores": {"x": outcome}}
    case = {"id": "t", "title": "T",
            "criteria": {"id": "c", "name": "C", "criteria": [{
                "id": "x", "name": "X", "direction": "higher_is_better",
                "scale": {"low": low, "high": low + width, "low_means": "worst", "high_means": "best"}}]},
            "options": [{"id": "wait", "name": "Wait", "baseline": True, "scores": {"x": low}}, option]}
    if beta is not None:
        option["requires"] = ["q"]
        case["preconditions"] = [{"id": "q", "question": "Q?", "probability": {"alpha": beta[0], "beta": beta[1]}}]
    return case


def _moments(outcome: dict) -> tuple[float, float]:
    """(central value score uses, expected outcome), from the definitions (not from decide)."""
    kind = outcome["kind"]
    if kind == "point":
        return outcome["value"], outcome["value"]
    if kind == "uniform":
        return (outcome["low"] + outcome["high"]) / 2, (outcome["low"] + outcome["high"]) / 2
    if kind == "triangular":
        return outcome["mode"], (outcome["low"] + outcome["mode"] + outcome["high"]) / 3
    if kind == "pert":
        s = outcome["shape"]
        return outcome["mode"], (outcome["low"] + s * outcome["mode"] + outcome["high"]) / (s + 2)
    if kind == "discrete":
        mean = float(np.dot(outcome["values"], outcome["probabilities"]))
        return mean, mean
    mean = _reference_mean(outcome["mean"], outcome["sd"], outcome["low"], outcome["high"])
    return mean, mean


def _accepted(low: float, width: float, outcome: dict, beta: tuple[float, float] | None) -> bool:
    """What validation must accept (bounds chosen away from the edges, so this needs no rounding care)."""
    high = low + width
    numbers = [low, high] + [v for k, v in outcome.items() if k in ("value", "low", "mode", "high", "mean", "sd")]
    numbers += outcome.get("values", [])
    if not all(math.isfinite(v) and abs(v) <= MAGNITUDE for v in numbers) or width < 1e-9 * max(abs(low), abs(high)):
        return False
    if beta is not None and not all(0.01 <= p <= 1e6 for p in beta):
        return False
    if outcome["kind"] == "pert" and outcome["shape"] > 20:
        return False
    if outcome["kind"] == "truncnormal":
        sd, w = outcome["sd"], outcome["high"] - outcome["low"]
        gap = max(outcome["low"] - outcome["mean"], outcome["mean"] - outcome["high"], 0.0)
        return sd <= 100 * w and gap <= 100 * sd
    return True


def _mostly(valid: list, invalid: list) -> st.SearchStrategy:
    """One of ``valid``, about 4 times as often as one of ``invalid`` (``one_of`` would not weight)."""
    return st.sampled_from(valid * (4 * len(invalid)) + invalid * len(valid))


# (low, width) of the scale; refused: ends beyond 1e15, a width below 1e-9 of the ends' size.
SCALES = _mostly([(0.0, 10.0), (-1e15, 2e15), (1e14, 1e9), (-3.5, 1e-6)], [(123.0, 1e300), (1e300, 1.0), (2e14, 1e4)])
FRACTIONS = st.lists(st.sampled_from([0.0, 1e-9, 0.1, 0.5, 0.9, 1.0]), min_size=3, max_size=3).map(sorted)
BETAS = _mostly([None] * 4 + [(0.01, 0.01), (0.5, 6.0), (6.0, 1e6), (1e6, 1e6)], [(0.001, 6.0), (6.0, 2e6), (1e20, 6.0)])
SHAPES = _mostly([1e-300, 0.5, 4.0, 19.99, 20.0], [20.01, 1e20])
SD_PER_WIDTH = _mostly([1e-12, 1e-3, 1.0, 99.0], [101.0, 1e9, 1e300])
# In sd beyond a bound (-0.5: the mean in the middle of [low, high]).
DISTANCES = _mostly([40.0, 38.0, 99.0, 37.5, 60.0, 5.0, 0.0, -0.5], [101.0, 1e4, 1e300])


@st.composite
def _outcomes(draw, low: float, width: float) -> dict:
    f_low, f_mode, f_high = draw(FRACTIONS)
    if f_high - f_low < 1e-6:
        f_low, f_high = 0.0, 1.0
    lo, mode, hi = (low + f * width for f in (f_low, f_mode, f_high))
    kind = draw(st.sampled_from(["truncnormal", "truncnormal", "truncnormal", "pert", "triangular", "uniform",
                                 "discrete", "point"]))
    if kind == "point":
        return {"kind": "point", "value": mode}
    if kind == "uniform":
        return {"kind": "uniform", "low": lo, "high": hi}
    if kind == "triangular":
        return {"kind": "triangular", "low": lo, "mode": mode, "high": hi}
    if kind == "pert":
        return {"kind": "pert", "low": lo, "mode": mode, "high": hi, "shape": draw(SHAPES)}
    if kind == "discrete":
        return {"kind": "discrete", "values": [lo, hi], "probabilities": [0.3, 0.7]}
    sd = (hi - lo) * draw(SD_PER_WIDTH)
    distance = draw(DISTANCES)
    mean = (lo + hi) / 2 if distance < 0 else (lo - distance * sd if draw(st.booleans()) else hi + distance * sd)
    return {"kind": "truncnormal", "mean": mean, "sd": sd, "low": lo, "high": hi}


@st.composite
def _cases(draw):
    low, width = draw(SCALES)
    return low, width, draw(_outcomes(low, width)), draw(BETAS)


N_DRAWS = 4000


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
@example((0.0, 10.0, {"kind": "truncnormal", "mean": -40.0, "sd": 1.0, "low": 0.0, "high": 5.0}, None))
@example((0.0, 10.0, {"kind": "truncnormal", "mean": 55.0, "sd": 1.0, "low": 0.0, "high": 10.0}, (2.0, 3.0)))
@example((0.0, 10.0, {"kind": "truncnormal", "mean": 1e308, "sd": 1.0, "low": 0.0, "high": 5.0}, None))
@example((0.0, 10.0, {"kind": "truncnormal", "mean": 2.0, "sd": 1e308, "low": 0.0, "high": 5.0}, None))
@example((0.0, 10.0, {"kind": "pert", "low": 0.0, "mode": 1.0, "high": 5.0, "shape": 1e20}, None))
@example((0.0, 10.0, {"kind": "pert", "low": 0.0, "mode": 1.0, "high": 5.0, "shape": 4.0}, (6.0, 1e20)))
def test_score_simulate_and_strategies_agree_on_every_accepted_case(params):
    """Every case is refused with a CaseError exactly when it is out of bounds; an accepted one
    gets the central value its kind defines from ``score`` (the truncated normal's mean to 1e-6 of
    the scale, against quadrature), and its expected value from ``simulate`` and from the
    strategies' out-of-sample estimate, each within 5 standard errors (plus 1e-6 of the scale)."""
    low, width, outcome, beta = params
    accepted = _accepted(low, width, outcome, beta)
    try:
        case = parse_case(_case(low, width, outcome, beta))
    except CaseError:
        assert not accepted, "refused a case inside the bounds"
        event("refused")
        return
    assert accepted, "accepted a case outside the bounds"
    beyond = outcome["kind"] == "truncnormal" and not outcome["low"] <= outcome["mean"] <= outcome["high"]
    event(f"accepted {outcome['kind']}{' beyond its bounds' if beyond else ''}")
    central, expected = _moments(outcome)
    p = 1.0 if beta is None else beta[0] / (beta[0] + beta[1])
    # The option fails to the baseline's outcome, low: value 0.
    value_central, value_expected = p * (central - low) / width, p * (expected - low) / width

    table = score(case).table
    assert table.loc["act", "expected_value"] == pytest.approx(value_central, abs=1e-6)

    # A rarer answer than 30 in N_DRAWS leaves the standard error unestimated (often 0): allow
    # that answer's whole share of the value (values lie in [0, 1]).
    rare = min(p, 1 - p) if min(p, 1 - p) * N_DRAWS < 30 else 0.0
    row = simulate(case, N_DRAWS, rng=7).summary.loc["act"]
    assert abs(row["mean"] - value_expected) <= 5 * row["mean_se"] + 1e-6 + rare

    result = optimise_strategies(case, n_scenarios=100, out_of_sample=N_DRAWS, rng=7, stability=0, top=2)
    k = result.strategies.index(("act",))
    assert abs(result.oos_mean[k] - value_expected) <= 5 * result.oos_mcse[k] + 1e-6 + rare
