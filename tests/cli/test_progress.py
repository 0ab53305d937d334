"""Progress lines (decide/cli_progress.py): no estimate before the warm-up, then an honest one."""

from __future__ import annotations

import io
import logging
import time

from decide.cli_progress import ProgressLine, ReportProgress, StageLine, format_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_estimate_waits_for_the_warm_up_and_ignores_the_first_chunk() -> None:
    clock, out = Clock(), io.StringIO()
    line = ProgressLine(100_000, "Simulating", out, clock=clock)
    clock.now = 5.0  # the first chunk pays for compiling the kernel
    line.update(4_000)
    assert line.estimate() is None and "5 s, estimating the rest" in line.text()
    for k in range(2, 6):  # then 4,000 draws every 0.5 s
        clock.now = 5.0 + 0.5 * (k - 1)
        line.update(4_000 * k)
    left = line.estimate()
    assert left is not None and abs(left - (100_000 - 20_000) / 8_000) < 1e-9  # 10 s, not 5 s x 25 chunks
    assert "7 s, about 10 s left" in line.text()
    line.close()
    assert out.getvalue().endswith("\x1b[1A\x1b[2KSimulating: 20,000 of 100,000 in 7 s\n")


def test_format_seconds() -> None:
    assert [format_seconds(s) for s in (0.4, 59, 61, 3_700)] == ["0 s", "59 s", "1 min 01 s", "1 h 01 min"]


def test_stage_line_names_what_finished() -> None:
    out = io.StringIO()
    with StageLine("Analyses", out) as stages:
        stages.done("sobol", 2.5)
        stages.stage("charts")
        assert "Analyses: charts" in stages.text() and "sobol 2.5 s" in stages.text()


def test_report_progress_hears_stage_times_without_printing_them(caplog) -> None:
    out = io.StringIO()
    log = logging.getLogger("decide.report.build")
    with ReportProgress(10, out) as progress:
        progress.update(10)
        log.info("%s: %.2f s", "least change", 0.25)
        assert "least change 0.2 s" in progress.stages.text() or "least change 0.3 s" in progress.stages.text()
        time.sleep(0.01)
    assert log.level == logging.NOTSET and log.propagate
