"""The report's Summary: the recommended strategy first, addressed to the actors who must act, with
the conditions it rests on, its standing across stakeholders and what would change it (DESIGN.md,
"Who decides, and what the report recommends"). Single options follow as context; where the case
has no strategies (no baseline) the single-option framing stays. It fits one screen: details are
in the sections after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from decide.report.text import (PM_NOTE, and_list, code, count_words, escaped_names, names, num, pct, pm, se,
                                signed, weights_label)
from decide.tables import escape_markdown, markdown_table

__all__ = ["summary", "portfolio_paragraph", "who_acts_table", "stakeholders_paragraph", "main_blocker"]


def main_blocker(a, option: str) -> tuple[str | None, pd.Series | None]:
    """The hard requirement involved in most of the option's blocks (ties: the larger stake)."""
    b = a.simulation.blockers.loc[option]
    hard = b[b["requirement"] == "hard"]
    if hard.empty:
        return None, None
    top = hard.sort_values(["block_share", "value_at_stake"], ascending=False).iloc[0]
    return top.name, top


def _leading(a) -> tuple[str, str]:
    means = a.simulation.summary["mean"].sort_values(ascending=False, kind="stable")
    return means.index[0], means.index[1]


def _has_portfolio(a) -> bool:
    st = a.strategies
    return st is not None and st.values is not None and bool(st.best.best)


def portfolio_paragraph(a) -> str:
    """The first paragraph: every option of the recommended strategy, its value against doing nothing."""
    st = a.strategies
    best, v = st.best, st.values
    n = len(best.best)
    ids = and_list([code(o) for o in best.best])
    return (f"**Recommendation: pursue {count_words(n)} option{'s' if n > 1 else ''} together** — {ids} — each "
            f"by the actors named below. With weights from {weights_label(a)}, together they are worth "
            f"{num(v.means[0])} on a 0–1 scale against {num(v.means[1])} for doing nothing: a gain of "
            f"{pm(v.gain, v.gain_se)}, and they do better than doing nothing in "
            f"{pct(v.p_beats_nothing, v.p_beats_nothing_se)} of {v.n_scenarios:,} simulated worlds ({PM_NOTE}).")


def who_acts_table(a) -> str:
    """One row per option of the recommended strategy: who acts, what it adds, when it goes ahead."""
    best = a.strategies.best
    added = best.contributions_frame()
    option_names = escaped_names(a)  # the option column is Markdown (ids in code): names escaped here
    actors = {o.id: o.actors for o in a.case.options}
    s = a.simulation.summary
    hard = {o.id: [q for q, _ in o.hard_requirements] for o in a.case.options}
    rows = []
    for o in best.best:
        questions = list(dict.fromkeys(hard.get(o, [])))
        if questions:
            shown = ", ".join(code(q, in_table=True) for q in questions[:2]) + (
                f" and {len(questions) - 2} more" if len(questions) > 2 else "")
            ahead = f"{pct(1 - s.at[o, 'p_blocked'])} (needs {shown})"
        else:
            ahead = "always (no hard requirement)"
        adds = (pm(added.at[o, "added"], added.at[o, "mcse"], sign=True)
                if o in added.index and np.isfinite(added.at[o, "added"]) else "–")
        rows.append({"option": f"{option_names[o]} ({code(o, in_table=True)})",
                     "who acts": ", ".join(actors.get(o) or ["–"]), "adds": adds, "goes ahead": ahead})
    table = markdown_table(pd.DataFrame(rows), index=False, markdown=["option", "goes ahead"])
    notes = ["\"Adds\": the value lost if that option alone were dropped (on the same simulated worlds). "
             "\"Goes ahead\": the chance every hard requirement of the option says yes, under its own enablers; "
             "otherwise it scores its failure profile."]
    measured = [o for o in best.best if o in added.index and np.isfinite(added.at[o, "added"])]
    costly = [o for o in measured if added.at[o, "added"] <= -2 * added.at[o, "mcse"]]
    weak = [o for o in measured if o not in costly and added.at[o, "added"] < 2 * added.at[o, "mcse"]]
    if costly:
        notes.append(f"{and_list([code(o) for o in costly])} cost{'s' if len(costly) == 1 else ''} value measurably "
                     "on fresh worlds (more than two standard errors below zero): the search chose "
                     f"{'it' if len(costly) == 1 else 'them'} on its own scenarios, within their noise; the "
                     f"recommendation without {'it' if len(costly) == 1 else 'them'} does better on fresh worlds, and "
                     "a reader should prefer it (see How robust the recommendation is).")
    if weak:
        notes.append(f"{and_list([code(o) for o in weak])} add{'s' if len(weak) == 1 else ''} nothing measurable "
                     "on fresh worlds (within two standard errors of zero): chosen by a margin within the "
                     f"noise of the scenarios, {'it' if len(weak) == 1 else 'they'} can be left out at no "
                     "measurable cost.")
    return table + "\n\n" + " ".join(notes)


