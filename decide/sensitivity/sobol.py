"""Sobol' indices of the value gap between the two leading options (SALib's Saltelli design).

Which uncertain inputs — weights, scores, failure outcomes, precondition probabilities — drive the
gap between the two leading options (the deterministic ranking's top two, or the pair given as
``leading``, e.g. the simulation's)? First-order indices (S1) give the
share of the gap's variance each group explains alone; total indices (ST) add its interactions.
Inputs are grouped by default so the table stays readable: ``weights``, ``scores: <option>``,
``failure outcomes: <option>`` and ``P(<precondition>)``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.compile import CaseArrays
from decide.errors import DecideError
from decide.results import SobolResult
from decide.sensitivity.gap import GapModel, SeedLike, build_gap_model, seed_streams
from decide.spec import Case

__all__ = ["SobolResult", "sobol_indices", "sobol_table"]

logger = logging.getLogger(__name__)

_COLUMNS = ["S1", "S1_conf", "ST", "ST_conf"]


def sobol_indices(
    case: Case | CaseArrays,
    n: int = 1024,
    rng: SeedLike | None = None,
    groups: Literal["default", "inputs"] | Mapping[str, str] = "default",
    *,
    leading: tuple[str, str] | None = None,
    inputs: Literal["relevant", "all"] = "relevant",
    vary_weights: bool = True,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> SobolResult:
    """Sobol' first-order and total indices of the value gap between the two leading options.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays.
    n
        Base sample size; rounded up to a power of two (the Sobol' sequence's balance needs it).
        The model runs ``n * (number of groups + 2)`` times.
    rng
        Seed (int, ``SeedSequence`` or ``Generator``); None draws fresh entropy, recorded in the result.
    groups
        ``default`` (weights, scores per option, failure outcomes per option, one group per
        precondition), ``inputs`` (every input alone), or a mapping from input name (see
        :attr:`decide.sensitivity.gap.GapModel.inputs`) to group name; unmapped inputs keep their
        default group.
    leading
        Two option ids, in order (the gap is the first's expected value minus the second's),
        instead of the top two of the deterministic ranking; a report passes the simulation's top
        two so that every section compares the same pair.
    inputs
        ``relevant`` (default) or ``all``; see :func:`decide.sensitivity.gap.build_gap_model`.
    vary_weights
        False holds the weights at the case's default weights.
    num_resamples, conf_level
        Bootstrap resamples and level of the confidence intervals (SALib).

    Returns
    -------
    SobolResult

    Notes
    -----
    The gap is ``EV(leading[0]) - EV(leading[1])`` with expected values as in
    :func:`decide.score.score`, on the drawn inputs (see :mod:`decide.sensitivity.gap`). The
    estimators are Saltelli et al. (2010) for S1 and Jansen (1999) for ST, via SALib; the design
    is SALib's Saltelli/Sobol' sample without second-order terms.

    References
    ----------
    .. [1] Saltelli, A., Ratto, M., Andres, T., et al. (2008). Global Sensitivity Analysis: The
       Primer. Wiley. doi:10.1002/9780470725184
    .. [2] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
       Variance based sensitivity analysis of model output. Computer Physics Communications
       181(2), 259-270. doi:10.1016/j.cpc.2009.09.018
    .. [3] Herman, J., Usher, W. (2017). SALib: An open-source Python library for sensitivity
       analysis. Journal of Open Source Software 2(9). doi:10.21105/joss.00097

    Examples
    --------
    >>> from decide.load import load_case
    >>> case = load_case("tests/data/minimal_case.yaml")
    >>> result = sobol_indices(case, n=256, rng=1)
    >>> result.leading
    ('mediate', 'wait')
    >>> list(result.indices.columns)
    ['S1', 'S1_conf', 'ST', 'ST_conf']
    """
    if not isinstance(case, CaseArrays):
        arguments.require_case(case, "case", arrays=True)
    n = arguments.integer(n, "n", minimum=2)
    rng = arguments.seed(rng, "rng")
    if not isinstance(groups, (str, Mapping)):
        raise arguments.ArgumentTypeError(f"groups must be 'default', 'inputs' or a mapping from input to group, "
                                          f"not {arguments.given(groups)}")
    num_resamples = arguments.integer(num_resamples, "num_resamples")
    conf_level = arguments.number(conf_level, "conf_level", above=0.0, below=1.0)
    entropy, (pool_seed, sample_seed, analyze_seed) = seed_streams(rng, 3)
    model = build_gap_model(case, leading=leading, inputs=inputs, vary_weights=vary_weights, rng=pool_seed)
    labels = _group_labels(model, groups)
    from decide.memory import check_fits

    # SALib's design holds n * (groups + 2) rows of every input, and as much again while evaluated
    per_base = 2 * 8 * (len(set(labels)) + 2) * max(len(model.inputs), 1)
    check_fits(per_base * 2 ** math.ceil(math.log2(n)), f"a Sobol' design with base size {n:,}", "base samples (n)",
               per_base)
    members = {g: tuple(i.name for i, lab in zip(model.inputs, labels) if lab == g) for g in dict.fromkeys(labels)}
    notes = list(model.notes)
    notes.append("Expected values follow deterministic scoring's rule: preconditions correlated through the "
                 "case's copula, soft penalties only where the option goes ahead.")
    base_gap = model.base_gap()

    if not model.inputs:
        notes.append("No uncertain input can move the gap: every relevant score, probability and weight is fixed.")
        empty = pd.DataFrame(columns=_COLUMNS, index=pd.Index([], name="group"), dtype=float)
        return SobolResult(empty, model.leading_ids, model.leading_names, 0, 0, entropy, base_gap, base_gap, 0.0,
                           float(base_gap < 0), {}, conf_level, tuple(notes))

    table, n_base, gaps = sobol_table(model.evaluate, [i.name for i in model.inputs], labels, n=n,
                                      seeds=(sample_seed, analyze_seed), num_resamples=num_resamples,
                                      conf_level=conf_level)
    if not np.ptp(gaps) > 0:
        notes.append("The gap does not vary over the design; every index is zero.")
    return SobolResult(
        indices=table.sort_values("ST", ascending=False, kind="stable"),
        leading=model.leading_ids,
        leading_names=model.leading_names,
        n=n_base,
        n_evaluations=len(gaps),
        seed=entropy,
        base_gap=base_gap,
        gap_mean=float(gaps.mean()),
        gap_sd=float(gaps.std()),
        p_reversal=float(np.mean(gaps < 0)),
        groups=members,
        conf_level=conf_level,
        notes=tuple(notes),
    )


def sobol_table(
    evaluate: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    names: Sequence[str],
    groups: Sequence[str] | None = None,
    *,
    n: int,
    seeds: tuple[int, int],
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> tuple[pd.DataFrame, int, NDArray[np.float64]]:
    """Sobol' indices of any vectorised model of unit-hypercube inputs, through SALib.

    Parameters
    ----------
    evaluate
        Maps ``(row, input)`` points of the unit hypercube to ``(row,)`` outputs.
    names
        One name per input.
    groups
        One group name per input (None: each input alone).
    n
        Base sample size, rounded up to a power of two.
    seeds
        Positive integer seeds for SALib's sampler and for its bootstrap (0 would mean unseeded
        there; see :func:`decide.sensitivity.gap.seed_streams`).

    Returns
    -------
    tuple
        The table (index ``group``; ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, in group order of
        first appearance), the base sample size used, and the model outputs.
    """
    from SALib.analyze import sobol as sobol_analyze

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise DecideError(f"n must be an integer of at least 2, got {n!r}")
    if not 0 < conf_level < 1:
        raise DecideError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}")
    if any(s <= 0 for s in seeds):
        raise ValueError("SALib seeds must be positive: it treats 0 as unseeded")
    n_base = 1 << int(np.ceil(np.log2(n)))
    if n_base != n:
        logger.info("Sobol' base sample size %d rounded up to the power of two %d", n, n_base)
    groups = list(groups) if groups is not None else list(names)
    order = list(dict.fromkeys(groups))
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names),
               "groups": groups if len(order) > 1 else None}
    # One group: SALib's design then varies each input alone (its grouped design needs two groups).
    unit = saltelli_design(groups if len(order) > 1 else [str(j) for j in range(len(names))], n_base, seed=seeds[0])
    outputs = np.asarray(evaluate(unit), dtype=float)
    if len(order) == 1:
        # One group holds every input: it explains all the variance (S1 = ST = 1), exactly; SALib's
        # grouped design cannot be analysed with a single group.
        one = np.array([[1.0, 0.0, 1.0, 0.0]]) if np.ptp(outputs) > 0 else np.zeros((1, len(_COLUMNS)))
        return pd.DataFrame(one, index=pd.Index(order, name="group"), columns=_COLUMNS), n_base, outputs
    if not np.ptp(outputs) > 0:
        # SALib divides by the output's standard deviation; a constant output explains nothing.
        zeros = np.zeros((len(order), len(_COLUMNS)))
        return pd.DataFrame(zeros, index=pd.Index(order, name="group"), columns=_COLUMNS), n_base, outputs
    si = sobol_analyze.analyze(dict(problem), outputs, calc_second_order=False, num_resamples=num_resamples,
                               conf_level=conf_level, seed=seeds[1])
    table = pd.DataFrame({c: np.asarray(si[c], dtype=float) for c in _COLUMNS}, index=pd.Index(order, name="group"))
    return table, n_base, outputs


def saltelli_design(groups: Sequence[str], n: int, *, seed: int) -> NDArray[np.float64]:
    """SALib's Saltelli design on the unit hypercube, without second-order terms, as arrays.

    The same points, row for row, as ``SALib.sample.sobol.sample`` with ``calc_second_order=False``,
    ``scramble=True`` and bounds [0, 1] (a test holds it to that, bit for bit), built without
    SALib's per-element Python loop, which took most of the analysis's time. Each base point
    gives ``2 + groups`` rows: A, then A with each group's columns taken from B, then B, where A
    and B are the two halves of one scrambled Sobol' point in ``2 × inputs`` dimensions.
    """
    from scipy.stats import qmc

    d = len(groups)
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    order = list(dict.fromkeys(groups))
    design = np.empty((n, len(order) + 2, d))
    design[:, 0] = a
    for k, name in enumerate(order):
        from_b = np.array([g == name for g in groups])
        design[:, k + 1] = np.where(from_b, b, a)
    design[:, -1] = b
    return design.reshape(n * (len(order) + 2), d)


def _group_labels(model: GapModel, groups: Literal["default", "inputs"] | Mapping[str, str]) -> list[str]:
    if isinstance(groups, str):
        if groups == "default":
            return [i.group for i in model.inputs]
        if groups == "inputs":
            return [i.name for i in model.inputs]
        raise DecideError(f"groups must be 'default', 'inputs' or a mapping from input to group, got {groups!r}")
    known = {i.name for i in model.inputs}
    unknown = [k for k in groups if k not in known]
    if unknown:
        raise DecideError(f"unknown inputs in groups: {', '.join(unknown)}; the inputs are: {', '.join(sorted(known))}")
    return [groups.get(i.name, i.group) for i in model.inputs]
