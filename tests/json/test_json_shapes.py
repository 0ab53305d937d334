"""Every JSON output gives a strategy as a list of option ids (docs/json.md)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from decide.cli import cli
from decide.json_shapes import option_list

CASE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"


def run(*args: str) -> dict:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_option_list_reads_lists_and_joined_ids():
    assert option_list("a + b_c + d-e") == ["a", "b_c", "d-e"]
    assert option_list("mediate") == ["mediate"]
    assert option_list("(do nothing)") == [] and option_list("") == [] and option_list(None) == []
    assert option_list(("a", "b")) == ["a", "b"]


def test_strategies_search_gives_lists():
    data = run("strategies", CASE, "-S", "50", "--top", "3", "--format", "json")
    for record in data["strategies"]:
        assert isinstance(record["strategy"], list) and all(isinstance(o, str) for o in record["strategy"])
        assert record["n_options"] == len(record["strategy"])
    assert data["strategies"][0]["strategy"] == [c["option"] for c in data["contributions"]]


def test_a_given_strategy_gives_its_options_as_a_list():
    data = run("strategies", CASE, "-S", "50", "--strategy", "mediate", "--format", "json")
    assert data["strategy"] == ["mediate"]
    assert data["strategies"][0]["options"] == ["mediate"] and data["strategies"][0]["strategy"] == "given"


def test_score_gives_what_each_option_is_evaluated_with_as_a_list():
    data = run("score", CASE, "--format", "json")
    assert {r["option"]: r["evaluated_with"] for r in data["options"]} == {
        "wait": ["wait"], "intervene": ["intervene"], "mediate": ["mediate"]}


def test_simulate_gives_the_strategy_and_answers_as_lists():
    data = run("simulate", CASE, "-n", "500", "--strategy", "mediate", "--format", "json")
    assert data["strategy"] == ["mediate"]
    assert all(isinstance(r["evppi_answer"], list) for r in data["preconditions"])
    assert all(isinstance(r["answer_under"], list) for r in data["value_of_information"])
