"""The Summary leads with the recommended strategy where options combine (DESIGN.md, "Who decides,
and what the report recommends"), and keeps the single-option framing where there are no strategies."""

import re

import pytest

from decide.report.markdown import summary


def _paragraphs(text):
    body = text.split("## Summary", 1)[1]
    return [p for p in body.split("\n\n") if p.strip()]


def test_first_paragraph_is_the_recommended_strategy(mali):
    first = _paragraphs(summary(mali))[0]
    best = mali.strategies.best
    assert first.startswith("**Recommendation: pursue")
    for option in best.best:
        assert f"`{option}`" in first
    # Its value against doing nothing: mean gain ± se and P(beats doing nothing).
    v = mali.strategies.values
    assert f"a gain of {v.gain:.3f} ±" in first
    assert f"better than doing nothing in {100 * v.p_beats_nothing:.1f}%" in first
    assert "± is one Monte Carlo standard error" in first


def test_who_acts_on_what_and_what_it_adds(mali):
    table = _paragraphs(summary(mali))[1]
    best = mali.strategies.best
    added = best.contributions_frame()
    for option in best.best:
        row = next(line for line in table.splitlines() if f"(`{option}`)" in line)
        actors = next(o.actors for o in mali.case.options if o.id == option)
        assert ", ".join(actors) in row
        value = abs(added.at[option, "added"])
        assert f"{value:.{3 if value >= 0.001 else 4}f} ±" in row


def test_summary_states_the_stakeholders_and_what_would_change_it(mali):
    text = summary(mali)
    assert "**Across stakeholders.**" in text
    ps = mali.strategies.standing
    assert f"of the case's {len(ps.profile_ids)} stakeholder profiles" in text
    assert "imprecise weight statements" in text
    assert "**What would change it.**" in text and "(L1)" in text


def test_summary_fits_one_screen(mali):
    body = summary(mali)
    assert len(body.splitlines()) <= 40
    assert len(body) <= 6500


def test_single_options_follow_as_context(mali):
    paragraphs = _paragraphs(summary(mali))
    assert any(p.startswith("**Options one by one**") for p in paragraphs)


def test_strategy_gain_is_paired_with_doing_nothing(mali):
    v = mali.strategies.values
    assert v.labels[:2] == ("strategy", "nothing")
    assert v.gain == pytest.approx(v.means[0] - v.means[1])
    # The same out-of-sample scenarios the best strategy was re-simulated on.
    assert v.means[0] == pytest.approx(mali.strategies.best.oos_mean[0], abs=1e-12)
    assert 0 < v.gain_se < 0.01 and 0 <= v.p_beats_nothing <= 1


def test_report_recommends_what_decide_strategies_recommends(mali):
    from decide.optimise.strategy import optimise_strategies

    same = optimise_strategies(mali.arrays, rng=mali.context.seed)
    assert same.best == mali.strategies.best.best


def test_without_strategies_the_single_option_framing_stays(minimal_without_strategies):
    first = _paragraphs(summary(minimal_without_strategies))[0]
    assert first.startswith("**Recommendation.** With weights from")
    assert "Options one by one" not in summary(minimal_without_strategies)
    assert re.search(r"best option in [\d.]+%", first)
