"""Run every analysis a report needs, once, from one seed: case -> :class:`Analyses`."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import decide.arguments as arguments
from decide import __version__
from decide.bundled import resolve_case
from decide.compile import CaseArrays, compile_case
from decide.load import load_case
from decide.score import ScoreResult, score, score_profiles
from decide.seeds import DEFAULT_SEED
from decide.spec import Case

__all__ = ["CASE_FILE", "ReportContext", "Analyses", "StrategyAnalyses", "StrategyValues", "run_analyses", "complete_analyses",
           "report_date"]

log = logging.getLogger(__name__)

CASE_FILE = "case.yaml"
"""The file a report writes its case into when the case was given as an object, not a file."""


@dataclass(frozen=True)
class ReportContext:
    """What makes a report reproducible: the case file, its hash, seed, draws, version, date."""

    case_path: str
    case_sha256: str
    seed: int
    n_draws: int
    weights: str | None
    version: str
    date: str
    sobol_n: int = 1024
    """Base sample size of the Sobol indices."""
    case_text: str | None = None
    """The case as a case file's text when it was given as a loaded :class:`~decide.spec.Case`
    rather than a file: written beside the report as :data:`CASE_FILE` (``case_path``), so that
    the report can be regenerated from it."""


@dataclass(frozen=True)
class Analyses:
    """Every result a report shows."""

    context: ReportContext
    case: Case
    arrays: CaseArrays
    scores: ScoreResult
    profiles: pd.DataFrame | None
    simulation: Any
    sweeps: list
    crossovers: pd.DataFrame
    tornado: pd.DataFrame
    timings: dict[str, float]
    """Wall-clock seconds per analysis (for benchmarks and ``decide -v``)."""
    # Added by complete_analyses (the charts need none of them).
    least_change: pd.DataFrame | None = None
    potential: pd.DataFrame | None = None
    dominance: pd.DataFrame | None = None
    sobol: Any | None = None
    strategies: Any | None = None
    discovery: Any | None = None
    """Scenario discovery: where the recommended strategy does worse than doing nothing (first PRIM box)."""
    smaa: Any | None = None
    """Where the headline's weights are fixed: SMAA of the options over weights drawn from the case's
    imprecise statements, on the simulation's expected criterion values (``p_best``, ``regret``
    per option; attrs: ``mode``, ``n_weights``, ``central`` weights)."""
    completion: dict = field(default_factory=dict, compare=False, repr=False)
    """Shared by these analyses and every copy :func:`dataclasses.replace` makes of them:
    :func:`complete_analyses` puts the completed analyses under ``"analyses"``, so that a chart
    made before completion (the risk profiles of the recommended strategy) can draw what
    completion adds; the report writer draws such charts after completing (foreground jobs)."""

    def completed(self) -> Analyses:
        """These analyses completed: the completed copy if :func:`complete_analyses` has run on
        them (or they are complete), else completed now."""
        done = self.completion.get("analyses")
        if done is not None:
            return done
        return self if self.least_change is not None else complete_analyses(self)


@dataclass(frozen=True)
class StrategyValues:
    """The recommended strategy, doing nothing and the leading options on common fresh scenarios.

    Each row of ``quantiles`` is the value distribution of one alternative (the strategies
    engine's outcome: baseline plus each option's change), read at ``probabilities``: enough to
    draw cumulative curves without keeping the draws. ``gain`` is the paired difference of the
    recommended strategy from doing nothing.
    """

    labels: tuple[str, ...]
    """Row ids: ``"strategy"``, ``"nothing"``, then option ids."""
    names: tuple[str, ...]
    probabilities: np.ndarray
    quantiles: np.ndarray
    """(alternative, probability)."""
    means: np.ndarray
    gain: float
    gain_se: float
    p_beats_nothing: float
    """P(the strategy's value > doing nothing's), ties counted half."""
    p_beats_nothing_se: float
    n_scenarios: int
    comparisons: dict = field(default_factory=dict)
    """Row label -> :class:`~decide.analysis.robustness.PairComparison` of the recommended
    strategy against that row (paired gap, stochastic dominance), for every other row."""
    strategies: dict = field(default_factory=dict)
    """Row label -> the option ids of the rows that are strategies (``"runner_up"``)."""


@dataclass(frozen=True)
class StrategyAnalyses:
    """Best strategies, the core index under imprecise weights, and the case's named strategies."""

    best: Any
    core: Any | None
    compared: pd.DataFrame | None
    values: StrategyValues | None = None
    standing: Any | None = None
    """:class:`~decide.analysis.portfolio.PortfolioStanding`: the recommendation under every profile,
    over the admissible weights (SMAA), least change, and the core index over a shortlist."""
    thresholds: pd.DataFrame | None = None
    """:func:`~decide.analysis.thresholds.break_even_probabilities` of the recommended strategy."""
    value_at_stake: pd.DataFrame | None = None
    """:func:`~decide.analysis.intervention.value_at_stake_by_intervention` of the recommended
    strategy, on the first :data:`ANSWER_SCENARIOS` of the fresh scenarios."""
    information: pd.DataFrame | None = None
    """:func:`~decide.analysis.strategy_voi.strategy_evppi`: what learning each answer before choosing
    the strategy is worth, on the same scenarios."""


