"""Issue 16: the value at stake by intervention in the Blockers section, and the value of information
for the strategy choice in the Value of information section; each test fails if its part disappears."""

import pytest

from decide.report.markdown import render_markdown


@pytest.fixture(scope="module")
def text(mali):
    return render_markdown(mali, {})


def _section(text, heading):
    assert f"\n{heading}\n" in text, heading
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_blockers_show_what_each_answer_is_worth_to_the_recommendation(mali, text):
    body = _section(text, "## Which preconditions block which options")
    t = mali.strategies.value_at_stake
    assert t is not None and len(t) >= 4
    assert "**What each answer is worth to the recommendation.**" in body
    header = next(line for line in body.splitlines() if line.startswith("| question | needed by |"))
    assert "value at stake (set the answer)" in header and "value at stake (observed)" in header
    # One row per question the recommendation's options need, with its value at stake and error.
    for q, row in t.iterrows():
        line = next(line for line in body.splitlines() if line.startswith(f"| `{q}` |"))
        assert f"{abs(row['at_stake']):.3f} ±" in line
    # One sentence each on how to read the two columns, and the option-by-option table after.
    assert "- `value at stake (set the answer)`:" in body and "- `value at stake (observed)`:" in body
    assert body.index("value at stake (set the answer)") < body.index("**Option by option.**")
    assert "set to yes in every world" in body and "drawn as before" in body
    assert f"Securing a yes would add `value if yes` less the recommendation's mean value on these worlds, " \
           f"{t.attrs['mean']:.3f}" in body


def test_value_of_information_is_for_the_strategy_choice(mali, text):
    body = _section(text, "## Value of information")
    t = mali.strategies.information
    assert t is not None and t["changes"].any()
    assert "**For the strategy choice.**" in body and "lower bound" in body
    assert body.index("**For the strategy choice.**") < body.index("**For a choice of one option**")
    header = next(line for line in body.splitlines() if line.startswith("| learn | value | share of the gain |"))
    assert "best if yes" in header and "best if no" in header
    for q, row in t[t["changes"]].iterrows():
        line = next(line for line in body.splitlines() if line.startswith(f"| `{q}` |"))
        assert f"{row['value']:.4f} ±" in line
    assert f"over {t.attrs['n_candidates']} candidate strategies" in body


def test_the_new_analyses_are_timed(mali):
    assert {"value at stake (set answer)", "strategy EVPPI"} <= set(mali.timings)
