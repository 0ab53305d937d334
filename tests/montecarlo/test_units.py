"""The kernel's stages as compiled units called through their entry points (issue 20, cold start):
cached on disk like every kernel function, guarded against a mismatch of argument types, and
compiled on two processes on a cold start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numba as nb
import numpy as np
import pytest

from decide.montecarlo import caching
from decide.montecarlo.entries import call_entry, entry, unit_of


def test_the_units_of_stages_called_from_python_are_cached_with_the_kernels_stamp() -> None:
    """A stage a test calls from Python keeps numba's CPython wrapper; the kernel runs a twin
    without one, which must be cached on disk too (it was not, at first: compiled on every run)."""
    from decide.montecarlo.outcomes import _outcomes
    from decide.montecarlo.stages import _answers, _start_values, _world

    for stage in (_world, _answers, _start_values, _outcomes):
        unit = unit_of(stage)
        assert unit is not stage and unit is unit_of(stage)
        assert unit.targetoptions["no_cpython_wrapper"]
        locator = unit._cache._impl.locator  # a NullCache has no _impl
        assert isinstance(locator, caching._KernelStamp)
        assert locator.get_source_stamp() == caching.sources_stamp()


@nb.njit(no_cpython_wrapper=True)
def _add_one(x):
    x[0] += 1.0


@nb.njit
def _call(address, key, x):
    call_entry(address, key, (x,))


def test_an_entry_point_runs_and_one_for_other_types_is_refused() -> None:
    x = np.zeros(1)
    address, key = entry(_add_one, (nb.typeof(x),))
    _call(address, key, x)
    assert x[0] == 1.0
    with pytest.raises(RuntimeError, match="other argument types"):
        _call(address, key + 1, x)
    assert x[0] == 1.0


_COLD = """
import numba as nb, numpy as np
from decide.montecarlo.entries import _in_cache, compile_units
from decide.montecarlo.special import ndtri
from decide.montecarlo.streams import fill_uniforms
jobs = [(fill_uniforms, (nb.typeof(np.zeros(4, np.uint64)), nb.typeof(np.zeros(3)), nb.int64), False, 1.0),
        (ndtri, (nb.float64,), False, 1.0)]
if "{step}" == "compile":
    compile_units(jobs)
print(all(_in_cache(f, sig) for f, sig, _, _ in jobs))
"""


def test_a_cold_start_compiles_the_units_into_numbas_cache(tmp_path) -> None:
    """compile_units (here and in its helper process) leaves every unit in numba's on-disk cache,
    where a new process finds it."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"), DECIDE_COMPILE_HELPER="1", TMPDIR=str(temp))

    def run(step: str) -> str:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(_COLD.format(step=step))], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run("check") == "False"
    assert run("compile") == "True"
    assert run("check") == "True"
    assert not list(temp.iterdir())  # the helper's folder of claims is gone
