"""Random draws for the Monte Carlo engine: seeded uniform streams, inverse CDFs, weights, copula.

Every draw is a function of uniforms in [0, 1), by inverse CDF, so the same code serves plain
Monte Carlo (uniforms from a seeded stream) and randomised quasi-Monte Carlo (uniforms from a
scrambled Sobol' sequence). The kernels are numba functions over scalars, fused into the engine's
per-iteration loop by :mod:`decide.montecarlo`; the vectorised wrappers at the end
(:func:`draw_scores`, :func:`draw_probabilities`, :func:`sample_weights`, :func:`hit_and_run`)
serve tests and other analyses.

Streams
    Block *k* of a run draws from ``SeedSequence(entropy, spawn_key=(*root_key, k))`` (the *k*-th
    spawn child of the root sequence). Its uniforms come from the SFC64 generator (Doty-Humphrey's
    small fast chaotic generator) implemented inline in numba, bit-identical to NumPy's
    ``np.random.SFC64`` seeded with the same sequence (a unit test checks this): a function-pointer
    call per draw, as NumPy's own fill loop makes, costs more than the rest of an iteration's
    arithmetic. A second SFC64 stream per block (the next three words of the same sequence's
    state) drives hit-and-run, so the main stream's layout is the same for every weights mode.

References
----------
.. [1] Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal distribution.
   Applied Statistics 37(3), 477-484.
.. [2] Smith, R. L. (1984). Efficient Monte Carlo procedures for generating points uniformly
   distributed over bounded regions. Operations Research 32(6), 1296-1308.
.. [3] Vose, D. (2008). Risk Analysis: A Quantitative Guide, 3rd ed. Wiley (Beta-PERT).
.. [4] Laplace's continued fraction for Mills' ratio: Abramowitz, M. and Stegun, I. A. (1964).
   Handbook of Mathematical Functions, 26.2.14. The log-space tail: SciPy's ``truncnorm``
   (``scipy/stats/_continuous_distns.py``, ``_log_gauss_mass`` and ``_ppf``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.compile import (
    ENABLER_ADD,
    ENABLER_ODDS,
    KIND_CODES,
    PROB_BETA,
    PROB_INTERVAL,
    CaseArrays,
    ScoreArrays,
)
from decide.errors import DecideError

__all__ = [
    "SeedLike",
    "WeightsMode",
    "resolve_seed",
    "block_seed_sequence",
    "stream_states",
    "fill_uniforms",
    "fill_lanes",
    "fill_lanes_rows",
    "FILL_ROWS",
    "LANES",
    "ndtri",
    "ndtri_central",
    "ndtri_tail",
    "NDTRI_CENTRAL",
    "norm_cdf",
    "norm_cdf_table",
    "TABLE_INTERVALS",
    "BetaTables",
    "table_ppf",
    "DENSE_INTERVALS",
    "DENSE_EXACT",
    "dense_ppf",
    "dense_end_ppf",
    "END_OCTAVES",
    "END_STEPS",
    "END_FIRST",
    "table_locate",
    "hermite",
    "triangular_ppf",
    "TRUNCNORMAL_TAIL",
    "mills_ratio",
    "truncnormal_tail_offset",
    "truncnormal_params",
    "truncnormal_ppf",
    "sfc64_next",
    "CellTables",
    "cell_tables",
    "draw_scores",
    "ScoreSampler",
    "beta_ppf",
    "draw_probabilities",
    "copula_factor",
    "WeightSampler",
    "weight_sampler",
    "sample_weights",
    "hit_and_run",
]

SeedLike = int | np.integer | np.random.SeedSequence | np.random.Generator | None
WeightsMode = Literal["imprecise", "uniform", "profiles"]

POINT, TRIANGULAR, PERT, UNIFORM, TRUNCNORMAL, DISCRETE = (KIND_CODES[k] for k in (
    "point", "triangular", "pert", "uniform", "truncnormal", "discrete"))
N_PARAMS = 8
"""Parameters stored per distribution cell (see :func:`cell_tables`)."""
TABLE_INTERVALS = 256
"""Intervals of the tabulated Beta inverse CDF (PERT scores, Beta probabilities), cubic Hermite."""
TABLE_TAIL = 2 * (TABLE_INTERVALS + 1)
"""Offset of the six end-interval constants in a :class:`BetaTables` row."""
DENSE_INTERVALS = 1024
"""Intervals of the dense Beta inverse-CDF tables the engine's kernel reads for PERT scores:
linear interpolation indexed directly by ``u`` (one multiply, a truncation and a lerp)."""
DENSE_EXACT = 8
"""End intervals of a dense table (at each end) where the kernel reads the end tables instead
(:func:`dense_end_ppf`): there the inverse CDF behaves like ``u**(1/alpha)`` and a lerp would be off
by up to 3e-3 of the range; elsewhere the lerp is within 1.1e-4 of the range for PERT shapes up to
6 (measured; the unit test bounds it by 2e-4)."""
END_FIRST = 6
"""The end tables cover ``v = min(u, 1 - u)`` below ``DENSE_EXACT / DENSE_INTERVALS = 2**-7`` by
octaves ``[2**-(k+1), 2**-k)``, ``k = END_FIRST .. END_FIRST + END_OCTAVES - 1`` (the first octave
only for ``v = 2**-7`` exactly, which the upper end can reach)."""
END_OCTAVES = 47
"""Octaves of the end tables: down to ``2**-53``, below every uniform the engine draws but 0."""
END_STEPS = 16
"""Lerp intervals per octave of the end tables. Within an octave the inverse CDF is close to a power
of ``u``, so the lerp is within 3e-5 of the range for PERT shapes up to 8 (unit-tested; 32 steps
gave 7e-6 but took twice the 40 ms that SciPy needs to build Mali's end tables), with no power
function at run time."""

_U3, _U11, _U12, _U24, _U40, _ONE = (np.uint64(v) for v in (3, 11, 12, 24, 40, 1))
_TWO_M53 = 1.0 / 9007199254740992.0
_EXPONENT_ONE = np.uint64(0x3FF0000000000000)  # the bits of 1.0
LANES = 128
"""SFC64 streams of a block's main stream: lane ``l`` draws for the draws ``l`` mod LANES, so a
sub-block's uniforms for one slot come from all lanes at once, in loops that vectorise. (Also the
kernel's sub-block: 128 draws ran 13% faster than 64 on two threads, measured paired; 256 no
faster.)"""

# --------------------------------------------------------------------------- seeding


def resolve_seed(rng: SeedLike) -> tuple[np.random.SeedSequence, int | list[int]]:
    """The root seed sequence of a run, and the seed to record so the run can be repeated.

    ``rng`` is a non-negative integer, a :class:`numpy.random.SeedSequence`, ``None`` (fresh
    entropy from the operating system, recorded) or a :class:`numpy.random.Generator` (an integer
    seed is drawn from it and recorded). Anything else raises :class:`~decide.errors.DecideError`.
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng, rng.entropy
    if isinstance(rng, np.random.Generator):
        seed = int(rng.integers(2**63))
        return np.random.SeedSequence(seed), seed
    if rng is None:
        root = np.random.SeedSequence()
        return root, int(root.entropy)
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)):
        raise DecideError(f"the seed must be a non-negative integer, not {rng!r} ({type(rng).__name__})")
    if rng < 0:
        raise DecideError(f"the seed must be a non-negative integer, not {rng}")
    return np.random.SeedSequence(int(rng)), int(rng)


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


