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
    names = {o.id: o.name for o in mali.case.options}
    assert first.startswith("**Recommendation: pursue")
    for option in best.best:
        assert f"**{names[option]}**" in first
    # Who must act on each option, as the case lists them.
    for option in best.best:
        actors = next(o.actors for o in mali.case.options if o.id == option)
        assert ", ".join(actors) + " to act" in first
    # What each option adds, with its standard error, from the strategies result.
    added = best.contributions_frame()
    for option in best.best:
        assert f"+{added.at[option, 'added']:.3f} ±" in first
    # Its value against doing nothing: mean gain ± se and P(beats doing nothing).
    v = mali.strategies.values
    assert f"a gain of {v.gain:.3f} ±" in first
    assert f"beat doing nothing in {100 * v.p_beats_nothing:.1f}%" in first
    assert "± is one standard error" in first


def test_single_options_follow_as_context(mali):
    paragraphs = _paragraphs(summary(mali))
    assert paragraphs[1].startswith("**Options one by one**")


def test_strategy_gain_is_paired_with_doing_nothing(mali):
    v = mali.strategies.values
    assert v.labels[:2] == ("strategy", "nothing")
    assert v.gain == pytest.approx(v.means[0] - v.means[1])
    # The same out-of-sample scenarios the best strategy was re-simulated on.
    assert v.means[0] == pytest.approx(mali.strategies.best.oos_mean[0], abs=1e-12)
    assert 0 < v.gain_se < 0.01 and 0 <= v.p_beats_nothing <= 1


def test_without_strategies_the_single_option_framing_stays(minimal_without_strategies):
    first = _paragraphs(summary(minimal_without_strategies))[0]
    assert first.startswith("**Recommendation.** With weights from")
    assert "Options one by one" not in summary(minimal_without_strategies)
    assert re.search(r"best option in [\d.]+%", first)
