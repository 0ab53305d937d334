"""The report as Markdown text: results in, strings out (no I/O, no plotting).

Text from the case (titles, names, questions, evidence, findings) is data, not Markdown: it goes
into the report through :func:`~decide.tables.escape_markdown` (tables escape their cells
themselves), ids and paths as code spans (:func:`_code`), so a case can neither break a table nor
put live HTML, scripts or links into the rendered report.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from decide.report.assumptions import assumptions_section
from decide.report.build import Analyses
from decide.report.evidence import evidence_table
from decide.tables import escape_markdown, format_cell, markdown_table, one_line

__all__ = ["render_markdown"]

from decide.report.summary import main_blocker as _main_blocker
from decide.report.summary import summary as summary
from decide.report.text import TIES
from decide.report.text import code as _code
from decide.report.text import escaped_names as _escaped_names
from decide.report.text import figure as _figure
from decide.report.text import names as _names
from decide.report.text import num as _num
from decide.report.text import pct as _pct
from decide.report.text import question as _question
from decide.report.text import se as _se
from decide.report.text import signed as _signed
from decide.report.text import weights_label as _weights_label


def header(a: Analyses) -> str:
    c = a.context
    rows = [("Case file", _code(c.case_path, in_table=True)), ("SHA-256", f"`{c.case_sha256}`"),
            ("Seed", str(c.seed)), ("Monte Carlo draws", f"{c.n_draws:,}"), ("Weights", _weights_label(a)),
            ("decide version", c.version), ("Date", c.date)]
    source = a.case.source
    lines = [f"# {escape_markdown(a.case.title)}: decision report", ""]
    if source is not None:
        by = ", ".join(escape_markdown(x) for x in (source.author, source.publisher, source.date) if one_line(x))
        lines += [f"Source: *{escape_markdown(source.title)}*" + (f" ({by})" if by else "") + ".", ""]
    lines += ["| | |", "| --- | --- |", *[f"| {k} | {v} |" for k, v in rows], ""]
    command = (f"decide report {c.case_path} -n {c.n_draws} --seed {c.seed}"
               + (f" --weights {c.weights}" if c.weights else "") + " -o DIR")
    lines += [f"Every figure below can be regenerated with {_code(command)}.", ""]
    return "\n".join(lines)


def score_section(a: Analyses) -> str:
    t = a.scores.table.copy()
    t = t[["rank", "name", "expected_value", "value_if_hold", "p_hold", "failure_value", "evaluated_with"]]
    notes = "\n\n".join(f"> {escape_markdown(n)}" for n in a.scores.notes)
    return "\n".join([
        "## Scores on central values", "",
        "Each score at its central value (point; mode of triangular and PERT; mean otherwise). `p_hold` is the "
        "probability that every hard precondition holds, at their central probabilities, correlated as the "
        "case says (the simulation's Gaussian copula) and after the option's own enablers; `expected_value` = "
        "p_hold × value_if_hold + (1 − p_hold) × failure_value − expected soft penalties, a soft no costing "
        "only where the option goes ahead. The weight analyses below use the simulation's expected values.", "",
        markdown_table(t), "", notes, ""])


def robustness_section(a: Analyses, figures: dict[str, str]) -> str:
    sim, names = a.simulation, _names(a)
    s = sim.summary.sort_values("mean", ascending=False)
    table = pd.DataFrame({
        "name": [names[o] for o in s.index],
        "mean": s["mean"], "± se": s["mean_se"].map(_se), "p05": s["p05"], "p50": s["p50"], "p95": s["p95"],
        "p_best": s["p_best"], "p_best ± se": s["p_best_se"].map(_se), "regret": s["expected_regret"],
        "regret p95": s["regret_p95"],
    }, index=s.index)
    drawn = a.context.weights in ("imprecise", "uniform", "profiles")
    if drawn:  # with fixed weights the confidence factor is p_best again
        table["confidence"] = s["confidence_factor"]
    top = list(s.index[:6])
    pairwise = sim.pairwise.loc[top, top]
    return "\n".join([
        "## Single options under uncertainty", "",
        f"{a.context.n_draws:,} Monte Carlo draws of every score, failure outcome and precondition answer "
        "(Gaussian copula over the preconditions, enablers of each option's own strategy applied), with weights "
        f"from {_weights_label(a)}. {TIES}", "",
        markdown_table(table), "",
        ("`confidence` is the SMAA-2 confidence factor: how often the option is best when the weights are fixed at "
         "its central weight vector. " if drawn else "The weights are fixed, so the SMAA-2 confidence factor (which "
         "would equal p_best) is not shown; the section across stakeholders draws them. ")
        + "`± se` is one Monte Carlo standard error; percentiles come from a 4,096-bin histogram.", "",
        _figure(figures, "rank_acceptability", "Rank acceptability"),
        _figure(figures, "p_best", "Probability of being best"),
        "Probability that the row option beats the column option (ties count half), for the six leading options:", "",
        markdown_table(pairwise), "",
        _risk_profiles(a, figures) if a.strategies is None else ""])


def explain_section(a: Analyses, figures: dict[str, str]) -> str:
    if "value_tree" not in figures and "contributions" not in figures:
        return ""
    return "\n".join([
        "## What the value is made of", "",
        "The value tree: the criteria, grouped, with the global weight of each (the profile the report uses):", "",
        _figure(figures, "value_tree", "Value tree"),
        "Why each leading option scores what it does: each criterion's expected weighted value (the simulation's "
        "mean value on the criterion times its weight), stacked; a dot marks the option's mean value, the bar less "
        "any soft-requirement penalty. Where two bars differ in a segment, that criterion moves the gap.", "",
        _figure(figures, "contributions", "Contributions of each criterion"),
        "Why the recommendation wins, criterion by criterion: each criterion's weight times the difference of mean "
        "values between the recommended strategy and doing nothing, and between the two leading single options. "
        "Bars to the right favour the first named; together they add up to the gap.", "",
        _figure(figures, "weighted_difference", "Weighted differences"), ""])


def _risk_profiles(a: Analyses, figures: dict[str, str]) -> str:
    if "risk_profiles" not in figures:
        return ""
    return ("Risk profiles: the cumulative distribution of value of the recommended strategy, doing nothing and the "
            "two leading options alone, on the same simulated worlds. Read a curve's height at a value as the chance "
            "of doing no better than that; a curve wholly to the right of another is better in every sense a risk "
            "attitude can give (first-order stochastic dominance).\n\n" + _figure(figures, "risk_profiles", "Risk profiles"))


def blockers_section(a: Analyses, figures: dict[str, str]) -> str:
    b = a.simulation.blockers.reset_index()
    b = b[b["requirement"] != ""]
    names = _names(a)
    b.insert(0, "name", [names[o] for o in b["option"]])
    p_blocked = a.simulation.summary["p_blocked"]
    b["gain if secured"] = [p_blocked[o] * share if req == "hard" else np.nan
                            for o, req, share in zip(b["option"], b["requirement"], b["sole_blocker_share"])]
    b = b.drop(columns=[c for c in b.columns if c.endswith("_se")] + ["option"])
    b = b.rename(columns={"block_share": "involved in", "sole_blocker_share": "only no",
                          "value_at_stake": "value at stake (observed)"})
    from decide.report.portfolio_sections import answers_at_stake

    for_strategy = answers_at_stake(a)
    return "\n".join([
        "## Which preconditions block which options", "",
        for_strategy,
        ("**Option by option.** " if for_strategy else "")
        + "For each option and each precondition it requires (under the option's own enablers). How to read each "
        "column:", "",
        "- `p_no`: the probability the question is answered no.",
        "- `involved in`: involved in this share of the option's blocks (the worlds where it is blocked). Several "
        "questions can say no in the same world, so these shares overlap and can add up to more than 100%.",
        "- `only no`: the share of the option's blocks where this question is the only no.",
        "- `gain if secured`: the gain in the option's chance of going ahead if this question alone were made a "
        "yes, every other answer drawn as before (its only-no share times P(blocked)). A question involved in most "
        "blocks can still gain little, when other questions block too.",
        "- `value at stake (observed)`: the option's mean value where the answer is yes minus where it is no. It "
        "is observed, not intervened: where questions are correlated it mixes in what comes with a yes"
        + ("; the recommendation's table above sets the answer instead." if for_strategy else "."), "",
        markdown_table(b.set_index("name")), "", _figure(figures, "blockers", "Blockers"), "",
        _stage_endings(a)])


def _stage_endings(a: Analyses) -> str:
    """For options whose questions come in stages: how often each stage's no ends them."""
    staged = [o for o, ids in zip(a.arrays.option_ids, a.arrays.stage_ids) if len(ids) > 1]
    if not staged:
        return ""
    names = _names(a)
    out = a.simulation.outcomes
    rows = []
    for o in staged:
        ended = out.loc[o]
        rows.append({"option": names[o], **{label: _pct(p, se) for label, (p, se) in
                                            zip(ended.index, zip(ended["p"], ended["p_se"]))}})
    table = pd.DataFrame(rows).set_index("option").fillna("—")
    return "\n".join([
        "How the staged options end: the first stage whose question says no decides the failure "
        "profile scored, so a force stopped before it deploys is not scored as one that deploys and loses.", "",
        markdown_table(table), ""])