# --------------------------------------------------------------------------- special functions


NDTRI_CENTRAL = 0.425
"""``ndtri(p)`` for ``|p - 0.5| <= NDTRI_CENTRAL`` is :func:`ndtri_central` (no branch, no log)."""


@nb.njit(nogil=True, cache=True, inline="always")
def ndtri_central(q: float) -> float:
    """:func:`ndtri` of ``0.5 + q`` for ``|q| <= NDTRI_CENTRAL``: one rational function, so loops
    over it vectorise (the tails, 15% of uniforms, take :func:`ndtri_tail`, the far tails :func:`ndtri`)."""
    r = 0.180625 - q * q
    return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r
                         + 67265.770927008700853) * r + 45921.953931549871457) * r
                       + 13731.693765509461125) * r + 1971.5909503065514427) * r
                     + 133.14166789178437745) * r + 3.387132872796366608) / (
            ((((((5226.495278852545925 * r + 28729.085735721942674) * r
                 + 39307.89580009271061) * r + 21213.794301586595867) * r
               + 5394.1960214247511077) * r + 687.1870074920579083) * r
             + 42.313330701600911252) * r + 1.0)


@nb.njit(nogil=True, cache=True, inline="always")
def ndtri_tail(s: float, lower: bool) -> float:
    """:func:`ndtri` in its tails short of the far tails: ``s = sqrt(-log(r))`` in (1.6, 5], ``r =
    min(p, 1 - p)``; ``lower`` for ``p < 0.5``. One rational function and a select, so a loop over
    the tail draws vectorises once their logarithms are taken (a call per draw)."""
    r = s - 1.6
    val = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
                + 0.24178072517745061177) * r + 1.27045825245236838258) * r
              + 3.64784832476320460504) * r + 5.7694972214606914055) * r
            + 4.6303378461565452959) * r + 1.42343711074968357734) / (
        ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
             + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
           + 0.68976733498510000455) * r + 1.6763848301838038494) * r
         + 2.05319162663775882187) * r + 1.0)
    return -val if lower else val


@nb.njit(nogil=True, cache=True)
def ndtri(p: float) -> float:
    """Inverse of the standard normal CDF, Wichura's AS 241 (PPND16), relative error ~1e-16 [1]_."""
    q = p - 0.5
    if abs(q) <= NDTRI_CENTRAL:
        return ndtri_central(q)
    r = p if q < 0.0 else 1.0 - p
    if r <= 0.0:
        return -np.inf if q < 0.0 else np.inf
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        return ndtri_tail(r, q < 0.0)
    r -= 5.0
    val = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
              + 0.29656057182850489123) * r + 1.7848265399172913358) * r
            + 5.4637849111641143699) * r + 6.6579046435011037772) / (
        ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
             + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
           + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
         + 0.59983220655588793769) * r + 1.0)
    return -val if q < 0.0 else val


@nb.njit(nogil=True, cache=True)
def norm_cdf(z: float) -> float:
    """Standard normal CDF (``erfc`` keeps the lower tail accurate)."""
    return 0.5 * math.erfc(-z * 0.7071067811865476)


PHI_LIMIT = 8.5
PHI_STEPS = 64
"""Nodes per unit of :data:`_PHI_TABLE`, which tabulates the normal CDF on [-PHI_LIMIT, PHI_LIMIT]."""


def _phi_table() -> NDArray[np.float64]:
    """Rows ``(Phi(z_i), phi(z_i) / PHI_STEPS)`` on the grid ``z_i = -PHI_LIMIT + i / PHI_STEPS``."""
    z = np.linspace(-PHI_LIMIT, PHI_LIMIT, int(2 * PHI_LIMIT * PHI_STEPS) + 1)
    cdf = [norm_cdf.py_func(v) for v in z]  # the formula, in Python: no compiling at import
    return np.ascontiguousarray(np.stack([cdf, np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) / PHI_STEPS], 1))


_PHI_TABLE = _phi_table()


@nb.njit(nogil=True, cache=True, inline="always")
def norm_cdf_table(z: float) -> float:
    """Standard normal CDF by cubic Hermite interpolation of a table of the CDF and the density:
    absolute error below 1e-10 (unit-tested against SciPy), about a third of ``erfc``'s time.

    For the copula's latent uniforms, which are only compared with probabilities of yes: an
    absolute error of 1e-10 moves no probability by more than that. Beyond ±PHI_LIMIT the CDF is
    that at ±PHI_LIMIT (off by under 1e-17).
    """
    t = (min(max(z, -PHI_LIMIT), PHI_LIMIT - 1e-9) + PHI_LIMIT) * PHI_STEPS
    i = int(t)
    return hermite(t - i, _PHI_TABLE[i, 0], _PHI_TABLE[i, 1], _PHI_TABLE[i + 1, 0], _PHI_TABLE[i + 1, 1])


# --------------------------------------------------------------------------- distributions


