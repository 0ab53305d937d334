"""Deterministic scoring of a case on each score's central value.

The additive value model is the toolkit's own; TOPSIS, VIKOR, PROMETHEE II and the weighted
product are cross-checks applied to the same risk-adjusted outcome matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

import decide.arguments as arguments
from decide.compile import CaseArrays, compile_case
from decide.errors import DecideError
from decide.mcda.value import additive_value, criterion_values
from decide.model.expected import (Prospects, central_prospects, expected_criterion_values, expected_values,
                                   soft_penalty)
from decide.spec import Case

__all__ = ["Method", "ScoreResult", "score", "score_profiles", "resolve_weights", "expected_value_matrix",
           "hold_probabilities"]


class Method(str, Enum):
    ADDITIVE = "additive"
    TOPSIS = "topsis"
    VIKOR = "vikor"
    PROMETHEE2 = "promethee2"
    WPM = "wpm"


@dataclass(frozen=True)
class ScoreResult:
    """Deterministic scores of a case's options.

    ``table`` is indexed by option id and sorted best first. For the additive method its columns
    are ``rank``, ``name``, ``expected_value`` (the ranking key), ``value_if_hold``, ``p_hold``,
    ``failure_value``, ``soft_penalty`` and ``evaluated_with``; ``contributions`` holds each leaf
    criterion's weighted value (if preconditions hold) per option.
    """

    method: Method
    profile: str | None
    table: pd.DataFrame
    contributions: pd.DataFrame
    weights: pd.Series
    params: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The score table, one row per option (best first)."""
        return self.table

    def _repr_html_(self) -> str:
        from decide.display import html_tables

        facts = {"method": self.method.value, "weights": self.profile or "given"}
        tables = [("Options, best first", self.table)]
        if self.method is Method.ADDITIVE:
            tables.append(("Contributions of each criterion (weighted value if preconditions hold)",
                           self.contributions))
        return html_tables("Scores", facts, tables, self.notes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form using the DataFrame column names."""
        table = self.table.reset_index().rename(columns={"index": "option"})
        return {
            "method": self.method.value,
            "profile": self.profile,
            "params": self.params,
            "weights": self.weights.to_dict(),
            "options": _records(table),
            "contributions": {k: v for k, v in self.contributions.to_dict(orient="index").items()},
            "notes": list(self.notes),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def resolve_weights(arrays: CaseArrays, weights: Any = None) -> tuple[np.ndarray, str | None]:
    """Global leaf weights for a profile id, an explicit mapping/array, or the case default."""
    if weights is None:
        return arrays.weights, arrays.default_profile
    if isinstance(weights, str):
        return arrays.profile_weights[arrays.profile_index(weights)], weights
    if isinstance(weights, dict):
        unknown = [k for k in weights if k not in arrays.criterion_ids]
        missing = [c for c in arrays.criterion_ids if c not in weights]
        if unknown or missing:
            raise DecideError(f"weights must name every leaf criterion ({', '.join(arrays.criterion_ids)}); "
                              f"unknown: {unknown or 'none'}, missing: {missing or 'none'}")
        w = np.array([float(weights[c]) for c in arrays.criterion_ids])
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (arrays.n_criteria,):
            raise DecideError(f"weights need one entry per leaf criterion ({arrays.n_criteria}), got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise DecideError("weights must be finite, non-negative and not all zero")
    return w / w.sum(), None


def hold_probabilities(arrays: CaseArrays) -> tuple[np.ndarray, np.ndarray]:
    """Per option: P(all hard requirements hold) and the expected soft penalty (default weights).

    At the central probabilities, after the enablers of the option's own strategy (the option with
    the options it depends on), with the answers correlated through the case's Gaussian copula;
    the rule is :mod:`decide.model.expected`.
    """
    prospects = central_prospects(arrays)
    return prospects.p_go, soft_penalty(prospects, arrays.weights)


def expected_value_matrix(arrays: CaseArrays, prospects: Prospects | None = None) -> np.ndarray:
    """(option, criterion) matrix M with expected value = M @ w for every weight vector on the simplex.

    ``M = p_hold * v(planned) + (1 - p_hold) * v(failure) - E[soft loss]`` per criterion, on central
    values (:func:`decide.model.expected.expected_criterion_values`): each soft loss comes off the
    column of the criterion it is stated on (a flat penalty off every column, as the weights sum
    to one). The weight analyses (crossovers, least
    change, potential optimality, dominance) use this matrix unless given the simulation's.
    """
    prospects = central_prospects(arrays) if prospects is None else prospects
    planned = criterion_values(arrays.scores.central, arrays.value_x, arrays.value_v)
    return expected_criterion_values(prospects, planned, failure_criterion_values(arrays))


def failure_criterion_values(arrays: CaseArrays) -> np.ndarray:
    """(stage, option, criterion): criterion values of each stage's failure profile at central outcomes."""
    return np.stack([criterion_values(profile.central, arrays.value_x, arrays.value_v)
                     for profile in arrays.failure_profiles])


