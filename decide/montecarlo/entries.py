"""Compiled units of the kernel, called through their entry points, so that each compiles once.

Numba compiles a jitted function that another calls on its own (typing, lowering, LLVM's passes,
machine code), then links its code into the caller's module, where LLVM optimises it again and
makes machine code of it again; inlined instead (``inline="always"``) it is compiled only there,
but with the caller's options (``_outcomes`` and ``_accumulate`` need their own fastmath flags)
and into one function so large that LLVM took longer per instruction. :func:`run_chunk
<decide.montecarlo.stages.run_chunk>` calls each stage through its *entry point* instead: the
address of the compiled function (numba's own calling convention, :func:`call_entry`), which the
driver gets with :func:`entry` and passes in. The caller's module holds a call, not the stage;
each stage is compiled (or loaded from numba's cache) once per process and signature, and only
when a run calls it.

The address is a run-time argument, never a constant of the compiled caller (which is cached on
disk). The caller checks a key of the argument types it was compiled for against the key the
address came with, and raises rather than call a function compiled for other types.

Units are independent, so a cold start compiles them on two processes (:func:`compile_units`):
numba compiles under a lock held for the whole of a function's compilation, so threads would take
turns. A helper process (``python -c "...entries import _helper"``) and this one take the units
not yet in numba's cache, largest first, each claiming the next one no one has (a file created
exclusively in a shared folder); the helper's land in numba's on-disk cache, from which this
process loads them once the helper has ended. Whatever the helper did not compile (it failed, or
was not started: one CPU, ``DECIDE_COMPILE_HELPER=0``, a process of a pool, a cache numba cannot
write) is compiled here as before.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from types import FunctionType

import numba as nb
import numpy as np

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.caching import NullCache
from numba.extending import intrinsic

__all__ = ["entry", "entries", "unit_of", "compile_units", "call_entry", "signature_key"]

logger = logging.getLogger(__name__)


def signature_key(argtypes) -> int:
    """A key of a signature (numba types), the same in every process."""
    return zlib.crc32(" ".join(str(t) for t in argtypes).encode())


@intrinsic
def call_entry(typingctx, address, key, args):
    """``f(*args)`` for the jitted function ``f`` at ``address`` (from :func:`entry`), which
    returns nothing; raises RuntimeError unless ``key`` is the key of ``args``'s types."""
    if not (isinstance(address, types.Integer) and isinstance(key, types.Integer)
            and isinstance(args, types.BaseTuple)):
        return None
    argtypes = tuple(args)
    expected = signature_key(argtypes)

    def codegen(context, builder, signature, llargs):
        addr, got, packed = llargs
        wrong = builder.icmp_signed("!=", got, ir.Constant(got.type, expected))
        with cgutils.if_unlikely(builder, wrong):
            context.call_conv.return_user_exc(
                builder, RuntimeError, ("a stage's entry point was compiled for other argument types",))
        fnty = context.call_conv.get_function_type(types.none, argtypes)
        fn = builder.inttoptr(addr, fnty.as_pointer())
        values = [builder.extract_value(packed, i) for i in range(len(argtypes))]
        status, _ = context.call_conv.call_function(builder, fn, types.none, argtypes, values)
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return context.get_dummy_value()

    return types.none(address, key, args), codegen


_lock = threading.RLock()
_entries: dict = {}
_units: dict = {}


def unit_of(dispatcher):
    """The kernel's compiled unit of a jitted function: the function itself if it is compiled
    without numba's CPython wrapper (``no_cpython_wrapper``), else a twin of it without one
    (same code and options, cached apart under its own name, ``<name>.unit``). A unit is called
    only through its entry point; the wrapper (which unboxes every array of the arguments from
    Python objects) is needed only where a test calls the stage from Python, and compiling it
    took about as long as a small stage."""
    if dispatcher.targetoptions.get("no_cpython_wrapper"):
        return dispatcher
    with _lock:
        twin = _units.get(dispatcher)
        if twin is None:
            f = dispatcher.py_func
            code = FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
            code.__qualname__, code.__module__, code.__doc__ = f"{f.__qualname__}.unit", f.__module__, f.__doc__
            options = {k: v for k, v in dispatcher.targetoptions.items() if k not in ("inline", "nopython")}
            cache = not isinstance(dispatcher._cache, NullCache)  # cache=True is not a target option
            twin = _units[dispatcher] = nb.njit(**options, cache=cache, no_cpython_wrapper=True)(code)
    return twin


