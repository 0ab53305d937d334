"""The decision model the engines share: rules written once, used by every analysis.

- :mod:`decide.model.orthant`: P(every answer in a set is yes) under the Gaussian copula.
- :mod:`decide.model.expected`: the expected-value rule of an option (goes ahead with every hard
  requirement; soft losses only where it goes ahead; failure profile otherwise).
- :mod:`decide.model.strategies`: strategies -- which sets of options may be pursued together
  (dependencies, exclusions, budgets), shared by the Monte Carlo engine and the strategy engines.
"""
