"""Weight sampling: fixed weights, the simplex, an ordered region, stakeholder profiles, hit-and-run.

:func:`weight_sampler` resolves a weights mode to a :class:`WeightSampler` (a code for the kernel
and its arrays); the kernel draws a draw's weights with :func:`weights_from_uniforms` (from the
main stream's uniforms) or advances a hit-and-run chain (:func:`chain_steps`, on the block's
auxiliary stream). :func:`sample_weights` and :func:`hit_and_run` serve tests and other analyses.

References
----------
.. [1] Smith, R. L. (1984). Efficient Monte Carlo procedures for generating points uniformly
   distributed over bounded regions. Operations Research 32(6), 1296-1308.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numba as nb
import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.errors import DecideError
from decide.montecarlo.streams import SeedLike, fill_uniforms, resolve_seed, stream_states

__all__ = ["WeightsMode", "W_FIXED", "W_SIMPLEX", "W_SORTED", "W_PROFILES", "W_CHAIN", "WeightSampler",
           "weight_sampler", "weights_from_uniforms", "chain_reset", "chain_steps", "hit_and_run", "sample_weights",
           "describe"]

WeightsMode = Literal["imprecise", "uniform", "profiles"]

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
    """``n_steps`` hit-and-run steps [1]_ inside ``{G w <= h, sum w = 1}``, drawing from ``state``.

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
