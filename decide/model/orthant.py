"""P(every answer in a set is yes) under the Gaussian copula, vectorised over rows of probabilities.

The simulation draws the answers to the preconditions jointly through a Gaussian copula with the
case's correlation matrix ``R``: answer ``i`` is yes when a latent standard normal ``Z_i`` lies
below ``Phi^-1(p_i)``. So the chance that every answer of a set ``S`` is yes is the normal orthant
probability ``Phi_S(Phi^-1(p_S); R_S)``, which :func:`all_yes_probability` computes for a batch of
probability vectors (one per row: drawn inputs, options, ...) and one correlation matrix.

How, by the shape of ``R_S``:

- answers that always agree (correlation 1) are one answer, with the smaller probability;
- the set splits into groups connected by non-zero correlations; independent groups multiply,
  so uncorrelated answers give the plain product, exactly;
- a group of one is ``p``; a group of two is the bivariate normal distribution function by Genz's
  BVND (Drezner & Wesolowsky's method with Gauss-Legendre rules; double precision), exact also at
  correlation -1;
- a group of three uses Plackett's reduction to a one-dimensional integral of bivariate densities
  (Genz 2004; 20-point Gauss-Legendre; about 1e-13), or, when two of its correlations exceed
  0.925 in magnitude, conditions on one answer and integrates the other two's bivariate
  probability over it (12 panels of 12-point Gauss-Legendre on [-9, z]);
- a larger group uses Genz's separation of variables, the answers of each row reordered as Genz
  and Bretz advise (least likely yes first), quasi-Monte Carlo on one fixed scrambled Sobol'
  point set of 1,024 points (so results are deterministic, each row's independent of the batch,
  and smooth in the probabilities; error about 1e-5; about 0.2 ms per distinct row for nine
  answers). A singular ``R`` (a vanishing pivot) gives indicator factors there.

Rows whose probabilities are identical are computed once, so a set whose probabilities do not vary
over a batch costs one evaluation.

References
----------
.. [1] Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and
   t probabilities. Statistics and Computing 14, 251-260. doi:10.1023/B:STCO.0000035304.20635.31
.. [2] Genz, A. (1992). Numerical computation of multivariate normal probabilities. Journal of
   Computational and Graphical Statistics 1(2), 141-149. doi:10.1080/10618600.1992.10477010
.. [3] Genz, A., Bretz, F. (2009). Computation of Multivariate Normal and t Probabilities.
   Lecture Notes in Statistics 195, Springer. doi:10.1007/978-3-642-01689-9
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from decide.model.normal import ndtr, ndtri

__all__ = ["all_yes_probability", "bivariate_normal_cdf", "normal_orthant"]

# Limits beyond +-_BIG are infinite for every purpose here (Phi(-38) < 1e-315).
_BIG = 38.0
# Correlations this close to 1 make two answers one.
_SAME = 1.0 - 1e-12
# The trivariate integral runs over [-_LOW, z]: Phi(-9) < 1e-18.
_LOW = 9.0
_PANELS, _PANEL_NODES = 12, 12
# Plackett's reduction is used while the second largest correlation stays below this.
_PLACKETT_MAX = 0.925
_QMC_POINTS_LOG2 = 10
_QMC_SEED = 20121
# Rows x points per block of the quasi-Monte Carlo estimate (memory stays bounded).
_QMC_BLOCK = 1 << 18
_TWO_PI = 2.0 * math.pi

_GAUSS = {n: np.polynomial.legendre.leggauss(n) for n in (6, 12, 20)}


def bivariate_normal_cdf(h: ArrayLike, k: ArrayLike, r: float) -> NDArray[np.float64]:
    """``P(X <= h, Y <= k)`` for standard normals ``X, Y`` with correlation ``r`` (Genz's BVND).

    ``h`` and ``k`` broadcast and may be infinite; ``r`` is one number in [-1, 1].

    Examples
    --------
    >>> float(bivariate_normal_cdf(0.0, 0.0, 0.5))  # 1/4 + asin(0.5) / (2 pi) = 1/3
    0.3333333333333333
    """
    h, k = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(k, dtype=float))
    return _upper(-h, -k, float(r))


def _upper(h: NDArray[np.float64], k: NDArray[np.float64], r: float) -> NDArray[np.float64]:
    """``P(X > h, Y > k)``: Genz's BVND, vectorised over the limits for one correlation."""
    if r == 0.0:
        return ndtr(-h) * ndtr(-k)
    if r >= 1.0:
        return ndtr(-np.maximum(h, k))
    if r <= -1.0:
        return np.maximum(0.0, ndtr(-k) - ndtr(h))  # P(h < X < -k)
    h = np.clip(h, -_BIG, _BIG)
    k = np.clip(k, -_BIG, _BIG)
    hk = h * k
    t, w = _GAUSS[6 if abs(r) < 0.3 else 12 if abs(r) < 0.75 else 20]
    x = 1.0 + t  # Genz's nodes 1 -+ x_i on (0, 2)
    if abs(r) < 0.925:
        hs = (h * h + k * k) / 2.0
        asr = math.asin(r)
        sn = np.sin(asr * x / 2.0)
        terms = np.exp((sn * hk[..., None] - hs[..., None]) / (1.0 - sn * sn))
        return terms @ w * asr / (2.0 * _TWO_PI) + ndtr(-h) * ndtr(-k)
    if r < 0.0:
        k, hk = -k, -hk
    a_s = (1.0 - r) * (1.0 + r)
    a = math.sqrt(a_s)
    bs = (h - k) ** 2
    c = (4.0 - hk) / 8.0
    d = (12.0 - hk) / 16.0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        asr = -(bs / a_s + hk) / 2.0
        bvn = np.where(asr > -100.0, a * np.exp(np.maximum(asr, -100.0))
                       * (1.0 - c * (bs - a_s) * (1.0 - d * bs / 5.0) / 3.0 + c * d * a_s * a_s / 5.0), 0.0)
        b = np.sqrt(bs)
        tail = (np.exp(-np.maximum(hk, -100.0) / 2.0) * math.sqrt(_TWO_PI) * ndtr(-b / a) * b
                * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0))
        bvn = bvn - np.where(hk > -100.0, tail, 0.0)
        half = a / 2.0
        xs = (half * x) ** 2
        rs = np.sqrt(1.0 - xs)
        asr_n = -(bs[..., None] / xs + hk[..., None]) / 2.0
        keep = asr_n > -100.0
        inner = (np.exp(np.where(keep, asr_n, -100.0))
                 * (np.exp(-hk[..., None] * (1.0 - rs) / (2.0 * (1.0 + rs))) / rs
                    - (1.0 + c[..., None] * xs * (1.0 + d[..., None] * xs))))
        bvn = bvn + half * (np.where(keep, inner, 0.0) @ w)
    bvn = -bvn / _TWO_PI
    if r > 0.0:
        bvn = bvn + ndtr(-np.maximum(h, k))
    else:
        bvn = -bvn + np.maximum(0.0, ndtr(-h) - ndtr(-k))
    return np.clip(bvn, 0.0, 1.0)


