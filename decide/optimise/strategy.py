"""Strategies: sets of options pursued together, their value over scenarios, and the best of them.

The model (DESIGN.md, "Strategies")
-----------------------------------
The baseline option's outcomes are the status quo; the baseline option itself is never pursued:
it *is* the empty strategy (so its own enablers, resource uses and requirements never apply, and
naming it in a strategy is an error). A strategy is a set of the other options that contains every option
its members depend on (``closure``), no two options that exclude each other (``excludes``), and
uses no more of any resource than its budget (``uses``, ``budgets``).

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
holds; a failed option is already scored by its failure profile). In each scenario, for each precondition ``q`` that says no, the strategy
pays the largest penalty among its options that softly require ``q`` *and are viable in that
scenario* (nothing if none is):

    penalty_s = sum over q saying no in s of  max {pen_iq : i in the strategy, i viable in s}

with viability as above (every hard requirement of i and of its dependencies holds, under the
strategy's enablers). An option judged alone is its smallest strategy: a dependency that goes
ahead pays its own soft penalties even where the option itself fails.

Preconditions say yes iff the scenario's latent uniform is below their probability after the
enablers of the strategy's options (the same uniforms for every strategy: common random numbers).

Objectives
----------
With ``E_p[x]`` the mean value of strategy ``x`` under weight profile ``p`` on the scenarios:

* expected: ``E_p[x]`` for one profile (or explicit weights);
* maximin: over the profiles, of the gain over doing nothing, ``min_p (E_p[x] - E_p[empty])``.
  Profiles value the status quo differently; the raw ``min_p E_p[x]`` would mostly ask what the
  profile that values everything low thinks, not which strategy every stakeholder gains most
  from in the worst case;
* minimax regret: ``max_p (max_y E_p[y] - E_p[x])``, ``y`` over the feasible strategies.

Both references (doing nothing, each profile's best) are taken on the scenarios being scored: in
sample on the in-sample ones, out of sample on the fresh ones, where each profile's best is the
exact best over every feasible strategy when they were enumerated and, after the MILP, the best
of the reported strategies, the best without each of its options and each profile's own
in-sample optimum (a lower bound on the true best, so regrets may be understated; the notes say
which was used).

Engines
-------
``enumerate`` lists every feasible strategy (options in dependency order, pruned by budgets and
exclusions as it goes) and evaluates them all exactly: strategies that choose the same enabling
options share every scenario's viability, so each such group is one compiled pass over the
scenarios. ``milp`` solves the same sample-average problem as a mixed-integer program (see
:mod:`decide.optimise.strategy_milp`). ``auto`` enumerates while the feasible set has at most
``ENUMERATION_LIMIT`` strategies and switches to the MILP beyond.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.compile import CaseArrays, apply_enablers, compile_case, enable
from decide.errors import DecideError
from decide.optimise.scenarios import (
    STREAM_IN_SAMPLE,
    STREAM_OUT_OF_SAMPLE,
    STREAM_RERUN,
    Scenarios,
    SeedLike,
    draw_scenarios,
    iter_scenarios,
    scenario_bytes,
)
from decide.montecarlo.streams import resolve_seed
from decide.spec import Case

__all__ = [
    "ENUMERATION_LIMIT",
    "Objective",
    "StrategySpace",
    "StrategyResult",
    "strategy_space",
    "strategy_problems",
    "check_strategy",
    "evaluate_strategy",
    "feasible_strategies",
    "criterion_means",
    "scenario_values",
    "optimise_strategies",
]

logger = logging.getLogger(__name__)

ENUMERATION_LIMIT = 1 << 21
RERUN_SHORTLIST = 4096
"""Strategies the stability reruns re-optimise over when more are feasible: the best of the first run."""
"""Most feasible strategies ``engine="auto"`` enumerates (about 2 million: 20-22 options)."""
_ROW_MEMORY = 256 * 2**20  # bytes of change rows held at once while evaluating strategies
_BATCH = 4096  # strategies per kernel call (fewer when their change rows would pass _ROW_MEMORY)
_EXACT_BEST_WORK = 2 * 10**8
"""Most strategy-scenarios (feasible strategies x fresh scenarios) evaluated for each profile's
exact out-of-sample best (minimax regret): Mali's 973 strategies on 10,000 scenarios are 10^7,
about 1 s; beyond, the best of the candidates in ``_Found.references`` and the reported strategies."""
_REFERENCES = 10  # per profile, its best strategies in sample kept as candidates for its best out of sample

Objective = Literal["expected", "maximin", "minimax_regret"]
Engine = Literal["auto", "enumerate", "milp"]

_TOL = 1e-9


class _TooMany(Exception):
    """Enumeration would exceed its limit (internal: auto switches to the MILP)."""


# --------------------------------------------------------------------------- the strategy space


@dataclass(frozen=True, eq=False)
class StrategySpace:
    """The options a strategy may pursue (all but the baseline) and the rules binding them.

    Axes are local: option ``k`` here is case option ``options[k]``.
    """

    arrays: CaseArrays
    options: NDArray[np.intp]
    """Case indices of the options a strategy may pursue."""
    option_ids: tuple[str, ...]
    closure: NDArray[np.bool_]
    """(option, option): the option itself and every option it depends on."""
    mobius: NDArray[np.float64]
    """(option, option): inverse of ``closure`` (the Moebius function of the dependency order)."""
    excludes: NDArray[np.bool_]
    uses: NDArray[np.float64]
    budgets: NDArray[np.float64]
    hard: NDArray[np.bool_]
    """(option, precondition): hard requirements of the option's smallest strategy."""
    stage: NDArray[np.int8]
    """(option, precondition): the stage each of those requirements is checked at (the option's
    own stages; its dependencies' requirements at stage 0; 0 where not required)."""
    penalty: NDArray[np.float64]
    """(option, precondition): the option's own soft-requirement penalties."""
    enabler_local: NDArray[np.intp]
    """(enabler,): local option of each enabler; -1 for the baseline's (never active)."""
    order: NDArray[np.intp]
    """Local options in dependency order (every option after those it depends on)."""
    value_x: NDArray[np.float64]
    value_v: NDArray[np.float64]
    n_points: NDArray[np.int64]
    """Value-function points per criterion (``value_x``/``value_v`` without the padding)."""

    @property
    def n_options(self) -> int:
        return len(self.options)

    @property
    def stage_count(self) -> NDArray[np.intp]:
        """(option,): failure profiles the option can score: 1 + the last stage it checks (1 for
        an option without stages)."""
        return 1 + np.where(self.hard, self.stage, 0).max(axis=1, initial=0).astype(np.intp)

    @property
    def enabling_options(self) -> NDArray[np.intp]:
        """Local options that change some precondition's probability."""
        return np.unique(self.enabler_local[self.enabler_local >= 0])

    def index(self, option_id: str) -> int:
        """Local index of an option id, with a clear message for unknown ids or the baseline."""
        arrays = self.arrays
        if option_id in self.option_ids:
            return self.option_ids.index(option_id)
        if arrays.baseline is not None and option_id == arrays.option_ids[arrays.baseline]:
            raise DecideError(f"'{option_id}' is the baseline (the status quo): it is the empty strategy and is "
                              "never pursued; leave it out")
        raise DecideError(f"unknown option '{option_id}'; known: {', '.join(self.option_ids)}")

    def vector(self, strategy: Sequence[str]) -> NDArray[np.bool_]:
        """A strategy (option ids) as a 0/1 vector over the local options."""
        if isinstance(strategy, str):
            strategy = [strategy]
        x = np.zeros(self.n_options, dtype=bool)
        for option_id in strategy:
            x[self.index(option_id)] = True
        return x

    def ids(self, x: NDArray[np.bool_]) -> tuple[str, ...]:
        """The option ids of a 0/1 vector, in case order."""
        return tuple(self.option_ids[k] for k in np.flatnonzero(x))

    def enablers_active(self, x: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """(..., enabler): enablers whose option the strategy pursues."""
        x = np.asarray(x, dtype=bool)
        padded = np.concatenate([x, np.zeros(x.shape[:-1] + (1,), dtype=bool)], axis=-1)
        return padded[..., self.enabler_local]  # index -1 picks the padding: never active


def strategy_space(arrays: CaseArrays | Case) -> StrategySpace:
    """The options of a case that strategies combine, with their rules as local arrays.

    Raises
    ------
    DecideError
        If the case has no baseline option: a strategy's outcome is the status quo plus what its
        options change, so the status quo must be given.
    """
    if isinstance(arrays, Case):
        arrays = compile_case(arrays)
    if arrays.baseline is None:
        raise DecideError("strategies build on the status quo: mark one option 'baseline: true' (its scores are "
                          "the outcomes if nothing is done)")
    keep = np.array([i for i in range(arrays.n_options) if i != arrays.baseline], dtype=np.intp)
    if len(keep) == 0:
        raise DecideError("the case has no option besides the baseline: there is nothing to combine")
    closure = arrays.closure[np.ix_(keep, keep)]
    # Dependencies have strictly smaller closures, so sorting by closure size is a dependency order.
    order = np.argsort(closure.sum(axis=1), kind="stable")
    mobius = np.rint(np.linalg.inv(closure.astype(float)))
    hard = (closure.astype(np.int64) @ arrays.hard[keep].astype(np.int64)) > 0
    # As CaseArrays.eval_stage, over the pursuable options: the option's own stages, and the
    # requirements of the options it depends on checked first (stage 0).
    own_hard = arrays.hard[keep]
    inherited = ((closure & ~np.eye(len(keep), dtype=bool)).astype(np.int64) @ own_hard.astype(np.int64)) > 0
    stage = np.where(hard & ~inherited & own_hard, arrays.stage[keep], 0).astype(np.int8)
    local = np.full(arrays.n_options, -1, dtype=np.intp)
    local[keep] = np.arange(len(keep))
    value_x, value_v, n_points = _trimmed_value_functions(arrays)
    return StrategySpace(
        arrays=arrays,
        options=keep,
        option_ids=tuple(arrays.option_ids[i] for i in keep),
        closure=closure,
        mobius=mobius,
        excludes=arrays.excludes[np.ix_(keep, keep)],
        uses=arrays.uses[keep],
        budgets=arrays.budgets,
        hard=hard,
        stage=stage,
        penalty=arrays.penalty[keep],
        enabler_local=local[arrays.enabler_option] if len(arrays.enabler_option) else np.zeros(0, np.intp),
        order=order,
        value_x=value_x,
        value_v=value_v,
        n_points=n_points,
    )


def _trimmed_value_functions(arrays: CaseArrays) -> tuple[NDArray, NDArray, NDArray[np.int64]]:
    """Value functions without the padding compile adds (repeated last points)."""
    n_points = np.array([1 + int(np.count_nonzero(np.diff(row) > 0)) for row in arrays.value_x], dtype=np.int64)
    value_x = np.ascontiguousarray(arrays.value_x, dtype=float)
    return value_x, np.ascontiguousarray(arrays.value_v, dtype=float), n_points


def _as_space(arrays: CaseArrays | Case | StrategySpace) -> StrategySpace:
    return arrays if isinstance(arrays, StrategySpace) else strategy_space(arrays)


# --------------------------------------------------------------------------- feasibility


def strategy_problems(space: StrategySpace, x: NDArray[np.bool_]) -> list[str]:
    """Why a 0/1 strategy vector is not feasible: missing dependencies, exclusions, budgets."""
    ids, problems = space.option_ids, []
    for i in np.flatnonzero(x):
        for j in np.flatnonzero(space.closure[i] & ~x):
            problems.append(f"{ids[i]} depends on {ids[j]}: add it")
    for i, j in zip(*np.nonzero(np.triu(space.excludes & np.outer(x, x)))):
        problems.append(f"{ids[i]} excludes {ids[j]}: keep only one of them")
    used = x.astype(float) @ space.uses
    for r in np.flatnonzero(used > space.budgets + _TOL):
        name = space.arrays.resource_ids[r]
        problems.append(f"over the {name} budget by {used[r] - space.budgets[r]:.4g} "
                        f"(uses {used[r]:.4g} of {space.budgets[r]:.4g})")
    return problems


def check_strategy(arrays: CaseArrays | Case | StrategySpace, strategy: Sequence[str]) -> NDArray[np.bool_]:
    """Check a strategy (option ids) and return it as a 0/1 vector over the pursuable options.

    Raises
    ------
    DecideError
        Naming every problem: unknown options, the baseline listed as an option, a missing
        dependency ("ecowas_phase2 depends on ecowas_phase1: add it"), two options that exclude
        each other, or a budget exceeded (which resource, by how much).
    """
    space = _as_space(arrays)
    x = space.vector(strategy)
    problems = strategy_problems(space, x)
    if problems:
        label = " + ".join(space.ids(x)) or "the empty strategy"
        raise DecideError(f"strategy {label} is not feasible:\n" + "\n".join(f"  - {p}" for p in problems))
    return x


def feasible_strategies(
    arrays: CaseArrays | Case | StrategySpace,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    limit: int | None = ENUMERATION_LIMIT,
) -> NDArray[np.bool_]:
    """Every feasible strategy, as rows of 0/1 over the pursuable options (the empty one first).

    Options are added in dependency order; a partial strategy is extended by an option only if
    that option's dependencies are in it, nothing in it excludes the option and the budgets still
    hold (resource uses are non-negative, so a partial strategy over budget never recovers).

    Parameters
    ----------
    include
        Options every strategy must contain (with the options they depend on).
    exclude
        Options no strategy may contain (nor any option depending on them).
    limit
        Give up (``DecideError``) beyond this many strategies; None for no limit.
    """
    space = _as_space(arrays)
    try:
        return _enumerate(space, include, exclude, limit)
    except _TooMany:
        raise DecideError(f"more than {limit:,} feasible strategies: too many to enumerate; "
                          "use engine='milp'") from None


def _forced_and_banned(space: StrategySpace, include: Sequence[str], exclude: Sequence[str]):
    forced = np.zeros(space.n_options, dtype=bool)
    for option_id in ([include] if isinstance(include, str) else include):
        forced |= space.closure[space.index(option_id)]
    banned = np.zeros(space.n_options, dtype=bool)
    for option_id in ([exclude] if isinstance(exclude, str) else exclude):
        banned |= space.closure[:, space.index(option_id)]  # the option and everything needing it
    clash = forced & banned
    if clash.any():
        raise DecideError(f"options both demanded and excluded: {', '.join(space.ids(clash))}")
    problems = strategy_problems(space, forced)
    if problems:
        raise DecideError(f"the demanded options, with what they depend on ({' + '.join(space.ids(forced))}), "
                          "cannot be pursued:\n"
                          + "\n".join(f"  - {p}" for p in problems))
    return forced, banned


def _enumerate(space: StrategySpace, include, exclude, limit) -> NDArray[np.bool_]:
    forced, banned = _forced_and_banned(space, include, exclude)
    X = forced[None, :].copy()
    used = (forced.astype(float) @ space.uses)[None, :]
    for k in space.order:
        if forced[k] or banned[k]:
            continue
        deps = space.closure[k].copy()
        deps[k] = False
        ok = np.all(X[:, deps], axis=1) & ~np.any(X[:, space.excludes[k]], axis=1)
        ok &= np.all(used + space.uses[k] <= space.budgets + _TOL, axis=1)
        if not ok.any():
            continue
        grown = X[ok]
        grown[:, k] = True
        X = np.concatenate([X, grown])
        used = np.concatenate([used, used[ok] + space.uses[k]])
        if limit is not None and len(X) > limit:
            raise _TooMany
    return X


def _nothing_fits(space: StrategySpace, banned: NDArray[np.bool_]) -> DecideError:
    """The message when no option (with its dependencies) fits: each option's first obstacle."""
    lines = []
    for k in range(space.n_options):
        if banned[k]:
            continue
        problems = strategy_problems(space, space.closure[k])
        lines.append(f"  - {space.option_ids[k]}: {problems[0] if problems else 'fits'}")
    return DecideError("no strategy other than doing nothing fits the budgets and rules:\n" + "\n".join(lines))


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True, eq=False)
class _Draws:
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


