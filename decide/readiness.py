"""What each analysis needs from a case, and what it will skip: ``decide validate`` says so up front,
instead of ``decide strategies`` failing or a report dropping a section without a word."""

from __future__ import annotations

from dataclasses import dataclass

from decide.compile import CaseArrays
from decide.spec import Case

__all__ = ["Readiness", "analysis_readiness"]


@dataclass(frozen=True)
class Readiness:
    analysis: str
    runs: bool
    detail: str
    """What it will use where it runs; what to add where it does not."""


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def analysis_readiness(case: Case, arrays: CaseArrays) -> list[Readiness]:
    """One line per analysis: whether this case can run it and on what."""
    out = []
    n_q, n_o = arrays.n_preconditions, arrays.n_options
    out.append(Readiness("score", True, f"{_plural(n_o, 'option')} on {_plural(arrays.n_criteria, 'criterion', 'criteria')}"))
    if n_q:
        out.append(Readiness("simulate", True, f"blockers and value of information over {_plural(n_q, 'precondition')}"))
    else:
        out.append(Readiness("simulate", True, "no preconditions: no blockers and no value of information "
                                               "(add preconditions and options' requires to use them)"))
    if arrays.baseline is None:
        out.append(Readiness("strategies", False, "needs a status-quo option to build on: add 'baseline: true' to "
                                                  "the option that stands for doing nothing"))
    elif n_o < 2:
        out.append(Readiness("strategies", False, "needs at least one option besides the baseline"))
    else:
        budgets = sum(r.budget is not None for r in case.resources)
        named = len(case.strategies)
        out.append(Readiness("strategies", True, f"built on '{arrays.option_ids[arrays.baseline]}'; "
                                                 f"{_plural(budgets, 'budget')}, {_plural(named, 'named strategy', 'named strategies')}"))
    n_p = len(arrays.profile_ids)
    if n_p >= 2:
        out.append(Readiness("stakeholders", True, f"{_plural(n_p, 'weight profile')} compared"))
    else:
        out.append(Readiness("stakeholders", False, "one weight profile: add weights.profiles to compare stakeholders"))
    n_stmt = len(case.weights.imprecise)
    out.append(Readiness("imprecise weights", True,
                         f"{_plural(n_stmt, 'statement')} bound the admissible weights" if n_stmt
                         else "no statements (weights.imprecise): the admissible weights are every weight vector"))
    if n_o >= 2:
        out.append(Readiness("sensitivity", True, "weights, crossovers, Sobol and tornado on the two leading options"))
    if case.findings:
        out.append(Readiness("findings", True, f"{_plural(len(case.findings), 'finding')} of the source checked"))
    return out
