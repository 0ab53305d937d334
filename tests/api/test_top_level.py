"""Every name in ``decide.__all__``, as a notebook user meets it: called twice, with real signatures.

The top level once exposed ``(**kwargs)`` wrappers, a ``report`` function that the subpackage of
the same name replaced on first use (the second call raised "'module' object is not callable"),
and three default seeds. Each test here calls through ``decide.<name>`` looked up afresh, as a
notebook cell does.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

import decide

CASE_FILE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"
MATRIX = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]}, index=["x", "y", "z"])
PAIRWISE = np.array([[1.0, 3.0], [1 / 3, 1.0]])


@pytest.fixture(scope="module")
def case() -> decide.Case:
    return decide.load_case(CASE_FILE)


def _frames_case() -> decide.Case:
    criteria = pd.DataFrame({"id": ["security", "cost"], "direction": ["max", "min"], "low": [0, 0],
                             "high": [10, 10]})
    options = pd.DataFrame({"name": ["Wait", "Act"], "baseline": [True, False], "requires": [None, "consent"]},
                           index=["wait", "act"])
    scores = pd.DataFrame({"security": [3, 8], "cost": [0, 6]}, index=["wait", "act"])
    preconditions = pd.DataFrame({"question": ["Would the government consent?"], "probability": [0.7]},
                                 index=["consent"])
    return decide.case_from_frames(options=options, scores=scores, criteria=criteria, preconditions=preconditions)


# name -> a call of it on the minimal case (or None: not callable, checked by TYPES)
CALLS: dict[str, Callable[[decide.Case, Path], Any]] = {
    "load_case": lambda c, tmp: decide.load_case(CASE_FILE),
    "parse_case": lambda c, tmp: decide.parse_case(__import__("yaml").safe_load(CASE_FILE.read_text())),
    "case_from_frames": lambda c, tmp: _frames_case(),
    "dump_case": lambda c, tmp: decide.dump_case(c),
    "bundled_cases": lambda c, tmp: decide.bundled_cases(),
    "score": lambda c, tmp: decide.score(c, weights="hawk"),
    "score_profiles": lambda c, tmp: decide.score_profiles(c),
    "score_matrix": lambda c, tmp: decide.score_matrix(MATRIX, [0.5, 0.5], directions=["max", "min"]),
    "ahp_weights": lambda c, tmp: decide.ahp_weights(PAIRWISE),
    "simulate": lambda c, tmp: decide.simulate(c, 2000, rng=1),
    "weight_sweeps": lambda c, tmp: decide.weight_sweeps(c),
    "crossover_table": lambda c, tmp: decide.crossover_table(decide.weight_sweeps(c)),
    "least_change_table": lambda c, tmp: decide.least_change_table(c),
    "potential_optimality_table": lambda c, tmp: decide.potential_optimality_table(c),
    "dominance_table": lambda c, tmp: decide.dominance_table(c),
    "sobol_indices": lambda c, tmp: decide.sobol_indices(c, 64, rng=1, num_resamples=10),
    "tornado": lambda c, tmp: decide.tornado(c, rng=1),
    "optimise_strategies": lambda c, tmp: decide.optimise_strategies(c, n_scenarios=100, out_of_sample=200, rng=1),
    "core_index": lambda c, tmp: decide.core_index(c, n_scenarios=100, rng=1),
    "discover": lambda c, tmp: decide.discover(c, ["mediate"], n_draws=2000, rng=1),
    "explore": lambda c, tmp: decide.explore(str(CASE_FILE), EXPLORE_DESIGN, workers=1),
}
EXPLORE_DESIGN = {"seed": 7, "experiments": 2, "draws": 500, "strategies": {"scenarios": 50, "out_of_sample": 100},
                  "parameters": [{"id": "p_backing", "target": "preconditions.backing.probability",
                                  "range": [0.1, 0.9]}]}
SLOW_CALLS = {"explore"}  # starts a pool of workers
# Reports are written twice in test_write_report_twice_from_a_case_and_from_a_file.
NOT_CALLED_HERE = {"write_report"}
TYPES = {"Case", "ScoreResult", "SimulationResult", "SobolResult", "WeightSweep", "DiscoveryResult", "DecideError",
         "CaseError", "SolverError", "Problem", "DecideWarning"}
VALUES = {"__version__", "DEFAULT_SEED"}


def test_every_exported_name_is_tested_here() -> None:
    assert set(decide.__all__) == set(CALLS) | NOT_CALLED_HERE | TYPES | VALUES
    assert len(decide.__all__) == len(set(decide.__all__))
    assert all(hasattr(decide, name) for name in decide.__all__)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_CALLS else n
                                  for n in sorted(CALLS)])
def test_each_function_works_twice_in_a_row(name: str, case: decide.Case, tmp_path: Path) -> None:
    first = CALLS[name](case, tmp_path)
    second = CALLS[name](case, tmp_path)
    assert type(first) is type(second)
    if isinstance(first, pd.DataFrame):
        timings = ["seconds", "engine_seconds"]  # explore's rows say how long they took
        pd.testing.assert_frame_equal(first.drop(columns=timings, errors="ignore"),
                                      second.drop(columns=timings, errors="ignore"))
    elif hasattr(first, "to_frame") and name != "ahp_weights":
        pd.testing.assert_frame_equal(first.to_frame(), second.to_frame())


@pytest.mark.parametrize("name", ["discover", "explore"])
def test_a_function_named_like_its_subpackage_survives_the_subpackage_s_imports(name: str) -> None:
    # decide.report once became the subpackage after its first use; these two share their
    # subpackage's name too, so the function must stay bound however the subpackage is imported.
    import importlib
    import pkgutil

    package = importlib.import_module(f"decide.{name}")
    for module in pkgutil.iter_modules(package.__path__, f"decide.{name}."):
        importlib.import_module(module.name)
    assert callable(getattr(decide, name)) and not inspect.ismodule(getattr(decide, name))


@pytest.mark.parametrize("name", sorted(TYPES))
def test_exported_types_are_classes(name: str) -> None:
    assert inspect.isclass(getattr(decide, name))
    assert issubclass(decide.DecideWarning, UserWarning) and issubclass(decide.CaseError, decide.DecideError)


@pytest.mark.parametrize("name", sorted(CALLS.keys() | NOT_CALLED_HERE))
def test_functions_show_their_real_parameters(name: str) -> None:
    function = getattr(decide, name)
    parameters = inspect.signature(function).parameters
    hidden = [p.name for p in parameters.values() if p.kind is p.VAR_KEYWORD]
    # score and score_matrix take method parameters, case_from_frames a case file's other sections
    assert hidden in ([], ["params"], ["sections"]), hidden
    assert function.__doc__
    if function.__module__ == "decide.api":  # the numpydoc entry points
        documented = function.__doc__.split("Returns")[0]
        assert "Parameters\n    ----------" in function.__doc__
        assert all(p in documented for p in parameters), [p for p in parameters if p not in documented]


def test_help_shows_real_parameters() -> None:
    import io
    from contextlib import redirect_stdout

    text = io.StringIO()
    with redirect_stdout(text):
        help(decide.simulate)
    assert "rng" in text.getvalue() and "n_draws" in text.getvalue() and "**kwargs" not in text.getvalue()


def test_import_decide_leaves_the_engines_unimported() -> None:
    import subprocess
    import sys

    code = ("import decide, sys; print(sorted({'numba', 'pyomo', 'matplotlib', 'SALib', 'decide.montecarlo'} "
            "& set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_write_report_twice_from_a_case_and_from_a_file(case: decide.Case, tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    backend_before = matplotlib.get_backend()
    matplotlib.use("svg")  # a notebook's own backend, which a report must leave alone
    try:
        params_before = dict(matplotlib.rcParams)
        written = []
        for name, what in (("a", case), ("b", case), ("c", CASE_FILE), ("d", str(CASE_FILE))):
            written.append(decide.write_report(what, tmp_path / name, n_draws=2000, sobol_n=64, rng=5,
                                               strategies=False))
        assert matplotlib.get_backend() == "svg" and plt.get_fignums() == []
        assert {k for k in params_before if params_before[k] != matplotlib.rcParams[k]} == set()
    finally:
        matplotlib.use(backend_before)
    a, b, c, _ = (path / "report.md" for path in written)
    assert a.read_text() == b.read_text()
    assert "| Case file | `case.yaml` |" in a.read_text() and "| Seed | 5 |" in a.read_text()
    # the case written beside the report is the case, and regenerates the same report
    assert decide.load_case(written[0] / "case.yaml") == case
    assert "case.yaml" not in {p.name for p in written[2].iterdir()}
    assert f"`{CASE_FILE}`" in c.read_text()


def test_write_report_from_a_case_built_from_frames(tmp_path: Path) -> None:
    criteria = pd.DataFrame({"id": ["security", "cost"], "direction": ["max", "min"], "low": [0, 0],
                             "high": [10, 10]})
    options = pd.DataFrame({"id": ["wait", "act", "talk"], "baseline": [True, False, False],
                            "requires": [None, "consent", None]})
    scores = pd.DataFrame({
        "option": ["wait", "wait", "act", "act", "talk", "talk"],
        "criterion": ["security", "cost"] * 3,
        "value": [3, 0, None, 6, None, 2],
        "kind": [None, None, "triangular", None, "uniform", None],
        "low": [None, None, 5, None, 3, None], "mode": [None, None, 8, None, None, None],
        "high": [None, None, 9, None, 6, None],
        "section": ["Summary"] * 6, "rationale": ["as the brief says"] * 6})
    preconditions = pd.DataFrame({"id": ["consent"], "question": ["Would the government consent?"],
                                  "low": [0.5], "high": [0.8]})
    built = decide.case_from_frames(options=options, scores=scores, criteria=criteria, preconditions=preconditions,
                                    source={"title": "A brief", "sections": ["Summary"]})
    assert built.options[1].scores["security"].kind == "triangular"
    assert built.options[0].scores["security"].evidence.rationale == "as the brief says"
    out = decide.write_report(built, tmp_path / "r", n_draws=1000, sobol_n=32, rng=2, strategies=False)
    assert decide.load_case(out / "case.yaml") == built


def test_case_from_frames_names_the_row_and_column_of_a_mistake() -> None:
    criteria = pd.DataFrame({"id": ["security"], "direction": ["max"], "low": [0], "high": [10]})
    options = pd.DataFrame({"name": ["Wait", "Act"]}, index=["wait", "act"])
    scores = pd.DataFrame({"security": [3, "high"]}, index=["wait", "act"])
    preconditions = pd.DataFrame({"question": ["Q?"], "probability": [1.5]}, index=["q"])
    with pytest.raises(decide.CaseError) as raised:
        decide.case_from_frames(options=options, scores=scores, criteria=criteria, preconditions=preconditions)
    paths = {p.path for p in raised.value.problems}
    assert {"options[1].scores.security", "preconditions[0].probability"} <= paths
    with pytest.raises(TypeError, match="options must be a pandas DataFrame"):
        decide.case_from_frames(options={"wait": 1}, scores=scores, criteria=criteria)


def test_report_subpackage_is_not_a_function() -> None:
    import decide.report.write  # noqa: F401

    assert inspect.ismodule(decide.report) and "report" not in decide.__all__
