"""The example report under docs/examples/ is reproducible: regenerating it gives identical Markdown."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_example_report.py"
EXAMPLE = ROOT / "docs" / "examples" / "mali-2012" / "report.md"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the example report is not in this checkout")
def test_regenerated_example_report_is_identical(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_example_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = module.main(tmp_path / "example")
    regenerated = (out / "report.md").read_text(encoding="utf-8")
    assert regenerated == EXAMPLE.read_text(encoding="utf-8")
    for figure in ("rank_acceptability.png", "blockers.png", "tornado.png"):
        assert (out / figure).stat().st_size > 10_000
