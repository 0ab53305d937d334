"""Seeded uniform streams: a run's seed, its blocks' seed sequences, SFC64 lanes in numba.

Every draw of the engine is a function of uniforms in [0, 1), by inverse CDF, so the same code
serves plain Monte Carlo (uniforms from these streams) and randomised quasi-Monte Carlo (uniforms
from a scrambled Sobol' sequence, drawn by :mod:`decide.montecarlo.driver`).

Block *k* of a run draws from ``SeedSequence(entropy, spawn_key=(*root_key, k))`` (the *k*-th
spawn child of the root sequence). Its uniforms come from the SFC64 generator (Doty-Humphrey's
small fast chaotic generator) implemented inline in numba, bit-identical to NumPy's
``np.random.SFC64`` seeded with the same sequence (a unit test checks this): a function-pointer
call per draw, as NumPy's own fill loop makes, costs more than the rest of an iteration's
arithmetic. A second SFC64 stream per block (the next three words of the same sequence's state)
drives hit-and-run, so the main stream's layout is the same for every weights mode.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.seeds import SeedLike, resolve_seed  # the seed policy, stated once

__all__ = ["SeedLike", "resolve_seed", "block_seed_sequence", "stream_states", "LANES", "FILL_ROWS", "fill_lanes",
           "fill_lanes_rows", "sfc64_next", "fill_uniforms"]

_U3, _U11, _U12, _U24, _U40, _ONE = (np.uint64(v) for v in (3, 11, 12, 24, 40, 1))
_TWO_M53 = 1.0 / 9007199254740992.0
_EXPONENT_ONE = np.uint64(0x3FF0000000000000)  # the bits of 1.0
LANES = 128
"""SFC64 streams of a block's main stream: lane ``l`` draws for the draws ``l`` mod LANES, so a
sub-block's uniforms for one slot come from all lanes at once, in loops that vectorise. (Also the
kernel's sub-block: 128 draws ran 13% faster than 64 on two threads, measured paired; 256 no
faster.)"""


def block_seed_sequence(root: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The seed sequence of block ``key`` of a run: ``root``'s spawn child with that key.

    Equal to the ``key[0]``-th child of ``root.spawn(...)`` for a one-element key, without
    changing ``root``'s spawn counter.
    """
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key), pool_size=root.pool_size)


def stream_states(seq: np.random.SeedSequence) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """Warmed SFC64 states ``(main, auxiliary)`` from one seed sequence.

    ``main`` is ``(4, LANES)``: lane ``l`` is seeded as NumPy seeds ``np.random.SFC64`` (three
    state words, counter 1, twelve warm-up rounds) from words ``3l .. 3l + 2`` of ``seq``'s state,
    so lane 0 is ``np.random.SFC64(seq)`` exactly; ``auxiliary`` (one stream, ``(4,)``) uses the
    next three words.
    """
    words = seq.generate_state(3 * LANES + 3, np.uint64)
    main = np.empty((4, LANES), dtype=np.uint64)
    main[:3] = words[:3 * LANES].reshape(LANES, 3).T
    main[3] = 1
    scratch = np.empty(LANES)
    for _ in range(12):
        fill_lanes(main, scratch)
    aux = np.empty(4, dtype=np.uint64)
    aux[:3], aux[3] = words[3 * LANES:], 1
    _sfc64_skip(aux, 12)
    return main, aux


@nb.njit(nogil=True, cache=True)
def _sfc64_skip(state: NDArray[np.uint64], n: int) -> None:
    scratch = np.empty(n)
    fill_uniforms(state, scratch, n)


@nb.njit(nogil=True, cache=True, inline="always")
def sfc64_step(a: np.uint64, b: np.uint64, c: np.uint64, d: np.uint64):
    """One SFC64 step on the state words ``(a, b, c, counter)``: ``(output, a, b, c, counter)``."""
    tmp = a + b + d
    return tmp, b ^ (b >> _U11), c + (c << _U3), ((c << _U24) | (c >> _U40)) + tmp, d + _ONE


@nb.njit(nogil=True, cache=True, inline="always")
def lane_uniform(x: np.uint64) -> float:
    """The output's top 52 bits as a double in [1, 2), minus 1 (``(x >> 12) 2**-52``): integer
    operations, a reinterpretation and a subtraction only, so lanes run in vector registers (a
    64-bit integer-to-double conversion does not vectorise without AVX-512)."""
    return np.uint64((x >> _U12) | _EXPONENT_ONE).view(np.float64) - 1.0


@nb.njit(nogil=True, cache=True, inline="always")
def fill_lanes(lanes: NDArray[np.uint64], out: NDArray[np.float64]) -> None:
    """One SFC64 step of every lane of ``lanes`` (``(4, LANES)``): ``out[l]`` the uniform of lane ``l``."""
    for lane in range(LANES):
        x, lanes[0, lane], lanes[1, lane], lanes[2, lane], lanes[3, lane] = sfc64_step(
            lanes[0, lane], lanes[1, lane], lanes[2, lane], lanes[3, lane])
        out[lane] = lane_uniform(x)


FILL_ROWS = 4
"""Rows :func:`fill_lanes_rows` draws at once: each lane's state stays in registers over the steps,
so there are fewer loads and stores (measured per uniform: 0.32 ns, against 0.52-0.82 ns a row at a
time; 8 rows were no faster)."""


@nb.njit(nogil=True, cache=True, inline="always")
def fill_lanes_rows(lanes: NDArray[np.uint64], out: NDArray[np.float64]) -> None:
    """:data:`FILL_ROWS` SFC64 steps of every lane: ``out[k]`` is the row :func:`fill_lanes` would
    give on its ``k``-th call (the same uniforms, bit for bit)."""
    for lane in range(LANES):
        a, b, c, d = lanes[0, lane], lanes[1, lane], lanes[2, lane], lanes[3, lane]
        for k in range(FILL_ROWS):  # a constant count: unrolled, the lane loop vectorises
            x, a, b, c, d = sfc64_step(a, b, c, d)
            out[k, lane] = lane_uniform(x)
        lanes[0, lane], lanes[1, lane], lanes[2, lane], lanes[3, lane] = a, b, c, d


@nb.njit(nogil=True, cache=True)
def sfc64_next(a: np.uint64, b: np.uint64, c: np.uint64, d: np.uint64):
    """One SFC64 step on the state words ``(a, b, c, counter)``: ``(uniform, a, b, c, counter)``.

    Scalars in and out, so the engine's kernel keeps the state in registers across draws. The
    53-bit integer is converted as a signed integer: an unsigned 64-bit conversion costs several
    instructions without AVX-512.
    """
    x, a, b, c, d = sfc64_step(a, b, c, d)
    return np.float64(np.int64(x >> _U11)) * _TWO_M53, a, b, c, d


@nb.njit(nogil=True, cache=True)
def fill_uniforms(state: NDArray[np.uint64], out: NDArray[np.float64], n: int) -> None:
    """Fill ``out[:n]`` with uniforms in [0, 1) from the SFC64 ``state`` (advanced in place)."""
    a, b, c, d = state[0], state[1], state[2], state[3]
    for i in range(n):
        out[i], a, b, c, d = sfc64_next(a, b, c, d)
    state[0], state[1], state[2], state[3] = a, b, c, d
