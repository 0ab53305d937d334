"""Tornado: one-at-a-time swings of each uncertain input and the value gap they produce.

Every input sits at its central value (the scores deterministic scoring uses, the case's default
weights, the central precondition probabilities) while one input moves from its 5th to its 95th
percentile; the output is the expected value gap between the two leading options, as in
:mod:`decide.sensitivity.sobol`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.compile import CaseArrays
from decide.errors import DecideError
from decide.seeds import resolve_seed
from decide.sensitivity.gap import GapModel, GapState, SeedLike, UncertainInput, build_gap_model
from decide.spec import Case

__all__ = ["tornado", "TORNADO_COLUMNS"]

TORNADO_COLUMNS = ["input", "low_value", "high_value", "gap_at_low", "gap_at_high", "swing", "group",
                   "central_value"]


def tornado(
    case: Case | CaseArrays,
    *,
    leading: tuple[str, str] | None = None,
    inputs: Literal["relevant", "all"] = "relevant",
    vary_weights: bool = True,
    percentiles: tuple[float, float] = (5.0, 95.0),
    rng: SeedLike | None = None,
) -> pd.DataFrame:
    """One-at-a-time swings of the value gap between the two leading options.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays.
    leading
        Two option ids, in order (the gap is the first's expected value minus the second's),
        instead of the top two of the deterministic ranking; a report passes the simulation's top
        two so that every section compares the same pair.
    inputs
        ``relevant`` (default) or ``all``; see :func:`decide.sensitivity.gap.build_gap_model`.
    vary_weights
        Swing each leaf weight (True) or hold the weights at the case's default weights.
    percentiles
        The low and high percentiles of each input's distribution (default 5th and 95th).
    rng
        Seed of the admissible-weight pool (only for cases with imprecise weight statements); None
        draws fresh entropy. ``frame.attrs["seed"]`` records it (pass it back to rerun exactly).

    Returns
    -------
    pandas.DataFrame
        One row per input, sorted by ``swing``, largest first: ``input`` (readable name),
        ``low_value`` and ``high_value`` (the input at the low and high percentile, in its own
        unit: a weight, an outcome on the criterion's scale, a probability), ``gap_at_low`` and
        ``gap_at_high`` (the gap, in value points on the 0-1 scale), ``swing`` (``|gap_at_high -
        gap_at_low|``), ``group`` (the input's Sobol group) and ``central_value`` (where the input
        sits otherwise). ``frame.attrs`` holds ``base_gap``, ``leading`` (ids), ``leading_names``,
        ``percentiles``, ``notes`` and ``seed``.

    Notes
    -----
    A leaf weight swings between the percentiles of its marginal under the Sobol sampling
    scheme — Beta(1, k - 1) for weights uniform on the simplex of k criteria, the admissible
    pool's percentiles under imprecise statements — and the other weights are rescaled in
    proportion to their default values so the weights still sum to one (the swung weights may
    leave the admissible set). Inputs a case fixes do not appear.

    Examples
    --------
    >>> from decide.load import load_case
    >>> frame = tornado(load_case("tests/data/minimal_case.yaml"), rng=0)
    >>> list(frame.columns[:6])
    ['input', 'low_value', 'high_value', 'gap_at_low', 'gap_at_high', 'swing']
    """
    if not isinstance(case, CaseArrays):
        arguments.require_case(case, "case", arrays=True)
    if not isinstance(percentiles, (tuple, list, np.ndarray)):
        raise arguments.ArgumentTypeError(f"percentiles must be a pair (low, high) of numbers, not "
                                          f"{arguments.given(percentiles)}")
    if len(percentiles) != 2:
        raise arguments.ArgumentValueError(f"percentiles must be a pair (low, high), got {percentiles!r}")
    low_q, high_q = (arguments.number(p, "percentiles") for p in percentiles)
    if not 0.0 <= low_q < high_q <= 100.0:
        raise DecideError(f"percentiles must satisfy 0 <= low < high <= 100, got {percentiles!r}")
    root, seed = resolve_seed(arguments.seed(rng, "rng"))
    model = build_gap_model(case, leading=leading, inputs=inputs, vary_weights=vary_weights, rng=root)
    q = np.array([low_q, high_q]) / 100.0

    rows: list[tuple[str, str, float, float, float]] = []
    states: list[GapState] = []
    if model.weight_scheme != "fixed":
        bounds = model.weight_percentiles(q)
        for c, name in enumerate(model.arrays.criterion_names):
            lo, hi = float(bounds[0, c]), float(bounds[1, c])
            rows.append((f"weight: {name}", "weights", lo, hi, float(model.weights[c])))
            states.append(_weight_swing(model, c, np.array([lo, hi])))
    for j, inp in enumerate(model.inputs):
        if inp.kind in ("weight", "weights", "common"):  # a shared error is not swung on its own
            continue
        values = np.asarray(inp.ppf(q), dtype=float)
        rows.append((inp.name, inp.group, float(values[0]), float(values[1]), _central(model, inp)))
        states.append(_input_swing(model, j, values))

    base = model.base_gap()
    if states:
        # One evaluation of every swing's two rows: the model is vectorised over rows.
        stacked = GapState(*(np.concatenate([getattr(s, f) for s in states])
                             for f in ("weights", "planned", "failed", "probabilities")))
        gaps = model.gap(stacked).reshape(-1, 2)
    else:
        gaps = np.zeros((0, 2))
    frame = pd.DataFrame({
        "input": [r[0] for r in rows],
        "low_value": [r[2] for r in rows],
        "high_value": [r[3] for r in rows],
        "gap_at_low": gaps[:, 0],
        "gap_at_high": gaps[:, 1],
        "swing": np.abs(gaps[:, 1] - gaps[:, 0]),
        "group": [r[1] for r in rows],
        "central_value": [r[4] for r in rows],
    }, columns=TORNADO_COLUMNS)
    frame = frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    frame.attrs.update(base_gap=base, leading=model.leading_ids, leading_names=model.leading_names,
                       percentiles=(low_q, high_q), notes=model.notes, seed=seed)
    return frame


def _weight_swing(model: GapModel, c: int, values: NDArray[np.float64]) -> GapState:
    """Leaf weight ``c`` set to each of ``values``, the others rescaled in proportion to their defaults."""
    state = model.central_state(len(values))
    w = model.weights
    rest = 1.0 - w[c]
    k = len(w)
    if rest > 0:
        others = w[None, :] / rest * (1.0 - values[:, None])
    else:
        # All weight sat on c: share what it gives up equally, as nothing says otherwise.
        others = np.tile((1.0 - values[:, None]) / (k - 1), (1, k))
    others[:, c] = values
    state.weights[:] = others
    return state



def _input_swing(model: GapModel, j: int, values: NDArray[np.float64]) -> GapState:
    """Input ``j`` (a score, failure outcome or probability) set to each of ``values``."""
    state = model.central_state(len(values))
    model.assign(state, model.inputs[j], values)
    return state


def _central(model: GapModel, inp: UncertainInput) -> float:
    """The value an input takes when it is not swung (as in deterministic scoring)."""
    a = model.arrays
    if inp.kind == "probability":
        return float(a.probability_central[inp.index])
    table = a.scores if inp.kind == "score" else a.failure_profiles[inp.stage]
    return float(table.central[inp.option, inp.index])
