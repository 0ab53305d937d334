"""Where the Monte Carlo kernel spends its time: nanoseconds per draw for each stage, one thread.

    python benchmarks/bench_kernel_stages.py [--case mali-2012] [--reps 400] [--runs 15]

The stages of :func:`decide.montecarlo.stages.run_chunk` are run cumulatively over fresh sub-blocks of
draws (head uniforms; + weights; + world; + answers; + outcomes, which draw their cells' uniforms
and weight them into values; + accumulation), in a compiled loop so that Python's call overhead
does not count. A stage's cost is the difference between two cumulative runs: each run draws new
uniforms, so the tables and branches see realistic data (timing one stage over the same
sub-block again and again understated the outcomes stage by half). Each figure is the minimum
over ``runs`` runs of ``reps`` sub-blocks: this shared machine's noise only ever adds time.
Compiling the loop takes a few seconds.
"""

from __future__ import annotations

import argparse
import time

import numba as nb
import numpy as np

from decide.compile import compile_case
from decide.load import load_case
from decide.montecarlo.accumulate import _accumulate
from decide.montecarlo.model import build_model
from decide.montecarlo.outcomes import _outcomes
from decide.montecarlo.stages import _answers, _start_values, _uniforms, _weights, _world
from decide.montecarlo.state import SUB_BLOCK, new_scratch, new_sums
from decide.montecarlo.streams import block_seed_sequence, resolve_seed, stream_states
from decide.montecarlo.weight_sampling import weight_sampler

STAGES = ("head uniforms", "weights", "world: probabilities and copula", "answers",
          "outcomes (cells' uniforms, values)", "accumulate")


@nb.njit
def _run(upto, reps, state, aux, chain, slack, m, s, t, keep_v, keep_yes):  # pragma: no cover - compiled
    nb_ = SUB_BLOCK
    for _ in range(reps):
        _uniforms(state, t.u, m.n_head)
        if upto >= 1:
            _weights(m, t.u, nb_, 0, t.weights, chain, slack, aux)
        if upto >= 2:
            _world(m, t.u, nb_, t.world)
        if upto >= 3:
            _answers(m, nb_, t.world, t.answers)
        if upto >= 4:
            _start_values(m, nb_, t.weights, t.answers, t.scored)
            _outcomes(m, False, t.u, 0, state, nb_, False, t.weights, t.answers, t.strategy, t.cells, t.scored)
        if upto >= 5:
            _accumulate(m, s, nb_, t.weights, t.world, t.answers, t.scored, t.ranks, keep_v, keep_yes, 0)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="mali-2012")
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    arrays = compile_case(load_case(args.case))
    m = build_model(arrays, weight_sampler(arrays, None), None)
    state, aux = stream_states(block_seed_sequence(resolve_seed(1)[0], 0))
    scratch = new_scratch(m)
    keep_v, keep_yes = np.zeros((0, 1)), np.zeros((0, 1), dtype=np.bool_)  # no draws kept
    chain, slack = m.chain_start.copy(), np.zeros(m.chain_g.shape[0])
    n_a, n_c, n_q = m.alt_hard.shape[0], arrays.n_criteria, arrays.n_preconditions
    for stage in range(len(STAGES)):  # compile and warm
        _run(stage, 2, state, aux, chain, slack, m, new_sums(n_a, n_c, n_q, np.int64, len(m.var_q), m.cell_kind.shape[0]), scratch, keep_v,
             keep_yes)
    best = [np.inf] * len(STAGES)
    for _ in range(args.runs):  # stages interleaved, so drift hits them alike
        for stage in range(len(STAGES)):
            sums = new_sums(n_a, n_c, n_q, np.int64, len(m.var_q), m.cell_kind.shape[0])  # int64: the repetitions exceed a block
            start = time.perf_counter()
            _run(stage, args.reps, state, aux, chain, slack, m, sums, scratch, keep_v, keep_yes)
            best[stage] = min(best[stage], time.perf_counter() - start)
    print(f"{args.case}: {m.n_slots} uniforms per draw ({m.n_head} head); ns per draw, one thread "
          f"(min of {args.runs} runs of {args.reps} sub-blocks of {SUB_BLOCK})")
    previous = 0.0
    for name, seconds in zip(STAGES, best):
        cumulative = seconds / (args.reps * SUB_BLOCK) * 1e9
        print(f"  {name:<36} {cumulative - previous:8.1f}")
        previous = cumulative
    print(f"  {'all':<36} {previous:8.1f}")


if __name__ == "__main__":
    main()
