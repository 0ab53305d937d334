"""Run part of the report's drawing in a forked child process while the parent keeps computing.

Charts take as long as every analysis of a 10,000-draw report together, and matplotlib holds
the interpreter lock, so threads cannot share the work; a forked child can. It inherits the
parent's memory (the analyses, matplotlib already imported): nothing is pickled and it starts in
milliseconds. It only draws with the Agg canvas and writes files, so the locks that make forking a
threaded process risky (solver or BLAS worker threads) are never taken in the child. Where fork
is not available (Windows, macOS's default) or only one core is, the work runs inline.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any
from contextlib import contextmanager

from decide.errors import DecideError

__all__ = ["in_background", "computed_in_background", "Computation", "shared_queue"]


def _can_fork() -> bool:
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and not os.environ.get("DECIDE_NO_FORK")


def shared_queue(n: int) -> Callable[[], int | None]:
    """A queue of the numbers ``0..n-1`` that this process and a child forked later both take
    from: each call returns the next number not yet taken by either, or None once all are.

    It lets the parent, once it is done with its own work, take over whatever the drawing child
    has not started, so that neither waits for the other whatever their speeds.
    """
    if not _can_fork():
        numbers = iter(range(n))
        return lambda: next(numbers, None)
    taken = multiprocessing.get_context("fork").Value("l", 0)  # shared memory with its own lock

    lock = taken.get_lock()

    def take() -> int | None:
        # A child that died holding the lock (killed in that instant) must not hang the parent:
        # it stops taking, and waiting for the child reports the death.
        if not lock.acquire(timeout=30):
            return None
        try:
            k = taken.value
            if k >= n:
                return None
            taken.value = k + 1
            return k
        finally:
            lock.release()

    return take


@contextmanager
def in_background(work: Callable[[], None]) -> Iterator[Callable[[], None]]:
    """Start ``work()`` in a child process; yield a function that waits for it.

    The waiting function raises :class:`DecideError` with the child's error if ``work`` failed.
    Leaving the block without waiting (an error in the parent) stops the child.
    """
    if not _can_fork():
        work()
        yield lambda: None
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_run, args=(work, writer, os.getpid()), daemon=True)
    with warnings.catch_warnings():
        # Python 3.12+ warns on fork in a threaded process; see the module notes for why it is safe.
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*fork\(\).*")
        child.start()
    writer.close()

    def wait() -> None:
        try:
            error = reader.recv()
        except EOFError:
            error = f"the drawing process stopped unexpectedly (exit code {child.exitcode})"
        finally:
            reader.close()
            child.join()
        if isinstance(error, tuple):  # a bug in the drawing: keep its traceback
            raise RuntimeError(f"drawing the charts failed; the drawing process's traceback:\n{error[1]}")
        if error:
            raise DecideError(f"drawing the charts failed: {error}")

    try:
        yield wait
    finally:
        reader.close()
        if child.is_alive():
            child.terminate()
            child.join()


class Computation:
    """A computation in a child process (see :func:`computed_in_background`)."""

    def __init__(self, result: Callable[[], Any], give: Callable[[Any], None]):
        self.result, self.give = result, give


@contextmanager
def computed_in_background(compute: Callable[..., Any], *,
                           prepare: Callable[[], None] | None = None) -> Iterator[Computation]:
    """Start ``compute()`` in a child process; yield a :class:`Computation` whose ``result()``
    waits for it and returns its result (pickled back through a pipe). An analysis that only
    reads what the parent holds runs beside the parent's own work this way.

    With ``prepare``, the child runs ``prepare()`` at once (say, slow imports) and then waits for
    the parent's ``give(value)`` to run ``compute(value)``: work that needs something the parent
    has yet to compute still gets its preparation done beside it.

    Where fork is not available everything runs inline, at the first ``result()``, with the same
    result. ``result()`` raises what ``compute`` raised: a :class:`DecideError` with its message,
    any other error as a RuntimeError carrying the child's traceback.
    """
    given: list[Any] = []
    if not _can_fork():
        done: list[Any] = []

        def inline() -> Any:
            if not done:
                if prepare is not None:
                    prepare()
                done.append(compute(*given))
            return done[0]

        yield Computation(inline, given.append)
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    request_reader, request_writer = context.Pipe(duplex=False)
    child = context.Process(target=_compute, args=(compute, prepare, writer, request_reader, os.getpid()),
                            daemon=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*fork\(\).*")
        child.start()
    writer.close()
    request_reader.close()
    received: list[Any] = []

    def give(value: Any) -> None:
        request_writer.send(value)
        request_writer.close()

    def result() -> Any:
        if not received:
            try:
                received.append(reader.recv())
            except EOFError:
                received.append(("error", f"the analysis process stopped unexpectedly (exit code {child.exitcode})"))
            finally:
                reader.close()
                child.join()
        kind, value = received[0]
        if kind == "bug":
            raise RuntimeError(f"an analysis failed; its process's traceback:\n{value}")
        if kind == "error":
            raise DecideError(value)
        return value

    try:
        yield Computation(result, give)
    finally:
        reader.close()
        request_writer.close()
        if child.is_alive():
            child.terminate()
            child.join()


def _compute(compute: Callable[..., Any], prepare: Callable[[], None] | None, writer, requests,
             parent: int) -> None:
    _die_with(parent)
    try:
        if prepare is None:
            out = compute()
        else:
            prepare()
            try:
                out = compute(requests.recv())
            except EOFError:  # the parent went on without asking: nothing to compute
                return
        writer.send(("ok", out))
    except DecideError as exc:
        writer.send(("error", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it, with the traceback
        import traceback

        writer.send(("bug", "".join(traceback.format_exception(exc))))
    finally:
        writer.close()


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (even by SIGKILL), so that no chart
    is written into a directory nobody will swap into place."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux's libc: the parent's cleanup still stops us
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _run(work: Callable[[], None], writer, parent: int) -> None:
    _die_with(parent)
    try:
        work()
        writer.send(None)
    except DecideError as exc:
        writer.send(f"{type(exc).__name__}: {exc}")
    except BaseException as exc:  # noqa: BLE001 - the parent reports it, with the traceback
        import traceback

        writer.send((type(exc).__name__, "".join(traceback.format_exception(exc))))
    finally:
        writer.close()
