"""One seed policy (decide.seeds): rng=None is fresh entropy, recorded so that it reruns exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import decide
from decide.seeds import DEFAULT_SEED, resolve_seed

CASE_FILE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"


@pytest.fixture(scope="module")
def case() -> decide.Case:
    return decide.load_case(CASE_FILE)


def test_fresh_entropy_is_recorded_and_reruns_exactly(case: decide.Case) -> None:
    first, second = decide.simulate(case, 3000), decide.simulate(case, 3000)
    assert first.seed != second.seed  # None means fresh entropy, not a hidden default
    again = decide.simulate(case, 3000, rng=first.seed)
    assert again.seed == first.seed
    assert np.array_equal(again.estimates["mean"], first.estimates["mean"])


@pytest.mark.parametrize("make", [lambda: np.random.SeedSequence(9).spawn(3)[2], lambda: np.random.default_rng(4),
                                  lambda: 11])
def test_every_kind_of_rng_is_recorded_so_that_it_reruns(case: decide.Case, make) -> None:
    result = decide.simulate(case, 2000, rng=make())
    again = decide.simulate(case, 2000, rng=result.seed)
    assert np.array_equal(again.estimates["p_best"], result.estimates["p_best"])
    sobol = decide.sobol_indices(case, 32, rng=make(), num_resamples=10)
    assert decide.sobol_indices(case, 32, rng=sobol.seed, num_resamples=10).indices.equals(sobol.indices)


def test_a_spawned_seed_sequence_keeps_its_spawn_key() -> None:
    child = np.random.SeedSequence(9).spawn(3)[2]
    _, recorded = resolve_seed(child)
    assert recorded == {"entropy": 9, "spawn_key": [2]}
    root, _ = resolve_seed(recorded)
    assert np.array_equal(root.generate_state(8), child.generate_state(8))


def test_strategies_record_a_reproducible_seed(case: decide.Case) -> None:
    child = np.random.SeedSequence(5).spawn(2)[1]
    result = decide.optimise_strategies(case, n_scenarios=60, out_of_sample=100, rng=child, stability=0)
    assert result.seed == {"entropy": 5, "spawn_key": [1]}
    again = decide.optimise_strategies(case, n_scenarios=60, out_of_sample=100, rng=result.seed, stability=0)
    assert again.to_frame().equals(result.to_frame())


def test_tornado_records_its_seed(case: decide.Case) -> None:
    frame = decide.tornado(case)
    assert decide.tornado(case, rng=frame.attrs["seed"]).equals(frame)


def test_the_command_line_default_is_stated_once_and_reproducible_from_python(case: decide.Case) -> None:
    from decide.cli import cli

    out = CliRunner().invoke(cli, ["simulate", str(CASE_FILE), "-n", "2000", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert f'"seed": {DEFAULT_SEED}' in out.output
    for command in ("simulate", "report", "strategies"):
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        assert f"default: {DEFAULT_SEED}" in help_text.replace("\n", " ").replace("  ", " ")
    mean = decide.simulate(case, 2000, rng=DEFAULT_SEED).summary["mean"]
    assert f"{mean['mediate']:.6f}"[:6] in out.output


@pytest.mark.parametrize("bad", [-1, 1.5, "1", True])
def test_a_bad_seed_is_refused_naming_rng(case: decide.Case, bad) -> None:
    with pytest.raises(decide.DecideError, match="rng"):
        decide.simulate(case, 100, rng=bad)


@pytest.mark.parametrize("keyword", ["imprecise", "uniform", "profiles", "maximin", "minimax_regret"])
def test_weights_keywords_are_reserved(minimal_data, keyword: str) -> None:
    minimal_data["weights"]["profiles"][1]["id"] = keyword
    with pytest.raises(decide.CaseError) as raised:
        decide.parse_case(minimal_data)
    assert any(p.path == "weights.profiles[1].id" and "reserved" in p.message for p in raised.value.problems)


def test_simulate_filters_no_warnings_of_its_own(case: decide.Case) -> None:
    # The driver used to silence every RuntimeWarning around the run (the user's own too); the
    # kernel raises none, so a warning raised while it runs reaches the caller.
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = decide.simulate(case, 5000, rng=3, progress=lambda n: warnings.warn("from progress", RuntimeWarning))
    assert any("from progress" in str(w.message) for w in caught)
    assert not [w for w in caught if "from progress" not in str(w.message)]
    assert result.n_draws == 5000
