"""Cold start of the kernels (issue 20, "First run"): the first ``decide simulate`` with an empty
numba cache, and where its compile time goes.

Run from the project's root with the venv active::

    python benchmarks/bench_cold_start.py                 # cold and warm simulate, median of 3
    python benchmarks/bench_cold_start.py --repeat 5 --report
    python benchmarks/bench_cold_start.py --profile-only  # per-function compile seconds only

Each cold run is a fresh process with a fresh, empty ``NUMBA_CACHE_DIR`` and ``DECIDE_NO_CACHE=1``
(so the case cache plays no part), timed with the kernel's units compiled on two processes (the
default, see decide/montecarlo/entries.py) and on one (``DECIDE_COMPILE_HELPER=0``); the warm run
reuses the cache the last cold run filled. Wall and CPU seconds (the process and its children).
The profile runs the same command on one process with numba's event API listening
(``numba.core.event``, ``numba:compile``): per dispatcher and type signature, its compile CPU time
inclusive of the functions it compiles on the way (a callee is compiled while its caller is typed)
and exclusive of them (its own typing, lowering and LLVM), and the pass times summed over all
functions (``numba:run_pass``). ``--report`` times a cold ``decide report mali-2012 -n 1000`` too.

Goal (issue 20): at most 10 s of compiling on this 2-core machine; the acceptance check
``15-explore-dask`` wants the whole cold simulate within 25 s wall.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SIMULATE = ["simulate", "mali-2012", "-n", "1000", "-q"]
REPORT = ["report", "mali-2012", "-n", "1000", "-q", "-o"]

_PROFILE = r"""
import json, sys, threading, time
from collections import defaultdict
from numba.core import event

stack = threading.local()
rows = {}
passes = defaultdict(float)


class Compiles(event.Listener):
    def on_start(self, ev):
        if not hasattr(stack, "s"):
            stack.s = []
        stack.s.append([time.thread_time(), 0.0])

    def on_end(self, ev):
        start, children = stack.s.pop()
        took = time.thread_time() - start
        if stack.s:
            stack.s[-1][1] += took
        disp = ev.data["dispatcher"]
        name = f"{disp.py_func.__module__}.{disp.py_func.__qualname__}"
        key = f"{name}{tuple(str(a) for a in ev.data['args'])}"
        row = rows.setdefault(key, {"name": name, "inclusive": 0.0, "exclusive": 0.0, "count": 0})
        row["inclusive"] += took
        row["exclusive"] += took - children
        row["count"] += 1


class Passes(event.Listener):
    def on_start(self, ev):
        if not hasattr(stack, "p"):
            stack.p = []
        stack.p.append(time.thread_time())

    def on_end(self, ev):
        passes[ev.data["name"]] += time.thread_time() - stack.p.pop()


event.register("numba:compile", Compiles())
event.register("numba:run_pass", Passes())
from decide.cli import cli
start, cpu = time.perf_counter(), time.process_time()
try:
    cli(sys.argv[2:], prog_name="decide", standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as out:
        json.dump({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "functions": rows,
                   "passes": passes}, out)
"""


def _env(cache: str, helper: bool = True) -> dict[str, str]:
    return dict(os.environ, NUMBA_CACHE_DIR=cache, DECIDE_NO_CACHE="1", DECIDE_COMPILE_HELPER="1" if helper else "0")


def _decide() -> list[str]:
    exe = shutil.which("decide")
    return [exe] if exe else [sys.executable, "-m", "decide"]


def run(args: list[str], cache: str, helper: bool = True) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the process and its children) of one ``decide`` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(_decide() + args, env=_env(cache, helper), check=True, capture_output=True,
                   cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_and_warm(args: list[str], repeat: int, helper: bool = True
                  ) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    colds, warm = [], (float("nan"), float("nan"))
    for i in range(repeat):
        cache = tempfile.mkdtemp(prefix="numba_cold_")
        try:
            colds.append(run(args, cache, helper))
            if i == repeat - 1:
                warm = run(args, cache)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return colds, warm


def profile(args: list[str]) -> dict:
    cache = tempfile.mkdtemp(prefix="numba_cold_")
    out = os.path.join(cache, "profile.json")
    try:
        done = subprocess.run([sys.executable, "-c", _PROFILE, out] + args, env=_env(cache, helper=False),
                              capture_output=True,
                              text=True, cwd=tempfile.gettempdir())
        if done.returncode:
            raise SystemExit(done.stderr)
        with open(out) as f:
            return json.load(f)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def print_profile(prof: dict, top: int, passes_top: int = 6) -> None:
    rows = sorted(prof["functions"].values(), key=lambda r: -r["exclusive"])
    total = sum(r["exclusive"] for r in rows)
    print(f"  compiling: {total:.1f} CPU s of the command's {prof['cpu']:.1f} CPU s ({prof['wall']:.1f} s wall) "
          f"after imports; {len(rows)} function specialisations compiled")
    print(f"  {'exclusive':>11} {'inclusive':>11}  CPU seconds compiling, per function")
    for r in rows[:top]:
        print(f"  {r['exclusive']:11.2f} {r['inclusive']:11.2f}  {r['name']}" + (f"  x{r['count']}" if r["count"] > 1 else ""))
    names: dict[str, int] = {}
    for key, r in prof["functions"].items():
        names[r["name"]] = names.get(r["name"], 0) + 1
    multi = {n: k for n, k in names.items() if k > 1}
    if multi:
        print("  compiled for more than one signature: " + ", ".join(f"{n} ({k})" for n, k in multi.items()))
    passes = sorted(prof["passes"].items(), key=lambda kv: -kv[1])[:passes_top]
    print("  passes (summed, nested included): " + ", ".join(f"{n} {t:.1f}" for n, t in passes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", action="store_true", help="also a cold `decide report mali-2012 -n 1000`")
    parser.add_argument("--profile-only", action="store_true")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    commands = [("decide " + " ".join(SIMULATE), SIMULATE)]
    if args.report:
        target = os.path.join(tempfile.gettempdir(), "bench_cold_report")
        commands.append(("decide " + " ".join(REPORT + [target]), REPORT + [target]))
    for label, command in commands:
        print(label)
        if not args.profile_only:
            for helper in (True, False):
                colds, warm = cold_and_warm(command, args.repeat, helper)
                walls, cpus = [w for w, _ in colds], [c for _, c in colds]
                how = "two processes (the default)" if helper else "one process (DECIDE_COMPILE_HELPER=0)"
                print(f"  cold (empty numba cache), {how}: median {statistics.median(walls):.1f} s wall, "
                      f"{statistics.median(cpus):.1f} s CPU, of {len(colds)} "
                      f"(wall {', '.join(f'{t:.1f}' for t in walls)}; CPU {', '.join(f'{t:.1f}' for t in cpus)})")
            print(f"  warm (the cache filled): {warm[0]:.1f} s wall, {warm[1]:.1f} s CPU")
        print_profile(profile(command), args.top)


if __name__ == "__main__":
    main()
