"""Every docstring example of the package, run as a test (CI runs the whole suite).

The examples are collected from the installed package with :mod:`doctest`, not with pytest's
``--doctest-modules``: CI installs decide from a wheel, and collecting the source tree would
import a second copy of every module. Examples read the test case by its path from the project's
root, so they run there.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import decide

ROOT = Path(__file__).parents[2]
MODULES = sorted(m.name for m in pkgutil.walk_packages(decide.__path__, "decide.") if not m.name.endswith("__main__"))
# Examples that run the engines for seconds: the inner loop (-m "not slow") skips them.
SLOW = {"decide.optimise.core_index", "decide.optimise.strategy", "decide.api", "decide.sensitivity.sobol"}


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder(exclude_empty=True).find(module, name) if t.examples]


@pytest.mark.parametrize("name", [pytest.param(m, marks=pytest.mark.slow) if m in SLOW else m for m in MODULES])
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tests = _examples(name)
    if not tests:
        pytest.skip("no examples")
    monkeypatch.chdir(ROOT)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} examples failed in {name} (output above)"
