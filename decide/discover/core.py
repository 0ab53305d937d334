"""``discover``: in which worlds does a strategy do poorly, and what do those worlds share?"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.discover.boxes import Box, find_boxes, prim_library, screen_floats
from decide.errors import DecideError
from decide.seeds import SeedLike
from decide.spec import Case

# The worlds (the strategies engine: numba) are imported when discover runs, so that `import
# decide`, which binds decide.discover to the function below, stays quick.
DRAWN_WEIGHTS = ("imprecise", "uniform", "profiles")
"""Weight modes under which each world draws its own weights (they become inputs)."""

__all__ = ["DiscoveryResult", "discover", "explain_worlds", "DEFAULT_THRESHOLD", "MIN_EFFECT", "MAX_FLOAT_INPUTS"]

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.0
"""Poor worlds by default: the strategy gains less than this over doing nothing (does worse)."""
MIN_EFFECT = 0.1
"""Real-valued inputs whose poor-world mean differs from the rest by less than this many standard
deviations are not handed to PRIM (:func:`decide.discover.boxes.screen_floats`)."""
MAX_FLOAT_INPUTS = 12
"""At most this many real-valued inputs go to PRIM (the largest differences); answers all go."""


@dataclass(frozen=True, eq=False)
class DiscoveryResult:
    """Boxes of worlds where a strategy does poorly (scenario discovery by PRIM).

    ``boxes`` are found in turn (covering): box 2 explains poor worlds outside box 1, and so on.
    Coverage is each box's share of *all* poor worlds, density its share of poor worlds, mass its
    share of all worlds. Every restriction carries EMA's quasi-p-value.
    """

    strategy: tuple[str, ...]
    """The option ids evaluated together."""
    label: str
    """How the strategy was chosen: ``"recommended"``, ``"given"`` or ``"option X"``."""
    rule: str
    """The poor worlds in words: "gain over doing nothing below 0"."""
    threshold: float
    """Gain below which a world is poor (for ``worst``: the gain at that share)."""
    worst: float | None
    n_draws: int
    n_poor: int
    gain_mean: float
    boxes: tuple[Box, ...]
    n_inputs: dict[str, int]
    """Inputs PRIM saw, by kind, and how many were left out (``"constant"``, ``"screened"``)."""
    weights: str
    seed: Any
    library: str
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def share_poor(self) -> float:
        return self.n_poor / self.n_draws if self.n_draws else float("nan")

    def boxes_frame(self) -> pd.DataFrame:
        """One row per box: coverage, density, mass, worlds, poor worlds, restrictions in words."""
        return pd.DataFrame({
            "coverage": [b.coverage for b in self.boxes],
            "density": [b.density for b in self.boxes],
            "mass": [b.mass for b in self.boxes],
            "n_worlds": [b.n_worlds for b in self.boxes],
            "n_poor": [b.n_poor for b in self.boxes],
            "restrictions": [b.words for b in self.boxes],
        }, index=pd.Index([b.number for b in self.boxes], name="box"))

    def to_frame(self) -> pd.DataFrame:
        """One row per restriction, indexed by (box, input): kind, limits, kept answers, words, qp,
        and what the input is in words (meaning)."""
        rows = [{"box": b.number, "input": r.input, "kind": r.kind, "low": r.low, "high": r.high,
                 "values": " or ".join(r.values) if r.values else None, "restriction": r.words, "qp": r.qp,
                 "meaning": r.label}
                for b in self.boxes for r in b.restrictions]
        columns = ["box", "input", "kind", "low", "high", "values", "restriction", "qp", "meaning"]
        return pd.DataFrame(rows, columns=columns).set_index(["box", "input"])

    def trajectory_frame(self) -> pd.DataFrame:
        """Every box's peeling and pasting trajectory, indexed by (box, step), the chosen steps marked."""
        parts = []
        for b in self.boxes:
            t = b.trajectory.copy()
            t["chosen"] = t.index == b.chosen
            t.index = pd.MultiIndex.from_product([[b.number], t.index], names=["box", "step"])
            parts.append(t)
        return pd.concat(parts) if parts else pd.DataFrame(
            columns=["coverage", "density", "mass", "restricted", "max_qp", "f_score", "chosen"])

    @property
    def metadata(self) -> dict[str, Any]:
        from decide import __version__

        return {"strategy": list(self.strategy), "strategy_label": self.label, "poor_worlds": self.rule,
                "threshold": self.threshold, "worst": self.worst, "n_draws": self.n_draws, "n_poor": self.n_poor,
                "share_poor": self.share_poor, "gain_mean": self.gain_mean, "weights": self.weights,
                "seed": self.seed, "inputs": dict(self.n_inputs), "prim": self.library, "version": __version__,
                "notes": list(self.notes)}


