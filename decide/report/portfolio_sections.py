"""Sections on the recommended strategy: its robustness (value gap, stochastic dominance, risk
profiles), its standing across stakeholders and admissible weights, and the imprecise-weight
analyses with their caveats shown (witness weights, non-dominated count, the weights Sobol varies).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from decide.analysis.robustness import dominance_words
from decide.report.text import (and_list, code, escaped_names, figure, names, num, pct, pm, se, signed,
                                weights_label)
from decide.tables import escape_markdown, markdown_table

__all__ = ["recommendation_section", "stakeholders_section", "imprecise_section", "answers_at_stake",
           "strategy_information"]


def _differs(other: tuple[str, ...], recommended: tuple[str, ...]) -> str:
    dropped = [code(o) for o in recommended if o not in other]
    added = [code(o) for o in other if o not in recommended]
    if not dropped and not added:
        return "the recommendation"
    return "the recommendation " + " and ".join(
        ([f"without {and_list(dropped)}"] if dropped else []) + ([f"with {and_list(added)}"] if added else []))


def recommendation_section(a, figures: dict[str, str]) -> str:
    """How robust the recommended strategy is: against the runner-up, doing nothing and the leading options."""
    st = a.strategies
    if st is None or st.values is None or not st.best.best:
        return ""
    v, rec = st.values, st.best.best
    n = escaped_names(a)
    lines = ["## How robust the recommendation is", "",
             f"The recommended strategy against its alternatives on the same {v.n_scenarios:,} simulated worlds "
             f"(paired: the gap's standard error is that of the differences), weights from {weights_label(a)}. "
             "Dominance is checked on the simulated distributions: first order, every quantile at least as high "
             "(anyone preferring more value prefers it); second order, the mean of its worst worlds at least as "
             "high however many are taken (every risk-averse reader prefers it). `P(recommendation better)` counts "
             "a tie (both worth the same in a world, as where the options that differ do not go ahead) as half. "
             "p_best of single options stays in the next section as a description, not an argument.", ""]
    rows = []
    for k, label in enumerate(v.labels[1:], start=1):
        c = v.comparisons.get(label)
        if c is None:
            continue
        if label == "nothing":
            what = "doing nothing"
        elif label in v.strategies:
            what = "runner-up strategy: " + _differs(v.strategies[label], rec)
        else:
            what = f"{n.get(label, label)} alone"
        rows.append({"against": what, "gap": pm(c.gap, c.gap_se, sign=True), "P(recommendation better)":
                     pct(c.p_better, c.p_better_se), "first order": "yes" if c.first_order else
                     f"no (by {c.first_order_violation:.3f})", "second order": "yes" if c.second_order else
                     f"no (by {c.second_order_violation:.3f})"})
    lines += [markdown_table(pd.DataFrame(rows), index=False, markdown=["against"]), ""]
    runner = next((label for label in v.labels if label in v.strategies), None)
    if runner is not None:
        c = v.comparisons[runner]
        indeterminate = abs(c.gap) < 2 * c.gap_se
        lines += [f"Against the runner-up strategy ({_differs(v.strategies[runner], rec)}) the gap is "
                  f"{pm(c.gap, c.gap_se, sign=True)}" + (": within two standard errors of zero, so the two are "
                                                         "indistinguishable on this evidence" if indeterminate else "")
                  + f"; the recommendation {dominance_words(c)}.", ""]
    lines += [_thresholds(a)]
    lines += [figure(figures, "risk_profiles", "Risk profiles"),
              "Read a curve's height at a value as the chance of doing no better than that; a curve wholly to the "
              "right of another dominates it to first order.", ""]
    return "\n".join(lines)


def stakeholders_section(a) -> str:
    """The recommendation under every profile, over the admissible weights, and the least change."""
    st = a.strategies
    ps = st.standing if st is not None else None
    if ps is None:
        return ""
    rec = ps.recommended
    profile_names = {p.id: escape_markdown(p.name) for p in a.case.weights.profiles}
    lines = ["## Across stakeholders", "",
             f"Every feasible strategy ({ps.n_feasible:,}) evaluated once on the {ps.n_scenarios:,} scenarios the "
             "recommendation was chosen on, and valued under each stakeholder profile to find that profile's best "
             f"combination. The recommendation is then compared with it and with doing nothing on {_fresh_worlds(a)}, "
             "so that a best chosen on the first scenarios is not also judged on them. `shortfall` is that profile's "
             "best's expected value less the recommendation's (0: it is the best; negative: that best does worse on "
             "the fresh worlds); `gain` the recommendation's expected value less doing nothing's; both paired, ± one "
             "standard error.", ""]
    rows = []
    for p, best, g, ge, gain, gain_se, verdict in zip(ps.profile_ids, ps.profile_best, ps.profile_gap,
                                                      ps.profile_gap_se, ps.profile_gain, ps.profile_gain_se,
                                                      ps.profile_verdicts()):
        rows.append({"profile": f"{code(p, in_table=True)} {profile_names.get(p, '')}".strip(),
                     "best combination": "the recommendation" if verdict == "best" else _differs(best, rec),
                     "shortfall": "0" if verdict == "best" else pm(-g, ge, sign=True),
                     "gain over doing nothing": pm(gain, gain_se, sign=True) if np.isfinite(gain) else "–"})
    lines += [markdown_table(pd.DataFrame(rows), index=False, markdown=["profile", "best combination"]), ""]
    everywhere = [o for o in rec if all(o in b for b in ps.profile_best)]
    if everywhere and len(ps.profile_ids) > 1:
        lines += [f"In the best combination under every profile: {and_list([code(o) for o in everywhere])}. "
                  "The others of the recommendation depend on whose weights count.", ""]
    what = ("uniformly from the case's imprecise weight statements" if ps.smaa_mode == "imprecise" else
            "uniformly from all weights (the case makes no imprecise statement)")
    shares = [f"{_differs(s, rec)} {pct(p)}" for s, p in zip(ps.smaa_strategies[:5], ps.smaa_share[:5])]
    lines += [f"**Over the admissible weights (SMAA).** For {ps.smaa_n:,} weight vectors drawn {what}, each "
              f"strategy's expected value (world uncertainty averaged out, preferences drawn): the recommendation is "
              f"best for {pct(ps.smaa_recommended, ps.smaa_recommended_se)} of them and falls short of the best by "
              f"{num(ps.smaa_regret)} on average; {len(ps.smaa_strategies)} combinations are best for some. Most "
              f"often best: {'; '.join(shares)}.", ""]
    if ps.smaa_central is not None:
        central = pd.Series(ps.smaa_central, index=ps.criterion_ids)
        top = central.sort_values(ascending=False).head(4)
        lines += ["Its central weights (the mean of the drawn weights where it is best): "
                  + ", ".join(f"{code(c)} {w:.3f}" for c, w in top.items()) + ", ….", ""]
    lines += [_least_change_text(ps), ""]
    lines += [_options_smaa(a)]
    return "\n".join(lines)


def _least_change_text(ps) -> str:
    if not np.isfinite(ps.least_l1):
        return "**Least change.** No weights make another strategy as good as the recommendation."
    text = (f"**Least change.** The smallest change of the weights (L1, total absolute change) under which another "
            f"strategy is at least as good as the recommendation is {num(ps.least_l1)} "
            f"({_differs(ps.least_challenger, ps.recommended)})")
    if ps.least_within_statements is None:
        return text + "; the case makes no imprecise statement to keep them within."
    if ps.least_within_statements:
        text += "; those weights keep the case's imprecise statements"
    else:
        adm = ("no admissible weights do it" if not np.isfinite(ps.least_l1_admissible) else
               f"keeping within them it takes {num(ps.least_l1_admissible)} "
               f"({_differs(ps.least_challenger_admissible, ps.recommended)})")
        text += f"; those weights break the case's imprecise statements: {adm}"
    if ps.default_admissible is False:
        text += ". The profile's own weights already break the statements"
    return text + "."


def _options_smaa(a) -> str:
    """Single options three ways: the fixed-profile run, SMAA over the admissible weights on expected
    values (preference uncertainty alone), and SMAA-2 drawing the weights with the worlds."""
    smaa = a.smaa
    if smaa is None:
        return ""
    s = a.simulation.summary
    n = names(a)
    top = s["mean"].sort_values(ascending=False, kind="stable").index[:8]
    ranks = smaa.attrs["rank_acceptability"]
    table = pd.DataFrame({
        "name": [n[o] for o in top],
        "p_best (fixed profile)": [num(x) for x in s.loc[top, "p_best"]],
        "p_best (weights alone)": [num(x) for x in smaa.loc[top, "p_best"]],
        "p_best (weights and world)": [pm(x, e) for x, e in zip(smaa.loc[top, "p_best_joint"],
                                                                 smaa.loc[top, "p_best_joint_se"])],
        "second / third (weights and world)": [" / ".join(num(x, 2) for x in ranks.loc[o].iloc[1:3]) for o in top],
        "confidence factor": [pm(x, e) if np.isfinite(x) else "– (never best)" for x, e in
                              zip(smaa.loc[top, "confidence"], smaa.loc[top, "confidence_se"])],
        "regret (weights alone)": [num(x) for x in smaa.loc[top, "regret"]]}, index=top)
    what = "the case's imprecise statements" if smaa.attrs["mode"] == "imprecise" else "the whole simplex"
    central = smaa.attrs["central_joint"]
    leaders = smaa["p_best_joint"].sort_values(ascending=False, kind="stable").index[:3]
    typical = []
    for o in leaders:
        w = central.loc[o].dropna().sort_values(ascending=False, kind="stable").head(3)
        if len(w):
            typical.append(f"{code(o)}: " + ", ".join(f"{code(c)} {num(x, 2)}" for c, x in w.items()))
    lines = [
        "**Single options, three ways.** The fixed-profile simulation (world uncertainty, weights fixed); SMAA over "
        f"{smaa.attrs['n_weights']:,} weight vectors drawn uniformly from {what}, on the simulation's expected "
        "criterion values (*weights alone*: preference uncertainty, the world averaged out); and SMAA-2 proper, "
        f"{smaa.attrs['n_joint']:,} draws of the weights from the same set together with the worlds (*weights and "
        "world*), with the chance of ranking second and third (rank acceptabilities). The confidence factor is the "
        "chance an option is best when the weights are fixed at its central weights (the mean of the weights under "
        "which it is best) and only the world is uncertain; with fixed weights it would only repeat p_best, so the "
        "fixed-profile run has none.", "",
        markdown_table(table), ""]
    if typical:
        lines += ["Central weights (weights and world), the three largest of the options most often best: "
                  + "; ".join(typical) + ".", ""]
    return "\n".join(lines)


def imprecise_section(a) -> str:
    """Potential optimality with witness weights, the core index with its count, Sobol's weights."""
    arrays = a.arrays
    imprecise = arrays.imprecise_a.shape[0] > 0
    lines = ["## Imprecise weights, with their caveats", ""]
    witness = _witnesses(a)
    if witness is not None:
        lines += ["**Potential optimality.** An option is potentially optimal if it is best for at least one "
                  "admissible weight vector" + (" (within the case's imprecise statements)" if imprecise else "")
                  + ". The witness is one such vector, found by a linear program: it is often extreme (much of the "
                  "weight on one or two criteria), so being potentially optimal says little about plausible weights; "
                  "the SMAA shares above say how much of the admissible set favours each option.", "",
                  markdown_table(witness), ""]
    ps = a.strategies.standing if a.strategies is not None else None
    if ps is not None:
        core = pd.DataFrame({"core_index": ps.core_index}, index=pd.Index(ps.option_ids, name="option"))
        core = core.sort_values("core_index", ascending=False, kind="stable")
        core["class"] = ["core" if c >= 1 - 1e-12 else "exterior" if c <= 1e-12 else "borderline"
                         for c in core["core_index"]]
        lines += ["**Core index (Robust Portfolio Modelling).** A strategy is non-dominated if no other is at least as "
                  "good for every admissible weight vector and better for one. "
                  f"{ps.n_nondominated:,} strategies are non-dominated among the {ps.n_shortlist:,} that rank among the "
                  f"{ps.shortlist_top} best at some of the {ps.n_vertices} extreme points of the admissible weights "
                  f"(of {ps.n_feasible:,} feasible; a strategy dominating a shortlisted one is shortlisted too, so "
                  "these are exactly the non-dominated strategies near the top somewhere). With so many, an index "
                  "near 1 (core) or 0 (exterior) is informative, one in between much less so. Each option's share of "
                  "them:", "", markdown_table(core.T, digits=2), ""]
    scheme = ("uniformly over the admissible set of the case's imprecise statements" if imprecise
              else "uniformly over the whole simplex (the SMAA convention)")
    lines += [f"**Sobol indices** (the section on what drives the gap) vary the weights {scheme}: their share of "
              "the gap's variance is the share under that distribution, not under the profile. Preference "
              "uncertainty (weights) and world uncertainty (scores, answers) are shown apart there, as groups.", ""]
    return "\n".join(lines)


