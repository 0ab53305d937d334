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

TIES = "Ranks: 1 + the number of options strictly better; tied options share the tied ranks in equal fractions."


def _pct(p: float, se: float | None = None) -> str:
    if p is None or not np.isfinite(p):
        return "–"
    out = f"{100 * p:.1f}%"
    return out + (f" ± {100 * se:.1f}" if se is not None and np.isfinite(se) and se > 0 else "")


def _num(x: float, digits: int = 3) -> str:
    return format_cell(float(x), digits)


def _names(a: Analyses) -> dict[str, str]:
    """Option id -> name as the case gives it (for tables, which escape their cells)."""
    return dict(zip(a.arrays.option_ids, a.arrays.option_names))


def _escaped_names(a: Analyses) -> dict[str, str]:
    """Option id -> name escaped for a sentence."""
    return {o: escape_markdown(name) for o, name in _names(a).items()}


def _code(text: object, *, in_table: bool = False) -> str:
    """``text`` (an id, a path, a command) as a code span on one line: fenced by more backticks
    than any run of them inside it; in a table cell, with ``|`` escaped (as GFM tables require)."""
    text = one_line(text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if in_table:
        text = text.replace("|", r"\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def _weights_label(a: Analyses) -> str:
    w = a.context.weights
    if w is None:
        return f"profile {_code(a.arrays.default_profile)} (the case's default)" if a.arrays.default_profile else \
            "the criteria set's own weights"
    return {"imprecise": "drawn uniformly from the case's imprecise weight statements",
            "uniform": "drawn uniformly from the simplex (nothing known)",
            "profiles": "a mixture of the stakeholder profiles"}.get(w, f"profile {_code(w)}")


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


def _leading(a: Analyses) -> tuple[str, str]:
    means = a.simulation.summary["mean"].sort_values(ascending=False)
    return means.index[0], means.index[1]


def _robustness_words(p_best: float) -> str:
    if p_best >= 0.8:
        return "robust: it is best in most plausible worlds"
    if p_best >= 0.5:
        return "fairly robust: it is best more often than not, but not overwhelmingly"
    return "fragile: no option is best in most draws, so the choice rests on judgement calls named below"


def _main_blocker(a: Analyses, option: str) -> tuple[str | None, pd.Series | None]:
    b = a.simulation.blockers.loc[option]
    hard = b[b["requirement"] == "hard"]
    if hard.empty:
        return None, None
    top = hard.sort_values(["block_share", "value_at_stake"], ascending=False).iloc[0]
    return top.name, top


def summary(a: Analyses) -> str:
    sim, names, option_names = a.simulation, _escaped_names(a), _names(a)
    s = sim.summary
    lead, second = _leading(a)
    pw = sim.pairwise.loc[lead, second]
    lines = ["## Summary", ""]
    portfolio = _portfolio(a)
    single = (f"**{names[lead]}** ({_code(lead)}) has the highest expected value, {_num(s.at[lead, 'mean'])} on a 0–1 "
              f"scale, and is the best option in {_pct(s.at[lead, 'p_best'], s.at[lead, 'p_best_se'])} of the "
              f"simulated worlds. The runner-up is **{names[second]}** ({_num(s.at[second, 'mean'])}; best in "
              f"{_pct(s.at[second, 'p_best'])}); the leader beats it in {_pct(pw)} of draws.")
    if portfolio:
        lines += [portfolio, "", "**Options one by one** (context: the options combine, so no single one is the "
                  "choice). Taken alone, " + single]
    else:
        lines.append(f"**Recommendation.** With weights from {_weights_label(a)}, " + single)
    most_often = s["p_best"].idxmax()
    if most_often != lead:
        lines[-1] += (f" Note that **{names[most_often]}** is best more often ({_pct(s.at[most_often, 'p_best'])}) but "
                      f"has a lower mean: its outcome is more uncertain (5th–95th percentile "
                      f"{_num(s.at[most_often, 'p05'])}–{_num(s.at[most_often, 'p95'])}).")
    lines += ["", f"**How robust{', one by one' if portfolio else ''}.** The lead is {_robustness_words(float(s.at[lead, 'p_best']))}. "
              f"Expected regret of choosing it: {_num(s.at[lead, 'expected_regret'])} "
              f"(95th percentile {_num(s.at[lead, 'regret_p95'])})."]

    blocked = s[s["p_blocked"] > 0].sort_values("p_blocked", ascending=False)
    if not blocked.empty:
        lines += ["", "**\"No to any\" risk.** Probability that at least one hard precondition says no, so the option "
                  "fails and scores its failure profile, and the question that blocks it most often:", ""]
        rows = []
        for option in blocked.index:
            q, row = _main_blocker(a, option)
            rows.append({"option": option_names[option], "P(blocked)": _pct(blocked.at[option, "p_blocked"]),
                         "question that matters most": _code(q, in_table=True) if q else "–",
                         "its share of blocks": _pct(row["block_share"]) if row is not None else "–",
                         "sole blocker": _pct(row["sole_blocker_share"]) if row is not None else "–"})
        lines.append(markdown_table(pd.DataFrame(rows), index=False, markdown=["question that matters most"]))
    voi = sim.preconditions.sort_values("evppi", ascending=False)
    if len(voi) and voi["evppi"].iloc[0] > 0:
        q = voi.index[0]
        under = voi.at[q, "evppi_answer"]
        names = _escaped_names(a)
        answer = (f" — the answer *if {' and '.join(names.get(o, o) for o in under.split(' + '))} "
                  f"{'is' if ' + ' not in under else 'are'} pursued*, which is what the choice turns on; "
                  f"the answer without that is worth {_num(voi.at[q, 'evppi_unmediated'], 4)}") if under else ""
        lines += ["", f"**The question worth answering first** is {_code(q)} "
                  f"({escape_markdown(_question(a, q))}): learning its answer before choosing is worth "
                  f"{_num(voi.at[q, 'evppi'], 4)} ± {_num(voi.at[q, 'evppi_se'], 4)} in expected value (EVPPI{answer}; "
                  f"perfect information about everything is worth {_num(sim.evpi, 4)})."]
    lines += ["", "**What would change the answer.** " + _what_changes(a, lead, second), ""]
    return "\n".join(lines)


def _portfolio(a: Analyses) -> str:
    """The Summary's first paragraph where options combine: the recommended strategy, what each of
    its options adds and who must act on it, and its value against doing nothing ("" where the
    case has no baseline or the strategies were not computed)."""
    st = a.strategies
    if st is None or st.values is None or not st.best.best:
        return ""
    best, v, names = st.best, st.values, _escaped_names(a)
    actors = {o.id: [escape_markdown(x) for x in o.actors] for o in a.case.options}
    added = best.contributions_frame()
    parts = []
    for o in best.best:
        bits = [f"{', '.join(actors[o])} to act"] if actors.get(o) else []
        if o in added.index and np.isfinite(added.at[o, "added"]):
            bits.append(f"adds {_signed(added.at[o, 'added'])} ± {_se(added.at[o, 'mcse'])}")
        parts.append(f"**{names[o]}**" + (f" ({'; '.join(bits)})" if bits else ""))
    n = len(best.best)
    count = {1: "one option", 2: "two options together", 3: "three options together",
             4: "four options together", 5: "five options together"}.get(n, f"{n} options together")
    stability = (f" The same combination came out in {_pct(best.stability)} of re-optimisations with other "
                 "seeds and half the scenarios." if np.isfinite(best.stability) else "")
    return (f"**Recommendation: pursue {count}.** With weights from {_weights_label(a)}, the best combination "
            f"of options is {_and(parts)}. Together they are worth {_num(v.means[0])} on a 0–1 scale against "
            f"{_num(v.means[1])} for doing nothing: a gain of {_num(v.gain)} ± {_se(v.gain_se)}, and they beat "
            f"doing nothing in {_pct(v.p_beats_nothing, v.p_beats_nothing_se)} of {v.n_scenarios:,} simulated "
            "worlds. \"Adds\" is the value lost if that option alone were dropped; ± is one standard error "
            f"(Monte Carlo), here and throughout.{stability}")


def _se(x: float) -> str:
    """A standard error with its first significant digit shown (0.0005, not 0.000)."""
    x = float(x)
    if not np.isfinite(x):
        return "–"
    if x == 0 or x >= 0.001:
        return _num(x)
    return f"{x:.{min(int(-np.floor(np.log10(x))), 8)}f}"


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "−") + _num(abs(x))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _question(a: Analyses, q: str) -> str:
    return next(p.question for p in a.case.preconditions if p.id == q)


def _what_changes(a: Analyses, lead: str, second: str) -> str:
    names = _escaped_names(a)
    parts = []
    lc = a.least_change
    if second in lc.index and lc.at[second, "can_lead"]:
        parts.append(f"the smallest change of the weights that lets {names[second]} lead moves them by "
                     f"{_num(lc.at[second, 'l1'])} in total (L1; largest moves: "
                     f"{escape_markdown(lc.at[second, 'largest_moves_l1'])})")
    co = a.crossovers[a.crossovers["nearest"]]
    if not co.empty:
        nearest = co.loc[co["change_needed"].abs().idxmin()]
        parts.append(f"moving the weight of {_code(nearest['weight'])} alone from {_num(nearest['current'])} to "
                     f"{_num(nearest['crossover'])} hands the lead to {names[nearest['new_leader']]}")
    t = a.tornado
    if len(t):
        flips = t[(np.sign(t["gap_at_low"]) != np.sign(t["gap_at_high"]))]
        if not flips.empty:
            pair = [escape_markdown(n) for n in t.attrs.get("leading_names") or ("the leader", "the runner-up")]
            parts.append(f"the uncertain input that most easily reverses {pair[0]} and {pair[1]} (on central values) "
                         f"when swung from its 5th to 95th percentile is {escape_markdown(flips.iloc[0]['input'])}")
    if not parts:
        return "No single change examined here alters the leader."
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


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
        "mean": s["mean"], "± se": s["mean_se"], "p05": s["p05"], "p50": s["p50"], "p95": s["p95"],
        "p_best": s["p_best"], "p_best ± se": s["p_best_se"], "regret": s["expected_regret"],
        "regret p95": s["regret_p95"], "confidence": s["confidence_factor"],
    }, index=s.index)
    top = list(s.index[:6])
    pairwise = sim.pairwise.loc[top, top]
    return "\n".join([
        "## Robustness under uncertainty", "",
        f"{a.context.n_draws:,} Monte Carlo draws of every score, failure outcome and precondition answer "
        "(Gaussian copula over the preconditions, enablers of each option's own strategy applied), with weights "
        f"from {_weights_label(a)}. {TIES}", "",
        markdown_table(table), "",
        "`confidence` is the SMAA-2 confidence factor: how often the option is best when the weights are fixed at "
        "its central weight vector. Percentiles come from a 4,096-bin histogram.", "",
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
        _figure(figures, "contributions", "Contributions of each criterion"), ""])


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
    b = b.drop(columns=[c for c in b.columns if c.endswith("_se")] + ["option"])
    return "\n".join([
        "## Which preconditions block which options", "",
        "For each option and each precondition it requires (under the option's own enablers): the probability "
        "the answer is no, that question's share of the draws where the option is blocked, the share where it is "
        "the only no, and the value at stake (mean value when yes minus when no).", "",
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
    v = a.simulation.value_of_information
    return "\n".join([
        "## Value of information", "",
        "Expected gain in value from learning the answer before choosing, estimated from the simulation's own "
        "draws: EVPI for learning everything, EVPPI for learning one precondition's answer (without enablers). "
        "A question no option's choice depends on is worth zero.", "",
        markdown_table(v.sort_values("value", ascending=False), digits=4), ""])


def strategies_section(a: Analyses, figures: dict[str, str] | None = None) -> str:
    st = a.strategies
    if st is None:
        return ""
    best, names = st.best, _escaped_names(a)
    parts = ["## Strategies: which combination of options", "",
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
                  markdown_table(table), ""]
    objective = {"expected": "expected value", "maximin": "smallest gain over doing nothing across the profiles",
                 "minimax_regret": "maximum regret"}[best.objective]
    chosen = " + ".join(names[o] for o in best.best) or "doing nothing"
    parts += ["### Best strategies", "",
              f"Chosen by {best.engine} ({best.status}{'' if best.gap == 0 else f', gap {best.gap:.2%}'}) over "
              f"{best.n_scenarios:,} scenarios, maximising {objective}; the best few re-simulated on "
              f"{best.n_out_of_sample:,} fresh scenarios. The best strategy is **{chosen}**; the same choice came "
              f"out in {_pct(best.stability)} of re-optimisations with other seeds and half the scenarios.", "",
              markdown_table(best.to_frame()), "",
              "What each option of the best strategy adds (out-of-sample value with and without it):", "",
              markdown_table(best.contributions_frame()), "", _risk_profiles(a, figures or {})]
    if st.core is not None:
        core = st.core.to_frame()
        parts += ["### Core index under the imprecise weights", "",
                  "Share of the non-dominated strategies (for every admissible weight vector, no other strategy is "
                  "better) that contain each option: 1 = core (in all of them), 0 = exterior.", "",
                  markdown_table(core), ""]
    return "\n".join(parts)


def findings_section(a: Analyses) -> str:
    if not a.case.findings:
        return ""
    sim, names = a.simulation, _escaped_names(a)
    voi = sim.preconditions["evppi"].rank(ascending=False, method="min")
    lines = ["## The source's findings beside the numbers", "",
             "Each finding of the source, in the case author's words, with the numbers that bear on it. The case "
             "was not tuned to agree.", ""]
    for f in a.case.findings:
        section = f" ({escape_markdown(f.evidence.section)})" if f.evidence else ""
        lines.append(f"**{escape_markdown(f.statement)}**{section}")
        lines.append("")
        for claim in f.claims:
            if claim.better is not None:
                p = float(sim.pairwise.loc[claim.better, claim.than])
                verdict = "agrees" if p > 0.5 else "does not agree"
                why = _why_pair(a, claim.better, claim.than)
                lines.append(f"- {names[claim.better]} beats {names[claim.than]} in {_pct(p)} of draws: "
                             f"the model **{verdict}**. {why}")
            else:
                q = claim.precondition_matters
                evppi = float(sim.preconditions.at[q, "evppi"])
                worth = evppi > 2 * np.nan_to_num(sim.preconditions.at[q, "evppi_se"]) and evppi > 1e-6
                rank = int(voi[q])
                main_for = [names[o] for o in sim.summary.index if _main_blocker(a, o)[0] == q]
                verdict = "agrees" if (worth and rank <= 3) or main_for else "does not agree"
                blocking = (f"it is the question that most often blocks {', '.join(main_for)}" if main_for
                            else "it is not the main blocker of any option")
                value = (f"ranks {rank} of {len(voi)} questions by value of information (EVPPI {_num(evppi, 4)})"
                         if worth else "is worth nothing to learn before choosing (EVPPI ≈ 0: the choice does "
                                       "not turn on it)")
                lines.append(f"- {_code(q)} {value}, and {blocking}: the model "
                             f"**{verdict}** that it matters (criterion: among the three most valuable questions to "
                             "answer, or the main blocker of some option).")
        lines.append("")
    return "\n".join(lines)


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


def _figure(figures: dict[str, str], key: str, alt: str) -> str:
    return f"![{alt}]({figures[key]})\n" if key in figures else ""


def render_markdown(a: Analyses, figures: dict[str, str]) -> str:
    """The whole report; ``figures`` maps chart keys to file names relative to the report."""
    sections = [header(a), summary(a), score_section(a), robustness_section(a, figures), explain_section(a, figures),
                blockers_section(a, figures), profiles_section(a, figures), weight_sensitivity_section(a, figures),
                global_sensitivity_section(a, figures), value_of_information_section(a), strategies_section(a, figures),
                findings_section(a), assumptions_section(a), evidence_section(a)]
    from decide.discover.report import where_it_goes_wrong

    sections.insert(2, where_it_goes_wrong(a))  # under the Summary
    return "\n".join(s for s in sections if s).rstrip() + "\n"