def stakeholders_paragraph(a) -> str:
    """Under which stakeholders' weights the recommendation holds, and over the admissible weights."""
    ps = a.strategies.standing
    if ps is None or not len(ps.profile_ids):
        return ""
    verdicts = ps.profile_verdicts()
    best_under = [p for p, v in zip(ps.profile_ids, verdicts) if v == "best"]
    close = [p for p, v in zip(ps.profile_ids, verdicts) if v == "close"]
    behind = [(p, g, e) for p, g, e, v in zip(ps.profile_ids, ps.profile_gap, ps.profile_gap_se, verdicts)
              if v == "behind"]
    parts = [f"It is the best combination under {len(best_under)} of the case's {len(ps.profile_ids)} stakeholder "
             f"profiles ({and_list([code(p) for p in best_under]) or 'none'})"]
    if close:
        parts.append(f"within two standard errors of the best, or ahead of it on fresh worlds, under "
                     f"{and_list([code(p) for p in close])}")
    if behind:
        worst = min(behind, key=lambda t: t[1])
        parts.append(f"behind another combination under {len(behind)} (by up to {pm(-worst[1], worst[2])}, under "
                     f"{code(worst[0])})")
    text = "; ".join(parts) + "."
    shared = [o for o in ps.recommended if all(o in b for b in ps.profile_best)]
    if shared and len(ps.profile_ids) > 1:
        rest = [o for o in ps.recommended if o not in shared]
        text += (f" Every profile's best combination includes {and_list([code(o) for o in shared])}"
                 + (f"; {and_list([code(o) for o in rest])} depend{'s' if len(rest) == 1 else ''} on whose weights "
                    "count." if rest else "."))
    losing = [(p, g, e) for p, g, e in zip(ps.profile_ids, ps.profile_gain, ps.profile_gain_se)
              if np.isfinite(g) and g <= 0]
    if losing:
        text += (f" It does no better than doing nothing under {and_list([code(p) for p, _, _ in losing])} "
                 f"({'; '.join(f'{signed(g)} ± {se(e)}' for _, g, e in losing)}).")
    else:
        text += " It beats doing nothing under every profile."
    what = ("drawn uniformly from the case's imprecise weight statements" if ps.smaa_mode == "imprecise"
            else "drawn uniformly from all weights (the case makes no imprecise statement)")
    text += (f" For weights {what}, it is the best combination for {pct(ps.smaa_recommended, ps.smaa_recommended_se)} "
             f"of them ({len(ps.smaa_strategies)} combinations are best somewhere), and falls short of the best by "
             f"{num(ps.smaa_regret)} on average.")
    return "**Across stakeholders.** " + text


def _budgets(a) -> str:
    """Budgets the recommendation uses, and whether one binds (an option left out would not fit)."""
    chosen = set(a.strategies.best.best)
    parts = []
    for r in a.case.resources:
        if r.budget is None:
            continue
        used = sum(o.uses.get(r.id, 0.0) for o in a.case.options if o.id in chosen)
        left = r.budget - used
        blocked = [o.id for o in a.case.options if o.id not in chosen and o.uses.get(r.id, 0.0) > left + 1e-12]
        if used <= 0:
            continue
        unit = f" {escape_markdown(r.unit)}" if r.unit else ""
        binds = f"; it binds: {and_list([code(o) for o in blocked[:3]])} would not fit" if blocked and used > 0 else ""
        parts.append(f"it uses {used:g} of the {r.budget:g}{unit} of {escape_markdown(r.name)}{binds}")
    capped = [escape_markdown(r.name) for r in a.case.resources if r.budget is not None]
    if not parts and capped:
        return f"no budget binds: it uses none of the capped resources ({and_list(capped)})"
    return "; ".join(parts)


def _what_changes(a) -> str:
    ps = a.strategies.standing
    parts = []
    if ps is not None and np.isfinite(ps.least_l1):
        rec = set(ps.recommended)
        challenger = ps.least_challenger
        dropped = [o for o in ps.recommended if o not in challenger]
        added = [o for o in challenger if o not in rec]
        how = " and ".join(([f"without {and_list([code(o) for o in dropped])}"] if dropped else [])
                           + ([f"with {and_list([code(o) for o in added])}"] if added else []))
        statements = ""
        if ps.least_within_statements is False and np.isfinite(ps.least_l1_admissible):
            statements = (f" (those weights break the case's imprecise statements; within them it takes "
                          f"{num(ps.least_l1_admissible)})")
        elif ps.least_within_statements:
            statements = " (within the case's imprecise statements)"
        parts.append(f"moving the weights by {num(ps.least_l1)} in total (L1) makes the recommendation {how} at "
                     f"least as good{statements}")
    pivot = pivotal_sentence(a)
    if pivot:
        parts.append(pivot)
    budgets = _budgets(a)
    if budgets:
        parts.append(budgets)
    runs = a.strategies.best.stability_runs
    if runs:
        full = a.strategies.best.n_scenarios
        halves = sum(r.n_scenarios < full for r in runs)
        sizes = (f"{len(runs) - halves} on {full:,} other scenarios, {halves} on {full // 2:,}"
                 if halves else f"{len(runs)} on {full:,} other scenarios")
        parts.append(f"re-optimised {len(runs)} times ({sizes}), the same combination came out in "
                     f"{sum(r.same for r in runs)} of {len(runs)}")
    if not parts:
        return ""
    text = "; ".join(parts) + "."
    return "**What would change it.** " + text[0].upper() + text[1:]


