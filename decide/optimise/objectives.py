"""What a strategy search maximises, and what it returns.

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
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays
from decide.errors import DecideError
from decide.model.strategies import StrategySpace
from decide.optimise.evaluate import criterion_means
from decide.optimise.scenarios import Scenarios

__all__ = ["Objective", "Target", "on_scenarios", "resolve_target", "Found"]

Objective = Literal["expected", "maximin", "minimax_regret"]


@dataclass(frozen=True)
class Target:
    """What to maximise: the expected value under one weight vector, or a robust variant.

    The robust variants compare each profile's expected value with a reference taken on the same
    scenarios: doing nothing (maximin) or the profile's best strategy (minimax regret). So a
    target is re-anchored on every set of scenarios it scores (:func:`on_scenarios` in sample,
    ``out_of_sample_estimates`` on the fresh ones).
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


def on_scenarios(space: StrategySpace, scenarios: Scenarios, target: Target) -> Target:
    """The target anchored on these scenarios: for maximin, each profile's value of doing nothing
    there (the status quo's value is a constant per profile on given scenarios)."""
    if target.objective != "maximin":
        return target
    means, _ = criterion_means(space, np.zeros((1, space.n_options), dtype=bool), scenarios)
    return replace(target, status_quo=means[0] @ target.weights.T)


def resolve_target(arrays: CaseArrays, weights: Any) -> Target:
    """The target ``weights`` asks for: ``"maximin"`` or ``"minimax_regret"`` over the case's
    profiles (unless a profile has that id), else the expected value under a profile or weights."""
    from decide.score import resolve_weights

    if isinstance(weights, str) and weights in ("maximin", "minimax_regret") and weights not in arrays.profile_ids:
        if len(arrays.profile_ids) < 2:
            known = ", ".join(arrays.profile_ids) or "none"
            raise DecideError(f"'{weights}' compares stakeholder weight profiles; the case has "
                              f"{len(arrays.profile_ids)} ({known}): give at least two")
        profile_weights = np.asarray(arrays.profile_weights, dtype=float)
        return Target(weights, profile_weights, tuple(arrays.profile_ids))  # type: ignore[arg-type]
    w, profile = resolve_weights(arrays, weights)
    label = profile or ("custom weights" if weights is not None else "case weights")
    return Target("expected", np.asarray(w, dtype=float)[None], (label,))


@dataclass(frozen=True, eq=False)
class Found:
    """What a search found on one set of scenarios: its best strategies, best first, and how sure it is."""

    strategies: NDArray[np.bool_]
    in_sample: NDArray[np.float64]
    engine: str
    status: str = "optimal"
    gap: float = 0.0
    bound: float = float("nan")
    notes: tuple[str, ...] = ()
    target: Target | None = None
    references: NDArray[np.bool_] | None = None
    """(strategy, option): feasible strategies some profile did best with on these scenarios (minimax
    regret): where not every feasible strategy is re-evaluated out of sample, the best of these,
    of the reported ones and of the best without each of its options is each profile's best there."""
    ranked: NDArray[np.bool_] | None = None
    """(strategy, option): with enumeration, the first :data:`decide.optimise.enumeration.RERUN_SHORTLIST` strategies by the
    objective on these scenarios (the candidates of the stability reruns)."""
    ranked_margin: float = float("nan")
    """How far the last of ``ranked`` trails the best on these scenarios (objective units)."""
    evaluated: tuple[NDArray[np.bool_], NDArray[np.float64]] | None = None
    """With enumeration, every strategy it evaluated ``(strategy, option)`` and their values per
    criterion net of soft losses ``(strategy, criterion)`` on these scenarios (value = net @ w)."""
