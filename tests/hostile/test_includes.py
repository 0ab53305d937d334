"""Hostile ``criteria:`` paths: a case may name a bundled set or a regular file under its own folder
(or under a folder allowed explicitly), nothing else, and never quotes a file that is not a
criteria set.

Devices and FIFOs are checked in a child process with a timeout and an address-space cap, so a
regression (reading ``/dev/zero``, blocking on a FIFO) fails the test instead of the machine.
"""

from __future__ import annotations

import builtins
import io
import os
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from decide.errors import CaseError
from decide.load import load_case

sys.path.insert(0, str(Path(__file__).parent))
from child_load import load_in_child as probe  # noqa: E402

SECRET = "SECRETVALUE"

def load_in_child(path: Path) -> dict:
    """Load ``path`` in a capped child killed after 30 s: refused within 5 s and 200 MB."""
    outcome = probe(path, timeout=30)
    assert outcome["seconds"] < 5 and outcome["peak_mb"] < 200, outcome
    return outcome


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A case's folder and a folder beside it (outside it)."""
    case_dir, elsewhere = tmp_path / "case", tmp_path / "elsewhere"
    case_dir.mkdir()
    elsewhere.mkdir()
    return case_dir, elsewhere


@pytest.fixture
def write_set(minimal_data):
    """Write the minimal case's criteria set (valid) to a file."""

    def write(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(minimal_data["criteria"], sort_keys=False))
        return path

    return write


