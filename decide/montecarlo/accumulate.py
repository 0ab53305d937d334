"""Accumulation: a sub-block's values added to its block's sums; the confidence-factor pass.

:func:`_accumulate` adds, in turn: the best values (:func:`_best_values`), the penalties charged
and the criterion sums, the rank counts (:func:`_rank_counts`), central weights
(:func:`_central_weights`), per alternative its value moments and histograms
(:func:`_value_moments`), rank shares (:func:`_rank_shares`), blocks (:func:`_blocks`) and noes
under its enablers (:func:`_noes`), then the answers' sums (:func:`_yes_mask`, :func:`_masked_sums`)
and the run's first draws (:func:`_keep_draws`).

Loops run over draws innermost and sum a sub-block before adding it to the block's totals
(``reassoc`` lets them vectorise). Sub-blocks start at fixed draw indices of their block (the
driver keeps chunks whole multiples of SUB_BLOCK), so the order of additions, and so every bit of
the result, does not depend on the chunk size.

The parts are compiled ``inline="always"``: numba inlines them into :func:`_accumulate`, so they
take its options (``reassoc``, ``contract``). They take arrays (rows, where an alternative's) and
scalars, never the model or a group of arrays: numba reference-counts every array of a tuple an
inlined part receives, per call (measured, paired: parts taking the model and the sums made the
stage 7% slower; these, no slower than the single function they replace).
"""

from __future__ import annotations

import numba as nb

from decide.montecarlo.state import KERNEL, UNIT

PART = {**KERNEL, "inline": "always"}
"""Compile options of the accumulation's parts (inlined: they take :func:`_accumulate`'s flags)."""


@nb.njit(**UNIT, fastmath={"reassoc", "contract"})
def _accumulate(m, s, nb_, weights, world, answers, scored, ranks, keep_v, keep_yes, at):
    """Add a sub-block of draws to the block's sums ``s``: values and their moments, histograms,
    ranks (ties share the tied ranks equally), pairwise wins, central weights, regret, blocks,
    answers; and, where ``keep_v`` (draw, a + c) and ``keep_yes`` (draw, q + pair) have rows, the
    draws' values, weights and answers (the sub-block's first draw at row ``at``).

    Answers: where an alternative's enablers do not act on a precondition, its answer is the
    world's, so the sums over the draws where it says no are the sub-block's sums minus those
    where the world says yes (``world_yes_v``, which the EVPPI needs anyway); only the pairs
    with enablers are summed on their own.
    """
    n_a, n_q = m.alt_hard.shape
    values, cv, cv2 = scored.values, scored.cv, scored.cv2
    penalty, no = answers.penalty, answers.no
    thr, lat = world.thr, world.lat
    best, moments, mask = ranks.best, ranks.moments, ranks.mask
    s.count[0] += nb_
    s.sum_best[0] += _best_values(nb_, values, best)
    for a in range(n_a):
        pen, pen2 = _sum_and_squares(nb_, penalty[a])
        s.sum_pen[a, 0] += pen
        s.sum_pen[a, 1] += pen2
        for c in range(cv.shape[1]):
            s.sum_cv[a, c] += cv[a, c]
            s.sum_cv2[a, c] += cv2[a, c]
        if m.alt_soft[a]:
            for c in range(cv.shape[1]):
                lost, lost2 = _sum_and_squares(nb_, answers.loss[a, c])
                s.sum_loss[a, c, 0] += lost
                s.sum_loss[a, c, 1] += lost2
    _rank_counts(nb_, values, ranks.better, ranks.tied, s.wins)
    _central_weights(nb_, weights.w, ranks.better, ranks.tied, ranks.top, s.cw, s.cw_sq)
    for a in range(n_a):
        moments[a, 0], moments[a, 1] = _value_moments(nb_, values[a], best, m.hist_lo[a], m.hist_scale[a],
                                                      s.sum_v[a], s.sum_r[a], s.v_range[a], s.hist_v[a],
                                                      s.hist_r[a])
        _rank_shares(nb_, ranks.better[a], ranks.tied[a], ranks.at_rank, s.rank[a], s.rank_sq[a])
        s.blocked[a] += _blocks(nb_, answers.n_hard_no[a], answers.last_no[a], s.sole[a])
        for d in range(nb_):
            s.ended[a, answers.sel[a, d]] += 1
        for q in range(n_q):
            if m.alt_tv[a, q] == 0:
                continue  # the world's answer: below, from world_yes_v
            count, sv, sv2 = _noes(nb_, no[a, q], values[a])
            s.no[a, q] += count
            s.no_v[a, q] += sv
            s.no_v2[a, q] += sv2
    for q in range(n_q):
        count = _yes_mask(nb_, lat[q], thr[0, q], mask)
        s.world_yes[q] += count
        for a in range(n_a):
            sv, sv2 = _masked_sums(nb_, mask, values[a])
            s.world_yes_v[q, a] += sv
            if m.alt_tv[a, q] == 0:
                s.no[a, q] += nb_ - count
                s.no_v[a, q] += moments[a, 0] - sv
                s.no_v2[a, q] += moments[a, 1] - sv2
    for i in range(m.var_q.shape[0]):  # (precondition, variant) pairs: variant 0 has no entries
        q, v = m.var_q[i], m.pair_v[i]
        _yes_mask(nb_, lat[q], thr[v, q], mask)
        for a in range(n_a):
            s.pair_yes_v[i, a] += _masked_sum(nb_, mask, values[a])
    if keep_v.shape[0] > 0:
        _keep_draws(nb_, values, weights.w, thr, lat, m.var_q, m.pair_v, keep_v, keep_yes, at)