def _bivariate_general(h: NDArray[np.float64], k: NDArray[np.float64], s1: float, s2: float,
                       r: float) -> NDArray[np.float64]:
    """``P(s1 X <= h, s2 Y <= k)``, standard normals with correlation ``r``, ``s1, s2 >= 0``."""
    if s1 > 0.0 and s2 > 0.0:
        return bivariate_normal_cdf(h / s1, k / s2, r)
    first = ndtr(h / s1) if s1 > 0.0 else (h >= 0.0).astype(float)
    second = ndtr(k / s2) if s2 > 0.0 else (k >= 0.0).astype(float)
    return first * second  # a degenerate coordinate is a constant: independent of the other


def normal_orthant(limits: ArrayLike, correlation: ArrayLike) -> NDArray[np.float64]:
    """``P(Z_1 <= limits_1, ..., Z_d <= limits_d)`` for ``Z ~ N(0, R)``, one value per row.

    ``limits`` has shape ``(..., d)`` (entries may be infinite), ``correlation`` ``(d, d)``,
    positive semi-definite with a unit diagonal. ``d = 0`` gives ones.
    """
    z = np.asarray(limits, dtype=float)
    r = np.asarray(correlation, dtype=float)
    d = z.shape[-1]
    if r.shape != (d, d):
        raise ValueError(f"correlation must be ({d}, {d}) for limits with {d} columns, got {r.shape}")
    return all_yes_probability(ndtr(z), r)


