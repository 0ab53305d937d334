"""The expected-value rule of an option, written once for the deterministic table and the gap model.

An option is evaluated as its smallest strategy: the option with the options it depends on (its
*members*), whose hard requirements, soft requirements and enablers all count. With the
probabilities of yes after those enablers, and the answers correlated through the case's
Gaussian copula (:func:`decide.model.orthant.all_yes_probability`; the plain product where they
are uncorrelated), as in the simulation:

- it **goes ahead** when every hard requirement of every member says yes (``CaseArrays.eval_hard``):
  ``p_go = P(all hard yes)``; otherwise it **fails** and scores the failure profile of the first
  stage whose question says no (``CaseArrays.eval_stage``; an option without stages has one):
  ``P(first no at stage k) = P(stages < k all yes) - P(stages <= k all yes)``;
- a **soft** "no" costs only a member that goes ahead (a failed one is already scored by its
  failure profile): a member goes ahead when its own hard requirements and its dependencies'
  hold, and for each precondition ``q`` that says no the option loses, on each criterion, the
  largest loss among the members that go ahead and softly require ``q`` (a consequence names
  criteria; a flat penalty is the same loss on every criterion) — the rule of the strategies
  engine and the Monte Carlo kernel. For an option without dependencies this is
  ``E[loss_c] = sum_q loss_qc * P(all hard yes and q no)``; a dependency that goes ahead pays
  its own soft losses even where the option itself fails;

so the expected value is ``p_go * v(planned) + sum_k p_fail_k * v(failure_k) - E[loss] @ w``, and
per criterion (for every weight vector on the simplex, expected value = matrix @ weights)
``p_go * v_c(planned) + sum_k p_fail_k * v_c(failure_k) - E[loss_c]``.

:mod:`decide.score` applies the rule to central values, :mod:`decide.sensitivity.gap` to rows of
drawn inputs. The simulation estimates the same quantities by sampling.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from decide.compile import CaseArrays, apply_enablers
from decide.model.orthant import all_yes_probability

__all__ = ["Prospects", "go_probability", "expected_soft_loss", "option_prospects", "expected_values",
           "soft_penalty", "expected_criterion_values"]


@dataclass(frozen=True)
class Prospects:
    """Per option (and row of inputs): the chance it goes ahead and its expected soft penalty."""

    p_go: NDArray[np.float64]
    """``(..., option)`` P(every hard requirement of the option's smallest strategy says yes)."""
    expected_loss: NDArray[np.float64]
    """``(..., option, criterion)`` expected soft loss on each criterion: per "no", the largest loss
    among the members (the option and its dependencies) that go ahead; the expected soft penalty
    under weights ``w`` is ``expected_loss @ w``."""
    can_fail: NDArray[np.bool_]
    """``(option,)`` the option has a hard requirement (else its failure profile never counts)."""
    p_fail: NDArray[np.float64]
    """``(..., option, stage)`` P(the first "no" is at that stage): the weight of each stage's
    failure profile; summed over the stages, ``1 - p_go``."""

    def failure_share(self) -> NDArray[np.float64]:
        """``(..., option, stage)`` each stage's share of the failures (all on the first stage where
        the option never fails, so that its failure profile is still the first stage's)."""
        total = self.p_fail.sum(axis=-1, keepdims=True)
        share = np.divide(self.p_fail, total, out=np.zeros_like(self.p_fail), where=total > 0)
        share[..., 0] += np.where(total[..., 0] > 0, 0.0, 1.0)
        return share


def go_probability(p_yes: ArrayLike, hard: ArrayLike, correlation: ArrayLike) -> NDArray[np.float64]:
    """P(every hard requirement says yes): ``(...)`` from ``p_yes (..., precondition)``, ``hard
    (precondition,)`` and the copula ``correlation (precondition, precondition)``."""
    p_yes = np.asarray(p_yes, dtype=float)
    chosen = np.flatnonzero(np.asarray(hard, dtype=bool))
    return all_yes_probability(p_yes[..., chosen], np.asarray(correlation, dtype=float)[np.ix_(chosen, chosen)])


def expected_soft_loss(
    p_yes: ArrayLike,
    member_hard: ArrayLike,
    member_loss: ArrayLike,
    correlation: ArrayLike,
) -> NDArray[np.float64]:
    """Expected soft loss on each criterion: per "no" and criterion, the largest loss among the
    members that go ahead.

    Parameters
    ----------
    p_yes
        ``(..., precondition)`` probabilities of yes (after the enablers that act).
    member_hard
        ``(member, precondition)``: what each member needs to go ahead (its own hard requirements
        and its dependencies').
    member_loss
        ``(member, precondition, criterion)``: value each member loses on each criterion when its
        soft requirement says no (``CaseArrays.soft_loss``; 0 where none).
    correlation
        ``(precondition, precondition)`` Gaussian-copula correlation of the answers.

    Returns
    -------
    ``(..., criterion)`` expected losses; with weights ``w`` (summing to one) the expected soft
    penalty is ``loss @ w``.

    Notes
    -----
    For a precondition ``q`` and criterion ``c`` with member losses ``pi_1 >= ... >= pi_K``
    (``pi_(K+1) = 0``), ``E[max {pi_k : member k goes ahead} 1{q no}] = sum_k (pi_k - pi_(k+1))
    P(q no and one of members 1..k goes ahead)``, the union by inclusion-exclusion over the
    members' hard sets, each term ``P(all of U yes) - P(all of U and q yes)``.

    Examples
    --------
    >>> import numpy as np
    >>> # one member: hard q0, soft q1 costing 0.1 on one criterion; independent answers at 0.5
    >>> expected_soft_loss([0.5, 0.5], [[True, False]], [[[0.0, 0.0], [0.1, 0.0]]], np.eye(2)).tolist()
    [0.025, 0.0]
    """
    p_yes = np.asarray(p_yes, dtype=float)
    member_hard = np.asarray(member_hard, dtype=bool)
    member_loss = np.asarray(member_loss, dtype=float)
    correlation = np.asarray(correlation, dtype=float)
    cache: dict[tuple[int, ...], NDArray[np.float64]] = {}

    def all_yes(indices: frozenset[int]) -> NDArray[np.float64]:
        key = tuple(sorted(indices))
        if key not in cache:
            index = np.array(key, dtype=np.intp)
            cache[key] = all_yes_probability(p_yes[..., index], correlation[np.ix_(index, index)])
        return cache[key]

    def q_no_and_any_ahead(q: int, members: frozenset[int]) -> NDArray[np.float64]:
        """P(q no and at least one of ``members`` goes ahead), by inclusion-exclusion."""
        sets = [frozenset(np.flatnonzero(member_hard[m]).tolist()) for m in sorted(members)]
        union = np.zeros(p_yes.shape[:-1])
        for size in range(1, len(sets) + 1):
            for subset in combinations(sets, size):
                needed = frozenset().union(*subset)
                if q in needed:
                    continue  # q yes is required for them to go ahead: q no excludes it
                term = all_yes(needed) - all_yes(needed | {int(q)})
                union += term if size % 2 else -term
        return np.maximum(union, 0.0)

    out = np.zeros(p_yes.shape[:-1] + (member_loss.shape[2],))
    for q in np.flatnonzero(member_loss.max(axis=(0, 2), initial=0.0) > 0.0):
        unions: dict[frozenset[int], NDArray[np.float64]] = {}
        for c in np.flatnonzero(member_loss[:, q, :].max(axis=0) > 0.0):
            members = np.flatnonzero(member_loss[:, q, c] > 0.0)
            members = members[np.argsort(-member_loss[members, q, c], kind="stable")]
            steps = np.append(member_loss[members, q, c], 0.0)
            for k in range(len(members)):
                drop = steps[k] - steps[k + 1]
                if drop <= 0.0:
                    continue
                prefix = frozenset(members[:k + 1].tolist())
                if prefix not in unions:
                    unions[prefix] = q_no_and_any_ahead(int(q), prefix)
                out[..., c] += drop * unions[prefix]
    return out


_central: list = [None, None]  # (weak reference to the arrays, their central prospects)


def central_prospects(arrays: CaseArrays) -> Prospects:
    """:func:`option_prospects` at the case's central probabilities, every option: kept for the
    last case arrays (they do not depend on the weights, and a report scores every profile)."""
    ref, prospects = _central
    if ref is None or ref() is not arrays:
        prospects = option_prospects(arrays)
        _central[:] = [weakref.ref(arrays), prospects]
    return prospects


def option_prospects(
    arrays: CaseArrays,
    probabilities: ArrayLike | None = None,
    options: Sequence[int] | None = None,
) -> Prospects:
    """The rule's probabilities for options evaluated as their smallest strategies.

    Parameters
    ----------
    arrays
        The compiled case.
    probabilities
        ``(..., precondition)`` marginal probabilities of yes before enablers; None for the
        case's central probabilities.
    options
        Option indices (default: all, in case order).

    Returns
    -------
    Prospects
        Arrays over ``(..., option)`` for the chosen options, in the order given.
    """
    chosen = list(range(arrays.n_options)) if options is None else [int(o) for o in options]
    base = arrays.probability_central if probabilities is None else np.asarray(probabilities, dtype=float)
    p_yes = apply_enablers(base[..., None, :], arrays.eval_enablers[chosen], arrays)
    eval_hard, eval_stage = arrays.eval_hard, arrays.eval_stage
    p_go = np.empty(p_yes.shape[:-1])
    p_fail = np.zeros(p_yes.shape[:-1] + (arrays.n_stages,))
    loss = np.zeros(p_yes.shape[:-1] + (arrays.n_criteria,))
    for i, o in enumerate(chosen):
        passed = np.ones(p_yes.shape[:-2])  # P(every stage before k says yes)
        for k in range(int(eval_stage[o][eval_hard[o]].max(initial=0)) + 1):
            through = go_probability(p_yes[..., i, :], eval_hard[o] & (eval_stage[o] <= k), arrays.correlation)
            p_fail[..., i, k] = np.maximum(passed - through, 0.0)
            passed = through
        p_go[..., i] = passed
        members = np.flatnonzero(arrays.closure[o])
        if arrays.soft_loss[members].any():
            loss[..., i, :] = expected_soft_loss(p_yes[..., i, :], eval_hard[members], arrays.soft_loss[members],
                                                 arrays.correlation)
    return Prospects(p_go, loss, eval_hard[chosen].any(axis=1), p_fail)


def expected_values(
    prospects: Prospects,
    planned_values: ArrayLike,
    failure_values: ArrayLike,
    weights: ArrayLike,
) -> NDArray[np.float64]:
    """``p_go * planned + sum_k p_fail_k * failure_k - E[loss] @ w``, shape ``(..., option)``.

    ``planned_values`` ``(..., option)`` are the options' (weighted) values if they go ahead and
    ``failure_values`` ``(..., option, stage)`` if they fail at each stage; a stage where an option
    cannot fail ignores its value (which may be NaN). ``weights`` ``(..., criterion)`` weigh the
    soft losses.
    """
    p_fail = prospects.p_fail
    failed = np.where(p_fail > 0, p_fail * np.asarray(failure_values, dtype=float), 0.0).sum(axis=-1)
    return prospects.p_go * np.asarray(planned_values, dtype=float) + failed - soft_penalty(prospects, weights)


def soft_penalty(prospects: Prospects, weights: ArrayLike) -> NDArray[np.float64]:
    """``(..., option)`` expected soft penalty under ``weights`` ``(..., criterion)``."""
    return np.einsum("...oc,...c->...o", prospects.expected_loss, np.asarray(weights, dtype=float))


def expected_criterion_values(
    prospects: Prospects,
    planned: ArrayLike,
    failed: ArrayLike,
) -> NDArray[np.float64]:
    """``(..., option, criterion)`` matrix ``M`` with expected value ``M @ w`` for weights on the simplex.

    ``planned`` ``(..., option, criterion)`` and ``failed`` ``(..., stage, option, criterion)``
    are criterion values (on [0, 1]) if the option goes ahead and if it fails at each stage. The
    expected soft loss comes off each criterion's column.
    """
    p_fail = np.moveaxis(prospects.p_fail, -1, -2)[..., None]  # (..., stage, option, 1)
    failure = np.where(p_fail > 0, p_fail * np.asarray(failed, dtype=float), 0.0).sum(axis=-3)
    return (prospects.p_go[..., None] * np.asarray(planned, dtype=float) + failure
            - prospects.expected_loss)
