"""Analyses shared by the report's section tests: the Mali case (baseline, strategies, actors) at
few draws, and the small test case without strategies."""

from pathlib import Path

import pytest

from decide.report.build import run_analyses

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"


@pytest.fixture(scope="session")
def mali():
    return run_analyses("mali-2012", n_draws=4000, seed=20121)


@pytest.fixture(scope="session")
def minimal_without_strategies():
    return run_analyses(MINIMAL, n_draws=2000, seed=7, strategies=False)
