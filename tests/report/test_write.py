"""The report directory is written all at once or not at all."""

from pathlib import Path

import pytest

from decide.errors import DecideError
from decide.report.write import write_atomically


def _fill(text: str):
    def fill(tmp: Path) -> None:
        (tmp / "report.md").write_text(text)
        (tmp / "chart.png").write_bytes(b"png")

    return fill


def test_writes_a_new_directory(tmp_path):
    out = write_atomically(tmp_path / "rep", _fill("new"))
    assert (out / "report.md").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_replaces_an_older_report(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))
    write_atomically(tmp_path / "rep", _fill("new"))
    assert (tmp_path / "rep" / "report.md").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # no temporary leftovers


def test_failure_leaves_older_report_and_no_partial_files(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))

    def broken(tmp: Path) -> None:
        (tmp / "report.md").write_text("half")
        raise RuntimeError("chart failed")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "rep", broken)
    assert (tmp_path / "rep" / "report.md").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_failure_without_older_report_leaves_nothing(tmp_path):
    def broken(tmp: Path) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "rep", broken)
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_replace_a_directory_that_is_not_a_report(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(DecideError, match="not a decide report"):
        write_atomically(tmp_path / "mine", _fill("new"))
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_refuses_a_file_as_output(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(DecideError, match="not a directory"):
        write_atomically(tmp_path / "f", _fill("new"))
