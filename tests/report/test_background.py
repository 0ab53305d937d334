"""Charts drawn in a forked child: same report as drawn inline; failures on either side are clean."""

import os
from pathlib import Path

import pytest

from decide.errors import DecideError
from decide.report import background
from decide.report.background import in_background
from decide.report.build import run_analyses
from decide.report.write import build_report, write_report

CASE = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"
forks = pytest.mark.skipif(not background._can_fork(), reason="fork is used on Linux with 2+ cores only")


@forks
def test_work_runs_in_another_process_and_its_files_arrive(tmp_path):
    marker = tmp_path / "pid"
    with in_background(lambda: marker.write_text(str(os.getpid()))) as wait:
        wait()
    assert int(marker.read_text()) != os.getpid()


@forks
def test_child_error_is_reported_by_the_parent():
    def broken() -> None:
        raise ValueError("no such colour map")

    with pytest.raises(RuntimeError, match="(?s)drawing the charts failed.*Traceback.*ValueError: no such colour map"):
        with in_background(broken) as wait:
            wait()


@forks
def test_a_user_error_in_the_child_is_a_user_error():
    def refused() -> None:
        raise DecideError("no such profile")

    with pytest.raises(DecideError, match="drawing the charts failed: DecideError: no such profile"):
        with in_background(refused) as wait:
            wait()


@forks
def test_the_child_dies_with_its_parent(tmp_path):
    """A parent killed with SIGKILL (no cleanup runs) takes its drawing child with it."""
    import signal
    import subprocess
    import sys
    import time

    script = f"""
import os, signal, time
from pathlib import Path
from decide.report.background import in_background
def work():
    Path({str(tmp_path / 'child')!r}).write_text(str(os.getpid()))
    while True:
        time.sleep(0.05)
with in_background(work):
    while not Path({str(tmp_path / 'child')!r}).exists():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)
"""
    subprocess.run([sys.executable, "-c", script], timeout=60)
    child = int((tmp_path / "child").read_text())
    for _ in range(100):
        if not _alive(child):
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the drawing child outlived its killed parent")


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs. A killed child whose parent died is a zombie until whoever
    adopted it reaps it (in a container, PID 1 may never): dead, though signal 0 still reaches it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:  # no /proc: signal 0 is all we have
        return True
    return state not in ("Z", "X")


@forks
def test_child_that_dies_is_reported():
    with pytest.raises(DecideError, match="stopped unexpectedly"):
        with in_background(lambda: os._exit(3)) as wait:
            wait()


def test_parent_error_stops_the_child_and_leaves_no_report(tmp_path, monkeypatch):
    analyses = run_analyses(CASE, n_draws=2000, seed=3, complete=False)

    def finish(_):
        raise DecideError("budgets leave nothing to choose")

    with pytest.raises(DecideError, match="budgets leave nothing"):
        write_report(analyses, tmp_path / "rep", finish=finish)
    assert list(tmp_path.iterdir()) == []  # neither the report nor a temporary directory


def test_forked_and_inline_drawing_write_the_same_report(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    build_report(CASE, tmp_path / "forked", n_draws=5000, seed=11)
    monkeypatch.setenv("DECIDE_NO_FORK", "1")
    build_report(CASE, tmp_path / "inline", n_draws=5000, seed=11)
    write_report(run_analyses(CASE, n_draws=5000, seed=11), tmp_path / "serial")
    texts = {name: (tmp_path / name / "report.md").read_text() for name in ("forked", "inline", "serial")}
    assert texts["forked"] == texts["inline"] == texts["serial"]
    charts = sorted(p.name for p in (tmp_path / "forked").glob("*.png"))
    assert charts and charts == sorted(p.name for p in (tmp_path / "inline").glob("*.png"))


def test_a_result_computed_in_another_process_comes_back():
    from decide.report.background import computed_in_background

    with computed_in_background(lambda: {"pid": os.getpid(), "value": [1.5, 2.5]}) as computation:
        out = computation.result()
        assert computation.result() is out  # read once, kept
    assert out["value"] == [1.5, 2.5]
    if background._can_fork():
        assert out["pid"] != os.getpid()


def test_errors_computed_in_another_process_are_raised_in_the_parent(monkeypatch):
    from decide.report.background import computed_in_background

    def user_mistake():
        raise DecideError("the case says no")

    def bug():
        raise ZeroDivisionError("boom")

    for fork in (True, False):
        if not fork:
            monkeypatch.setenv("DECIDE_NO_FORK", "1")
        with computed_in_background(user_mistake) as c, pytest.raises(DecideError, match="the case says no"):
            c.result()
        with computed_in_background(bug) as c, pytest.raises((RuntimeError, ZeroDivisionError), match="boom"):
            c.result()


def test_a_child_prepares_then_computes_what_the_parent_gives_it(monkeypatch, tmp_path):
    from decide.report.background import computed_in_background

    mark = tmp_path / "prepared"
    for fork in (True, False):
        if not fork:
            monkeypatch.setenv("DECIDE_NO_FORK", "1")
        mark.unlink(missing_ok=True)
        with computed_in_background(lambda given: given * 2, prepare=lambda: mark.write_text("x")) as c:
            c.give(21)
            assert c.result() == 42
        assert mark.exists()
    # a parent that never gives leaves no child waiting
    monkeypatch.delenv("DECIDE_NO_FORK")
    with computed_in_background(lambda given: given, prepare=lambda: None):
        pass


def test_the_analyses_are_the_same_computed_beside_or_inline(monkeypatch):
    forked = run_analyses("mali-2012", n_draws=2000, seed=5)
    monkeypatch.setenv("DECIDE_NO_FORK", "1")
    inline = run_analyses("mali-2012", n_draws=2000, seed=5)
    a, b = forked.strategies.standing, inline.strategies.standing
    assert a.smaa_strategies == b.smaa_strategies and a.least_l1 == b.least_l1
    assert (a.core_index == b.core_index).all() and (a.smaa_share == b.smaa_share).all()
    assert forked.discovery.n_poor == inline.discovery.n_poor
    assert [r.words for r in forked.discovery.boxes[0].restrictions] == \
        [r.words for r in inline.discovery.boxes[0].restrictions]
