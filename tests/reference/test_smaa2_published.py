"""SMAA-2 outputs against a peer implementation's pinned results: JSMAA's antidepressant model.

Source (numbers and model)
--------------------------
JSMAA, the Java SMAA-2 / SMAA-O / SMAA-TRI implementation (described in Tervonen, T., "JSMAA: open
source software for SMAA computations", International Journal of Systems Science),
github.com/tommite/jsmaa at commit d00ae1412d45c1804a4edf254f10f6e2532389fa (2015-01-28; the file
last changed in 855c4ce6cd81e673368b753ed53a859f7acb8a51, "1.0.3 Release"), file
``lib/src/test/java/fi/smaa/jsmaa/simulator/SMAA2SimulationTest.java``, test
``testCorrectResultsWithBRModel`` (the same model and numbers are in ``SMAASimulatorTest.java``
and the model in ``models/smaa2-benefitrisk.jsmaa``, "Benefit-Risk model of second generation
antidepressants"). The test was added in 9006f1e4 (2009, "Added checking against the BR model in
unit tests"); in May 2010 (df8888a2) paroxetine's confidence factor was changed from 0.45 +- 0.02
to 0.44 +- 0.03, the numbers used here. Every number below was read from that file.

Four alternatives (fluoxetine, paroxetine, sertraline, venlafaxine), six criteria, no preference
information (weights uniform on the simplex). Efficacy (higher is better) is ``LogNormalMeasurement
(mu, sigma)``: ``exp(N(mu, sigma))``; the five adverse events (lower is better) are
``GaussianMeasurement(mean, sd)``. JSMAA's test runs ``SMAA2Simulation`` with 10,000 iterations
(10,000 draws for rank acceptabilities and central weights, 10,000 more for confidence factors) and
asserts (``SMAASimulatorTest`` does the same with an unseeded generator):

* rank acceptabilities (rank 1..4), to two decimals (their tolerance 0.02);
* central weight vectors, to two decimals (tolerance 0.02);
* confidence factors 0.48 / 0.44 / 0.34 / 0.74 (tolerance 0.03).

What JSMAA computes (read in the same commit) and how it maps onto decide
--------------------------------------------------------------------------
* Scale: ``ImpactMatrix.updateScales`` sets each criterion's scale to the interval enclosing every
  measurement's ``getRange()``, the 95% interval ``mean +- 1.96 sd`` (for log-normals
  ``exp(mu +- 1.96 sigma)``); the test itself asserts efficacy [0.98, 1.23], diarrhea ~[1.0, 20.6]...
* Partial value: ``maut.UtilityFunction.utility`` is linear from 0 to 1 across the scale (1 to 0
  for descending criteria) and *extrapolates linearly* outside it (Gaussian draws may fall
  outside the 95% scale). ``SMAA2Simulation.aggregate``: additive, ``sum_j w_j u_j``.
* Weights: ``MissingPreferenceInformation`` -> ``RandomUtil.createSumToRand`` (spacings of sorted
  uniforms): uniform on the simplex, as decide's ``weights="uniform"``.
* Confidence factor: ``SMAA2Simulation.aggregateWithCentralWeights`` on fresh measurement draws
  with the weights fixed at the estimated central weight vector (ties count as wins there, split
  in decide; with continuous measurements ties have probability 0).

decide's values must lie in [0, 1] and scores on the scale, so JSMAA's unbounded linear utilities
are reproduced up to a common factor: each criterion ``j`` gets a decide scale centred on JSMAA's
scale, ``STRETCH`` (= 4) times as wide. Then decide's partial value is JSMAA's divided by
``STRETCH`` plus a per-criterion constant; the constants add ``sum_j w_j c_j`` equally to every
alternative and the common factor scales all values alike, so for every weight vector the ranking is
JSMAA's: rank acceptabilities, central weights and confidence factors are unchanged. Gaussian
measurements become ``truncnormal`` truncated at the scale ends, at least 6.9 sd from every mean
(truncated mass < 1e-11). Efficacy is scored on the log scale (``truncnormal(mu, sigma)``) with a
257-point piecewise-linear value function tabulating ``(exp(y) - a) / (b - a)``; its interpolation
error is below 1e-5 in value (checked below), negligible beside the Monte Carlo error.

Tolerance
---------
How the pinned numbers were first obtained is not recorded; they are taken here as one JSMAA run
of 10,000 draws (the size the test runs), rounded to two decimals; had they come from a longer run
the tolerance below would only be conservative. Ours come from one decide run with N = 200,000 draws. For each number, with ``sd_pub`` the
standard deviation of a 10,000-draw estimate and ``se_ours`` our MCSE:

    |ours - published| <= 0.005 (rounding) + 4 * sqrt(sd_pub**2 + se_ours**2)

* rank acceptability: ``sd_pub = sqrt(p (1 - p) / 10,000)`` with ``p`` the published value (a
  binomial proportion; no use of decide's output);
* central weights: the same ratio estimator on 10,000 draws, ``sd_pub = se_ours * sqrt(N / 10,000)``;
* confidence factor: JSMAA's 10,000-draw estimate is evaluated at its own 10,000-draw central
  weights, whose error moves it too, so ``sd_pub`` is measured as the spread of ``REPLICATES``
  independent 10,000-draw decide runs (each estimates central weights and then the confidence
  factor, as JSMAA does); it comes out ~1.2-1.6x the binomial sd. It is checked to lie between
  0.7x and 2.5x the binomial sd so that a broken engine cannot widen its own tolerance, and our own
  error is that spread scaled to N draws.

4 sd keeps the 44 comparisons (16 + 24 + 4, correlated) from failing by chance (two-sided 4-sigma
rate 6e-5 each). The tolerances come to 0.01-0.025 for rank acceptabilities and central weights and
~0.03 for confidence factors, close to JSMAA's own 0.02 / 0.03.

Sensitivity (checked when this test was written, each change made in a scratch copy of decide and
this file run against it): weights drawn as normalised uniforms ``u / sum(u)`` instead of normalised
exponentials (a classic non-uniform simplex sampler) fail 5 rank acceptabilities and several
central weights; truncated-normal draws with sd x 1.25 fail venlafaxine's first-rank acceptability
(0.361 vs 0.39) and all four confidence factors, sd x 1.10 fails two confidence factors (0.447 vs
0.48, 0.687 vs 0.74); central weights accumulated over rank-2 instead of rank-1 draws fail most
central weights; confidence factors evaluated at equal weights or at another alternative's central
weights fail. On the model side, scales whose widths are not JSMAA's times one common factor fail
10 rank acceptabilities. Not detectable at this precision: a value function linear in the log odds
ratio instead of in the odds ratio (exp is nearly linear over the efficacy draws' range).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from decide.load import parse_case
from decide.montecarlo import simulate

ALTERNATIVES = ("fluoxetine", "paroxetine", "sertraline", "venlafaxine")
CRITERIA = ("efficacy", "diarrhea", "dizziness", "headache", "insomnia", "nausea")

# LogNormalMeasurement(mu, sigma) of efficacy, per alternative (JSMAA test, lines setting `efficacy`).
EFFICACY = {"fluoxetine": (0.0, 0.0), "paroxetine": (0.086, 0.056), "sertraline": (0.095, 0.044),
            "venlafaxine": (0.113, 0.048)}
# GaussianMeasurement(mean, sd) of the adverse events (lower is better).
ADVERSE = {
    "diarrhea": {"fluoxetine": (11.7, 2.5), "paroxetine": (9.2, 1.86), "sertraline": (15.4, 2.65),
                 "venlafaxine": (5.5, 2.32)},
    "dizziness": {"fluoxetine": (7.2, 1.45), "paroxetine": (10.6, 1.58), "sertraline": (7.5, 1.48),
                  "venlafaxine": (15.7, 4.44)},
    "headache": {"fluoxetine": (16.6, 3.27), "paroxetine": (21.2, 5.15), "sertraline": (20.2, 3.78),
                 "venlafaxine": (12.8, 2.45)},
    "insomnia": {"fluoxetine": (13.7, 1.89), "paroxetine": (14.3, 2.93), "sertraline": (15.0, 3.21),
                 "venlafaxine": (11.2, 3.98)},
    "nausea": {"fluoxetine": (18.6, 1.79), "paroxetine": (18.3, 3.7), "sertraline": (19.5, 2.6),
               "venlafaxine": (31.0, 1.68)},
}

# Published (JSMAA test) results; rows ALTERNATIVES, columns ranks 1-4 / CRITERIA.
PUBLISHED_RANKS = np.array([
    [0.20, 0.28, 0.30, 0.22],
    [0.25, 0.29, 0.27, 0.19],
    [0.17, 0.25, 0.29, 0.30],
    [0.39, 0.18, 0.15, 0.29],
])
PUBLISHED_CENTRAL_WEIGHTS = np.array([
    [0.08, 0.14, 0.23, 0.18, 0.16, 0.22],
    [0.18, 0.17, 0.15, 0.13, 0.15, 0.22],
    [0.21, 0.10, 0.22, 0.13, 0.15, 0.20],
    [0.18, 0.21, 0.12, 0.21, 0.19, 0.09],
])
PUBLISHED_CONFIDENCE = np.array([0.48, 0.44, 0.34, 0.74])
# JSMAA's own assertions on the scales it derives (start, end, tolerance).
PUBLISHED_SCALES = {"efficacy": (0.98, 1.23, 0.01), "diarrhea": (1.0, 20.6, 1.0), "dizziness": (4.4, 24.4, 1.0),
                    "headache": (8.0, 31.3, 1.0), "insomnia": (3.4, 21.3, 1.0), "nausea": (11.1, 34.0, 1.0)}

PUBLISHED_DRAWS = 10_000
ROUNDING = 0.005
N_DRAWS = 200_000
REPLICATES = 40
STRETCH = 4.0
VF_POINTS = 257


def jsmaa_scale(criterion: str) -> tuple[float, float]:
    """JSMAA's automatic scale: the interval enclosing every measurement's 95% range."""
    if criterion == "efficacy":
        ends = [(math.exp(m - 1.96 * s), math.exp(m + 1.96 * s)) for m, s in EFFICACY.values()]
    else:
        ends = [(m - 1.96 * s, m + 1.96 * s) for m, s in ADVERSE[criterion].values()]
    return min(lo for lo, _ in ends), max(hi for _, hi in ends)


def stretched(criterion: str) -> tuple[float, float]:
    """decide's scale on JSMAA's measurement units: same centre, STRETCH times as wide."""
    lo, hi = jsmaa_scale(criterion)
    centre, half = (lo + hi) / 2, STRETCH * (hi - lo) / 2
    return centre - half, centre + half


def efficacy_value_function() -> tuple[float, float, list[list[float]]]:
    """Log-scale ends and [log odds ratio, value] points of ``(exp(y) - a) / (b - a)``."""
    a, b = stretched("efficacy")
    ys = np.linspace(math.log(a), math.log(b), VF_POINTS)
    values = np.clip((np.exp(ys) - a) / (b - a), 0.0, 1.0)
    return float(ys[0]), float(ys[-1]), [[float(y), float(v)] for y, v in zip(ys, values)]


def published_case() -> dict:
    def scale(lo: float, hi: float) -> dict:
        return {"low": lo, "high": hi, "low_means": "scale low", "high_means": "scale high"}

    y_lo, y_hi, vf = efficacy_value_function()
    crits = [{"id": "efficacy", "name": "Efficacy (log odds ratio)", "direction": "higher_is_better",
              "scale": scale(y_lo, y_hi), "value_function": vf}]
    scores: dict[str, dict] = {a: {} for a in ALTERNATIVES}
    for alt, (mu, sigma) in EFFICACY.items():
        scores[alt]["efficacy"] = mu if sigma == 0 else {"kind": "truncnormal", "mean": mu, "sd": sigma,
                                                          "low": y_lo, "high": y_hi}
    for crit, measurements in ADVERSE.items():
        lo, hi = stretched(crit)
        crits.append({"id": crit, "name": crit.capitalize(), "direction": "lower_is_better", "scale": scale(lo, hi)})
        for alt, (mean, sd) in measurements.items():
            scores[alt][crit] = {"kind": "truncnormal", "mean": mean, "sd": sd, "low": lo, "high": hi}
    return {"id": "jsmaa-antidepressants", "title": "JSMAA benefit-risk model of second generation antidepressants",
            "options": [{"id": a, "name": a.capitalize(), "scores": scores[a]} for a in ALTERNATIVES],
            "criteria": {"id": "br", "name": "Benefit-risk criteria", "criteria": crits}}


@pytest.fixture(scope="module")
def case():
    return parse_case(published_case())


@pytest.fixture(scope="module")
def result(case):
    res = simulate(case, N_DRAWS, rng=20110530, weights="uniform", confidence_draws=N_DRAWS)
    assert res.option_ids == ALTERNATIVES and res.criterion_ids == CRITERIA
    return res


@pytest.fixture(scope="module")
def confidence_sd_10k(case) -> np.ndarray:
    """Spread of the confidence factor over independent 10,000-draw runs (central weights included)."""
    runs = [simulate(case, PUBLISHED_DRAWS, rng=7000 + k, weights="uniform",
                     confidence_draws=PUBLISHED_DRAWS).estimates["confidence_factor"] for k in range(REPLICATES)]
    return np.std(runs, axis=0, ddof=1)


def report(name: str, ours: np.ndarray, published: np.ndarray, tol: np.ndarray) -> str:
    rows = [f"{name}: |ours - published| > tolerance"]
    for idx in zip(*np.nonzero(np.abs(ours - published) > tol)):
        rows.append(f"  {idx}: ours {ours[idx]:.4f} published {published[idx]:.2f} tolerance {tol[idx]:.4f}")
    return "\n".join(rows)


def test_model_reproduces_jsmaa_scales_and_values() -> None:
    for crit, (start, end, tol) in PUBLISHED_SCALES.items():
        lo, hi = jsmaa_scale(crit)
        assert abs(lo - start) <= tol and abs(hi - end) <= tol, crit
    # Truncation at decide's scale ends is at least 6.9 sd from every Gaussian mean (mass < 1e-11).
    y_lo, y_hi, vf = efficacy_value_function()
    for mu, sigma in EFFICACY.values():
        assert sigma == 0 or min(mu - y_lo, y_hi - mu) >= 6.9 * sigma
    for crit, measurements in ADVERSE.items():
        lo, hi = stretched(crit)
        for mean, sd in measurements.values():
            assert min(mean - lo, hi - mean) >= 6.9 * sd, crit
    # The tabulated efficacy value function is JSMAA's linear utility / STRETCH + constant.
    a, b = stretched("efficacy")
    ys = np.linspace(y_lo, y_hi, 100_001)
    xs, vs = np.array(vf).T
    assert np.max(np.abs(np.interp(ys, xs, vs) - (np.exp(ys) - a) / (b - a))) < 1e-5


def test_rank_acceptabilities(result) -> None:
    est = result.estimates["rank_acceptability"]
    se = result.standard_errors["rank_acceptability"]
    sd_pub = np.sqrt(PUBLISHED_RANKS * (1 - PUBLISHED_RANKS) / PUBLISHED_DRAWS)
    tol = ROUNDING + 4 * np.sqrt(sd_pub**2 + se**2)
    assert np.all(np.abs(est - PUBLISHED_RANKS) <= tol), report("rank acceptability", est, PUBLISHED_RANKS, tol)


def test_central_weights(result) -> None:
    est = result.estimates["central_weights"]
    se = result.standard_errors["central_weights"]
    sd_pub = se * math.sqrt(N_DRAWS / PUBLISHED_DRAWS)
    tol = ROUNDING + 4 * np.sqrt(sd_pub**2 + se**2)
    assert np.all(np.abs(est - PUBLISHED_CENTRAL_WEIGHTS) <= tol), \
        report("central weights", est, PUBLISHED_CENTRAL_WEIGHTS, tol)


def test_confidence_factors(result, confidence_sd_10k) -> None:
    est = result.estimates["confidence_factor"]
    assert result.confidence_draws == N_DRAWS
    se = np.maximum(result.standard_errors["confidence_factor"],
                    confidence_sd_10k * math.sqrt(PUBLISHED_DRAWS / N_DRAWS))
    tol = ROUNDING + 4 * np.sqrt(confidence_sd_10k**2 + se**2)
    assert np.all(np.abs(est - PUBLISHED_CONFIDENCE) <= tol), \
        report("confidence factor", est, PUBLISHED_CONFIDENCE, tol)
    # The measured spread must be plausible, or a noisy engine would widen its own tolerance.
    binomial = np.sqrt(PUBLISHED_CONFIDENCE * (1 - PUBLISHED_CONFIDENCE) / PUBLISHED_DRAWS)
    assert np.all((confidence_sd_10k >= 0.7 * binomial) & (confidence_sd_10k <= 2.5 * binomial)), \
        f"10,000-draw spread {confidence_sd_10k} vs binomial sd {binomial}"