@nb.njit(**PART)
def _best_values(nb_, values, best):
    """Each draw's best value into ``best``; returns their sum."""
    for d in range(nb_):
        best[d] = values[0, d]
    for a in range(1, values.shape[0]):
        for d in range(nb_):
            best[d] = max(best[d], values[a, d])
    total = 0.0
    for d in range(nb_):
        total += best[d]
    return total


@nb.njit(**PART)
def _sum_and_squares(nb_, x):
    """The sum of ``x[:nb_]`` and of its squares."""
    t = t2 = 0.0
    for d in range(nb_):
        t += x[d]
        t2 += x[d] * x[d]
    return t, t2


@nb.njit(**KERNEL)
def _rank_counts(nb_, values, better, tied, wins):
    """Per alternative and draw, how many alternatives are strictly better and how many tie (itself
    included); ``wins[a, b]`` adds the draws where ``a`` is strictly better than ``b``. Integer
    counts in loops of their own: they vectorise (measured 3x faster than inside the accumulator)."""
    n_a = values.shape[0]
    for a in range(n_a):
        for d in range(nb_):
            better[a, d] = 0
            tied[a, d] = 0
        for b in range(n_a):
            won = 0
            for d in range(nb_):
                va, vb = values[a, d], values[b, d]
                better[a, d] += vb > va
                tied[a, d] += vb == va
                won += va > vb
            wins[a, b] += won


@nb.njit(**PART)
def _central_weights(nb_, w, better, tied, top, cw, cw_sq):
    """Central weights: the weights ``w`` (d, c) of the draws where an alternative is best (shared if
    tied) into ``cw`` (a, c), their squares into ``cw_sq``; ``top`` is scratch."""
    n_a, n_c = better.shape[0], w.shape[1]
    for d in range(nb_):
        top[d] = 0
    for a in range(n_a - 1, -1, -1):
        for d in range(nb_):
            top[d] = a if better[a, d] == 0 else top[d]
    for d in range(nb_):
        a = top[d]
        if tied[a, d] == 1:
            for c in range(n_c):
                cw[a, c] += w[d, c]
                cw_sq[a, c] += w[d, c] * w[d, c]
        else:
            share = 1.0 / tied[a, d]
            for b in range(a, n_a):
                if better[b, d] == 0:
                    for c in range(n_c):
                        cw[b, c] += share * w[d, c]
                        cw_sq[b, c] += share * w[d, c] * w[d, c]


@nb.njit(**PART)
def _value_moments(nb_, values, best, lo, scale, sum_v, sum_r, v_range, hist_v, hist_r):
    """One alternative's values (``values`` its row) into its rows of the sums: moments of the value
    (``sum_v``) and of the regret ``best - v`` (``sum_r``), their ranges (``v_range``) and histograms
    from ``lo``, ``scale`` bins per unit. Returns the sub-block's sums of v and v^2."""
    bins = hist_v.shape[0]
    s1 = s2 = s3 = s4 = r1 = r2 = 0.0
    vmin, vmax = v_range[0], v_range[1]
    rmin, rmax = v_range[2], v_range[3]
    for d in range(nb_):
        v = values[d]
        v2 = v * v
        s1 += v
        s2 += v2
        s3 += v2 * v
        s4 += v2 * v2
        r = best[d] - v
        r1 += r
        r2 += r * r
        vmin = min(vmin, v)
        vmax = max(vmax, v)
        rmin = min(rmin, r)
        rmax = max(rmax, r)
    sum_v[0] += s1
    sum_v[1] += s2
    sum_v[2] += s3
    sum_v[3] += s4
    sum_r[0] += r1
    sum_r[1] += r2
    v_range[0], v_range[1], v_range[2], v_range[3] = vmin, vmax, rmin, rmax
    for d in range(nb_):
        v = values[d]
        hist_v[min(max(int((v - lo) * scale), 0), bins - 1)] += 1
        hist_r[min(max(int((best[d] - v) * scale), 0), bins - 1)] += 1
    return s1, s2