def _strategy(arrays: CaseArrays, space, strategy, option, rng, weights) -> tuple[tuple[str, ...], str]:
    from decide.optimise.strategy import check_strategy

    if strategy is not None and option is not None:
        raise DecideError("give a strategy or an option, not both (an option is evaluated as the smallest "
                          "strategy that contains it)")
    if option is not None:
        option = arguments.text(option, "option", what="an option id")
        k = space.index(option)
        ids = space.ids(space.closure[k])
        return ids, f"option {option}" + (f" (with {', '.join(i for i in ids if i != option)}, which it depends on)"
                                          if len(ids) > 1 else "")
    if strategy is not None:
        ids = arguments.ids(strategy, "strategy")
        if not ids:
            raise DecideError("strategy is empty: name at least one option (doing nothing is the reference, "
                              "not a strategy to examine)")
        x = check_strategy(space, list(ids))
        return space.ids(x), "given"
    from decide.optimise.strategy import optimise_strategies

    # The recommendation as `decide strategies` makes it (same seed, same scenarios); the
    # out-of-sample re-estimates and stability reruns do not change which strategy is best.
    profile = None if isinstance(weights, str) and weights in DRAWN_WEIGHTS else weights
    best = optimise_strategies(arrays, rng=rng, weights=profile, out_of_sample=0, stability=0, top=1).best
    if not best:
        raise DecideError("the recommended strategy is to do nothing: there is no strategy to examine; "
                          "name one with strategy= (--strategy) or option= (--option)")
    return best, "recommended"


