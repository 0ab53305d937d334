"""The uncertain-input model behind global sensitivity: inputs on the unit cube -> value gap.

The quantity studied is the expected value gap between the two leading options (leading by the
deterministic additive expected value of :func:`decide.score.score`). Every uncertain input is a
coordinate of the unit hypercube mapped through its inverse CDF, so any unit-cube design (SALib's
Saltelli/Sobol' samples, a tornado's percentiles) drives the same model:

- weights: the leaf weights, uniform on the simplex (the SMAA convention) as normalised Exp(1)
  variates, ``w_c = e_c / sum(e)`` with ``e_c = -log(1 - u_c)``; when the case has imprecise weight
  statements, uniform on the admissible set, approximated by a seeded pool of simplex draws kept
  by accept/reject against ``imprecise_a @ w <= imprecise_b`` and indexed by one coordinate;
- every non-point score and failure outcome of the two leading options, through the engine's own
  inverse CDFs (:func:`decide.montecarlo.distributions.cell_ppf`);
- the marginal probability of every precondition either leading option requires, hard or soft
  (interval -> uniform, Beta -> Beta); point probabilities are fixed.

Expected values follow the one rule of :mod:`decide.model.expected`, as :func:`decide.score.score`
does: ``p_hold * value_if_hold + (1 - p_hold) * failure_value - soft_penalty``, with ``p_hold``
the probability that every hard requirement says yes under the case's Gaussian copula, at the
drawn probabilities after the enablers of the option's own strategy, and the soft penalty charged
only where the option goes ahead. With every input at its central value the gap is the
deterministic score gap.

The leading pair is the top two of the deterministic ranking unless ``leading`` names it: a
report passes the simulation's top two, so that every section compares the same options.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.special import ndtr, ndtri

import decide.arguments as arguments
from decide.compile import PROB_BETA, PROB_INTERVAL, CaseArrays, ScoreArrays, compile_case
from decide.errors import DecideError
from decide.mcda.value import additive_value, criterion_values
from decide.model.expected import expected_values, option_prospects
from decide.montecarlo.distributions import cell_ppf
from decide.montecarlo.world import draw_probabilities
from decide.score import score
from decide.seeds import Seed, SeedLike, resolve_seed
from decide.spec import Case

__all__ = ["UncertainInput", "GapState", "GapModel", "build_gap_model", "seed_streams", "SeedLike"]

logger = logging.getLogger(__name__)

InputKind = Literal["weight", "weights", "score", "failure", "probability", "common"]
WeightScheme = Literal["simplex", "admissible", "fixed"]

# Accept/reject for imprecise weights: pool size, batch size and give-up point.
_POOL_SIZE = 4096
_POOL_BATCH = 1 << 16
_POOL_MAX_DRAWS = 1 << 23
# Keeps -log(1 - u) finite at the edges of the unit interval.
_EDGE = 1e-12


@dataclass(frozen=True)
class UncertainInput:
    """One coordinate of the unit hypercube and what it stands for."""

    name: str
    """Readable label, e.g. ``score: Mediation / Cost`` or ``P(backing)``."""
    group: str
    """Default Sobol group, e.g. ``weights``, ``scores: Mediation``, ``P(backing)``."""
    kind: InputKind
    """``weight`` (one simplex coordinate), ``weights`` (index into the admissible pool),
    ``score``, ``failure``, ``probability`` or ``common`` (a criterion's shared judgement error)."""
    option: int | None
    """Option index for scores and failure outcomes."""
    index: int
    """Criterion index (weight, score, failure) or precondition index (probability); -1 for the pool."""
    ppf: Callable[[NDArray[np.float64]], NDArray[np.float64]] = field(repr=False, compare=False)
    """Inverse CDF: unit-interval coordinates -> the input's own values (weights: Exp(1) variates
    or pool indices)."""
    stage: int = 0
    """For a failure outcome: the stage whose failure profile it belongs to."""


@dataclass(frozen=True)
class GapState:
    """A batch of physical inputs for the two leading options (leading pair first on axis 1)."""

    weights: NDArray[np.float64]
    """(row, criterion), each row on the simplex."""
    planned: NDArray[np.float64]
    """(row, 2, criterion) outcomes if the preconditions hold."""
    failed: NDArray[np.float64]
    """(row, stage, 2, criterion) failure-profile outcomes of each stage."""
    probabilities: NDArray[np.float64]
    """(row, precondition) marginal probabilities of yes, before enablers."""


@dataclass(frozen=True)
class GapModel:
    """The value gap between two options as a function of the unit-cube inputs.

    Build it with :func:`build_gap_model`. ``gap(state)`` is the kernel; ``evaluate(unit)`` maps
    unit-cube rows through the inputs' inverse CDFs first.
    """

    arrays: CaseArrays
    leading: tuple[int, int]
    """Option indices: the gap is expected value of ``leading[0]`` minus that of ``leading[1]``."""
    inputs: tuple[UncertainInput, ...]
    weights: NDArray[np.float64]
    """Central (the case's default) leaf weights."""
    weight_scheme: WeightScheme
    weight_pool: NDArray[np.float64] | None = field(default=None, repr=False)
    """(draw, criterion) admissible weights, for the ``admissible`` scheme."""
    notes: tuple[str, ...] = ()

    @property
    def n_inputs(self) -> int:
        return len(self.inputs)

    @property
    def leading_ids(self) -> tuple[str, str]:
        return (self.arrays.option_ids[self.leading[0]], self.arrays.option_ids[self.leading[1]])

    @property
    def leading_names(self) -> tuple[str, str]:
        return (self.arrays.option_names[self.leading[0]], self.arrays.option_names[self.leading[1]])

    def central_state(self, n_rows: int = 1) -> GapState:
        """Every input at its central value (as in deterministic scoring), repeated ``n_rows`` times."""
        pair = list(self.leading)
        a = self.arrays
        return GapState(
            weights=np.tile(self.weights, (n_rows, 1)),
            planned=np.tile(a.scores.central[pair], (n_rows, 1, 1)),
            failed=np.tile(np.stack([f.central[pair] for f in a.failure_profiles]), (n_rows, 1, 1, 1)),
            probabilities=np.tile(a.probability_central, (n_rows, 1)),
        )

    def base_gap(self) -> float:
        """The gap with every input at its central value (equals the deterministic score gap)."""
        return float(self.gap(self.central_state())[0])

    def to_state(self, unit: NDArray[np.float64]) -> GapState:
        """Map unit-cube rows ``(row, input)`` to physical inputs; uncovered inputs stay central."""
        unit = np.asarray(unit, dtype=float)
        if unit.ndim != 2 or unit.shape[1] != self.n_inputs:
            raise ValueError(f"unit samples must have shape (rows, {self.n_inputs}), got {unit.shape}")
        state = self.central_state(unit.shape[0])
        exponentials = []
        common = {inp.index: unit[:, j] for j, inp in enumerate(self.inputs) if inp.kind == "common"}
        rho = self.arrays.common_mode
        for j, inp in enumerate(self.inputs):
            u = unit[:, j]
            if inp.kind in ("score", "failure") and inp.index in common:
                # the criterion's shared error mixed in, as in the simulation (Gaussian copula)
                r = rho[inp.index]
                u = ndtr(np.sqrt(r) * ndtri(common[inp.index]) + np.sqrt(1.0 - r) * ndtri(u))
            if inp.kind == "common":
                continue
            values = inp.ppf(u)
            if inp.kind == "weight":
                exponentials.append((inp.index, values))
            elif inp.kind == "weights":
                state.weights[:] = self.weight_pool[values.astype(np.intp)]
            else:
                self.assign(state, inp, values)
        if exponentials:
            e = np.zeros_like(state.weights)
            for c, values in exponentials:
                e[:, c] = values
            state.weights[:] = e / e.sum(axis=1, keepdims=True)
        return state

    def assign(self, state: GapState, inp: UncertainInput, values: NDArray[np.float64]) -> None:
        """Set a score, failure-outcome or probability input of ``state`` (in place) to ``values``."""
        if inp.kind == "probability":
            state.probabilities[:, inp.index] = values
        elif inp.kind in ("score", "failure"):
            if inp.option not in self.leading:
                # Other options' outcomes cannot move the gap; they are inputs only so that their
                # (zero) indices can be shown.
                return
            if inp.kind == "score":
                state.planned[:, self.leading.index(inp.option), inp.index] = values
            else:
                state.failed[:, inp.stage, self.leading.index(inp.option), inp.index] = values
        else:
            raise ValueError(f"weights are set jointly, not through assign ({inp.name})")

    def expected_values(self, state: GapState) -> NDArray[np.float64]:
        """(row, 2) expected values of the leading pair, by the rule :func:`decide.score.score` uses."""
        a = self.arrays
        prospects = option_prospects(a, state.probabilities, self.leading)
        value_if_hold = additive_value(criterion_values(state.planned, a.value_x, a.value_v), state.weights)
        failed = criterion_values(state.failed, a.value_x, a.value_v)  # (row, stage, 2, criterion)
        failure_value = np.einsum("rsoc,rc->ros", failed, state.weights)
        return expected_values(prospects, value_if_hold, failure_value, state.weights)

    def gap(self, state: GapState) -> NDArray[np.float64]:
        """(row,) expected value of ``leading[0]`` minus that of ``leading[1]``."""
        values = self.expected_values(state)
        return values[:, 0] - values[:, 1]

    def evaluate(self, unit: NDArray[np.float64], chunk: int = 1 << 15) -> NDArray[np.float64]:
        """The gap for each unit-cube row, in chunks so memory stays bounded."""
        unit = np.asarray(unit, dtype=float)
        out = np.empty(unit.shape[0])
        for start in range(0, unit.shape[0], chunk):
            out[start:start + chunk] = self.gap(self.to_state(unit[start:start + chunk]))
        return out

    def weight_percentiles(self, q: NDArray[np.float64]) -> NDArray[np.float64]:
        """(len(q), criterion) percentiles of each leaf weight's marginal under the sampling scheme."""
        q = np.asarray(q, dtype=float)
        k = self.arrays.n_criteria
        if self.weight_scheme == "admissible":
            return np.quantile(self.weight_pool, q, axis=0)
        if self.weight_scheme == "simplex" and k > 1:
            # A coordinate of the uniform distribution on the simplex is Beta(1, k - 1).
            return np.tile(stats.beta.ppf(q, 1.0, k - 1.0)[:, None], (1, k))
        return np.tile(self.weights, (len(q), 1))


def seed_streams(rng: SeedLike | None, n_streams: int) -> tuple[Seed, list[int]]:
    """Record the seed and derive ``n_streams`` independent positive integer seeds from it.

    SALib takes integer seeds and its ``analyze`` treats 0 as "unseeded" (``if seed:``); stream
    ``k`` comes from the root's spawn child ``k`` and is shifted by one so none is 0.
    Returns the recorded seed (:mod:`decide.seeds`; fresh entropy when ``rng`` is None) and the stream seeds.
    """
    root, seed = resolve_seed(rng)
    streams = [int(np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, k)).generate_state(1, np.uint64)[0])
               + 1 for k in range(n_streams)]
    return seed, streams


