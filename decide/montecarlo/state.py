"""What the kernel works on: its compile options, the sub-block, a block's :class:`Sums`, a
sub-block's :class:`Scratch`, and a run's mergeable :class:`Accumulator`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from decide.montecarlo.model import HISTOGRAM_BINS, Model
from decide.montecarlo.streams import FILL_ROWS, LANES

__all__ = ["KERNEL", "SUB_BLOCK", "Sums", "new_sums", "Scratch", "new_scratch", "Accumulator"]

KERNEL = {"nogil": True, "cache": True, "error_model": "numpy"}
"""Compile options of the kernel's functions. NumPy's error model: a float division does not test
its divisor for zero to raise Python's ZeroDivisionError (the kernel divides by counts of at least
one: values are finite, validated input), and without that branch loops with a division
vectorise (the inverse normal's central rational function: measured 3x faster)."""
SUB_BLOCK = LANES
"""Draws processed together, stage by stage: one per lane of the block's SFC64 streams."""


class Sums(NamedTuple):
    """Per-block sums the kernel adds to, draw by draw (so chunking cannot change them)."""

    count: NDArray[np.int64]
    sum_best: NDArray[np.float64]
    sum_v: NDArray[np.float64]
    """(a, 4): sums of v, v^2, v^3, v^4."""
    v_range: NDArray[np.float64]
    """(a, 4): min and max of the value, min and max of the regret."""
    hist_v: NDArray[np.integer]
    """(a, HISTOGRAM_BINS): counts of values per bin; ``uint16`` in a block (at most BLOCK_SIZE
    draws: the two histograms then fit in L2 cache beside the tables), ``int64`` in a run's totals."""
    sum_r: NDArray[np.float64]
    """(a, 2): sums of regret and regret^2."""
    hist_r: NDArray[np.integer]
    rank: NDArray[np.float64]
    rank_sq: NDArray[np.float64]
    wins: NDArray[np.int64]
    """(a, a): draws where row is strictly better than column."""
    cw: NDArray[np.float64]
    cw_sq: NDArray[np.float64]
    blocked: NDArray[np.int64]
    no: NDArray[np.int64]
    no_v: NDArray[np.float64]
    no_v2: NDArray[np.float64]
    sole: NDArray[np.int64]
    world_yes: NDArray[np.int64]
    world_yes_v: NDArray[np.float64]
    """(q, a): sum of each value over draws where the world's answer (no enablers) is yes."""
    pair_yes_v: NDArray[np.float64]
    """(pair, a): as ``world_yes_v``, for the answer under the pair's variant (``Model.pair_v``)."""
    sum_cv: NDArray[np.float64]
    """(a, c): sums of each criterion's value of the alternative's outcome (E[v] is linear in the
    weights: the weight analyses work on these means)."""
    sum_cv2: NDArray[np.float64]
    """(a, c): and of their squares."""
    sum_pen: NDArray[np.float64]
    """(a, 2): sums of the soft penalties charged, and of their squares."""


def new_sums(n_a: int, n_c: int, n_q: int, hist_dtype: type = np.uint16, n_pairs: int = 0) -> Sums:
    v_range = np.empty((n_a, 4))
    v_range[:, 0::2], v_range[:, 1::2] = np.inf, -np.inf
    return Sums(
        count=np.zeros(1, np.int64), sum_best=np.zeros(1), sum_v=np.zeros((n_a, 4)), v_range=v_range,
        hist_v=np.zeros((n_a, HISTOGRAM_BINS), hist_dtype), sum_r=np.zeros((n_a, 2)),
        hist_r=np.zeros((n_a, HISTOGRAM_BINS), hist_dtype), rank=np.zeros((n_a, n_a)), rank_sq=np.zeros((n_a, n_a)),
        wins=np.zeros((n_a, n_a), np.int64), cw=np.zeros((n_a, n_c)), cw_sq=np.zeros((n_a, n_c)),
        blocked=np.zeros(n_a, np.int64), no=np.zeros((n_a, n_q), np.int64), no_v=np.zeros((n_a, n_q)),
        no_v2=np.zeros((n_a, n_q)), sole=np.zeros((n_a, n_q), np.int64), world_yes=np.zeros(n_q, np.int64),
        world_yes_v=np.zeros((n_q, n_a)), pair_yes_v=np.zeros((n_pairs, n_a)), sum_cv=np.zeros((n_a, n_c)),
        sum_cv2=np.zeros((n_a, n_c)), sum_pen=np.zeros((n_a, 2)),
    )


class Scratch(NamedTuple):
    """Work arrays of one running block for a sub-block of draws (axis ``d``, SUB_BLOCK long).

    Draws are the last axis, so the stages' innermost loops over draws are contiguous and vectorise
    (weights, looped per draw, are the exception).
    """

    u: NDArray[np.float64]
    """(head slot, d): the head's uniforms."""
    rows: NDArray[np.float64]
    """(FILL_ROWS, d): the next outcome cells' uniforms, drawn FILL_ROWS slots at a time."""
    w: NDArray[np.float64]
    """(d, c)."""
    w_tmp: NDArray[np.float64]
    wt: NDArray[np.float64]
    """(c, d): the weights transposed."""
    ok: NDArray[np.float64]
    """(d,): 1.0 where an option's planned outcome applies, else 0.0."""
    p: NDArray[np.float64]
    """(q, d)."""
    thr: NDArray[np.float64]
    """(variant, q, d): thresholds; a precondition says yes iff lat < thr."""
    lat: NDArray[np.float64]
    """(q, d)."""
    normals: NDArray[np.float64]
    """(correlated q, d): standard normals of the copula."""
    z: NDArray[np.float64]
    """(d,): one component of ``L z``."""
    tail: NDArray[np.int64]
    """(d,): the draws whose latent uniform is in a tail of the inverse normal."""
    tail_p: NDArray[np.float64]
    """(d,): their latent uniforms."""
    tail_x: NDArray[np.float64]
    """(d,): their normals (first the logarithms)."""
    no: NDArray[np.bool_]
    """(a, q, d)."""
    n_hard_no: NDArray[np.int64]
    """(a, d)."""
    last_no: NDArray[np.int64]
    """(a, d)."""
    penalty: NDArray[np.float64]
    """(a, d)."""
    idx: NDArray[np.int64]
    """(2, d): the draws where an option's planned outcome, then its failure profile, is scored."""
    ug: NDArray[np.float64]
    """(d,): a cell's uniforms gathered for the draws that score it."""
    ends: NDArray[np.int64]
    """(d,): the draws of a PERT cell in the end intervals of its dense table."""
    ti: NDArray[np.int32]
    """(d,): a PERT cell's dense-table intervals."""
    tf: NDArray[np.float64]
    """(d,): and the fractions of them."""
    x: NDArray[np.float64]
    """(d,): outcomes of one cell."""
    xv: NDArray[np.float64]
    """(d,): their criterion values."""
    vcell: NDArray[np.float64]
    """(a, c, d): criterion values of the outcome scored (kept in the confidence pass only)."""
    values: NDArray[np.float64]
    """(a, d)."""
    totals: NDArray[np.float64]
    best: NDArray[np.float64]
    better: NDArray[np.int64]
    """(a, d): alternatives strictly better."""
    tied: NDArray[np.int64]
    """(a, d): alternatives tied with it, itself included."""
    top: NDArray[np.int64]
    at_rank: NDArray[np.int64]
    moments: NDArray[np.float64]
    chain_scratch: NDArray[np.float64]
    xp: NDArray[np.float64]
    """(k, c, d): planned outcomes of the strategy's components (empty without a strategy)."""
    xf: NDArray[np.float64]
    """(k, c, d): failure outcomes of the components, where they fail (alone or in the strategy)."""
    st_fail: NDArray[np.bool_]
    """(k, d): the component fails under the strategy's enablers."""
    bx: NDArray[np.float64]
    """(c, d): the baseline's outcomes, which failed options keep where their profile is silent."""
    bxv: NDArray[np.float64]
    """(c, d): and their criterion values."""
    cv: NDArray[np.float64]
    """(a, c): the sub-block's sums of each criterion value of each alternative's outcome."""
    cv2: NDArray[np.float64]
    """(a, c): and of their squares."""
    mask: NDArray[np.float64]
    """(d,): 1.0 where an answer is yes (the accumulator's sums over those draws)."""
    go: NDArray[np.float64]
    """(d,): 1.0 where a member option goes ahead."""
    pen_best: NDArray[np.float64]
    """(q, d): the largest penalty of a member that goes ahead, per soft precondition."""


def new_scratch(m: Model) -> Scratch:
    n_a, n_q = m.alt_hard.shape
    n_c = m.vf_x.shape[0]
    n_var = len(m.var_start) - 1
    b = SUB_BLOCK
    w = np.empty((b, n_c))
    w[:] = m.w_fixed
    return Scratch(u=np.zeros((max(m.n_head, 1), b)), rows=np.zeros((FILL_ROWS, b)), w=w,
                   w_tmp=np.zeros(n_c), wt=np.zeros((n_c, b)), ok=np.zeros(b), p=np.zeros((n_q, b)),
                   thr=np.zeros((n_var, n_q, b)), lat=np.zeros((n_q, b)), normals=np.zeros((len(m.corr_index), b)),
                   z=np.zeros(b), tail=np.zeros(b, np.int64), tail_p=np.zeros(b), tail_x=np.zeros(b),
                   no=np.zeros((n_a, n_q, b), dtype=np.bool_),
                   n_hard_no=np.zeros((n_a, b), np.int64), last_no=np.zeros((n_a, b), np.int64),
                   penalty=np.zeros((n_a, b)), idx=np.zeros((2, b), np.int64), ug=np.zeros(b),
                   ends=np.zeros(b, np.int64), ti=np.zeros(b, np.int32), tf=np.zeros(b),
                   x=np.zeros(b), xv=np.zeros(b), vcell=np.zeros((n_a, n_c, b)),
                   values=np.zeros((n_a, b)), totals=np.zeros(n_a),
                   best=np.zeros(b), better=np.zeros((n_a, b), np.int64), tied=np.zeros((n_a, b), np.int64),
                   top=np.zeros(b, np.int64), at_rank=np.zeros(n_a, np.int64), moments=np.zeros((n_a, 2)),
                   chain_scratch=np.zeros((3, n_c + 1 + m.chain_g.shape[0])),
                   xp=np.zeros((len(m.st_comp), n_c, b)), xf=np.zeros((len(m.st_comp), n_c, b)),
                   st_fail=np.zeros((len(m.st_comp), b), dtype=np.bool_),
                   bx=np.zeros((n_c, b)), bxv=np.zeros((n_c, b)), cv=np.zeros((n_a, n_c)), cv2=np.zeros((n_a, n_c)),
                   mask=np.zeros(b), go=np.zeros(b), pen_best=np.zeros((n_q, b)))


@dataclass
class Accumulator:
    """Mergeable running sums of a run (or of one block, or one QMC replicate).

    ``update`` adds a block's sums; ``merge`` adds another accumulator. Merging in block order
    keeps floating-point sums independent of chunking and threads. ``kept`` holds the values and
    answers of the run's first draws, block by block (see :data:`INFLUENCE_DRAWS`).
    """

    sums: Sums
    hist_lo: NDArray[np.float64]
    """(a,) lower end of each value histogram (the regret histograms start at 0)."""
    hist_scale: NDArray[np.float64]
    """(a,) bins per unit of value (and of regret)."""
    hard: NDArray[np.bool_]
    """(a, q) hard requirements: only they block, so only they have block shares."""
    pair_q: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """(pair,) the precondition of each (precondition, variant) pair (``Model.var_q``)."""
    kept: list = field(default_factory=list)

    @classmethod
    def empty(cls, m: Model) -> Accumulator:
        n_a, n_q = m.alt_hard.shape
        sums = new_sums(n_a, m.vf_x.shape[0], n_q, np.int64, len(m.var_q))  # a run's totals: int64 histograms
        return cls(sums, m.hist_lo, m.hist_scale, m.alt_hard, m.var_q)

    @property
    def n(self) -> int:
        return int(self.sums.count[0])

    def update(self, block: Sums, kept: tuple[NDArray, NDArray] | None = None) -> None:
        """Add one finished block: its sums (and its draws, if it kept them)."""
        self._add(block)
        if kept is not None:
            self.kept.append(kept)

    def merge(self, other: Accumulator) -> None:
        self._add(other.sums)
        self.kept += other.kept

    def _add(self, s: Sums) -> None:
        for name, mine, theirs in zip(Sums._fields, self.sums, s):
            if name == "v_range":
                mine[:, 0::2] = np.minimum(mine[:, 0::2], theirs[:, 0::2])
                mine[:, 1::2] = np.maximum(mine[:, 1::2], theirs[:, 1::2])
            else:
                mine += theirs
