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

__all__ = ["KERNEL", "UNIT", "SUB_BLOCK", "Sums", "new_sums", "Scratch", "WeightScratch", "WorldScratch", "AnswerScratch",
           "CellScratch", "StrategyScratch", "ValueScratch", "RankScratch", "new_scratch", "Accumulator"]

KERNEL = {"nogil": True, "cache": True, "error_model": "numpy", "_nrt": False, "no_cfunc_wrapper": True}
"""Compile options of the kernel's functions. NumPy's error model: a float division does not test
its divisor for zero to raise Python's ZeroDivisionError (the kernel divides by counts of at least
one: values are finite, validated input), and without that branch loops with a division
vectorise (the inverse normal's central rational function: measured 3x faster).

Without numba's reference counting (``_nrt``): the kernel allocates nothing (every array is made
by the driver, which keeps it alive while the kernel runs), so counting references to them only
cost time, and above all compile time: each array of the model or of a scratch group that a
stage binds was counted up and down, which made up more than half of ``run_chunk``'s code before
LLVM (measured: 68,000 instructions, 28,000 without; ``ndarray.max()``, which needs it, is a loop
instead). Without the C-callable wrapper (``no_cfunc_wrapper``): nothing calls one."""
UNIT = {**KERNEL, "no_cpython_wrapper": True}
"""Compile options of a unit of the kernel never called from Python (see
:mod:`~decide.montecarlo.entries`): no CPython wrapper either."""
SUB_BLOCK = LANES
"""Draws processed together, stage by stage: one per lane of the block's SFC64 streams."""


class Sums(NamedTuple):
    """Per-block sums the kernel adds to, draw by draw (so chunking cannot change them). Axes:
    a = alternative, c = criterion, q = precondition."""

    count: NDArray[np.int64]
    """(1,): draws added."""
    sum_best: NDArray[np.float64]
    """(1,): sum of the best alternative's value (the EVPI's first term)."""
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
    """(a, HISTOGRAM_BINS): counts of regrets per bin (from 0, at the values' scale)."""
    rank: NDArray[np.float64]
    """(a, rank): draws at each rank (rank 0 is best), a tie sharing the tied ranks equally."""
    rank_sq: NDArray[np.float64]
    """(a, rank): sums of the squares of those shares (for their MCSE)."""
    wins: NDArray[np.int64]
    """(a, a): draws where row is strictly better than column."""
    cw: NDArray[np.float64]
    """(a, c): sums of the weights of the draws where the alternative is best (shared if tied)."""
    cw_sq: NDArray[np.float64]
    """(a, c): and of their squares (times the share)."""
    blocked: NDArray[np.int64]
    """(a,): draws where a hard requirement says no."""
    no: NDArray[np.int64]
    """(a, q): draws where the precondition says no under the alternative's enablers."""
    no_v: NDArray[np.float64]
    """(a, q): sums of the value over those draws."""
    no_v2: NDArray[np.float64]
    """(a, q): and of its square."""
    sole: NDArray[np.int64]
    """(a, q): draws where the precondition is the alternative's only hard no."""
    world_yes: NDArray[np.int64]
    """(q,): draws where the world's answer (no enablers) is yes."""
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
    sum_loss: NDArray[np.float64]
    """(a, c, 2): sums of the soft losses on each criterion, and of their squares (the weight
    analyses' matrix subtracts their means from the criterion means)."""
    ended: NDArray[np.int64]
    """(a, outcome): draws that scored each outcome: 0 planned, ``1 + k`` the failure profile of
    stage k (how a staged option ends: never launched, launched and failed, ...)."""


def new_sums(n_a: int, n_c: int, n_q: int, hist_dtype: type = np.uint16, n_pairs: int = 0, n_out: int = 2) -> Sums:
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
        sum_cv2=np.zeros((n_a, n_c)), sum_pen=np.zeros((n_a, 2)), sum_loss=np.zeros((n_a, n_c, 2)),
        ended=np.zeros((n_a, n_out), np.int64),
    )


# The scratch of a sub-block, one group per stage that fills it. Axes: d = draw of the sub-block
# (SUB_BLOCK long; the last axis, so the stages' innermost loops over draws are contiguous and
# vectorise), a = alternative, c = criterion, q = precondition, k = strategy component.


class WeightScratch(NamedTuple):
    """The draws' weights (``_weights``, ``_start_values``)."""

    w: NDArray[np.float64]
    """(d, c): each draw's weights (set once to the fixed weights, which no stage then changes)."""
    w_tmp: NDArray[np.float64]
    """(c,): scratch of :func:`~decide.montecarlo.weight_sampling.weights_from_uniforms`."""
    wt: NDArray[np.float64]
    """(c, d): the weights transposed, for the outcome stage's loops over draws."""
    chain_scratch: NDArray[np.float64]
    """(3, c + 1 + constraints): scratch of the hit-and-run steps."""