def profiles_section(a: Analyses, figures: dict[str, str]) -> str:
    if a.profiles is None:
        return ""
    names = {p.id: escape_markdown(p.name) for p in a.case.weights.profiles}
    weights = pd.DataFrame(a.arrays.profile_weights.T, index=pd.Index(a.arrays.criterion_ids, name="criterion"),
                           columns=list(a.arrays.profile_ids))
    legend = "; ".join(f"{_code(k)}: {v}" for k, v in names.items())
    return "\n".join([
        "## Stakeholder profiles side by side", "", f"Profiles: {legend}.", "",
        "Expected value of each option under each profile (central values; `rank_spread` = best and worst rank):", "",
        markdown_table(a.profiles), "", _figure(figures, "profiles", "Profiles"),
        "Global leaf weights of each profile:", "", markdown_table(weights), ""])


def weight_sensitivity_section(a: Analyses, figures: dict[str, str]) -> str:
    return "\n".join([
        "## Weight sensitivity", "",
        "Each weight moved from 0 to 1 with the others rescaled in proportion; crossovers are the exact weights at "
        "which the leading option changes (computed from the lines, not a grid). `change_needed` is the distance "
        "from the current weight.", "",
        markdown_table(a.crossovers.drop(columns=["nearest"]), index=False), "",
        _figure(figures, "oneway_groups", "Group weights"), _figure(figures, "oneway_leaves", "Leaf weights"),
        "### Least change", "",
        "The smallest change of the whole weight vector (L1: total absolute change; L∞: largest single change) "
        "under which each option is at least as good as every other (linear programs, HiGHS). `inf`: the option "
        "can never lead, whatever the weights.", "",
        markdown_table(a.least_change), "",
        "### Potential optimality and dominance under the imprecise weights", "",
        ("The case's imprecise statements admit a set of weights; an option is potentially optimal if it is best "
         "for at least one of them (margin ≥ 0)." if len(a.arrays.imprecise_b) else
         "The case has no imprecise statements: every weight vector on the simplex is admissible."), "",
        markdown_table(a.potential), "",
        ("Dominance (x at least as good as y for every admissible weight vector):" if len(a.dominance) else
         "No option dominates another for every admissible weight vector."), "",
        markdown_table(a.dominance, index=False) if len(a.dominance) else "", ""])


