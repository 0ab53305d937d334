"""The command line in a terminal (issue 18): tables that fit, every simulate table in every format,
flags before or after the subcommand, warnings once."""

from __future__ import annotations

import csv
import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from decide.cli import cli
from decide.tables import text_table


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"mean": [0.5123, 0.41], "mean_se": [0.0004, np.nan], "name": ["a long name " * 4, "b"],
                         "p": [1.0, 2.0], "q": [3.0, 4.0]}, index=pd.Index(["x", "yy"], name="option"))


def test_a_table_fits_the_width_it_is_given(frame: pd.DataFrame) -> None:
    full = text_table(frame)
    assert "0.512 (4e-4)" in full and "mean (se)" in full
    assert "0.300 (0.002)" in text_table(pd.DataFrame({"p": [0.3], "p_se": [0.0021]}))
    for width in (30, 40, 60):
        for overflow in ("drop", "wrap"):
            lines = text_table(frame, width=width, overflow=overflow).splitlines()
            assert max(map(len, lines)) <= width, (width, overflow)
    dropped = text_table(frame, width=40, priority=["mean", "q"])
    assert "left out" in dropped and "q" in dropped.splitlines()[0]  # q outranks p and the name


def test_wrapped_text_cells_keep_every_word(frame: pd.DataFrame) -> None:
    text = text_table(frame[["name"]], width=30, wrap_text=True, min_text=20)
    assert max(map(len, text.splitlines())) <= 30
    assert " ".join(text.split()).count("long name") == 4


def test_simulate_csv_is_sorted_and_every_table_is_available(minimal_case_path) -> None:
    result = run("simulate", minimal_case_path, "-n", "2000", "--format", "csv", "--show", "summary,pairwise")
    assert result.exit_code == 0, result.output
    sections = result.stdout.split("\n# ")
    assert sections[0].startswith("# summary") and sections[1].startswith("pairwise")
    rows = list(csv.DictReader(io.StringIO(sections[0].split("\n", 1)[1])))
    means = [float(r["mean"]) for r in rows]
    assert means == sorted(means, reverse=True)
    order = [r["option"] for r in rows]
    pairwise = list(csv.reader(io.StringIO(sections[1].split("\n", 1)[1])))
    assert pairwise[0][1:] == order and [r[0] for r in pairwise[1:]] == order
    for show in ("ranks", "central-weights", "blockers", "voi"):
        for fmt in ("table", "markdown", "csv"):
            out = run("simulate", minimal_case_path, "-n", "500", "--format", fmt, "--show", show)
            assert out.exit_code == 0, (show, fmt, out.output)
    data = json.loads(run("simulate", minimal_case_path, "-n", "500", "--format", "json").stdout)
    assert {"summary", "rank_acceptability", "pairwise", "central_weights", "blockers",
            "value_of_information"} <= set(data)
    assert [r["option"] for r in data["summary"]] == [r["option"] for r in data["pairwise"]]


def test_show_names_the_tables_it_knows(minimal_case_path) -> None:
    result = run("simulate", minimal_case_path, "-n", "500", "--show", "summary,ranking")
    assert result.exit_code == 2 and "central-weights" in result.output and "Traceback" not in result.output


def test_verbose_and_quiet_before_or_after_the_subcommand(minimal_case_path) -> None:
    for args in (["-q", "score", minimal_case_path], ["score", minimal_case_path, "-q"],
                 ["score", "-v", minimal_case_path], ["strategies", minimal_case_path, "-q", "-S", "200"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


def test_a_warning_is_one_line_once(minimal_case_path, monkeypatch) -> None:
    import sys

    score_module = sys.modules["decide.score"]  # decide.score is the function

    original = score_module.score

    def noisy(*args, **kwargs):
        for _ in range(2):
            warnings.warn("AHP profile x: consistency ratio 0.2\n above 0.1", UserWarning, stacklevel=1)
        warnings.warn("AHP profile x: consistency ratio 0.2  above 0.1", UserWarning, stacklevel=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(score_module, "score", noisy)
    result = CliRunner().invoke(cli, ["score", str(minimal_case_path)])
    assert result.exit_code == 0
    assert result.stderr.count("Warning: AHP profile x: consistency ratio 0.2 above 0.1") == 1
    assert ".py" not in result.stderr


def test_completion_offers_cases_profiles_and_options(monkeypatch) -> None:
    from click.shell_completion import ShellComplete

    complete = ShellComplete(cli, {}, "decide", "_DECIDE_COMPLETE")
    assert "mali-2012" in [i.value for i in complete.get_completions(["simulate"], "mal")]
    monkeypatch.setenv("COMP_WORDS", "decide simulate mali-2012 --weights a")
    assert "algiers" in [i.value for i in complete.get_completions(["simulate", "mali-2012", "--weights"], "a")]
    monkeypatch.setenv("COMP_WORDS", "decide strategies mali-2012 --weights m")
    assert [i.value for i in complete.get_completions(["strategies", "mali-2012", "--weights"], "m")] == [
        "maximin", "minimax_regret"]
    monkeypatch.setenv("COMP_WORDS", "decide simulate mali-2012 --strategy bolster_transition,reb")
    assert [i.value for i in complete.get_completions(["simulate", "mali-2012", "--strategy"],
                                                      "bolster_transition,reb")] == ["bolster_transition,rebuild_army"]


def test_one_weights_vocabulary_and_profiles_side_by_side(minimal_case_path) -> None:
    from decide.compile import compile_case
    from decide.load import load_case

    ids = list(compile_case(load_case(minimal_case_path)).profile_ids)
    for words in (["--weights", "uniform"], ["--weights", "imprecise"], ["--weights", "profiles"]):
        result = run("score", minimal_case_path, *words)
        assert result.exit_code == 0, (words, result.output)
    assert "weights uniform" in run("score", minimal_case_path, "--weights", "uniform").stdout
    refused = run("score", minimal_case_path, "--weights", "maximin")
    assert refused.exit_code == 2 and "decide strategies --weights maximin" in refused.output
    if len(ids) >= 2:
        pair = ",".join(ids[:2])
        for command in (["score"], ["simulate", "-n", "500"]):
            result = run(*command, minimal_case_path, "--weights", pair, "--format", "json")
            assert result.exit_code == 0, result.output
        profiles = run("profiles", minimal_case_path, "--format", "json")
        assert profiles.exit_code == 0, profiles.output
        assert [r["profile"] for r in json.loads(profiles.stdout)["leaders"]] == ids
    unknown = run("score", minimal_case_path, "--weights", "nobody,somebody")
    assert unknown.exit_code == 2 and "not a profile of the case" in unknown.output
