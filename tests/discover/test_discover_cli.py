"""``decide discover`` through click's CliRunner: output, formats, files, and mistakes without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from decide.cli import cli

PAIR = str(Path(__file__).parents[1] / "data" / "discover_pair.yaml")
FAST = ["-n", "1500", "--seed", "3", "--below", "0.1"]


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["discover", *map(str, args)], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def test_table_names_the_box_with_coverage_and_density():
    result = run(PAIR, "--strategy", "a+b", *FAST)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "scenario discovery for the strategy: a + b" in out
    assert "Box 1: first = no and second = no" in out or "Box 1: second = no and first = no" in out
    assert "coverage 1.000" in out and "density 1.000" in out
    assert "mass" in out and "quasi-p-value" in out


def test_json_csv_output_file_and_chart(tmp_path):
    result = run(PAIR, "--option", "a", *FAST, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["strategy"] == ["a"] and data["boxes"][0]["density"] == 1.0
    assert data["restrictions"][0]["restriction"] == "first = no"

    out, chart = tmp_path / "boxes.csv", tmp_path / "boxes.png"
    result = run(PAIR, "--strategy", "a,b", *FAST, "--format", "csv", "-o", out, "--chart", chart)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = out.read_text().splitlines()
    assert lines[0] == "box,input,kind,low,high,values,restriction,qp,meaning,coverage,density,mass"
    assert len(lines) == 3
    assert chart.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, words", [
    (["--option", "zzz"], "unknown option 'zzz'; known: a, b"),
    (["--strategy", "a+b", "--option", "a"], "give --strategy or --option, not both"),
    (["--strategy", "a+zzz"], "unknown option 'zzz'"),
    (["--strategy", "+"], "--strategy: no option id"),
    (["--below", "0.1", "--worst", "0.2"], "give --below (a gain over doing nothing) or --worst"),
    (["--below", "nan"], "--below must be a finite number"),
    (["--worst", "1.5"], "'--worst'"),
    (["--chart", "boxes.svg"], "--chart: boxes.svg is not a .png file name"),
    (["--chart", "no/such/folder/boxes.png"], "--chart: the folder no/such/folder does not exist"),
    (["--weights", "hawks"], "unknown weight profile 'hawks'"),
    (["--seed", "-1"], "'--seed'"),
])
def test_mistakes_give_a_message_not_a_traceback(args, words):
    result = run(PAIR, "-n", "200", *args)
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output


def test_unknown_case_is_named():
    result = run("no-such-case")
    assert result.exit_code != 0
    assert "'no-such-case' is neither a file nor a bundled case" in result.output
