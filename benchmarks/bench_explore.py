"""Throughput of ``decide explore`` on the Mali case: local process pool against a Dask LocalCluster.

    python benchmarks/bench_explore.py [--experiments 40] [--draws 10000] [--workers 2] [--scenarios 300]

Each experiment is a variant of mali-2012 (P(ag Ghali breaks), the weight profile, the ECOWAS troop
budget, every option's US and EU spending, the prepared force's enabler on Algeria's backing), simulated
with ``--draws`` draws and searched for its best strategy (``--scenarios`` scenarios, 2,000 out of
sample). The same design runs on a pool of ``--workers`` local processes and on a ``LocalCluster``
of as many one-thread worker processes; both tables must be equal (the timing columns aside).

Printed per runner: wall time (start-up apart: spawning the pool or the cluster and loading the
compiled kernels), experiments per second, and per experiment the engine's own time (simulation
and strategy search, ``engine_seconds``), the time to build and validate the variant
(``seconds - engine_seconds``) and what the runner adds (``workers x wall / experiments -
seconds``: shipping the task, the row back, writing it). Then the extrapolation to 1,000
experiments on this machine and to 100 workers, from the measured per-task cost.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd


def design(experiments: int, draws: int, scenarios: int) -> dict:
    return {
        "seed": 20121, "experiments": experiments, "sampling": "lhs", "draws": draws,
        "strategies": {"scenarios": scenarios, "out_of_sample": 2000},
        "parameters": [
            {"id": "p_ag_ghali", "target": "preconditions.ag_ghali_breaks.probability", "range": [0.1, 0.7]},
            {"id": "profile", "target": "weights.default", "values": ["brief", "algiers", "washington", "paris",
                                                                      "brussels"]},
            {"id": "troops", "target": "resources.ecowas_troops.budget", "range": [2.0, 4.5]},
            {"id": "us_costs", "target": "options.*.uses.us_funds", "op": "scale", "range": [0.5, 1.5]},
            {"id": "eu_costs", "target": "options.*.uses.eu_funds", "op": "scale", "range": [0.5, 1.5]},
            {"id": "force_backing", "target": "enablers.prepared_african_force.algeria_backing.odds_ratio",
             "range": [1.0, 3.0]},
        ],
    }


def measure(label: str, run, n: int, workers: int) -> dict:
    start = time.perf_counter()
    first: list[float] = []

    def progress(p) -> None:
        if not first:
            first.append(time.perf_counter())

    table = run(progress)
    end = time.perf_counter()
    # From the first finished experiment on: the pool or cluster is up and the kernels loaded.
    steady = (end - first[0]) / max(n - workers, 1) if first else float("nan")
    task = table["seconds"].median()
    engine = table["engine_seconds"].median()
    out = {"runner": label, "wall_s": end - start, "startup_s": (first[0] - start) if first else float("nan"),
           "per_experiment_s": steady, "experiments_per_s": 1 / steady, "task_median_s": task,
           "engine_median_s": engine, "variant_median_s": task - engine,
           "runner_overhead_s": steady * workers - table["seconds"].mean(), "failed": int((table["error"] != "").sum())}
    print(f"{label}: {n} experiments in {out['wall_s']:.1f} s (start-up {out['startup_s']:.1f} s), "
          f"{out['experiments_per_s']:.2f} experiments/s once running", flush=True)
    return out, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=40)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", type=int, default=300)
    args = parser.parse_args()

    import decide
    from decide.explore import TIMING_COLUMNS, explore

    spec = design(args.experiments, args.draws, args.scenarios)
    # Warm numba's cache once, so that neither runner pays the first compilation.
    decide.simulate(decide.load_case("mali-2012"), 1000, rng=1)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        local, t_local = measure("local pool", lambda progress: explore(
            "mali-2012", spec, Path(tmp) / "local.parquet", workers=args.workers, progress=progress),
            args.experiments, args.workers)
        results.append(local)
        from distributed import Client, LocalCluster

        start = time.perf_counter()
        with LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster) as client:
            cluster_start = time.perf_counter() - start
            dask, t_dask = measure("LocalCluster", lambda progress: explore(
                "mali-2012", spec, Path(tmp) / "dask.parquet", scheduler=client, progress=progress),
                args.experiments, args.workers)
        dask["startup_s"] += cluster_start
        results.append(dask)
    same = t_local.drop(columns=list(TIMING_COLUMNS)).equals(t_dask.drop(columns=list(TIMING_COLUMNS)))
    frame = pd.DataFrame(results).set_index("runner")
    print()
    print(frame.round(3).to_string())
    print(f"\ntables equal (timing columns aside): {same}")
    for label, row in frame.iterrows():
        print(f"{label}: 1,000 experiments x {args.draws:,} draws on {args.workers} workers ~ "
              f"{(1000 * row['per_experiment_s'] + row['startup_s']) / 60:.1f} min (extrapolated from "
              f"{args.experiments})")
    task = frame.loc["LocalCluster", "task_median_s"] + max(frame.loc["LocalCluster", "runner_overhead_s"], 0)
    print(f"100 workers: each experiment costs ~{task:.2f} s of one worker, so ~{100 / task:.0f} experiments/s, "
          f"1,000 in ~{1000 * task / 100:.0f} s plus start-up; the scheduler handles thousands of tasks a "
          f"second, far from the limit")


if __name__ == "__main__":
    main()