def entry(dispatcher, argtypes) -> tuple[int, int]:
    """The entry point of ``dispatcher``'s unit (:func:`unit_of`) compiled for ``argtypes`` (numba
    types; compiled, or loaded from the cache, on first use) and its :func:`signature_key`, for
    :func:`call_entry`."""
    argtypes = tuple(argtypes)
    with _lock:
        dispatcher = unit_of(dispatcher)
        found = _entries.get((dispatcher, argtypes))
        if found is None:
            dispatcher.compile(argtypes)
            cres = dispatcher.overloads[argtypes]
            address = cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)
            if not address:
                raise RuntimeError(f"no entry point for {dispatcher.py_func.__name__}{argtypes}")
            found = _entries[(dispatcher, argtypes)] = (address, signature_key(argtypes))
    return found


def entries(units) -> np.ndarray:
    """An ``(len(units), 2)`` table of :func:`entry` for each ``(dispatcher, argtypes)`` of
    ``units``, ``(0, 0)`` where a unit is None."""
    out = np.zeros((len(units), 2), dtype=np.int64)
    for i, unit in enumerate(units):
        if unit is not None:
            out[i] = entry(*unit)
    return out


def _in_cache(dispatcher, argtypes) -> bool | None:
    """Whether ``dispatcher`` is compiled for ``argtypes`` here or in numba's cache (None: it cannot
    tell, or the function is not cached on disk)."""
    if argtypes in dispatcher.overloads:
        return True
    try:  # numba internals: guarded
        cache = dispatcher._cache
        key = cache._index_key(argtypes, dispatcher.targetctx.codegen())
        return key in cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - NullCache (no cache), or internals changed
        return None


def _may_use_helper() -> bool:
    if os.environ.get("DECIDE_COMPILE_HELPER", "1") == "0" or multiprocessing.parent_process() is not None:
        return False  # asked not to, or a process of a pool (its siblings compile too)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cpus >= 2


def _claim(folder: str, i: int) -> bool:
    try:
        os.close(os.open(os.path.join(folder, str(i)), os.O_CREAT | os.O_EXCL))
        return True
    except FileExistsError:
        return False


def compile_units(jobs) -> None:
    """Compile each ``(dispatcher, argtypes, unit, seconds)`` of ``jobs`` that is neither compiled
    here nor in numba's cache: ``dispatcher``'s unit (:func:`unit_of`) where ``unit``, else the
    dispatcher; ``seconds``, about how long it takes, orders them (largest first). On two processes
    when there are two or more to compile (see the module's notes); afterwards each is compiled in
    this process or waits in numba's cache for its first use."""
    todo = []
    for dispatcher, argtypes, unit, seconds in jobs:
        target = unit_of(dispatcher) if unit else dispatcher
        cached = _in_cache(target, tuple(argtypes))
        if cached is None:
            return  # not cached on disk: a helper's work would be lost; compiled on first use
        if not cached:
            todo.append((seconds, dispatcher, tuple(argtypes), unit, target))
    if len(todo) < 2 or not _may_use_helper():
        return
    todo.sort(key=lambda job: -job[0])
    folder = tempfile.mkdtemp(prefix="decide-compile-")
    helper = None
    try:
        try:
            package = Path(sys.modules["decide"].__file__).resolve().parent.parent  # this decide, not another
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(package),
                                                                         os.environ.get("PYTHONPATH")])))
            with open(os.path.join(folder, "stderr"), "wb") as stderr:
                helper = subprocess.Popen(
                    [sys.executable, "-c", "from decide.montecarlo.entries import _helper; _helper()", folder],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
            helper.stdin.write(pickle.dumps([(d.py_func.__module__, d.py_func.__name__, unit, argtypes)
                                             for _, d, argtypes, unit, _ in todo]))
            helper.stdin.close()
        except (OSError, pickle.PicklingError) as exc:
            logger.debug("no compile helper: %s", exc)
        started = time.perf_counter()
        for i, (_, _, argtypes, _, target) in enumerate(todo):
            if _claim(folder, i):
                target.compile(argtypes)
                logger.debug("compiled %s at %.1f s", target.py_func.__qualname__, time.perf_counter() - started)
        if helper is not None:
            try:
                code = helper.wait(timeout=600)
                logger.debug("the compile helper ended at %.1f s", time.perf_counter() - started)
                if code != 0:
                    logger.debug("the compile helper failed: %s",
                                     Path(folder, "stderr").read_text(errors="replace")[-2000:])
            except subprocess.TimeoutExpired:
                logger.debug("the compile helper took over 600 s: stopped")
    finally:
        if helper is not None and helper.poll() is None:
            helper.kill()
            helper.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _helper() -> None:
    """The helper process of :func:`compile_units`: the jobs (pickled on stdin), in order, each
    unless already claimed; the folder of claims is ``sys.argv[1]``."""
    folder = sys.argv[1]
    jobs = pickle.loads(sys.stdin.buffer.read())
    for i, (module, name, unit, argtypes) in enumerate(jobs):
        if _claim(folder, i):
            dispatcher = getattr(importlib.import_module(module), name)
            (unit_of(dispatcher) if unit else dispatcher).compile(argtypes)
