"""Strategies as a case defines them: the options they combine and the rules binding them.

A strategy is a set of options pursued together (DESIGN.md, "Strategies"). The baseline option's
outcomes are the status quo; the baseline option itself is never pursued: it *is* the empty
strategy (so its own enablers, resource uses and requirements never apply, and naming it in a
strategy is an error). A strategy is a set of the other options that contains every option its
members depend on (``closure``), no two options that exclude each other (``excludes``), and uses
no more of any resource than its budget (``uses``, ``budgets``).

These rules are case semantics, below every engine that takes a strategy: the Monte Carlo engine
checks a strategy with :func:`check_strategy` before simulating it, and the strategy engines of
:mod:`decide.optimise` (enumeration and the MILP) search the sets they allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.spec import Case

__all__ = [
    "BUDGET_TOL",
    "StrategySpace",
    "strategy_space",
    "as_space",
    "strategy_problems",
    "check_strategy",
    "forced_and_banned",
    "any_option_fits",
    "nothing_fits",
]

BUDGET_TOL = 1e-9
"""How far a strategy's summed resource uses may pass a budget (rounding of the sums)."""


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
    soft_loss: NDArray[np.float64]
    """(option, precondition, criterion): the value the option loses on each criterion when its
    soft requirement on the precondition says no (``CaseArrays.soft_loss``)."""
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

    def soft_groups(self, q: int, options: NDArray[np.bool_] | None = None
                    ) -> list[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]]:
        """What a "no" to precondition ``q`` can cost, criterion by criterion (DESIGN, "Soft
        requirement": per criterion, the largest loss among the options that go ahead).

        Criteria on which ``options`` (default: all) that softly require ``q`` lose the same
        amounts share a group: ``(criteria, members, losses)``, the members by decreasing loss.
        A flat penalty (the same loss on every criterion) is one group of all criteria.
        """
        loss = self.soft_loss[:, q, :]  # (option, criterion)
        if options is not None:
            loss = np.where(np.asarray(options, dtype=bool)[:, None], loss, 0.0)
        groups: dict[bytes, list[int]] = {}
        for c in np.flatnonzero(loss.max(axis=0, initial=0.0) > 0.0):
            groups.setdefault(np.ascontiguousarray(loss[:, c]).tobytes(), []).append(int(c))
        out = []
        for criteria in groups.values():
            column = loss[:, criteria[0]]
            members = np.flatnonzero(column > 0.0)
            members = members[np.argsort(-column[members], kind="stable")]
            out.append((np.array(criteria, dtype=np.intp), members.astype(np.intp), column[members]))
        return out

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
        soft_loss=arrays.soft_loss[keep],
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


def as_space(arrays: CaseArrays | Case | StrategySpace) -> StrategySpace:
    """The strategy space of a case, compiled case or space (returned as is)."""
    return arrays if isinstance(arrays, StrategySpace) else strategy_space(arrays)


def strategy_problems(space: StrategySpace, x: NDArray[np.bool_]) -> list[str]:
    """Why a 0/1 strategy vector is not feasible: missing dependencies, exclusions, budgets."""
    ids, problems = space.option_ids, []
    for i in np.flatnonzero(x):
        for j in np.flatnonzero(space.closure[i] & ~x):
            problems.append(f"{ids[i]} depends on {ids[j]}: add it")
    for i, j in zip(*np.nonzero(np.triu(space.excludes & np.outer(x, x)))):
        problems.append(f"{ids[i]} excludes {ids[j]}: keep only one of them")
    used = x.astype(float) @ space.uses
    for r in np.flatnonzero(used > space.budgets + BUDGET_TOL):
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
    space = as_space(arrays)
    x = space.vector(strategy)
    problems = strategy_problems(space, x)
    if problems:
        label = " + ".join(space.ids(x)) or "the empty strategy"
        raise DecideError(f"strategy {label} is not feasible:\n" + "\n".join(f"  - {p}" for p in problems))
    return x


def forced_and_banned(space: StrategySpace, include: Sequence[str], exclude: Sequence[str]):
    """0/1 vectors of the options every strategy must contain (``include`` with what they depend
    on) and of those none may (``exclude`` and everything depending on them), checked together."""
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


def any_option_fits(space: StrategySpace, banned: NDArray[np.bool_]) -> bool:
    """Whether some option not banned fits the rules with what it depends on."""
    return any(not banned[k] and not strategy_problems(space, space.closure[k]) for k in range(space.n_options))


def nothing_fits(space: StrategySpace, banned: NDArray[np.bool_]) -> DecideError:
    """The message when no option (with its dependencies) fits: each option's first obstacle."""
    lines = []
    for k in range(space.n_options):
        if banned[k]:
            continue
        problems = strategy_problems(space, space.closure[k])
        lines.append(f"  - {space.option_ids[k]}: {problems[0] if problems else 'fits'}")
    return DecideError("no strategy other than doing nothing fits the budgets and rules:\n" + "\n".join(lines))
