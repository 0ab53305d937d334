"""Where the Monte Carlo kernel spends its time: nanoseconds per draw for each stage, one thread.

    python benchmarks/bench_kernel_stages.py [--case mali-2012] [--reps 4000]

Each stage of :func:`decide.mc_kernel.run_chunk` is run alone, ``reps`` times over one sub-block
of draws (after one full pass fills its inputs), in a compiled loop so that Python's call overhead
does not count. The stages overlap in cache use, so the sum is close to, not equal to, the
kernel's time per draw on one worker. Compiling the loop takes a few seconds.
"""

from __future__ import annotations

import argparse
import time

import numba as nb
import numpy as np

import decide.mc_kernel as K
from decide.compile import compile_case
from decide.load import load_case
from decide.mc_kernel import SUB_BLOCK
from decide.sampling import block_seed_sequence, resolve_seed, stream_states, weight_sampler

STAGES = ("uniforms", "weights", "world: probabilities and copula", "answers", "outcomes", "values", "accumulate")


@nb.njit
def _run(stage, reps, state, aux, chain, slack, m, s, t):  # pragma: no cover - compiled
    nb_ = SUB_BLOCK
    u = t.u
    K._uniforms(state, u, nb_)
    K._weights(m, u, nb_, 0, t.w, t.w_tmp, chain, slack, aux, t.chain_scratch)
    K._world(m, u, nb_, t.p, t.pvar, t.thr, t.lat, t.normals)
    K._answers(m, nb_, t.thr, t.lat, t.no, t.n_hard_no, t.last_no, t.penalty)
    K._outcomes(m, u, nb_, t.n_hard_no, t.idx, t.x, t.vcell, t.st_fail, t.xp, t.xf)
    K._values(nb_, t.w, t.vcell, t.penalty, t.values)
    for _ in range(reps):
        if stage == 0:
            K._uniforms(state, u, nb_)
        elif stage == 1:
            K._weights(m, u, nb_, 0, t.w, t.w_tmp, chain, slack, aux, t.chain_scratch)
        elif stage == 2:
            K._world(m, u, nb_, t.p, t.pvar, t.thr, t.lat, t.normals)
        elif stage == 3:
            K._answers(m, nb_, t.thr, t.lat, t.no, t.n_hard_no, t.last_no, t.penalty)
        elif stage == 4:
            K._outcomes(m, u, nb_, t.n_hard_no, t.idx, t.x, t.vcell, t.st_fail, t.xp, t.xf)
        elif stage == 5:
            K._values(nb_, t.w, t.vcell, t.penalty, t.values)
        else:
            K._accumulate(m, s, nb_, t.w, t.values, t.thr, t.lat, t.no, t.n_hard_no, t.last_no, t.best, t.better,
                          t.tied)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="mali-2012")
    parser.add_argument("--reps", type=int, default=4000)
    args = parser.parse_args()
    arrays = compile_case(load_case(args.case))
    m = K.build_model(arrays, weight_sampler(arrays, None), None)
    main_state, aux = stream_states(block_seed_sequence(resolve_seed(1)[0], 0))
    sums = K.new_sums(m.alt_hard.shape[0], arrays.n_criteria, arrays.n_preconditions)
    scratch = K.new_scratch(m)
    chain, slack = m.chain_start.copy(), np.zeros(m.chain_g.shape[0])
    for stage in range(len(STAGES)):  # compile and warm
        _run(stage, 10, main_state, aux, chain, slack, m, sums, scratch)
    total = 0.0
    print(f"{args.case}: {m.n_slots} uniforms per draw; ns per draw, one thread (min of 3)")
    for stage, name in enumerate(STAGES):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            _run(stage, args.reps, main_state, aux, chain, slack, m, sums, scratch)
            times.append(time.perf_counter() - start)
        per_draw = min(times) / (args.reps * SUB_BLOCK) * 1e9
        total += per_draw
        print(f"  {name:<34} {per_draw:8.1f}")
    print(f"  {'sum':<34} {total:8.1f}")


if __name__ == "__main__":
    main()
