"""Scenario discovery (decide.discover) on a constructed case whose poor worlds are known exactly.

In ``tests/data/discover_pair.yaml`` the strategy a + b gains 0.125-0.175 of value per option whose
question says yes, so it gains less than 0.1 over doing nothing exactly when ``first`` and
``second`` both say no; ``unrelated`` is required by nobody (its answer and probability have no
effect on anything).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from decide.compile import compile_case
from decide.discover.core import discover
from decide.discover.worlds import draw_worlds
from decide.errors import DecideError
from decide.load import load_case
from decide.optimise.scenarios import draw_scenarios
from decide.optimise.strategy import scenario_values, strategy_space

DATA = Path(__file__).parents[1] / "data"
PAIR = DATA / "discover_pair.yaml"
N = 3000


@pytest.fixture(scope="module")
def pair():
    return load_case(PAIR)


@pytest.fixture(scope="module")
def pair_result(pair):
    return discover(pair, strategy=["a", "b"], threshold=0.1, n_draws=N, rng=11)


def test_first_box_is_the_pair_with_full_density_and_coverage(pair_result):
    r = pair_result
    assert r.strategy == ("a", "b")
    first = r.boxes[0]
    assert {(x.input, x.values) for x in first.restrictions} == {("first", ("no",)), ("second", ("no",))}
    assert first.density >= 0.99
    assert first.coverage >= 0.99
    assert first.words in ("first = no and second = no", "second = no and first = no")
    assert all(x.qp < 1e-6 for x in first.restrictions)
    # the poor worlds are exactly the worlds where both say no (about a quarter of them)
    assert 0.15 < r.share_poor < 0.35
    assert first.n_worlds == first.n_poor == r.n_poor


def test_poor_worlds_are_exactly_both_no(pair):
    arrays = compile_case(pair)
    space = strategy_space(arrays)
    worlds = draw_worlds(space, space.vector(["a", "b"]), N, rng=11)
    ids = [a.id for a in worlds.answer_inputs]
    both_no = ~worlds.answers[:, ids.index("first")] & ~worlds.answers[:, ids.index("second")]
    np.testing.assert_array_equal(worlds.gain < 0.1, both_no)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_input_without_effect_is_never_restricted(pair, seed):
    r = discover(pair, strategy=["a", "b"], worst=0.3, n_draws=2000, rng=seed)
    assert r.boxes, "the pair explains the worst worlds"
    restricted = {x.input for b in r.boxes for x in b.restrictions}
    assert not restricted & {"unrelated", "P(unrelated)"}


def test_reproducible_from_the_seed(pair, pair_result):
    again = discover(pair, strategy=["a", "b"], threshold=0.1, n_draws=N, rng=11)
    pd.testing.assert_frame_equal(again.to_frame(), pair_result.to_frame())
    pd.testing.assert_frame_equal(again.boxes_frame(), pair_result.boxes_frame())
    pd.testing.assert_frame_equal(again.trajectory_frame(), pair_result.trajectory_frame())
    assert again.seed == pair_result.seed == 11
    other = discover(pair, strategy=["a", "b"], threshold=0.1, n_draws=N, rng=12)
    assert other.n_poor != pair_result.n_poor


def test_default_strategy_is_the_recommended_one(pair):
    from decide.optimise.strategy import optimise_strategies

    r = discover(pair, threshold=0.1, n_draws=1000, rng=5)
    assert r.label == "recommended"
    assert r.strategy == optimise_strategies(compile_case(pair), rng=5, stability=0, out_of_sample=0).best


def test_an_option_is_examined_alone(pair):
    r = discover(pair, option="a", threshold=0.1, n_draws=1000, rng=4)
    assert r.strategy == ("a",)
    assert r.label == "option a"
    assert [x.words for x in r.boxes[0].restrictions] == ["first = no"]
    assert r.boxes[0].density == 1.0


def test_worst_share_marks_that_share(pair):
    r = discover(pair, strategy=["a", "b"], worst=0.2, n_draws=1000, rng=4)
    assert r.n_poor == 200
    assert r.worst == 0.2
    assert "worst 20%" in r.rule


def test_no_poor_world_gives_no_box(pair):
    r = discover(pair, strategy=["a", "b"], threshold=-1.0, n_draws=500, rng=4)
    assert r.n_poor == 0 and r.boxes == ()
    assert r.to_frame().empty and r.trajectory_frame().empty


def test_answers_face_the_strategys_enablers(minimal_case_path):
    """minimal_case: mediate adds 0.2 to P(backing); intervene requires backing."""
    arrays = compile_case(load_case(minimal_case_path))
    space = strategy_space(arrays)
    alone = draw_worlds(space, space.vector(["intervene"]), 4000, rng=2)
    mediated = draw_worlds(space, space.vector(["mediate"]), 4000, rng=2)
    backing = [a.id for a in alone.answer_inputs].index("backing")
    p_index = [f.id for f in alone.float_inputs].index("P(backing)")
    np.testing.assert_allclose(mediated.floats[:, p_index], np.minimum(alone.floats[:, p_index] + 0.2, 1.0),
                               rtol=1e-6)
    assert mediated.answers[:, backing].mean() > alone.answers[:, backing].mean() + 0.1
    # the same uniforms: every yes without mediation stays a yes with it
    assert not (alone.answers[:, backing] & ~mediated.answers[:, backing]).any()


def test_gain_is_the_strategies_engines_value(minimal_case_path):
    arrays = compile_case(load_case(minimal_case_path))
    space = strategy_space(arrays)
    x = space.vector(["intervene"])
    worlds = draw_worlds(space, x, 1500, rng=9)
    values = scenario_values(space, np.stack([x, np.zeros_like(x)]), draw_scenarios(arrays, 1500, rng=9),
                             arrays.weights)
    np.testing.assert_allclose(worlds.gain, values[0] - values[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(worlds.value, values[0], rtol=0, atol=1e-12)


def test_drawn_weights_are_inputs_and_give_each_worlds_value(minimal_case_path):
    arrays = compile_case(load_case(minimal_case_path))
    space = strategy_space(arrays)
    x = space.vector(["intervene"])
    worlds = draw_worlds(space, x, 600, rng=9, weights="uniform")
    w_cols = [j for j, f in enumerate(worlds.float_inputs) if f.kind == "weight"]
    assert len(w_cols) == arrays.n_criteria
    w = worlds.floats[:, w_cols].astype(float)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-6)
    scenarios = draw_scenarios(arrays, 600, rng=9)
    for s in (0, 17, 599):  # each world's value is the engine's value under that world's weights
        one = scenario_values(space, np.stack([x, np.zeros_like(x)]), scenarios, w[s] / w[s].sum())
        assert worlds.gain[s] == pytest.approx(one[0, s] - one[1, s], abs=1e-5)
    r = discover(load_case(minimal_case_path), strategy=["intervene"], weights="uniform", worst=0.2, n_draws=600,
                 rng=9)
    assert r.weights == "uniform" and r.n_draws == 600


@pytest.mark.parametrize("kwargs, words", [
    (dict(strategy=["a"], option="b"), "not both"),
    (dict(option="zzz"), "unknown option 'zzz'; known: a, b"),
    (dict(option="nothing"), "is the baseline"),
    (dict(strategy=[]), "strategy is empty"),
    (dict(threshold=0.1, worst=0.2), "threshold (a gain over doing nothing) or worst"),
    (dict(worst=1.5), "worst must be a finite number > 0 and < 1"),
    (dict(n_draws=1), "n_draws must be at least 2"),
    (dict(weights="hawks"), "unknown weight profile 'hawks'; give a profile id (even)"),
    (dict(rng=-1), "rng must be a seed"),
])
def test_bad_arguments_name_the_field(pair, kwargs, words):
    with pytest.raises(DecideError) as info:
        discover(pair, n_draws=kwargs.pop("n_draws", 200), **kwargs)
    assert words in str(info.value)


def test_chart_is_a_png_and_changes_nothing_global(pair_result, tmp_path):
    import matplotlib

    from decide.discover.figures import plot_trajectory

    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    path = plot_trajectory(pair_result, tmp_path / "boxes.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend() == backend
    import sys

    if "matplotlib.pyplot" in sys.modules:
        assert not sys.modules["matplotlib.pyplot"].get_fignums()