def all_yes_probability(probabilities: ArrayLike, correlation: ArrayLike) -> NDArray[np.float64]:
    """P(every answer is yes) when answer ``i`` is yes with probability ``p_i``, Gaussian copula ``R``.

    Parameters
    ----------
    probabilities
        ``(..., d)`` marginal probabilities of yes (clipped to [0, 1]).
    correlation
        ``(d, d)`` copula correlation of the ``d`` answers.

    Returns
    -------
    ``(...)`` probabilities; the product of ``p`` where ``R`` is the identity.

    Examples
    --------
    >>> import numpy as np
    >>> R = np.full((3, 3), 0.6) + 0.4 * np.eye(3)
    >>> round(float(all_yes_probability([0.5, 0.5, 0.5], R)), 6)  # 1/8 + 3 asin(0.6) / (4 pi)
    0.278625
    """
    p = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    r = np.asarray(correlation, dtype=float)
    d = p.shape[-1]
    if r.shape != (d, d):
        raise ValueError(f"correlation must be ({d}, {d}) for {d} probabilities, got {r.shape}")
    batch = p.shape[:-1]
    if d == 0:
        return np.ones(batch)
    p = p.reshape(-1, d)
    if not np.any(r[~np.eye(d, dtype=bool)]):
        return np.prod(p, axis=1).reshape(batch)  # uncorrelated: the product
    out = np.ones(p.shape[0])
    for group in _groups(r):
        sub = p[:, group]
        if len(group) == 1:
            out *= sub[:, 0]
            continue
        rows, inverse = np.unique(sub, axis=0, return_inverse=True)
        out *= _group_probability(rows, r[np.ix_(group, group)])[inverse.reshape(-1)]
    return out.reshape(batch)