class BetaTables:
    """Tabulated Beta inverse CDFs, one row per distinct shape ``(alpha, beta)``.

    A row holds, on the grid ``u_i = i / TABLE_INTERVALS``, the inverse CDF ``x_i`` and its slope
    ``h / f(x_i)`` (``h`` the grid step, ``f`` the density) for cubic Hermite interpolation, then six
    constants for the two end intervals. There the inverse CDF behaves like ``u**(1/alpha)``
    (``(1-u)**(1/beta)``): it is interpolated in ``s = u**(1/alpha)``, in which it is smooth, with
    its exact slope at ``s = 0``, ``(alpha B(alpha, beta))**(1/alpha)``. Rows are shared by all
    cells with the same shape (a case's PERT scores often repeat a few shapes), which keeps the
    tables in cache. The unit tests bound the error against SciPy (below 2e-4 of the range for
    shapes in [1, 10], far inside the Monte Carlo error of any moment).
    """

    def __init__(self) -> None:
        self._rows: list[NDArray[np.float64]] = []
        self._index: dict[tuple[float, float], int] = {}

    def row(self, alpha: float, beta: float) -> int:
        key = (float(alpha), float(beta))
        if key not in self._index:
            self._index[key] = len(self._rows)
            self._rows.append(_beta_row(*key))
        return self._index[key]

    def stack(self) -> NDArray[np.float64]:
        """All rows as one ``(row, 2 * (TABLE_INTERVALS + 1) + 6)`` array (one dummy row if none)."""
        if not self._rows:
            return np.zeros((1, TABLE_TAIL + 6))
        return np.ascontiguousarray(np.stack(self._rows))

    def dense_ends(self) -> NDArray[np.float64]:
        """End tables, rows as in :meth:`stack`: ``(row, 2, END_OCTAVES, END_STEPS + 1)``, the inverse
        CDF at ``v = 2**-(k+1) (1 + i / END_STEPS)`` of the shape (end 0, the lower end) and of its
        mirror ``(beta, alpha)`` (end 1: ``x = 1 - x_mirror(1 - u)``); see :func:`dense_end_ppf`."""
        out = np.zeros((max(len(self._index), 1), 2, END_OCTAVES, END_STEPS + 1))
        for (alpha, beta), r in self._index.items():
            out[r, 0], out[r, 1] = _end_rows(alpha, beta), _end_rows(beta, alpha)
        return np.ascontiguousarray(out)

    def dense(self) -> NDArray[np.float64]:
        """Dense tables, rows as in :meth:`stack`: ``(row, DENSE_INTERVALS, 2)`` holding, on the grid
        ``u_i = i / DENSE_INTERVALS``, ``x_i`` and ``x_{i+1} - x_i`` (see :func:`dense_ppf`)."""
        out = np.zeros((max(len(self._index), 1), DENSE_INTERVALS, 2))
        for (alpha, beta), r in self._index.items():
            out[r] = _dense_row(alpha, beta)
        return np.ascontiguousarray(out)


# Rows cached by shape: every simulation builds its tables, and SciPy's inverse takes milliseconds
# a row (the end tables' 799 points: 1-2 ms).
@functools.lru_cache(maxsize=256)
def _dense_row(alpha: float, beta: float) -> NDArray[np.float64]:
    from scipy.special import betaincinv

    n = DENSE_INTERVALS
    x = betaincinv(alpha, beta, np.arange(n + 1) / n)
    x[0], x[-1] = 0.0, 1.0
    row = np.column_stack([x[:-1], np.diff(x)])
    row.flags.writeable = False
    return row


@functools.lru_cache(maxsize=256)
def _end_rows(alpha: float, beta: float) -> NDArray[np.float64]:
    from scipy.special import betaincinv

    k = np.arange(END_FIRST, END_FIRST + END_OCTAVES)
    v = 2.0 ** -(k[:, None] + 1.0) * (1.0 + np.arange(END_STEPS + 1)[None, :] / END_STEPS)
    rows = betaincinv(alpha, beta, v)
    rows.flags.writeable = False
    return rows


@functools.lru_cache(maxsize=256)
def _beta_row(alpha: float, beta: float) -> NDArray[np.float64]:
    """One :class:`BetaTables` row (cached: scenario draws rebuild tables for the same shapes often)."""
    from scipy.special import beta as beta_fn
    from scipy.special import betaincinv
    from scipy.stats import beta as beta_dist

    n = TABLE_INTERVALS
    h = 1.0 / n
    x = betaincinv(alpha, beta, np.arange(n + 1) * h)
    x[0], x[-1] = 0.0, 1.0
    slope = np.zeros(n + 1)
    slope[1:n] = h / beta_dist.pdf(x[1:n], alpha, beta)
    lower_s, upper_s = h ** (1.0 / alpha), h ** (1.0 / beta)
    lower_c = (alpha * beta_fn(alpha, beta)) ** (1.0 / alpha)
    upper_c = (beta * beta_fn(alpha, beta)) ** (1.0 / beta)
    tail = [1.0 / alpha, 1.0 / beta,
            lower_c * lower_s, slope[1] * alpha,  # d x / d tau at both ends of the lower interval
            upper_c * upper_s, slope[n - 1] * beta]
    row = np.concatenate([np.column_stack([x, slope]).reshape(-1), tail])
    row.flags.writeable = False
    return row


@nb.njit(nogil=True, cache=True, inline="always")
def hermite(t: float, y0: float, m0: float, y1: float, m1: float) -> float:
    """Cubic Hermite interpolation on [0, 1] from end values and slopes."""
    t2 = t * t
    t3 = t2 * t
    return (2.0 * t3 - 3.0 * t2 + 1.0) * y0 + (t3 - 2.0 * t2 + t) * m0 + (3.0 * t2 - 2.0 * t3) * y1 + (t3 - t2) * m1


@nb.njit(nogil=True, cache=True, inline="always")
def table_locate(u: float, inv_alpha: float, inv_beta: float) -> tuple[int, float, int]:
    """Where ``u`` falls in a :class:`BetaTables` row: ``(j, tau, end)``.

    ``end`` is 0 inside (interpolate between entries ``j..j+3``), -1 in the lower end interval
    and 1 in the upper one (``tau`` is then ``(u/h)**(1/alpha)`` or ``((1-u)/h)**(1/beta)``).
    """
    n = TABLE_INTERVALS
    t = u * n
    i = min(int(t), n - 1)
    if i == 0:
        return 0, math.pow(t, inv_alpha), -1
    if i == n - 1:
        return 2 * i, math.pow(max(n - t, 0.0), inv_beta), 1
    return 2 * i, t - i, 0


@nb.njit(nogil=True, cache=True, inline="always")
def table_ppf(tables: NDArray[np.float64], row: int, u: float) -> float:
    """Tabulated Beta inverse CDF of row ``row`` at ``u`` (see :class:`BetaTables`).

    Inlined where compiled code calls it: an array passed to a helper costs a reference count
    per call, more than the interpolation itself.
    """
    k = TABLE_TAIL
    j, tau, end = table_locate(u, tables[row, k], tables[row, k + 1])
    if end == 0:
        return hermite(tau, tables[row, j], tables[row, j + 1], tables[row, j + 2], tables[row, j + 3])
    if end < 0:
        return hermite(tau, 0.0, tables[row, k + 2], tables[row, 2], tables[row, k + 3])
    return 1.0 - hermite(tau, 0.0, tables[row, k + 4], 1.0 - tables[row, j], tables[row, k + 5])


