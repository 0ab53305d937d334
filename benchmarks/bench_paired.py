"""Compare the Monte Carlo engine of two checkouts in paired, interleaved runs.

    git worktree add /tmp/before HEAD~1
    python benchmarks/bench_paired.py /tmp/before . [--draws 1000000] [--workers 2] [--rounds 8] [--synthetic]
        [--case tests/data/mali-2012-first-edition.yaml]

On a shared machine the speed drifts by half between minutes, which hides a 5-10% change in
separate runs. Here each checkout runs in its own process (its own ``decide``, compiled kernels
loaded once), and the two take turns, one simulation each, in alternating order; the median of
the per-round ratios compares them under the same conditions.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/benchmarks")
from bench_montecarlo import load_benchmark_case
from decide.montecarlo import simulate
if sys.argv[4] in ("synthetic", "mali"):
    case = load_benchmark_case(sys.argv[4] == "synthetic")[0]
else:  # a case file both checkouts can read
    from decide.load import load_case
    case = load_case(sys.argv[4])
simulate(case, 20_000)
n, workers = int(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
for i, _ in enumerate(sys.stdin):
    start = time.perf_counter()
    simulate(case, n, rng=i, workers=workers)
    print(time.perf_counter() - start, flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--synthetic", action="store_true", help="the synthetic Mali-sized case of bench_montecarlo")
    parser.add_argument("--case", type=Path, help="a case file both checkouts can read (e.g. the first Mali "
                        "edition, tests/data/mali-2012-first-edition.yaml, against a checkout from before stages)")
    args = parser.parse_args()
    dirs = [str(args.before.resolve()), str(args.after.resolve())]
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, d, str(args.draws), str(args.workers),
                               str(args.case.resolve()) if args.case else "synthetic" if args.synthetic else "mali"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/") for d in dirs]
    for proc in procs:
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a checkout failed to start")
    times: list[list[float]] = [[], []]
    for r in range(args.rounds):
        for k in ((0, 1) if r % 2 == 0 else (1, 0)):
            procs[k].stdin.write("go\n")
            procs[k].stdin.flush()
            times[k].append(float(procs[k].stdout.readline()))
    for proc in procs:
        proc.stdin.close()
        proc.wait()
    for d, ts in zip(dirs, times):
        print(f"{d}: median {statistics.median(ts):.3f} s, min {min(ts):.3f} s ({args.draws:,} draws, "
              f"{args.workers} workers)")
    ratio = statistics.median(b / a for a, b in zip(*times))
    print(f"after / before: median paired ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
