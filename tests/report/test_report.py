"""The report on the small test case: header, sections, figures, CLI, determinism."""

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from decide.cli import cli

CASE = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "report"
    result = CliRunner().invoke(cli, ["report", str(CASE), "-o", str(out), "-n", "20000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    return out


def test_header_states_case_hash_seed_draws_version_date(report_dir):
    text = (report_dir / "report.md").read_text()
    sha = hashlib.sha256(CASE.read_bytes()).hexdigest()
    assert str(CASE) in text and sha in text
    assert "| Seed | 7 |" in text and "| Monte Carlo draws | 20,000 |" in text
    assert "| decide version | 0.1.0 |" in text and "| Date |" in text


def test_every_section_and_figure_is_there(report_dir):
    text = (report_dir / "report.md").read_text()
    for heading in ("## Summary", "## Scores on central values", "## Single options under uncertainty",
                    "## Which preconditions block which options", "## Stakeholder profiles side by side",
                    "## Weight sensitivity", "### Least change", "### Potential optimality",
                    "## What drives the gap", "## Value of information", "## Strategies",
                    "## Appendix: evidence for every number"):
        assert heading in text
    for line in text.splitlines():
        if line.startswith("!["):
            target = line[line.index("(") + 1: line.index(")")]
            assert (report_dir / target).stat().st_size > 5_000


def test_same_seed_same_markdown(report_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    runner = CliRunner()
    outs = []
    for name in ("a", "b"):
        result = runner.invoke(cli, ["report", str(CASE), "-o", str(tmp_path / name), "-n", "20000", "--seed", "7"])
        assert result.exit_code == 0, result.output
        outs.append((tmp_path / name / "report.md").read_text())
    assert outs[0] == outs[1]


def test_bad_case_leaves_older_report_untouched(report_dir, tmp_path):
    before = (report_dir / "report.md").read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text(CASE.read_text().replace("rho: 0.4", "rho: 1.4"))
    result = CliRunner().invoke(cli, ["report", str(bad), "-o", str(report_dir), "-n", "1000"])
    assert result.exit_code != 0
    assert "correlations[0].rho" in result.output
    assert (report_dir / "report.md").read_bytes() == before


def test_seed_must_be_a_non_negative_integer(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(CASE), "-o", str(tmp_path / "r"), "--seed", "1.5"])
    assert result.exit_code == 2 and "1.5" in result.output and "Traceback" not in result.output
