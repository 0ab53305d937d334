"""Benchmark: the full report for the bundled Mali case, and the potential-optimality LPs.

    python benchmarks/bench_report.py [--rounds 3] [--sizes 10000,100000] [--no-cli]

Targets (issue 6): 100,000 draws in <= 30 s, 10,000 draws in <= 5 s, all potential-optimality
LPs for the case in <= 1 s. Each round runs 10k and 100k interleaved in one process after a
warm-up (numba kernels compiled and cached, imports done) and times the report as ``decide
report`` writes it (``build_report``); it prints medians, min-max, and where the time goes (each
analysis from ``Analyses.timings`` and all charts drawn in one process, measured in a second,
serial pass). The command line adds start-up (imports, loading compiled kernels), printed first.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from decide.compile import compile_case
from decide.load import load_case
from decide.report.build import run_analyses
from decide.report.figures import draw_figures
from decide.report.write import build_report
from decide.sensitivity.weights import potential_optimality_table


def one_report(n_draws: int, out: Path) -> tuple[float, dict[str, float]]:
    """The report as ``decide report`` writes it (strategies overlap the sensitivity charts),
    then, apart, each analysis and the charts drawn one after another, for where the time goes."""
    start = time.perf_counter()
    build_report("mali-2012", out, n_draws=n_draws, seed=20121)
    total = time.perf_counter() - start
    analyses = run_analyses("mali-2012", n_draws=n_draws, seed=20121)
    mid = time.perf_counter()
    draw_figures(analyses, out.parent)
    return total, {**analyses.timings, "all charts, one process": time.perf_counter() - mid}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="10000", help="draws per report, comma-separated (issue 16: 10000)")
    parser.add_argument("--no-cli", action="store_true", help="skip the timings of the shell command")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    arrays = compile_case(load_case("mali-2012"))
    with tempfile.TemporaryDirectory() as tmp:
        cold_start = time.perf_counter()
        one_report(2_000, Path(tmp) / "warm")
        print(f"warm-up report (first imports, numba cache load): {time.perf_counter() - cold_start:.2f} s")
        totals: dict[int, list[float]] = {n: [] for n in sizes}
        parts: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
        for r in range(args.rounds):
            for n in totals:
                total, split = one_report(n, Path(tmp) / f"r{r}_{n}")
                totals[n].append(total)
                parts[n].append(split)
        cli_times = []
        for r in range(0 if args.no_cli else args.rounds):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "decide.cli", "report", "mali-2012", "-o", str(Path(tmp) / "cli"),
                            "-n", "10000", "--quiet"], check=True, capture_output=True)
            cli_times.append(time.perf_counter() - start)
    # A same-run baseline, so that drift of this shared machine shows: NumPy drawing 342M uniforms
    # on one thread (the Monte Carlo benchmark's baseline for the Mali case).
    baseline = []
    generator, buffer = np.random.default_rng(0), np.empty(1 << 16)
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(342_000_000 // buffer.size):
            generator.random(out=buffer)
        baseline.append(time.perf_counter() - start)
    lp_times = []
    for _ in range(5):
        start = time.perf_counter()
        potential_optimality_table(arrays)
        lp_times.append(time.perf_counter() - start)

    base = min(baseline)
    print(f"same-run baseline: NumPy, 342M uniforms on one thread: {base:.2f} s (min of 3)")
    for n in sizes:
        target = 5.0 if n <= 10_000 else 30.0
        t = totals[n]
        print(f"\nreport, {n:,} draws: median {statistics.median(t):.2f} s (min {min(t):.2f}, max {max(t):.2f}; "
              f"target <= {target:.0f} s); {statistics.median(t) / base:.2f} x the baseline")
        for key in parts[n][0]:
            print(f"  {key:<28} {statistics.median(p[key] for p in parts[n]):7.2f} s")
    if cli_times:
        print(f"\n`decide report mali-2012 -n 10000` from the shell (imports and kernel loading included): median "
              f"{statistics.median(cli_times):.2f} s (min {min(cli_times):.2f}, max {max(cli_times):.2f})")
    print(f"\npotential-optimality LPs ({arrays.n_options} options): median {statistics.median(lp_times) * 1000:.0f} ms "
          f"(min {min(lp_times) * 1000:.0f}, max {max(lp_times) * 1000:.0f}; target <= 1000 ms)")


if __name__ == "__main__":
    main()