@nb.njit(**PART)
def _rank_shares(nb_, better, tied, at_rank, rank, rank_sq):
    """One alternative's ranks (``better``, ``tied`` its rows; ``rank``, ``rank_sq`` its rows of the
    sums): rank = 1 + the number strictly better; a tie shares the tied ranks equally. Untied draws
    are counted per rank in ``at_rank`` (an integer scatter), tied ones (rare) shared."""
    n_a = at_rank.shape[0]
    for k in range(n_a):
        at_rank[k] = 0
    for d in range(nb_):
        above, ties = better[d], tied[d]
        if ties == 1:
            at_rank[above] += 1
        else:
            share = 1.0 / ties
            for k in range(above, above + ties):
                rank[k] += share
                rank_sq[k] += share * share
    for k in range(n_a):
        rank[k] += at_rank[k]
        rank_sq[k] += at_rank[k]


@nb.njit(**PART)
def _blocks(nb_, n_hard_no, last_no, sole):
    """One alternative's draws blocked by a hard requirement (returned), and sole blockers into its
    row ``sole``."""
    blocked = 0
    for d in range(nb_):
        hard_no = n_hard_no[d]
        blocked += hard_no > 0
        if hard_no == 1:
            sole[last_no[d]] += 1
    return blocked


@nb.njit(**PART)
def _noes(nb_, no, values):
    """The draws where ``no`` (one alternative and precondition), and the sums of the alternative's
    value and its square over them."""
    count = 0
    sv = sv2 = 0.0
    for d in range(nb_):
        said_no = no[d]
        v = values[d]
        count += said_no
        sv += v if said_no else 0.0
        sv2 += v * v if said_no else 0.0
    return count, sv, sv2


@nb.njit(**PART)
def _yes_mask(nb_, lat, thr, mask):
    """``mask`` 1.0 where the answer (one precondition's latent uniforms and thresholds) is yes;
    returns the count."""
    count = 0
    for d in range(nb_):
        yes = lat[d] < thr[d]
        count += yes
        mask[d] = 1.0 if yes else 0.0
    return count


@nb.njit(**PART)
def _masked_sums(nb_, mask, values):
    """Sums of one alternative's value and its square over the draws of ``mask``."""
    sv = sv2 = 0.0
    for d in range(nb_):
        v = mask[d] * values[d]
        sv += v
        sv2 += v * values[d]
    return sv, sv2


@nb.njit(**PART)
def _masked_sum(nb_, mask, values):
    """Sum of one alternative's value over the draws of ``mask``."""
    sv = 0.0
    for d in range(nb_):
        sv += mask[d] * values[d]
    return sv


@nb.njit(**PART)
def _keep_draws(nb_, values, w, thr, lat, var_q, pair_v, keep_v, keep_yes, at):
    """The run's first draws, kept whole (the EVPPI's per-draw influence is estimated on them, and
    the value of information given drawn weights): values then weights in ``keep_v``, and the
    answers, the world's then the (precondition, variant) pairs', from row ``at``."""
    n_a, n_q, n_c = values.shape[0], lat.shape[0], w.shape[1]
    for d in range(nb_):
        for a in range(n_a):
            keep_v[at + d, a] = values[a, d]
        for c in range(n_c):
            keep_v[at + d, n_a + c] = w[d, c]
        for q in range(n_q):
            keep_yes[at + d, q] = lat[q, d] < thr[0, q, d]
        for i in range(var_q.shape[0]):
            q, v = var_q[i], pair_v[i]
            keep_yes[at + d, n_q + i] = lat[q, d] < thr[v, q, d]


@nb.njit(**UNIT)
def _confidence(m, nb_, answers, scored, central, defined, ranks, cf):
    """Confidence factors: is each alternative best with the weights fixed at its central weights?

    ``cf[a, 0]`` sums the share of best (ties split), ``cf[a, 1]`` its square, ``cf[0, 2]`` draws.
    """
    vcell, loss, soft, totals = scored.vcell, answers.loss, m.alt_soft, ranks.totals
    n_a, n_c = vcell.shape[0], vcell.shape[1]
    for d in range(nb_):
        for k in range(n_a):
            if not defined[k]:
                continue
            for a in range(n_a):
                total = 0.0
                if soft[a]:  # its soft losses, weighted by the central weights too
                    for c in range(n_c):
                        total -= central[k, c] * loss[a, c, d]
                for c in range(n_c):
                    total += central[k, c] * vcell[a, c, d]
                totals[a] = total
            better = 0
            tied = 0
            for a in range(n_a):
                better += totals[a] > totals[k]
                tied += totals[a] == totals[k]
            if better == 0:
                share = 1.0 / tied
                cf[k, 0] += share
                cf[k, 1] += share * share
        cf[0, 2] += 1.0
