"""The report: every analysis of a case, run once from one seed, written as Markdown with charts.

Call it as :func:`decide.write_report` (or ``decide report CASE -o DIR``). This package keeps no
function of its own name: ``decide.report`` is this package, and importing any of its modules
changes nothing at the top level. :mod:`~decide.report.build` runs the analyses,
:mod:`~decide.report.markdown` renders the text, :mod:`~decide.report.figures` draws the charts
(on Agg figures pyplot never sees, with the report's style only while drawing),
:mod:`~decide.report.write` writes the directory atomically (:mod:`~decide.report.outdir`).
"""
