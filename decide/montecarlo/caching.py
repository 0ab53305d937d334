"""Numba's on-disk cache for the kernel, stamped with every file the kernel is compiled from.

Numba caches a compiled function beside its source and reuses it while that one file is
unchanged. But a compiled function embeds the code of the compiled functions it calls
(``_outcomes`` the inverse CDFs, and before the stages were units of their own, ``run_chunk``
the stages) and the constants it reads: after an
edit to ``outcomes.py`` alone, a cached ``run_chunk`` (``stages.py``) would still run the old
outcome stage (seen while the kernel was cut into this package: a change that made no
difference to the results ran at the speed of the code it replaced). So the package's functions
are cached with one stamp for all of the kernel's sources: an edit to any of them recompiles all
of them, as when the kernel was one file.

:func:`install` puts locators with that stamp before numba's own; they take only this package's
files, and are numba's in-tree, user-wide and ``NUMBA_CACHE_DIR`` locators otherwise. It uses
``numba.core.caching.CacheImpl._locator_classes``, numba's list of locators (an internal name;
``NUMBA_CACHE_LOCATOR_CLASSES``, when set, takes precedence). Should a numba release drop it, the
cache keeps numba's per-file stamps.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from numba.core import caching

__all__ = ["SOURCES", "sources_stamp", "install", "kernels_cached"]

_PACKAGE = Path(__file__).resolve().parent
SOURCES = (*sorted(_PACKAGE.glob("*.py")), _PACKAGE.parent / "compile.py")
"""The kernel's sources: this package, and :mod:`decide.compile`, whose codes (distribution,
probability and enabler kinds) the kernel compiles in as constants."""


def sources_stamp() -> bytes:
    """A digest of the kernel's sources (their names and contents)."""
    stats = [(p, os.stat(p)) for p in SOURCES]
    return _digest(tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in stats))


@functools.lru_cache(maxsize=8)
def _digest(stats: tuple[tuple[str, int, int], ...]) -> bytes:
    # Keyed on the files' times and sizes, so that a file edited while the process runs is re-read.
    digest = hashlib.sha256()
    for path, _, _ in stats:
        digest.update(Path(path).name.encode())
        digest.update(Path(path).read_bytes())
    return digest.digest()


class _KernelStamp:
    """A numba locator for this package's files only, stamped with all of the kernel's sources."""

    @classmethod
    def from_function(cls, py_func, py_file):
        if Path(py_file).resolve().parent != _PACKAGE:
            return None
        return super().from_function(py_func, py_file)

    def get_source_stamp(self) -> bytes:
        return sources_stamp()


class _UserProvided(_KernelStamp, caching.UserProvidedCacheLocator):
    pass


class _InTree(_KernelStamp, caching.InTreeCacheLocator):
    pass


class _UserWide(_KernelStamp, caching.UserWideCacheLocator):
    pass


def install() -> None:
    """Put the kernel's locators first in numba's list (once); before any function of the package
    is compiled with ``cache=True``, which chooses its locator when it is defined."""
    locators = getattr(caching.CacheImpl, "_locator_classes", None)
    if not isinstance(locators, list) or _InTree in locators:
        return
    locators[0:0] = [_UserProvided, _InTree, _UserWide]  # numba's order: NUMBA_CACHE_DIR, in-tree, user-wide


def kernels_cached() -> bool:
    """Whether numba's cache holds the kernel compiled from these sources (``run_chunk`` and the
    units every run calls, see :mod:`~decide.montecarlo.entries`), so that a run loads it instead
    of compiling for several seconds. True when it cannot tell."""
    try:
        from decide.montecarlo.accumulate import _accumulate
        from decide.montecarlo.entries import unit_of
        from decide.montecarlo.outcomes import _outcomes
        from decide.montecarlo.stages import _answers, _world, run_chunk

        functions = (run_chunk, *(unit_of(f) for f in (_world, _answers, _outcomes, _accumulate)))
        return all(f._cache._cache_file._load_index() for f in functions)  # numba internals: guarded
    except Exception:  # noqa: BLE001 - only decides whether to print a note
        return True
