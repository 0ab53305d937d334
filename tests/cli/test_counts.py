"""Counts as people write them: -n 1e6, 1_000_000, 1,000,000."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from decide.cli import cli
from decide.cli_params import Count


@pytest.mark.parametrize("text, number", [("1000000", 1_000_000), ("1_000_000", 1_000_000), ("1,000,000", 1_000_000),
                                          ("1e6", 1_000_000), ("2.5e3", 2500), (" 20000 ", 20_000)])
def test_counts_people_write_are_read(text, number):
    assert Count().convert(text, None, None) == number


@pytest.mark.parametrize("text, message", [("1e-3", "not a whole number"), ("2.5", "not a whole number"),
                                           ("many", "not a whole number"), ("0", "less than 1"),
                                           ("inf", "not a whole number"), ("-5", "less than 1")])
def test_bad_counts_say_what_is_wrong(text, message):
    with pytest.raises(click.BadParameter, match=message):
        Count().convert(text, None, None)


def test_simulate_takes_scientific_notation():
    result = CliRunner().invoke(cli, ["simulate", "tests/data/minimal_case.yaml", "-n", "2e3", "-q"])
    assert result.exit_code == 0, result.output
    assert "2,000 draws" in result.output


def test_a_bad_count_is_a_usage_error_without_traceback():
    result = CliRunner().invoke(cli, ["simulate", "tests/data/minimal_case.yaml", "-n", "1.5"])
    assert result.exit_code == 2
    assert "not a whole number" in result.output and "Traceback" not in result.output
