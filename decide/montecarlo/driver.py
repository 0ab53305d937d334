"""Monte Carlo simulation of a case: :func:`simulate`, seeded blocks run on threads, merged in order.

One iteration (DESIGN.md, "The Monte Carlo engine") draws the weights, every precondition's
probability of yes and its answer (Gaussian copula: the same world for every option, options'
enablers only move the thresholds), each option's viability and so its outcome (planned scores,
or the failure profile when a hard requirement says no), and its value; then ranks the options.
Ranks: 1 + the number of options strictly better; tied options share the tied ranks in equal
fractions, and every output that depends on ranks (rank acceptability, probability of being best,
central weights, confidence factors, pairwise winning probabilities, where a tie counts half)
follows that rule.

Reproducible and bounded. Draws come in blocks of :data:`BLOCK_SIZE`; block *k* draws from the
*k*-th spawn child of the root seed sequence and accumulates into its own mergeable
:class:`~decide.montecarlo.state.Accumulator`; blocks are merged in block order. So a seed gives
bit-identical results for any ``chunk_size`` (draws per kernel call) and any number of ``workers``
(threads running blocks; the kernel releases the GIL), and memory does not grow with ``n_draws``:
percentiles come from a fixed histogram of :data:`~decide.montecarlo.model.HISTOGRAM_BINS` bins
per option, interpolated inside a bin and clipped to the exact observed range. The estimates and
their MCSEs are in :mod:`decide.montecarlo.estimates`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from dataclasses import dataclass
from itertools import chain, islice
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.montecarlo.estimates import (_answers_evppi, _estimates, _mc_standard_errors, _replicate_se,
                                         _voi_given_weights, worth_most)
from decide.montecarlo.model import HISTOGRAM_BINS, Model, build_model
from decide.montecarlo.stages import kernel_entries, run_chunk
from decide.montecarlo.state import SUB_BLOCK, Accumulator, Sums, new_scratch, new_sums
from decide.montecarlo.streams import LANES, SeedLike, block_seed_sequence, resolve_seed, stream_states
from decide.montecarlo.weight_sampling import W_FIXED, describe, weight_sampler
from decide.results import SimulationResult
from decide.spec import Case

__all__ = ["simulate", "STRATEGY_ID", "BLOCK_SIZE", "MAX_DRAWS", "INFLUENCE_DRAWS", "QMC_REPLICATES",
           "CONFIDENCE_DRAWS"]

logger = logging.getLogger(__name__)

STRATEGY_ID: Final = "strategy"
"""Id of the extra alternative ``simulate(..., strategy=[...])`` evaluates."""
BLOCK_SIZE: Final = 16_384
"""Draws per RNG block: the unit of seeding and of merging (below 2**16: a block
counts its histograms in ``uint16``)."""
MAX_DRAWS: Final = 2**53
"""Most draws a run may take: counts and sums stay exact in double precision up to here."""
INFLUENCE_DRAWS: Final = 4 * 16_384
"""The first draws of a run, kept whole (values and answers), on which the variance of the EVPPI's
per-draw influence is estimated (to about 0.5%)."""
QMC_REPLICATES: Final = 16
"""Independent scrambles of the Sobol' sequence in ``method="qmc"``; their spread gives the MCSE."""
CONFIDENCE_DRAWS: Final = 32_768
"""Default number of draws (a prefix of the run) on which confidence factors are estimated."""
_QMC_SUBCHUNK = 1024  # Sobol' rows generated at once


@dataclass(frozen=True)
class _Task:
    replicate: int
    block: int
    start: int
    """Index of the block's first draw within its replicate's sequence."""
    size: int


def _tasks(n_draws: int, replicates: int) -> Iterator[_Task]:
    """Blocks of each replicate in turn (a single replicate for plain Monte Carlo), made as they are
    run, so that memory does not grow with ``n_draws``."""
    for r in range(replicates):
        n_r = n_draws // replicates + (1 if r < n_draws % replicates else 0)
        for k, start in enumerate(range(0, n_r, BLOCK_SIZE)):
            yield _Task(r, k, start, min(BLOCK_SIZE, n_r - start))


