"""The uncertain-input model of the value gap and its Sobol' indices, on the minimal case."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from decide.compile import KIND_CODES, CaseArrays, compile_case
from decide.errors import DecideError
from decide.load import load_case
from decide.score import score
from decide.sensitivity.gap import build_gap_model, seed_streams
from decide.sensitivity.sobol import sobol_indices


@pytest.fixture(scope="module")
def arrays(request) -> CaseArrays:
    from pathlib import Path

    return compile_case(load_case(Path(request.config.rootpath) / "tests" / "data" / "minimal_case.yaml"))


@pytest.fixture(scope="module")
def simplex_arrays(arrays) -> CaseArrays:
    """The minimal case without its imprecise weight statements: weights uniform on the simplex."""
    return replace(arrays, imprecise_a=np.zeros((0, arrays.n_criteria)), imprecise_b=np.zeros(0))


def score_gap(arrays: CaseArrays, first: str, second: str) -> float:
    table = score(arrays).table
    return float(table.loc[first, "expected_value"] - table.loc[second, "expected_value"])


@pytest.mark.parametrize("leading", [None, ("intervene", "mediate"), ("wait", "intervene")])
def test_base_gap_is_the_deterministic_score_gap(arrays, leading):
    model = build_gap_model(arrays, leading=leading, rng=0)
    assert model.base_gap() == pytest.approx(score_gap(arrays, *model.leading_ids), abs=1e-12)


def test_default_pair_is_the_top_two_of_score(arrays):
    model = build_gap_model(arrays, rng=0)
    assert model.leading_ids == tuple(score(arrays).table.index[:2]) == ("mediate", "wait")


def test_relevant_inputs_are_only_what_can_move_the_gap(arrays):
    names = [i.name for i in build_gap_model(arrays, rng=0).inputs]
    # mediate vs wait: no requirements, wait's scores are points; intervene cannot matter.
    assert names == ["weights (admissible set)", "score: Mediation / Armed groups' capability",
                     "score: Mediation / Territorial integrity", "score: Mediation / Cost"]
    model = build_gap_model(arrays, leading=("intervene", "mediate"), rng=0)
    groups = {i.group for i in model.inputs}
    # intervene requires backing (hard) and consent (soft); its failure profile is all points.
    assert groups == {"weights", "scores: Military intervention", "scores: Mediation", "P(backing)", "P(consent)"}


def test_all_inputs_adds_other_options_and_preconditions(arrays):
    model = build_gap_model(arrays, inputs="all", rng=0)
    groups = [i.group for i in model.inputs]
    assert "scores: other options" in groups and "P(backing)" in groups and "P(consent)" in groups


def test_simplex_weights_are_uniform_on_the_simplex(simplex_arrays):
    model = build_gap_model(simplex_arrays, vary_weights=True)
    assert model.weight_scheme == "simplex"
    unit = np.random.default_rng(3).random((20_000, model.n_inputs))
    weights = model.to_state(unit).weights
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    k = simplex_arrays.n_criteria
    for c in range(k):
        # Each coordinate of the uniform distribution on the simplex is Beta(1, k - 1).
        assert stats.kstest(weights[:, c], stats.beta(1, k - 1).cdf).pvalue > 1e-3


def test_admissible_weights_satisfy_the_imprecise_statements(arrays):
    model = build_gap_model(arrays, rng=7)
    assert model.weight_scheme == "admissible"
    pool = model.weight_pool
    assert np.all(pool @ arrays.imprecise_a.T <= arrays.imprecise_b + 1e-12)
    np.testing.assert_array_equal(pool, build_gap_model(arrays, rng=7).weight_pool)
    # The minimal case's default (neutral) weights break "armed_groups >= cost"; the model says so.
    assert any("break" in note for note in model.notes)


def test_inverse_cdfs_reproduce_the_distribution_means(arrays):
    # Midpoint rule on a fine grid of the unit interval: the mean of ppf(u) is the distribution's mean.
    u = (np.arange(50_000) + 0.5) / 50_000
    model = build_gap_model(arrays, leading=("intervene", "mediate"), inputs="all", rng=0)
    by_name = {i.name: i for i in model.inputs}
    means = {
        # triangular (2, 3, 6) and PERT (4, 7, 9; shape 4)
        "score: Military intervention / Armed groups' capability": (2 + 3 + 6) / 3,
        "score: Military intervention / Territorial integrity": (4 + 4 * 7 + 9) / 6,
        "score: Mediation / Armed groups' capability": 5.5,  # uniform (4, 7)
        "score: Mediation / Territorial integrity": 4.0,  # discrete {3, 5}
        "score: Mediation / Cost": float(arrays.scores.central[2, 2]),  # truncated normal mean
        "P(backing)": 0.45,  # interval (0.3, 0.6)
        "P(consent)": 0.6,  # Beta(6, 4)
    }
    for name, mean in means.items():
        assert by_name[name].ppf(u).mean() == pytest.approx(mean, abs=1e-4), name
    discrete = by_name["score: Mediation / Territorial integrity"].ppf(u)
    assert set(np.unique(discrete)) == {3.0, 5.0} and np.mean(discrete == 3.0) == pytest.approx(0.5, abs=1e-4)


def test_gap_matches_score_on_drawn_inputs(simplex_arrays):
    # One drawn row scored by decide.score with the same (fixed) outcomes, probabilities and weights.
    model = build_gap_model(simplex_arrays, leading=("intervene", "mediate"))
    unit = np.random.default_rng(11).random((3, model.n_inputs))
    state = model.to_state(unit)
    gaps = model.evaluate(unit)
    for r in range(3):
        scores = simplex_arrays.scores
        central = scores.central.copy()
        central[list(model.leading)] = state.planned[r]
        drawn = replace(simplex_arrays, scores=replace(scores, central=central),
                        probability_central=state.probabilities[r])
        table = score(drawn, weights=state.weights[r]).table
        expected = table.loc["intervene", "expected_value"] - table.loc["mediate", "expected_value"]
        assert gaps[r] == pytest.approx(expected, abs=1e-12)


def test_inputs_that_cannot_move_the_gap_have_zero_indices(arrays):
    result = sobol_indices(arrays, n=256, rng=5, inputs="all")
    frame = result.to_frame()
    assert list(frame.columns) == ["S1", "S1_conf", "ST", "ST_conf"] and frame.index.name == "group"
    for group in ("scores: other options", "P(backing)", "P(consent)"):
        assert frame.loc[group, "ST"] == pytest.approx(0.0, abs=1e-12)
        assert frame.loc[group, "S1"] == pytest.approx(0.0, abs=1e-12)
    assert frame.loc["scores: Mediation", "ST"] > 0.3 and frame.loc["weights", "ST"] > 0.1
    assert list(frame["ST"]) == sorted(frame["ST"], reverse=True)


def test_required_preconditions_matter_for_an_option_that_needs_them(arrays):
    frame = sobol_indices(arrays, n=256, rng=5, leading=("intervene", "mediate")).indices
    assert frame.loc["P(backing)", "ST"] > 0.05


def test_custom_groups_and_each_input_alone(arrays):
    names = [i.name for i in build_gap_model(arrays, rng=0).inputs]
    alone = sobol_indices(arrays, n=128, rng=1, groups="inputs")
    assert set(alone.indices.index) == set(names)
    mapping = {n: "scores of Mediation" for n in names if n.startswith("score:")}
    grouped = sobol_indices(arrays, n=128, rng=1, groups=mapping)
    assert set(grouped.indices.index) == {"weights", "scores of Mediation"}
    with pytest.raises(DecideError, match="unknown inputs"):
        sobol_indices(arrays, n=128, rng=1, groups={"score: Nobody / Nothing": "x"})


def test_seeding_is_reproducible_and_zero_is_a_seed(arrays):
    a = sobol_indices(arrays, n=128, rng=0)
    b = sobol_indices(arrays, n=128, rng=0)
    c = sobol_indices(arrays, n=128, rng=1)
    assert a.seed == 0 and a.indices.equals(b.indices)
    assert not a.indices.equals(c.indices)
    entropy, streams = seed_streams(0, 3)
    assert entropy == 0 and all(s > 0 for s in streams) and len(set(streams)) == 3
    with pytest.raises(DecideError, match="non-negative integer"):
        sobol_indices(arrays, n=128, rng=-1)


def test_sample_size_is_rounded_up_to_a_power_of_two(arrays):
    result = sobol_indices(arrays, n=100, rng=2)
    assert result.n == 128
    assert result.n_evaluations == 128 * (len(result.indices) + 2)


def test_nothing_uncertain_gives_an_empty_table(arrays):
    fixed = replace(arrays.scores, kind=np.full_like(arrays.scores.kind, KIND_CODES["point"]))
    result = sobol_indices(replace(arrays, scores=fixed), n=64, rng=0, vary_weights=False)
    assert result.indices.empty and result.base_gap == pytest.approx(score_gap(arrays, "mediate", "wait"))
    assert any("No uncertain input" in note for note in result.notes)


def test_a_single_uncertain_group_explains_all_the_variance():
    """Point scores and a point probability: only the weights move the gap. SALib cannot analyse a
    grouped design with one group; one group carries every input, so S1 = ST = 1 exactly."""
    from decide.load import parse_case
    from decide.sensitivity.sobol import sobol_indices

    scale = {"low": 0, "high": 10, "low_means": "b", "high_means": "g"}
    data = {"id": "t", "title": "t",
            "criteria": {"id": "s", "name": "s", "criteria": [
                {"id": f"c{i}", "name": f"c{i}", "direction": "max", "scale": scale} for i in range(2)]},
            "options": [{"id": "a", "name": "a", "scores": {"c0": 5, "c1": 5}},
                        {"id": "b", "name": "b", "scores": {"c0": 7, "c1": 4}, "requires": ["q"],
                         "failure": {"c0": 2, "c1": 2}}],
            "preconditions": [{"id": "q", "question": "q?", "probability": 0.5}]}
    result = sobol_indices(parse_case(data), n=256, rng=3)
    assert list(result.indices.index) == ["weights"]
    assert result.indices.loc["weights", ["S1", "ST"]].tolist() == [1.0, 1.0]
    assert result.gap_sd > 0