def _witnesses(a) -> pd.DataFrame | None:
    """Potentially optimal options with their witness weights' two largest entries (from the
    potential-optimality analysis itself: ``a.potential``)."""
    arrays = a.arrays
    potential = a.potential
    if potential is None or "witness" not in potential.attrs:
        return None
    witness = potential.attrs["witness"]
    rows = []
    for o in arrays.option_ids:
        if not potential.at[o, "potentially_optimal"]:
            continue
        w = witness.loc[o].to_numpy(dtype=float)
        top = np.argsort(-w, kind="stable")[:2]
        rows.append({"option": o, "margin": potential.at[o, "margin"],
                     "witness: largest weights": ", ".join(f"{arrays.criterion_ids[i]} {w[i]:.2f}" for i in top),
                     "witness: criteria with weight > 0.01": int((w > 0.01).sum())})
    if not rows:
        return None
    return pd.DataFrame(rows).set_index("option").sort_values("margin", ascending=False, kind="stable")


def _thresholds(a) -> str:
    """Threshold probabilities of the questions the recommendation's options need."""
    from decide.report.summary import threshold_words

    t = a.strategies.thresholds
    if t is None or t.empty:
        return ""
    rows, words = [], []
    for _, row in t.iterrows():
        finite = np.isfinite(row["break_even"])
        rows.append({"option": code(row["option"], in_table=True), "question": code(row["question"], in_table=True),
                     "P now": f"{row['p_now']:.2f}", "adds if always no": signed(row["added_if_no"], 4),
                     "adds if always yes": signed(row["added_if_yes"], 4),
                     "break-even P": (f"{row['break_even']:.2f}" + ("" if row["refined"] else " (line)"))
                     if finite else "none"})
        if finite:
            words.append(threshold_words(row))
    text = ("**Threshold probabilities.** For each option of the recommendation and each question it needs: what "
            "the option adds with the question's probability set to 0 and to 1 (the rest drawn as before, on "
            f"{t.attrs.get('n_scenarios', 0):,} common worlds), and the probability at which it stops earning its place "
            "(\"none\": it earns it, or never does, whatever the odds). Probabilities are the case's, before the "
            "enablers of the strategy raise or lower them. The three nearest break-evens are found by regula falsi; "
            "any others, marked \"(line)\", by the straight line between the two ends.")
    out = [text, "", markdown_table(pd.DataFrame(rows), index=False, markdown=["option", "question"]), ""]
    if words:
        out += ["So: " + "; ".join(words) + ".", ""]
    return "\n".join(out)


