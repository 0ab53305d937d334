"""Score a plain options x criteria table, as policy teams paste it from a spreadsheet.

:func:`score_matrix` checks the table, weights and directions once, with messages that name the
offending option, criterion or parameter, then hands arrays to the kernels in
:mod:`decide.mcda.methods` and :mod:`decide.mcda.value` and labels their output by option.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import decide.arguments as arguments
from decide.errors import DecideError
from decide.mcda.methods import (
    METHODS,
    PREFERENCE_FUNCTIONS,
    PreferenceFunction,
    minmax_normalise,
    promethee_ii,
    topsis,
    vikor,
    weighted_product,
)
from decide.mcda.value import additive_value
from decide.spec import Direction

__all__ = ["MATRIX_METHODS", "MatrixError", "Method", "score_matrix"]

Method = Literal["additive", "topsis", "vikor", "promethee2", "wpm"]

_PARAMETERS: dict[str, tuple[str, ...]] = {
    "additive": (),
    "topsis": ("normalisation",),
    "vikor": ("v",),
    "promethee2": ("functions", "q", "p", "s"),
    "wpm": (),
}
"""The keyword parameters each method takes; anything else is a typo worth reporting."""

MATRIX_METHODS: tuple[str, ...] = ("additive", *METHODS)
"""Methods :func:`score_matrix` accepts."""


class MatrixError(DecideError, ValueError):
    """A pasted matrix (options x criteria, or AHP pairwise comparisons) or its parameters are malformed."""


def score_matrix(
    matrix: pd.DataFrame,
    weights: Mapping[Any, float] | pd.Series | Any,
    directions: str | Mapping[Any, str] | pd.Series | Any,
    method: Method = "additive",
    **params: Any,
) -> pd.Series | pd.DataFrame:
    """Score every option (row) of an options x criteria table with one aggregation method.

    Parameters
    ----------
    matrix : pandas.DataFrame
        One row per option, one column per criterion, raw performance values; at least two options.
        Row and column labels must be unique.
    weights : mapping, pandas.Series or sequence of float
        One non-negative weight per criterion, keyed by column label or in column order. Only their
        ratios matter: they are rescaled to sum to 1.
    directions : str, mapping, pandas.Series or sequence of str
        Per criterion (or one string for all): ``"max"``, ``"higher_is_better"`` or ``"benefit"``
        when more is better; ``"min"``, ``"lower_is_better"`` or ``"cost"`` when less is better.
    method : {"additive", "topsis", "vikor", "promethee2", "wpm"}
        ``"additive"``: each criterion rescaled to [0, 1] between the worst and best option (a
        criterion on which all options tie gives each of them 1), then the weighted sum.
        ``"topsis"``, ``"vikor"``, ``"promethee2"``, ``"wpm"``: see :mod:`decide.mcda.methods`.
    **params
        ``topsis``: ``normalisation`` (``"vector"`` default, or ``"minmax"``). ``vikor``: ``v`` in
        [0, 1] (default 0.5). ``promethee2``: ``functions`` (one name or one per criterion;
        default ``"usual"``) and thresholds ``q``, ``p``, ``s`` (a number for all criteria, or a
        mapping or sequence per criterion). ``wpm`` needs every entry positive.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Indexed like ``matrix``. ``additive``: Series ``value`` (higher is better). ``wpm``: Series
        ``score`` (higher is better). ``topsis``: columns ``closeness`` (higher is better),
        ``d_plus``, ``d_minus``. ``vikor``: columns ``S``, ``R``, ``Q`` (lower is better),
        ``rank`` (by Q; tied options share the best rank) and ``in_compromise``, with the
        conditions in ``attrs["acceptable_advantage"]`` and ``attrs["acceptable_stability"]``.
        ``promethee2``: columns ``phi_plus``, ``phi_minus``, ``phi`` (net flow, higher is better).

    Raises
    ------
    MatrixError
        For missing or non-numeric entries, too few options, duplicate labels, weights or
        directions that do not match the columns, negative weights or weights summing to zero, an
        unknown method, direction or parameter, missing or invalid PROMETHEE thresholds, and
        non-positive entries with ``wpm``.

    Examples
    --------
    >>> table = pd.DataFrame(
    ...     {"cost": [10.0, 20.0, 30.0], "lives_saved": [100.0, 300.0, 200.0]},
    ...     index=["mediation", "sanctions", "deployment"],
    ... )
    >>> score_matrix(table, {"cost": 1, "lives_saved": 3}, {"cost": "min", "lives_saved": "max"})
    mediation     0.250
    sanctions     0.875
    deployment    0.375
    Name: value, dtype: float64
    """
    if not isinstance(matrix, pd.DataFrame):
        raise arguments.ArgumentTypeError(
            f"matrix must be a pandas DataFrame (options x criteria), not {type(matrix).__name__}"
        )
    if weights is None or isinstance(weights, (str, bytes)) or np.ndim(weights) == 0 and not isinstance(
        weights, Mapping
    ):
        raise arguments.ArgumentTypeError(
            f"weights must be one number per criterion (a mapping, Series or sequence), not {arguments.given(weights)}"
        )
    if directions is None or not isinstance(directions, (str, Mapping)) and np.ndim(directions) == 0:
        raise arguments.ArgumentTypeError(
            "directions must be 'max' or 'min' for all criteria, or one per criterion (a mapping, Series or "
            f"sequence), not {arguments.given(directions)}"
        )
    arguments.text(method, "method", what=f"one of {', '.join(MATRIX_METHODS)}")
    if method not in _PARAMETERS:
        raise MatrixError(f"unknown method {method!r}; choose one of {', '.join(MATRIX_METHODS)}")
    unknown = sorted(set(params) - set(_PARAMETERS[method]))
    if unknown:
        allowed = ", ".join(_PARAMETERS[method]) or "none"
        raise MatrixError(f"method {method!r} takes no parameter {', '.join(unknown)}; it takes: {allowed}")

    values = _values(matrix)
    criteria = matrix.columns
    w = _weights(weights, criteria)
    maximise = _maximise(directions, criteria)
    index = matrix.index

    if method == "additive":
        return pd.Series(additive_value(minmax_normalise(values, maximise), w), index=index, name="value")
    if method == "wpm":
        _require_positive(values, matrix)
        return pd.Series(weighted_product(values, w, maximise), index=index, name="score")
    if method == "topsis":
        normalisation = params.get("normalisation", "vector")
        if normalisation not in ("vector", "minmax"):
            raise MatrixError(f"TOPSIS normalisation must be 'vector' or 'minmax'; got {normalisation!r}")
        t = topsis(values, w, maximise, normalisation=normalisation)
        return pd.DataFrame({"closeness": t.closeness, "d_plus": t.d_plus, "d_minus": t.d_minus}, index=index)
    if method == "vikor":
        v = params.get("v", 0.5)
        if isinstance(v, bool) or not isinstance(v, Real) or not 0.0 <= v <= 1.0:
            raise MatrixError(f"VIKOR v must be a number between 0 and 1; got {v!r}")
        r = vikor(values, w, maximise, v=float(v))
        frame = pd.DataFrame({"S": r.s, "R": r.r, "Q": r.q}, index=index)
        frame["rank"] = frame["Q"].rank(method="min").astype(int)
        frame["in_compromise"] = r.in_compromise
        frame.attrs["acceptable_advantage"] = bool(r.acceptable_advantage)
        frame.attrs["acceptable_stability"] = bool(r.acceptable_stability)
        return frame
    # promethee2, the one method left.
    functions, thresholds = _promethee_parameters(params, criteria)
    f = promethee_ii(values, w, maximise, functions=functions, **thresholds)
    return pd.DataFrame({"phi_plus": f.phi_plus, "phi_minus": f.phi_minus, "phi": f.phi}, index=index)


def _show(value: Any) -> str:
    """``repr`` of a value as the user typed it (``nan``, not ``np.float64(nan)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _cells(mask: NDArray[np.bool_], matrix: pd.DataFrame, limit: int = 5) -> str:
    """The first few flagged cells of ``matrix`` as ``option/criterion = value``."""
    found = np.argwhere(mask)
    shown = ", ".join(
        f"{_show(matrix.index[i])}/{_show(matrix.columns[j])} = {_show(matrix.iat[i, j])}"
        for i, j in found[:limit]
    )
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return shown + more


def _values(matrix: pd.DataFrame) -> NDArray[np.float64]:
    """The table as a float array, after checking its shape, labels and entries."""
    n_options, n_criteria = matrix.shape
    if n_options < 2 or n_criteria < 1:
        raise MatrixError(
            "matrix needs at least two options (rows) and one criterion (column); "
            f"got {n_options} x {n_criteria}"
        )
    for axis, labels in (("option (row)", matrix.index), ("criterion (column)", matrix.columns)):
        duplicated = labels[labels.duplicated()].unique()
        if len(duplicated):
            raise MatrixError(f"duplicate {axis} labels: {', '.join(map(_show, duplicated))}")
    numeric = matrix.apply(pd.to_numeric, errors="coerce")
    not_numbers = (numeric.isna() & matrix.notna()).to_numpy()
    if not_numbers.any():
        raise MatrixError(f"matrix entries must be numbers; not numbers: {_cells(not_numbers, matrix)}")
    values = numeric.to_numpy(dtype=float)
    not_finite = ~np.isfinite(values)
    if not_finite.any():
        raise MatrixError(f"matrix has missing or infinite entries: {_cells(not_finite, matrix)}")
    return values


def _require_positive(values: NDArray[np.float64], matrix: pd.DataFrame) -> None:
    """The weighted product raises entries to powers, so it needs every entry positive."""
    bad = values <= 0
    if bad.any():
        raise MatrixError(
            "the weighted product model needs every entry positive (it multiplies powers of them); "
            f"non-positive: {_cells(bad, matrix)}"
        )


def _by_criterion(given: Any, criteria: pd.Index, what: str, *, partial: bool = False) -> list[Any]:
    """One item per criterion from a mapping/Series keyed by column label or a sequence in column order.

    A mapping must name every criterion unless ``partial``, when missing ones come back as ``None``.
    """
    if isinstance(given, (Mapping, pd.Series)):
        keys = list(given.keys())
        unknown = [k for k in keys if k not in criteria]
        missing = [c for c in criteria if c not in keys]
        if unknown:
            raise MatrixError(
                f"{what} given for unknown criteria {', '.join(map(_show, unknown))}; "
                f"the columns are {', '.join(map(_show, criteria))}"
            )
        if missing and not partial:
            raise MatrixError(f"{what} missing for criteria {', '.join(map(_show, missing))}")
        return [given[c] if c in keys else None for c in criteria]
    array = np.atleast_1d(np.asarray(given, dtype=object))
    if array.ndim != 1:
        raise MatrixError(f"{what} must be a flat sequence, mapping or Series; got shape {array.shape}")
    items = list(array)
    if len(items) != len(criteria):
        raise MatrixError(f"{what} must have one entry per criterion ({len(criteria)}); got {len(items)}")
    return items


def _weights(weights: Any, criteria: pd.Index) -> NDArray[np.float64]:
    """Criterion weights as a float array summing to 1."""
    items = _by_criterion(weights, criteria, "weights")
    try:
        w = np.asarray(items, dtype=float)
    except (TypeError, ValueError):
        raise MatrixError(f"weights must be numbers; got {items!r}") from None
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        named = ", ".join(f"{_show(c)} = {_show(x)}" for c, x in zip(criteria[bad], w[bad], strict=True))
        raise MatrixError(f"weights must be finite and non-negative; got {named}")
    if w.sum() <= 0:
        raise MatrixError("weights sum to zero; give at least one criterion a positive weight")
    return w / w.sum()


def _maximise(directions: Any, criteria: pd.Index) -> NDArray[np.bool_]:
    """``True`` for each criterion where higher is better."""
    tokens = [directions] * len(criteria) if isinstance(directions, str) else _by_criterion(
        directions, criteria, "directions"
    )
    maximise, unknown = [], []
    for criterion, token in zip(criteria, tokens, strict=True):
        try:
            direction = Direction(Direction.from_alias(token.strip().lower()))
        except (AttributeError, ValueError):
            unknown.append(f"{_show(criterion)}: {_show(token)}")
            continue
        maximise.append(direction is Direction.HIGHER_IS_BETTER)
    if unknown:
        raise MatrixError(
            f"unknown directions {', '.join(unknown)}; use 'max'/'higher_is_better'/'benefit' "
            "or 'min'/'lower_is_better'/'cost'"
        )
    return np.array(maximise, dtype=bool)


def _promethee_parameters(
    params: Mapping[str, Any], criteria: pd.Index
) -> tuple[list[PreferenceFunction], dict[str, NDArray[np.float64]]]:
    """Preference function names and thresholds per criterion, each function's needs checked."""
    given_functions = params.get("functions", "usual")
    if isinstance(given_functions, str):
        functions = [given_functions] * len(criteria)
    else:
        listed = _by_criterion(given_functions, criteria, "functions", partial=True)
        functions = ["usual" if f is None else f for f in listed]
    thresholds: dict[str, NDArray[np.float64]] = {}
    for name in ("q", "p", "s"):
        given = params.get(name)
        if given is None or (np.ndim(given) == 0 and not isinstance(given, Mapping)):
            items = [given] * len(criteria)
        else:
            items = _by_criterion(given, criteria, f"threshold {name}", partial=True)
        try:
            thresholds[name] = np.array([np.nan if x is None else x for x in items], dtype=float)
        except (TypeError, ValueError):
            raise MatrixError(f"threshold {name} must be numbers; got {items!r}") from None

    problems = []
    for j, (criterion, function) in enumerate(zip(criteria, functions, strict=True)):
        where = f"{_show(criterion)}:"
        if function not in PREFERENCE_FUNCTIONS:
            known = ", ".join(PREFERENCE_FUNCTIONS)
            problems.append(f"{where} unknown function {_show(function)} (use {known})")
            continue
        needs = PREFERENCE_FUNCTIONS[function]
        q, p, s = (thresholds[name][j] for name in ("q", "p", "s"))
        missing = [name for name in needs if not np.isfinite(thresholds[name][j])]
        if missing:
            problems.append(f"{where} {function!r} needs finite {' and '.join(missing)}")
        elif "q" in needs and q < 0:
            problems.append(f"{where} indifference threshold q must be >= 0; got {q:g}")
        elif "p" in needs and not p > (q if "q" in needs else 0.0):
            floor = "q" if "q" in needs else "0"
            problems.append(f"{where} preference threshold p must exceed {floor}; got p = {p:g}")
        elif "s" in needs and not s > 0:
            problems.append(f"{where} Gaussian threshold s must be > 0; got {s:g}")
    if problems:
        raise MatrixError("invalid PROMETHEE preference functions: " + "; ".join(problems))
    return cast(list[PreferenceFunction], functions), thresholds
