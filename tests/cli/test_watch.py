"""``decide report --watch``: a new report after each save; a broken save is reported, not fatal."""

from pathlib import Path

import pytest

from decide.cli import _watch_report
from decide.report.watch import watch
from decide.report.write import build_report

CASE = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"


def script(steps):
    """A fake ``sleep`` that runs one step per poll, and a ``stop`` true once the steps are used up."""
    steps = list(steps)

    def sleep(_seconds: float) -> None:
        if steps:
            steps.pop(0)()

    return sleep, (lambda: not steps)


def test_calls_once_at_start_and_once_per_change(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("a: 1\n")
    calls = []
    sleep, stop = script([
        lambda: None,                                   # no change: no call
        lambda: case.write_text("a: 22\n"),              # a save
        lambda: case.unlink(),                           # an editor's rename in progress: no call
        lambda: case.write_text("a: 333\n"),             # the new file appears
        lambda: None,
    ])
    n = watch(case, lambda: calls.append(case.read_text()), interval=0.0, stop=stop, sleep=sleep)
    assert calls == ["a: 1\n", "a: 22\n", "a: 333\n"] and n == 3


@pytest.mark.slow  # two full reports
def test_a_broken_save_is_reported_and_the_report_kept(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    good = CASE.read_text()
    case.write_text(good)
    out = tmp_path / "report"

    def write():
        return build_report(case, out, n_draws=2000, seed=1)

    reports = []
    sleep, stop = script([
        lambda: reports.append((out / "report.md").read_text()),
        lambda: case.write_text(good.replace("rho: 0.4", "rho: 1.4")),   # broken save
        lambda: reports.append((out / "report.md").read_text()),
        lambda: case.write_text(good + "\n"),                            # fixed (and changed)
        lambda: reports.append((out / "report.md").read_text()),
    ])
    calls = _watch_report(str(case), write, interval=0.0, stop=stop, sleep=sleep)
    captured = capsys.readouterr()
    assert calls == 3
    assert captured.out.count("Wrote ") == 2 and "watching" in captured.out
    assert "correlations[0].rho" in captured.err and "the previous report is unchanged" in captured.err
    assert reports[0] == reports[1]  # the broken save left the report as it was


def test_a_bug_during_a_rebuild_is_printed_and_the_watcher_goes_on(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text(CASE.read_text())
    attempts = []

    def write():
        attempts.append(1)
        if len(attempts) == 1:
            raise ZeroDivisionError("a bug in an analysis")
        return tmp_path / "report"

    sleep, stop = script([lambda: case.write_text(CASE.read_text() + "\n"), lambda: None])
    calls = _watch_report(str(case), write, interval=0.0, stop=stop, sleep=sleep)
    captured = capsys.readouterr()
    assert calls == 2
    assert "Traceback" in captured.err and "ZeroDivisionError: a bug in an analysis" in captured.err
    assert "waiting for the next save" in captured.err and captured.out.count("Wrote ") == 1
