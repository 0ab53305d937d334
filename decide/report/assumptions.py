"""The report's assumptions register: what the analysis takes for granted, one line each, from the case.

Text from the case goes through :func:`~decide.tables.escape_markdown`, ids as code spans.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from decide.report.build import Analyses
from decide.tables import escape_markdown, one_line

__all__ = ["assumptions_section", "assumption_items"]


def _code(text: object) -> str:
    text = one_line(text).replace("`", "'")
    return f"`{text}`"


def _list(items: list[str], limit: int = 6) -> str:
    shown = items[:limit] + ([f"{len(items) - limit} more"] if len(items) > limit else [])
    return ", ".join(shown)


def assumption_items(a: Analyses) -> list[tuple[str, str]]:
    """(key, line) for each assumption the case and the analyses rest on, in the register's order."""
    case, arrays = a.case, a.arrays
    items: list[tuple[str, str]] = []
    items.append(("risk neutrality", "**Risk neutrality.** Options and strategies are ranked by expected value: a "
                  "spread of outcomes costs nothing in itself. A risk-averse reader should weigh the 5th "
                  "percentiles and the risk profiles as well."))
    hard = [o for o in case.options if o.hard_requirements]
    staged = [o for o in hard if o.stages]
    if hard:
        stages = (f"; {len(staged)} of them order their questions in stages, and the first stage that says no "
                  "decides which failure profile applies" if staged else "")
        items.append(("AND gate", f"**The AND gate.** A no to any hard requirement fails the option, whatever the "
                      f"other answers, and it scores its failure profile ({len(hard)} of {len(case.options)} options "
                      f"have hard requirements{stages}); partial success is not modelled."))
    correlated = {q for c in case.correlations for q in c.between}
    alone = [q.id for q in case.preconditions if q.id not in correlated]
    if case.preconditions:
        what = ("every question's answer is independent of every other's (the case states no correlation)"
                if not case.correlations else
                f"{len(alone)} of {len(case.preconditions)} questions are answered independently of all others "
                f"({_list([_code(q) for q in alone])}); the case correlates the other {len(correlated)} "
                f"({len(case.correlations)} pairs, Gaussian copula)" if alone else
                f"every question is correlated with some other ({len(case.correlations)} pairs, Gaussian copula); "
                "pairs the case does not name are independent given those")
        items.append(("independence", f"**Independence of the questions.** {what[0].upper() + what[1:]}."))
    rho = arrays.common_mode
    if not rho.any():
        items.append(("judgement errors", "**Independent judgement errors.** Each score is drawn on its own: an "
                      "error in judging one option or criterion says nothing about another (no shared optimism or "
                      "pessimism across options; a case may state `common_mode`)."))
    else:
        shared = [f"{escape_markdown(arrays.criterion_names[c])} (ρ {rho[c]:g})" for c in np.flatnonzero(rho > 0)]
        items.append(("judgement errors", f"**Shared judgement errors.** On {_list(shared, 8)}, every option's "
                      "outcome shares one error (Gaussian copula, correlation ρ between any two options): a "
                      "criterion misjudged is misjudged for everyone. Elsewhere each score is drawn on its own."))
    items.append(("weights", _weights_line(a)))
    budgets = [r for r in case.resources if r.budget is not None]
    if budgets:
        parts = [f"{escape_markdown(r.name)}: {r.budget:g}" + (f" {escape_markdown(r.unit)}" if r.unit else "")
                 for r in budgets]
        users = sum(1 for o in case.options if o.uses)
        items.append(("budgets", f"**Budgets and resource use.** {'; '.join(parts)}; what each of {users} options "
                      "uses of them. The case gives no source for these numbers: treat them as the author's "
                      "assumptions, and the strategies they rule out as depending on them."))
    assumed = Counter()
    for o in case.options:
        for crit, s in list(o.scores.items()) + [kv for profile in o.failure_profiles for kv in profile.items()]:
            if s.evidence is not None and s.evidence.assumption:
                assumed[crit] += 1
    names = dict(zip(arrays.criterion_ids, arrays.criterion_names))
    if assumed:
        top = [f"{escape_markdown(names.get(c, c))} ({n})" for c, n in assumed.most_common()]
        items.append(("assumed scores", f"**Scores the source does not give.** {sum(assumed.values())} outcome "
                      f"scores are marked as the author's assumptions in the case, by criterion: {_list(top)} "
                      "(the evidence appendix marks each one)."))
    soft = [(o.id, r) for o in case.options for r in o.requires if r.soft]
    if soft:
        parts = [f"{_code(o)} without {_code(r.precondition)} {r.cost()}" for o, r in soft]
        items.append(("soft penalties", f"**Soft-requirement penalties.** A no to a soft requirement costs "
                      f"value instead of failing the option, only where it goes ahead: {_list(parts, 8)}. The "
                      "amounts are judgements: a loss on a named criterion's 0–1 scale (so it counts as much "
                      "as each profile weighs that criterion), or overall on the 0–1 value scale."))
    with_failure = [o for o in case.options if any(o.failure_profiles)]
    if with_failure and arrays.baseline is not None:
        items.append(("failure profiles", f"**Failure profiles.** Where an option fails, the criteria its failure "
                      f"profile does not list keep the baseline's world (the status quo's outcome in the same "
                      f"draw): failing there changes nothing ({len(with_failure)} options have failure profiles)."))
    return items


def _weights_line(a: Analyses) -> str:
    w = a.context.weights
    profiles = {p.id: p for p in a.case.weights.profiles}
    n = len(profiles)
    if w in (None, *profiles):
        pid = w or a.arrays.default_profile
        p = profiles.get(pid)
        if p is None:
            return ("**Weights.** The headline uses the criteria set's own weights: they are an assumption, "
                    "not a finding.")
        marked = ", marked as an assumption in the case" if p.evidence is not None and p.evidence.assumption else ""
        default = ", the case's default" if w is None else ""
        others = (f"; the {n - 1} other stakeholder profiles are shown beside it, and may rank the options "
                  "differently" if n > 1 else "")
        return (f"**Weights.** The headline uses profile {_code(pid)} ({escape_markdown(p.name)}){default}"
                f"{marked}: one view of what matters, an assumption rather than a finding{others}.")
    what = {"imprecise": "weights drawn uniformly from the case's imprecise statements (every admissible "
                         "vector equally likely)",
            "uniform": "weights drawn uniformly from the simplex (every vector equally likely)",
            "profiles": "a mixture of the stakeholder profiles, each equally likely"}.get(w, str(w))
    return f"**Weights.** The headline uses {what}: that distribution is itself an assumption."


def assumptions_section(a: Analyses) -> str:
    lines = ["## Assumptions", "", "What the numbers above take for granted, one line each; each could be "
             "changed in the case or the analysis, and some would change the answer.", ""]
    lines += [f"- {line}" for _, line in assumption_items(a)]
    return "\n".join(lines) + "\n"