_MANTISSA = np.uint64((1 << 52) - 1)
_END_POSITION = END_STEPS / 2.0**52  # mantissa bits to the position in an octave, in steps
_END_ROW = 2 * END_OCTAVES * (END_STEPS + 1)
assert DENSE_EXACT / DENSE_INTERVALS == 2.0 ** -(END_FIRST + 1)


@nb.njit(nogil=True, cache=True, inline="always")
def dense_end_ppf(ends: NDArray[np.float64], row: int, u: float) -> float:
    """Beta inverse CDF of row ``row`` for ``u`` in the dense table's end intervals, from the end
    tables (``BetaTables.dense_ends``, flattened): the octave of ``v = min(u, 1 - u)`` and the place in
    it read off the bits of ``v`` (exponent, mantissa), then a lerp. Integer operations and one
    lerp: no power function, no search.
    """
    upper = u >= 0.5
    v = 1.0 - u if upper else u  # exact for u >= 0.5 (Sterbenz)
    bits = np.float64(v).view(np.uint64)
    k = 1022 - np.int64(bits >> np.uint64(52))  # v in [2**-(k+1), 2**-k)
    t = np.float64(np.int64(bits & _MANTISSA)) * _END_POSITION
    i = np.int64(t)
    end = row * _END_ROW + upper * (END_OCTAVES * (END_STEPS + 1))
    if k >= END_FIRST + END_OCTAVES:  # v below 2**-53 (0, or a finer QMC point): from 0 linearly
        y = ends[end + (END_OCTAVES - 1) * (END_STEPS + 1)] * (v * 2.0**53)
    else:
        j = end + (k - END_FIRST) * (END_STEPS + 1) + i
        y = ends[j] + (t - i) * (ends[j + 1] - ends[j])
    return 1.0 - y if upper else y


@nb.njit(nogil=True, cache=True)
def dense_ppf(dense: NDArray[np.float64], ends: NDArray[np.float64], row: int, u: float) -> float:
    """Beta inverse CDF of row ``row`` from the dense table (lerp), the :data:`DENSE_EXACT` end
    intervals at each end from the end tables (both flattened, as the engine's kernel reads them;
    it inlines the same lines)."""
    t = u * DENSE_INTERVALS
    i = int(t)
    if i < DENSE_EXACT or i >= DENSE_INTERVALS - DENSE_EXACT:
        return dense_end_ppf(ends, row, u)
    j = (row * DENSE_INTERVALS + i) * 2
    return dense[j] + (t - i) * dense[j + 1]


@nb.njit(nogil=True, cache=True, inline="always")
def triangular_ppf(u: float, low: float, high: float, f_mode: float, k_low: float, k_high: float) -> float:
    """Triangular inverse CDF, closed form (inlined: the kernel's loop over draws then vectorises)."""
    # Both roots, then a select: a branch on u would be mispredicted half the time.
    lower = low + math.sqrt(u * k_low)
    upper = high - math.sqrt((1.0 - u) * k_high)
    return lower if u < f_mode else upper


TRUNCNORMAL_TAIL = 8.0
"""A truncated normal whose bounds both lie this many sd or more on one side of its mean is drawn
by its tail form (:func:`truncnormal_tail_offset`): there the normal CDF at the bounds loses
precision, and beyond about 37.5 sd it underflows to 0 (or to a subnormal), so the plain form
cannot tell the bounds apart (it drew the far bound). Below it the plain form keeps its precision."""
MILLS_TERMS = 16
"""Terms of the continued fraction in :func:`mills_ratio`: relative error below 5e-16 from z = 8
up, and 8 terms from z = 15 up (measured against ``scipy.special.erfcx``; a test checks it)."""


@nb.njit(nogil=True, cache=True)
def mills_ratio(z: float) -> float:
    """Mills' ratio ``R(z) = Phi(-z) / phi(z)`` for ``z >= TRUNCNORMAL_TAIL``, by Laplace's continued
    fraction ``1 / (z + 1 / (z + 2 / (z + 3 / ...)))`` evaluated from the bottom. Finite and
    positive where ``Phi(-z)`` underflows; ``1 / z`` to within ``1 / z**3``."""
    f = z
    for k in range(MILLS_TERMS if z < 15.0 else MILLS_TERMS // 2, 0, -1):
        f = z + k / f
    return 1.0 / f


@nb.njit(nogil=True, cache=True)
def truncnormal_tail_offset(z: float, ratio: float, v: float) -> float:
    """The tail form of the truncated normal inverse CDF, in sd from the bound nearer the mean.

    The standard normal truncated to ``[z, z + d]``, ``z >= TRUNCNORMAL_TAIL`` (reflected, for a
    truncation below the mean), drawn at upper-tail probability ``v``: the ``t >= 0`` with
    ``Phi(-(z + t)) = Phi(-z) (v + ratio (1 - v))``, ``ratio = Phi(-(z + d)) / Phi(-z)``. In logs
    and relative to the near bound, so nothing underflows or cancels:
    ``log Phi(-(z + t)) - log Phi(-z) = -t (z + t/2) + log R(z + t) - log R(z)`` (``R`` is
    :func:`mills_ratio`). Newton's method from the root of the quadratic part, which lies beyond
    the root, converges from above (``log Phi`` is concave); two or three steps reach rounding for
    ``z >= 8``, and beyond ``z = 1e8`` the quadratic part alone is exact to rounding. As in
    ``scipy.stats.truncnorm``, which also works in the log of the tail [4]_.

    Returns ``inf`` where ``v + ratio (1 - v)`` is 0 (the far bound).
    """
    s = v + ratio * (1.0 - v)
    if s <= 0.0:
        return np.inf
    log_s = math.log(s)
    if log_s >= 0.0:
        return 0.0
    t = -2.0 * log_s / (z + math.sqrt(z * z - 2.0 * log_s))
    if z < 1e8:
        log_rz = math.log(mills_ratio(z))
        for _ in range(4):
            r = mills_ratio(z + t)
            step = (math.log(r) - log_rz - t * (z + 0.5 * t) - log_s) * r
            t += step
            if abs(step) <= 1e-15 * t:
                break
    return t


@nb.njit(nogil=True, cache=True)
def truncnormal_ppf(u: float, mean: float, sd: float, f_low: float, width: float, sign: float, low: float,
                    high: float) -> float:
    """Truncated normal inverse CDF with the parameters of :func:`cell_tables`, clipped to [low, high].

    Plain form (``f_low >= 0``): ``mean + sign sd ndtri(f_low + u width)``. Tail form (``f_low < 0``,
    a cell's constant, so the branch is always predicted): ``mean`` holds the bound nearer the true
    mean, ``-f_low`` its distance in sd, ``width`` the ratio of the normal's tails at the two
    bounds; the draw is that bound moved ``sd`` times :func:`truncnormal_tail_offset` towards the
    other, which keeps it increasing in ``u``.
    """
    if f_low < 0.0:
        v = u if sign > 0.0 else 1.0 - u
        x = mean - sign * sd * truncnormal_tail_offset(-f_low, width, v)
    else:
        x = mean + sign * sd * ndtri(f_low + u * width)
    return min(max(x, low), high)


@nb.njit(nogil=True, cache=True)
def draw_cell(kind: int, par: NDArray[np.float64], cum: NDArray[np.float64], values: NDArray[np.float64],
              tables: NDArray[np.float64], f: int, a: int, c: int, u: float) -> float:
    """One outcome of cell ``[f, a, c]`` by inverse CDF of ``u``; ``par`` as built by :func:`cell_tables`.

    For the vectorised wrappers (the strategies engine's scenarios); the engine's kernel inlines the
    same dispatch, except that it reads PERT from the dense and end tables (:func:`dense_ppf`).
    """
    if kind == TRIANGULAR:
        return triangular_ppf(u, par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2], par[f, a, c, 3], par[f, a, c, 4])
    if kind == UNIFORM:
        return par[f, a, c, 0] + u * par[f, a, c, 1]
    if kind == PERT:
        return par[f, a, c, 0] + par[f, a, c, 1] * table_ppf(tables, int(par[f, a, c, 2]), u)
    if kind == TRUNCNORMAL:
        return truncnormal_ppf(u, par[f, a, c, 0], par[f, a, c, 1], par[f, a, c, 2], par[f, a, c, 3],
                               par[f, a, c, 4], par[f, a, c, 5], par[f, a, c, 6])
    if kind == DISCRETE:
        k = 0
        last = int(par[f, a, c, 0]) - 1
        while k < last and u >= cum[f, a, c, k]:
            k += 1
        return values[f, a, c, k]
    return par[f, a, c, 0]


