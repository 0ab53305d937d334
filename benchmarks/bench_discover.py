"""Benchmark: scenario discovery on the bundled Mali case, 100,000 worlds and PRIM, warm.

    python benchmarks/bench_discover.py [--rounds 5] [--draws 100000]

Target (issue 17): 100,000 draws and PRIM within 10 s warm, memory bounded. The recommended
strategy is found once (as ``decide discover`` finds it: ``optimise_strategies`` with the same
seed, no out-of-sample re-estimate or reruns) and timed apart; each round then draws the worlds
and runs PRIM (up to three boxes, as the command's default) in one process after a warm-up
(numba kernels compiled and cached, EMA imported). Prints, per part and in total, the median and
range of wall-clock seconds and of this process's CPU seconds (on a shared machine the wall clock
also counts other people's work), and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from decide.compile import compile_case
from decide.discover.boxes import _ema_prim
from decide.discover.core import discover, explain_worlds
from decide.discover.worlds import draw_worlds
from decide.load import load_case
from decide.optimise.strategy import optimise_strategies, strategy_space

SEED = 20121


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--draws", type=int, default=100_000)
    args = parser.parse_args()

    arrays = compile_case(load_case("mali-2012"))
    space = strategy_space(arrays)
    t, c = time.perf_counter(), time.process_time()
    best = optimise_strategies(arrays, rng=SEED, out_of_sample=0, stability=0, top=1).best
    print(f"recommended strategy ({len(best)} options) found in {time.perf_counter() - t:.2f} s wall, "
          f"{time.process_time() - c:.2f} s CPU (once; not in the rounds)")
    t = time.perf_counter()
    _ema_prim()
    print(f"EMA Workbench imported in {time.perf_counter() - t:.2f} s (once per process; not in the rounds)")
    discover(arrays, strategy=best, n_draws=2000, rng=SEED)  # warm-up

    x = space.vector(list(best))
    parts: dict[str, list[tuple[float, float]]] = {"worlds": [], "prim": [], "total": []}
    for _ in range(args.rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        worlds = draw_worlds(space, x, args.draws, rng=SEED)
        t1, c1 = time.perf_counter(), time.process_time()
        result = explain_worlds(worlds, best, "recommended", max_boxes=3)
        t2, c2 = time.perf_counter(), time.process_time()
        parts["worlds"].append((t1 - t0, c1 - c0))
        parts["prim"].append((t2 - t1, c2 - c1))
        parts["total"].append((t2 - t0, c2 - c0))
        del worlds
    print(f"\n{args.draws:,} worlds of mali-2012's recommended strategy, {args.rounds} rounds, seed {SEED}; "
          f"{len(result.boxes)} box(es), {result.n_poor:,} poor worlds")
    for name, runs in parts.items():
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        print(f"  {name:7s} wall median {statistics.median(wall):6.2f} s (min {min(wall):.2f}, max {max(wall):.2f}); "
              f"CPU median {statistics.median(cpu):6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak resident memory {peak:,.0f} MiB")
    for b in result.boxes:
        print(f"  box {b.number}: {b.words} (coverage {b.coverage:.2f}, density {b.density:.2f}, mass {b.mass:.2f})")


if __name__ == "__main__":
    main()
