"""The result of a strategy search: the best strategies, checked out of sample."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from decide.optimise.objectives import Objective

__all__ = ["StabilityRun", "StrategyResult"]


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
        optimality gap and ``bound`` its bound on the in-sample objective). Where the MILP was
        written on the first ``m`` scenarios only (``milp_scenarios``), the status says so
        (``"optimal on m scenarios"``, ``"time limit on m scenarios"``), ``bound`` and ``gap``
        are on those ``m`` (the gap is the reported best strategy's), and the strategies are the
        best of everything compared on all the scenarios.
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
    evaluated: tuple[NDArray[np.bool_], NDArray[np.float64]] | None = field(default=None, repr=False)
    """With enumeration: every feasible strategy ``(strategy, option)`` over :attr:`option_ids` and
    its values per criterion net of soft losses ``(strategy, criterion)`` on the scenarios it was
    chosen on (value under weights ``w`` = net @ w), for analyses that place the choice among all."""

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