def discover(
    case: Case | CaseArrays,
    strategy: Sequence[str] | None = None,
    option: str | None = None,
    *,
    threshold: float | None = None,
    worst: float | None = None,
    n_draws: int = 100_000,
    rng: SeedLike = None,
    weights: Any = None,
    max_boxes: int = 3,
    alpha: float = 0.05,
) -> DiscoveryResult:
    """Scenario discovery: which combinations of answers and outcomes make a strategy do poorly.

    Draws ``n_draws`` worlds of the strategy (the strategies engine's scenarios: every
    precondition answered under the strategy's enablers, probabilities and outcomes drawn),
    marks the *poor* ones -- the strategy gains less than ``threshold`` over doing nothing in
    the same world, or it is among the ``worst`` share of worlds by that gain -- and runs PRIM
    (the EMA Workbench's) over the inputs to find boxes: combinations of restrictions on the
    inputs where poor worlds concentrate.

    Parameters
    ----------
    case
        A loaded case (or its compiled arrays); it needs a baseline option (doing nothing).
    strategy
        Option ids pursued together. Default: the recommended strategy, as
        :func:`decide.optimise_strategies` chooses it with the same ``rng`` and ``weights``
        (``decide strategies CASE --seed S``).
    option
        Examine one option instead, as the smallest strategy that contains it (with the options
        it depends on). Give ``strategy`` or ``option``, not both.
    threshold
        A world is poor where the gain over doing nothing is below this (default 0: the strategy
        does worse than doing nothing).
    worst
        Instead of ``threshold``: the share of worlds with the lowest gain (e.g. 0.1), in (0, 1).
    n_draws
        Worlds to draw (PRIM keeps them all in memory: about 100 bytes each on Mali).
    rng
        Seed; the same seed gives the same worlds, boxes and numbers. None draws fresh entropy
        (recorded in the result).
    weights
        None (the case's default profile), a profile id or explicit leaf weights; or
        ``"uniform"``, ``"imprecise"``, ``"profiles"``: each world draws its weights (as
        :func:`decide.simulate` does), and the weights become inputs too.
    max_boxes
        At most this many boxes (covering: each next box explains poor worlds outside the earlier ones).
    alpha
        Significance level for the restrictions of a chosen box (quasi-p-values).

    Returns
    -------
    DiscoveryResult

    Notes
    -----
    PRIM is the EMA Workbench's ``ema_workbench.analysis.prim.Prim`` (BSD-3-Clause): maintained,
    it treats categorical inputs (the answers) by removing a whole category per peel, and
    computes the quasi-p-value of every restriction. How a box is chosen on the trajectory and
    which inputs are handed over: :mod:`decide.discover.boxes`, :mod:`decide.discover.worlds`.

    Examples
    --------
    >>> import decide
    >>> case = decide.load_case("tests/data/minimal_case.yaml")
    >>> result = decide.discover(case, strategy=["mediate"], n_draws=2000, rng=1, worst=0.2)
    >>> result.n_poor
    400
    """
    from decide.discover.worlds import draw_worlds
    from decide.optimise.strategy import strategy_space

    timings: dict[str, float] = {}
    start = time.perf_counter()
    if not isinstance(case, CaseArrays):
        case = compile_case(arguments.require_case(case, "case", arrays=True))
    arrays = case
    n_draws = arguments.integer(n_draws, "n_draws", minimum=2)
    rng = arguments.seed(rng, "rng")
    max_boxes = arguments.integer(max_boxes, "max_boxes", minimum=1)
    alpha = arguments.number(alpha, "alpha", above=0, below=1)
    if threshold is not None and worst is not None:
        raise DecideError("give threshold (a gain over doing nothing) or worst (a share of worlds), not both")
    if worst is not None:
        worst = arguments.number(worst, "worst", above=0, below=1)
    threshold = DEFAULT_THRESHOLD if threshold is None and worst is None else threshold
    if threshold is not None:
        threshold = arguments.number(threshold, "threshold")
    if isinstance(weights, str) and weights not in DRAWN_WEIGHTS and weights not in arrays.profile_ids:
        known = ", ".join(arrays.profile_ids) or "none"
        raise DecideError(f"weights: unknown weight profile '{weights}'; give a profile id ({known}) or one of "
                          f"{', '.join(DRAWN_WEIGHTS)}")
    if isinstance(rng, (int, np.integer)):
        rng = int(rng)
    elif rng is None or isinstance(rng, np.random.Generator):
        # the recommendation and the worlds must come from one recorded seed
        from decide.seeds import resolve_seed

        rng = resolve_seed(rng)[1]
    space = strategy_space(arrays)
    ids, label = _strategy(arrays, space, strategy, option, rng, weights)
    timings["strategy"] = time.perf_counter() - start

    t = time.perf_counter()
    worlds = draw_worlds(space, space.vector(list(ids)), n_draws, rng=rng, weights=weights)
    timings["worlds"] = time.perf_counter() - t
    weights_label = weights if isinstance(weights, str) else ("default profile" if weights is None else "given")
    return explain_worlds(worlds, ids, label, threshold=threshold, worst=worst, weights_label=weights_label,
                          max_boxes=max_boxes, alpha=alpha, timings=timings)


