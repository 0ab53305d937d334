"""Benchmark the strategies engine: enumeration, core index, and the MILP.

    python benchmarks/bench_strategies.py            # 20 options: enumeration, core index, MILP cross-check
    python benchmarks/bench_strategies.py --milp40   # also 40 options by the MILP (about 60 s more)

Instances come from the seeded case generator the tests use (``tests/optimise/strategy_cases.py``):
a whole case written as YAML data (baseline, options with uncertain scores and failure profiles,
hard and soft requirements, dependency chains, exclusions, enablers, three budgets), loaded,
checked and compiled like a user's. Targets (issue 7): 20 options, 8 criteria, S = 1,000, three
budgets -- the best strategies by enumeration in at most 2 s, the core index in at most 5 s; 40
options by the MILP at S = 200 with the gap it reaches in 60 s.

Build, solve and evaluation are timed separately; where a run is cheap it is repeated and the
median reported. Numba compiles (or loads from its cache) once, in an untimed warm-up run.
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
from decide.load import parse_case  # noqa: E402
from decide.optimise.core_index import core_index  # noqa: E402
from decide.optimise.scenarios import draw_scenarios  # noqa: E402
from decide.model.strategies import strategy_space  # noqa: E402
from decide.optimise.enumeration import feasible_strategies  # noqa: E402
from decide.optimise.evaluate import criterion_means  # noqa: E402
from decide.optimise.strategy import optimise_strategies  # noqa: E402


def median_timings(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted(set().union(*runs))
    return {k: statistics.median(r.get(k, 0.0) for r in runs) for k in keys}


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def instance(n_options: int, seed: int, **kw):
    t = time.perf_counter()
    arrays = compile_case(parse_case(random_case(n_options, seed, n_criteria=8, n_preconditions=6, n_resources=3,
                                                 **kw)))
    return arrays, time.perf_counter() - t


def bench_enumeration(rounds: int) -> dict:
    arrays, compile_s = instance(20, 7, budget_share=0.35)
    space = strategy_space(arrays)
    optimise_strategies(arrays, n_scenarios=1000, rng=0, out_of_sample=10_000, stability=0)  # warm-up
    totals, parts = [], []
    for r in range(rounds):
        t = time.perf_counter()
        result = optimise_strategies(arrays, n_scenarios=1000, rng=r, out_of_sample=10_000, stability=0)
        totals.append(time.perf_counter() - t)
        parts.append(result.timings)
    # Evaluation alone: every feasible strategy on the same 1,000 scenarios.
    X = feasible_strategies(space)
    scenarios = draw_scenarios(arrays, 1000, rng=0)
    evals = []
    for _ in range(rounds):
        t = time.perf_counter()
        criterion_means(space, X, scenarios)
        evals.append(time.perf_counter() - t)
    t = time.perf_counter()
    stable = optimise_strategies(arrays, n_scenarios=1000, rng=0, out_of_sample=10_000, stability=3)
    with_stability = time.perf_counter() - t
    return {
        "options": 20, "criteria": 8, "scenarios": 1000, "out_of_sample": 10_000, "feasible": result.n_feasible,
        "compile_s": compile_s, "total_median_s": statistics.median(totals), "parts_median_s": median_timings(parts),
        "evaluate_all_median_s": statistics.median(evals), "with_stability_s": with_stability,
        "stability_share": stable.stability, "best": list(result.best),
    }


def bench_core_index(rounds: int) -> dict:
    arrays, _ = instance(20, 7, budget_share=0.35)
    core_index(arrays, n_scenarios=1000, rng=0)  # warm-up
    totals, parts = [], []
    for r in range(rounds):
        t = time.perf_counter()
        result = core_index(arrays, n_scenarios=1000, rng=r)
        totals.append(time.perf_counter() - t)
        parts.append(result.timings)
    return {
        "options": 20, "scenarios": 1000, "feasible": result.n_feasible, "vertices": len(result.vertices),
        "non_dominated": len(result.strategies), "total_median_s": statistics.median(totals),
        "parts_median_s": median_timings(parts), "core": list(result.core), "exterior": list(result.exterior),
    }


def bench_scaling(rounds: int) -> dict:
    """The same 20 options under looser budgets: a larger feasible set."""
    arrays, _ = instance(20, 7, budget_share=0.6)
    optimise_strategies(arrays, n_scenarios=1000, rng=0, out_of_sample=10_000, stability=0)  # warm-up
    best, core = [], []
    for r in range(rounds):
        t = time.perf_counter()
        result = optimise_strategies(arrays, n_scenarios=1000, rng=r, out_of_sample=10_000, stability=0)
        best.append(time.perf_counter() - t)
        t = time.perf_counter()
        index = core_index(arrays, n_scenarios=1000, rng=r)
        core.append(time.perf_counter() - t)
    return {"feasible": result.n_feasible, "best_median_s": statistics.median(best),
            "core_median_s": statistics.median(core), "non_dominated": len(index.strategies)}


def bench_milp(n_options: int, seed: int, n_scenarios: int, time_limit: float, spread: float | None,
               budget_share: float, check: bool) -> dict:
    arrays, _ = instance(n_options, seed, budget_share=budget_share, spread=spread)
    t = time.perf_counter()
    result = optimise_strategies(arrays, n_scenarios=n_scenarios, rng=0, engine="milp", time_limit=time_limit,
                                 out_of_sample=10_000, stability=0, top=1)
    total = time.perf_counter() - t
    out = {
        "options": n_options, "scenarios": n_scenarios, "time_limit_s": time_limit, "status": result.status,
        "gap": result.gap, "in_sample": float(result.in_sample[0]), "bound": result.bound,
        "out_of_sample": float(result.out_of_sample[0]), "oos_mcse": float(result.oos_mcse[0]),
        "total_s": total, "parts_s": result.timings, "best": list(result.best), "notes": list(result.notes),
    }
    if check:
        enum = optimise_strategies(arrays, n_scenarios=n_scenarios, rng=0, engine="enumerate", out_of_sample=0,
                                   stability=0, top=1)
        out["enumeration_in_sample"] = float(enum.in_sample[0])
        out["same_as_enumeration"] = enum.best == result.best
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--milp40", action="store_true", help="also run 40 options by the MILP (S = 200, 60 s)")
    parser.add_argument("--rounds", type=int, default=5, help="repetitions for the medians (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    report: dict = {}
    e = report["enumeration"] = bench_enumeration(args.rounds)
    p = e["parts_median_s"]
    print(f"## Enumeration: {e['options']} options, {e['criteria']} criteria, S = {e['scenarios']:,}, "
          f"3 budgets ({e['feasible']:,} feasible strategies)")
    print(f"best strategies, medians of {args.rounds}: total {fmt(e['total_median_s'])} (target <= 2 s) = "
          f"enumerate {fmt(p['enumerate'])} + scenarios {fmt(p['scenarios'])} + evaluate {fmt(p['evaluate'])} "
          f"+ out of sample ({e['out_of_sample']:,} scenarios, top 5 and contributions) {fmt(p['out_of_sample'])}")
    print(f"evaluating all {e['feasible']:,} strategies alone: {fmt(e['evaluate_all_median_s'])}; "
          f"with stability reruns (3 seeds x S and S/2): {fmt(e['with_stability_s'])}, "
          f"same best in {e['stability_share']:.0%}; compile the case {fmt(e['compile_s'])}")

    g = report["scaling"] = bench_scaling(max(1, args.rounds // 2))
    print(f"looser budgets ({g['feasible']:,} feasible strategies): best strategies {fmt(g['best_median_s'])}, "
          f"core index {fmt(g['core_median_s'])} ({g['non_dominated']:,} non-dominated)")

    c = report["core_index"] = bench_core_index(args.rounds)
    p = c["parts_median_s"]
    print(f"\n## Core index: {c['options']} options, S = {c['scenarios']:,}, {c['vertices']} vertices of W, "
          f"{c['non_dominated']} of {c['feasible']:,} strategies non-dominated")
    print(f"medians of {args.rounds}: total {fmt(c['total_median_s'])} (target <= 5 s) = enumerate "
          f"{fmt(p['enumerate'])} + scenarios {fmt(p['scenarios'])} + evaluate {fmt(p['evaluate'])} + vertices "
          f"{fmt(p['vertices'])} + Pareto filter {fmt(p['filter'])}; core {c['core']}, exterior {c['exterior']}")

    m = report["milp_check"] = bench_milp(12, 5, 100, 60.0, 1.5, 0.3, check=True)
    p = m["parts_s"]
    print(f"\n## MILP cross-check: {m['options']} options, S = {m['scenarios']}: {m['status']}, gap {m['gap']:.2e}, "
          f"same strategy as enumeration: {m['same_as_enumeration']}")
    print(f"build {fmt(p['build'])}, solve {fmt(p['solve'])}, evaluate {fmt(p['evaluate'])}")

    if args.milp40:
        m = report["milp40"] = bench_milp(40, 11, 200, 60.0, 2.5, 0.25, check=False)
        p = m["parts_s"]
        print(f"\n## MILP: {m['options']} options, S = {m['scenarios']}, time limit {m['time_limit_s']:.0f} s: "
              f"{m['status']}, gap {m['gap']:.2%} (in-sample {m['in_sample']:.4f}, bound {m['bound']:.4f}; "
              f"out of sample {m['out_of_sample']:.4f} +- {m['oos_mcse']:.4f})")
        heuristic = f", greedy + local search {fmt(p['heuristic'])}" if "heuristic" in p else ""
        print(f"build {fmt(p['build'])}, solve {fmt(p['solve'])}, evaluate {fmt(p['evaluate'])}{heuristic}, "
              f"out of sample {fmt(p['out_of_sample'])}; best: {' + '.join(m['best'])}")
        for note in m["notes"][2:]:
            print(f"  note: {note}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