def global_sensitivity_section(a: Analyses, figures: dict[str, str]) -> str:
    sob = a.sobol
    names = _escaped_names(a)
    pair = getattr(sob, "leading", None)
    what = (f"the expected-value gap between {names.get(pair[0], pair[0])} and {names.get(pair[1], pair[1])}"
            if pair else "the gap between the two leading options")
    t = a.tornado.head(12)[["input", "low_value", "high_value", "gap_at_low", "gap_at_high", "swing"]]
    return "\n".join([
        "## What drives the gap between the leading options", "",
        f"Sobol indices (SALib, {getattr(sob, 'n_evaluations', '')} model runs) of {what}: first-order S1 is the share "
        "of its variance an input group explains alone, total ST includes interactions.", "",
        markdown_table(sob.to_frame()), "",
        _figure(figures, "tornado", "Tornado"),
        "One-at-a-time swings, each input from its 5th to its 95th percentile with all others central:", "",
        markdown_table(t, index=False), ""])


def value_of_information_section(a: Analyses) -> str:
    from decide.report.portfolio_sections import strategy_information

    v = a.simulation.value_of_information
    for_strategy = strategy_information(a)
    single = ("Expected gain in value from learning the answer before choosing, estimated from the simulation's own "
              "draws: EVPI for learning everything, EVPPI for learning one precondition's answer (`answer_under`: "
              "the strategy whose enablers the answer is read under, where not the world's own). A question no "
              "option's choice depends on is worth zero.")
    if for_strategy:
        single = ("**For a choice of one option** (context: the options combine, so no single one is the choice). "
                  + single)
    return "\n".join([
        "## Value of information", "",
        for_strategy,
        single, "",
        markdown_table(_se_columns(v.sort_values("value", ascending=False), 4), digits=4), ""])