class WorldScratch(NamedTuple):
    """The world of each draw (``_world``): probabilities of yes, thresholds, latent uniforms."""

    p: NDArray[np.float64]
    """(q, d): probabilities of yes without enablers."""
    thr: NDArray[np.float64]
    """(variant, q, d): thresholds; a precondition says yes iff lat < thr."""
    lat: NDArray[np.float64]
    """(q, d): latent uniforms (through the copula where correlated)."""
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


class AnswerScratch(NamedTuple):
    """Each alternative's answers under its enablers (``_answers``)."""

    no: NDArray[np.bool_]
    """(a, q, d): the precondition says no (filled only where read: see ``_answers``)."""
    n_hard_no: NDArray[np.int64]
    """(a, d): hard requirements that say no (0: the planned outcome applies)."""
    last_no: NDArray[np.int64]
    """(a, d): the last of them (-1: none)."""
    sel: NDArray[np.int64]
    """(a, d): the outcome that applies: 0 the planned outcome, ``1 + k`` the failure profile of
    stage k (the first stage with a hard "no")."""
    penalty: NDArray[np.float64]
    """(a, d): soft penalties charged (the losses weighted: ``_start_values``)."""
    loss: NDArray[np.float64]
    """(a, c, d): value lost on each criterion by soft "no"s (set only for alternatives with a
    soft requirement, ``Model.alt_pen``)."""
    go: NDArray[np.float64]
    """(d,): 1.0 where a member option goes ahead."""
    best: NDArray[np.float64]
    """(c, d): per criterion, the largest loss of a member that goes ahead, for one precondition."""


class CellScratch(NamedTuple):
    """The outcome stage's work arrays, one cell (alternative, criterion) at a time (``_outcomes``)."""

    rows: NDArray[np.float64]
    """(FILL_ROWS, d): the next outcome cells' uniforms, drawn FILL_ROWS slots at a time."""
    idx: NDArray[np.int64]
    """(outcome, d): the draws where an option's planned outcome, then each failure profile, is scored."""
    counts: NDArray[np.int64]
    """(outcome,): how many draws each lists."""
    okf: NDArray[np.float64]
    """(outcome, d): 1.0 where that outcome of the option applies, else 0.0."""
    ug: NDArray[np.float64]
    """(d,): a cell's uniforms gathered for the draws that score it."""
    ends: NDArray[np.int64]
    """(d,): the draws of a PERT cell in the end intervals of its dense table."""
    ti: NDArray[np.int32]
    """(d,): a PERT cell's dense-table intervals (a discrete cell's value indices)."""
    tf: NDArray[np.float64]
    """(d,): and the fractions of them."""
    x: NDArray[np.float64]
    """(d,): outcomes of one cell."""
    xv: NDArray[np.float64]
    """(d,): their criterion values."""
    bx: NDArray[np.float64]
    """(c, d): the baseline's outcomes, which failed options keep where their profile is silent."""
    bxv: NDArray[np.float64]
    """(c, d): and their criterion values."""
    cmz: NDArray[np.float64]
    """(c, d): each common-mode criterion's shared normal error (``_common_errors``)."""


class StrategyScratch(NamedTuple):
    """A strategy row's components (``_strategy_viability``, ``_strategy_outcomes``; empty without)."""

    st_sel: NDArray[np.int64]
    """(k, d): the component's outcome under the strategy's enablers (as ``AnswerScratch.sel``)."""
    xo: NDArray[np.float64]
    """(outcome, k, c, d): the components' planned outcomes and failure profiles (every draw)."""


class ValueScratch(NamedTuple):
    """What the outcome stages score: values and criterion values (``_outcomes``, ``_strategy_outcomes``)."""

    values: NDArray[np.float64]
    """(a, d): each alternative's value (minus its penalties)."""
    vcell: NDArray[np.float64]
    """(a, c, d): criterion values of the outcome scored (kept in the confidence pass only)."""
    cv: NDArray[np.float64]
    """(a, c): the sub-block's sums of each criterion value of each alternative's outcome."""
    cv2: NDArray[np.float64]
    """(a, c): and of their squares."""


class RankScratch(NamedTuple):
    """The accumulation's work arrays (``_accumulate``, ``_confidence``)."""

    best: NDArray[np.float64]
    """(d,): the best value of each draw."""
    better: NDArray[np.int64]
    """(a, d): alternatives strictly better."""
    tied: NDArray[np.int64]
    """(a, d): alternatives tied with it, itself included."""
    top: NDArray[np.int64]
    """(d,): the first best alternative of each draw."""
    at_rank: NDArray[np.int64]
    """(a,): untied draws at each rank, of one alternative."""
    moments: NDArray[np.float64]
    """(a, 2): the sub-block's sums of v and v^2."""
    mask: NDArray[np.float64]
    """(d,): 1.0 where an answer is yes (the accumulator's sums over those draws)."""
    totals: NDArray[np.float64]
    """(a,): one draw's values at fixed weights (the confidence pass)."""


