"""Simulated worlds of one strategy, as scenario discovery reads them: inputs and the gain.

Each world is one scenario of the strategies engine (:mod:`decide.optimise.scenarios`): the
strategy's value and doing nothing's come from :func:`decide.optimise.strategy.scenario_values`
(the one model: capped outcomes, value functions, failure profiles, stages, soft penalties), the
answers from the scenario's latent uniforms against its probabilities *after the strategy's
enablers* (:func:`decide.compile.apply_enablers`, the rule the strategies engine applies), so an
answer is the one the strategy actually faces. Nothing here re-states a value rule.

The inputs PRIM may restrict, one column each:

``answer``
    every precondition's yes/no answer under the strategy's enablers;
``probability``
    its drawn probability of yes, after the strategy's enablers (``P(q)``);
``outcome``
    the drawn outcomes that can reach the strategy's value: each pursued option's planned
    outcome, its failure outcome at each stage it can fail at (only on criteria its failure
    profile lists: elsewhere the failure outcome *is* the baseline's draw), and the baseline
    option's own outcome (the world as doing nothing leaves it), on criteria with a weight;
``weight``
    each leaf criterion's weight, where weights are drawn (``weights="uniform"``, ``"imprecise"``
    or ``"profiles"``, drawn as :func:`decide.montecarlo.simulate` draws them).

Inputs that do not vary (a point score, a fixed probability) are dropped. Worlds are drawn in the
scenarios engine's fixed-size seeded blocks and consumed chunk by chunk: only the gains and the
candidate inputs (float32) are kept, never a whole scenario array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from decide.compile import CaseArrays, apply_enablers
from decide.discover.core import DRAWN_WEIGHTS
from decide.errors import DecideError
from decide.montecarlo.streams import SeedLike, block_seed_sequence, resolve_seed
from decide.optimise.scenarios import STREAM_IN_SAMPLE, iter_scenarios, scenario_bytes
from decide.optimise.strategy import StrategySpace, scenario_values

__all__ = ["Input", "Worlds", "draw_worlds", "DRAWN_WEIGHTS", "WEIGHT_STREAM"]


WEIGHT_STREAM = 7
"""Spawn key (after the root's) of the weights' stream: apart from every scenario block's
``(stream, block)`` key, so drawing weights leaves the scenarios as they were."""

_CHUNK = 4096  # worlds per chunk: 100,000 Mali worlds then peak at about 160 MiB (with 8,192: 290 MiB)


@dataclass(frozen=True)
class Input:
    """One uncertain input of the worlds, as PRIM sees it."""

    id: str
    """Column name: a precondition id (its answer), ``P(q)``, ``option.criterion`` (planned
    outcome), ``option.criterion|failed`` (failure outcome; ``|failed@k`` at stage k >= 2) or
    ``w[criterion]``."""
    kind: str
    """``"answer"``, ``"probability"``, ``"outcome"`` or ``"weight"``."""
    label: str
    """What it is, in words: "Political transition if rebuild_army goes ahead"."""


@dataclass(frozen=True, eq=False)
class Worlds:
    """The worlds of one strategy: gains over doing nothing and the inputs behind them."""

    gain: NDArray[np.float64]
    """(draw,): the strategy's value minus doing nothing's in the same world."""
    value: NDArray[np.float64]
    """(draw,): the strategy's value."""
    answers: NDArray[np.bool_]
    """(draw, precondition): answers under the strategy's enablers (True: yes)."""
    answer_inputs: tuple[Input, ...]
    floats: NDArray[np.float32]
    """(draw, input): probabilities, outcomes and weights that vary."""
    float_inputs: tuple[Input, ...]
    seed: object
    n_dropped: int
    """Candidate inputs left out because they never vary."""


def _outcome_cells(space: StrategySpace, x: NDArray[np.bool_], criteria: NDArray[np.intp]
                   ) -> list[tuple[str, str, int, int, int]]:
    """(id, label, stage (-1 planned), case option, criterion) of every outcome that can reach
    the value of strategy ``x``: planned and listed failure outcomes of its options, and the
    baseline's own outcomes."""
    arrays = space.arrays
    cells = []
    base = arrays.baseline
    for c in criteria:
        crit = arrays.criterion_ids[c]
        cells.append((f"{arrays.option_ids[base]}.{crit}", f"{arrays.criterion_names[c]}, as doing nothing leaves it",
                      -1, base, c))
    shared = np.asarray(arrays.failure_is_baseline, dtype=bool).reshape(arrays.n_options, arrays.n_criteria)
    later = np.asarray(arrays.stage_failure_is_baseline, dtype=bool).reshape(-1, arrays.n_options, arrays.n_criteria)
    for k in np.flatnonzero(x):
        i = int(space.options[k])
        option = arrays.option_ids[i]
        can_fail = bool(space.hard[k].any())
        for c in criteria:
            crit, name = arrays.criterion_ids[c], arrays.criterion_names[c]
            cells.append((f"{option}.{crit}", f"{name} if {option} goes ahead", -1, i, c))
            if not can_fail:
                continue
            for stage in range(int(space.stage_count[k])):
                listed = not (shared[i, c] if stage == 0 else later[stage - 1, i, c])
                if listed:
                    suffix, words = ("|failed", "fails") if stage == 0 else \
                        (f"|failed@{stage + 1}", f"fails at stage {stage + 1}")
                    cells.append((f"{option}.{crit}{suffix}", f"{name} if {option} {words}", stage, i, c))
    return cells


def draw_worlds(
    space: StrategySpace,
    x: NDArray[np.bool_],
    n_draws: int,
    *,
    rng: SeedLike = None,
    weights: object = None,
    stream: int = STREAM_IN_SAMPLE,
) -> Worlds:
    """Draw ``n_draws`` worlds of strategy ``x`` (a 0/1 vector over ``space``'s options).

    ``weights``: None (the case's default profile), a profile id or explicit leaf weights (fixed
    for every world), or one of :data:`DRAWN_WEIGHTS` (each world draws its own, and they become
    inputs). Worlds are the strategies engine's scenarios of seed ``rng``: its in-sample stream
    by default, or another (``STREAM_OUT_OF_SAMPLE``: the worlds the best strategies are
    re-estimated on).
    """
    from decide.memory import check_fits
    from decide.score import resolve_weights

    arrays: CaseArrays = space.arrays
    root, seed = resolve_seed(rng)
    n_c, n_p = arrays.n_criteria, arrays.n_preconditions
    drawn = isinstance(weights, str) and weights in DRAWN_WEIGHTS and weights not in arrays.profile_ids
    if drawn:
        from decide.montecarlo.weight_sampling import sample_weights

        w_draws = sample_weights(arrays, n_draws, weights=weights, rng=block_seed_sequence(root, WEIGHT_STREAM))
        criteria = np.arange(n_c)
    else:
        w, _ = resolve_weights(arrays, weights)
        w_draws = None
        criteria = np.flatnonzero(np.asarray(w) > 0)
    cells = _outcome_cells(space, x, criteria)
    n_float = n_p + len(cells) + (n_c if drawn else 0)
    per_world = 4 * n_float + 8 * 2 + n_p
    check_fits(per_world * n_draws + scenario_bytes(arrays) * min(n_draws, _CHUNK), f"{n_draws:,} worlds",
               "draws (-n)", per_world)

    X = np.stack([x, np.zeros_like(x)])
    active = space.enablers_active(x)
    gain = np.empty(n_draws)
    value = np.empty(n_draws)
    answers = np.empty((n_draws, n_p), dtype=bool)
    floats = np.empty((n_draws, n_float), dtype=np.float32)
    start = 0
    eye = np.eye(n_c)
    for s in iter_scenarios(arrays, n_draws, rng=root, stream=stream, chunk=_CHUNK):
        stop = start + s.n_draws
        if drawn:
            # per criterion: v_c - penalty; weights summing to 1 give v.w - penalty (the model's value)
            per_criterion = scenario_values(space, X, s, eye)  # (strategy, criterion, draw)
            values = np.einsum("rcs,sc->rs", per_criterion, w_draws[start:stop])
        else:
            values = scenario_values(space, X, s, w)
        value[start:stop] = values[0]
        gain[start:stop] = values[0] - values[1]
        p = apply_enablers(s.probabilities, active, arrays)
        answers[start:stop] = s.latent < p
        floats[start:stop, :n_p] = p
        for j, (_, _, stage, i, c) in enumerate(cells):
            source = s.planned if stage < 0 else s.failure_at(stage)
            floats[start:stop, n_p + j] = source[:, i, c]
        if drawn:
            floats[start:stop, n_p + len(cells):] = w_draws[start:stop]
        start = stop

    inputs = [Input(f"P({q})", "probability", "drawn probability of yes, after the strategy's enablers")
              for q in arrays.precondition_ids]
    inputs += [Input(cid, "outcome", label) for cid, label, *_ in cells]
    if drawn:
        inputs += [Input(f"w[{c}]", "weight", f"weight of {name}") for c, name in zip(arrays.criterion_ids,
                                                                                     arrays.criterion_names)]
    varies = floats.min(axis=0) < floats.max(axis=0) if n_draws else np.zeros(n_float, dtype=bool)
    answer_varies = answers.any(axis=0) & ~answers.all(axis=0)
    keep = np.flatnonzero(varies)
    if len(keep) < n_float:
        floats = np.ascontiguousarray(floats[:, keep])
    answer_inputs = tuple(Input(q, "answer", "the answer the strategy faces") for q in arrays.precondition_ids)
    if not np.isfinite(gain).all():
        raise DecideError("the strategy's value is not finite in some worlds; check the case's scores")
    return Worlds(gain=gain, value=value, answers=answers[:, answer_varies],
                  answer_inputs=tuple(a for a, v in zip(answer_inputs, answer_varies) if v),
                  floats=floats, float_inputs=tuple(inputs[k] for k in keep), seed=seed,
                  n_dropped=int(n_float - len(keep) + (~answer_varies).sum()))