_NO_CENTRAL = np.zeros((1, 1))
_NO_DEFINED = np.zeros(1, dtype=np.bool_)
_NO_CF = np.zeros((1, 3))
_NO_KEEP_V = np.zeros((0, 1))
_NO_KEEP_YES = np.zeros((0, 1), dtype=np.bool_)


class _Runner:
    """Runs the blocks of one pass on a thread pool and merges their results in block order."""

    def __init__(self, m: Model, root: np.random.SeedSequence, qmc: bool, chunk_size: int, workers: int,
                 progress: Callable[[int], None] | None, n_a: int, n_c: int, n_q: int, confidence: bool = True):
        self.m, self.root, self.qmc, self.chunk = m, root, qmc, chunk_size
        self.workers, self.progress = workers, progress
        self.shape = (n_a, n_c, n_q)
        self._done = 0
        self._lock = threading.Lock()
        # The kernel's compiled units this run needs (the confidence pass's only if it runs),
        # compiled or loaded from numba's cache before the first block: types as the passes give them.
        scratch = new_scratch(m)
        self.entries = kernel_entries(qmc, scratch.u, np.zeros((4, LANES), np.uint64), np.zeros(4, np.uint64),
                                      m.chain_start.copy(), np.zeros(m.chain_g.shape[0]), m,
                                      new_sums(1, 1, 1, n_pairs=len(m.var_q), n_out=m.cell_kind.shape[0]), scratch,
                                      _NO_CENTRAL, _NO_DEFINED, _NO_CF, _NO_KEEP_V, _NO_KEEP_YES,
                                      confidence=confidence)

    def _streams(self, task: _Task):
        # MC: block k is the k-th spawn child. QMC: replicate r scrambles with child (r, 0) and its
        # block k (hit-and-run only) draws from child (r, 1, k).
        if not self.qmc:
            main, aux = stream_states(block_seed_sequence(self.root, task.block))
            return main, aux, None
        _, aux = stream_states(block_seed_sequence(self.root, task.replicate, 1, task.block))
        from scipy.stats import qmc as scipy_qmc

        sobol = scipy_qmc.Sobol(max(self.m.n_slots, 1), scramble=True,
                                rng=np.random.default_rng(block_seed_sequence(self.root, task.replicate, 0)))
        if task.start:
            sobol.fast_forward(task.start)
        return np.zeros((4, LANES), np.uint64), aux, sobol

    def _uniforms(self, sobol, n: int) -> NDArray[np.float64]:
        """The next ``n`` Sobol' points as (slot, draw), the kernel's layout."""
        if sobol.num_generated == 0 and n & (n - 1):
            # The first call must draw a power of two or SciPy warns: draw more, keep n, and put
            # the sequence back at point n.
            points = sobol.random(1 << (n - 1).bit_length())[:n]
            sobol.reset()
            sobol.fast_forward(n)
            return np.ascontiguousarray(points.T)
        return np.ascontiguousarray(sobol.random(n).T)

    def _step(self) -> int:
        """Draws per kernel call: the chunk size rounded up to whole sub-blocks of the kernel (which
        sums a sub-block before adding it, so sub-blocks must start at fixed draws of the block);
        for QMC a power of two from SUB_BLOCK to _QMC_SUBCHUNK (Sobol' points come in powers of two)."""
        if not self.qmc:
            return -(-self.chunk // SUB_BLOCK) * SUB_BLOCK
        return max(SUB_BLOCK, 1 << (min(self.chunk, _QMC_SUBCHUNK).bit_length() - 1))

    def _report(self, n: int) -> None:
        with self._lock:
            self._done += n

    def run_main(self, task: _Task) -> tuple[Sums, tuple[NDArray, NDArray, NDArray] | None]:
        m = self.m
        n_a, n_c, n_q = self.shape
        sums = new_sums(*self.shape, n_pairs=len(m.var_q), n_out=m.cell_kind.shape[0])
        scratch = new_scratch(m)
        # QMC estimates its MCSEs from its scrambles; it keeps draws (of its first scramble) only
        # for the value of information given drawn weights.
        keep = task.block * BLOCK_SIZE < INFLUENCE_DRAWS and (
            not self.qmc or (m.w_code != W_FIXED and task.replicate == 0))
        keep_v = np.empty((task.size if keep else 0, n_a + n_c))
        keep_yes = np.empty((task.size if keep else 0, n_q + len(m.var_q)), dtype=np.bool_)
        main, aux, sobol = self._streams(task)
        chain = m.chain_start.copy()
        slack = np.zeros(m.chain_g.shape[0])
        step = self._step()
        for offset in range(0, task.size, step):
            n = min(step, task.size - offset)
            ubuf = self._uniforms(sobol, n) if self.qmc else scratch.u
            run_chunk(n, offset, self.qmc, ubuf, main, aux, chain, slack, m, sums, scratch, False, _NO_CENTRAL,
                      _NO_DEFINED, _NO_CF, keep_v, keep_yes, self.entries)
            self._report(n)
        return sums, ((keep_v[:, :n_a], keep_yes, keep_v[:, n_a:]) if keep else None)

    def run_confidence(self, task: _Task, central: NDArray[np.float64], defined: NDArray[np.bool_]):
        """The confidence-factor pass over one block: the same draws as the main pass, minus weights."""
        m = self.m
        cf = np.zeros((self.shape[0], 3))
        scratch = new_scratch(m)
        sums = new_sums(1, 1, 1)  # unused by this pass
        main, aux, sobol = self._streams(task)
        step = self._step()
        for offset in range(0, task.size, step):
            n = min(step, task.size - offset)
            ubuf = self._uniforms(sobol, n) if self.qmc else scratch.u
            run_chunk(n, offset, self.qmc, ubuf, main, aux, m.chain_start, m.chain_h, m, sums, scratch, True,
                      central, defined, cf, _NO_KEEP_V, _NO_KEEP_YES, self.entries)
        return cf

    def map_ordered(self, fn: Callable, tasks: Iterable[_Task], merge: Callable[[_Task, object], None]) -> None:
        """Run ``fn`` on every task, at most a few ahead, merging results in task order."""
        queue = iter(tasks)
        head = list(islice(queue, 2))
        if self.workers <= 1 or len(head) <= 1:
            for task in chain(head, queue):
                merge(task, fn(task))
                self._tell()
            return
        window = 2 * self.workers  # bounded: results wait to be merged in order, never more than this
        with ThreadPoolExecutor(self.workers, thread_name_prefix="decide-mc") as pool:
            pending: deque = deque()
            for task in chain(head, queue):
                pending.append((task, pool.submit(fn, task)))
                if len(pending) >= window:
                    break
            while pending:
                task, future = pending.popleft()
                while True:
                    try:
                        result = future.result(timeout=0.2)
                        break
                    except FutureTimeout:
                        self._tell()
                merge(task, result)
                self._tell()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append((nxt, pool.submit(fn, nxt)))

    _told = -1

    def _tell(self) -> None:
        if self.progress is not None:
            with self._lock:
                done = self._done
            if done != self._told:
                self._told = done
                self.progress(done)


def _check_int(name: str, value: object, minimum: int) -> int:
    return arguments.integer(value, name, minimum=minimum)


def simulate(
    case_or_arrays: Case | CaseArrays,
    n_draws: int = 100_000,
    *,
    rng: SeedLike = None,
    weights: str | None = None,
    method: Literal["mc", "qmc"] = "mc",
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    confidence_draws: int | None = None,
    strategy: Sequence[str] | None = None,
) -> SimulationResult:
    """Simulate a case: value distributions, ranks, blockers and value of information, with MCSEs.

    Parameters
    ----------
    case_or_arrays
        A validated :class:`~decide.spec.Case` or its :class:`~decide.compile.CaseArrays`.
    n_draws
        Iterations. Memory does not grow with it.
    rng
        Seed (see :mod:`decide.seeds`): a non-negative integer, a :class:`numpy.random.SeedSequence`,
        ``None`` (the default: fresh entropy) or a :class:`numpy.random.Generator` (a seed is drawn
        from it). The result records the seed it ran from (:attr:`SimulationResult.seed`); pass
        that back as ``rng`` to rerun exactly. Block *k* draws from the *k*-th spawn child of the seed.
    weights
        ``None``: the default profile's fixed weights. A profile id: that profile's weights.
        ``"imprecise"``: uniform over ``{w >= 0, sum w = 1, imprecise_a w <= imprecise_b}``
        (hit-and-run, one chain per block from the polytope's Chebyshev centre, burn-in
        ``200 n_c`` steps, a draw every ``2 n_c`` steps: draws are weakly autocorrelated and the
        MCSEs treat them as independent; exact sorted simplex draws when the statements are a
        total order of the criteria; the simplex when there are none). ``"uniform"``: uniform on the simplex (SMAA).
        ``"profiles"``: each draw takes a stakeholder profile chosen uniformly.
    method
        ``"mc"``: pseudo-random uniforms. ``"qmc"``: scrambled Sobol' points (inverse CDF for every
        draw except hit-and-run weights), :data:`QMC_REPLICATES` independent scrambles of
        ``n_draws / QMC_REPLICATES`` points each, whose spread gives every MCSE.
    workers
        Threads running blocks (default: the CPUs available). Results do not depend on it.
    chunk_size
        Draws per kernel call within a block (default :data:`BLOCK_SIZE`; rounded up to a multiple
        of :data:`~decide.montecarlo.state.SUB_BLOCK`, 128): the granularity of ``progress``. Results do
        not depend on it.
    progress
        Called from the calling thread with the number of draws done so far (cumulative, up to
        ``n_draws``; the confidence-factor pass that follows is not counted).
    confidence_draws
        Draws (a prefix of the run: the same worlds and outcomes as its first draws) on which
        confidence factors are estimated, after the run has given the central weights; default
        ``min(n_draws, CONFIDENCE_DRAWS)``. Their MCSE is that of this prefix. With fixed weights
        (a profile) every central weight is that profile's weights, so the confidence factor is
        the probability of being best, from every draw, and this is ignored.
    strategy
        Option ids pursued together, checked by :func:`decide.model.strategies.check_strategy`
        (dependencies, exclusions, budgets; the case needs a baseline). The strategy is evaluated
        as one more alternative, id ``"strategy"`` (:data:`STRATEGY_ID`; name: the option ids
        joined with ``" + "``), ranked alongside the options, with every output: its outcome is
        the strategies engine's (baseline plus each option's change, shared dependencies counted
        once, capped at the scale ends; each option planned or failing on its own and its
        dependencies' hard requirements; the largest soft penalty per precondition that says
        no), with the enablers of all its options; ``p_blocked`` is the probability that any
        hard requirement of its options says no. It reuses the options' draws (common random
        numbers) and draws no uniforms of its own.

    Returns
    -------
    SimulationResult
        Every estimate with its Monte Carlo standard error; tied options share the tied ranks in
        equal fractions.

    Raises
    ------
    TypeError
        An argument of the wrong type, named (a case file's name instead of a loaded case, a
        count that is not an integer); also a :class:`~decide.errors.DecideError`.
    DecideError
        A seed that is not a non-negative integer, an unknown weights mode or profile, counts
        that are not positive integers, a strategy that is not feasible.

    Examples
    --------
    >>> from decide.load import load_case
    >>> result = simulate(load_case("tests/data/minimal_case.yaml"), 20_000, rng=1)
    >>> list(result.summary.columns[:4])
    ['mean', 'mean_se', 'sd', 'sd_se']
    """
    n_draws = _check_int("n_draws", n_draws, 1)
    if n_draws > MAX_DRAWS:
        raise DecideError(f"n_draws must be at most {MAX_DRAWS:.2e} (given {n_draws:.2e}): the engine counts "
                          "draws exactly only up to 2**53, and at a million draws a second that many "
                          "would take 285 years")
    method = arguments.choice(method, "method", ("mc", "qmc"))
    chunk = BLOCK_SIZE if chunk_size is None else _check_int("chunk_size", chunk_size, 1)
    n_workers = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) \
        if workers is None else _check_int("workers", workers, 1)
    weights = arguments.text(weights, "weights", optional=True,
                             what="a weight profile id, 'imprecise', 'uniform', 'profiles'")
    progress = arguments.callback(progress, "progress")
    strategy = None if strategy is None else arguments.ids(strategy, "strategy")
    root, seed = resolve_seed(arguments.seed(rng, "rng"))
    arrays = case_or_arrays if isinstance(case_or_arrays, CaseArrays) else compile_case(
        arguments.require_case(case_or_arrays, "case_or_arrays", arrays=True))
    sampler = weight_sampler(arrays, weights)
    x_strategy, strategy_ids = _strategy_vector(arrays, strategy)
    m = build_model(arrays, sampler, x_strategy)
    n_a, n_c, n_q = m.alt_hard.shape[0], arrays.n_criteria, arrays.n_preconditions
    qmc = method == "qmc"
    replicates = QMC_REPLICATES if qmc else 1
    if qmc and n_draws < 2 * replicates:
        raise DecideError(f"method='qmc' needs at least {2 * replicates} draws ({replicates} scrambles)")
    n_cf = min(n_draws, CONFIDENCE_DRAWS) if confidence_draws is None else \
        min(_check_int("confidence_draws", confidence_draws, 1), n_draws)
    if qmc:
        n_cf = max(n_cf, 2 * replicates)

    runner = _Runner(m, root, qmc, chunk, n_workers, progress, n_a, n_c, n_q, confidence=sampler.code != W_FIXED)
    started = time.perf_counter()
    accs = [Accumulator.empty(m) for _ in range(replicates)]
    tasks = _tasks(n_draws, replicates)
    runner.map_ordered(runner.run_main, tasks, lambda task, out: accs[task.replicate].update(*out))
    pooled = Accumulator.empty(m)
    for acc in accs:
        pooled.merge(acc)
    est = _estimates(pooled)

    central = np.ascontiguousarray(np.nan_to_num(est["central_weights"]))  # the types the kernel's units have
    defined = np.ascontiguousarray(est["p_best"] > 0)
    cfs = [np.zeros((n_a, 3)) for _ in range(replicates)]

    def add_cf(task: _Task, cf: NDArray[np.float64]) -> None:
        cfs[task.replicate] += cf  # in task order: deterministic sums

    if sampler.code == W_FIXED:
        # Fixed weights: every central weight is the fixed vector, so each confidence factor is
        # the probability of being best, already summed over every draw: no second pass.
        for acc, cf in zip(accs, cfs):
            cf[:, 0], cf[:, 1], cf[0, 2] = acc.sums.rank[:, 0], acc.sums.rank_sq[:, 0], acc.n
    else:
        cf_tasks = _tasks(n_cf, replicates)
        runner.map_ordered(lambda task: runner.run_confidence(task, central, defined), cf_tasks, add_cf)
    total_cf = np.sum(cfs, axis=0)
    est["confidence_factor"] = np.where(defined, total_cf[:, 0] / total_cf[0, 2], np.nan)

    if qmc:
        per_rep = [_estimates(acc) for acc in accs]
        for rep, cf in zip(per_rep, cfs):
            rep["confidence_factor"] = np.where(defined, cf[:, 0] / cf[0, 2], np.nan)
        se = {k: _replicate_se([rep[k] for rep in per_rep]) for k in est}
    else:
        se = _mc_standard_errors(pooled, est)
        m_cf = total_cf[0, 2]
        se["confidence_factor"] = np.where(
            defined & (m_cf > 1), np.sqrt(np.maximum(total_cf[:, 1] / m_cf - est["confidence_factor"] ** 2, 0.0) / m_cf), np.nan)
    choice = _answers_evppi(pooled)[2]
    if sampler.code != W_FIXED:
        choice = _condition_on_weights(pooled, est, se, choice)
    elapsed = time.perf_counter() - started
    logger.info("simulated %d draws (%s, %s weights) in %.2f s", n_draws, method, sampler.mode, elapsed)
    if runner.progress is not None:
        runner._tell()

    from decide import __version__

    requirement = np.where(m.alt_hard, "hard", np.where(m.alt_pen > 0, "soft", ""))
    extra_ids = (STRATEGY_ID,) if strategy_ids is not None else ()
    extra_names = (" + ".join(strategy_ids),) if strategy_ids is not None else ()
    return SimulationResult(
        option_ids=tuple(arrays.option_ids) + extra_ids, criterion_ids=tuple(arrays.criterion_ids),
        option_names=tuple(arrays.option_names) + extra_names, strategy=strategy_ids,
        precondition_ids=tuple(arrays.precondition_ids), requirement=requirement,
        estimates=est, standard_errors=se,
        seed=seed,
        n_draws=n_draws, method=method, weights=describe(sampler), version=__version__,
        replicates=replicates, confidence_draws=int(total_cf[0, 2]), histogram_bins=HISTOGRAM_BINS,
        block_size=BLOCK_SIZE, uniforms_per_draw=m.n_slots, seconds=elapsed,
        evppi_answer=_answer_labels(m, arrays, choice),
        outcome_labels=_outcome_labels(m, arrays),
    )


