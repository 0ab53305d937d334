"""A bug in the chart-drawing process reaches the user with its traceback, not as a one-line user error."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import decide
from decide.report import figures
from decide.report.background import in_background

CASE_FILE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"


def _broken_chart(path: Path) -> None:
    raise ZeroDivisionError("a bug in a chart")


@pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2, reason="charts are drawn in a forked child")
def test_a_bug_in_the_drawing_process_keeps_its_traceback() -> None:
    with pytest.raises(RuntimeError) as raised, in_background(lambda: _broken_chart(Path("x.png"))) as wait:
        wait()
    assert not isinstance(raised.value, decide.DecideError)  # a bug, not the user's mistake
    message = str(raised.value)
    assert "Traceback" in message and "ZeroDivisionError: a bug in a chart" in message and "_broken_chart" in message


def test_a_bug_in_a_report_chart_is_not_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = figures.figure_jobs

    def jobs_with_a_bug(a):
        return original(a) + [figures.FigureJob("broken", "broken.png", _broken_chart, background=True)]

    monkeypatch.setattr(figures, "figure_jobs", jobs_with_a_bug)
    with pytest.raises((RuntimeError, ZeroDivisionError)) as raised:
        decide.write_report(CASE_FILE, tmp_path / "r", n_draws=500, sobol_n=16, rng=1, strategies=False)
    assert not isinstance(raised.value, decide.DecideError)
    assert "a bug in a chart" in str(raised.value)
    assert not (tmp_path / "r").exists()  # never a partly written report
