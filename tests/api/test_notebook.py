"""The executed notebook example, docs/notebook.py, run as a user would run it."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

import decide

NOTEBOOK = Path(__file__).parents[2] / "docs" / "notebook.py"


@pytest.mark.slow
def test_the_notebook_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", [str(NOTEBOOK), str(tmp_path), "4000"])
    runpy.run_path(str(NOTEBOOK), run_name="__main__")
    out = capsys.readouterr().out
    assert "reports:" in out
    assert (tmp_path / "mali" / "report.md").exists()
    assert decide.load_case(tmp_path / "sahel" / "case.yaml").id == "sahel"
