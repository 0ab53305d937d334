"""Benchmark of the Monte Carlo engine (not a test): speed, memory and the effect of QMC.

Run ``python benchmarks/bench_montecarlo.py`` (``--quick`` for a short run). It uses the bundled
Mali case when ``cases/mali-2012.yaml`` exists, else a synthetic Mali-sized case (13 options,
12 criteria in 4 groups, triangular scores and failure profiles, 12 preconditions with interval
probabilities and correlations, hard and soft requirements, enablers). It prints:

- first-call time (numba compile or cache load) in a fresh process;
- 1,000,000 draws with every output: median and min-max of 5 runs, draws per second;
- the baseline: NumPy drawing the same number of uniforms on one thread (``default_rng().random``
  into a reused buffer; PCG64, NumPy's default), measured in the same process, and the ratio;
- peak RSS of a 10,000,000-draw run (in a child process);
- RMSE of ``p_best`` over 20 seeds for MC and QMC at equal draws, against a long reference run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MALI = ROOT / "cases" / "mali-2012.yaml"


def synthetic_case_data(n_options: int = 13, n_groups: int = 4, per_group: int = 3, n_preconditions: int = 12,
                        seed: int = 7) -> dict[str, Any]:
    """A Mali-sized case as plain data (parse with :func:`decide.load.parse_case`)."""
    rng = np.random.default_rng(seed)
    groups = []
    crit_ids = []
    for g in range(n_groups):
        children = []
        for k in range(per_group):
            cid = f"c{g}{k}"
            crit_ids.append(cid)
            children.append({"id": cid, "name": cid, "direction": "higher_is_better" if k % 2 == 0 else "lower_is_better",
                             "scale": {"low": 0, "high": 10, "low_means": "low", "high_means": "high"},
                             **({"value_function": [[0, 0], [5, 0.7], [10, 1]]} if k == 2 else {})})
        groups.append({"id": f"g{g}", "name": f"group {g}", "weight": float(rng.integers(1, 4)), "children": children})

    def tri() -> dict[str, Any]:
        low, mode, high = np.sort(rng.uniform(0, 10, 3)).round(2)
        high = max(high, low + 0.5)
        mode = min(max(mode, low), high)
        return {"kind": "triangular", "low": float(low), "mode": float(mode), "high": float(high)}

    pre_ids = [f"q{i}" for i in range(n_preconditions)]
    options = []
    for o in range(n_options):
        opt: dict[str, Any] = {"id": f"o{o}", "name": f"option {o}", "scores": {c: tri() for c in crit_ids}}
        if o == 0:
            opt["baseline"] = True
        else:
            k = int(rng.integers(0, 4)) if o % 3 else 0
            needs = [str(q) for q in rng.choice(pre_ids, size=k, replace=False)]
            opt["requires"] = needs[:-1] + ([{"precondition": needs[-1], "soft": True, "penalty": 0.05}]
                                            if needs and o % 2 else needs[-1:])
            if any(isinstance(r, str) for r in opt["requires"]):
                opt["failure"] = {c: tri() for c in crit_ids[: 6]}
        options.append(opt)
    preconditions = [{"id": q, "question": f"{q}?", "probability": {"low": float(lo), "high": float(lo + 0.2)}}
                     for q, lo in zip(pre_ids, rng.uniform(0.3, 0.7, n_preconditions).round(2))]
    correlations = [{"between": [pre_ids[i], pre_ids[i + 1]], "rho": 0.3} for i in range(0, n_preconditions - 1, 2)]
    correlations += [{"between": [pre_ids[i], pre_ids[i + 2]], "rho": 0.2} for i in range(0, n_preconditions - 2, 4)]
    enablers = [{"option": "o1", "precondition": "q0", "add": 0.2}, {"option": "o2", "precondition": "q1",
                                                                      "odds_ratio": 2.0}]
    profiles = [{"id": f"p{i}", "name": f"profile {i}",
                 "weights": {f"g{g}": float(rng.integers(1, 5)) for g in range(n_groups)}} for i in range(4)]
    return {
        "decide": 1, "id": "synthetic", "title": "Synthetic Mali-sized case",
        "criteria": {"id": "synthetic", "name": "synthetic", "criteria": groups},
        "options": options, "preconditions": preconditions, "correlations": correlations, "enablers": enablers,
        "weights": {"default": "p0", "profiles": profiles,
                    "imprecise": [{"node": "g0", "low": 0.2, "high": 0.6}, {"greater": "g1", "lesser": "g2"}]},
    }


def load_benchmark_case(synthetic: bool = False):
    from decide.load import load_case, parse_case

    if MALI.exists() and not synthetic:
        try:
            return load_case(MALI), "cases/mali-2012.yaml"
        except Exception as exc:  # the case is being written in parallel: fall back, say so
            print(f"(cases/mali-2012.yaml does not load yet: {str(exc).splitlines()[0]}; using the synthetic case)")
    return parse_case(synthetic_case_data()), "synthetic Mali-sized case"


def _first_call(cache_dir: str | None = None) -> float:
    """Seconds for import + first simulate (1,000 draws) in a fresh process; with ``cache_dir`` an
    empty numba cache, so the kernels compile."""
    import os

    code = ("import time; t = time.perf_counter(); import sys; sys.path.insert(0, %r); "
            "from benchmarks.bench_montecarlo import load_benchmark_case; from decide.montecarlo import simulate; "
            "case, _ = load_benchmark_case(); simulate(case, 1000); print(time.perf_counter() - t)" % str(ROOT))
    # (the first call always uses the bundled case when it loads: compile time does not depend on it)
    env = dict(os.environ) | ({"NUMBA_CACHE_DIR": cache_dir} if cache_dir else {})
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def _peak_rss(n: int, synthetic: bool) -> float:
    code = ("import sys, resource; sys.path.insert(0, %r); from benchmarks.bench_montecarlo import "
            "load_benchmark_case; from decide.montecarlo import simulate; case, _ = load_benchmark_case(%r); "
            "simulate(case, %d); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
            % (str(ROOT), synthetic, n))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer draws, no 10M run")
    parser.add_argument("--weights", default=None, help="weights mode (default: the default profile)")
    parser.add_argument("--synthetic", action="store_true", help="the synthetic Mali-sized case, not the bundled one")
    args = parser.parse_args()

    from decide.compile import compile_case
    from decide.montecarlo import simulate

    case, name = load_benchmark_case(args.synthetic)
    arrays = compile_case(case)
    print(f"case: {name}: {arrays.n_options} options, {arrays.n_criteria} criteria, "
          f"{arrays.n_preconditions} preconditions; weights={args.weights or 'default profile'}")
    import tempfile

    with tempfile.TemporaryDirectory() as empty:
        compile_s = _first_call(empty)
    print(f"first call in a fresh process (import + 1,000 draws): {compile_s:.1f} s compiling every kernel "
          f"(empty numba cache), {_first_call():.2f} s with the cache")

    n = 100_000 if args.quick else 1_000_000
    simulate(arrays, 10_000, weights=args.weights)
    times = []
    for i in range(5):
        t = time.perf_counter()
        result = simulate(arrays, n, rng=i, weights=args.weights)
        times.append(time.perf_counter() - t)
    slots = result.uniforms_per_draw
    rng = np.random.default_rng(0)
    buf = np.empty(1 << 16)
    base = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(-(-n * slots // buf.size)):
            rng.random(out=buf)
        base.append(time.perf_counter() - t)
    baseline = min(base)
    med = statistics.median(times)
    t = time.perf_counter()
    simulate(arrays, n, rng=100, weights=args.weights, workers=1)
    print(f"one worker: {time.perf_counter() - t:.3f} s for {n:,} draws, every output")
    print(f"{n:,} draws, every output, all cores: median {med:.3f} s, min-max {min(times):.3f}-{max(times):.3f} s "
          f"({n / med / 1e6:.2f} M draws/s; {slots} uniforms per draw)")
    print(f"baseline: NumPy default_rng().random for {n * slots:,} uniforms on one thread: {baseline:.3f} s; "
          f"ratio {med / baseline:.2f}")
    if not args.quick:
        print(f"peak RSS, 10,000,000 draws (child process): {_peak_rss(10_000_000, args.synthetic):.0f} MiB")

    # QMC vs MC: RMSE of p_best over 20 seeds at equal n, against a long MC reference run.
    n_eq = 16_384 if args.quick else 65_536
    ref = simulate(arrays, 4_000_000 if not args.quick else 1_000_000, rng=12345, weights=args.weights)
    truth = ref.estimates["p_best"]
    for method in ("mc", "qmc"):
        errs, ses = [], []
        for s in range(20):
            r = simulate(arrays, n_eq, rng=1000 + s, method=method, weights=args.weights)
            errs.append(r.estimates["p_best"] - truth)
            ses.append(r.standard_errors["p_best"])
        errs_a = np.array(errs)
        rmse = np.sqrt((errs_a**2).mean(axis=0))
        print(f"{method}: n={n_eq:,}: RMSE of p_best (over options, mean) {rmse.mean():.5f}, max {rmse.max():.5f}; "
              f"mean reported MCSE {np.mean(ses):.5f} (reference MCSE {ref.standard_errors['p_best'].mean():.5f})")


if __name__ == "__main__":
    main()
