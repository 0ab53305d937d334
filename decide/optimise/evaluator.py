"""What each option of a strategy changes in each scenario, cached per choice of enabling options.

The model (DESIGN.md, "Strategies"; which sets are strategies: :mod:`decide.model.strategies`)
-----------------------------------------------------------------------------------------------
An option's scores are the outcomes if it is pursued together with the options it depends on
(its *smallest strategy*); its failure profile is the outcome of that smallest strategy when it
fails. In each scenario, the smallest strategy of option ``j`` ends in

    O_j = P_j   if every hard requirement of j *and of its dependencies* holds (j is viable:
                it goes ahead),
    O_j = F_j   otherwise -- a "no" that stops phase one stops phase two as well,

so an option is judged alone exactly as it is within a strategy (and as ``score`` and the Monte
Carlo engine evaluate it). On a criterion its failure profile does not list
(``CaseArrays.failure_is_baseline``), ``F_j`` is the baseline option's own draw in that scenario
(:mod:`decide.optimise.scenarios` draws it so), so a failure there changes nothing: ``F_j - B = 0``
exactly.

Stages (DESIGN.md, "Stages"): an option whose hard requirements come in ``S_j`` stages has a
failure profile per stage, ``F_j^0 .. F_j^{S_j - 1}``, and fails at the *first* stage whose
question says no; its dependencies' requirements are checked at its first stage
(``StrategySpace.stage``). With ``pass_jk`` = every requirement checked at stages ``0..k`` holds
(``pass_j,S_j-1`` is viability),

    O_j = P_j                 where pass_j,S_j-1,
    O_j = F_j^k               where pass_j,k-1 and not pass_jk (pass_j,-1 = 1),

equivalently, telescoping (the form the MILP uses, each ``pass_jk`` being a viability over a
subset of the requirements)::

    O_j = F_j^0 + sum_{k < S_j - 1} pass_jk (F_j^{k+1} - F_j^k) + pass_j,S_j-1 (P_j - F_j^{S_j-1}),

which for an option without stages (``S_j = 1``) is ``F_j + v_j (P_j - F_j)``. The evaluator picks
each draw's outcome directly. A strategy's outcome on each criterion assembles these joint outcomes
by inclusion-exclusion over shared dependencies:

    outcome = B + sum_j a_j (O_j - B),   a_j = sum over i in the strategy of mu(i, j),

where ``B`` is the baseline outcome and ``mu`` the Moebius function of the dependency order (the
inverse of the 0/1 ``closure`` matrix). When everything holds this is "baseline + each option's
change", an option's change being its outcome minus its dependencies' planned joint outcome
(phase one + phase two scores exactly as phase two was scored); for options without
dependencies ``a_j = 1`` and the change is ``O_j - B``. The outcome is then capped at the ends of
each criterion's scale, mapped through its value function and weighted.

Soft requirements cost only where the option goes ahead (every hard requirement, of every stage,
holds; a failed option is already scored by its failure profile). In each scenario, for each
precondition ``q`` that says no and each criterion ``c``, the strategy loses the largest loss among
its options that softly require ``q`` *and are viable in that scenario* (nothing if none is):

    loss_cs = sum over q saying no in s of  max {loss_iqc : i in the strategy, i viable in s}

weighted like the criterion values (a flat penalty is the same loss on every criterion),
with viability as above (every hard requirement of i and of its dependencies holds, under the
strategy's enablers). An option judged alone is its smallest strategy: a dependency that goes
ahead pays its own soft penalties even where the option itself fails.

Preconditions say yes iff the scenario's latent uniform is below their probability after the
enablers of the strategy's options (the same uniforms for every strategy: common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from decide.compile import apply_enablers, enable
from decide.errors import DecideError
from decide.model.strategies import StrategySpace
from decide.optimise.scenarios import Scenarios

__all__ = ["Draws", "strategy_draws", "holds", "Evaluator", "pattern_codes", "pattern_table"]


@dataclass(frozen=True, eq=False)
class Draws:
    """Scenarios as the evaluator wants them: (option, criterion, draw), pursuable options only."""

    planned: NDArray[np.float64]
    failure: NDArray[np.float64]
    """The first stage's failure outcomes (every option's only ones when it has no stages)."""
    base: NDArray[np.float64]
    """(criterion, draw)."""
    probabilities: NDArray[np.float64]
    latent: NDArray[np.float64]
    later: tuple[NDArray[np.float64], ...] = ()
    """The second, third, ... stage's failure outcomes, each (option, criterion, draw); only as
    many as the options' stages use."""

    @property
    def n_draws(self) -> int:
        return self.base.shape[1]

    def failure_at(self, stage: int) -> NDArray[np.float64]:
        """(option, criterion, draw): failure outcomes of a stage (0 is :attr:`failure`)."""
        return self.failure if stage == 0 else self.later[stage - 1]