def build_gap_model(
    case: Case | CaseArrays,
    *,
    leading: tuple[str, str] | None = None,
    inputs: Literal["relevant", "all"] = "relevant",
    vary_weights: bool = True,
    rng: SeedLike | None = None,
) -> GapModel:
    """The uncertain-input model of a case's value gap between its two leading options.

    Parameters
    ----------
    case
        A loaded case or its compiled arrays.
    leading
        Two option ids, in order: the gap is the first's expected value minus the second's. None
        takes the top two of the deterministic additive ranking; a report passes the top two of
        the simulation (by mean value), so Sobol' and the tornado compare the pair it reports.
    inputs
        ``relevant`` (default): only inputs that can move the gap — weights, the two options' own
        scores, their failure outcomes where they have hard requirements, and the probabilities of
        the preconditions they require. ``all`` adds every other option's scores and failure
        outcomes and every other uncertain precondition probability (their indices are zero; useful
        to show that they do not matter).
    vary_weights
        Draw the weights (uniform on the simplex, or on the admissible set of the case's imprecise
        statements). False keeps them at the case's default weights.
    rng
        Seed for the admissible-weight pool (used only when the case has imprecise statements).

    Returns
    -------
    GapModel
    """
    if leading is not None and not isinstance(leading, str):  # a string is refused below, as it reads
        leading = arguments.ids(leading, "leading")
    inputs = arguments.choice(inputs, "inputs", ("relevant", "all"))
    vary_weights = arguments.flag(vary_weights, "vary_weights")
    rng = arguments.seed(rng, "rng")
    arrays = case if isinstance(case, CaseArrays) else compile_case(arguments.require_case(case, "case", arrays=True))
    if arrays.n_options < 2:
        raise DecideError("global sensitivity needs at least two options")
    pair = _leading_pair(arrays, leading)
    names = arrays.option_names
    crits = arrays.criterion_names
    model_inputs: list[UncertainInput] = []
    notes: list[str] = []

    scheme: WeightScheme = "fixed"
    pool = None
    if vary_weights and arrays.n_criteria > 1:
        if arrays.imprecise_a.shape[0]:
            scheme = "admissible"
            pool = _admissible_pool(arrays, rng)
            model_inputs.append(UncertainInput("weights (admissible set)", "weights", "weights", None, -1,
                                               _pool_ppf(len(pool))))
            notes.append(f"Weights are uniform on the set the imprecise statements admit, approximated by "
                         f"{len(pool)} simplex draws kept by accept/reject.")
            if np.any(arrays.imprecise_a @ arrays.weights > arrays.imprecise_b + 1e-9):
                notes.append("The default weights break the case's imprecise weight statements: the central "
                             "point lies outside the set the weights are drawn from.")
                logger.info("the default weights break the case's imprecise weight statements")
        else:
            scheme = "simplex"
            for c in range(arrays.n_criteria):
                model_inputs.append(UncertainInput(f"weight: {crits[c]}", "weights", "weight", None, c, _exp_ppf))
            notes.append("Weights are uniform on the simplex (SMAA convention).")

    others = [o for o in range(arrays.n_options) if o not in pair]
    options = list(pair) + (others if inputs == "all" else [])
    tables = [("score", arrays.scores, 0, "score", "scores")] + [
        ("failure", table, k, "failure outcome", "failure outcomes") for k, table in enumerate(arrays.failure_profiles)]
    eval_stage = arrays.eval_stage
    for kind, table, stage, label, group_label in tables:
        for o in options:
            stages = int(eval_stage[o][arrays.eval_hard[o]].max(initial=0)) + 1 if arrays.eval_hard[o].any() else 0
            if kind == "failure" and stage >= (stages if o in pair else max(stages, 1)):
                continue  # never fails (at this stage), so this failure profile never counts
            group = f"{group_label}: {names[o]}" if o in pair else f"{group_label}: other options"
            what = label if kind == "score" or stages <= 1 else arrays.stage_label(o, stage).replace(
                "failure", "failure outcome", 1)
            for c in range(arrays.n_criteria):
                ppf = cell_ppf(table, o, c)
                if ppf is not None:
                    model_inputs.append(UncertainInput(f"{what}: {names[o]} / {crits[c]}", group, kind, o, c, ppf,
                                                       stage))

    for c in np.flatnonzero(arrays.common_mode > 0):
        if any(i.kind in ("score", "failure") and i.index == c for i in model_inputs):
            label = f"common judgement error: {crits[c]}"
            model_inputs.append(UncertainInput(label, label, "common", None, int(c), lambda u: np.asarray(u, float)))

    needed = (arrays.eval_hard[list(pair)] | arrays.eval_soft[list(pair)]).any(axis=0)
    for q in range(arrays.n_preconditions):
        ppf = _probability_ppf(arrays, q)
        if ppf is not None and (needed[q] or inputs == "all"):
            label = f"P({arrays.precondition_ids[q]})"
            model_inputs.append(UncertainInput(label, label, "probability", None, q, ppf))
    return GapModel(arrays, pair, tuple(model_inputs), np.array(arrays.weights, dtype=float), scheme, pool,
                    tuple(notes))