@dataclass(frozen=True)
class CellTables:
    """Outcome distributions of a :class:`~decide.compile.ScoreArrays` as inverse-CDF parameters.

    ``kind`` ``(option, criterion)``; ``params`` ``(option, criterion, 8)``: point ``(v)``;
    triangular ``(low, high, F(mode), (high-low)(mode-low), (high-low)(high-mode))``; PERT
    ``(low, high-low, row of BetaTables)`` with ``alpha = 1 + shape (mode-low)/(high-low)``, ``beta``
    likewise [3]_; uniform ``(low, high-low)``; truncated normal
    ``(mean, sd, F_lo, F_hi-F_lo, sign, low, high)`` with the CDF taken on the side of the mean
    away from the truncation so that far tails keep their precision, or, both bounds far on one
    side of the mean, its tail form (:func:`truncnormal_params`); discrete ``(n_values)``
    with cumulative probabilities in ``cum`` and support in ``values``.
    """

    kind: NDArray[np.int8]
    params: NDArray[np.float64]
    cum: NDArray[np.float64]
    values: NDArray[np.float64]


def truncnormal_params(mean: float, sd: float, low: float, high: float) -> tuple[float, ...]:
    """The seven parameters of :func:`truncnormal_ppf` for a normal truncated to [low, high].

    The CDF is taken on the side of the mean away from the truncation (reflected where both bounds
    lie above the mean), so that far tails keep their precision; where both bounds lie
    :data:`TRUNCNORMAL_TAIL` sd or more from the mean, the tail form's parameters
    ``(near bound, sd, -z, ratio, sign, low, high)`` instead.
    """
    from scipy.special import ndtr

    a, b = (low - mean) / sd, (high - mean) / sd
    sign = 1.0
    if a > 0.0:  # truncation above the mean: work in the upper tail, reflected
        a, b, sign = -b, -a, -1.0
    if b <= -TRUNCNORMAL_TAIL:
        # Both bounds far below (reflected: above) the mean: z, the near bound's distance in sd, and
        # the log of the tails' ratio, -d (z + d/2) + log R(z + d) - log R(z), d = (high - low) / sd.
        z, d = -b, (high - low) / sd
        log_ratio = -d * (z + 0.5 * d)
        if log_ratio > -800.0:  # else the ratio underflows: 0
            log_ratio += math.log(mills_ratio.py_func(z + d)) - math.log(mills_ratio.py_func(z))
        near = high if sign > 0.0 else low
        return near, sd, -z, math.exp(log_ratio) if log_ratio > -800.0 else 0.0, sign, low, high
    lo, hi = float(ndtr(a)), float(ndtr(b))
    if sign < 0:  # reflected: u -> 1 - u keeps the draw increasing in u
        return mean, sd, hi, lo - hi, sign, low, high
    return mean, sd, lo, hi - lo, sign, low, high


def cell_tables(scores: ScoreArrays, tables: BetaTables) -> CellTables:
    """Inverse-CDF parameters of every (option, criterion) cell; PERT shapes are added to ``tables``."""
    kind = np.asarray(scores.kind, dtype=np.int8)
    params = np.zeros(kind.shape + (N_PARAMS,))
    for idx in np.ndindex(kind.shape):
        low, centre, high, extra = scores.params[idx]
        k = kind[idx]
        if k == POINT:
            params[idx][0] = low
        elif k == TRIANGULAR:
            width = high - low
            params[idx][:5] = (low, high, (centre - low) / width, width * (centre - low), width * (high - centre))
        elif k == PERT:
            width = high - low
            a = 1.0 + extra * (centre - low) / width
            b = 1.0 + extra * (high - centre) / width
            params[idx][:3] = (low, width, tables.row(a, b))
        elif k == UNIFORM:
            params[idx][:2] = (low, high - low)
        elif k == TRUNCNORMAL:
            params[idx][:7] = truncnormal_params(centre, extra, low, high)
        elif k == DISCRETE:
            params[idx][0] = np.count_nonzero(scores.discrete_probabilities[idx] > 0) or 1
    probs = np.asarray(scores.discrete_probabilities, dtype=float)
    cum = np.cumsum(probs, axis=-1)
    cum = cum / np.where(cum[..., -1:] > 0, cum[..., -1:], 1.0)
    values = np.asarray(scores.discrete_values, dtype=float)
    # Discrete supports are compacted to the values with positive probability, in order.
    for idx in np.ndindex(kind.shape):
        if kind[idx] == DISCRETE:
            keep = probs[idx] > 0
            n = int(keep.sum())
            values[idx][:n] = values[idx][keep]
            cum[idx][:n] = np.cumsum(probs[idx][keep]) / probs[idx][keep].sum()
    return CellTables(kind, params, np.ascontiguousarray(cum), np.ascontiguousarray(values))


