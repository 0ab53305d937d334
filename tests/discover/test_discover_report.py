"""The report's "Where the recommendation goes wrong" section: its worlds are the strategies
section's own (the share of poor worlds is the Summary's "beats doing nothing" from the other
side), and it names the first box with coverage, density and mass."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from decide.compile import compile_case
from decide.discover.report import discover_for_report, where_it_goes_wrong
from decide.load import load_case
from decide.optimise.strategy import optimise_strategies
from decide.report.build import strategy_values

PAIR = Path(__file__).parents[1] / "data" / "discover_pair.yaml"


@pytest.fixture(scope="module")
def analyses():
    """The parts of the report's analyses the section reads, for the pair case (whose strategy a + b
    never does worse than doing nothing: each option only adds)."""
    arrays = compile_case(load_case(PAIR))
    best = optimise_strategies(arrays, rng=5, n_scenarios=200, out_of_sample=3000, stability=0)
    values = strategy_values(arrays, best.best, ("a", "b"), n=best.n_out_of_sample, rng=best.seed, weights=None)
    return SimpleNamespace(arrays=arrays, context=SimpleNamespace(weights=None),
                           strategies=SimpleNamespace(best=best, values=values))


def test_no_poor_world_is_said_plainly(analyses):
    d = discover_for_report(analyses)
    assert d.strategy == ("a", "b") and d.n_draws == 3000
    assert d.n_poor == 0  # each option only adds: the strategy never does worse than doing nothing
    text = where_it_goes_wrong(SimpleNamespace(discovery=d))
    assert text.startswith("## Where the recommendation goes wrong")
    assert "In none of the 3,000 simulated worlds does the recommended strategy do worse than doing nothing" in text


def test_first_box_with_its_numbers_on_the_summarys_worlds(minimal_case_path):
    """minimal_case: the recommended strategy can do worse than doing nothing (a failed
    intervention); the section's share of such worlds is 1 - P(beats doing nothing)."""
    arrays = compile_case(load_case(minimal_case_path))
    best = optimise_strategies(arrays, rng=3, n_scenarios=300, out_of_sample=4000, stability=0)
    values = strategy_values(arrays, best.best, (), n=best.n_out_of_sample, rng=best.seed, weights=None)
    a = SimpleNamespace(arrays=arrays, context=SimpleNamespace(weights=None),
                        strategies=SimpleNamespace(best=best, values=values))
    d = discover_for_report(a)
    assert d.n_draws == values.n_scenarios
    assert d.share_poor == pytest.approx(1 - values.p_beats_nothing, abs=1e-12)  # no ties: continuous draws
    text = where_it_goes_wrong(SimpleNamespace(discovery=d))
    if d.n_poor and d.boxes:
        box = d.boxes[0]
        assert f"{box.coverage:.0%} of them (coverage)" in text
        assert f"{box.density:.0%} of the worlds inside it (density" in text
        assert f"{box.mass:.0%} of all worlds (mass)" in text
        first = box.restrictions[0]
        assert first.input in text


def test_without_a_recommended_strategy_there_is_no_section():
    assert discover_for_report(SimpleNamespace(strategies=None)) is None
    assert where_it_goes_wrong(SimpleNamespace(discovery=None)) == ""
    assert where_it_goes_wrong(SimpleNamespace()) == ""


def test_every_world_poor_is_said_plainly(minimal_case_path):
    from decide.discover.core import discover

    d = discover(load_case(minimal_case_path), strategy=["intervene"], n_draws=500, rng=1)
    assert d.n_poor == d.n_draws and not d.boxes
    text = where_it_goes_wrong(SimpleNamespace(discovery=d))
    assert "In every one of the 500 simulated worlds the recommended strategy does worse" in text