def _draws(space: StrategySpace, scenarios: Scenarios) -> _Draws:
    planned = np.ascontiguousarray(scenarios.planned[:, space.options].transpose(1, 2, 0))
    failure = np.ascontiguousarray(scenarios.failure[:, space.options].transpose(1, 2, 0))
    base = np.ascontiguousarray(scenarios.planned[:, space.arrays.baseline].T)
    used = int(space.stage_count.max(initial=1)) - 1
    if used > scenarios.n_stages - 1:
        raise DecideError(f"the scenarios hold {scenarios.n_stages} failure stage(s) but the case's options use "
                          f"{used + 1}: draw them from the same case (decide.optimise.scenarios.draw_scenarios)")
    later = tuple(np.ascontiguousarray(scenarios.failure_at(k)[:, space.options].transpose(1, 2, 0))
                  for k in range(1, used + 1))
    return _Draws(planned, failure, base, scenarios.probabilities, scenarios.latent, later)


def _holds(space: StrategySpace, draws: _Draws, x: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """(draw, precondition): which preconditions say yes under the enablers of strategy ``x``."""
    p = apply_enablers(draws.probabilities, space.enablers_active(x), space.arrays)
    return draws.latent < p


class _Evaluator:
    """What each option adds to the outcome, per enabler choice, with shared pieces cached.

    A precondition's answers depend only on which of *its* enabling options are pursued, and an
    option's joint outcome only on its own requirements' answers; caching both per pattern keeps
    the cost per group of strategies (one enabler choice) at assembling rows, not recomputing them.
    """

    def __init__(self, space: StrategySpace, draws: _Draws):
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
        self._passed: dict[tuple, list[NDArray[np.bool_]]] = {}
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
        # Soft requirements, per precondition q: the options softly requiring it by decreasing
        # penalty, and every option whose choice changes what a strategy pays for q (those
        # options, q's enabling options and the options enabling their hard requirements).
        self.soft: list[tuple[int, NDArray[np.intp], NDArray[np.intp]]] = []
        for q in np.flatnonzero(space.penalty.max(axis=0, initial=0.0) > 0):
            members = np.flatnonzero(space.penalty[:, q] > 0)
            members = members[np.argsort(-space.penalty[members, q], kind="stable")]
            deciding = np.unique(np.concatenate([members, self.enabling[q]]
                                                + [self.requirement_enabling[m] for m in members]))
            self.soft.append((int(q), members, deciding.astype(np.intp)))

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

    def passed(self, j: int, x: NDArray[np.bool_]) -> list[NDArray[np.bool_]]:
        """Per stage k of option j, (draw,): every hard requirement of its smallest strategy
        checked at stages 0..k holds under the enablers of ``x`` (the last one is :meth:`viable`)."""
        key = (j, tuple(x[self.requirement_enabling[j]]))
        if key not in self._passed:
            stage = self.space.stage[j]
            ok = np.ones(self.draws.n_draws, dtype=bool)
            out = []
            for k in range(int(self.stage_count[j])):
                for q in np.flatnonzero(self.space.hard[j] & (stage == k)):
                    ok = ok & self.answers(q, x)
                out.append(ok)
            self._passed[key] = out
        return self._passed[key]

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
                ends = self._ends[j]
                out = ends[0].copy()  # (criterion, draw)
                for k, ok in reversed(list(enumerate(self.passed(j, x)))):  # the first failed stage last
                    np.copyto(out, ends[k + 1], where=~ok[None, :])
                self._joint[key] = out.ravel()
        return self._joint[key]

    def charged(self, q: int, members: NDArray[np.intp], x: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(draw,): what strategy ``x`` pays for soft precondition q: where q says no, the largest
        penalty among its ``members`` (q's soft requirers, by decreasing penalty) that go ahead."""
        out = np.zeros(self.draws.n_draws)
        unpaid = ~self.answers(q, x)
        for m in members:
            if not x[m]:
                continue
            paid = unpaid & self.viable(int(m), x)
            out[paid] = self.space.penalty[m, q]
            unpaid &= ~paid
            if not unpaid.any():
                break
        return out

    def penalties(self, X: NDArray[np.bool_], *, mean: bool) -> NDArray[np.float64]:
        """Soft penalties of strategies: ``(strategy,)`` means, or ``(strategy, draw)`` per draw.

        What a strategy pays for q depends on it only through q's deciding options, so each
        distinct pattern of them is evaluated once.
        """
        out = np.zeros((len(X),) if mean else (len(X), self.draws.n_draws))
        x = np.zeros(self.space.n_options, dtype=bool)
        for q, members, deciding in self.soft:
            codes, patterns = _pattern_table(X[:, deciding])
            charged = []
            for pattern in patterns:
                x[deciding] = pattern  # what q costs reads x only there
                charged.append(self.charged(q, members, x))
            out += np.array([c.mean() for c in charged])[codes] if mean else np.array(charged)[codes]
        return out

    def change(self, i: int, x: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(criterion * draw,): ``sum_j mobius[i, j] (O_j - B)``, option i's row of :meth:`changes`."""
        out = np.zeros(self.draws.base.size)
        for j in self._dependent[i]:
            mu = self.space.mobius[i, j]
            out += self.joint(j, x) if mu == 1.0 else mu * self.joint(j, x)
        return out

    def change_codes(self, X: NDArray[np.bool_]) -> NDArray[np.int64]:
        """(strategy, option): an integer naming option i's change row under each strategy.

        The row depends on the strategy only through the enabling options of the requirements
        of i's dependencies; the code numbers their distinct patterns (0, 1, ...).
        """
        codes = np.zeros(X.shape, dtype=np.int64)
        for i in range(self.space.n_options):
            codes[:, i] = _pattern_codes(X[:, self.change_enabling[i]])
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


def _pattern_codes(columns: NDArray[np.bool_]) -> NDArray[np.int64]:
    """(row,): the same integer for rows with the same 0/1 pattern (0, 1, ... in sorted order)."""
    width = columns.shape[1]
    if width == 0:
        return np.zeros(len(columns), dtype=np.int64)
    if width <= 62:  # bit-pack, then number the packed values (a 1-D sort: fast)
        packed = columns.astype(np.int64) @ (np.int64(1) << np.arange(width, dtype=np.int64))
        return np.unique(packed, return_inverse=True)[1].ravel().astype(np.int64)
    return np.unique(columns, axis=0, return_inverse=True)[1].ravel().astype(np.int64)


def _pattern_table(columns: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
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


def _groups(space: StrategySpace, X: NDArray[np.bool_]) -> list[NDArray[np.intp]]:
    """Row indices of X grouped by the enabling options they pursue (same viability per scenario)."""
    keys = _pattern_codes(X[:, space.enabling_options])
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    return np.split(order, bounds)


def criterion_means(
    arrays: CaseArrays | Case | StrategySpace,
    X: NDArray[np.bool_],
    scenarios: Scenarios,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean value on each criterion, and mean soft penalty, of many strategies.

    Parameters
    ----------
    X
        ``(strategy, option)`` 0/1 rows over the pursuable options (not checked for feasibility).
    scenarios
        The scenarios (the same for every strategy).

    Returns
    -------
    means
        ``(strategy, criterion)``: mean over scenarios of the capped outcome's value in [0, 1].
    penalties
        ``(strategy,)``: mean soft penalty (charged only where the options requiring it go
        ahead; see the module notes). A strategy's expected value under weights ``w`` (summing
        to 1) is ``means @ w - penalties``.
    """
    from decide.optimise._strategy_kernels import criterion_means as kernel

    space = _as_space(arrays)
    X = np.asarray(X, dtype=bool).reshape(-1, space.n_options)
    draws = _draws(space, scenarios)
    means = np.empty((len(X), space.arrays.n_criteria))
    base = np.ascontiguousarray(draws.base.ravel())
    evaluator = _Evaluator(space, draws)
    # Each (option, code) pair is one change row, shared by every strategy with that code. Rows
    # are kept between batches of strategies, and both are bounded so that memory stays bounded.
    codes = evaluator.change_codes(X)
    # Strategies with the same enabling options next to each other (all their change rows agree),
    # lexicographic within: neighbours then share partial sums in the kernel.
    group = _pattern_codes(X[:, space.enabling_options])
    order = np.lexsort(tuple(X.T[::-1]) + (group,))[::-1]
    row_bytes = 8 * base.size
    kept: dict[tuple[int, int], NDArray[np.float64]] = {}
    start = 0
    while start < len(X):
        size = min(_BATCH, len(X) - start)
        while True:
            rows = order[start:start + size]
            option = np.broadcast_to(np.arange(space.n_options), (len(rows), space.n_options))[X[rows]]
            pair = codes[rows][X[rows]] * space.n_options + option  # (code, option) as one integer
            unique, index = np.unique(pair, return_inverse=True)
            distinct = np.column_stack([unique % space.n_options, unique // space.n_options])
            if len(distinct) * row_bytes <= _ROW_MEMORY or size == 1:
                break
            size //= 2
        start += size
        if (len(kept) + len(distinct)) * row_bytes > _ROW_MEMORY:
            kept.clear()
        changes = np.empty((len(distinct), base.size))
        for k, (i, code) in enumerate(distinct):
            key = (int(i), int(code))
            if key not in kept:
                first = rows[np.flatnonzero(X[rows, i] & (codes[rows, i] == code))[0]]
                kept[key] = evaluator.change(int(i), X[first])
            changes[k] = kept[key]
        chosen = index.ravel().astype(np.int64)  # row-major: each strategy's options in case order
        starts = np.concatenate([[0], np.cumsum(X[rows].sum(axis=1))]).astype(np.int64)
        out = np.empty((len(rows), space.arrays.n_criteria))
        kernel(chosen, starts, changes, base, space.value_x, space.value_v, space.n_points, out)
        means[rows] = out
    return means, evaluator.penalties(X, mean=True)


def scenario_values(
    arrays: CaseArrays | Case | StrategySpace,
    X: NDArray[np.bool_],
    scenarios: Scenarios,
    weights: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per-scenario values of a few strategies under one or more weight vectors.

    Parameters
    ----------
    X
        ``(strategy, option)`` 0/1 rows over the pursuable options.
    weights
        ``(criterion,)`` or ``(profile, criterion)`` leaf weights, each summing to 1.

    Returns
    -------
    ``(strategy, profile, draw)`` values (``(strategy, draw)`` for a single weight vector).
    """
    space = _as_space(arrays)
    X = np.asarray(X, dtype=bool).reshape(-1, space.n_options)
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    draws = _draws(space, scenarios)
    n_c, n_s = draws.base.shape
    out = np.empty((len(X), len(W), n_s))
    evaluator = _Evaluator(space, draws)
    penalties = evaluator.penalties(X, mean=False)  # (strategy, draw)
    for rows in _groups(space, X):
        x = X[rows[0]]
        changes = evaluator.changes(x, np.flatnonzero(X[rows].any(axis=0)))
        outcomes = (X[rows].astype(float) @ changes).reshape(len(rows), n_c, n_s)
        outcomes += draws.base
        values = np.empty_like(outcomes)
        for c in range(n_c):
            k = space.n_points[c]
            values[:, c] = np.interp(outcomes[:, c], space.value_x[c, :k], space.value_v[c, :k])
        out[rows] = np.einsum("rcs,pc->rps", values, W) - penalties[rows][:, None, :]
    return out[:, 0] if np.ndim(weights) == 1 else out


def evaluate_strategy(
    arrays: CaseArrays | Case,
    strategy: Sequence[str],
    scenarios: Scenarios,
    *,
    weights: Any = None,
) -> NDArray[np.float64]:
    """The value of one strategy in each scenario.

    Parameters
    ----------
    arrays
        The compiled case (or the case).
    strategy
        Option ids pursued together; checked first (:func:`check_strategy`). The empty list is
        the status quo.
    scenarios
        From :func:`decide.optimise.scenarios.draw_scenarios`.
    weights
        A weight profile id, explicit leaf weights, or None for the case's default profile.

    Returns
    -------
    ``(draw,)`` values: weighted value of the capped outcome minus soft penalties.

    Examples
    --------
    >>> from decide.load import load_case
    >>> from decide.compile import compile_case
    >>> from decide.optimise.scenarios import draw_scenarios
    >>> arrays = compile_case(load_case("tests/data/minimal_case.yaml"))
    >>> scenarios = draw_scenarios(arrays, 1000, rng=1)
    >>> values = evaluate_strategy(arrays, ["mediate"], scenarios)
    >>> values.shape
    (1000,)
    >>> evaluate_strategy(arrays, ["mediate", "intervene"], scenarios)
    Traceback (most recent call last):
    ...
    decide.errors.DecideError: strategy intervene + mediate is not feasible:
      - over the money budget by 0.5 (uses 4 of 3.5)
    >>> evaluate_strategy(arrays, ["wait"], scenarios)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    decide.errors.DecideError: 'wait' is the baseline (the status quo): it is the empty strategy ...
    """
    from decide.score import resolve_weights

    space = _as_space(arrays)
    x = check_strategy(space, strategy)
    w, _ = resolve_weights(space.arrays, weights)
    return scenario_values(space, x[None], scenarios, w)[0]


# --------------------------------------------------------------------------- objectives


@dataclass(frozen=True)
class _Target:
    """What to maximise: the expected value under one weight vector, or a robust variant.

    The robust variants compare each profile's expected value with a reference taken on the same
    scenarios: doing nothing (maximin) or the profile's best strategy (minimax regret). So a
    target is re-anchored on every set of scenarios it scores (:func:`_on_scenarios` in sample,
    ``_out_of_sample`` on the fresh ones).
    """

    objective: Objective
    weights: NDArray[np.float64]
    """(profile, criterion)."""
    profiles: tuple[str, ...]
    best: NDArray[np.float64] | None = None
    """Per profile, the best expected value on the same scenarios (minimax regret only)."""
    status_quo: NDArray[np.float64] | None = None
    """Per profile, the expected value of doing nothing (the empty strategy) on the same
    scenarios (maximin only)."""

    def score(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Objective to maximise from ``(..., profile)`` expected values: the value (expected),
        the smallest gain over doing nothing (maximin), minus the largest regret (minimax regret)."""
        if self.objective == "expected":
            return values[..., 0]
        return -self._shortfalls(values).max(axis=-1)

    def binding(self, values: NDArray[np.float64]) -> NDArray[np.intp]:
        """The profile that sets the objective of each row of ``(..., profile)`` values."""
        if self.objective == "expected":
            return np.zeros(values.shape[:-1], dtype=np.intp)
        return self._shortfalls(values).argmax(axis=-1)

    def _shortfalls(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per profile, what the objective minimises the largest of: minus the gain over doing
        nothing (maximin) or the regret (minimax regret)."""
        if self.objective == "maximin":
            if self.status_quo is None:
                raise ValueError("maximin needs each profile's value of doing nothing on the same scenarios")
            return self.status_quo - values
        if self.best is None:
            raise ValueError("minimax regret needs each profile's best value on the same scenarios")
        return self.best - values


def _on_scenarios(space: StrategySpace, scenarios: Scenarios, target: _Target) -> _Target:
    """The target anchored on these scenarios: for maximin, each profile's value of doing nothing
    there (the status quo's value is a constant per profile on given scenarios)."""
    if target.objective != "maximin":
        return target
    means, _ = criterion_means(space, np.zeros((1, space.n_options), dtype=bool), scenarios)
    return replace(target, status_quo=means[0] @ target.weights.T)


def _target(arrays: CaseArrays, weights: Any) -> _Target:
    from decide.score import resolve_weights

    if isinstance(weights, str) and weights in ("maximin", "minimax_regret") and weights not in arrays.profile_ids:
        if len(arrays.profile_ids) < 2:
            known = ", ".join(arrays.profile_ids) or "none"
            raise DecideError(f"'{weights}' compares stakeholder weight profiles; the case has "
                              f"{len(arrays.profile_ids)} ({known}): give at least two")
        profile_weights = np.asarray(arrays.profile_weights, dtype=float)
        return _Target(weights, profile_weights, tuple(arrays.profile_ids))  # type: ignore[arg-type]
    w, profile = resolve_weights(arrays, weights)
    label = profile or ("custom weights" if weights is not None else "case weights")
    return _Target("expected", np.asarray(w, dtype=float)[None], (label,))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class StabilityRun:
    """One re-optimisation on other scenarios."""

    stream: int
    """Scenario stream of the same seed (0 = the original scenarios)."""
    n_scenarios: int
    best: tuple[str, ...]
    same: bool


@dataclass(frozen=True, eq=False)
class StrategyResult:
    """The best strategies of a case, checked out of sample.

    Attributes
    ----------
    objective
        ``"expected"`` (expected value under one weight vector), ``"maximin"`` (over the
        profiles, the smallest gain of the strategy's expected value over doing nothing's) or
        ``"minimax_regret"`` (the largest shortfall of a profile's expected value from that
        profile's best strategy; lower is better).
    profiles
        The weight profiles the objective uses.
    engine, status, gap, bound
        How the optimum was found: ``"enumerate"`` (status ``"optimal"``, gap 0, exact on the
        scenarios) or ``"milp"`` (``"optimal"`` or ``"time limit"``; ``gap`` is HiGHS's relative
        optimality gap and ``bound`` its bound on the in-sample objective).
    strategies
        The best strategies found, best first (option ids; ``()`` is doing nothing).
    in_sample
        Their objective on the scenarios they were chosen on (maximin: the smallest gain over
        doing nothing; regret: the maximum regret).
    out_of_sample
        Their objective re-estimated on ``n_out_of_sample`` fresh scenarios, with its references
        taken there too: doing nothing's value on them (maximin), each profile's best on them
        (:attr:`profile_best`, minimax regret).
    oos_mean, oos_sd, oos_p5, oos_p95, oos_mcse
        Out of sample, the value per scenario under the binding profile (the only one for
        ``"expected"``; the one with the smallest gain over doing nothing for maximin; the one
        with the largest regret for minimax regret): mean, standard deviation, 5th and 95th
        percentiles, and the Monte Carlo standard error of the mean.
    profile_means
        ``(strategy, profile)``: out-of-sample mean value under each profile.
    status_quo_means
        ``(profile,)``: out-of-sample mean value of doing nothing under each profile (maximin's
        gains are over these).
    profile_best
        ``(profile,)``: out-of-sample best mean value under each profile, the reference of the
        out-of-sample regret (minimax regret only, NaN otherwise): over every feasible strategy
        when they were enumerated, else over the reported strategies, the best without each of its
        options and each profile's best in sample (a lower bound; the notes say which).
    contribution_options, with_value, without_value, added, added_mcse, removable
        For each option of the best strategy: the out-of-sample objective with it, without it
        (NaN where removing it breaks a dependency or the option was demanded), the difference
        and its Monte Carlo standard error (paired on the same scenarios).
    stability_runs, stability
        Re-optimisations with other seeds and with half the scenarios, and the share of them
        that chose the same best strategy.
    """

    objective: Objective
    profiles: tuple[str, ...]
    engine: str
    status: str
    gap: float
    bound: float
    option_ids: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    in_sample: NDArray[np.float64]
    out_of_sample: NDArray[np.float64]
    oos_mean: NDArray[np.float64]
    oos_sd: NDArray[np.float64]
    oos_p5: NDArray[np.float64]
    oos_p95: NDArray[np.float64]
    oos_mcse: NDArray[np.float64]
    profile_means: NDArray[np.float64]
    status_quo_means: NDArray[np.float64]
    profile_best: NDArray[np.float64]
    contribution_options: tuple[str, ...]
    with_value: NDArray[np.float64]
    without_value: NDArray[np.float64]
    added: NDArray[np.float64]
    added_mcse: NDArray[np.float64]
    removable: NDArray[np.bool_]
    stability_runs: tuple[StabilityRun, ...]
    stability: float
    n_scenarios: int
    n_out_of_sample: int
    seed: int | list[int]
    n_feasible: int | None
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> tuple[str, ...]:
        """The chosen strategy."""
        return self.strategies[0]

    def to_frame(self) -> pd.DataFrame:
        """The best strategies, best first: in-sample and out-of-sample objective and value spread."""
        label = {"maximin": "min_gain", "minimax_regret": "max_regret"}.get(self.objective, "value")
        frame = pd.DataFrame({
            "strategy": [" + ".join(s) or "(do nothing)" for s in self.strategies],
            "n_options": [len(s) for s in self.strategies],
            f"in_sample_{label}": self.in_sample,
            f"out_of_sample_{label}": self.out_of_sample,
            "mean": self.oos_mean,
            "sd": self.oos_sd,
            "p5": self.oos_p5,
            "p95": self.oos_p95,
            "mcse": self.oos_mcse,
        }, index=pd.RangeIndex(1, len(self.strategies) + 1, name="rank"))
        if len(self.profiles) > 1:
            for p, name in enumerate(self.profiles):
                frame[f"mean[{name}]"] = self.profile_means[:, p]
        return frame

    def contributions_frame(self) -> pd.DataFrame:
        """What each option of the best strategy adds (out of sample), indexed by option id."""
        return pd.DataFrame({
            "with": self.with_value,
            "without": self.without_value,
            "added": self.added,
            "mcse": self.added_mcse,
            "removable": self.removable,
        }, index=pd.Index(self.contribution_options, name="option"))

    def stability_frame(self) -> pd.DataFrame:
        """The re-optimisations behind :attr:`stability`."""
        return pd.DataFrame({
            "stream": [r.stream for r in self.stability_runs],
            "n_scenarios": [r.n_scenarios for r in self.stability_runs],
            "best": [" + ".join(r.best) or "(do nothing)" for r in self.stability_runs],
            "same": [r.same for r in self.stability_runs],
        })


# --------------------------------------------------------------------------- optimisation


def optimise_strategies(
    arrays: CaseArrays | Case,
    *,
    n_scenarios: int = 1000,
    rng: SeedLike | None = None,
    weights: Any = None,
    engine: Engine = "auto",
    top: int = 5,
    time_limit: float = 60.0,
    out_of_sample: int = 10_000,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    stability: int | None = None,
) -> StrategyResult:
    """Choose the set of options with the best value over Monte Carlo scenarios.

    Sample average approximation: every candidate is evaluated on the same ``n_scenarios``
    scenarios, the best is chosen, and the best few are then re-simulated on fresh scenarios.

    Parameters
    ----------
    arrays
        The compiled case (or the case). It needs a baseline option (the status quo).
    n_scenarios
        Scenarios S the choice is made on.
    rng
        Seed (non-negative integer, ``SeedSequence`` or ``Generator``); None draws fresh entropy,
        recorded in the result.
    weights
        None (the case's default profile), a profile id or explicit leaf weights: maximise the
        expected value. ``"maximin"``: maximise, over the case's profiles, the smallest gain over
        doing nothing (``min_p E_p[strategy] - E_p[doing nothing]``, both on the same scenarios):
        profiles value the status quo differently, and the raw smallest value would mostly pick the
        profile that values everything low. ``"minimax_regret"``: minimise the largest regret (a
        profile's best expected value minus the strategy's) across the case's profiles. Out of
        sample both are re-anchored on the fresh scenarios: the gain over doing nothing there, the
        regret from each profile's best there (over every feasible strategy when enumerated; with
        the MILP, over the reported strategies and each profile's own optimum -- the notes say which).
    engine
        ``"enumerate"`` (exact, all feasible strategies), ``"milp"`` (Pyomo + HiGHS) or
        ``"auto"``: enumerate up to :data:`ENUMERATION_LIMIT` feasible strategies, MILP beyond.
    top
        How many of the best strategies to report. The MILP finds the runners-up by re-solving
        with the better ones cut off, while its time limit allows.
    time_limit
        Seconds per MILP solve; the result says plainly when it was reached, with the gap.
    out_of_sample
        Fresh scenarios for re-estimating the reported strategies (0 to skip).
    include, exclude
        Options every strategy must contain (with their dependencies) / may not contain.
    stability
        Other seeds to re-optimise with (each at S and at S/2, plus the original seed at S/2);
        0 to skip. Costs about ``1.5 * stability + 0.5`` more optimisations. None: 3 when
        enumerating, 0 for the MILP (each rerun would be a full solve, up to ``time_limit``).

    Returns
    -------
    StrategyResult

    Raises
    ------
    DecideError
        For a case without a baseline option, unknown or contradictory option ids, demanded
        options that cannot be pursued together or within the budgets, or budgets that leave
        nothing but doing nothing.
    """
    timings: dict[str, float] = {}
    if not isinstance(arrays, (CaseArrays, StrategySpace)):
        arrays = compile_case(arguments.require_case(arrays, "arrays", arrays=True))
    n_scenarios = arguments.integer(n_scenarios, "n_scenarios")
    rng = arguments.seed(rng, "rng")
    engine = arguments.choice(engine, "engine", ("auto", "enumerate", "milp"))
    top = arguments.integer(top, "top")
    time_limit = arguments.number(time_limit, "time_limit", above=0)
    out_of_sample = arguments.integer(out_of_sample, "out_of_sample", minimum=0)
    include, exclude = arguments.ids(include, "include"), arguments.ids(exclude, "exclude")
    stability = None if stability is None else arguments.integer(stability, "stability", minimum=0)
    space = _as_space(arrays)
    target = _target(space.arrays, weights)
    root, seed = resolve_seed(rng)
    forced, banned = _forced_and_banned(space, include, exclude)
    notes = [f"'{space.arrays.option_ids[space.arrays.baseline]}' is the status quo: the empty strategy, never "
             "pursued",
             "an option's failure (or its dependencies') gives the failure profile of its smallest strategy"]
    if (space.stage_count > 1).any():
        staged = ", ".join(space.option_ids[k] for k in np.flatnonzero(space.stage_count > 1))
        notes.append(f"options with stages ({staged}) score the failure profile of the first stage whose question "
                     "says no (their dependencies' requirements are checked at the first stage)")

    X = None
    if engine in ("auto", "enumerate"):
        t = time.perf_counter()
        try:
            X = _enumerate(space, include, exclude, ENUMERATION_LIMIT)
        except _TooMany:
            if engine == "enumerate":
                raise DecideError(f"more than {ENUMERATION_LIMIT:,} feasible strategies: too many to enumerate; "
                                  "use engine='milp'") from None
            notes.append(f"more than {ENUMERATION_LIMIT:,} feasible strategies: solved as a MILP")
            logger.info("more than %d feasible strategies: switching to the MILP", ENUMERATION_LIMIT)
        timings["enumerate"] = time.perf_counter() - t
    if (X is not None and len(X) == 1 and not forced.any()) or (X is None and not _any_option_fits(space, banned)):
        raise _nothing_fits(space, banned)

    _check_memory(space, n_scenarios, milp=X is None)
    t = time.perf_counter()
    scenarios = draw_scenarios(space.arrays, n_scenarios, rng=root, stream=STREAM_IN_SAMPLE)
    timings["scenarios"] = time.perf_counter() - t

    if X is not None:
        search = _enumeration_search(space, X, target)
    else:
        search = _milp_search(space, target, include, exclude, time_limit)
    found = search(scenarios, top, timings)
    if found.target is not None:
        target = found.target

    t = time.perf_counter()
    oos = _out_of_sample(space, found, target, root, out_of_sample, forced, X)
    timings["out_of_sample"] = time.perf_counter() - t

    if stability is None:
        stability = 3 if X is not None else 0
        if X is None:
            notes.append("stability not assessed: with the MILP each rerun is a full solve; pass stability=k to ask")
    t = time.perf_counter()
    rerun_search = search
    if found.ranked is not None and stability:
        # Re-optimising over every feasible strategy on each rerun costs as much as the choice
        # itself; a rerun's best is among the best of the first run, where the shortlist stops far
        # beyond the scenarios' noise (the margin is in the notes).
        rerun_search = _enumeration_search(space, found.ranked, target)
        notes.append(f"stability reruns re-optimise over the {len(found.ranked):,} best of the "
                     f"{len(X):,} feasible strategies on the first run's scenarios (the last of them "
                     f"{found.ranked_margin:.3g} behind the best there)")
    runs = []
    for j in range(int(stability)):
        runs.append((STREAM_RERUN + j, n_scenarios))
    if n_scenarios >= 2 and stability:
        runs.append((STREAM_IN_SAMPLE, n_scenarios // 2))
        runs += [(STREAM_RERUN + j, n_scenarios // 2) for j in range(int(stability))]
    stability_runs = []
    for stream, size in runs:
        rerun = rerun_search(draw_scenarios(space.arrays, size, rng=root, stream=stream), 1, {})
        best = rerun.strategies[0] if len(rerun.strategies) else forced
        stability_runs.append(StabilityRun(stream, size, space.ids(best),
                                           bool(np.array_equal(best, found.strategies[0]))))
    timings["stability"] = time.perf_counter() - t
    notes += found.notes
    profiles = ", ".join(target.profiles)
    if target.objective == "maximin":
        notes.append(f"maximin: over the profiles {profiles}, of the gain over doing nothing (a strategy's expected "
                     "value minus doing nothing's under the same profile, on the same scenarios); mean, sd, p5 and "
                     "p95 are the value under the binding profile (the one with the smallest gain)")
        if out_of_sample:
            notes.append("out of sample, doing nothing scores " + _per_profile(target.profiles, oos["status_quo"]))
    if target.objective == "minimax_regret":
        notes.append(f"minimax_regret: over the profiles {profiles}, of the regret (a profile's best expected value "
                     "minus the strategy's, on the same scenarios); mean, sd, p5 and p95 are the value under the "
                     "binding profile (the one with the largest regret)")
        if out_of_sample:
            notes.append(f"out-of-sample regret is measured from each profile's best on the same fresh scenarios, over "
                         f"{oos['best_over']}: " + _per_profile(target.profiles, oos["profile_best"]))

    return StrategyResult(
        objective=target.objective,
        profiles=target.profiles,
        engine=found.engine,
        status=found.status,
        gap=found.gap,
        bound=found.bound,
        option_ids=space.option_ids,
        strategies=tuple(space.ids(x) for x in found.strategies),
        in_sample=found.in_sample,
        out_of_sample=oos["objective"],
        oos_mean=oos["mean"],
        oos_sd=oos["sd"],
        oos_p5=oos["p5"],
        oos_p95=oos["p95"],
        oos_mcse=oos["mcse"],
        profile_means=oos["profile_means"],
        status_quo_means=oos["status_quo"],
        profile_best=oos["profile_best"],
        contribution_options=oos["contribution_options"],
        with_value=oos["with"],
        without_value=oos["without"],
        added=oos["added"],
        added_mcse=oos["added_mcse"],
        removable=oos["removable"],
        stability_runs=tuple(stability_runs),
        stability=float(np.mean([r.same for r in stability_runs])) if stability_runs else float("nan"),
        n_scenarios=int(n_scenarios),
        n_out_of_sample=int(out_of_sample),
        seed=seed,
        n_feasible=None if X is None else len(X),
        timings=timings,
        notes=tuple(notes),
    )


def _per_profile(profiles: Sequence[str], values: NDArray[np.float64]) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in zip(profiles, values))


def _any_option_fits(space: StrategySpace, banned: NDArray[np.bool_]) -> bool:
    return any(not banned[k] and not strategy_problems(space, space.closure[k]) for k in range(space.n_options))


@dataclass(frozen=True, eq=False)
class _Found:
    strategies: NDArray[np.bool_]
    in_sample: NDArray[np.float64]
    engine: str
    status: str = "optimal"
    gap: float = 0.0
    bound: float = float("nan")
    notes: tuple[str, ...] = ()
    target: _Target | None = None
    references: NDArray[np.bool_] | None = None
    """(strategy, option): feasible strategies some profile did best with on these scenarios (minimax
    regret): where not every feasible strategy is re-evaluated out of sample, the best of these,
    of the reported ones and of the best without each of its options is each profile's best there."""
    ranked: NDArray[np.bool_] | None = None
    """(strategy, option): with enumeration, the first :data:`RERUN_SHORTLIST` strategies by the
    objective on these scenarios (the candidates of the stability reruns)."""
    ranked_margin: float = float("nan")
    """How far the last of ``ranked`` trails the best on these scenarios (objective units)."""


# Peak memory per scenario, in multiples of one scenario's arrays (scenario_bytes: options x criteria x (1 + stages),
# plus preconditions x 2, 8 bytes each), measured on the Mali case (14 options, 15 criteria,
# 16 preconditions): enumeration 47 kB a scenario (S = 1,000 to 20,000), the MILP 152 kB (S = 200
# to 1,000, Pyomo's model); rounded up.
_BYTES_PER_CELL = {"enumerate": 16, "milp": 48}
_FIXED_BYTES = 600 * 2**20  # the interpreter, the scientific stack and the evaluator's change rows


def _check_memory(space: StrategySpace, n_scenarios: int, milp: bool) -> None:
    from decide.memory import check_fits

    a = space.arrays
    per_scenario = _BYTES_PER_CELL["milp" if milp else "enumerate"] * scenario_bytes(a)
    check_fits(_FIXED_BYTES + per_scenario * n_scenarios, f"{n_scenarios:,} scenarios", "scenarios (-S)",
               per_scenario)


def _enumeration_search(space: StrategySpace, X: NDArray[np.bool_], target: _Target):
    """Exact search over the enumerated strategies, on any scenarios."""

    def search(scenarios: Scenarios, top: int, timings: dict[str, float]) -> _Found:
        t = time.perf_counter()
        means, penalties = criterion_means(space, X, scenarios)
        values = means @ target.weights.T - penalties[:, None]  # (strategy, profile)
        tgt = _on_scenarios(space, scenarios, target)
        references = None
        if target.objective == "minimax_regret":
            tgt = replace(tgt, best=values.max(axis=0))
            # each profile's best few here: candidates for its best on fresh scenarios
            references = X[np.unique(np.argsort(-values, axis=0, kind="stable")[:_REFERENCES].ravel())]
        objective = tgt.score(values)
        best = np.argsort(-objective, kind="stable")[:top]
        timings["evaluate"] = time.perf_counter() - t
        in_sample = -objective[best] if tgt.objective == "minimax_regret" else objective[best]
        order = np.argsort(-objective, kind="stable")[:RERUN_SHORTLIST] if len(X) > RERUN_SHORTLIST else None
        return _Found(X[best], in_sample, "enumerate", bound=float(in_sample[0]), target=tgt,
                      references=references, ranked=None if order is None else X[order],
                      ranked_margin=float("nan") if order is None else float(objective[order[0]] - objective[order[-1]]))

    return search


def _milp_search(space: StrategySpace, target: _Target, include, exclude, time_limit: float):
    """Search by the MILP of :mod:`decide.optimise.strategy_milp`."""
    from decide.optimise.strategy_milp import solve_strategies

    def search(scenarios: Scenarios, top: int, timings: dict[str, float]) -> _Found:
        return solve_strategies(space, scenarios, target, include=include, exclude=exclude,
                                time_limit=time_limit, top=top, timings=timings)

    return search


def _out_of_sample(space: StrategySpace, found: _Found, target: _Target, root: np.random.SeedSequence,
                   n: int, forced: NDArray[np.bool_], feasible: NDArray[np.bool_] | None) -> dict[str, Any]:
    """Fresh-scenario estimates for the reported strategies and for the best without each option.

    The objective is re-anchored on the fresh scenarios: maximin's gains are over doing nothing
    *there*, and minimax regret's regrets are from each profile's best *there* -- over every
    feasible strategy when they were enumerated (and the work fits ``_EXACT_BEST_WORK``), else
    over the reported strategies, the best without each of its options and ``found.references``.
    """
    strategies = found.strategies
    best = strategies[0]
    members = np.flatnonzero(best)
    without = np.repeat(best[None], len(members), axis=0)
    without[np.arange(len(members)), members] = False
    # Removing an option keeps a strategy feasible unless another member depends on it.
    dependents = (space.closure[np.ix_(best, members)].sum(axis=0) > 1) if len(members) else np.zeros(0, bool)
    removable = ~dependents & ~forced[members]
    n_top, n_p = len(strategies), len(target.profiles)
    out: dict[str, Any] = {"contribution_options": tuple(space.option_ids[k] for k in members),
                           "removable": removable, "best_over": ""}
    nan_top, nan_profiles = np.full(n_top, np.nan), np.full(n_p, np.nan)
    if n == 0:
        nan_members = np.full(len(members), np.nan)
        out.update(objective=nan_top, mean=nan_top, sd=nan_top, p5=nan_top, p95=nan_top, mcse=nan_top,
                   profile_means=np.full((n_top, n_p), np.nan), added=nan_members, added_mcse=nan_members,
                   status_quo=nan_profiles, profile_best=nan_profiles)
        out["with"], out["without"] = nan_members, nan_members
        return out
    regret = target.objective == "minimax_regret"
    exact = regret and feasible is not None and len(feasible) * n <= _EXACT_BEST_WORK
    candidates = None
    if regret:
        candidates = feasible if exact else found.references
    # Rows evaluated per scenario: the reported strategies, the best without each option, doing nothing.
    X = np.concatenate([strategies, without, np.zeros((1, space.n_options), dtype=bool)])
    parts, candidate_sums = [], None
    for chunk in iter_scenarios(space.arrays, n, rng=root, stream=STREAM_OUT_OF_SAMPLE):
        parts.append(scenario_values(space, X, chunk, target.weights))
        if candidates is not None and len(candidates):
            means, penalties = criterion_means(space, candidates, chunk)
            sums = (means @ target.weights.T - penalties[:, None]) * chunk.n_draws
            candidate_sums = sums if candidate_sums is None else candidate_sums + sums
    values = np.concatenate(parts, axis=2)  # (strategy, profile, draw)
    means = values.mean(axis=2)
    fresh = replace(target, status_quo=means[-1])
    if regret:
        evaluated = np.concatenate([means[:n_top], means[n_top:n_top + len(members)][removable]])
        profile_best = evaluated.max(axis=0)
        if candidate_sums is not None:
            profile_best = np.maximum(profile_best, (candidate_sums / n).max(axis=0))
        fresh = replace(fresh, best=profile_best)
        out["profile_best"] = profile_best
        out["best_over"] = (f"every one of the {len(feasible):,} feasible strategies" if exact else
                            "the reported strategies, the best without each of its options and each profile's "
                            "best in sample (a lower bound on the true best: regrets may be understated)")
    else:
        out["profile_best"] = nan_profiles
    out["status_quo"] = means[-1]
    values, means = values[:-1], means[:-1]
    objective = fresh.score(means)
    binding = fresh.binding(means)
    chosen = values[np.arange(len(values)), binding]  # (strategy, draw) under the binding profile
    top_values = chosen[:n_top]
    sign = -1.0 if regret else 1.0
    out.update(
        objective=sign * objective[:n_top],
        mean=top_values.mean(axis=1),
        sd=top_values.std(axis=1, ddof=1) if n > 1 else nan_top,
        p5=np.percentile(top_values, 5, axis=1),
        p95=np.percentile(top_values, 95, axis=1),
        mcse=top_values.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else nan_top,
        profile_means=means[:n_top],
    )
    # Contributions: objective with minus without, paired on the same scenarios under the profile
    # binding for the best strategy (the status quo and the best per profile cancel in the difference).
    b = binding[0]
    diffs = values[0, b][None, :] - values[n_top:, b]
    with_value = np.full(len(members), sign * objective[0])
    without_value = np.where(removable, sign * objective[n_top:], np.nan)
    out["with"], out["without"] = with_value, without_value
    out["added"] = np.where(removable, (objective[0] - objective[n_top:]), np.nan)
    out["added_mcse"] = np.where(removable, diffs.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.nan, np.nan)
    return out
