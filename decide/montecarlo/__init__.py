"""The Monte Carlo engine: :func:`simulate` a case, with every estimate's Monte Carlo standard error.

How to change the model
-----------------------
Modules, lowest first (each imports only those above it):

- :mod:`~decide.montecarlo.streams` -- seeds, blocks' seed sequences, SFC64 lanes;
- :mod:`~decide.montecarlo.special` -- inverse normal CDF, tabulated normal CDF, Mills' ratio;
- :mod:`~decide.montecarlo.beta` -- tabulated Beta inverse CDFs (PERT, Beta probabilities);
- :mod:`~decide.montecarlo.distributions` -- per-kind inverse CDFs, cell tables, :class:`ScoreSampler`;
- :mod:`~decide.montecarlo.world` -- probabilities of yes, enablers, the copula factor;
- :mod:`~decide.montecarlo.weights` -- weight samplers, hit-and-run;
- :mod:`~decide.montecarlo.model` -- :class:`Model`, the case as the kernel's arrays (:func:`build_model`);
- :mod:`~decide.montecarlo.state` -- compile options, :class:`Sums`, :class:`Scratch`, :class:`Accumulator`;
- :mod:`~decide.montecarlo.outcomes`, :mod:`~decide.montecarlo.accumulate`, :mod:`~decide.montecarlo.stages`
  -- the numba stages and :func:`run_chunk`, which runs them;
- :mod:`~decide.montecarlo.estimates` -- estimates and MCSEs from an accumulator;
- :mod:`~decide.montecarlo.driver` -- :func:`simulate`: blocks, threads, QMC, the confidence pass.

The stages, in the order :func:`~decide.montecarlo.stages.run_chunk` runs them on each sub-block of
128 draws (every stage a loop over the sub-block's draws, innermost, so that it vectorises):

1. ``_uniforms`` -- the head slots' uniforms (weights, probabilities, latent answers);
2. ``_weights`` -- each draw's weights (skipped in the confidence pass);
3. ``_world`` -- probabilities of yes, thresholds per enabler variant, latent uniforms (copula);
4. ``_answers`` -- each alternative's answers, hard noes and soft penalties;
5. ``_strategy_viability`` -- which components of a strategy row fail (with a strategy only);
6. ``_start_values`` -- values start at minus the penalties;
7. ``_outcomes`` -- each option's outcomes (drawing its cells' uniforms), valued, weighted in;
8. ``_strategy_outcomes`` -- a strategy row's outcomes from its components' (with a strategy only);
9. ``_accumulate`` (main pass) or ``_confidence`` (confidence pass) -- into the block's sums.

To add a distribution kind: its schema in :mod:`decide.spec` and its code and parameters in
:mod:`decide.compile` (``KIND_CODES``, ``_score_params``); then, in
:mod:`~decide.montecarlo.distributions`, its code constant, its parameters in ``cell_tables`` (at
most ``N_PARAMS``), a scalar inverse CDF compiled ``inline="always"`` and its branch in
``draw_cell`` (the scenarios' and tests' path); and one loop over the draws calling that inverse
CDF in ``_outcomes`` (:mod:`~decide.montecarlo.outcomes`), beside the other kinds'. A kind whose
outcomes are all one value draws no uniform (see ``POINT`` in :func:`build_model`).

To add an output: a field in :class:`Sums` with its docstring and shape (``new_sums``; the
:class:`Accumulator` merges every field by addition), the sums in ``_accumulate``
(:mod:`~decide.montecarlo.accumulate`), the estimate in ``_estimates`` and its MCSE in
``_mc_standard_errors`` (:mod:`~decide.montecarlo.estimates`; with QMC the replicates' spread is
taken for every estimate), and its description in :class:`~decide.results.SimulationResult`.

Names with a leading underscore are internal to the package; the kernel's stages are addressed by
tests and ``benchmarks/bench_kernel_stages.py``.
"""

from decide.montecarlo.driver import BLOCK_SIZE as BLOCK_SIZE
from decide.montecarlo.driver import INFLUENCE_DRAWS as INFLUENCE_DRAWS
from decide.montecarlo.driver import MAX_DRAWS as MAX_DRAWS
from decide.montecarlo.driver import QMC_REPLICATES as QMC_REPLICATES
from decide.montecarlo.driver import SEED as SEED
from decide.montecarlo.driver import STRATEGY_ID as STRATEGY_ID
from decide.montecarlo.driver import simulate as simulate
from decide.montecarlo.model import HISTOGRAM_BINS as HISTOGRAM_BINS
from decide.montecarlo.state import Accumulator as Accumulator

__all__ = ["simulate", "STRATEGY_ID", "SEED", "BLOCK_SIZE", "HISTOGRAM_BINS", "QMC_REPLICATES", "MAX_DRAWS",
           "INFLUENCE_DRAWS", "Accumulator"]
