"""Strategy selection as a mixed-integer program (Pyomo, solved by HiGHS).

Modules, lowest first (each imports only those before it):

- :mod:`~decide.optimise.milp.spec` -- a MILP as arrays; products of option binaries as columns;
- :mod:`~decide.optimise.milp.terms` -- value pieces of the capped outcome, soft penalties, outcome bounds;
- :mod:`~decide.optimise.milp.model` -- the formulation: :func:`~decide.optimise.milp.model.strategy_spec`;
- :mod:`~decide.optimise.milp.pyomo_model` -- the spec as a Pyomo model, one HiGHS solve;
- :mod:`~decide.optimise.milp.search` -- best strategies within one time limit
  (:func:`~decide.optimise.milp.search.solve_strategies`).

Pyomo is imported only inside the functions that build or solve a model.
"""