def answers_at_stake(a) -> str:
    """What each answer is worth to the recommendation: the value at stake by intervention (set the
    answer, draw the rest) beside the observed contrast, for the Blockers section."""
    st = a.strategies
    t = None if st is None else st.value_at_stake
    if t is None or t.empty:
        return ""
    rows = []
    for q, row in t.iterrows():
        needed = [code(o.removesuffix(" (soft)"), in_table=True) + (" (soft)" if o.endswith(" (soft)") else "")
                  for o in row["options"].split(" + ")]
        rows.append({"question": code(q, in_table=True), "needed by": ", ".join(needed), "P(yes)": pct(row["p_yes"]),
                     "value if yes": num(row["value_if_yes"]), "value if no": num(row["value_if_no"]),
                     "value at stake (set the answer)": pm(row["at_stake"], row["at_stake_se"], sign=True),
                     "value at stake (observed)": pm(row["observed"], row["observed_se"], sign=True)
                     if np.isfinite(row["observed"]) else "–"})
    n = t.attrs.get("n_scenarios", 0)
    return "\n".join([
        "**What each answer is worth to the recommendation.** For each question an option of the recommended "
        "strategy needs (`P(yes)` under the enablers of its options), its mean value with the answer set to yes in "
        f"every world and set to no, every other answer and outcome drawn as before: {n:,} of the fresh simulated "
        "worlds, the two paired on the same worlds; ± one standard error. How to read them:", "",
        "- `value at stake (set the answer)`: what the answer itself is worth to the recommendation, on the 0–1 "
        "value scale: a certain yes against a certain no. Securing a yes would add `value if yes` less the "
        f"recommendation's mean value on these worlds, {num(t.attrs.get('mean', np.nan))}.",
        "- `value at stake (observed)`: the worlds where the answer happens to be yes against those where it is no. "
        "Where questions are correlated a yes comes with other answers, so this contrast mixes in what comes with it "
        "and can overstate or understate the answer's own worth.", "",
        markdown_table(pd.DataFrame(rows), index=False, markdown=["question", "needed by"]), ""])