def threshold_words(row) -> str:
    """'`o` earns its place only while P(`q`) stays above 0.46 (now 0.40)' for a threshold row."""
    o, q, p, now = code(row["option"]), code(row["question"]), row["break_even"], row["p_now"]
    rising = row["added_if_yes"] > row["added_if_no"]
    if rising:
        return (f"{o} earns its place only while P({q}) stays above {p:.2f} (now {now:.2f})" if now >= p else
                f"{o} would earn its place only if P({q}) rose above {p:.2f} (now {now:.2f})")
    return (f"{o} earns its place only while P({q}) stays below {p:.2f} (now {now:.2f})" if now <= p else
            f"{o} would earn its place only if P({q}) fell below {p:.2f} (now {now:.2f})")


def pivotal_sentence(a) -> str:
    """The threshold probability nearest the present one, as a clause."""
    t = a.strategies.thresholds if a.strategies is not None else None
    if t is None or t.empty or not np.isfinite(t["break_even"].iloc[0]):
        return ""
    return "the pivotal probability: " + threshold_words(t.iloc[0])


def _single_option(a) -> str:
    sim, n = a.simulation, escaped_names(a)
    s = sim.summary
    lead, second = _leading(a)
    pw = sim.pairwise.loc[lead, second]
    text = (f"**{n[lead]}** ({code(lead)}) has the highest expected value, {pm(s.at[lead, 'mean'], s.at[lead, 'mean_se'])} "
            f"on a 0–1 scale, and is the best option in {pct(s.at[lead, 'p_best'], s.at[lead, 'p_best_se'])} of the "
            f"simulated worlds. The runner-up is **{n[second]}** ({num(s.at[second, 'mean'])}; best in "
            f"{pct(s.at[second, 'p_best'])}); the leader beats it in {pct(pw)} of draws.")
    most_often = s["p_best"].idxmax()
    if most_often != lead:
        text += (f" **{n[most_often]}** is best more often ({pct(s.at[most_often, 'p_best'])}) but has a lower "
                 f"mean: its outcome is more spread out (5th–95th percentile {num(s.at[most_often, 'p05'])}–"
                 f"{num(s.at[most_often, 'p95'])}).")
    return text


def summary(a) -> str:
    lines = ["## Summary", ""]
    if _has_portfolio(a):
        lines += [portfolio_paragraph(a), "", who_acts_table(a), ""]
        for paragraph in (stakeholders_paragraph(a), _what_changes(a)):
            if paragraph:
                lines += [paragraph, ""]
        lines += ["**Options one by one** (context only: the options combine, so no single one is the choice). "
                  "Taken alone, " + _single_option(a), ""]
    else:
        lines += [f"**Recommendation.** With weights from {weights_label(a)}, " + _single_option(a)
                  + f" ({PM_NOTE}.)", ""]
        lines += [_single_option_changes(a), ""]
    return "\n".join(lines)


def _single_option_changes(a) -> str:
    """What would change a single-option recommendation: the least weight change, the nearest crossover."""
    n = escaped_names(a)
    lead, second = _leading(a)
    parts = []
    lc = a.least_change
    if lc is not None and second in lc.index and lc.at[second, "can_lead"]:
        parts.append(f"the smallest change of the weights that lets {n[second]} lead moves them by "
                     f"{num(lc.at[second, 'l1'])} in total (L1; largest moves: "
                     f"{escape_markdown(lc.at[second, 'largest_moves_l1'])})")
    co = a.crossovers[a.crossovers["nearest"]] if len(a.crossovers) else a.crossovers
    if len(co):
        nearest = co.loc[co["change_needed"].abs().idxmin()]
        parts.append(f"moving the weight of {code(nearest['weight'])} alone from {num(nearest['current'])} to "
                     f"{num(nearest['crossover'])} hands the lead to {n[nearest['new_leader']]}")
    if not parts:
        return "**What would change it.** No single change examined here alters the leader."
    text = "; ".join(parts) + "."
    return "**What would change it.** " + text[0].upper() + text[1:]
