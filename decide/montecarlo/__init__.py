"""The Monte Carlo engine: :func:`simulate` a case, with every estimate's Monte Carlo standard error.

How to change the model
-----------------------
Modules, lowest first (each imports only those above it):

- :mod:`~decide.montecarlo.streams` -- seeds, blocks' seed sequences, SFC64 lanes;
- :mod:`~decide.montecarlo.special` -- inverse normal CDF, tabulated normal CDF, Mills' ratio;
- :mod:`~decide.montecarlo.beta` -- tabulated Beta inverse CDFs (PERT, Beta probabilities);
- :mod:`~decide.montecarlo.distributions` -- per-kind inverse CDFs, cell tables, ``ScoreSampler``;
- :mod:`~decide.montecarlo.world` -- probabilities of yes, enablers, the copula factor;
- :mod:`~decide.montecarlo.weight_sampling` -- weight samplers, hit-and-run;
- :mod:`~decide.montecarlo.model` -- ``Model``, the case as the kernel's arrays (``build_model``);
- :mod:`~decide.montecarlo.state` -- compile options, ``Sums``, ``Scratch`` (grouped by stage), ``Accumulator``;
- :mod:`~decide.montecarlo.entries` -- compiled units called through their entry points;
- :mod:`~decide.montecarlo.outcomes`, :mod:`~decide.montecarlo.accumulate`,
  :mod:`~decide.montecarlo.stages` -- the numba stages, and ``run_chunk``, which runs them;
- :mod:`~decide.montecarlo.estimates` -- estimates and MCSEs from an accumulator;
- :mod:`~decide.montecarlo.driver` -- ``simulate``: blocks, threads, QMC, the confidence pass;
- :mod:`~decide.montecarlo.caching` -- numba's cache stamped with all of the kernel's sources (a
  compiled stage embeds the stages it calls, from other files: an edit to one recompiles all).

The stages, in the order :func:`~decide.montecarlo.stages.run_chunk` runs them on each sub-block of
128 draws (every stage a loop over the sub-block's draws, innermost, so that it vectorises; each
writes one group of :class:`~decide.montecarlo.state.Scratch`, named after it):

1. ``_uniforms`` -- the head slots' uniforms (weights, probabilities, latent answers): ``u``;
2. ``_weights`` -- each draw's weights (not in the confidence pass): ``weights``;
3. ``_world`` -- probabilities of yes, thresholds per enabler variant, latent uniforms: ``world``;
4. ``_answers`` -- each alternative's answers, hard noes, the outcome that applies (planned, or the
   failure profile of the first stage with a hard no) and soft penalties: ``answers``;
5. ``_strategy_viability`` -- which outcome each component of a strategy row scores (with a strategy): ``strategy``;
6. ``_start_values`` -- values start at minus the penalties: ``scored``; ``_common_errors`` -- each
   common-mode criterion's shared normal error: ``cells.cmz``;
7. ``_outcomes`` -- each option's outcomes, cell by cell (drawing the cells' uniforms), valued and
   weighted in: ``cells`` (its work arrays) and ``scored``;
8. ``_strategy_outcomes`` -- a strategy row's outcomes from its components' (with a strategy);
9. ``_accumulate`` (main pass: into the block's :class:`~decide.montecarlo.state.Sums`, with the
   work arrays ``ranks``) or ``_confidence`` (confidence pass).

Each stage is a compiled unit of its own (but ``_uniforms``, inlined), which ``run_chunk`` calls
through its entry point (:mod:`~decide.montecarlo.entries`): numba compiles it once, and only
when a run needs it, instead of compiling it on its own and again inside ``run_chunk`` (the cold
start; ``benchmarks/bench_cold_start.py``).

A stage takes the groups it reads and writes. Its inlined parts (``inline="always"``, e.g.
``_value_moments`` in :mod:`~decide.montecarlo.accumulate`) take arrays and scalars, never the
model or a group: numba reference-counts every array a part takes at every call, which per cell
of ``_outcomes`` cost more than the arithmetic (see its docstring). Stages keep the compile
options they have (``KERNEL``, and ``fastmath`` where stated, each for a measured reason).

To add a distribution kind (``lognormal`` was added so): its schema class in :mod:`decide.spec`
(fields, checks, ``summary()`` -- its ``(low, centre, high, extra)`` parameters and central value --
and ``describe()``), its name at the end of ``SCORE_KINDS`` (its code follows); then, in
:mod:`~decide.montecarlo.distributions`, its code constant, its parameters in ``cell_tables`` (at
most ``N_PARAMS``), a scalar inverse CDF and its branch in ``draw_cell``. Every engine then reads
it: the kernel's outcome stage calls ``draw_cell`` for a kind it has no loop of its own for
(:mod:`~decide.montecarlo.outcomes`; write one only where a benchmark says the kind is hot), the
scenarios draw with ``ScoreSampler``, the gap model behind Sobol and the tornado with ``cell_ppf``,
``decide score`` uses the central value, the evidence appendix ``describe()``. A kind whose
outcomes are all one value draws no uniform (see ``POINT`` in :func:`~decide.montecarlo.model.build_model`).

To add an output: a field in :class:`~decide.montecarlo.state.Sums` with its docstring and shape
(``new_sums``; the :class:`Accumulator` merges every field by addition, ``v_range`` by min and max),
its sums in ``_accumulate`` (:mod:`~decide.montecarlo.accumulate`; a part of its own if it is
more than a few lines), the estimate in ``_estimates`` and its MCSE in ``_mc_standard_errors``
(:mod:`~decide.montecarlo.estimates`; with QMC the replicates' spread is taken for every
estimate), and its description in :class:`~decide.results.SimulationResult`.

Names with a leading underscore are internal to the package (the stages are addressed by tests
and ``benchmarks/bench_kernel_stages.py``).
"""

from decide.montecarlo import caching as _caching

_caching.install()  # first: a kernel function chooses its cache locator when it is defined

from decide.montecarlo.driver import BLOCK_SIZE as BLOCK_SIZE
from decide.montecarlo.driver import INFLUENCE_DRAWS as INFLUENCE_DRAWS
from decide.montecarlo.driver import MAX_DRAWS as MAX_DRAWS
from decide.montecarlo.driver import QMC_REPLICATES as QMC_REPLICATES
from decide.montecarlo.driver import STRATEGY_ID as STRATEGY_ID
from decide.montecarlo.driver import simulate as simulate
from decide.montecarlo.model import HISTOGRAM_BINS as HISTOGRAM_BINS
from decide.montecarlo.state import Accumulator as Accumulator

__all__ = ["simulate", "STRATEGY_ID", "BLOCK_SIZE", "HISTOGRAM_BINS", "QMC_REPLICATES", "MAX_DRAWS",
           "INFLUENCE_DRAWS", "Accumulator"]