def _condition_on_weights(acc: Accumulator, est: dict, se: dict, choice: NDArray[np.intp]) -> NDArray[np.intp]:
    """With weights drawn, the EVPI and EVPPIs given the weights replace those that count learning
    one's own preferences as information (:func:`~decide.montecarlo.estimates._voi_given_weights`);
    per precondition, the answer worth most to learn is chosen again. Returns that choice."""
    voi = _voi_given_weights(acc)
    if voi is None:
        return choice
    n_q = len(est["evppi"])
    world, world_se = voi["evppi"][:n_q], voi["evppi_se"][:n_q]
    best, choice = worth_most(world, voi["evppi"][n_q:], acc.pair_q)
    best_se = voi["evppi_se"][np.where(choice < 0, np.arange(n_q), n_q + choice)]  # the chosen answer's
    est["evpi"], se["evpi"] = np.asarray(voi["evpi"]), np.asarray(voi["evpi_se"])
    est["evppi"], se["evppi"] = best, best_se
    est["evppi_unmediated"], se["evppi_unmediated"] = world, world_se
    return choice


def _outcome_labels(m: Model, arrays: CaseArrays) -> tuple[tuple[str, ...], ...]:
    """Per alternative, ``goes ahead`` and the failure profiles it can score (see ``Sums.ended``)."""
    labels = []
    for a in range(m.alt_hard.shape[0]):
        n_fail = int(m.alt_n_fail[a]) if a < m.n_opt else int(m.alt_hard[a].any())
        fails = [arrays.stage_label(a, k).replace("failure", "fails", 1) if a < m.n_opt else "a member fails"
                 for k in range(n_fail)]
        labels.append(("goes ahead", *fails))
    return tuple(labels)


