"""Benchmark the MILP engine against enumeration on the bundled case and the benchmark cases.

    python benchmarks/bench_milp.py                 # Mali and 20 options, 3 rounds, 60 s limit
    python benchmarks/bench_milp.py --rounds 5 --with-40 --json milp.json

Targets (issue 18): on the bundled case (``cases/mali-2012.yaml``: 17 options besides the status
quo, 73,728 feasible strategies) and on the 20-option benchmark case of
``benchmarks/bench_strategies.py`` the MILP finds the enumeration's optimum within its time
limit; at 40 options it returns a feasible strategy with a certified gap.

Each round uses another seed (the scenarios change) and runs enumeration and the MILP on the same
scenarios, one after the other, so the ratio of their times is taken within the round; the
figures are medians over rounds. ``S = 1,000`` in-sample scenarios, no out-of-sample pass and no
stability reruns (they cost the same for both engines), ``top = 3``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "optimise"))

from strategy_cases import random_case  # noqa: E402

from decide.compile import compile_case  # noqa: E402
from decide.load import load_case, parse_case  # noqa: E402
from decide.optimise.strategy import optimise_strategies  # noqa: E402


def instances(with_40: bool) -> dict:
    cases = {
        "mali-2012": compile_case(load_case(ROOT / "cases" / "mali-2012.yaml")),
        "random 20 options": compile_case(parse_case(random_case(20, 7, n_criteria=8, n_preconditions=6,
                                                                 n_resources=3, budget_share=0.35))),
    }
    if with_40:
        cases["random 40 options"] = compile_case(parse_case(random_case(40, 11, n_criteria=8, n_preconditions=6,
                                                                         n_resources=3, budget_share=0.25,
                                                                         spread=2.5)))
    return cases


def one_round(arrays, seed: int, time_limit: float, enumerate_too: bool) -> dict:
    common = dict(n_scenarios=1000, rng=seed, out_of_sample=0, stability=0, top=3)
    out: dict = {}
    if enumerate_too:
        t = time.perf_counter()
        enum = optimise_strategies(arrays, engine="enumerate", **common)
        out["enumerate_s"] = time.perf_counter() - t
        out["feasible"] = enum.n_feasible
    t = time.perf_counter()
    milp = optimise_strategies(arrays, engine="milp", time_limit=time_limit, **common)
    out["milp_s"] = time.perf_counter() - t
    out.update(status=milp.status, gap=milp.gap, milp_value=float(milp.in_sample[0]),
               build_s=milp.timings.get("build", 0.0), solve_s=milp.timings.get("solve", 0.0),
               heuristic_s=milp.timings.get("heuristic", 0.0), milp_top=len(milp.strategies))
    if enumerate_too:
        out.update(enum_value=float(enum.in_sample[0]), same_best=milp.best == enum.best,
                   same_top3=milp.strategies == enum.strategies, ratio=out["milp_s"] / out["enumerate_s"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (seeds) per case (default 3)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="MILP time limit, s (default 60)")
    parser.add_argument("--with-40", action="store_true", help="also 40 options (MILP only: too many to enumerate)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    cases = instances(args.with_40)
    # numba compiles (or loads its cache) once, untimed
    optimise_strategies(cases["mali-2012"], engine="enumerate", n_scenarios=50, rng=0, out_of_sample=0, stability=0)
    report: dict = {}
    for name, arrays in cases.items():
        enumerate_too = not name.startswith("random 40")
        rounds = [one_round(arrays, seed, args.time_limit, enumerate_too) for seed in range(1, args.rounds + 1)]
        med = {k: statistics.median(r[k] for r in rounds) for k in ("milp_s", "build_s", "solve_s", "heuristic_s",
                                                                     "gap")}
        summary = {"rounds": rounds, "median": med}
        line = (f"{name}: MILP {med['milp_s']:.1f} s (build {med['build_s']:.1f}, HiGHS {med['solve_s']:.1f}, "
                f"local search and enumeration around {med['heuristic_s']:.1f}), gap {med['gap']:.2%} "
                f"[{', '.join(r['status'] for r in rounds)}]")
        if enumerate_too:
            med["enumerate_s"] = statistics.median(r["enumerate_s"] for r in rounds)
            med["ratio"] = statistics.median(r["ratio"] for r in rounds)
            same = sum(r["same_best"] for r in rounds)
            same3 = sum(r["same_top3"] for r in rounds)
            line += (f"; enumeration {med['enumerate_s']:.1f} s ({rounds[0]['feasible']:,} feasible), "
                     f"MILP/enumeration {med['ratio']:.1f}x; enumeration's optimum found in {same}/{len(rounds)} "
                     f"rounds, its top 3 in {same3}/{len(rounds)}")
        print(line, flush=True)
        report[name] = summary
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
