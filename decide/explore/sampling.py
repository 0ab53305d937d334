"""The sampling plan: each experiment's parameter values, from the design's seed.

Latin hypercube and scrambled Sobol' points come from :mod:`scipy.stats.qmc`, seeded with the
design's seed (its root seed sequence; experiments draw from its spawn children, so the plan and
the experiments never share a stream); a full factorial lists every combination, the first
parameter varying slowest. The plan depends on the design alone, never on where experiments run.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from decide.explore.design import Design

__all__ = ["sampling_plan", "experiment_seed"]


def sampling_plan(design: Design) -> list[dict[str, Any]]:
    """One mapping ``{parameter id: value}`` per experiment, in experiment order."""
    parameters = design.parameters
    if design.sampling == "factorial":
        return [dict(zip(design.parameter_ids, combo)) for combo in itertools.product(*(p.grid() for p in parameters))]
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(design.seed))
    d = len(parameters)
    if design.sampling == "lhs":
        units = qmc.LatinHypercube(d=d, rng=rng).random(design.experiments)
    else:
        sobol = qmc.Sobol(d=d, scramble=True, rng=rng)
        m = int(np.ceil(np.log2(max(design.experiments, 1))))
        with warnings.catch_warnings():  # balance needs 2**m points: draw them and keep the first n
            warnings.simplefilter("ignore")
            units = sobol.random_base2(m)[: design.experiments]
    return [{p.id: p.from_unit(float(u[j])) for j, p in enumerate(parameters)} for u in units]


def experiment_seed(design_seed: int, experiment: int, stream: int) -> np.random.SeedSequence:
    """The seed of one engine run of one experiment: the design seed's spawn child
    ``(experiment, stream)`` (stream 0: the simulation, 1: the strategy search), so an experiment's
    numbers depend on its index alone, not on where or in which order it ran."""
    return np.random.SeedSequence(design_seed, spawn_key=(experiment, stream))
