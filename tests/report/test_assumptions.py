"""The report's assumptions register: one line per assumption, generated from the case."""

from decide.report.assumptions import assumption_items, assumptions_section
from decide.report.markdown import render_markdown


def test_register_is_in_the_report(mali):
    text = render_markdown(mali.completed(), {})
    assert "\n## Assumptions\n" in text
    assert text.index("## Assumptions") < text.index("## Appendix: evidence")


def test_register_names_every_assumption_from_the_case(mali):
    items = dict(assumption_items(mali))
    for key in ("risk neutrality", "AND gate", "independence", "judgement errors", "weights", "budgets",
                "assumed scores", "soft penalties", "failure profiles"):
        assert key in items, key
    # Generated from the case, not fixed text.
    default = next(p for p in mali.case.weights.profiles if p.id == mali.arrays.default_profile)
    assert f"`{default.id}`" in items["weights"]
    assumed = default.evidence is not None and default.evidence.assumption
    assert ("marked as an assumption" in items["weights"]) == assumed
    correlated = {q for c in mali.case.correlations for q in c.between}
    independent = [q.id for q in mali.case.preconditions if q.id not in correlated]
    assert f"{len(independent)} of {len(mali.case.preconditions)} questions" in items["independence"]
    for r in mali.case.resources:
        if r.budget is not None:  # a resource without a budget is only counted
            assert f"{r.budget:g}" in items["budgets"]
    n_assumed = sum(s.evidence is not None and s.evidence.assumption for o in mali.case.options
                    for s in [*o.scores.values(), *(v for f in o.failure_profiles for v in f.values())])
    assert f"{n_assumed} outcome scores" in items["assumed scores"]
    assert "`humanitarian_aid` without `aid_access` −0.015" in items["soft penalties"]


def test_one_line_each(mali):
    lines = [x for x in assumptions_section(mali).splitlines() if x.startswith("- ")]
    assert len(lines) == len(assumption_items(mali))


def test_a_case_without_correlations_or_budgets_says_what_applies(minimal_without_strategies):
    items = dict(assumption_items(minimal_without_strategies))
    assert "risk neutrality" in items and "weights" in items
    if not minimal_without_strategies.case.resources:
        assert "budgets" not in items
