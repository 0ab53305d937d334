"""One ``--weights`` vocabulary for the command line (issue 18), and profiles side by side.

Every command takes a profile id, or None for the case's default profile. Where weights are
drawn (simulate, report, discover) it also takes ``imprecise``, ``uniform`` and ``profiles``;
``score`` takes them too, as the expected value under those drawn weights: the value is linear
in the weights, so that is the value at their mean (equal weights for ``uniform``, the centroid of
the admissible set for ``imprecise``), and ``profiles`` puts every profile side by side. ``score``
and ``simulate`` take ``A,B`` to compare profiles side by side; ``strategies`` takes
``maximin`` and ``minimax_regret`` (robust across the profiles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click
import numpy as np
import pandas as pd

from decide.errors import DecideError
from decide.weighting import DRAWN_WEIGHTS, ROBUST_WEIGHTS

__all__ = ["WeightsChoice", "parse_weights", "SCORE_WEIGHTS_HELP", "SIMULATE_WEIGHTS_HELP", "profile_leaders"]

SCORE_WEIGHTS_HELP = ("A profile id (default: the case's); A,B or 'profiles' (every profile) side by side; "
                      "'uniform' or 'imprecise': the expected value under weights drawn uniformly on the simplex or "
                      "over the case's imprecise statements (the value at their mean weights).")
SIMULATE_WEIGHTS_HELP = ("A profile id (default: the case's); 'imprecise' (uniform over the case's imprecise "
                         "statements), 'uniform' (uniform on the simplex) or 'profiles' (each draw a profile); "
                         "A,B: one run per profile, side by side.")
CENTROID_DRAWS = 20_000


@dataclass(frozen=True)
class WeightsChoice:
    """What ``--weights`` asked for: one run (``weights`` for the engine) or profiles to compare."""

    weights: Any = None
    label: str | None = None
    compare: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def parse_weights(text: str | None, arrays: Any, command: str) -> WeightsChoice:
    """Read ``--weights`` for ``command`` (score or simulate) against the case's profiles."""
    if text is None:
        return WeightsChoice()
    names = [t.strip() for t in text.split(",") if t.strip()]
    profiles = list(arrays.profile_ids)
    if len(names) > 1 or (command == "score" and names == ["profiles"]):
        chosen = profiles if names == ["profiles"] else names
        unknown = [n for n in chosen if n not in profiles]
        if unknown:
            raise click.BadParameter(f"{', '.join(unknown)}: not a profile of the case (profiles: "
                                     f"{', '.join(profiles) or 'none'})", param_hint="--weights")
        if not chosen:
            raise DecideError("the case has no weight profiles to compare")
        return WeightsChoice(compare=tuple(dict.fromkeys(chosen)))
    name = names[0] if names else ""
    if name in ROBUST_WEIGHTS:
        raise click.BadParameter(f"{name} chooses strategies robustly across profiles: decide strategies "
                                 f"--weights {name}; {command} takes a profile id, A,B, {', '.join(DRAWN_WEIGHTS)}",
                                 param_hint="--weights")
    if command == "score" and name == "uniform":
        n = len(arrays.criterion_ids)
        return WeightsChoice(np.full(n, 1.0 / n), "uniform", notes=(
            "weights uniform on the simplex: the expected value is the value at their mean, equal weights "
            "(the value is linear in the weights)",))
    if command == "score" and name == "imprecise":
        from decide.montecarlo.weight_sampling import sample_weights
        from decide.seeds import DEFAULT_SEED

        centroid = sample_weights(arrays, CENTROID_DRAWS, weights="imprecise", rng=DEFAULT_SEED).mean(axis=0)
        return WeightsChoice(centroid / centroid.sum(), "imprecise", notes=(
            f"weights uniform over the imprecise statements: the value at their centroid (mean of "
            f"{CENTROID_DRAWS:,} hit-and-run draws, seed {DEFAULT_SEED}; the value is linear in the weights)",))
    return WeightsChoice(name, name)


def profile_leaders(values: pd.DataFrame) -> pd.DataFrame:
    """Per profile (a column of expected values by option): the leader, the runner-up and the margin."""
    rows = []
    for profile in values.columns:
        ranked = values[profile].astype(float).sort_values(ascending=False, kind="stable")
        rows.append({"profile": profile, "leader": ranked.index[0], "value": ranked.iloc[0],
                     "runner_up": ranked.index[1] if len(ranked) > 1 else None,
                     "margin": ranked.iloc[0] - ranked.iloc[1] if len(ranked) > 1 else np.nan})
    return pd.DataFrame(rows).set_index("profile")


def side_by_side(values: dict[str, pd.Series]) -> pd.DataFrame:
    """Expected values (or means) by option under each profile, sorted by the first, with rank spreads."""
    frame = pd.DataFrame(values)
    first = frame.columns[0]
    frame = frame.sort_values(first, ascending=False, kind="stable")
    ranks = frame.rank(ascending=False, method="min").astype(int)
    frame["rank_spread"] = [f"{lo}-{hi}" if lo != hi else f"{lo}" for lo, hi in
                            zip(ranks.min(axis=1), ranks.max(axis=1))]
    return frame
