"""The evidence appendix: every number in the case beside the source section it rests on."""

from __future__ import annotations

import pandas as pd

from decide.spec import BetaProbability, Case, Evidence, IntervalProbability, PointProbability, Score

__all__ = ["evidence_table", "describe_score"]


def describe_score(score: Score) -> str:
    """A short human form of a score: ``6``, ``triangular 2–3–6``, ``PERT 4–7–9`` ..."""
    return score.describe()


def _describe_probability(p) -> str:
    if isinstance(p, PointProbability):
        return f"{p.value:g}"
    if isinstance(p, IntervalProbability):
        return f"{p.low:g}–{p.high:g}"
    if isinstance(p, BetaProbability):
        return f"Beta({p.alpha:g}, {p.beta:g}), mean {p.alpha / (p.alpha + p.beta):.2f}"
    return str(p)


def _row(item: str, number: str, evidence: Evidence | None) -> dict[str, str | bool]:
    if evidence is None:
        return {"item": item, "number": number, "section": "—", "rationale": "(no evidence given)",
                "assumption": False}
    return {"item": item, "number": number, "section": evidence.section, "rationale": evidence.rationale,
            "assumption": evidence.assumption}


def evidence_table(case: Case) -> pd.DataFrame:
    """One row per number in the case: what it is, its value, source section, rationale, and
    whether it is the case author's assumption (a number the source does not give)."""
    rows: list[dict[str, str | bool]] = []
    for q in case.preconditions:
        rows.append(_row(f"P(yes): {q.id} — {q.question}", _describe_probability(q.probability), q.evidence))
    for c in case.correlations:
        rows.append(_row(f"correlation {c.between[0]} ~ {c.between[1]}", f"{c.rho:g}", c.evidence))
    for entry in case.common_mode:
        rows.append(_row(f"common judgement error: {', '.join(entry.criteria)}", f"ρ {entry.rho:g}", entry.evidence))
    for e in case.enablers:
        effect = (f"+{e.add:g}" if e.add is not None and e.add >= 0 else f"{e.add:g}" if e.add is not None
                  else f"odds × {e.odds_ratio:g}" if e.odds_ratio is not None else f"→ {e.to:g}")
        rows.append(_row(f"enabler: {e.option} → {e.precondition}", effect, e.evidence))
    for o in case.options:
        for crit, s in o.scores.items():
            rows.append(_row(f"{o.id}: {crit}", describe_score(s), s.evidence))
        for crit, s in o.failure.items():
            rows.append(_row(f"{o.id} fails: {crit}", describe_score(s), s.evidence))
        for stage in o.stages:
            rows.append(_row(f"{o.id} stage {stage.id} requires", ", ".join(stage.requires), stage.evidence))
            for crit, s in stage.failure.items():
                rows.append(_row(f"{o.id} fails at {stage.id}: {crit}", describe_score(s), s.evidence))
        for r in o.requires:
            if r.evidence is not None or r.soft:
                rows.append(_row(f"{o.id} requires {r.precondition}",
                                 f"soft, {r.cost()}" if r.soft else "hard", r.evidence))
    for p in case.weights.profiles:
        if p.evidence is not None:
            rows.append(_row(f"profile {p.id}", p.method.value, p.evidence))
        for node, entry in p.weights.items():
            rows.append(_row(f"weight {p.id}: {node}", f"{entry.value:g}", entry.evidence))
        for comp in p.comparisons:
            rows.append(_row(f"AHP {p.id}: {comp.parent}", f"{len(comp.order)}×{len(comp.order)} matrix",
                             comp.evidence))
    return pd.DataFrame(rows, columns=["item", "number", "section", "rationale", "assumption"])