def complete_analyses(a: Analyses, *, strategies: bool = True) -> Analyses:
    """Add what the charts do not need: least change, potential optimality, dominance, Sobol
    indices and (unless ``strategies`` is False, or the case has no baseline) the strategies."""
    from decide.sensitivity.sobol import sobol_indices
    from decide.sensitivity.weights import dominance_table, least_change_table, potential_optimality_table

    arrays, profile = a.arrays, _profile(a.context.weights)

    def timed(name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _timed(a.timings, name, func, *args, **kwargs)

    matrix = a.simulation.value_matrix
    least = timed("least change", least_change_table, arrays, profile, matrix=matrix)
    potential = timed("potential optimality", potential_optimality_table, arrays, matrix=matrix)
    dominance = timed("dominance", dominance_table, arrays, matrix=matrix)
    sobol = timed("sobol", sobol_indices, arrays, n=a.context.sobol_n, rng=_sub_seeds(a.context.seed)[0],
                  leading=_leading_pair(a.simulation))
    smaa = None
    if a.context.weights not in ("imprecise", "uniform", "profiles"):
        smaa = timed("smaa", _preference_smaa, arrays, a.simulation, a.context.seed)
    done = replace(a, least_change=least, potential=potential, dominance=dominance, sobol=sobol, smaa=smaa)
    done = _add_strategies(done) if strategies else done
    a.completion["analyses"] = done
    return done


def _add_strategies(a: Analyses) -> Analyses:
    from decide.optimise.strategy import optimise_strategies

    arrays = a.arrays
    if arrays.baseline is None:  # strategies build on the status quo
        return a
    # The report's seed itself, as `decide strategies` uses it: the same recommendation either way.
    seed = a.context.seed
    profile = _profile(a.context.weights)

    def timed(name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _timed(a.timings, name, func, *args, **kwargs)

    # Scenario discovery of the recommendation (on the fresh scenarios the values below are read
    # from) runs in a child process. Where this process has not imported PRIM's library yet
    # (seconds), the child starts now and imports it while the strategies are searched, then
    # waits for the recommendation; else it starts after the search, with the search's scenarios.
    early = not _prim_imported()
    with _beside(a.timings, "discover", _discover_given, arrays, profile,
                 prepare=_import_prim if early else None, start=early) as discovery:
        best = timed("strategies", optimise_strategies, arrays, rng=seed, weights=profile)
        n_fresh = max(best.n_out_of_sample, 2)
        discovery.give((best.best, n_fresh, best.seed))
        return _add_strategy_details(a, best, n_fresh, profile, discovery)


def _prim_imported() -> bool:
    import sys

    return "ema_workbench.analysis.prim" in sys.modules


def _import_prim() -> None:
    from decide.discover.boxes import _ema_prim

    _ema_prim()


def _discover_given(arrays: CaseArrays, profile: str | None, given: tuple) -> Any:
    from decide.discover.report import discover_recommendation

    strategy, n_scenarios, seed = given
    return discover_recommendation(arrays, strategy, n_scenarios, seed, profile)


def _add_strategy_details(a: Analyses, best: Any, n_fresh: int, profile: str | None, discovery: Any) -> Analyses:
    from decide.analysis.intervention import first_scenarios, value_at_stake_by_intervention
    from decide.analysis.portfolio import portfolio_standing
    from decide.analysis.strategy_voi import strategy_evppi
    from decide.analysis.thresholds import break_even_probabilities
    from decide.optimise.compare import compare_strategies
    from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, draw_scenarios

    arrays, case, seed = a.arrays, a.case, a.context.seed

    def timed(name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _timed(a.timings, name, func, *args, **kwargs)

    # The core index over every feasible strategy (the engine's core_index) costs more than the
    # rest of the report; the standing gives it over the strategies near the best anywhere in
    # the admissible weights, from one evaluation of every strategy (see decide.analysis.portfolio).
    # It needs only the recommendation: it runs in a child process beside the analyses below.
    # The fresh scenarios the best strategies were re-simulated on, drawn once for the analyses below
    # (and the standing's comparisons under each profile, so that each number is the same everywhere).
    fresh = timed("fresh scenarios", draw_scenarios, arrays, n_fresh, rng=seed, stream=STREAM_OUT_OF_SAMPLE)
    with _beside(a.timings, "portfolio standing", portfolio_standing, arrays, best.best, weights=profile, rng=seed,
                 n_scenarios=best.n_scenarios, evaluated=best.evaluated, fresh=fresh) as standing:
        compared = None
        if case.strategies:
            named = [(s.id, s.name, s.options) for s in case.strategies]
            compared = timed("named strategies", compare_strategies, arrays, named, rng=seed, weights=profile)
        runner_up = best.strategies[1] if len(best.strategies) > 1 else None
        values = timed("strategy values", strategy_values, arrays, best.best, _leading_pair(a.simulation),
                       n=best.n_out_of_sample, rng=seed, weights=profile, runner_up=runner_up, scenarios=fresh)
        thresholds = timed("thresholds", break_even_probabilities, arrays, best.best, weights=profile, rng=seed)
        worlds = first_scenarios(fresh, ANSWER_SCENARIOS)
        at_stake = timed("value at stake (set answer)", value_at_stake_by_intervention, arrays, best.best, worlds,
                         weights=profile)
        information = timed("strategy EVPPI", strategy_evppi, arrays, best.best, worlds, weights=profile,
                            evaluated=best.evaluated, extra=best.strategies)
        # While the children finish: PRIM's library imported here too (once per process), so that
        # the next report of a long-lived process (a notebook, --watch) forks children that have it.
        _import_prim()
        return replace(a, discovery=discovery.result(),
                       strategies=StrategyAnalyses(best, None, compared, values, standing.result(), thresholds,
                                                   at_stake, information))


@contextmanager
def _beside(timings: dict[str, float], name: str, func: Callable[..., Any], *args: Any,
            prepare: Callable[[], None] | None = None, start: bool = True, **kwargs: Any) -> Iterator[Any]:
    """``func(*args, **kwargs)`` computed in a child process (:mod:`decide.report.background`)
    while the parent goes on; yields its :class:`~decide.report.background.Computation`, whose
    result is timed as ``name``. With ``prepare``, the child prepares at once and computes
    ``func(*args, given, **kwargs)`` once the parent gives it ``given``; with ``start=False``
    the child starts only then, ``func(*args, given, **kwargs)`` its whole work."""
    from decide.report.background import Computation, computed_in_background

    def compute(*given: Any) -> tuple[Any, float]:
        begin = time.perf_counter()
        return func(*args, *given, **kwargs), time.perf_counter() - begin

    def collect(computation: Any) -> Any:
        value, timings[name] = computation.result()
        log.info("%s: %.2f s", name, timings[name])
        return value

    if start:
        with computed_in_background(compute, prepare=prepare) as computation:
            yield Computation(lambda: collect(computation), computation.give)
        return
    with ExitStack() as later:
        started: list[Any] = []

        def give(given: Any) -> None:
            started.append(later.enter_context(computed_in_background(lambda: compute(given))))

        yield Computation(lambda: collect(started[0]), give)


def strategy_values(arrays: CaseArrays, strategy: tuple[str, ...], leading: tuple[str, ...], *, n: int,
                    rng: int, weights: str | None, n_probabilities: int = 201,
                    runner_up: tuple[str, ...] | None = None, scenarios: Any = None) -> StrategyValues:
    """Value distributions of ``strategy``, doing nothing, the ``runner_up`` strategy (if given) and
    each option of ``leading`` alone, on the strategies engine's out-of-sample scenarios of seed
    ``rng`` (the very scenarios the best strategies were re-simulated on), summarised by quantiles;
    the strategy's paired gain over doing nothing, and its paired comparison with every other row
    (gap, stochastic dominance). ``scenarios``: those scenarios if already drawn (else drawn here)."""
    from decide.analysis.robustness import compare_pair
    from decide.model.strategies import strategy_space
    from decide.optimise.evaluate import scenario_values
    from decide.optimise.scenarios import STREAM_OUT_OF_SAMPLE, draw_scenarios
    from decide.score import resolve_weights

    space = strategy_space(arrays)
    names = dict(zip(arrays.option_ids, arrays.option_names))
    baseline = arrays.option_ids[arrays.baseline] if arrays.baseline is not None else None
    options = [o for o in leading if o != baseline]
    rows = [space.vector(list(strategy)), np.zeros(space.n_options, dtype=bool)]
    extra = {"runner_up": tuple(runner_up)} if runner_up is not None else {}
    rows += [space.vector(list(s)) for s in extra.values()]
    rows += [space.vector([o]) for o in options]
    w, _ = resolve_weights(arrays, weights)
    if scenarios is None:
        scenarios = draw_scenarios(arrays, max(n, 2), rng=rng, stream=STREAM_OUT_OF_SAMPLE)
    values = scenario_values(space, np.array(rows), scenarios, w)
    probabilities = np.linspace(0.0, 1.0, n_probabilities)
    diff = values[0] - values[1]
    beats = (diff > 0) + 0.5 * (diff == 0)
    m = values.shape[1]
    labels = ("strategy", "nothing", *extra, *options)
    return StrategyValues(
        labels=labels,
        names=(" + ".join(names[o] for o in strategy) or "doing nothing",
               names[baseline] if baseline else "doing nothing",
               *(_strategy_label(s, strategy, names) for s in extra.values()), *(names[o] for o in options)),
        probabilities=probabilities, quantiles=np.quantile(values, probabilities, axis=1).T,
        means=values.mean(axis=1), gain=float(diff.mean()), gain_se=float(diff.std(ddof=1) / np.sqrt(m)),
        p_beats_nothing=float(beats.mean()), p_beats_nothing_se=float(beats.std(ddof=1) / np.sqrt(m)),
        n_scenarios=m, comparisons={label: compare_pair(values[0], values[k]) for k, label in enumerate(labels) if k},
        strategies=extra)


def _strategy_label(other: tuple[str, ...], strategy: tuple[str, ...], names: dict[str, str]) -> str:
    """A strategy named by how it differs from the recommended one (their full names are long)."""
    dropped = [o for o in strategy if o not in other]
    added = [o for o in other if o not in strategy]
    parts = ([f"without {', '.join(dropped)}"] if dropped else []) + ([f"with {', '.join(added)}"] if added else [])
    return "the recommendation " + " and ".join(parts) if parts else "the recommendation"


SMAA_WEIGHTS = 4000
"""Weight vectors drawn for SMAA over the admissible weights."""

ANSWER_SCENARIOS = 1000
"""Fresh scenarios (the first of those the best strategies were re-simulated on) on which the value
at stake by intervention and the strategy's value of information are computed: each needs the
recommendation, or a shortlist of strategies, evaluated once more per question, so they use fewer
worlds than the strategy values (as many as the threshold probabilities)."""


def _preference_smaa(arrays: CaseArrays, simulation, seed: int) -> pd.DataFrame:
    """SMAA of the options over weights drawn from the imprecise statements (the simplex without
    them), two ways: on the simulation's expected criterion values (preference uncertainty alone:
    ``p_best``, ``regret``), and SMAA-2 proper, the Monte Carlo engine drawing the weights with the
    worlds (``p_best_joint``, ``confidence``: the confidence factor, each with its ``_se``; attrs
    ``rank_acceptability`` and ``central_joint``)."""
    from decide.analysis.portfolio import admissible_weights, preference_smaa
    from decide.montecarlo import simulate

    W, mode = admissible_weights(arrays, SMAA_WEIGHTS, rng=seed)
    matrix = simulation.value_matrix.loc[list(arrays.option_ids), list(arrays.criterion_ids)].to_numpy(float)
    out = preference_smaa(matrix, W)
    joint = simulate(arrays, SMAA_WEIGHTS, rng=_sub_seeds(seed)[1], weights=mode)
    j = joint.summary.loc[list(arrays.option_ids)]
    frame = pd.DataFrame({"p_best": out["p_best"], "regret": out["regret"],
                          "p_best_joint": j["p_best"].to_numpy(), "p_best_joint_se": j["p_best_se"].to_numpy(),
                          "confidence": j["confidence_factor"].to_numpy(),
                          "confidence_se": j["confidence_factor_se"].to_numpy()},
                         index=pd.Index(arrays.option_ids, name="option"))
    central = pd.DataFrame(out["central"], index=frame.index, columns=list(arrays.criterion_ids))
    frame.attrs.update(mode=mode, n_weights=len(W), central=central, n_joint=joint.n_draws,
                       rank_acceptability=joint.rank_acceptability.loc[list(arrays.option_ids)],
                       central_joint=joint.central_weights.loc[list(arrays.option_ids)])
    return frame


def _leading_pair(simulation) -> tuple[str, str]:
    """The simulation's two options with the highest mean value (the report's leading pair)."""
    top = simulation.summary["mean"].sort_values(ascending=False, kind="stable").index[:2]
    return (str(top[0]), str(top[1]))


def _sub_seeds(seed: int) -> list[int]:
    # Each analysis gets its own stream of the one seed, so adding one never shifts another.
    return [int(x) for x in np.random.SeedSequence(seed).generate_state(3)]


def _profile(weights: str | None) -> str | None:
    """The weight profile of the deterministic analyses (None: the case's default)."""
    return weights if weights not in (None, "imprecise", "uniform", "profiles") else None


def _timed(timings: dict[str, float], name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    start = time.perf_counter()
    out = func(*args, **kwargs)
    timings[name] = time.perf_counter() - start
    log.info("%s: %.2f s", name, timings[name])
    return out


def report_date() -> str:
    """Today's date, or the date of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%d")


def run_analyses(
    case_ref: str | Path | Case,
    *,
    n_draws: int = 100_000,
    seed: int = DEFAULT_SEED,
    weights: str | None = None,
    sobol_n: int = 1024,
    strategies: bool = True,
    complete: bool = True,
    progress: Callable[[int], None] | None = None,
    allow_paths: Any = (),
) -> Analyses:
    """Load the case and run scoring, simulation, weight and global sensitivity, and strategies.

    ``complete=False`` stops after what the charts need (scores, profiles, simulation, weight
    sweeps, tornado) and leaves the rest to :func:`complete_analyses`; ``strategies=False`` skips
    the strategies.

    ``case_ref`` is a case file's path or a bundled case's name (the report records the file and
    its hash), or a loaded :class:`~decide.spec.Case` (recorded as its YAML text, which the report
    writes beside itself as :data:`CASE_FILE`); ``seed`` a non-negative integer; ``allow_paths`` folders
    besides the case's own where its ``criteria:`` may name a file (see :func:`decide.load.load_case`).
    """
    if not isinstance(case_ref, Case):
        case_ref = arguments.case_reference(case_ref, "case_ref")
    n_draws = arguments.integer(n_draws, "n_draws")
    seed = arguments.integer(seed, "seed", minimum=0)
    weights = arguments.text(weights, "weights", optional=True,
                             what="a weight profile id, 'imprecise', 'uniform', 'profiles'")
    sobol_n = arguments.integer(sobol_n, "sobol_n", minimum=2)
    strategies = arguments.flag(strategies, "strategies")
    complete = arguments.flag(complete, "complete")
    progress = arguments.callback(progress, "progress")
    from decide.montecarlo import simulate
    from decide.sensitivity.tornado import tornado
    from decide.sensitivity.weights import crossover_table, weight_sweeps

    if isinstance(case_ref, Case):
        from decide.dump import dump_case

        case, case_text, case_path = case_ref, dump_case(case_ref), CASE_FILE
        digest = hashlib.sha256(case_text.encode("utf-8")).hexdigest()
    else:
        path = resolve_case(case_ref)
        case, case_text, case_path = load_case(path, allow_paths=allow_paths), None, str(case_ref)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    arrays = compile_case(case)
    context = ReportContext(
        case_path=case_path, case_sha256=digest, seed=seed, n_draws=n_draws, weights=weights,
        version=__version__, date=report_date(), sobol_n=sobol_n, case_text=case_text,
    )
    profile = _profile(weights)
    timings: dict[str, float] = {}

    def timed(name: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _timed(timings, name, func, *args, **kwargs)

    scores = timed("score", score, arrays, weights=profile)
    profiles = timed("profiles", score_profiles, arrays) if arrays.profile_ids else None
    simulation = timed("simulate", simulate, arrays, n_draws, rng=seed, weights=weights, progress=progress)
    # One model: the weight analyses work on the simulation's expected criterion values, and Sobol
    # and the tornado compare the simulation's two leading options.
    sweeps = timed("weight sweeps", weight_sweeps, arrays, profile, matrix=simulation.value_matrix)
    tornado_frame = timed("tornado", tornado, arrays, rng=_sub_seeds(seed)[2], leading=_leading_pair(simulation))
    analyses = Analyses(
        context=context, case=case, arrays=arrays, scores=scores, profiles=profiles,
        simulation=simulation, sweeps=sweeps, crossovers=crossover_table(sweeps), tornado=tornado_frame,
        timings=timings,
    )
    return complete_analyses(analyses, strategies=strategies) if complete else analyses
