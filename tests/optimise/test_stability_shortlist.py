"""Stability reruns over a shortlist: the best of the first run, when more strategies are feasible."""

from __future__ import annotations

from pathlib import Path

import pytest

import decide.optimise.enumeration as enumeration
import decide.optimise.strategy as strategy
from decide.compile import compile_case
from decide.load import load_case

FIRST_EDITION = Path(__file__).resolve().parents[1] / "data" / "mali-2012-first-edition.yaml"


@pytest.mark.parametrize("shortlist", [16, 64])
def test_reruns_on_the_shortlist_choose_what_the_full_reruns_choose(monkeypatch, shortlist):
    arrays = compile_case(load_case(FIRST_EDITION))
    # few scenarios, so that some reruns choose another strategy than the first run
    full = strategy.optimise_strategies(arrays, n_scenarios=20, rng=3, out_of_sample=0, stability=3)
    assert not all(r.same for r in full.stability_runs)
    monkeypatch.setattr(enumeration, "RERUN_SHORTLIST", shortlist)
    short = strategy.optimise_strategies(arrays, n_scenarios=20, rng=3, out_of_sample=0, stability=3)
    assert [r.best for r in short.stability_runs] == [r.best for r in full.stability_runs]
    assert short.strategies == full.strategies
    assert any(f"over the {shortlist:,} best of the" in n for n in short.notes)
    assert not any("best of the" in n for n in full.notes)
