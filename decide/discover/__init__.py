"""Scenario discovery: in which worlds a strategy does poorly, and what those worlds share.

:func:`decide.discover` (:func:`decide.discover.core.discover`) draws the worlds of a strategy (default: the recommended one), marks those where
it gains too little over doing nothing, and finds PRIM boxes over the uncertain inputs -- every
precondition's answer under the strategy's enablers, the drawn probabilities, the drawn outcomes
that reach its value, and the weights where they are drawn.

PRIM itself is the EMA Workbench's (``ema_workbench.analysis.prim``), not a copy. Compared with
the standalone ``prim`` package (Project Platypus, a 2024 fork of the same EMA code):

- licence: EMA is BSD-3-Clause, like decide's MIT compatible; ``prim`` is GPL-3.0;
- maintenance: EMA is released regularly (3.0 in 2026, for Python 3.12+; 2.5 on 3.11), ``prim``
  had one release in 2024;
- speed (100,000 worlds, 12 answers and 40 real inputs, one box): EMA 1.9 s with categorical
  answers (3.6 s with 0/1 integers), ``prim`` 5.6 s with 0/1 integers;
- binary inputs: EMA peels a categorical input one category at a time, so an answer is restricted
  to ``no`` in one step, and computes quasi-p-values for it; ``prim``'s inspection of categorical
  inputs fails under pandas 3 (integers work);
- weight: EMA pulls in scikit-learn, statsmodels, seaborn and the Platypus optimisation library
  (GPL-3.0, which EMA imports but which this module never calls) and takes 2-5 s to import; ``prim``
  only mplcursors. decide imports EMA only when ``discover`` runs.

Modules: :mod:`~decide.discover.worlds` (the worlds and their inputs, from the strategies engine),
:mod:`~decide.discover.boxes` (EMA's PRIM in, boxes out), :mod:`~decide.discover.core` (``discover``
and its result), :mod:`~decide.discover.figures` (the trajectory chart), :mod:`~decide.discover.text`
(the command line's output), :mod:`~decide.discover.report` (the report's section).

This ``__init__`` imports nothing: ``import decide`` imports it before binding the function
``decide.discover`` (see :mod:`decide`), so that importing a submodule later never rebinds the name.
Because ``decide.discover`` is that function, reach the modules with ``from decide.discover.boxes
import find_boxes`` (or ``from decide.discover import boxes``), not ``import decide.discover.boxes
as boxes``, which looks the name up as an attribute and finds the function.
"""
