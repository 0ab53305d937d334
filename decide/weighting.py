"""How a caller chooses the weights: a stakeholder profile's id, or a keyword for a way of drawing them.

``weights=`` takes, everywhere it appears:

- ``None``: the case's default profile (or its criteria's own weights when it has no profile);
- a profile id from the case's ``weights.profiles``;
- in the simulation and the report, a :data:`DrawnWeights` keyword: ``"imprecise"`` (uniform over
  the case's imprecise statements), ``"uniform"`` (uniform on the simplex, SMAA) or
  ``"profiles"`` (each draw a profile chosen uniformly);
- in the strategies, a :data:`RobustWeights` keyword: ``"maximin"`` or ``"minimax_regret"`` over
  the profiles (or explicit leaf weights).

The keywords are reserved (:data:`RESERVED_PROFILE_IDS`): validation refuses a profile with one of
these ids, so a name always means the same thing, whichever function reads it first.

This module imports nothing of decide's, so the schema checks and every engine may use it.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = ["DrawnWeights", "RobustWeights", "WeightKeyword", "DRAWN_WEIGHTS", "ROBUST_WEIGHTS",
           "RESERVED_PROFILE_IDS"]

DrawnWeights = Literal["imprecise", "uniform", "profiles"]
"""Keywords for weights drawn afresh in each Monte Carlo draw."""
RobustWeights = Literal["maximin", "minimax_regret"]
"""Keywords for strategies chosen robustly across the stakeholder profiles."""
WeightKeyword = Literal[DrawnWeights, RobustWeights]

DRAWN_WEIGHTS: Final[tuple[str, ...]] = get_args(DrawnWeights)
ROBUST_WEIGHTS: Final[tuple[str, ...]] = get_args(RobustWeights)
RESERVED_PROFILE_IDS: Final = frozenset(DRAWN_WEIGHTS + ROBUST_WEIGHTS)
"""Ids a weight profile may not take: each is a keyword of ``weights=``."""