def explain_worlds(worlds: Any, strategy: Sequence[str], label: str, *, threshold: float | None = DEFAULT_THRESHOLD,
                   worst: float | None = None, weights_label: str = "default profile", max_boxes: int = 3,
                   alpha: float = 0.05, timings: dict[str, float] | None = None) -> DiscoveryResult:
    """Mark the poor worlds among ready-drawn worlds (:func:`decide.discover.worlds.draw_worlds`)
    and find the PRIM boxes that explain them (arguments as :func:`discover`, checked there).

    The report calls this on the very worlds its strategies section re-estimated the recommended
    strategy on, so that the share of poor worlds matches the Summary's.
    """
    timings = {} if timings is None else timings
    gain = worlds.gain
    n_draws = len(gain)
    if worst is not None:
        k = max(1, int(round(worst * n_draws)))
        order = np.argsort(gain, kind="stable")
        poor = np.zeros(n_draws, dtype=bool)
        poor[order[:k]] = True
        cut = float(gain[order[k - 1]])
        rule = f"the worst {worst:.0%} of worlds by gain over doing nothing (gain at most {cut:.3g})"
    else:
        poor = gain < threshold
        cut = float(threshold)
        rule = f"gain over doing nothing below {threshold:g}"

    t = time.perf_counter()
    keep = screen_floats(worlds.floats, poor, min_effect=MIN_EFFECT, max_inputs=MAX_FLOAT_INPUTS)
    columns: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    labels = {item.id: item.label for item in (*worlds.answer_inputs, *worlds.float_inputs)}
    for j, item in enumerate(worlds.answer_inputs):
        # boolean categories (False: no, True: yes) peel three times faster in EMA than string ones
        columns[item.id] = pd.Categorical(worlds.answers[:, j], categories=[False, True])
        kinds[item.id] = item.kind
    for j in keep:
        item = worlds.float_inputs[j]
        columns[item.id] = worlds.floats[:, j].astype(np.float64)
        kinds[item.id] = item.kind
    x = pd.DataFrame(columns)
    # a box needs room to be pure when poor worlds are rare (EMA's default minimum mass is 5%)
    mass_min = min(0.05, 0.5 * poor.mean()) if poor.any() else 0.05
    boxes = find_boxes(x, poor, kinds, max_boxes=max_boxes, alpha=alpha, mass_min=max(mass_min, 1.0 / n_draws),
                       labels=labels)
    timings["prim"] = time.perf_counter() - t

    counts = {kind: sum(1 for v in kinds.values() if v == kind) for kind in ("answer", "probability", "outcome",
                                                                          "weight")}
    counts["constant"] = worlds.n_dropped
    counts["screened"] = len(worlds.float_inputs) - len(keep)
    notes = [f"poor worlds: {rule}; {int(poor.sum()):,} of {n_draws:,} ({poor.mean():.1%})",
             "answers are those the strategy faces (after its enablers); outcomes are the draws that reach its value",
             f"real-valued inputs whose mean in poor worlds differs from the others' by less than {MIN_EFFECT:g} "
             f"standard deviations are left out, and at most {MAX_FLOAT_INPUTS} go in "
             f"({counts['screened']} left out here)",
             "box chosen on each trajectory: the highest F-score of coverage and density, less 5% per "
             f"restriction, among boxes whose restrictions all have quasi-p-values <= {alpha:g}"]
    if not poor.any():
        notes.append("no world is poor: nothing to explain (raise the threshold or use worst)")
    elif poor.all():
        notes.append("every world is poor: nothing to tell them apart (lower the threshold or use worst)")
    return DiscoveryResult(
        strategy=tuple(strategy), label=label, rule=rule, threshold=cut, worst=worst, n_draws=n_draws,
        n_poor=int(poor.sum()), gain_mean=float(gain.mean()), boxes=tuple(boxes), n_inputs=counts,
        weights=weights_label, seed=worlds.seed, library=prim_library(), timings=timings, notes=tuple(notes))