def strategies_section(a: Analyses, figures: dict[str, str] | None = None) -> str:
    st = a.strategies
    if st is None:
        return ""
    best, names = st.best, _escaped_names(a)
    parts = ["## Strategies in detail", "",
             "A strategy pursues several options at once: its outcome is the status quo plus each option's change "
             "(its failure profile where a required question says no), capped at the ends of each scale, with the "
             "enablers of its options applied before the questions are answered. Budgets, dependencies and "
             "exclusions are respected.", ""]
    if st.compared is not None:
        c = st.compared
        table = c[["name", "mean", "mcse", "p5", "p95", "vs_doing_nothing", "vs_doing_nothing_mcse", "problems"]]
        parts += ["### The combinations the case names", "",
                  f"Evaluated on the same {c.attrs['n_scenarios']:,} fresh scenarios (paired); doing nothing scores "
                  f"{_num(c.attrs['doing_nothing'])}. `problems` lists any budget, dependency or exclusion a "
                  "combination breaks (it is evaluated anyway, for comparison).", "",
                  markdown_table(_se_columns(table)), ""]
    objective = {"expected": "expected value", "maximin": "smallest gain over doing nothing across the profiles",
                 "minimax_regret": "maximum regret"}[best.objective]
    chosen = " + ".join(names[o] for o in best.best) or "doing nothing"
    parts += ["### Best strategies", "",
              f"Chosen by {best.engine} ({best.status}{'' if best.gap == 0 else f', gap {best.gap:.2%}'}) over "
              f"{best.n_scenarios:,} scenarios, maximising {objective}; the best few re-simulated on "
              f"{best.n_out_of_sample:,} fresh scenarios. The best strategy is **{chosen}**; the same choice came "
              f"out in {_pct(best.stability)} of re-optimisations with other seeds and half the scenarios.", "",
              markdown_table(_se_columns(best.to_frame())), "",
              "What each option of the best strategy adds (out-of-sample value with and without it):", "",
              markdown_table(_se_columns(best.contributions_frame())), ""]
    return "\n".join(parts)


def findings_section(a: Analyses) -> str:
    if not a.case.findings:
        return ""
    sim, names = a.simulation, _escaped_names(a)
    worth_of, se_of, basis = _information_basis(a)
    voi = worth_of.rank(ascending=False, method="min")
    # The third most valuable question: one outside the top three but within two standard errors
    # of it is indeterminate, not a disagreement.
    third = worth_of.sort_values(ascending=False, kind="stable").index[min(2, len(worth_of) - 1)]
    third_worth, third_se = float(worth_of[third]), float(np.nan_to_num(se_of[third]))
    lines = ["## The source's findings beside the numbers", "",
             "Each finding of the source, in the case author's words, with the numbers that bear on it; the case "
             "was not tuned to agree. A claim that one option beats another is judged on the difference of their "
             "mean values against its standard error: **agrees** beyond two standard errors, **does not agree** "
             "beyond two the other way, **indeterminate** within them. The standard error is an upper bound "
             "(√(se² + se²); the draws are common, so the paired one is smaller). A claim that holds in every "
             "simulated world is **true by construction**: it follows from how the case encodes the options, and "
             "is not counted as agreement. A question \"matters\" if learning its answer before choosing is worth "
             f"something (EVPPI {basis}, beyond two standard errors) and ranks among the three most valuable "
             "(**indeterminate** where it is within two standard errors of zero or of the third); that "
             "it blocks an option is true by construction of the case's requirements, and is noted, not counted.", ""]
    counts = {"agrees": 0, "does not agree": 0, "indeterminate": 0, "true by construction": 0}
    s = sim.summary
    for f in a.case.findings:
        section = f" ({escape_markdown(f.evidence.section)})" if f.evidence else ""
        lines.append(f"**{escape_markdown(f.statement)}**{section}")
        lines.append("")
        for claim in f.claims:
            if claim.better is not None:
                x, y = claim.better, claim.than
                p = float(sim.pairwise.loc[x, y])
                d = float(s.at[x, "mean"] - s.at[y, "mean"])
                e = float(np.hypot(s.at[x, "mean_se"], s.at[y, "mean_se"]))
                if p >= 1.0:
                    verdict = "true by construction"
                elif d > 2 * e:
                    verdict = "agrees"
                elif d < -2 * e:
                    verdict = "does not agree"
                else:
                    verdict = "indeterminate"
                counts[verdict] += 1
                said = "the claim is" if verdict == "true by construction" else "the model"
                lines.append(f"- {names[x]} beats {names[y]}: mean difference {_signed(d)} ± {_se(e)}, better in "
                             f"{_pct(p)} of draws: {said} **{verdict}**. {_why_pair(a, x, y)}")
            else:
                q = claim.precondition_matters
                evppi, err = float(worth_of[q]), float(np.nan_to_num(se_of[q]))
                rank = int(voi[q])
                worth = evppi > 2 * err and evppi > 1e-6
                near = evppi + 2 * np.hypot(err, third_se) >= third_worth
                verdict = ("agrees" if worth and rank <= 3 else "indeterminate" if evppi > 1e-6 and (not worth or near)
                           else "does not agree")
                counts[verdict] += 1
                main_for = [names[o] for o in s.index if _main_blocker(a, o)[0] == q]
                blocking = (f" It is the question involved in most blocks of {', '.join(main_for)} (true by "
                            "construction of the requirements, not counted)." if main_for else "")
                said = ("whether it matters is **indeterminate**" if verdict == "indeterminate"
                        else f"the model **{verdict}** that it matters")
                if evppi == 0.0 and err == 0.0:
                    lines.append(f"- {_code(q)}: learning its answer changes no choice: worth nothing to the decision "
                                 f"recommended; {said}.{blocking}")
                else:
                    lines.append(f"- {_code(q)}: learning its answer is worth {_num(evppi, 4)} ± {_se(err, 4)} (rank "
                                 f"{rank} of {len(voi)} questions); {said}.{blocking}")
        lines.append("")
    lines.append("Tally: " + "; ".join(f"{k} {v}" for k, v in counts.items()) + ".")
    lines.append("")
    return "\n".join(lines)


