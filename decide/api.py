"""The top-level functions whose engines are heavy to import: numba, Pyomo, SALib, matplotlib.

Each is the documented entry point, with its full signature; it imports its engine when first
called, so that ``import decide`` (and ``decide score``) stays quick. The lighter functions
(loading, scoring, the weight analyses) are re-exported by :mod:`decide` from their own modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import decide.arguments as arguments
from decide.compile import CaseArrays
from decide.seeds import SeedLike
from decide.spec import Case
from decide.weighting import DrawnWeights, RobustWeights

if TYPE_CHECKING:
    import pandas as pd

    from decide.optimise.core_index import CoreIndexResult
    from decide.optimise.scenarios import Scenarios
    from decide.optimise.strategy import StrategyResult
    from decide.results import SimulationResult
    from decide.sensitivity.sobol import SobolResult

__all__ = ["simulate", "optimise_strategies", "core_index", "sobol_indices", "tornado", "write_report"]


def simulate(
    case: Case | CaseArrays,
    n_draws: int = 100_000,
    *,
    rng: SeedLike = None,
    weights: DrawnWeights | str | None = None,
    method: Literal["mc", "qmc"] = "mc",
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    confidence_draws: int | None = None,
    strategy: Sequence[str] | None = None,
) -> SimulationResult:
    """Monte Carlo robustness of a case: value distributions, ranks, blockers, value of information.

    Parameters
    ----------
    case
        A loaded case (:func:`decide.load_case`, :func:`decide.case_from_frames`) or its compiled arrays.
    n_draws
        Iterations. Memory does not grow with it.
    rng
        Seed: a non-negative integer, a numpy ``SeedSequence`` or ``Generator``, or None (fresh
        entropy). The result records the seed in :attr:`~decide.SimulationResult.seed`; pass it
        back as ``rng`` to rerun exactly (:mod:`decide.seeds`).
    weights
        None: the case's default profile. A profile id: that stakeholder's weights.
        ``"imprecise"``: drawn uniformly over the case's imprecise weight statements;
        ``"uniform"``: uniformly on the simplex (SMAA); ``"profiles"``: each draw a profile
        chosen uniformly.
    method
        ``"mc"`` (pseudo-random) or ``"qmc"`` (scrambled Sobol' points; MCSEs from replicates).
    workers
        Threads (default: the CPUs available). Results do not depend on it.
    chunk_size
        Draws per kernel call, the granularity of ``progress``. Results do not depend on it.
    progress
        Called with the number of draws done so far.
    confidence_draws
        Draws on which the SMAA-2 confidence factors are estimated (default: up to 32,768).
    strategy
        Option ids pursued together, ranked as one more alternative with id ``"strategy"``.

    Returns
    -------
    SimulationResult
        Every estimate with its Monte Carlo standard error; tied options share the tied ranks in
        equal fractions. DataFrames: ``summary``, ``rank_acceptability``, ``blockers``,
        ``value_of_information``, ...

    Raises
    ------
    TypeError
        An argument of the wrong type, named (also a :class:`~decide.DecideError`).
    DecideError
        An unknown weights keyword or profile, a negative seed, an infeasible strategy.

    See Also
    --------
    decide.montecarlo.simulate : the engine, with every detail of the draws.

    Examples
    --------
    >>> import decide
    >>> case = decide.load_case("tests/data/minimal_case.yaml")
    >>> result = decide.simulate(case, 20_000)  # fresh entropy, recorded
    >>> again = decide.simulate(case, 20_000, rng=result.seed)
    >>> bool(again.summary["p_best"].equals(result.summary["p_best"]))
    True
    """
    case = _case_or_arrays(case)
    from decide.montecarlo.driver import simulate as run

    return run(case, n_draws, rng=rng, weights=weights, method=method, workers=workers, chunk_size=chunk_size,
               progress=progress, confidence_draws=confidence_draws, strategy=strategy)


def optimise_strategies(
    case: Case | CaseArrays,
    *,
    n_scenarios: int = 1000,
    rng: SeedLike = None,
    weights: RobustWeights | str | Mapping[str, float] | Sequence[float] | None = None,
    engine: Literal["auto", "enumerate", "milp"] = "auto",
    top: int = 5,
    time_limit: float = 60.0,
    out_of_sample: int = 10_000,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    stability: int | None = None,
    milp_scenarios: int | None = None,
) -> StrategyResult:
    """The best combinations of options under budgets, dependencies and exclusions.

    Every candidate strategy is evaluated on the same ``n_scenarios`` Monte Carlo scenarios
    (sample average approximation); the ``top`` best are re-simulated on ``out_of_sample``
    fresh ones.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays; it needs a baseline option (the status quo).
    n_scenarios
        Scenarios the choice is made on.
    rng
        Seed (see :func:`simulate`); None draws fresh entropy, recorded in the result's ``seed``.
    weights
        None (the default profile), a profile id or explicit leaf weights: maximise the expected
        value. ``"maximin"``: the largest smallest gain over doing nothing across the profiles;
        ``"minimax_regret"``: the smallest largest regret across the profiles.
    engine
        ``"enumerate"`` (exact), ``"milp"`` (Pyomo + HiGHS) or ``"auto"`` (enumerate while the
        feasible strategies fit, the MILP beyond).
    top
        How many of the best strategies to report.
    time_limit
        Seconds per MILP solve; the result says when it was reached, with the gap.
    out_of_sample
        Fresh scenarios the reported strategies are re-estimated on (0 to skip).
    include, exclude
        Option ids every strategy must contain / may not contain.
    stability
        Reruns on other scenario streams of the same seed (None: 3 when enumerating, 0 for the MILP).
    milp_scenarios
        Most scenarios the MILP is written on (None: a size the solver handles quickly); with
        more, it is solved on the first ``milp_scenarios`` and what it finds is compared exactly
        on all ``n_scenarios``.

    Returns
    -------
    StrategyResult
        ``to_frame()`` the best strategies, ``contributions_frame()`` what each option adds.

    See Also
    --------
    decide.optimise.strategy.optimise_strategies : the engine.

    Examples
    --------
    >>> import decide
    >>> case = decide.load_case("tests/data/minimal_case.yaml")
    >>> result = decide.optimise_strategies(case, n_scenarios=200, out_of_sample=500, rng=3)
    >>> result.seed
    3
    """
    case = _case_or_arrays(case)
    from decide.optimise.strategy import optimise_strategies as run

    return run(case, n_scenarios=n_scenarios, rng=rng, weights=weights, engine=engine, top=top,
               time_limit=time_limit, out_of_sample=out_of_sample, include=include, exclude=exclude,
               stability=stability, milp_scenarios=milp_scenarios)


def core_index(
    case: Case | CaseArrays,
    *,
    n_scenarios: int = 1000,
    rng: SeedLike = None,
    scenarios: Scenarios | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> CoreIndexResult:
    """Robust Portfolio Modelling: how often each option belongs to the non-dominated strategies.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays; it needs a baseline option.
    n_scenarios
        Scenarios the expected values are averaged over (ignored with ``scenarios``).
    rng
        Seed (see :func:`simulate`); None draws fresh entropy, recorded in the result's ``seed``.
    scenarios
        Ready-made scenarios (:func:`decide.optimise.scenarios.draw_scenarios`).
    include, exclude
        Option ids every strategy must contain / may not contain.

    Returns
    -------
    CoreIndexResult
        ``to_frame()``: each option's core index.

    See Also
    --------
    decide.optimise.core_index.core_index : the engine.
    """
    case = _case_or_arrays(case)
    from decide.optimise.core_index import core_index as run

    return run(case, n_scenarios=n_scenarios, rng=rng, scenarios=scenarios, include=include, exclude=exclude)


def sobol_indices(
    case: Case | CaseArrays,
    n: int = 1024,
    *,
    rng: SeedLike = None,
    groups: Literal["default", "inputs"] | Mapping[str, str] = "default",
    leading: tuple[str, str] | None = None,
    inputs: Literal["relevant", "all"] = "relevant",
    vary_weights: bool = True,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> SobolResult:
    """Sobol' indices: which uncertain inputs drive the value gap between the two leading options.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays.
    n
        Base sample size (rounded up to a power of two); the model runs ``n * (groups + 2)`` times.
    rng
        Seed (see :func:`simulate`); None draws fresh entropy, recorded in the result's ``seed``.
    groups
        ``"default"`` (weights, scores per option, failure outcomes per option, one group per
        precondition), ``"inputs"`` (every input alone) or a mapping from input name to group.
    leading
        The two option ids compared (default: the top two of the deterministic ranking).
    inputs
        ``"relevant"`` (what can move the gap) or ``"all"``.
    vary_weights
        False holds the weights at the case's default weights.
    num_resamples, conf_level
        Bootstrap resamples and level of the confidence intervals.

    Returns
    -------
    SobolResult
        ``to_frame()``: S1 and ST per group, with confidence half-widths.

    See Also
    --------
    decide.sensitivity.sobol.sobol_indices : the engine, with its references.
    """
    case = _case_or_arrays(case)
    from decide.sensitivity.sobol import sobol_indices as run

    return run(case, n, rng, groups, leading=leading, inputs=inputs, vary_weights=vary_weights,
               num_resamples=num_resamples, conf_level=conf_level)


def tornado(
    case: Case | CaseArrays,
    *,
    leading: tuple[str, str] | None = None,
    inputs: Literal["relevant", "all"] = "relevant",
    vary_weights: bool = True,
    percentiles: tuple[float, float] = (5.0, 95.0),
    rng: SeedLike = None,
) -> pd.DataFrame:
    """One-at-a-time swings of the value gap between the two leading options.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays.
    leading
        The two option ids compared (default: the top two of the deterministic ranking).
    inputs
        ``"relevant"`` or ``"all"`` (see :func:`sobol_indices`).
    vary_weights
        Swing each leaf weight too (True) or hold the weights at their defaults.
    percentiles
        Low and high percentiles each input swings between.
    rng
        Seed of the admissible-weight pool (cases with imprecise statements); None draws fresh
        entropy, recorded in ``frame.attrs["seed"]``.

    Returns
    -------
    pandas.DataFrame
        One row per input, largest swing first.

    See Also
    --------
    decide.sensitivity.tornado.tornado : the engine.
    """
    case = _case_or_arrays(case)
    from decide.sensitivity.tornado import tornado as run

    return run(case, leading=leading, inputs=inputs, vary_weights=vary_weights, percentiles=percentiles, rng=rng)


def write_report(
    case: Case | str | PathLike[str],
    out_dir: str | PathLike[str],
    *,
    n_draws: int = 100_000,
    rng: SeedLike = None,
    weights: DrawnWeights | str | None = None,
    sobol_n: int = 1024,
    strategies: bool = True,
    progress: Callable[[int], None] | None = None,
    allow_paths: str | PathLike[str] | Sequence[str | PathLike[str]] = (),
    html: bool = False,
) -> Path:
    """Run every analysis of a case and write ``report.md`` with its charts into ``out_dir``.

    Parameters
    ----------
    case
        A case file, a bundled case's name (the report records the file and its SHA-256), or a
        loaded :class:`~decide.Case`, e.g. from :func:`decide.case_from_frames`: its YAML is
        written beside the report as ``case.yaml``, which the report names as its case file
        (``decide report case.yaml`` regenerates it).
    out_dir
        The report's directory: new, empty, or an unchanged earlier report (replaced atomically).
    n_draws
        Monte Carlo draws.
    rng
        Seed from which every analysis takes its own stream: a non-negative integer, a
        ``Generator`` or None (fresh entropy); the report states the integer seed it used.
    weights
        None, a profile id, ``"imprecise"``, ``"uniform"`` or ``"profiles"`` (see :func:`simulate`).
    sobol_n
        Base sample size of the Sobol indices.
    strategies
        False skips the strategies.
    progress
        Called with the draws done.
    allow_paths
        Folders besides the case's own where its ``criteria:`` may name a file.
    html
        True writes one self-contained ``report.html`` (charts embedded) instead of ``report.md``
        and its PNG charts.

    Returns
    -------
    pathlib.Path
        The report's directory.

    Examples
    --------
    >>> import decide, tempfile, os
    >>> case = decide.load_case("tests/data/minimal_case.yaml")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("a", "b"):
    ...         out = decide.write_report(case, os.path.join(tmp, name), n_draws=2000, sobol_n=64, rng=1)
    ...     sorted(p.name for p in out.glob("*.yaml")), (out / "report.md").exists()
    (['case.yaml'], True)
    """
    if not isinstance(case, Case):
        arguments.case_reference(case, "case")
    arguments.path(out_dir, "out_dir")
    arguments.flag(strategies, "strategies")
    arguments.flag(html, "html")
    from decide.seeds import resolve_seed

    _, seed = resolve_seed(arguments.seed(rng, "rng"))
    if not isinstance(seed, int):
        raise arguments.ArgumentValueError(f"rng must give a report an integer seed (the report states it); a spawned "
                                           f"SeedSequence does not: {arguments.given(rng)}")
    from decide.report.write import build_report

    return build_report(case, out_dir, n_draws=n_draws, seed=seed, weights=weights, sobol_n=sobol_n,
                        strategies=strategies, progress=progress, allow_paths=allow_paths, html=html)


def _case_or_arrays(case: Any) -> Case | CaseArrays:
    """A loaded case or its compiled arrays, or the TypeError naming ``case``."""
    if isinstance(case, CaseArrays):
        return case
    return arguments.require_case(case, "case", arrays=True)
