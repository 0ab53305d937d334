"""A test per section of the issue-16 report: each fails if its section or its key statement disappears."""

import re

import numpy as np
import pytest

from decide.report.markdown import render_markdown


@pytest.fixture(scope="module")
def text(mali):
    return render_markdown(mali, {"risk_profiles": "risk_profiles.png", "weighted_difference": "weighted_difference.png",
                                  "contributions": "contributions.png"})


def _section(text, heading):
    assert f"\n{heading}\n" in text, heading
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_sections_come_in_the_order_a_decision_maker_reads(text):
    order = ["## Summary", "## How robust the recommendation is", "## Across stakeholders", "## Strategies in detail",
             "## Single options under uncertainty", "## Which preconditions block which options",
             "## Imprecise weights, with their caveats", "## The source's findings beside the numbers",
             "## Assumptions"]
    positions = [text.index(f"\n{h}\n") for h in order]
    assert positions == sorted(positions)


def test_robustness_states_the_gap_and_stochastic_dominance(mali, text):
    body = _section(text, "## How robust the recommendation is")
    assert "runner-up strategy" in body and "first order" in body and "second order" in body
    c = mali.strategies.values.comparisons["nothing"]
    assert f"{abs(c.gap):.3f} ±" in body
    assert "](risk_profiles.png)" in body


def test_across_stakeholders_every_profile_and_the_admissible_weights(mali, text):
    body = _section(text, "## Across stakeholders")
    for p in mali.arrays.profile_ids:
        assert f"| `{p}`" in body
    assert "**Over the admissible weights (SMAA).**" in body
    assert "**Least change.**" in body and "imprecise statements" in body
    # SMAA of the options beside the fixed-profile run: preference uncertainty alone, and SMAA-2 with
    # the world (rank acceptabilities, confidence factors, central weights).
    header = next(line for line in body.splitlines() if line.startswith("| option |"))
    for column in ("p_best (fixed profile)", "p_best (weights alone)", "p_best (weights and world)",
                   "second / third (weights and world)", "confidence factor"):
        assert column in header, column
    assert "Central weights (weights and world)" in body
    smaa = mali.smaa
    leader = smaa["p_best_joint"].idxmax()
    assert f"{smaa.at[leader, 'confidence']:.3f} ±" in body


def test_the_profiles_gains_are_the_summarys_numbers(mali, text):
    # One number: under the profile it was chosen with, the recommendation's gain over doing nothing
    # in the stakeholders' table is the Summary's, estimated on the same fresh worlds.
    ps, v = mali.strategies.standing, mali.strategies.values
    assert ps.profile_n_scenarios == v.n_scenarios
    default = list(ps.profile_ids).index(mali.arrays.default_profile)
    assert ps.profile_verdicts()[default] == "best" and ps.profile_gap[default] == 0
    np.testing.assert_allclose([ps.profile_gain[default], ps.profile_gain_se[default]], [v.gain, v.gain_se],
                               rtol=1e-9)
    body = _section(text, "## Across stakeholders")
    assert "the same {:,} fresh simulated worlds as the Summary".format(v.n_scenarios) in body
    # The "why" chart's recommendation-against-nothing panel adds up to the same gain.
    weighted = (ps.recommended_values - ps.nothing_values) @ ps.weights
    np.testing.assert_allclose(weighted, v.gain, rtol=1e-9)


def test_confidence_factor_omitted_where_weights_are_fixed(mali, text):
    body = _section(text, "## Single options under uncertainty")
    header = next(line for line in body.splitlines() if line.startswith("| option |"))
    assert "confidence" not in header
    assert "not shown" in body


def test_blockers_say_they_overlap_and_what_securing_a_question_gains(mali, text):
    body = _section(text, "## Which preconditions block which options")
    assert "involved in" in body and "overlap" in body
    assert "gain if secured" in body and "value at stake (observed)" in body
    # One sentence each on how to read them.
    assert len(re.findall(r"^- `", body, flags=re.M)) >= 5


def test_findings_compare_differences_with_their_error_and_mark_construction(text):
    body = _section(text, "## The source's findings beside the numbers")
    assert "**indeterminate**" in body and "**true by construction**" in body
    assert "mean difference" in body and "Tally:" in body


def test_findings_judge_what_matters_by_the_value_of_information_for_the_decision_recommended(mali, text):
    # Options combine, so "matters" reads the strategy choice's EVPPI, not the single-option one.
    body = _section(text, "## The source's findings beside the numbers")
    assert "for the strategy choice, the decision recommended" in body
    information = mali.strategies.information
    claims = re.findall(r"^- `([a-z_0-9]+)`: learning its answer is worth ([0-9.]+)", body, flags=re.M)
    assert claims
    for q in claims:
        worth = float(information["value"].get(q[0], 0.0))
        assert q[1] == f"{worth:.4f}", q


def test_imprecise_weights_with_their_caveats(mali, text):
    body = _section(text, "## Imprecise weights, with their caveats")
    assert "witness" in body
    ps = mali.strategies.standing
    assert f"{ps.n_nondominated:,} strategies are non-dominated" in body
    assert "**Sobol indices**" in body and "uniformly over" in body


def test_one_notation_for_uncertainty(text):
    # A standard error always shows a significant digit, never "± 0.000".
    assert not re.search(r"± 0\.0+(?![0-9])", text)
    assert "here and throughout" in text


def test_why_shows_contributions_and_weighted_differences(text):
    body = _section(text, "## What the value is made of")
    assert "](weighted_difference.png)" in body and "add up to the gap" in body


def test_weighted_difference_chart_draws(mali, tmp_path):
    from decide.report.figures import figure_jobs

    job = next(j for j in figure_jobs(mali) if j.key == "weighted_difference")
    job.draw(tmp_path / job.filename)
    assert (tmp_path / job.filename).stat().st_size > 10_000


def test_threshold_probabilities_and_the_pivotal_one(mali, text):
    body = _section(text, "## How robust the recommendation is")
    assert "**Threshold probabilities.**" in body and "break-even P" in body
    assert "the pivotal probability:" in _section(text, "## Summary")


def test_stability_is_counted_in_runs_with_their_sizes(mali):
    from decide.report.summary import summary

    runs = mali.strategies.best.stability_runs
    text = summary(mali)
    assert f"re-optimised {len(runs)} times (" in text
    assert f"came out in {sum(r.same for r in runs)} of {len(runs)}" in text