def _information_basis(a: Analyses) -> tuple[pd.Series, pd.Series, str]:
    """The value of learning each question for the decision the report recommends: the choice of
    strategy where options combine (a question absent from that table changes no choice: worth 0),
    else the choice of one option. Returns values, standard errors and how the report names them."""
    pre = a.simulation.preconditions
    information = a.strategies.information if a.strategies is not None else None
    if information is None or information.empty:
        return pre["evppi"], pre["evppi_se"], "for the choice of one option, the decision recommended"
    value = information["value"].reindex(pre.index, fill_value=0.0).astype(float)
    value_se = information["value_se"].reindex(pre.index, fill_value=0.0).astype(float)
    return value, value_se, "for the strategy choice, the decision recommended"


def _why_pair(a: Analyses, x: str, y: str) -> str:
    s, t = a.simulation.summary, a.scores.table
    return (f"Value if its preconditions hold {_num(t.at[x, 'value_if_hold'])} vs {_num(t.at[y, 'value_if_hold'])}; "
            f"P(blocked) {_pct(s.at[x, 'p_blocked'])} vs {_pct(s.at[y, 'p_blocked'])}; "
            f"mean value {_num(s.at[x, 'mean'])} vs {_num(s.at[y, 'mean'])}.")


def evidence_section(a: Analyses) -> str:
    table = evidence_table(a.case)
    table["rationale"] = [escape_markdown(r) + (" *(assumption)*" if assumed else "")
                          for r, assumed in zip(table["rationale"], table.pop("assumption"))]
    return "\n".join(["## Appendix: evidence for every number", "",
                      "Each number in the case with the source section it rests on and the case author's reason; "
                      "*(assumption)* marks numbers the source does not give.", "",
                      markdown_table(table, index=False, markdown=["rationale"]), ""])


def _se_columns(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Standard-error columns written as the rest of the report writes them (never 0.000)."""
    out = frame.copy()
    for c in out.columns:
        if str(c) == "se" or str(c).endswith("_se") or str(c).endswith("mcse"):
            out[c] = [_se(x, digits) if isinstance(x, (int, float, np.floating)) else x for x in out[c]]
    return out


def render_markdown(a: Analyses, figures: dict[str, str]) -> str:
    """The whole report; ``figures`` maps chart keys to file names relative to the report."""
    from decide.report.portfolio_sections import imprecise_section, recommendation_section, stakeholders_section

    sections = [header(a), summary(a), recommendation_section(a, figures), stakeholders_section(a),
                strategies_section(a, figures), score_section(a), robustness_section(a, figures),
                explain_section(a, figures),
                blockers_section(a, figures), profiles_section(a, figures), weight_sensitivity_section(a, figures),
                global_sensitivity_section(a, figures), imprecise_section(a), value_of_information_section(a),
                findings_section(a), assumptions_section(a), evidence_section(a)]
    from decide.discover.report import where_it_goes_wrong

    sections.insert(2, where_it_goes_wrong(a))  # under the Summary
    return "\n".join(s for s in sections if s).rstrip() + "\n"
