"""Optimisation: the best strategy (set of options), its core index, and the weight-space LPs.

Strategies (DESIGN.md, "Strategies"), lowest first, each module importing only those before it:

- :mod:`decide.model.strategies` (below this package, shared with the Monte Carlo engine) -- the
  strategy space and its rules: dependencies, exclusions, budgets;
- :mod:`~decide.optimise.scenarios` -- scenarios drawn once, shared by every strategy;
- :mod:`~decide.optimise.evaluator`, :mod:`~decide.optimise.evaluate` -- strategies' values;
- :mod:`~decide.optimise.objectives` -- expected value, maximin, minimax regret;
- :mod:`~decide.optimise.enumeration` and :mod:`~decide.optimise.milp` -- the two searches;
- :mod:`~decide.optimise.strategy_result`, :mod:`~decide.optimise.out_of_sample`,
  :mod:`~decide.optimise.strategy` (:func:`~decide.optimise.strategy.optimise_strategies`);
- :mod:`~decide.optimise.core_index`, :mod:`~decide.optimise.compare` -- on top of them.

Weights: :mod:`~decide.optimise.weight_lp` (least change, potential optimality, dominance) on
:mod:`~decide.optimise.solve` (HiGHS through Pyomo).

Nothing is imported here: importing one module pays for no other (Pyomo in particular).
"""