def _fresh_worlds(a) -> str:
    """Where the standing's profile comparisons were estimated, said as the report says it."""
    ps, v = a.strategies.standing, a.strategies.values
    if v is not None and ps.profile_n_scenarios == v.n_scenarios:
        return f"the same {v.n_scenarios:,} fresh simulated worlds as the Summary"
    return f"{ps.profile_n_scenarios:,} simulated worlds"


def strategy_information(a) -> str:
    """Value of information for the strategy choice (EVPPI per question), for the Value of information
    section."""
    st = a.strategies
    t = None if st is None else st.information
    if t is None or t.empty:
        return ""
    rec = st.best.best
    gain = st.values.gain if st.values is not None else np.nan
    shown = t[t["changes"]]
    rows = [{"learn": code(q, in_table=True), "value": f"{num(row['value'], 4)} ± {se(row['value_se'], 4)}",
             "share of the gain": pct(row["value"] / gain) if np.isfinite(gain) and gain > 0 else "–",
             "best if yes": _differs(row["if_yes"], rec), "best if no": _differs(row["if_no"], rec)}
            for q, row in shown.iterrows()]
    idle = [code(q) for q in t.index[~t["changes"]]]
    k, n = t.attrs.get("n_candidates", 0), t.attrs.get("n_scenarios", 0)
    without = t.attrs.get("best", rec)
    lines = [
        "**For the strategy choice.** What learning one question's answer before choosing the combination of "
        "options is worth (EVPPI): the mean value of the best strategy given the answer, minus that of the best "
        "strategy without it, on the 0–1 value scale and as a share of what the recommendation gains over doing "
        f"nothing ({num(gain)}). The answer is the one the recommendation turns on, under the enablers of its options. "
        f"Estimated on {n:,} of the fresh simulated worlds over {k} candidate strategies: the recommendation; it "
        "without each of its options, or with each other option; it without every option that needs the question; "
        "and the best strategies of the search. A strategy outside them could only do better given an answer, so "
        "each value is a lower bound. ± one standard error (from each world's contribution); choosing the best "
        "given an answer from noisy means biases a value up by about one standard error.", ""]
    if tuple(without) != tuple(rec):
        lines += [f"On these worlds the best candidate without information is {_differs(tuple(without), rec)}.", ""]
    if rows:
        lines += [markdown_table(pd.DataFrame(rows), index=False, markdown=["learn", "best if yes", "best if no"]), ""]
    if idle:
        lines += [f"Learning {and_list(idle)} changes no choice among these strategies: worth nothing to the "
                  "decision recommended.", ""]
    return "\n".join(lines)