def _groups(r: NDArray[np.float64]) -> list[list[int]]:
    """Column indices of the groups of answers connected by non-zero correlations."""
    d = r.shape[0]
    parent = list(range(d))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(np.abs(r) > 0.0, k=1))):
        parent[find(int(j))] = find(int(i))
    groups: dict[int, list[int]] = {}
    for i in range(d):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _group_probability(p: NDArray[np.float64], r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Orthant probability of one connected group; ``p`` (row, member), ``r`` the group's correlation."""
    d = p.shape[1]
    # Answers that always agree: one answer with the smaller probability.
    same = r >= _SAME
    kept = [i for i in range(d) if not same[i, :i].any()]
    if len(kept) < d:
        p = np.stack([p[:, same[i]].min(axis=1) for i in kept], axis=1)
        r = r[np.ix_(kept, kept)]
        d = len(kept)
        if d == 1:
            return p[:, 0]
    out = np.zeros(p.shape[0])
    live = ~np.any(p <= 0.0, axis=1)  # a certain "no" makes "all yes" impossible
    if not live.any():
        return out
    z = ndtri(p[live])
    if d == 2:
        out[live] = bivariate_normal_cdf(z[:, 0], z[:, 1], float(r[0, 1]))
    elif d == 3:
        out[live] = _trivariate(z, r)
    else:
        out[live] = _separated(z, r)
    return np.clip(out, 0.0, 1.0)


def _trivariate(z: NDArray[np.float64], r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Three correlated answers: Plackett's reduction, or conditioning where it would be steep."""
    off = np.sort(np.abs(r[np.triu_indices(3, k=1)]))
    return _plackett(z, r) if off[1] <= _PLACKETT_MAX else _conditioned(z, r)


def _plackett(z: NDArray[np.float64], r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Plackett's reduction (Genz 2004, section 3): ``Phi_3`` at correlations ``t * r12, t * r13``
    moves from ``Phi(h1) Phi_2(h2, h3; r23)`` at ``t = 0`` to the answer at ``t = 1``; its
    derivative in ``t`` is a bivariate density times a univariate probability, integrated here
    by 20-point Gauss-Legendre. The first answer is the one outside the most correlated pair."""
    first = int(np.argmax([abs(r[1, 2]), abs(r[0, 2]), abs(r[0, 1])]))
    order = [first] + [i for i in range(3) if i != first]
    z, r = z[:, order], r[np.ix_(order, order)]
    h1, h2, h3 = z[:, 0], z[:, 1], z[:, 2]
    r12, r13, r23 = float(r[0, 1]), float(r[0, 2]), float(r[1, 2])
    total = ndtr(h1) * bivariate_normal_cdf(h2, h3, r23)
    h1, h2, h3 = (np.clip(h, -_BIG, _BIG) for h in (h1, h2, h3))
    t, w = _GAUSS[20]
    for node, weight in zip((t + 1.0) / 2.0, w / 2.0):
        a, b = node * r12, node * r13
        # d/dt through rho12 (third answer h3 conditioned) and through rho13 (h2 conditioned).
        for rho, full, hi, hj, hk, rik, rjk in ((a, r12, h1, h2, h3, b, r23), (b, r13, h1, h3, h2, a, r23)):
            if full == 0.0:
                continue
            one = 1.0 - rho * rho
            density = np.exp(-(hi * hi - 2.0 * rho * hi * hj + hj * hj) / (2.0 * one)) / (_TWO_PI * math.sqrt(one))
            mean = ((rik - rho * rjk) * hi + (rjk - rho * rik) * hj) / one
            sd = math.sqrt(max(0.0, 1.0 - (rik * rik + rjk * rjk - 2.0 * rho * rik * rjk) / one))
            given = ndtr((hk - mean) / sd) if sd > 0.0 else (hk >= mean).astype(float)
            total = total + weight * full * density * given
    return total


def _conditioned(z: NDArray[np.float64], r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Condition on the least correlated answer and integrate the other two's bivariate
    probability over it (composite Gauss-Legendre on [-9, z]): for strong correlations."""
    c = int(np.argmin(np.max(np.abs(r - np.eye(3)), axis=1)))
    a, b = (i for i in range(3) if i != c)
    rca, rcb = r[c, a], r[c, b]
    sa, sb = math.sqrt(max(0.0, 1.0 - rca * rca)), math.sqrt(max(0.0, 1.0 - rcb * rcb))
    rho = float(np.clip((r[a, b] - rca * rcb) / (sa * sb), -1.0, 1.0)) if sa > 0 and sb > 0 else 0.0
    upper = np.minimum(z[:, c], _LOW)
    width = np.maximum(upper + _LOW, 0.0)
    nodes, weights = _composite_rule()
    x = -_LOW + width[:, None] * nodes  # (row, node)
    density = np.exp(-0.5 * x * x) / math.sqrt(_TWO_PI)
    inner = _bivariate_general(z[:, a, None] - rca * x, z[:, b, None] - rcb * x, sa, sb, rho)
    return width * ((density * inner) @ weights)


@lru_cache(maxsize=None)
def _composite_rule() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Nodes and weights on [0, 1]: ``_PANELS`` equal panels of ``_PANEL_NODES``-point Gauss-Legendre."""
    t, w = np.polynomial.legendre.leggauss(_PANEL_NODES)
    starts = np.arange(_PANELS) / _PANELS
    nodes = (starts[:, None] + (t[None, :] + 1.0) / (2.0 * _PANELS)).reshape(-1)
    weights = np.tile(w / (2.0 * _PANELS), _PANELS)
    return nodes, weights


@lru_cache(maxsize=None)
def _qmc_points(dim: int) -> NDArray[np.float64]:
    """One fixed scrambled Sobol' point set in ``dim`` dimensions (deterministic results).

    The set is kept in the user's cache folder once drawn: importing ``scipy.stats`` costs about
    a second, more than the rest of ``decide score``. A missing, unreadable or wrong-shaped file
    is drawn again (and rewritten where the folder is writable)."""
    import os
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    try:
        scipy_version = version("scipy")  # without importing SciPy
    except PackageNotFoundError:
        scipy_version = "unknown"
    name = f"sobol-{dim}-{_QMC_POINTS_LOG2}-{_QMC_SEED}-scipy{scipy_version}.npy"
    folder = Path(os.environ.get("DECIDE_CACHE_DIR")
                  or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "decide")
    try:
        points = np.load(folder / name, allow_pickle=False)
        if points.shape == (2 ** _QMC_POINTS_LOG2, dim) and points.dtype == np.float64:
            return points
    except (OSError, ValueError):
        pass
    points = _draw_qmc_points(dim)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.{os.getpid()}"
        with open(partial, "wb") as handle:
            np.save(handle, points, allow_pickle=False)
        os.replace(partial, folder / name)
    except OSError:
        pass
    return points


def _draw_qmc_points(dim: int) -> NDArray[np.float64]:
    from scipy.stats import qmc

    try:
        sampler = qmc.Sobol(dim, scramble=True, rng=np.random.default_rng(_QMC_SEED))
    except TypeError:  # SciPy before 1.15 names the argument seed
        sampler = qmc.Sobol(dim, scramble=True, seed=np.random.default_rng(_QMC_SEED))
    return sampler.random_base2(_QMC_POINTS_LOG2)


def _ordered_factors(z: NDArray[np.float64], r: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each row's answers in Genz and Bretz's order, with the Cholesky factor of ``R`` in that order.

    At each step the answer with the smallest conditional probability of yes comes next (given
    the earlier ones at their expected truncated values), which concentrates the integrand and
    cuts the quasi-Monte Carlo error several times. A vanishing pivot leaves its column zero.
    Returns the permuted limits ``(row, answer)`` and factors ``(row, answer, answer)``.
    """
    n, d = z.shape
    rows = np.arange(n)
    cov = np.broadcast_to(r, (n, d, d)).copy()
    factor = np.zeros((n, d, d))
    limits = z.copy()
    expected = np.zeros((n, d))
    for i in range(d):
        var = np.einsum("rjj->rj", cov)[:, i:] - np.sum(factor[:, i:, :i] ** 2, axis=2)
        mean = np.einsum("rjk,rk->rj", factor[:, i:, :i], expected[:, :i])
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(var > 1e-12, (limits[:, i:] - mean) / np.sqrt(np.maximum(var, 1e-300)), np.inf)
        j = i + np.argmin(ndtr(scaled), axis=1)
        swap = np.tile(np.arange(d), (n, 1))
        swap[rows, i], swap[rows, j] = j, i
        cov = np.take_along_axis(np.take_along_axis(cov, swap[:, :, None], 1), swap[:, None, :], 2)
        factor = np.take_along_axis(factor, swap[:, :, None], 1)
        limits = np.take_along_axis(limits, swap, 1)
        pivot = cov[:, i, i] - np.sum(factor[:, i, :i] ** 2, axis=1)
        ok = pivot > 1e-12
        diagonal = np.sqrt(np.where(ok, pivot, 1.0))
        factor[:, i, i] = np.where(ok, diagonal, 0.0)
        below = cov[:, i + 1:, i] - np.einsum("rjk,rk->rj", factor[:, i + 1:, :i], factor[:, i, :i])
        below = below / diagonal[:, None]
        factor[:, i + 1:, i] = np.where(ok[:, None], below, 0.0)
        a = (limits[:, i] - np.einsum("rk,rk->r", factor[:, i, :i], expected[:, :i])) / diagonal
        # E[Y | Y < a] for a standard normal Y
        expected[:, i] = np.where(ok, -np.exp(-0.5 * a * a) / math.sqrt(_TWO_PI) / np.maximum(ndtr(a), 1e-300), 0.0)
    return limits, factor


def _separated(z: NDArray[np.float64], r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Genz's separation of variables, answers reordered per row, on one fixed point set."""
    n, d = z.shape
    limits, factor = _ordered_factors(np.clip(z, -_BIG, _BIG), r)
    points = _qmc_points(d - 1)
    n_points = points.shape[0]
    out = np.empty(n)
    step = max(1, _QMC_BLOCK // n_points)
    for start in range(0, n, step):
        lb, zb = factor[start:start + step], limits[start:start + step]
        y = np.zeros((lb.shape[0], n_points, d))
        weight = np.ones((lb.shape[0], n_points))
        for i in range(d):
            mean = np.einsum("rpk,rk->rp", y[..., :i], lb[:, i, :i])
            diagonal = lb[:, i, i, None]
            live = diagonal > 0.0
            e = np.where(live, ndtr((zb[:, i, None] - mean) / np.where(live, diagonal, 1.0)),
                         (mean <= zb[:, i, None]).astype(float))
            weight *= e
            if i < d - 1:
                y[..., i] = ndtri(np.clip(points[:, i] * e, 1e-300, 1.0))
        out[start:start + step] = weight.mean(axis=1)
    return out
