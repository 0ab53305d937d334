"""decide explore: designs, sampling plans, variants, failures, streaming and resume, and the same
numbers on a Dask LocalCluster as on the local process pool, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from decide.errors import CaseError
from decide.explore import TIMING_COLUMNS, explore, load_design, parse_design, prim_inputs, read_results, sampling_plan
from decide.explore.design import resolve_target
from decide.explore.experiment import result_columns
from decide.explore.store import ResultStore
from decide.explore.variants import apply_parameters, build_variant, read_case_source

CASE = str(Path(__file__).parents[1] / "data" / "minimal_case.yaml")

DESIGN = {
    "seed": 7,
    "experiments": 6,
    "draws": 2000,
    "strategies": {"scenarios": 100, "out_of_sample": 500},
    "parameters": [
        {"id": "p_backing", "target": "preconditions.backing.probability", "range": [0.05, 0.95]},
        {"id": "profile", "target": "weights.default", "values": ["neutral", "hawk"]},
        {"id": "budget", "target": "resources.money.budget", "range": [0.5, 5]},
        {"id": "mode", "target": "options.intervene.scores.territory.mode", "range": [3, 9.5]},
    ],
}
"""Six experiments; a territory mode outside the PERT's [4, 9] makes an invalid variant, a budget
below 1 leaves no option that fits (doing nothing is then the recommendation)."""


@pytest.fixture(scope="module")
def source():
    return read_case_source(CASE)


@pytest.fixture(scope="module")
def local_table():
    return explore(CASE, DESIGN, workers=2)


def _numbers(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=list(TIMING_COLUMNS)).reset_index(drop=True)


# --------------------------------------------------------------------------- design


def test_design_problems_are_located_with_file_line_and_field(tmp_path, source):
    path = tmp_path / "design.yaml"
    path.write_text("seed: -1\nsampling: grid\nparameters:\n"
                    "  - id: p\n    target: preconditions.nope.probability\n    range: [0.2, 0.1]\n"
                    "  - id: q\n    target: weights.default\n    values: [neutral]\n    colour: red\n")
    with pytest.raises(CaseError) as info:
        load_design(path, source.data)
    text = str(info.value)
    assert f"{path}:1: seed: must be at least 0" in text
    assert f"{path}:2: sampling: unknown sampling 'grid'" in text
    assert f"{path}:6: parameters[0].range: low must be below high" in text
    assert f"{path}:10: parameters[1].colour: unknown field" in text
    assert len(info.value.problems) == 4


def test_unknown_target_names_what_exists(source):
    with pytest.raises(CaseError, match=r"preconditions has no 'nope' \(it has: backing, consent\)"):
        parse_design({"parameters": [{"id": "p", "target": "preconditions.nope.probability", "range": [0, 1]}]},
                     source.data)


def test_factorial_counts_every_combination(source):
    design = parse_design({"sampling": "factorial", "parameters": [
        {"id": "p", "target": "preconditions.backing.probability", "range": [0.2, 0.8], "levels": 3},
        {"id": "profile", "target": "weights.default", "values": ["neutral", "hawk"]}]}, source.data)
    plan = sampling_plan(design)
    assert design.experiments == 6
    assert [(round(v["p"], 9), v["profile"]) for v in plan] == [
        (0.2, "neutral"), (0.2, "hawk"), (0.5, "neutral"), (0.5, "hawk"), (0.8, "neutral"), (0.8, "hawk")]


@pytest.mark.parametrize("sampling", ["lhs", "sobol"])
def test_plans_are_reproducible_and_fill_their_ranges(sampling, source):
    design = parse_design({**DESIGN, "sampling": sampling, "experiments": 16}, source.data)
    plan = sampling_plan(design)
    assert plan == sampling_plan(design)
    p = np.array([v["p_backing"] for v in plan])
    assert len(plan) == 16 and p.min() >= 0.05 and p.max() <= 0.95
    # Latin hypercube and Sobol' put one point in each sixteenth of a range.
    assert sorted(np.floor((p - 0.05) / 0.9 * 16).astype(int)) == list(range(16))
    assert {v["profile"] for v in plan} == {"neutral", "hawk"}


# --------------------------------------------------------------------------- variants


def test_targets_set_scale_shift_and_wildcards(source):
    design = parse_design({"parameters": [
        {"id": "p", "target": "preconditions.backing.probability", "range": [0, 1]},
        {"id": "money", "target": "options.*.uses.money", "op": "scale", "range": [0, 2]},
        {"id": "shift", "target": "options.intervene.scores.territory", "op": "shift", "range": [-1, 1]},
        {"id": "lift", "target": "enablers.mediate.backing.add", "range": [0, 0.5]},
        {"id": "armed", "target": "options.wait.scores.armed_groups", "range": [0, 10]},
    ]}, source.data)
    data = apply_parameters(source.data, design.parameters,
                            {"p": 0.25, "money": 2.0, "shift": 0.5, "lift": 0.3, "armed": 6.0})
    options = {o["id"]: o for o in data["options"]}
    assert data["preconditions"][0]["probability"] == 0.25
    assert options["intervene"]["uses"]["money"] == 6 and options["mediate"]["uses"]["money"] == 2
    assert options["intervene"]["scores"]["territory"] == {"kind": "pert", "low": 4.5, "mode": 7.5, "high": 9.5}
    assert data["enablers"][0]["add"] == 0.3
    assert options["wait"]["scores"]["armed_groups"]["value"] == 6.0  # evidence kept
    assert "evidence" in options["wait"]["scores"]["armed_groups"]
    assert source.data["preconditions"][0]["probability"] == {"low": 0.3, "high": 0.6}  # never mutated
    case = build_variant(source, design.parameters, {"p": 0.25, "money": 2.0, "shift": 0.5, "lift": 0.3, "armed": 6.0})
    assert case.preconditions[0].id == "backing"
    with pytest.raises(LookupError, match="no enabler of option 'mediate' on precondition 'consent'"):
        resolve_target(source.data, ("enablers", "mediate", "consent", "add"))


def test_an_invalid_variant_is_located_in_the_case_file(source):
    design = parse_design(DESIGN, source.data)
    with pytest.raises(CaseError, match=r"minimal_case.yaml:\d+: options\[1\].scores.territory"):
        build_variant(source, design.parameters, {"p_backing": 0.5, "profile": "hawk", "budget": 3, "mode": 9.4})


# --------------------------------------------------------------------------- runs


def test_failures_are_rows_and_the_run_goes_on(local_table):
    table = local_table
    assert list(table["experiment"]) == list(range(6))
    failed = table["error"] != ""
    assert failed.any() and not failed.all()
    invalid = (table["mode"] < 4) | (table["mode"] > 9)  # outside the PERT's [low, high]
    assert (failed == invalid).all()
    assert "need low <= mode <= high" in table.loc[failed, "error"].iloc[0]
    assert table.loc[failed, "mean.wait"].isna().all()
    ok = table[~failed]
    assert ok["mean.wait"].notna().all() and ok["strategy"].str.len().gt(0).all()
    assert (ok.loc[ok["budget"] < 1, "strategy"] == "(nothing)").all()
    assert (ok["budget"] < 1).any()
    assert ((ok["p_best.wait"] + ok["p_best.intervene"] + ok["p_best.mediate"]) - 1).abs().max() < 1e-9


def test_an_experiment_does_not_depend_on_the_others(local_table):
    """Run experiments 4 and 1 alone, in that order: the same rows as in the full run."""
    design = parse_design(DESIGN)
    from decide.explore.experiment import ExperimentContext, run_experiment

    source = read_case_source(CASE)
    context = ExperimentContext(source, design, ("wait", "intervene", "mediate"), "wait")
    plan = sampling_plan(design)
    for i in (4, 1):
        row = run_experiment(context, i, plan[i])
        expected = local_table.iloc[i].drop(list(TIMING_COLUMNS)).to_dict()
        for key, value in expected.items():
            assert row[key] == value or (value != value and row[key] != row[key]), key  # NaN == NaN


def test_resume_after_a_kill_runs_only_what_is_missing(tmp_path, local_table):
    """A journal holding three finished rows and a batch cut short (as a kill leaves it): resume
    runs the three missing experiments and writes the same Parquet table as an unbroken run."""
    out = tmp_path / "results.parquet"
    design = parse_design(DESIGN)
    source = read_case_source(CASE)
    from decide.explore import _case_fingerprint

    columns = result_columns(design, ("wait", "intervene", "mediate"))
    meta = {"design": design.fingerprint(), "case": _case_fingerprint(source)}
    store = ResultStore(out, columns, meta)
    for i in (0, 3, 5):
        store.append(local_table.iloc[i].to_dict())
    store.close(complete=False)
    with open(store.journal, "ab") as f:
        f.write(b"\xff\xff\xff\xff\x10\x00")  # the start of a batch that never finished
    with pytest.raises(Exception, match="exists; pass --resume"):
        explore(CASE, DESIGN, out, workers=1)
    seen = []
    table = explore(CASE, DESIGN, out, resume=True, workers=2, progress=seen.append)
    assert seen[-1].total == 3 and seen[-1].done == 3
    assert not store.journal.exists()
    pd.testing.assert_frame_equal(_numbers(table), _numbers(local_table), check_exact=True)
    stored = read_results(out)
    pd.testing.assert_frame_equal(_numbers(stored), _numbers(local_table), check_exact=True)
    assert stored.attrs["explore"]["design"] == design.fingerprint()
    # A finished file: resuming does nothing; another design is refused.
    assert len(explore(CASE, DESIGN, out, resume=True, workers=1)) == 6
    with pytest.raises(Exception, match="another design"):
        explore(CASE, {**DESIGN, "seed": 8}, out, resume=True, workers=1)


def test_csv_rows_append_and_resume(tmp_path, local_table):
    out = tmp_path / "results.csv"
    design = parse_design(DESIGN)
    source = read_case_source(CASE)
    from decide.explore import _case_fingerprint

    meta = {"design": design.fingerprint(), "case": _case_fingerprint(source)}
    store = ResultStore(out, result_columns(design, ("wait", "intervene", "mediate")), meta)
    for i in (2, 4):
        store.append(local_table.iloc[i].to_dict())
    store.close(complete=False)
    with open(out, "a") as f:
        f.write("5,0.3,ha")  # a row cut short
    table = explore(CASE, DESIGN, out, resume=True, workers=2)
    pd.testing.assert_frame_equal(_numbers(table), _numbers(local_table), check_exact=True)
    back = read_results(out).sort_values("experiment").reset_index(drop=True)
    assert list(back["experiment"]) == list(range(6))
    np.testing.assert_array_equal(back["mean.mediate"].to_numpy(), local_table["mean.mediate"].to_numpy())


def test_local_cluster_gives_the_local_pool_numbers_bit_for_bit(local_table):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        table = explore(CASE, DESIGN, scheduler=client)
        assert sorted(client.nthreads().values()) == [1, 1]
    pd.testing.assert_frame_equal(_numbers(table), _numbers(local_table), check_exact=True)


def test_prim_inputs_flag_where_the_recommendation_changes(local_table):
    x, y, kinds = prim_inputs(local_table)
    ok = local_table[local_table["error"] == ""]
    assert list(x.columns) == ["p_backing", "profile", "budget", "mode"]
    assert len(x) == len(y) == len(ok)
    assert kinds == {"p_backing": "probability", "profile": "answer", "budget": "outcome", "mode": "outcome"}
    reference = ok["strategy"].value_counts().index[0]
    np.testing.assert_array_equal(y, (ok["strategy"] != reference).to_numpy())


def test_cli_explore_writes_the_table_and_says_what_it_found(tmp_path):
    from decide.cli import cli

    design = tmp_path / "design.yaml"
    design.write_text("seed: 3\nexperiments: 2\ndraws: 500\nstrategies: false\nparameters:\n"
                      "  - {id: p, target: preconditions.backing.probability, range: [0.1, 0.9]}\n")
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(cli, ["explore", CASE, "--design", str(design), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 experiments (lhs, seed 3, 500 draws each) on 1 local processes; 0 failed" in result.output
    assert "Best single option:" in result.output
    assert len(read_results(out)) == 2
    again = CliRunner().invoke(cli, ["explore", CASE, "--design", str(design), "-o", str(out)])
    assert again.exit_code == 1 and "exists; pass --resume" in again.output


def test_discover_experiments_says_where_the_recommendation_changes(local_table):
    pytest.importorskip("ema_workbench")
    from decide.explore import discover_experiments

    sentences = discover_experiments(local_table, min_share=0.0, min_count=1)
    assert all(s.startswith("The recommended strategy ") and "(coverage " in s for s in sentences)
    from decide.explore import _strategy_change

    assert _strategy_change("a + b", "a + c") == "adds c and drops b"
    assert _strategy_change("a", "(nothing)") == "drops a"
