"""Write a report directory atomically: all of it or none of it, never a half-overwritten one."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from decide.errors import DecideError

__all__ = ["write_atomically", "write_report", "build_report"]


def write_atomically(out_dir: str | Path, fill: Callable[[Path], None]) -> Path:
    """Call ``fill(tmp)`` to write into a fresh sibling directory, then swap it into ``out_dir``.

    If ``fill`` raises, the temporary directory is removed and any older report in ``out_dir`` is
    left as it was. An existing ``out_dir`` is replaced only if it looks like a decide report
    (holds ``report.md``) or is empty, so a mistyped path cannot wipe unrelated files.
    """
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise DecideError(f"{out_dir} exists and is not a directory; choose another output directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "report.md").exists():
        raise DecideError(f"{out_dir} holds files that are not a decide report; "
                          "choose an empty or new output directory")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise DecideError(f"cannot create the output directory next to {out_dir}: {exc.strerror}") from None
    try:
        fill(tmp)
        os.chmod(tmp, 0o755)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            os.replace(out_dir, old / "report")
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def write_report(analyses, out_dir: str | Path, *, finish: Callable | None = None) -> Path:
    """Write ``report.md`` and its PNG charts into ``out_dir``, atomically.

    ``finish``, if given, completes the analyses (e.g. :func:`decide.report.build.complete_analyses`)
    while half of the charts are drawn in a background process; no chart needs what it adds.
    """
    from threadpoolctl import threadpool_limits

    from decide.report.background import in_background
    from decide.report.figures import figure_jobs, load_matplotlib
    from decide.report.markdown import render_markdown

    def fill(tmp: Path) -> None:
        jobs = figure_jobs(analyses)
        load_matplotlib()  # once, before the fork, so that the child starts with it

        def draw(background: bool) -> None:
            for job in jobs:
                if job.background == background:
                    job.draw(tmp / job.filename)

        # matplotlib allocates many small objects; with the analyses' hundreds of thousands of
        # objects frozen out of the collector, its collections stay cheap (10-20% of drawing),
        # and the forked child shares those pages instead of copying them.
        gc.freeze()
        try:
            # Two processes on two cores: BLAS worker threads (which spin while waiting) would
            # only take time from the other process.
            with threadpool_limits(limits=1, user_api="blas"), in_background(lambda: draw(True)) as wait:
                complete = finish(analyses) if finish is not None else analyses
                draw(False)
                wait()
        finally:
            gc.unfreeze()
        figures = {job.key: job.filename for job in jobs}
        (tmp / "report.md").write_text(render_markdown(complete, figures), encoding="utf-8")

    return write_atomically(out_dir, fill)


def build_report(case_ref: str | Path, out_dir: str | Path, **kwargs) -> Path:
    """Run every analysis of a case and write its report into ``out_dir`` (atomically).

    Keyword arguments go to :func:`decide.report.build.run_analyses`. What the charts do not need
    (least change, Sobol indices, strategies) is computed while charts are drawn in a background
    process, which uses both cores.
    """
    from decide.report.build import complete_analyses, run_analyses

    strategies = kwargs.pop("strategies", True)
    return write_report(run_analyses(case_ref, complete=False, **kwargs), out_dir,
                        finish=partial(complete_analyses, strategies=strategies))
