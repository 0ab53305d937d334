"""Estimates and their Monte Carlo standard errors, from a run's :class:`~decide.montecarlo.state.Accumulator`.

Plain Monte Carlo: means and probabilities from the draws' own variance; ratios (central weights,
block shares, conditional values) by the delta method; percentiles from the density,
``(Q(p + s) - Q(p - s)) / 2`` with ``s = sqrt(p (1 - p) / n)``; the EVPI as the expected regret of
the option with the best mean (EVPI = min_x E[regret_x]); the EVPPI from its per-draw influence
(the value of the option best given the draw's answer minus that of the option best overall,
whose mean is the EVPPI exactly), its variance estimated on the run's first
:data:`~decide.montecarlo.driver.INFLUENCE_DRAWS` draws, kept whole. With ``method="qmc"`` every
MCSE is the spread of the independently scrambled replicates (:func:`_replicate_se`).
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from decide.montecarlo.state import Accumulator


def _evppi(sum_v: NDArray[np.float64], yes_v: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """EVPPI per answer (row of ``yes_v``): sum over yes/no of P max_x E[v_x | it] - max_x E[v_x]."""
    if len(yes_v) == 0:
        return np.zeros(0)
    no_v = sum_v[None, :] - yes_v
    value = (yes_v.max(axis=1) + no_v.max(axis=1) - sum_v.max()) / n
    return np.where(np.abs(value) < 1e-12, 0.0, value)  # never below zero: only the rounding of the sums


def _answers_evppi(acc: Accumulator) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """Per precondition: the EVPPI of the answer the decision turns on, the EVPPI of the answer
    without enablers, and which answer the first is (-1: without enablers; else the pair).

    An option reads a precondition its enablers act on through its own answer ("would ag Ghali
    break if Algeria mediates"); learning that answer can be worth more than learning the world's.
    Of a precondition's answers (without enablers, and under each enabler variant acting on it),
    the one worth most to learn is the one the decision turns on.
    """
    s = acc.sums
    world = _evppi(s.sum_v[:, 0], s.world_yes_v, acc.n)
    pairs = _evppi(s.sum_v[:, 0], s.pair_yes_v, acc.n)
    best, choice = worth_most(world, pairs, acc.pair_q)
    return best, world, choice


def worth_most(world: NDArray[np.float64], pairs: NDArray[np.float64],
               pair_q: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Per precondition, the answer worth most to learn: its EVPPI and which answer it is (-1: the
    world's; else the (precondition, variant) pair), from the EVPPIs of the world's answers and
    of the pairs (``pair_q``: each pair's precondition)."""
    best, choice = world.copy(), np.full(len(world), -1, dtype=np.intp)
    for i, q in enumerate(pair_q):
        if pairs[i] > best[q] + 1e-12:
            best[q], choice[q] = pairs[i], i
    return best, choice


def _evppi_se(acc: Accumulator, choice: NDArray[np.intp]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """MCSEs of the chosen and the unmediated EVPPI from the per-draw influence.

    With the best option given each answer (``a_yes``, ``a_no``) and overall (``a*``) fixed at the
    run's estimates, the EVPPI is exactly the mean of ``g = v[a_answer] - v[a*]`` over the draws, so
    its MCSE is ``sd(g) / sqrt(n)``; ``sd(g)`` comes from the kept first draws.
    """
    s = acc.sums
    n_q = s.world_yes_v.shape[0]
    if not acc.kept or acc.n < 2:
        return np.full(n_q, np.nan), np.full(n_q, np.nan)
    values = np.concatenate([k[0] for k in acc.kept])
    answers = np.concatenate([k[1] for k in acc.kept])
    if len(values) < 2:
        return np.full(n_q, np.nan), np.full(n_q, np.nan)
    total = s.sum_v[:, 0]
    best = int(np.argmax(total))
    yes_v = np.vstack([s.world_yes_v, s.pair_yes_v])  # columns of ``answers``: world's, then pairs

    def se(column: int) -> float:
        a_yes, a_no = int(np.argmax(yes_v[column])), int(np.argmax(total - yes_v[column]))
        g = np.where(answers[:, column], values[:, a_yes], values[:, a_no]) - values[:, best]
        return float(np.std(g, ddof=1) / np.sqrt(acc.n))

    world = np.array([se(q) for q in range(n_q)])
    chosen = np.array([world[q] if choice[q] < 0 else se(n_q + int(choice[q])) for q in range(n_q)])
    return chosen, world


def _voi_given_weights(acc: Accumulator) -> dict[str, NDArray] | None:
    """EVPI and EVPPI conditioned on drawn weights, with their MCSEs, from the kept draws.

    Learning one's own preferences is not information about the world (DESIGN, "Value of
    information"): with weights drawn, the choice without information is the option best *for
    the draw's weights*, and information is worth what it adds to that. The weights are drawn
    independently of the world and values are linear in them, so ``E[v_x | w] = w . E[u_x]``
    and ``E[v_x | answer, w] = w . E[u_x | answer]`` exactly; the vectors come from least squares
    of the kept draws' values on their weights (over all kept draws, and over those with each
    answer). Per draw, the influence is the value of the choice informed by the draw's answer (or,
    for the EVPI, the best value) minus that of the choice for its weights alone; its mean is the
    estimate and its spread the MCSE (the fitted vectors held fixed). None without kept draws.

    Returns ``evpi``, ``evpi_se`` (scalars) and, per answer column (the world's, then the
    pairs'), ``evppi`` and ``evppi_se``.
    """
    if not acc.kept or len(acc.kept[0]) < 3:
        return None
    values = np.concatenate([k[0] for k in acc.kept])
    answers = np.concatenate([k[1] for k in acc.kept])
    w = np.concatenate([k[2] for k in acc.kept])
    n = len(values)
    if n < 2 * w.shape[1]:
        return None

    # Least squares through the normal equations (c x c; lstsq there copes with weights that
    # span less than the simplex, e.g. a few profiles: the fitted values are the same).
    gram, cross = w.T @ w, w.T @ values

    def best_fitted(rows: NDArray[np.float64], g: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
        """max_x E[v_x | w] (and the answer) at the weights ``rows``."""
        return (rows @ np.linalg.lstsq(g, b, rcond=None)[0]).max(axis=1)

    # Small products, many of them: one BLAS thread (threads only contend here).
    with threadpool_limits(limits=1, user_api="blas"):
        base = best_fitted(w, gram, cross)  # the choice for the weights alone
        g = values.max(axis=1) - base
        evppi, evppi_se = np.zeros(answers.shape[1]), np.zeros(answers.shape[1])
        for j in range(answers.shape[1]):
            yes = answers[:, j]
            if yes.all() or not yes.any():
                continue  # the answer never varies: nothing to learn
            wy, wn = w[yes], w[~yes]
            gram_yes, cross_yes = wy.T @ wy, wy.T @ values[yes]
            informed = np.empty(n)
            informed[yes] = best_fitted(wy, gram_yes, cross_yes)
            informed[~yes] = best_fitted(wn, gram - gram_yes, cross - cross_yes)
            gj = informed - base
            evppi[j], evppi_se[j] = gj.mean(), gj.std(ddof=1) / np.sqrt(n)
    return {"evpi": g.mean(), "evpi_se": g.std(ddof=1) / np.sqrt(n), "evppi": evppi, "evppi_se": evppi_se}


def _hist_quantiles(hist: NDArray[np.int64], lo: NDArray[np.float64], scale: NDArray[np.float64],
                    low: NDArray[np.float64], high: NDArray[np.float64],
                    ps: NDArray[np.float64]) -> NDArray[np.float64]:
    """Quantiles ``ps`` (k,) per row, (k, row): linear inside the bin, clipped to the observed range."""
    cum = np.cumsum(hist, axis=1)
    target = np.clip(ps, 0.0, 1.0)[:, None] * cum[:, -1]  # (k, row)
    # The first bin whose cumulative count reaches the target (searchsorted, side="left"), all at once.
    idx = np.minimum((cum[None, :, :] < target[:, :, None]).sum(axis=2), hist.shape[1] - 1)
    rows = np.arange(len(hist))[None, :]
    before = np.where(idx > 0, cum[rows, idx - 1], 0)
    inside = hist[rows, idx]
    frac = np.where(inside > 0, (target - before) / np.maximum(inside, 1), 0.5)
    return np.clip(lo + (idx + frac) / scale, low, high)


def _quantiles(acc: Accumulator, which: str, ps: tuple[float, ...]) -> tuple[NDArray, NDArray]:
    """Quantiles and their MCSE from the density: SE = (Q(p + s) - Q(p - s)) / 2, s = sqrt(p(1-p)/n)."""
    s = acc.sums
    hist = s.hist_v if which == "value" else s.hist_r
    lo = acc.hist_lo if which == "value" else np.zeros(len(hist))
    low, high = (s.v_range[:, 0], s.v_range[:, 1]) if which == "value" else (s.v_range[:, 2], s.v_range[:, 3])
    p = np.asarray(ps, dtype=float)
    d = np.sqrt(p * (1 - p) / acc.n)
    q = _hist_quantiles(hist, lo, acc.hist_scale, low, high, np.concatenate([p, p + d, p - d]))
    k = len(p)
    return q[:k], (q[k:2 * k] - q[2 * k:]) / 2


def _estimates(acc: Accumulator) -> dict[str, NDArray[np.float64]]:
    """Point estimates from an accumulator's sums (see :class:`~decide.results.SimulationResult`)."""
    s = acc.sums
    n = acc.n
    mean = s.sum_v[:, 0] / n
    var = np.maximum(s.sum_v[:, 1] / n - mean**2, 0.0) * n / max(n - 1, 1)
    ties = n - s.wins - s.wins.T
    pairwise = (s.wins + 0.5 * ties) / n
    np.fill_diagonal(pairwise, np.nan)
    best_mass = s.rank[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        central = np.where(best_mass[:, None] > 0, s.cw / best_mass[:, None], np.nan)
        blocked = s.blocked[:, None].astype(float)
        hard = acc.hard
        block_share = np.where(hard & (blocked > 0), s.no / blocked, np.nan)
        sole_share = np.where(hard & (blocked > 0), s.sole / blocked, np.nan)
        n_no = s.no.astype(float)
        n_yes = n - n_no
        yes_mean = (s.sum_v[:, :1] - s.no_v) / n_yes
        no_mean = s.no_v / n_no
        at_stake = np.where((n_yes > 0) & (n_no > 0), yes_mean - no_mean, np.nan)
        # A value that never varies has nothing at stake; the subtraction above leaves rounding.
        at_stake = np.where((s.v_range[:, 0] == s.v_range[:, 1])[:, None] & ~np.isnan(at_stake), 0.0, at_stake)
    regret = s.sum_r[:, 0] / n
    pct, _ = _quantiles(acc, "value", (0.05, 0.5, 0.95))
    rq, _ = _quantiles(acc, "regret", (0.95,))
    return {
        "mean": mean, "sd": np.sqrt(var), "p05": pct[0], "p50": pct[1], "p95": pct[2],
        "p_best": s.rank[:, 0] / n, "rank_acceptability": s.rank / n, "pairwise": pairwise,
        "central_weights": central, "expected_regret": regret, "regret_p95": rq[0],
        "p_blocked": s.blocked / n, "p_no": s.no / n, "block_share": block_share,
        "sole_blocker_share": sole_share, "value_at_stake": at_stake, "p_yes": s.world_yes / n,
        "evpi": np.array(s.sum_best[0] / n - mean.max()),
        **dict(zip(("evppi", "evppi_unmediated"), _answers_evppi(acc)[:2])),
        "criterion_means": s.sum_cv / n, "expected_penalty": s.sum_pen[:, 0] / n,
        "expected_loss": s.sum_loss[..., 0] / n, "ended": s.ended / n,
    }


def _replicate_se(values: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    """MCSE of a mean over independent replicates: their standard deviation / sqrt(count)."""
    stacked = np.array(values, dtype=float)
    count = np.sum(~np.isnan(stacked), axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(stacked, axis=0, ddof=1)
        return np.where(count >= 2, sd / np.sqrt(np.maximum(count, 1)), np.nan)


def _binomial_se(p: NDArray[np.float64], n: NDArray[np.float64] | float) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.maximum(p * (1 - p), 0.0) / n)


def _mc_standard_errors(acc: Accumulator, est: dict[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """MCSEs of independent draws (and the per-draw influence for the EVPPI)."""
    s = acc.sums
    n = acc.n
    mean, sd = est["mean"], est["sd"]
    raw = s.sum_v / n
    m4 = raw[:, 3] - 4 * mean * raw[:, 2] + 6 * mean**2 * raw[:, 1] - 3 * mean**4
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_se = np.where(sd > 0, np.sqrt(np.maximum(m4 - sd**4, 0.0) / n) / (2 * sd), 0.0)
        rank = est["rank_acceptability"]
        rank_se = np.sqrt(np.maximum(s.rank_sq / n - rank**2, 0.0) / n)
        ties = n - s.wins - s.wins.T
        pair = est["pairwise"]
        pair_se = np.sqrt(np.maximum((s.wins + 0.25 * ties) / n - pair**2, 0.0) / n)
        b = s.rank[:, :1]
        c = est["central_weights"]
        central_se = np.sqrt(np.maximum(s.cw_sq - 2 * c * s.cw + c**2 * b, 0.0)) / b
        r = est["expected_regret"]
        regret_se = np.sqrt(np.maximum(s.sum_r[:, 1] / n - r**2, 0.0) / n)
        blocked = s.blocked[:, None].astype(float)
        n_no = s.no.astype(float)
        n_yes = n - n_no
        sum_yes = s.sum_v[:, :1] - s.no_v
        sum2_yes = s.sum_v[:, 1:2] - s.no_v2
        var_yes = (sum2_yes - sum_yes**2 / n_yes) / (n_yes - 1)
        var_no = (s.no_v2 - s.no_v**2 / n_no) / (n_no - 1)
        stake_se = np.where((n_yes > 1) & (n_no > 1), np.sqrt(np.maximum(var_yes, 0) / n_yes
                                                               + np.maximum(var_no, 0) / n_no), np.nan)
    _, pct_se = _quantiles(acc, "value", (0.05, 0.5, 0.95))
    _, rq_se = _quantiles(acc, "regret", (0.95,))
    # EVPI = min_x E[max_y v_y - v_x]: the expected regret of the option with the best mean.
    evpi_se = regret_se[int(np.argmax(mean))]
    evppi_se, evppi_world_se = _evppi_se(acc, _answers_evppi(acc)[2])
    out = {
        "mean": sd / np.sqrt(n), "sd": sd_se, "p05": pct_se[0], "p50": pct_se[1], "p95": pct_se[2],
        "p_best": rank_se[:, 0], "rank_acceptability": rank_se, "pairwise": pair_se, "central_weights": central_se,
        "expected_regret": regret_se, "regret_p95": rq_se[0], "p_blocked": _binomial_se(est["p_blocked"], n),
        "p_no": _binomial_se(est["p_no"], n), "block_share": _binomial_se(est["block_share"], blocked),
        "sole_blocker_share": _binomial_se(est["sole_blocker_share"], blocked), "value_at_stake": stake_se,
        "p_yes": _binomial_se(est["p_yes"], n), "evpi": np.asarray(evpi_se), "evppi": evppi_se,
        "evppi_unmediated": evppi_world_se, "criterion_means": np.sqrt(np.maximum(s.sum_cv2 / n - est["criterion_means"] ** 2, 0.0) / n),
        "expected_penalty": np.sqrt(np.maximum(s.sum_pen[:, 1] / n - est["expected_penalty"] ** 2, 0.0) / n),
        "expected_loss": np.sqrt(np.maximum(s.sum_loss[..., 1] / n - est["expected_loss"] ** 2, 0.0) / n),
        "ended": _binomial_se(est["ended"], n),
    }
    if n < 2:  # one draw says nothing of its own spread: not estimable, not zero
        out = {k: np.full(np.shape(v), np.nan) for k, v in out.items()}
    return out