class Scratch(NamedTuple):
    """Work arrays of one running block for a sub-block of draws, grouped by the stage that fills them."""

    u: NDArray[np.float64]
    """(head slot, d): the head's uniforms (``_uniforms``)."""
    weights: WeightScratch
    world: WorldScratch
    answers: AnswerScratch
    cells: CellScratch
    strategy: StrategyScratch
    scored: ValueScratch
    ranks: RankScratch


def new_scratch(m: Model) -> Scratch:
    n_a, n_q = m.alt_hard.shape
    n_c = m.vf_x.shape[0]
    n_k = len(m.st_comp)
    n_out = m.cell_kind.shape[0]
    n_var = len(m.var_start) - 1
    b = SUB_BLOCK
    w = np.empty((b, n_c))
    w[:] = m.w_fixed
    return Scratch(
        u=np.zeros((max(m.n_head, 1), b)),
        weights=WeightScratch(w=w, w_tmp=np.zeros(n_c), wt=np.zeros((n_c, b)),
                              chain_scratch=np.zeros((3, n_c + 1 + m.chain_g.shape[0]))),
        world=WorldScratch(p=np.zeros((n_q, b)), thr=np.zeros((n_var, n_q, b)), lat=np.zeros((n_q, b)),
                           normals=np.zeros((len(m.corr_index), b)), z=np.zeros(b), tail=np.zeros(b, np.int64),
                           tail_p=np.zeros(b), tail_x=np.zeros(b)),
        answers=AnswerScratch(no=np.zeros((n_a, n_q, b), dtype=np.bool_), n_hard_no=np.zeros((n_a, b), np.int64),
                              last_no=np.zeros((n_a, b), np.int64), sel=np.zeros((n_a, b), np.int64),
                              penalty=np.zeros((n_a, b)), loss=np.zeros((n_a, n_c, b)), go=np.zeros(b),
                              best=np.zeros((n_c, b))),
        cells=CellScratch(rows=np.zeros((FILL_ROWS, b)), idx=np.zeros((n_out, b), np.int64),
                          counts=np.zeros(n_out, np.int64), okf=np.zeros((n_out, b)),
                          ug=np.zeros(b), ends=np.zeros(b, np.int64), ti=np.zeros(b, np.int32), tf=np.zeros(b),
                          x=np.zeros(b), xv=np.zeros(b), bx=np.zeros((n_c, b)), bxv=np.zeros((n_c, b)),
                          cmz=np.zeros((n_c, b))),
        strategy=StrategyScratch(st_sel=np.zeros((n_k, b), dtype=np.int64), xo=np.zeros((n_out, n_k, n_c, b))),
        scored=ValueScratch(values=np.zeros((n_a, b)), vcell=np.zeros((n_a, n_c, b)), cv=np.zeros((n_a, n_c)),
                            cv2=np.zeros((n_a, n_c))),
        ranks=RankScratch(best=np.zeros(b), better=np.zeros((n_a, b), np.int64), tied=np.zeros((n_a, b), np.int64),
                          top=np.zeros(b, np.int64), at_rank=np.zeros(n_a, np.int64), moments=np.zeros((n_a, 2)),
                          mask=np.zeros(b), totals=np.zeros(n_a)),
    )


@dataclass
class Accumulator:
    """Mergeable running sums of a run (or of one block, or one QMC replicate).

    ``update`` adds a block's sums; ``merge`` adds another accumulator. Merging in block order
    keeps floating-point sums independent of chunking and threads. ``kept`` holds the values and
    answers of the run's first draws, block by block (see
    :data:`~decide.montecarlo.driver.INFLUENCE_DRAWS`).
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
    """((draw, a) values, (draw, q + pair) answers, (draw, c) weights) of the run's first draws, per
    block that kept them."""

    @classmethod
    def empty(cls, m: Model) -> Accumulator:
        n_a, n_q = m.alt_hard.shape
        sums = new_sums(n_a, m.vf_x.shape[0], n_q, np.int64, len(m.var_q), m.cell_kind.shape[0])  # int64 histograms
        return cls(sums, m.hist_lo, m.hist_scale, m.alt_hard, m.var_q)

    @property
    def n(self) -> int:
        return int(self.sums.count[0])

    def update(self, block: Sums, kept: tuple[NDArray, NDArray, NDArray] | None = None) -> None:
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
