"""The report directory is written all at once or not at all, and only over what decide wrote."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from decide.errors import DecideError
from decide.report.outdir import MANIFEST, write_atomically


def _fill(text: str):
    def fill(tmp: Path) -> None:
        (tmp / "report.md").write_text(text)
        (tmp / "chart.png").write_bytes(b"png")

    return fill


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_a_new_directory_with_its_manifest(tmp_path):
    out = write_atomically(tmp_path / "rep", _fill("new"))
    assert (out / "report.md").read_text() == "new"
    assert _names(out) == [MANIFEST, "chart.png", "report.md"]
    assert _names(tmp_path) == ["rep"]


def test_replaces_an_older_report(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))
    write_atomically(tmp_path / "rep", _fill("new"))
    assert (tmp_path / "rep" / "report.md").read_text() == "new"
    assert _names(tmp_path) == ["rep"]  # no temporary leftovers


def test_fills_an_empty_directory(tmp_path):
    (tmp_path / "rep").mkdir()
    write_atomically(tmp_path / "rep", _fill("new"))
    assert (tmp_path / "rep" / "report.md").read_text() == "new"


def test_failure_leaves_older_report_and_no_partial_files(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))

    def broken(tmp: Path) -> None:
        (tmp / "report.md").write_text("half")
        raise RuntimeError("chart failed")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "rep", broken)
    assert (tmp_path / "rep" / "report.md").read_text() == "old"
    assert _names(tmp_path) == ["rep"]


def test_failure_without_older_report_leaves_nothing(tmp_path):
    def broken(tmp: Path) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "rep", broken)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_a_message_and_the_old_report_stays(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))

    def full(tmp: Path) -> None:
        (tmp / "report.md").write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(DecideError, match="no space left on the device.*unchanged"):
        write_atomically(tmp_path / "rep", full)
    assert (tmp_path / "rep" / "report.md").read_text() == "old"
    assert _names(tmp_path) == ["rep"]


def test_a_users_draft_report_md_is_never_replaced(tmp_path):
    """The data-loss bug: any folder holding a report.md used to be deleted whole."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.md").write_text("# my draft")
    (mine / "notes.txt").write_text("keep me")
    (mine / "sub").mkdir()
    with pytest.raises(DecideError, match="not written by decide"):
        write_atomically(mine, _fill("new"))
    assert (mine / "report.md").read_text() == "# my draft"
    assert (mine / "notes.txt").read_text() == "keep me"
    assert (mine / "sub").is_dir()
    assert _names(tmp_path) == ["mine"]


def test_a_file_added_to_a_report_is_kept_and_named(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))
    (tmp_path / "rep" / "comments.txt").write_text("mine")
    with pytest.raises(DecideError, match=r"comments\.txt: decide did not write"):
        write_atomically(tmp_path / "rep", _fill("new"))
    assert (tmp_path / "rep" / "comments.txt").read_text() == "mine"
    assert (tmp_path / "rep" / "report.md").read_text() == "old"


def test_an_edited_report_is_not_overwritten(tmp_path):
    write_atomically(tmp_path / "rep", _fill("old"))
    (tmp_path / "rep" / "report.md").write_text("old, with my edits")
    with pytest.raises(DecideError, match=r"report\.md: were changed since decide wrote them"):
        write_atomically(tmp_path / "rep", _fill("new"))
    assert (tmp_path / "rep" / "report.md").read_text() == "old, with my edits"


def test_the_case_folder_is_refused(tmp_path):
    case = tmp_path / "proj" / "case.yaml"
    case.parent.mkdir()
    case.write_text("id: x")
    for target in (case.parent, tmp_path):  # the folder and an ancestor of it
        with pytest.raises(DecideError, match="holds the case file"):
            write_atomically(target, _fill("new"), protect=[case])
    assert case.read_text() == "id: x"


def test_the_working_directory_is_refused(tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    with pytest.raises(DecideError, match="working directory"):
        write_atomically(".", _fill("new"))
    assert _names(tmp_path) == ["here"]


def test_refuses_a_file_as_output(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(DecideError, match="not a directory"):
        write_atomically(tmp_path / "f", _fill("new"))


def test_scratch_left_by_a_killed_run_is_removed_next_time(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    for kind in ("tmp", "old"):
        stale = tmp_path / f".rep.decide-{kind}.{pid}.abc"
        stale.mkdir()
        (stale / ".decide-partial").touch()
    alive = tmp_path / f".rep.decide-tmp.{os.getpid()}.xyz"  # a run still going: kept
    alive.mkdir()
    (tmp_path / ".rep.backup").mkdir()  # not decide's: kept
    write_atomically(tmp_path / "rep", _fill("new"))
    assert _names(tmp_path) == [".rep.backup", alive.name, "rep"]


def test_a_run_overtaken_by_another_keeps_the_others_report(tmp_path):
    """Two writers finishing together: one complete report, a clear message for the other."""
    def slow(tmp: Path) -> None:
        write_atomically(tmp_path / "rep", _fill("other"))  # another run finishes meanwhile
        _fill("mine")(tmp)

    with pytest.raises(DecideError, match="another decide run wrote"):
        write_atomically(tmp_path / "rep", slow)
    assert (tmp_path / "rep" / "report.md").read_text() == "other"
    assert _names(tmp_path) == ["rep"]
