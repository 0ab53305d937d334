"""Write a report directory: report.md and its charts, all of it or none of it (see :mod:`.outdir`)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from decide.report.outdir import write_atomically

if TYPE_CHECKING:
    from decide.spec import Case

__all__ = ["write_report", "build_report"]


def write_report(analyses, out_dir: str | Path, *, finish: Callable | None = None,
                 protect: Iterable[str | Path] = (), html: bool = False) -> Path:
    """Write ``report.md`` and its PNG charts into ``out_dir``, atomically.

    ``html``: write them as one self-contained ``report.html`` instead (:mod:`decide.report.html`).

    ``protect`` lists files (the case) whose folder the report may not replace. ``finish``, if given, completes the analyses (e.g. :func:`decide.report.build.complete_analyses`)
    while the charts that need none of what it adds are drawn in a background process.
    """
    from threadpoolctl import threadpool_limits

    import decide.arguments as arguments

    out_dir = arguments.path(out_dir, "out_dir")

    from decide.report.background import in_background, shared_queue
    from decide.report.figures import figure_jobs, load_matplotlib
    from decide.report.markdown import render_markdown

    def fill(tmp: Path) -> None:
        jobs = figure_jobs(analyses)
        load_matplotlib()  # once, before the fork, so that the child starts with it
        figures = {job.key: job.filename for job in jobs}
        # The charts that need only what the analyses hold now are shared: a child draws them
        # while the parent completes the analyses, and the parent takes whatever it has not started
        # once done. Longest first, so that neither process is left drawing a long chart alone.
        # The charts that need the completed analyses are drawn by a second child while the
        # parent writes the text.
        early = sorted((job for job in jobs if job.background), key=lambda job: -job.cost)
        late = [job for job in jobs if not job.background]
        take = shared_queue(len(early))

        def draw_early() -> None:
            while (k := take()) is not None:
                early[k].draw(tmp / early[k].filename)

        def draw_late() -> None:
            for job in late:
                job.draw(tmp / job.filename)

        # matplotlib allocates many small objects; with the analyses' hundreds of thousands of
        # objects frozen out of the collector, its collections stay cheap (10-20% of drawing),
        # and the forked child shares those pages instead of copying them.
        gc.freeze()
        try:
            # Two processes on two cores: BLAS worker threads (which spin while waiting) would
            # only take time from the other process.
            with threadpool_limits(limits=1, user_api="blas"), in_background(draw_early) as wait:
                complete = finish(analyses) if finish is not None else analyses
                with in_background(draw_late) as wait_late:
                    text = render_markdown(complete, figures)
                    draw_early()
                    wait_late()
                wait()
        finally:
            gc.unfreeze()
        (tmp / "report.md").write_text(text, encoding="utf-8")
        if html:
            from decide.report.html import html_from_report_dir

            html_from_report_dir(tmp)
        if complete.context.case_text is not None:  # a case given as an object: the report keeps it
            from decide.report.build import CASE_FILE

            (tmp / CASE_FILE).write_text(complete.context.case_text, encoding="utf-8")

    return write_atomically(out_dir, fill, protect=protect)


def build_report(case_ref: str | Path | Case, out_dir: str | Path, **kwargs) -> Path:
    """Run every analysis of a case and write its report into ``out_dir`` (atomically).

    Keyword arguments go to :func:`decide.report.build.run_analyses`. What the charts do not need
    (least change, Sobol indices, strategies) is computed while charts are drawn in a background
    process, which uses both cores.
    """
    import decide.arguments as arguments
    from decide.bundled import resolve_case
    from decide.report.build import complete_analyses, run_analyses
    from decide.report.outdir import check_output_dir

    out_dir = arguments.path(out_dir, "out_dir")
    strategies = kwargs.pop("strategies", True)
    html = kwargs.pop("html", False)
    protect = [resolve_case(case_ref)] if isinstance(case_ref, (str, Path)) else []
    check_output_dir(out_dir, protect)  # before the analyses, not after
    return write_report(run_analyses(case_ref, complete=False, **kwargs), out_dir,
                        finish=partial(complete_analyses, strategies=strategies), protect=protect, html=html)