def failure_outcomes(arrays: CaseArrays, share: np.ndarray) -> np.ndarray:
    """(option, criterion): the central failure outcome, each stage's profile weighted by ``share``
    (option, stage), its share of the option's failures."""
    stacked = np.stack([profile.central for profile in arrays.failure_profiles])  # (stage, option, criterion)
    return np.einsum("os,soc->oc", share, stacked)


def score(case: Case | CaseArrays, method: Method | str = Method.ADDITIVE, weights: Any = None,
          **params: Any) -> ScoreResult:
    """Score every option deterministically.

    Parameters
    ----------
    case
        A loaded case (or its compiled arrays).
    method
        ``additive`` (default), or a cross-check: ``topsis``, ``vikor``, ``promethee2``, ``wpm``.
    weights
        A weight profile id, explicit leaf weights, or None for the case's default profile.
    **params
        Method parameters (e.g. ``v`` for VIKOR, ``functions``/``q``/``p`` for PROMETHEE II).

    Notes
    -----
    Each score enters at its central value: the point, the mode of a triangular or PERT
    distribution, the mean otherwise. ``p_hold`` is the probability that all required
    preconditions hold, with the answers correlated through the case's Gaussian copula as in
    the simulation, after the enablers of the option's own strategy (the option with the
    options it depends on). ``soft_penalty`` is the expected cost of soft "no"s under the weights,
    charged only where they hit an option that goes ahead (a failed option is scored by its
    failure profile): for an option without dependencies, each loss times P(it goes ahead and
    that answer is no), weighted by the criterion it is stated on; with dependencies, per "no"
    and criterion the largest loss among the members that go ahead, as the strategies engine
    and the simulation charge it. ``expected_value = p_hold * value_if_hold +
    (1 - p_hold) * failure_value - soft_penalty`` ranks the additive method; the rule lives in
    :mod:`decide.model.expected`. The cross-check methods rank the matrix of risk-adjusted
    outcomes ``p_hold * planned + (1 - p_hold) * failure`` on each criterion's own scale and
    direction.
    """
    try:
        method = Method(method)
    except ValueError:
        raise DecideError(f"unknown method {method!r}; choose one of "
                          f"{', '.join(m.value for m in Method)}") from None
    arrays = case if isinstance(case, CaseArrays) else compile_case(arguments.require_case(case, "case", arrays=True))
    w, profile = resolve_weights(arrays, weights)

    prospects = central_prospects(arrays)
    p_hold, penalty = prospects.p_go, soft_penalty(prospects, w)
    planned = criterion_values(arrays.scores.central, arrays.value_x, arrays.value_v)
    stage_values = np.moveaxis(failure_criterion_values(arrays) @ w, 0, -1)  # (option, stage)
    expected = expected_values(prospects, additive_value(planned, w), stage_values, w)
    value_if_hold = additive_value(planned, w)
    # the value if it fails: each stage's profile by its share of the failures
    failure_value = np.where(prospects.can_fail, (prospects.failure_share() * stage_values).sum(axis=-1), np.nan)

    ids = list(arrays.option_ids)
    evaluated_with = [" + ".join(arrays.option_ids[j] for j in np.flatnonzero(arrays.closure[i]))
                      for i in range(arrays.n_options)]
    table = pd.DataFrame({
        "name": arrays.option_names,
        "expected_value": expected,
        "value_if_hold": value_if_hold,
        "p_hold": p_hold,
        "failure_value": failure_value,
        "soft_penalty": penalty,
        "evaluated_with": evaluated_with,
    }, index=pd.Index(ids, name="option"))
    contributions = pd.DataFrame(planned * w, index=table.index, columns=list(arrays.criterion_ids))
    notes = []
    deps = [f"{i} is evaluated as {e}" for i, e in zip(ids, evaluated_with) if "+" in e]
    if deps:
        notes.append("Options that depend on others are evaluated with them: " + "; ".join(deps) + ".")

    if method is Method.ADDITIVE:
        if params:  # a parameter meant for another method is a mistake, not something to ignore
            raise DecideError(f"method 'additive' takes no parameters; got {', '.join(params)}")
        key, ascending = "expected_value", False
    else:
        from decide.mcda.matrix import score_matrix

        outcomes = (p_hold[:, None] * arrays.scores.central
                    + (1 - p_hold[:, None]) * failure_outcomes(arrays, prospects.failure_share()))
        matrix = pd.DataFrame(outcomes, index=table.index, columns=list(arrays.criterion_ids))
        directions = ["max" if arrays.value_v[c, -1] >= arrays.value_v[c, 0] else "min"
                      for c in range(arrays.n_criteria)]
        method_params = dict(params)
        if method is Method.WPM:
            # The weighted product needs positive outcomes; a shift of the scale is a named choice.
            try:
                shift = float(method_params.pop("shift", 0.0))
            except (TypeError, ValueError):
                raise DecideError(f"shift must be a number, e.g. --param shift=1; got {params['shift']!r}") from None
            if shift == 0.0 and (matrix.to_numpy() <= 0).any():
                raise DecideError("the weighted product needs every outcome positive and this case has "
                                  "outcomes at or below 0; shift the scales with --param shift=1 "
                                  "(score(..., shift=1) in Python) to add 1 to every outcome")
            matrix = matrix + shift
        result = score_matrix(matrix, w, directions, method=method.value, **method_params)
        frame = result.to_frame(name=method.value) if isinstance(result, pd.Series) else result
        frame = frame.drop(columns=[c for c in ("rank",) if c in frame.columns])
        table = pd.concat([table[["name"]], frame, table.drop(columns="name")], axis=1)
        key, ascending = _METHOD_KEY[method]
        notes.append(f"{method.value} ranks risk-adjusted outcomes (p_hold x planned + (1 - p_hold) x failure "
                     "on each criterion's scale); expected_value is the additive model's, for comparison.")
    order = table[key].rank(method="min", ascending=ascending).astype(int)
    table.insert(0, "rank", order)
    table = table.sort_values(["rank"], kind="stable")
    return ScoreResult(method, profile, table, contributions.loc[table.index],
                       pd.Series(w, index=list(arrays.criterion_ids), name="weight"), dict(params), tuple(notes))