@pytest.fixture
def case_naming(minimal_data, folders):
    """Write the minimal case into the case folder with ``criteria: <ref>``; its path and line."""

    def write(ref: str) -> tuple[Path, int]:
        minimal_data["criteria"] = ref
        path = folders[0] / "case.yaml"
        text = yaml.safe_dump(minimal_data, sort_keys=False)
        path.write_text(text)
        line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("criteria:"))
        return path, line

    return write


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every path opened (``open``, ``io.open``, ``os.open``) from the test's start; a test clears it
    once it has written its files."""
    paths: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, *args, **kwargs):
        paths.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else repr(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(file, *args, **kwargs):
        paths.append(os.fspath(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    return paths


def only_problem(case: Path, **kwargs) -> decide.errors.Problem:
    with pytest.raises(CaseError) as info:
        load_case(case, **kwargs)
    [problem] = info.value.problems
    return problem


# --------------------------------------------------------------------------- what is allowed


def test_a_file_under_the_case_folder_loads(case_naming, write_set, folders):
    write_set(folders[0] / "sets" / "small.yaml")
    case, _ = case_naming("sets/small.yaml")
    assert load_case(case).criteria.id == "small"


def test_a_file_elsewhere_loads_only_from_an_allowed_folder(case_naming, write_set, folders):
    criteria = write_set(folders[1] / "small.yaml")
    case, line = case_naming(str(criteria))
    problem = only_problem(case)
    assert (problem.file, problem.line, problem.path) == (str(case), line, "criteria")
    assert problem.message.startswith(f"criteria file {str(criteria)!r} is outside the case's folder")
    assert "--allow-path" in problem.message and "allow_paths=" in problem.message
    assert load_case(case, allow_paths=[folders[1]]).criteria.id == "small"
    assert load_case(case, allow_paths=str(folders[1])).criteria.id == "small"
    with pytest.raises(TypeError, match="allow_paths must be a folder's path or a list of them"):
        load_case(case, allow_paths=5)


# --------------------------------------------------------------------------- escapes, refused unopened


def test_dot_dot_escape_is_refused_unopened(case_naming, write_set, folders, opened):
    write_set(folders[1] / "small.yaml")
    case, line = case_naming("../elsewhere/small.yaml")
    opened.clear()
    problem = only_problem(case)
    assert (problem.line, problem.path) == (line, "criteria")
    assert "'../elsewhere/small.yaml' is outside the case's folder" in problem.message
    assert not [p for p in opened if "elsewhere" in p]


def test_absolute_path_outside_is_refused_unopened(case_naming, opened):
    case, line = case_naming("/etc/passwd")
    opened.clear()
    problem = only_problem(case)
    assert (problem.line, problem.path) == (line, "criteria")
    assert "'/etc/passwd' is outside the case's folder" in problem.message
    assert "/etc/passwd" not in opened


def test_symlink_escape_is_refused_unopened(case_naming, write_set, folders, opened):
    target = write_set(folders[1] / "small.yaml")
    inside = write_set(folders[0] / "real" / "small.yaml")
    (folders[0] / "small.yaml").symlink_to(target)
    case, line = case_naming("small.yaml")
    opened.clear()
    problem = only_problem(case)
    assert (problem.line, problem.path) == (line, "criteria")
    assert "'small.yaml' is outside the case's folder" in problem.message
    assert not [p for p in opened if "small.yaml" in p]
    # A link that stays inside the folder is followed.
    os.remove(folders[0] / "small.yaml")
    (folders[0] / "small.yaml").symlink_to(inside)
    assert load_case(case).criteria.id == "small"


def test_dev_zero_is_refused_fast_and_small(case_naming):
    case, line = case_naming("/dev/zero")
    outcome = load_in_child(case)
    [problem] = outcome["problems"]
    assert (problem["line"], problem["path"]) == (line, "criteria")
    assert "'/dev/zero' is outside the case's folder" in problem["message"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_in_an_allowed_folder_is_refused_unopened(case_naming, opened):
    case, line = case_naming("/dev/zero")
    opened.clear()
    problem = only_problem(case, allow_paths=["/dev"])
    assert (problem.line, problem.path) == (line, "criteria")
    assert problem.message == "criteria file '/dev/zero' is a device, not a regular file; refused without reading it"
    assert "/dev/zero" not in opened


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_is_refused_without_blocking(case_naming, folders):
    os.mkfifo(folders[0] / "pipe.yaml")
    case, line = case_naming("pipe.yaml")
    outcome = load_in_child(case)  # opening a FIFO with no writer would block: the child is killed
    [problem] = outcome["problems"]
    assert (problem["line"], problem["path"]) == (line, "criteria")
    assert problem["message"] == ("criteria file 'pipe.yaml' is a FIFO (named pipe), not a regular file; "
                                  "refused without reading it")


def test_a_folder_is_refused(case_naming, folders):
    (folders[0] / "sets").mkdir()
    case, _ = case_naming("sets")
    assert only_problem(case).message == ("criteria file 'sets' is a folder, not a regular file; "
                                          "refused without reading it")


def test_through_the_cli(case_naming, write_set, folders):
    from decide.cli import cli

    write_set(folders[1] / "small.yaml")
    case, line = case_naming("../elsewhere/small.yaml")
    result = CliRunner().invoke(cli, ["validate", str(case)])
    assert result.exit_code == 2, result.output
    where = f"{case}:{line}: criteria:"
    assert f"{where} criteria file '../elsewhere/small.yaml' is outside the case's folder" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- no content echoed


@pytest.mark.parametrize("content", [
    f"root:{SECRET}:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n",  # /etc/shadow's shape
    f"{SECRET}: 1\n",
    f"- *{SECRET}\n",
    f"key: !{SECRET} x\n",
    f"criteria: []\n{SECRET}: 1\n",
    f"id: x\nname: y\ncriteria: [{{id: {SECRET}}}]\nid: {SECRET}\n{SECRET}: z\n",
    f'{{"token": "{SECRET}", "criteria": 1}}\n',
])
def test_a_file_that_is_not_a_criteria_set_is_never_quoted(case_naming, folders, content):
    (folders[0] / "secret.txt").write_text(content)
    case, line = case_naming("secret.txt")
    with pytest.raises(CaseError) as info:
        load_case(case)
    assert SECRET not in str(info.value)
    [problem] = info.value.problems
    assert problem.file in (str(case), str(folders[0] / "secret.txt"))


def test_not_a_criteria_set_is_reported_at_the_case_reference(case_naming, folders):
    (folders[0] / "notes.yaml").write_text(f"owner: {SECRET}\n")
    case, line = case_naming("notes.yaml")
    problem = only_problem(case)
    assert (problem.file, problem.line, problem.path) == (str(case), line, "criteria")
    assert problem.message == ("'notes.yaml' is not a criteria set (a YAML mapping of id, name, description "
                               "and criteria); its content is not shown")


def test_a_criteria_set_with_mistakes_still_gets_located_problems(case_naming, write_set, folders, minimal_data):
    criteria = minimal_data["criteria"]
    criteria["criteria"][0]["direction"] = "sideways"
    path = folders[0] / "small.yaml"
    path.write_text(yaml.safe_dump(criteria, sort_keys=False))
    case, _ = case_naming("small.yaml")
    problem = only_problem(case)
    assert (problem.file, problem.path) == (str(path), "criteria[0].direction")