def _answer_labels(m: Model, arrays: CaseArrays, choice: NDArray[np.intp]) -> tuple[str, ...]:
    """Per precondition, the options whose enablers define the answer its EVPPI is about ("" for
    the answer without enablers)."""
    labels = []
    for q, i in enumerate(choice):
        if i < 0:
            labels.append("")
            continue
        v = m.pair_v[i]
        enablers = [e for e in m.var_enablers[m.var_start[v]:m.var_start[v + 1]] if m.en_prec[e] == q]
        labels.append(" + ".join(dict.fromkeys(arrays.option_ids[arrays.enabler_option[e]] for e in enablers)))
    return tuple(labels)


def _strategy_vector(arrays: CaseArrays, strategy: Sequence[str] | None):
    """The strategy as a 0/1 vector over the case's options (checked), and its ids as given."""
    if strategy is None:
        return None, None
    from decide.model.strategies import check_strategy, strategy_space

    ids = [strategy] if isinstance(strategy, str) else list(strategy)
    if not all(isinstance(i, str) for i in ids):
        raise DecideError(f"strategy must be a list of option ids, not {strategy!r}")
    space = strategy_space(arrays)
    local = check_strategy(space, ids)
    x = np.zeros(arrays.n_options, dtype=bool)
    x[space.options[local]] = True
    return x, tuple(dict.fromkeys(ids))