# Which column ranks each cross-check method, and whether lower is better.
_METHOD_KEY = {
    Method.TOPSIS: ("closeness", False),
    Method.VIKOR: ("Q", True),
    Method.PROMETHEE2: ("phi", False),
    Method.WPM: ("wpm", False),
}


def score_profiles(case: Case | CaseArrays) -> pd.DataFrame:
    """Additive expected value of every option under every stakeholder profile, side by side.

    Columns are profile ids; a final column ``rank_spread`` gives each option's best and worst
    rank across profiles (e.g. ``1-4``).
    """
    arrays = case if isinstance(case, CaseArrays) else compile_case(arguments.require_case(case, "case", arrays=True))
    if not arrays.profile_ids:
        raise DecideError("the case has no weight profiles to compare")
    columns = {p: score(arrays, weights=p).table["expected_value"] for p in arrays.profile_ids}
    frame = pd.DataFrame(columns).loc[list(arrays.option_ids)]
    ranks = frame.rank(ascending=False, method="min").astype(int)
    frame["rank_spread"] = [f"{lo}-{hi}" if lo != hi else f"{lo}" for lo, hi in
                            zip(ranks.min(axis=1), ranks.max(axis=1))]
    return frame.sort_values(arrays.default_profile or arrays.profile_ids[0], ascending=False)
