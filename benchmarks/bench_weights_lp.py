"""Time the weight LPs of decide.optimise.weight_lp at a realistic size.

15 options x 12 leaves, W = intervals +-0.05 on every leaf plus one ordering. Times all
potential-optimality LPs plus dominance, and least change in both norms; each run builds its
models afresh. scipy's linprog on the same LPs (all n(n-1) dominance LPs, no pruning) is timed in
the same rounds, interleaved, as a yardstick: absolute times drift on a shared machine.
Run: python benchmarks/bench_weights_lp.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from scipy.optimize import linprog

import decide.optimise.weight_lp as weight_lp
from decide.optimise.weight_lp import dominance, least_change, potential_optimality

N_OPTIONS, N_LEAVES, RUNS = 15, 12, 5


def instance(seed: int = 0):
    rng = np.random.default_rng(seed)
    quality = rng.uniform(0.2, 0.8, size=(N_OPTIONS, 1))
    values = np.clip(quality + rng.normal(0, 0.2, size=(N_OPTIONS, N_LEAVES)), 0, 1)
    centre = rng.dirichlet(np.ones(N_LEAVES))
    eye = np.eye(N_LEAVES)
    heavier, lighter = np.argsort(centre)[::-1][:2]
    order = np.zeros(N_LEAVES)
    order[lighter], order[heavier] = 1.0, -1.0
    A_ub = np.vstack([eye, -eye, order])
    b_ub = np.r_[centre + 0.05, -(centre - 0.05), 0.0]
    return values, centre, A_ub, b_ub


def scipy_po_and_dominance(values, A_ub, b_ub):
    n_options, n = values.shape
    # potential optimality: variables [w, t], max t  s.t.  (V_y - V_x) . w + t <= 0, A_ub w <= b_ub
    c = np.r_[np.zeros(n), -1.0]
    A_eq, bounds = np.r_[np.ones(n), 0.0][None, :], [(0, None)] * n + [(None, None)]
    statements = np.hstack([A_ub, np.zeros((len(A_ub), 1))])
    b = np.r_[np.zeros(n_options - 1), b_ub]
    for x in range(n_options):
        beaten = np.hstack([np.delete(values, x, axis=0) - values[x], np.ones((n_options - 1, 1))])
        linprog(c, A_ub=np.vstack([beaten, statements]), b_ub=b, A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    # dominance: min (V_x - V_y) . w over W, every ordered pair
    for x in range(n_options):
        for y in range(n_options):
            if x != y:
                gap = values[x] - values[y]
                linprog(gap, A_ub=A_ub, b_ub=b_ub, A_eq=np.ones((1, n)), b_eq=[1.0], bounds=bounds[:n], method="highs")


def count_lps(fn) -> int:
    calls = 0
    original = weight_lp.solve

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    weight_lp.solve = counting
    try:
        fn()
    finally:
        weight_lp.solve = original
    return calls


def main() -> None:
    values, w0, A_ub, b_ub = instance()
    cases = {
        "potential optimality": lambda: potential_optimality(values, A_ub, b_ub),
        "dominance": lambda: dominance(values, A_ub, b_ub),
        "potential optimality + dominance": lambda: (
            potential_optimality(values, A_ub, b_ub),
            dominance(values, A_ub, b_ub),
        ),
        "scipy linprog, same LPs (no pruning)": lambda: scipy_po_and_dominance(values, A_ub, b_ub),
        "least change L1": lambda: least_change(values, w0, norm="l1"),
        "least change Linf": lambda: least_change(values, w0, norm="linf"),
    }
    lps = {name: count_lps(fn) for name, fn in cases.items() if "scipy" not in name}
    lps["scipy linprog, same LPs (no pruning)"] = N_OPTIONS + N_OPTIONS * (N_OPTIONS - 1)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(RUNS):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    print(f"{N_OPTIONS} options x {N_LEAVES} leaves, median of {RUNS} interleaved runs")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"  {name:38s} {median * 1e3:8.1f} ms  ({lps[name]} LPs)")


if __name__ == "__main__":
    main()