def strategy_draws(space: StrategySpace, scenarios: Scenarios) -> Draws:
    planned = np.ascontiguousarray(scenarios.planned[:, space.options].transpose(1, 2, 0))
    failure = np.ascontiguousarray(scenarios.failure[:, space.options].transpose(1, 2, 0))
    base = np.ascontiguousarray(scenarios.planned[:, space.arrays.baseline].T)
    used = int(space.stage_count.max(initial=1)) - 1
    if used > scenarios.n_stages - 1:
        raise DecideError(f"the scenarios hold {scenarios.n_stages} failure stage(s) but the case's options use "
                          f"{used + 1}: draw them from the same case (decide.optimise.scenarios.draw_scenarios)")
    later = tuple(np.ascontiguousarray(scenarios.failure_at(k)[:, space.options].transpose(1, 2, 0))
                  for k in range(1, used + 1))
    return Draws(planned, failure, base, scenarios.probabilities, scenarios.latent, later)


def holds(space: StrategySpace, draws: Draws, x: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """(draw, precondition): which preconditions say yes under the enablers of strategy ``x``."""
    p = apply_enablers(draws.probabilities, space.enablers_active(x), space.arrays)
    return draws.latent < p


class Evaluator:
    """What each option adds to the outcome, per enabler choice, with shared pieces cached.

    A precondition's answers depend only on which of *its* enabling options are pursued, and an
    option's joint outcome only on its own requirements' answers; caching both per pattern keeps
    the cost per group of strategies (one enabler choice) at assembling rows, not recomputing them.
    """

    def __init__(self, space: StrategySpace, draws: Draws):
        self.space, self.draws = space, draws
        arrays = space.arrays
        n_q = arrays.n_preconditions
        acting = space.enabler_local >= 0
        self.enabling = [np.unique(space.enabler_local[(arrays.enabler_precondition == q) & acting])
                         for q in range(n_q)]
        self.requirement_enabling = [
            np.unique(np.concatenate([self.enabling[q] for q in np.flatnonzero(space.hard[j])]
                                     + [np.zeros(0, np.intp)])).astype(np.intp)
            for j in range(space.n_options)]
        self._answers: dict[tuple, NDArray[np.bool_]] = {}
        self._viable: dict[tuple, NDArray[np.bool_]] = {}
        self.stage_count = space.stage_count
        # Options with stages: O - B for each outcome, planned first, then each stage's failure.
        self._ends = {int(j): [draws.planned[j] - draws.base] + [draws.failure_at(k)[j] - draws.base
                                                                 for k in range(int(self.stage_count[j]))]
                      for j in np.flatnonzero(self.stage_count > 1)}
        self._joint: dict[tuple, NDArray[np.float64]] = {}
        self._fixed = (draws.failure - draws.base).reshape(space.n_options, -1)
        self._swing = (draws.planned - draws.failure).reshape(space.n_options, -1)
        self._dependent = [np.flatnonzero(space.mobius[i]) for i in range(space.n_options)]
        self.change_enabling = [
            np.unique(np.concatenate([self.requirement_enabling[j] for j in self._dependent[i]]
                                     + [np.zeros(0, np.intp)])).astype(np.intp)
            for i in range(space.n_options)]
        # Soft requirements, per precondition q: its groups of criteria (the options softly
        # requiring it by decreasing loss), and every option whose choice changes what a strategy
        # loses for q (those options, q's enabling options and the options enabling their hard
        # requirements).
        self.soft: list[tuple[int, list, NDArray[np.intp]]] = []
        for q in np.flatnonzero(space.soft_loss.max(axis=(0, 2), initial=0.0) > 0):
            groups = space.soft_groups(int(q))
            members = np.unique(np.concatenate([m for _, m, _ in groups]))
            deciding = np.unique(np.concatenate([members, self.enabling[q]]
                                                + [self.requirement_enabling[m] for m in members]))
            self.soft.append((int(q), groups, deciding.astype(np.intp)))

    def answers(self, q: int, x: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """(draw,): whether precondition q says yes when strategy ``x`` is pursued."""
        pattern = tuple(x[self.enabling[q]])
        key = (q, pattern)
        if key not in self._answers:
            only = np.zeros(self.space.n_options, dtype=bool)
            only[self.enabling[q]] = pattern
            active = self.space.enablers_active(only)
            arrays = self.space.arrays
            p = self.draws.probabilities[:, q]
            for e in np.flatnonzero(active & (arrays.enabler_precondition == q)):  # in case-file order
                p = enable(arrays, e, p)
            self._answers[key] = self.draws.latent[:, q] < p
        return self._answers[key]

    def viable(self, j: int, x: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """(draw,): whether option j goes ahead under the enablers of ``x`` (every hard
        requirement of its smallest strategy holds)."""
        key = (j, tuple(x[self.requirement_enabling[j]]))
        if key not in self._viable:
            viable = np.ones(self.draws.n_draws, dtype=bool)
            for q in np.flatnonzero(self.space.hard[j]):
                viable &= self.answers(q, x)
            self._viable[key] = viable
        return self._viable[key]

    def end_codes(self, j: int, x: NDArray[np.bool_]) -> NDArray[np.int8]:
        """(draw,): the outcome option j's smallest strategy ends in under the enablers of ``x``:
        0 where every hard requirement holds (planned), else 1 + the first stage whose question
        says no -- the rule :meth:`outcome_table` reads for many strategies at once."""
        from decide.optimise._strategy_kernels import first_failures

        required = np.flatnonzero(self.space.hard[j])
        answers = np.array([self.answers(int(q), x) for q in required])
        codes = np.empty((1, self.draws.n_draws), dtype=np.int8)
        first_failures(answers, np.arange(len(required), dtype=np.int64)[None, :],
                       self.space.stage[j, required].astype(np.int64), codes)
        return codes[0]

    def joint(self, j: int, x: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(criterion * draw,): O_j - B, the change option j's smallest strategy makes.

        An option with stages ends, in each draw, at its planned outcome where every stage holds,
        else at the failure outcome of the first stage that does not.
        """
        key = (j, tuple(x[self.requirement_enabling[j]]))
        if key not in self._joint:
            if self.stage_count[j] == 1:
                viable = self.viable(j, x)
                self._joint[key] = self._fixed[j] + np.tile(viable, self.space.arrays.n_criteria) * self._swing[j]
            else:
                self._joint[key] = np.choose(self.end_codes(j, x), self._ends[j]).ravel()  # (criterion, draw)
        return self._joint[key]

    def payers(self, q: int, groups: list, x: NDArray[np.bool_]):
        """The rule of soft losses, as ``(criteria, loss, paid)`` triples: where q says no, on each
        group of criteria (``groups``: :meth:`~decide.model.strategies.StrategySpace.soft_groups`)
        the member of ``x`` with the largest loss that goes ahead pays it, in the draws ``paid``."""
        no = ~self.answers(q, x)
        for criteria, members, losses in groups:
            unpaid = no
            for m, loss in zip(members, losses):
                if not x[m]:
                    continue
                paid = unpaid & self.viable(int(m), x)
                yield criteria, loss, paid
                unpaid = unpaid & ~paid
                if not unpaid.any():
                    break

    def charged(self, q: int, groups: list, x: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(criterion, draw): what strategy ``x`` loses for soft precondition q (:meth:`payers`)."""
        out = np.zeros((self.space.arrays.n_criteria, self.draws.n_draws))
        for criteria, loss, paid in self.payers(q, groups, x):
            out[np.ix_(criteria, np.flatnonzero(paid))] = loss
        return out

    def losses(self, X: NDArray[np.bool_], *, mean: bool) -> NDArray[np.float64]:
        """Soft losses of strategies: ``(strategy, criterion)`` means, or ``(strategy, criterion,
        draw)`` per draw; the soft penalty under weights ``w`` is their product with ``w``.

        What a strategy loses for q depends on it only through q's deciding options, so each
        distinct pattern of them is evaluated once.
        """
        n_c = self.space.arrays.n_criteria
        out = np.zeros((len(X), n_c) if mean else (len(X), n_c, self.draws.n_draws))
        x = np.zeros(self.space.n_options, dtype=bool)
        for q, groups, deciding in self.soft:
            codes, patterns = pattern_table(X[:, deciding])
            charged = []
            for pattern in patterns:
                x[deciding] = pattern  # what q costs reads x only there
                charged.append(self.charged_mean(q, groups, x) if mean else self.charged(q, groups, x))
            out += np.array(charged)[codes]
        return out

    def charged_mean(self, q: int, groups: list, x: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(criterion,): :meth:`charged` averaged over the draws, from counts of the paying draws."""
        out = np.zeros(self.space.arrays.n_criteria)
        for criteria, loss, paid in self.payers(q, groups, x):
            out[criteria] += loss * np.count_nonzero(paid) / self.draws.n_draws
        return out

    def change(self, i: int, x: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(criterion * draw,): ``sum_j mobius[i, j] (O_j - B)``, option i's row of :meth:`changes`."""
        out = np.zeros(self.draws.base.size)
        for j in self._dependent[i]:
            mu = self.space.mobius[i, j]
            out += self.joint(j, x) if mu == 1.0 else mu * self.joint(j, x)
        return out

    def ends(self) -> NDArray[np.float64]:
        """(option, outcome, criterion * draw): ``O - B`` for each outcome an option's smallest
        strategy can end in: planned (0), then each stage's failure (1, 2, ...); rows past an
        option's stages are unused. Without stages the planned row is ``(F - B) + (P - F)``, the
        sum :meth:`joint` makes, so that the compiled evaluation agrees with it to the bit."""
        n_ends = 1 + int(self.stage_count.max(initial=1))
        out = np.zeros((self.space.n_options, n_ends, self.draws.base.size))
        for j in range(self.space.n_options):
            if self.stage_count[j] == 1:
                out[j, 0] = self._fixed[j] + self._swing[j]
                out[j, 1] = self._fixed[j]
            else:
                for k, end in enumerate(self._ends[j]):
                    out[j, k] = end.ravel()
        return out

    def answer_table(self, patterns: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Every question's answers under each of ``patterns`` (choices of options, one per row):
        ``(pattern, question)`` row numbers into ``(row, draw)`` answers."""
        n_q = self.space.arrays.n_preconditions
        index = np.zeros((len(patterns), n_q), dtype=np.intp)
        rows: list[NDArray[np.bool_]] = []
        x = np.zeros(self.space.n_options, dtype=bool)
        for q in range(n_q):
            codes, distinct = pattern_table(patterns[:, self.enabling[q]])
            index[:, q] = len(rows) + codes
            for pattern in distinct:
                x[self.enabling[q]] = pattern  # q's answers read x only there
                rows.append(self.answers(q, x))
        return index, np.array(rows).reshape(len(rows), self.draws.n_draws)

    def outcome_table(self, patterns: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.int8]]:
        """Which outcome each option's smallest strategy ends in, per draw, under each of
        ``patterns`` (choices of options, one per row): ``(pattern, option)`` row numbers into
        ``(row, draw)`` outcomes, 0 where every hard requirement holds (planned), else 1 + the
        first stage whose question says no (that stage's failure profile) -- :meth:`joint`'s rule."""
        from decide.optimise._strategy_kernels import first_failures

        answer_row, answers = self.answer_table(patterns)
        index = np.zeros((len(patterns), self.space.n_options), dtype=np.intp)
        rows = []
        n = 0
        for j in range(self.space.n_options):
            required = np.flatnonzero(self.space.hard[j])
            if len(required) == 0:  # always planned
                index[:, j] = n
                rows.append(np.zeros((1, self.draws.n_draws), dtype=np.int8))
            else:
                distinct, codes = np.unique(answer_row[:, required], axis=0, return_inverse=True)
                index[:, j] = n + codes.ravel()
                ends = np.empty((len(distinct), self.draws.n_draws), dtype=np.int8)
                first_failures(answers, distinct.astype(np.int64), self.space.stage[j, required].astype(np.int64), ends)
                rows.append(ends)
            n += len(rows[-1])
        return index, np.concatenate(rows)

    def change_codes(self, X: NDArray[np.bool_]) -> NDArray[np.int64]:
        """(strategy, option): an integer naming option i's change row under each strategy.

        The row depends on the strategy only through the enabling options of the requirements
        of i's dependencies; the code numbers their distinct patterns (0, 1, ...).
        """
        codes = np.zeros(X.shape, dtype=np.int64)
        for i in range(self.space.n_options):
            codes[:, i] = pattern_codes(X[:, self.change_enabling[i]])
        return codes

    def changes(self, x: NDArray[np.bool_], options: NDArray[np.intp] | None = None) -> NDArray[np.float64]:
        """(option, criterion * draw): ``mobius @ (O - B)`` for the enabler choice of ``x``.

        Summed over a dependency-closed strategy these give its change from the baseline (see the
        module notes). Rows outside ``options`` (default: all) are left at zero.
        """
        out = np.zeros((self.space.n_options, self.draws.base.size))
        for i in (range(self.space.n_options) if options is None else options):
            out[i] = self.change(i, x)
        return out


def pattern_codes(columns: NDArray[np.bool_]) -> NDArray[np.int64]:
    """(row,): the same integer for rows with the same 0/1 pattern (0, 1, ... in sorted order)."""
    width = columns.shape[1]
    if width == 0:
        return np.zeros(len(columns), dtype=np.int64)
    if width <= 62:  # bit-pack, then number the packed values (a 1-D sort: fast)
        packed = columns.astype(np.int64) @ (np.int64(1) << np.arange(width, dtype=np.int64))
        return np.unique(packed, return_inverse=True)[1].ravel().astype(np.int64)
    return np.unique(columns, axis=0, return_inverse=True)[1].ravel().astype(np.int64)


def pattern_table(columns: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """The distinct 0/1 rows of ``columns`` (pattern, column) and each row's index among them."""
    width = columns.shape[1]
    if width > 20:
        patterns, codes = np.unique(columns, axis=0, return_inverse=True)
        return codes.ravel().astype(np.intp), patterns
    packed = columns.astype(np.intp) @ (np.intp(1) << np.arange(width, dtype=np.intp))
    present = np.flatnonzero(np.bincount(packed, minlength=1 << width))  # no sort: few bits
    index = np.zeros(1 << width, dtype=np.intp)
    index[present] = np.arange(len(present))
    return index[packed], ((present[:, None] >> np.arange(width)) & 1).astype(bool)