@nb.njit(nogil=True, cache=True)
def _draw_cells(kind, params, cum, values, tables, u, out):
    # The common kinds written out: a helper call per draw costs more than the draw.
    n_o, n_c = kind.shape
    for i in range(u.shape[0]):
        for o in range(n_o):
            for c in range(n_c):
                k = kind[o, c]
                if k == PERT:
                    out[i, o, c] = params[0, o, c, 0] + params[0, o, c, 1] * table_ppf(
                        tables, int(params[0, o, c, 2]), u[i, o, c])
                elif k == POINT:
                    out[i, o, c] = params[0, o, c, 0]
                else:
                    out[i, o, c] = draw_cell(k, params, cum, values, tables, 0, o, c, u[i, o, c])


def beta_ppf(alpha: float, beta: float, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Beta(alpha, beta) inverse CDF at ``u`` from the tabulated row (as the engine draws it)."""
    row = _beta_row(float(alpha), float(beta))[None]
    u = np.asarray(u, dtype=float)
    out = np.empty(u.size)
    _beta_ppf_loop(row, np.ascontiguousarray(u.ravel()), out)
    return out.reshape(u.shape)


@nb.njit(nogil=True, cache=True)
def _beta_ppf_loop(tables, u, out):
    for i in range(u.shape[0]):
        out[i] = table_ppf(tables, 0, min(max(u[i], 0.0), 1.0))


class ScoreSampler:
    """Draws outcomes of a :class:`~decide.compile.ScoreArrays` by inverse CDF; the tables are
    built once, so that drawing many blocks costs only the draws."""

    def __init__(self, scores: ScoreArrays):
        tables = BetaTables()
        self.cells = cell_tables(scores, tables)
        self.tables = tables.stack()

    def __call__(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        cells = self.cells
        u = np.ascontiguousarray(u, dtype=float)
        if u.shape[1:] != cells.kind.shape:
            raise ValueError(f"uniforms have shape {u.shape}; expected (draw, {cells.kind.shape[0]}, "
                             f"{cells.kind.shape[1]})")
        out = np.empty_like(u)
        _draw_cells(cells.kind, cells.params[None], cells.cum[None], cells.values[None], self.tables, u, out)
        return out


def draw_scores(scores: ScoreArrays, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Outcomes ``(draw, option, criterion)`` from uniforms of the same shape, by inverse CDF.

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> u = np.random.default_rng(1).random((1000, 3, 3))
    >>> draw_scores(arrays.scores, u).shape
    (1000, 3, 3)
    """
    return ScoreSampler(scores)(u)


def probability_tables(arrays: CaseArrays, tables: BetaTables) -> NDArray[np.float64]:
    """Per precondition ``(p, _)`` (point), ``(low, high - low)`` (interval) or ``(table row, _)`` (Beta)."""
    params = np.zeros((arrays.n_preconditions, 2))
    for q, (kind, (x, y)) in enumerate(zip(arrays.probability_kind, arrays.probability_params)):
        if kind == PROB_INTERVAL:
            params[q] = (x, y - x)
        elif kind == PROB_BETA:
            params[q] = (tables.row(x, y), 0.0)
        else:
            params[q] = (x, 0.0)
    return params


@nb.njit(nogil=True, cache=True)
def draw_probability(kind: int, par: NDArray[np.float64], tables: NDArray[np.float64], q: int, u: float) -> float:
    """Precondition ``q``'s probability of yes: point, uniform in [low, high], or Beta by inverse CDF."""
    if kind == PROB_INTERVAL:
        return par[q, 0] + u * par[q, 1]
    if kind == PROB_BETA:
        return table_ppf(tables, int(par[q, 0]), u)
    return par[q, 0]


def draw_probabilities(arrays: CaseArrays, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Marginal probabilities of yes ``(draw, precondition)`` from uniforms of the same shape."""
    tables = BetaTables()
    params = probability_tables(arrays, tables)
    stacked = tables.stack()
    u = np.ascontiguousarray(u, dtype=float)
    out = np.empty_like(u)
    _draw_probabilities(np.asarray(arrays.probability_kind, dtype=np.int64), params, stacked, u, out)
    return out


@nb.njit(nogil=True, cache=True)
def _draw_probabilities(kind, params, tables, u, out):
    for i in range(u.shape[0]):
        for q in range(u.shape[1]):
            out[i, q] = draw_probability(kind[q], params, tables, q, u[i, q])


@nb.njit(nogil=True, cache=True, inline="always")
def apply_enabler(kind: int, amount: float, p: float) -> float:
    """One enabler's effect on a probability of yes (as :func:`decide.compile.apply_enablers`)."""
    if kind == ENABLER_ADD:
        return min(max(p + amount, 0.0), 1.0)
    if kind == ENABLER_ODDS:
        if p >= 1.0:
            return 1.0
        odds = p / (1.0 - p) * amount
        return odds / (1.0 + odds)
    return amount


# --------------------------------------------------------------------------- copula


def copula_factor(correlation: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """The correlated preconditions and a lower-triangular factor ``L`` with ``L L' = R`` on them.

    Uncorrelated preconditions need no normal transform: their latent uniform is used as drawn.
    ``R`` may be only positive semi-definite (e.g. two answers that always agree): the factor is a
    Cholesky decomposition that sets a column to zero where the pivot vanishes (an LDL' with
    zero entries in D), which stays exact for semi-definite matrices; if rounding leaves it off
    by more than 1e-8 the symmetric eigen factor is used instead.

    Returns
    -------
    index : (k,) the correlated preconditions, in case order.
    factor : (k, k)
    """
    r = np.asarray(correlation, dtype=float)
    n = r.shape[0]
    off = np.abs(r - np.eye(n)) > 0
    index = np.flatnonzero(off.any(axis=0) | off.any(axis=1))
    sub = r[np.ix_(index, index)]
    k = len(index)
    factor = np.zeros((k, k))
    for j in range(k):
        d = sub[j, j] - factor[j, :j] @ factor[j, :j]
        if d <= 1e-12:
            continue
        factor[j, j] = math.sqrt(d)
        factor[j + 1:, j] = (sub[j + 1:, j] - factor[j + 1:, :j] @ factor[j, :j]) / factor[j, j]
    if k and np.abs(factor @ factor.T - sub).max() > 1e-8:
        vals, vecs = np.linalg.eigh(sub)
        factor = vecs * np.sqrt(np.clip(vals, 0.0, None))
    return index.astype(np.intp), np.ascontiguousarray(factor)


# --------------------------------------------------------------------------- weights

W_FIXED, W_SIMPLEX, W_SORTED, W_PROFILES, W_CHAIN = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class WeightSampler:
    """How one draw gets its weights: a code for the kernel and the arrays it needs.

    ``code``: 0 fixed vector; 1 uniform on the simplex (normalised exponentials, one uniform per
    criterion); 2 uniform on the region of a total order of the criteria (a simplex draw sorted
    into that order: exact, and as cheap as the simplex); 3 a stakeholder profile chosen uniformly
    (one uniform); 4 hit-and-run over ``{w >= 0, sum w = 1, A w <= b}`` on the auxiliary stream.
    """

    mode: str
    code: int
    n_uniforms: int
    """Uniforms of the main stream each draw consumes (0 for fixed weights and hit-and-run)."""
    fixed: NDArray[np.float64]
    profiles: NDArray[np.float64]
    order: NDArray[np.intp]
    """For code 2: criteria from the largest weight to the smallest."""
    constraints: NDArray[np.float64]
    """For code 4: ``G`` with rows ``-I`` then ``A`` so the polytope is ``G w <= h``."""
    bounds: NDArray[np.float64]
    start: NDArray[np.float64]
    """For code 4: the Chebyshev centre of the polytope, where every block's chain starts."""
    burn_in: int
    thinning: int


def weight_sampler(arrays: CaseArrays, weights: str | None) -> WeightSampler:
    """Resolve a weights mode: ``None`` (default profile), a profile id, or a named mode.

    Raises :class:`~decide.errors.DecideError` for an unknown profile or mode, ``profiles``
    without profiles, and imprecise statements that leave no room to draw from.
    """
    n_c = arrays.n_criteria
    empty2, empty1 = np.zeros((0, n_c)), np.zeros(0)
    no_order = np.zeros(0, dtype=np.intp)

    def make(mode: str, code: int, n_uniforms: int, fixed=None, profiles=None, order=no_order,
             constraints=empty2, bounds=empty1, start=None, burn_in=0, thinning=0) -> WeightSampler:
        return WeightSampler(mode, code, n_uniforms, np.ascontiguousarray(arrays.weights if fixed is None else fixed,
                                                                          dtype=float),
                             np.ascontiguousarray(empty2 if profiles is None else profiles, dtype=float),
                             order, constraints, bounds, np.zeros(n_c) if start is None else start, burn_in, thinning)

    if weights is None:
        return make("default", W_FIXED, 0)
    if weights == "uniform":
        return make("uniform", W_SIMPLEX, n_c)
    if weights == "profiles":
        if not arrays.profile_ids:
            raise DecideError("weights='profiles' needs weight profiles, and the case has none")
        return make("profiles", W_PROFILES, 1, profiles=arrays.profile_weights)
    if weights == "imprecise":
        a, b = np.asarray(arrays.imprecise_a, dtype=float), np.asarray(arrays.imprecise_b, dtype=float)
        if len(a) == 0:
            return make("imprecise", W_SIMPLEX, n_c)
        order = _total_order(a, b)
        if order is not None:
            return make("imprecise", W_SORTED, n_c, order=order)
        g = np.vstack([-np.eye(n_c), a])
        h = np.concatenate([np.zeros(n_c), b])
        start = _chebyshev_centre(g, h)
        return make("imprecise", W_CHAIN, 0, constraints=np.ascontiguousarray(g), bounds=h, start=start,
                    burn_in=200 * n_c, thinning=2 * n_c)
    if weights in arrays.profile_ids:
        return make(weights, W_FIXED, 0, fixed=arrays.profile_weights[arrays.profile_index(weights)])
    known = ", ".join(arrays.profile_ids) or "none"
    raise DecideError(f"unknown weights {weights!r}: give a profile id (the case has: {known}), "
                      "'imprecise', 'uniform', 'profiles', or nothing for the default profile")


def _total_order(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.intp] | None:
    """The criteria from largest to smallest weight if the rows are exactly a total order, else None."""
    n = a.shape[1]
    greater = np.zeros((n, n), dtype=bool)
    for row, bound in zip(a, b):
        plus, minus = np.flatnonzero(row == 1.0), np.flatnonzero(row == -1.0)
        if bound != 0.0 or len(plus) != 1 or len(minus) != 1 or np.count_nonzero(row) != 2:
            return None
        greater[minus[0], plus[0]] = True
    for k in range(n):  # transitive closure
        greater |= greater[:, [k]] & greater[[k], :]
    if np.any(np.diag(greater)):
        return None  # a cycle forces equal weights: not a full-dimensional region
    if not np.all(greater | greater.T | np.eye(n, dtype=bool)):
        return None
    return np.argsort(-greater.sum(axis=1), kind="stable").astype(np.intp)


def _chebyshev_centre(g: NDArray[np.float64], h: NDArray[np.float64]) -> NDArray[np.float64]:
    """Centre of the largest ball inside ``{G w <= h, sum w = 1}`` (distances within that plane)."""
    from scipy.optimize import linprog

    n = g.shape[1]
    projected = g - g.mean(axis=1, keepdims=True)  # rows projected onto the plane sum w = 0
    norms = np.linalg.norm(projected, axis=1)
    c = np.zeros(n + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=np.hstack([g, norms[:, None]]), b_ub=h,
                  A_eq=np.hstack([np.ones((1, n)), np.zeros((1, 1))]), b_eq=[1.0],
                  bounds=[(None, None)] * n + [(0, None)], method="highs")
    if res.status != 0:
        raise DecideError("the imprecise weight statements contradict each other: no weights satisfy them all")
    if res.x[-1] < 1e-9:
        raise DecideError(
            "the imprecise weight statements pin some weights exactly (an interval with low = high, or two "
            "criteria each at least as heavy as the other), so there is no region to draw weights from; "
            "widen the interval or drop one of the orderings")
    return np.ascontiguousarray(res.x[:n])


@nb.njit(nogil=True, cache=True)
def weights_from_uniforms(code: int, u: NDArray[np.float64], col: int, offset: int, fixed: NDArray[np.float64],
                          profiles: NDArray[np.float64], order: NDArray[np.intp], out: NDArray[np.float64],
                          tmp: NDArray[np.float64]) -> None:
    """Weights of one draw from its uniforms ``u[offset:, col]`` (codes 0-3 of :class:`WeightSampler`).

    ``tmp`` is scratch of the same size as ``out``.
    """
    n = out.shape[0]
    if code == W_FIXED:
        for c in range(n):
            out[c] = fixed[c]
    elif code == W_PROFILES:
        k = min(int(u[offset, col] * profiles.shape[0]), profiles.shape[0] - 1)
        for c in range(n):
            out[c] = profiles[k, c]
    else:
        # Normalised unit exponentials are uniform on the simplex; -log1p(-u) is finite on [0, 1).
        total = 0.0
        for c in range(n):
            out[c] = -math.log1p(-u[offset + c, col])
            total += out[c]
        for c in range(n):
            out[c] /= total
        if code == W_SORTED:
            # Sorting a uniform simplex draw gives the uniform draw on the ordered region. Insertion
            # sort (descending; n is small) in place, then scatter to the order's criteria.
            for i in range(1, n):
                x = out[i]
                j = i - 1
                while j >= 0 and out[j] < x:
                    out[j + 1] = out[j]
                    j -= 1
                out[j + 1] = x
            for i in range(n):
                tmp[i] = out[i]
            for i in range(n):  # the i-th largest weight goes to the i-th criterion of the order
                out[order[i]] = tmp[i]


@nb.njit(nogil=True, cache=True)
def chain_reset(g: NDArray[np.float64], h: NDArray[np.float64], w: NDArray[np.float64],
                slack: NDArray[np.float64]) -> None:
    """Recompute the slack ``h - G w`` of a chain's point (rounding drifts it over many steps)."""
    for i in range(g.shape[0]):
        s = h[i]
        for c in range(w.shape[0]):
            s -= g[i, c] * w[c]
        slack[i] = max(s, 0.0)


@nb.njit(nogil=True, cache=True)
def chain_steps(g: NDArray[np.float64], w: NDArray[np.float64], slack: NDArray[np.float64],
                state: NDArray[np.uint64], n_steps: int, scratch: NDArray[np.float64]) -> None:
    """``n_steps`` hit-and-run steps [2]_ inside ``{G w <= h, sum w = 1}``, drawing from ``state``.

    Directions are uniform in the cube, centred onto the plane ``sum d = 0``: any direction
    distribution symmetric under ``d -> -d`` makes the chain reversible with the uniform
    distribution stationary, and the cube costs no normal variates. ``scratch`` is ``(3, n + rows)``:
    uniforms, direction, and ``G d``.
    """
    n, m = w.shape[0], g.shape[0]
    for _ in range(n_steps):
        fill_uniforms(state, scratch[0], n + 1)
        mean = 0.0
        for c in range(n):
            scratch[1, c] = 2.0 * scratch[0, c] - 1.0
            mean += scratch[1, c]
        mean /= n
        for c in range(n):
            scratch[1, c] -= mean
        lo, hi = -np.inf, np.inf
        for i in range(m):
            s = 0.0
            for c in range(n):
                s += g[i, c] * scratch[1, c]
            scratch[2, i] = s
            if s > 1e-14:
                hi = min(hi, slack[i] / s)
            elif s < -1e-14:
                lo = max(lo, slack[i] / s)
        if not (hi > lo):  # a degenerate direction: stay put
            continue
        t = lo + scratch[0, n] * (hi - lo)
        for c in range(n):
            w[c] += t * scratch[1, c]
        for i in range(m):
            slack[i] = max(slack[i] - t * scratch[2, i], 0.0)


@nb.njit(nogil=True, cache=True)
def _chain_block(g, h, start, state, burn_in, thinning, out):
    n = start.shape[0]
    w = start.copy()
    slack = np.empty(g.shape[0])
    scratch = np.empty((3, n + 1 + g.shape[0]))
    chain_reset(g, h, w, slack)
    chain_steps(g, w, slack, state, burn_in, scratch)
    for i in range(out.shape[0]):
        chain_steps(g, w, slack, state, thinning, scratch)
        out[i] = w


def hit_and_run(a_ub: NDArray[np.float64], b_ub: NDArray[np.float64], n: int, *, rng: SeedLike = None,
                burn_in: int | None = None, thinning: int | None = None) -> NDArray[np.float64]:
    """``n`` weight vectors uniform on ``{w >= 0, sum w = 1, a_ub w <= b_ub}`` by hit-and-run.

    One chain from the polytope's Chebyshev centre, ``burn_in`` steps (default ``200 n_c``) then
    one draw every ``thinning`` steps (default ``2 n_c``); successive draws are weakly
    autocorrelated. Raises :class:`~decide.errors.DecideError` if the region is empty or flat.
    """
    a = np.asarray(a_ub, dtype=float).reshape(-1, np.shape(a_ub)[-1])
    n_c = a.shape[1]
    g = np.ascontiguousarray(np.vstack([-np.eye(n_c), a]))
    h = np.concatenate([np.zeros(n_c), np.asarray(b_ub, dtype=float)])
    start = _chebyshev_centre(g, h)
    root, _ = resolve_seed(rng)
    _, state = stream_states(root)
    out = np.empty((n, n_c))
    _chain_block(g, h, start, state, 200 * n_c if burn_in is None else burn_in,
                 2 * n_c if thinning is None else thinning, out)
    return out


def sample_weights(arrays: CaseArrays, n: int, *, weights: str | None = "uniform",
                   rng: SeedLike = None) -> NDArray[np.float64]:
    """``n`` weight vectors ``(draw, criterion)`` as :func:`decide.montecarlo.simulate` draws them.

    ``weights`` as in ``simulate``: ``None`` (default profile), a profile id, ``"imprecise"``,
    ``"uniform"`` or ``"profiles"``.
    """
    sampler = weight_sampler(arrays, weights)
    root, _ = resolve_seed(rng)
    main, aux = stream_states(root)
    out = np.empty((n, arrays.n_criteria))
    tmp = np.empty(arrays.n_criteria)
    if sampler.code == W_CHAIN:
        _chain_block(sampler.constraints, sampler.bounds, sampler.start, aux, sampler.burn_in,
                     sampler.thinning, out)
        return out
    u = np.empty((n, max(sampler.n_uniforms, 1)))
    fill_uniforms(np.ascontiguousarray(main[:, 0]), u.reshape(-1), u.size)  # lane 0 alone
    u = np.ascontiguousarray(u.T)  # (uniform, draw), as the engine's kernel holds them
    for i in range(n):
        weights_from_uniforms(sampler.code, u, i, 0, sampler.fixed, sampler.profiles, sampler.order, out[i], tmp)
    return out


def describe(sampler: WeightSampler) -> dict[str, Any]:
    """A JSON-able description of how weights were drawn, for results and reports."""
    kind = {W_FIXED: "fixed", W_SIMPLEX: "uniform on the simplex", W_SORTED: "uniform on the ordered region",
            W_PROFILES: "stakeholder profile chosen uniformly", W_CHAIN: "hit-and-run on the admissible polytope"}
    out: dict[str, Any] = {"mode": sampler.mode, "sampler": kind[sampler.code]}
    if sampler.code == W_CHAIN:
        out |= {"burn_in": sampler.burn_in, "thinning": sampler.thinning}
    return out
