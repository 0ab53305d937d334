"""Monte Carlo scenarios for strategy selection: one draw of everything uncertain, S times.

A scenario holds, for every option, its planned outcome and its failure outcome on every leaf
criterion, every precondition's marginal probability of yes (itself drawn when the case gives an
interval or a Beta distribution) and one latent uniform per precondition from the Gaussian copula
with the case's ``correlation``. Whether a precondition says yes is decided later, per strategy,
as ``latent < probability after the strategy's enablers``: the same scenarios serve every
candidate strategy (common random numbers), so two strategies differ only by what they do, not by
the luck of their draws.

Scenarios are drawn in fixed-size blocks, block ``k`` of stream ``t`` from the root seed's spawn
child with key ``(t, k)`` (:func:`decide.montecarlo.streams.block_seed_sequence`): the first S
scenarios of a seed are the same whatever the total asked for, and streams (in-sample,
out-of-sample, stability reruns) never overlap.

The Monte Carlo engine's samplers do the drawing
(:class:`decide.montecarlo.distributions.ScoreSampler`,
:func:`decide.montecarlo.world.draw_probabilities`, :func:`~decide.montecarlo.world.copula_factor`):
one uniform per (draw, option, criterion) through the score's inverse CDF, so outcomes are
independent across options and criteria, with one exception (DESIGN.md, "Requirement"): where an
option's failure profile does not list a criterion (``CaseArrays.failure_is_baseline``), its
failure outcome there *is* the baseline option's planned outcome in the same scenario -- the world
as the baseline leaves it, not a fresh draw of the same distribution -- so failing there changes
nothing. The uniforms for those cells are still drawn (and unused), so the stream is the same
whatever the failure profiles list.

Stages (DESIGN.md, "Stages"): an option whose hard requirements come in stages has one failure
profile per stage, and the first stage whose question says no decides which applies. The failure
outcomes of the second, third, ... stage (``Scenarios.stage_failures``) are drawn like the
first's, with the same rule for unlisted criteria (``CaseArrays.stage_failure_is_baseline``), from
uniforms taken *after* every other draw of a block: a case without stages draws exactly the
streams it drew before stages existed, and a case with them draws the same planned and
first-stage outcomes, probabilities and latent uniforms as the same case with its later stages'
failures ignored. An option with fewer stages than the case's most has, at its missing stages,
its first stage's failure outcome of the same scenario (never used by the rule, but consistent).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from decide.compile import CaseArrays
from decide.errors import DecideError
from decide.montecarlo.distributions import ScoreSampler
from decide.montecarlo.streams import SeedLike, block_seed_sequence, resolve_seed
from decide.montecarlo.world import copula_factor, draw_probabilities

__all__ = ["SeedLike", "Scenarios", "draw_scenarios", "iter_scenarios", "BLOCK_SIZE"]

BLOCK_SIZE = 1024
"""Scenarios per seeded block (fixed, so results never depend on how many are drawn at once)."""

# Streams of one seed: in-sample scenarios, fresh out-of-sample ones, then stability reruns.
STREAM_IN_SAMPLE, STREAM_OUT_OF_SAMPLE, STREAM_RERUN = 0, 1, 2


@dataclass(frozen=True, eq=False)
class Scenarios:
    """S joint draws of a case's uncertain outcomes and preconditions.

    Attributes
    ----------
    planned
        ``(draw, option, criterion)``: outcome if the option (with the options it depends on)
        goes ahead and its preconditions hold, on the criterion's scale.
    failure
        ``(draw, option, criterion)``: outcome of trying the option and failing; on criteria the
        failure profile does not list, the baseline option's ``planned`` outcome in the same draw.
    probabilities
        ``(draw, precondition)``: marginal probability of yes, before any enabler.
    latent
        ``(draw, precondition)``: uniforms from the Gaussian copula; a precondition says yes iff
        its latent uniform is below its probability after the strategy's enablers.
    stage_failures
        ``(draw, stage - 1, option, criterion)``: the failure outcomes of the second, third, ...
        stage (``failure`` is the first stage's), with the same baseline rule; zero stages wide
        when no option has stages (None is read the same way).
    seed
        The seed the scenarios derive from (recorded so a run can be repeated).
    stream
        Which stream of that seed (0 in-sample, 1 out-of-sample, 2+ reruns).
    """

    planned: NDArray[np.float64]
    failure: NDArray[np.float64]
    probabilities: NDArray[np.float64]
    latent: NDArray[np.float64]
    seed: int | list[int]
    stream: int = STREAM_IN_SAMPLE
    stage_failures: NDArray[np.float64] | None = None

    @property
    def n_draws(self) -> int:
        return self.planned.shape[0]

    @property
    def n_stages(self) -> int:
        """Failure profiles per option: 1 + the later stages drawn."""
        return 1 + (0 if self.stage_failures is None else self.stage_failures.shape[1])

    def failure_at(self, stage: int) -> NDArray[np.float64]:
        """``(draw, option, criterion)``: failure outcomes of a stage (0 is ``failure``)."""
        if stage == 0:
            return self.failure
        if self.stage_failures is None or not 0 < stage <= self.stage_failures.shape[1]:
            raise IndexError(f"no failure stage {stage} in these scenarios ({self.n_stages} stages)")
        return self.stage_failures[:, stage - 1]


def scenario_bytes(arrays: CaseArrays) -> int:
    """Bytes of one scenario's arrays: planned outcomes, each stage's failure outcomes,
    probabilities, latent uniforms."""
    return 8 * ((1 + arrays.n_stages) * arrays.n_options * arrays.n_criteria + 2 * arrays.n_preconditions)


def draw_scenarios(
    arrays: CaseArrays,
    n_scenarios: int,
    *,
    rng: SeedLike | None = None,
    stream: int = STREAM_IN_SAMPLE,
) -> Scenarios:
    """Draw ``n_scenarios`` scenarios of a compiled case.

    Parameters
    ----------
    arrays
        The compiled case.
    n_scenarios
        Number of scenarios S (at least 1).
    rng
        Seed: a non-negative integer, a ``SeedSequence`` or a ``Generator``; None draws fresh
        entropy (recorded in :attr:`Scenarios.seed`). Pass the same ``SeedSequence`` to draw
        other streams of one run.
    stream
        Independent stream of the same seed (0 in-sample, 1 out-of-sample, 2+ reruns).

    Returns
    -------
    Scenarios

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> s = draw_scenarios(arrays, 100, rng=1)
    >>> s.planned.shape, s.latent.shape
    ((100, 3, 3), (100, 2))
    >>> bool(np.all(draw_scenarios(arrays, 10, rng=1).planned == s.planned[:10]))
    True
    """
    if isinstance(n_scenarios, (int, np.integer)) and not isinstance(n_scenarios, bool):
        from decide.memory import check_fits

        # the arrays, and as much again while the blocks are joined
        per_scenario = 2 * scenario_bytes(arrays)
        check_fits(per_scenario * int(n_scenarios), f"{int(n_scenarios):,} scenarios", "scenarios", per_scenario)
    chunks = list(iter_scenarios(arrays, n_scenarios, rng=rng, stream=stream, chunk=n_scenarios))
    return chunks[0]


def iter_scenarios(
    arrays: CaseArrays,
    n_scenarios: int,
    *,
    rng: SeedLike | None = None,
    stream: int = STREAM_IN_SAMPLE,
    chunk: int = 8 * BLOCK_SIZE,
) -> Iterator[Scenarios]:
    """The scenarios of :func:`draw_scenarios` in consecutive chunks of at most ``chunk`` draws.

    The draws are the same however they are chunked, so memory stays bounded for large S.
    """
    if not isinstance(n_scenarios, (int, np.integer)) or isinstance(n_scenarios, bool) or n_scenarios < 1:
        raise DecideError(f"the number of scenarios must be a positive integer, got {n_scenarios!r}")
    root, seed = resolve_seed(rng)
    shared = np.asarray(arrays.failure_is_baseline, dtype=bool).reshape(arrays.n_options, arrays.n_criteria)
    correlated, factor = copula_factor(arrays.correlation)
    samplers = ScoreSampler(arrays.scores), ScoreSampler(arrays.failure)
    later = _LaterStages(arrays)
    per_chunk = max(1, -(-int(chunk) // BLOCK_SIZE))
    n_blocks = -(-int(n_scenarios) // BLOCK_SIZE)
    for first in range(0, n_blocks, per_chunk):
        blocks = range(first, min(first + per_chunk, n_blocks))
        parts = [_BLOCKS.get(arrays, root, stream, k, lambda k=k: _draw_block(
            arrays, np.random.default_rng(block_seed_sequence(root, stream, k)), shared, correlated, factor,
            samplers, later)) for k in blocks]
        size = min(n_scenarios, blocks.stop * BLOCK_SIZE) - first * BLOCK_SIZE
        planned, failure, probabilities, latent, stage_failures = (np.concatenate(p)[:size] for p in zip(*parts))
        yield Scenarios(planned, failure, probabilities, latent, seed, stream, stage_failures)


class _BlockCache:
    """The blocks drawn lately, so that analyses of one run that read the same scenarios (the
    report's strategies, their values, named strategies, discovery: one seed, one stream) draw
    them once. A block is a pure function of the case's arrays (this very object: a block dies
    with it), the seed and its (stream, block) key; held read-only, and every caller gets them
    joined into new arrays. Least recently used blocks go beyond ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.blocks: OrderedDict[tuple, tuple[NDArray[np.float64], ...]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, arrays: CaseArrays, root: np.random.SeedSequence, stream: int, block: int,
            draw: Callable[[], tuple[NDArray[np.float64], ...]]) -> tuple[NDArray[np.float64], ...]:
        key = (id(arrays), root.entropy, tuple(root.spawn_key), root.pool_size, stream, block)
        with self.lock:
            if key in self.blocks:
                self.blocks.move_to_end(key)
                return self.blocks[key]
        parts = draw()
        for part in parts:
            part.flags.writeable = False
        size = sum(part.nbytes for part in parts)
        with self.lock:
            if not any(k[0] == key[0] for k in self.blocks):
                weakref.finalize(arrays, self.forget, key[0])  # before the id can name another case
            self.blocks[key] = parts
            self.size += size
            while self.size > self.limit and len(self.blocks) > 1:
                _, dropped = self.blocks.popitem(last=False)
                self.size -= sum(part.nbytes for part in dropped)
        return parts

    def forget(self, arrays_id: int) -> None:
        with self.lock:
            for key in [k for k in self.blocks if k[0] == arrays_id]:
                self.size -= sum(part.nbytes for part in self.blocks.pop(key))


_BLOCKS = _BlockCache(256 * 2**20)


class _LaterStages:
    """What drawing the second, third, ... stage's failure outcomes needs, built once."""

    def __init__(self, arrays: CaseArrays):
        n_o, n_c = arrays.n_options, arrays.n_criteria
        self.n = arrays.n_stages - 1
        self.samplers = [ScoreSampler(profile) for profile in arrays.stage_failures]
        self.shared = np.asarray(arrays.stage_failure_is_baseline, dtype=bool).reshape(self.n, n_o, n_c)
        own = np.array([max(len(arrays.stage_ids[i]) if i < len(arrays.stage_ids) else 0, 1)
                        for i in range(n_o)])
        # (stage - 1, option): the option has no such stage (it keeps its first stage's outcome)
        self.missing = own[None, :] <= np.arange(1, self.n + 1)[:, None]

    def uniforms(self, gen: np.random.Generator, size: int, n_o: int, n_c: int) -> NDArray[np.float64]:
        return gen.random((size, self.n, n_o, n_c)) if self.n else np.empty((size, 0, n_o, n_c))

    def __call__(self, u: NDArray[np.float64], planned: NDArray[np.float64],
                 failure: NDArray[np.float64], baseline: int | None) -> NDArray[np.float64]:
        size, n_o, n_c = failure.shape
        out = np.empty((size, self.n, n_o, n_c))
        if self.n == 0:
            return out
        for k in range(self.n):
            drawn = self.samplers[k](u[:, k])
            if baseline is not None and self.shared[k].any():
                base = np.broadcast_to(planned[:, baseline, None, :], drawn.shape)
                drawn = np.where(self.shared[k][None], base, drawn)
            out[:, k] = np.where(self.missing[k][None, :, None], failure, drawn)
        return out


def _draw_block(arrays: CaseArrays, gen: np.random.Generator, shared: NDArray[np.bool_],
                correlated: NDArray[np.intp], factor: NDArray[np.float64],
                samplers: tuple[ScoreSampler, ScoreSampler],
                later: _LaterStages) -> tuple[NDArray[np.float64], ...]:
    """One block of BLOCK_SIZE scenarios; the draw order is fixed (it defines the stream): the
    later stages' failure uniforms come after the others, then the common-mode errors, so that
    each leaves every earlier draw as it was."""
    n_o, n_c, n_p = arrays.n_options, arrays.n_criteria, arrays.n_preconditions
    u_planned = gen.random((BLOCK_SIZE, n_o, n_c))
    u_failure = gen.random((BLOCK_SIZE, n_o, n_c))
    u_probability = gen.random((BLOCK_SIZE, n_p))
    latent = gen.random((BLOCK_SIZE, n_p))
    u_later = later.uniforms(gen, BLOCK_SIZE, n_o, n_c)
    rho = arrays.common_mode
    common = np.flatnonzero(rho > 0)
    if len(common):
        # Shared judgement errors (the kernel's rule): every option's uniform on criterion c is
        # Phi(sqrt(rho) z_c + sqrt(1 - rho) Phi^-1(u)), z_c one normal per scenario.
        z = special.ndtri(gen.random((BLOCK_SIZE, len(common))))
        for j, c in enumerate(common):
            shared_z = np.sqrt(rho[c]) * z[:, j]
            for u in (u_planned[:, :, c], u_failure[:, :, c], u_later[:, :, :, c]):
                zc = shared_z.reshape((-1,) + (1,) * (u.ndim - 1))
                u[...] = special.ndtr(zc + np.sqrt(1.0 - rho[c]) * special.ndtri(u)) if rho[c] < 1 else \
                    np.broadcast_to(special.ndtr(zc), u.shape)
    planned = samplers[0](u_planned)
    failure = samplers[1](u_failure)
    if shared.any():  # unlisted failure criteria: the baseline's own draw
        base = np.broadcast_to(planned[:, arrays.baseline, None, :], failure.shape)
        failure = np.where(shared[None], base, failure)
    probabilities = draw_probabilities(arrays, u_probability)
    if len(correlated):
        # Gaussian copula: correlate the normal scores of the correlated preconditions' uniforms.
        z = special.ndtri(latent[:, correlated]) @ factor.T
        latent[:, correlated] = special.ndtr(z)
    stage_failures = later(u_later, planned, failure, arrays.baseline)
    return planned, failure, probabilities, latent, stage_failures

