"""Choose the best strategy of a case: :func:`optimise_strategies` (DESIGN.md, "Strategies").

Sample average approximation: every candidate is evaluated on the same scenarios, the best is
chosen, re-estimated on fresh scenarios (:mod:`decide.optimise.out_of_sample`) and re-optimised on
other scenarios (stability).

Engines: ``enumerate`` lists every feasible strategy and evaluates them all exactly
(:mod:`decide.optimise.enumeration`); ``milp`` solves the same sample-average problem as a
mixed-integer program (:mod:`decide.optimise.milp`). ``auto`` enumerates while the feasible set
has at most ``ENUMERATION_LIMIT`` strategies and switches to the MILP beyond.

The strategy modules, lowest first (each imports only those before it):

- :mod:`decide.model.strategies` -- the strategy space and its rules (dependencies, exclusions,
  budgets), shared with the Monte Carlo engine;
- :mod:`decide.optimise.scenarios` -- the scenarios (common random numbers);
- :mod:`decide.optimise.evaluator`, :mod:`decide.optimise.evaluate` -- a strategy's value in each
  scenario (the model's rule), for many strategies at once;
- :mod:`decide.optimise.objectives` -- expected, maximin, minimax regret, and what a search returns;
- :mod:`decide.optimise.enumeration` -- the exact search;
- :mod:`decide.optimise.milp` -- the MILP (spec, model, terms, Pyomo model, search);
- :mod:`decide.optimise.strategy_result`, :mod:`decide.optimise.out_of_sample`, and this module.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.model.strategies import StrategySpace as StrategySpace
from decide.model.strategies import any_option_fits, as_space, forced_and_banned, nothing_fits
from decide.model.strategies import check_strategy as check_strategy
from decide.model.strategies import strategy_problems as strategy_problems
from decide.model.strategies import strategy_space as strategy_space
from decide.montecarlo.streams import resolve_seed
from decide.optimise.enumeration import ENUMERATION_LIMIT as ENUMERATION_LIMIT
from decide.optimise.enumeration import TooMany, enumerate_strategies, enumeration_search
from decide.optimise.enumeration import feasible_strategies as feasible_strategies
from decide.optimise.evaluate import criterion_means as criterion_means
from decide.optimise.evaluate import evaluate_strategy as evaluate_strategy
from decide.optimise.evaluate import scenario_values as scenario_values
from decide.optimise.objectives import Objective as Objective
from decide.optimise.objectives import Found, Target, resolve_target
from decide.optimise.out_of_sample import out_of_sample_estimates
from decide.optimise.scenarios import STREAM_IN_SAMPLE, STREAM_RERUN, Scenarios, SeedLike, draw_scenarios, scenario_bytes
from decide.optimise.strategy_result import StabilityRun
from decide.optimise.strategy_result import StrategyResult as StrategyResult
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

Engine = Literal["auto", "enumerate", "milp"]

# Peak memory per scenario, in multiples of one scenario's arrays (scenario_bytes), rounded up
# from measurements (benchmarks/NOTES.md): Pyomo's model makes the MILP's three times
# enumeration's.
_BYTES_PER_CELL = {"enumerate": 16, "milp": 48}
_FIXED_BYTES = 600 * 2**20  # the interpreter, the scientific stack and the evaluator's tables


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
    milp_scenarios: int | None = None,
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
    milp_scenarios
        Most scenarios the MILP is written on (None: as many as make 2,000 criterion-scenario
        cells, :data:`decide.optimise.milp.search.MILP_CELLS`). With more, it is solved on the
        first ``milp_scenarios`` (its gap is certified on them) and the strategies it finds, a
        local search's and an enumeration's around the best of them are compared exactly on all
        ``n_scenarios``; the best few of everything compared are reported.

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
    milp_scenarios = None if milp_scenarios is None else arguments.integer(milp_scenarios, "milp_scenarios")
    space = as_space(arrays)
    target = resolve_target(space.arrays, weights)
    root, seed = resolve_seed(rng)
    forced, banned = forced_and_banned(space, include, exclude)
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
            X = enumerate_strategies(space, include, exclude, ENUMERATION_LIMIT)
        except TooMany:
            if engine == "enumerate":
                raise DecideError(f"more than {ENUMERATION_LIMIT:,} feasible strategies: too many to enumerate; "
                                  "use engine='milp'") from None
            notes.append(f"more than {ENUMERATION_LIMIT:,} feasible strategies: solved as a MILP")
            logger.info("more than %d feasible strategies: switching to the MILP", ENUMERATION_LIMIT)
        timings["enumerate"] = time.perf_counter() - t
    if (X is not None and len(X) == 1 and not forced.any()) or (X is None and not any_option_fits(space, banned)):
        raise nothing_fits(space, banned)

    _check_memory(space, n_scenarios, milp=X is None)
    t = time.perf_counter()
    scenarios = draw_scenarios(space.arrays, n_scenarios, rng=root, stream=STREAM_IN_SAMPLE)
    timings["scenarios"] = time.perf_counter() - t

    if X is not None:
        search = enumeration_search(space, X, target)
    else:
        search = _milp_search(space, target, include, exclude, time_limit, milp_scenarios)
    found = search(scenarios, top, timings)
    if found.target is not None:
        target = found.target

    t = time.perf_counter()
    oos = out_of_sample_estimates(space, found, target, root, out_of_sample, forced, X)
    timings["out_of_sample"] = time.perf_counter() - t

    if stability is None:
        stability = 3 if X is not None else 0
        if X is None:
            notes.append("stability not assessed: with the MILP each rerun is a full solve; ask for k reruns with "
                         "stability=k (decide strategies --stability K)")
    t = time.perf_counter()
    rerun_search = search
    if found.ranked is not None and stability:
        # Re-optimising over every feasible strategy on each rerun costs as much as the choice
        # itself; a rerun's best is among the best of the first run, where the shortlist stops far
        # beyond the scenarios' noise (the margin is in the notes).
        rerun_search = enumeration_search(space, found.ranked, target)
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
        evaluated=found.evaluated,
    )


def _per_profile(profiles: Sequence[str], values: NDArray[np.float64]) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in zip(profiles, values))


def _check_memory(space: StrategySpace, n_scenarios: int, milp: bool) -> None:
    from decide.memory import check_fits

    a = space.arrays
    per_scenario = _BYTES_PER_CELL["milp" if milp else "enumerate"] * scenario_bytes(a)
    check_fits(_FIXED_BYTES + per_scenario * n_scenarios, f"{n_scenarios:,} scenarios", "scenarios (-S)",
               per_scenario)


def _milp_search(space: StrategySpace, target: Target, include, exclude, time_limit: float,
                 milp_scenarios: int | None):
    """Search by the MILP of :mod:`decide.optimise.milp`."""
    from decide.optimise.milp.search import solve_strategies

    def search(scenarios: Scenarios, top: int, timings: dict[str, float]) -> Found:
        return solve_strategies(space, scenarios, target, include=include, exclude=exclude,
                                time_limit=time_limit, top=top, timings=timings, milp_scenarios=milp_scenarios)

    return search
