"""decide validate says what each analysis will do with the case, and what it will skip and why."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from decide.cli import cli

MINIMAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "minimal_case.yaml"


def _validate(path: Path):
    return CliRunner().invoke(cli, ["validate", str(path)])


def test_a_case_with_a_baseline_says_strategies_run_on_it():
    result = _validate(MINIMAL)
    assert result.exit_code == 0, result.output
    assert "strategies         runs: built on 'wait'" in result.output


def test_without_a_baseline_validate_says_strategies_are_skipped_and_the_line_to_add(tmp_path):
    data = yaml.safe_load(MINIMAL.read_text())
    base = next(o for o in data["options"] if o.get("baseline"))
    for option in data["options"]:
        option.pop("baseline", None)
        if option.get("requires"):  # without a baseline, failure profiles list every criterion
            option["failure"] = {**base["scores"], **option.get("failure", {})}
    data["weights"]["profiles"] = data["weights"]["profiles"][:1]
    data["weights"].pop("default", None)
    path = tmp_path / "no_baseline.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = _validate(path)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "strategies         skipped: needs a status-quo option to build on: add 'baseline: true'" in result.output
    assert "stakeholders       skipped: one weight profile" in result.output