def _leading_pair(arrays: CaseArrays, leading: tuple[str, str] | None) -> tuple[int, int]:
    if leading is None:
        top = list(score(arrays).table.index[:2])
        return arrays.option_ids.index(top[0]), arrays.option_ids.index(top[1])
    ids = list(leading)
    unknown = [i for i in ids if i not in arrays.option_ids]
    if len(ids) != 2 or unknown or ids[0] == ids[1]:
        raise DecideError(f"leading must name two different options of the case ({', '.join(arrays.option_ids)}); "
                          f"got {leading!r}")
    return arrays.option_ids.index(ids[0]), arrays.option_ids.index(ids[1])


def _exp_ppf(u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Exp(1) inverse CDF; normalised Exp(1) variates are uniform on the simplex."""
    return -np.log1p(-np.clip(u, _EDGE, 1.0 - _EDGE))


def _pool_ppf(size: int) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    def ppf(u: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.minimum(np.floor(np.asarray(u) * size), size - 1).astype(float)

    return ppf


def _probability_ppf(arrays: CaseArrays, q: int) -> Callable[[NDArray[np.float64]], NDArray[np.float64]] | None:
    """The engine's inverse CDF of precondition q's probability of yes, or None where it is a point."""
    kind = int(arrays.probability_kind[q])
    first, second = (float(x) for x in arrays.probability_params[q])
    if not (kind == PROB_BETA or (kind == PROB_INTERVAL and second > first)):
        return None

    def ppf(u: NDArray[np.float64]) -> NDArray[np.float64]:
        u = np.asarray(u, dtype=float)
        grid = np.zeros((u.size, arrays.n_preconditions))
        grid[:, q] = u.ravel()
        return draw_probabilities(arrays, grid)[:, q].reshape(u.shape)

    return ppf


def _admissible_pool(arrays: CaseArrays, rng: SeedLike | None) -> NDArray[np.float64]:
    """Simplex-uniform weights that satisfy the imprecise statements, by accept/reject."""
    _, (seed,) = seed_streams(rng, 1)
    generator = np.random.default_rng(seed)
    a, b = arrays.imprecise_a, arrays.imprecise_b
    kept: list[NDArray[np.float64]] = []
    n_kept = n_drawn = 0
    while n_kept < _POOL_SIZE and n_drawn < _POOL_MAX_DRAWS:
        draws = generator.dirichlet(np.ones(arrays.n_criteria), size=_POOL_BATCH)
        n_drawn += _POOL_BATCH
        ok = np.all(draws @ a.T <= b + 1e-12, axis=1)
        kept.append(draws[ok])
        n_kept += int(ok.sum())
    if n_kept == 0:
        raise DecideError(f"no weights out of {n_drawn} drawn uniformly from the simplex satisfy the case's "
                          "imprecise weight statements; the admissible set is empty or too small to sample. "
                          "Loosen the intervals or check the ordinal statements.")
    pool = np.concatenate(kept)[:_POOL_SIZE]
    if len(pool) < _POOL_SIZE:
        logger.warning("only %d admissible weight vectors in %d simplex draws; the weight distribution is "
                       "approximated by these", len(pool), n_drawn)
    return pool

