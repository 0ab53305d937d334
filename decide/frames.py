"""A case from pandas DataFrames, as a notebook holds it: :func:`case_from_frames`.

The frames are turned into the mapping a case file would hold and validated by
:func:`decide.load.parse_case`, so a case from frames obeys every rule a case file does, and a
mistake is reported with the path of the field it landed in (``options[2].scores.cost``: the
third row of ``options``, its score on ``cost``). Blank cells (NaN, None) mean "not given".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

import decide.arguments as arguments
from decide.errors import CaseError, Problem
from decide.load import parse_case
from decide.spec import Case, CriteriaSet

__all__ = ["case_from_frames"]

_LISTS = ("requires", "depends_on", "excludes", "actors")
_EVIDENCE = ("section", "rationale", "assumption")
_SCORE_KEYS = ("option", "criterion")
FRAMES_FILE = "<DataFrames>"
"""What a problem found in a case from frames names as its file."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def _plain(value: Any) -> Any:
    """A cell as plain Python (numpy scalars become int, float, bool, str)."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)) else value


def _records(frame: pd.DataFrame, key: str, name: str) -> list[dict[str, Any]]:
    """Rows as dicts without blank cells; the id is column ``key`` or, failing that, the index."""
    if not isinstance(frame, pd.DataFrame):
        raise arguments.ArgumentTypeError(f"{name} must be a pandas DataFrame, not {arguments.given(frame)}")
    if key not in frame.columns:
        frame = frame.rename_axis(key).reset_index()
    rows = []
    for row in frame.to_dict(orient="records"):
        rows.append({str(k): _plain(v) for k, v in row.items() if not _blank(v)})
    return rows


def _id_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def _evidence(row: dict[str, Any]) -> dict[str, Any] | None:
    found = {k: row.pop(k) for k in _EVIDENCE if k in row}
    return found or None


def _score_entries(frame: pd.DataFrame | None, name: str) -> dict[str, dict[str, Any]]:
    """option id -> {criterion id -> score}, from a wide frame (options x criteria, numbers) or a
    long one (columns ``option``, ``criterion`` and a score's fields: ``value``, or ``kind`` with
    its parameters, and optionally ``section``/``rationale``/``assumption``)."""
    if frame is None:
        return {}
    if not isinstance(frame, pd.DataFrame):
        raise arguments.ArgumentTypeError(f"{name} must be a pandas DataFrame, not {arguments.given(frame)}")
    out: dict[str, dict[str, Any]] = {}
    if "criterion" not in frame.columns:  # wide: one row per option, one column per criterion
        for option, row in frame.iterrows():
            out[str(option)] = {str(c): _plain(v) for c, v in row.items() if not _blank(v)}
        return out
    for row in _records(frame, "option", name):
        if not all(k in row for k in _SCORE_KEYS):
            raise arguments.ArgumentValueError(f"{name}: every row needs an 'option' and a 'criterion'; got {row}")
        option, criterion = str(row.pop("option")), str(row.pop("criterion"))
        evidence = _evidence(row)
        score: Any = dict(row)
        if evidence is not None:
            score["evidence"] = evidence
        elif set(score) == {"value"}:
            score = score["value"]
        out.setdefault(option, {})[criterion] = score
    return out


def _criteria(criteria: Any) -> Any:
    """A criteria set as the case mapping takes it: a bundled set's name, a mapping, a
    :class:`~decide.spec.CriteriaSet`, or a flat DataFrame (one row per leaf criterion)."""
    if isinstance(criteria, CriteriaSet):
        return criteria.model_dump(mode="json", exclude_defaults=True)
    if isinstance(criteria, (str, Mapping)):
        return criteria
    if isinstance(criteria, pd.DataFrame):
        leaves = []
        for row in _records(criteria, "id", "criteria"):
            leaf = {k: row.pop(k) for k in ("id", "name", "direction", "weight", "description") if k in row}
            leaf.setdefault("name", leaf.get("id"))
            scale = {k: row.pop(k) for k in ("low", "high", "low_means", "high_means", "unit") if k in row}
            scale.setdefault("low_means", "worst")
            scale.setdefault("high_means", "best")
            leaves.append({**leaf, "scale": scale, **row})
        return {"id": "criteria", "name": "Criteria", "criteria": leaves}
    raise arguments.ArgumentTypeError(f"criteria must be a bundled criteria set's name, a mapping, a CriteriaSet or a "
                                      f"DataFrame (one row per criterion), not {arguments.given(criteria)}")


def _weights(weights: Any) -> Any:
    """The weights section: a mapping as in a case file, or a DataFrame of profiles (one row per
    profile id, one column per criterion or group; the first row is the default)."""
    if weights is None or isinstance(weights, Mapping):
        return weights
    if isinstance(weights, pd.DataFrame):
        profiles = []
        for profile, row in weights.iterrows():
            values = {str(c): _plain(v) for c, v in row.items() if not _blank(v) and c != "name"}
            name = row.get("name") if "name" in row and not _blank(row.get("name")) else profile
            profiles.append({"id": str(profile), "name": str(name), "weights": values})
        return {"profiles": profiles}
    raise arguments.ArgumentTypeError(f"weights must be a mapping (as in a case file) or a DataFrame of profiles, "
                                      f"not {arguments.given(weights)}")


def case_from_frames(
    *,
    options: pd.DataFrame,
    scores: pd.DataFrame,
    criteria: str | Mapping[str, Any] | CriteriaSet | pd.DataFrame,
    preconditions: pd.DataFrame | None = None,
    failure: pd.DataFrame | None = None,
    weights: Mapping[str, Any] | pd.DataFrame | None = None,
    id: str = "frames",
    title: str = "A case built from DataFrames",
    **sections: Any,
) -> Case:
    """Build and validate a case from pandas DataFrames.

    Parameters
    ----------
    options
        One row per option: its id (column ``id``, or the index), ``name`` (default: the id), and
        optionally ``baseline`` (True for the status quo), ``requires``, ``depends_on``,
        ``excludes``, ``actors`` (lists, or comma-separated strings of ids) and ``description``.
    scores
        The outcomes if each option goes ahead. Wide: one row per option id (the index), one
        column per leaf criterion, point values. Long: one row per (``option``, ``criterion``)
        with ``value``, or ``kind`` and its parameters (``low``/``mode``/``high``, ``mean``/``sd``,
        ...), and optionally the evidence's ``section``, ``rationale`` and ``assumption``.
    criteria
        The value tree: a bundled criteria set's name (``"crisis-intervention"``), a mapping as in
        a case file, a :class:`~decide.spec.CriteriaSet`, or a DataFrame with one row per leaf
        criterion (``id``, ``name``, ``direction``, ``low``, ``high`` and optionally ``weight``,
        ``low_means``, ``high_means``, ``unit``).
    preconditions
        One row per question: ``id`` (or the index), ``question``, and the probability of yes as
        ``probability``, or ``low`` and ``high``, or ``alpha`` and ``beta``; optionally evidence.
    failure
        Outcomes of trying and failing, shaped like ``scores``.
    weights
        The ``weights`` section of a case file as a mapping, or a DataFrame with one row per
        weight profile (index: profile id; columns: criterion or group ids; optional ``name``);
        the first profile is the default.
    id, title
        The case's id and title.
    **sections
        Any other section of a case file as plain data: ``source``, ``correlations``,
        ``enablers``, ``resources``, ``common_mode``, ...

    Returns
    -------
    Case
        The validated case, as :func:`decide.load_case` returns for a file.

    Raises
    ------
    CaseError
        Every problem at once, each with the path of the field in the case it would make
        (``options[1].scores.cost``: the second option's score on ``cost``).
    TypeError
        A frame that is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> criteria = pd.DataFrame({"id": ["security", "cost"], "direction": ["max", "min"],
    ...                          "low": [0, 0], "high": [10, 10]})
    >>> options = pd.DataFrame({"name": ["Wait", "Act"], "baseline": [True, False],
    ...                         "requires": [None, "consent"]}, index=["wait", "act"])
    >>> scores = pd.DataFrame({"security": [3, 8], "cost": [0, 6]}, index=["wait", "act"])
    >>> preconditions = pd.DataFrame({"question": ["Would the government consent?"],
    ...                               "probability": [0.7]}, index=["consent"])
    >>> case = case_from_frames(options=options, scores=scores, criteria=criteria,
    ...                         preconditions=preconditions)
    >>> [o.id for o in case.options], case.preconditions[0].probability.value
    (['wait', 'act'], 0.7)
    """
    data: dict[str, Any] = {"decide": 1, "id": id, "title": title, "criteria": _criteria(criteria)}
    planned = _score_entries(scores, "scores")
    failed = _score_entries(failure, "failure")
    rows = []
    for row in _records(options, "id", "options"):
        option_id = str(row.get("id"))
        row["id"] = option_id
        row.setdefault("name", option_id)
        for key in _LISTS:
            if key in row:
                row[key] = _id_list(row[key])
        row["scores"] = planned.pop(option_id, {})
        if option_id in failed:
            row["failure"] = failed.pop(option_id)
        rows.append(row)
    data["options"] = rows
    if preconditions is not None:
        questions = []
        for row in _records(preconditions, "id", "preconditions"):
            row["id"] = str(row["id"])
            evidence = _evidence(row)
            if "probability" not in row:
                row["probability"] = {k: row.pop(k) for k in ("low", "high", "alpha", "beta") if k in row}
            if evidence is not None:
                row["evidence"] = evidence
            questions.append(row)
        data["preconditions"] = questions
    if weights is not None:
        data["weights"] = _weights(weights)
    data.update(sections)
    problems = [Problem(f"scores for '{o}', which is not in options", f"{name}[{o}]", FRAMES_FILE)
                for name, left in (("scores", planned), ("failure", failed)) for o in left]
    try:
        case = parse_case(data)
    except CaseError as exc:
        raise CaseError(problems + [p if p.file else Problem(p.message, p.path, FRAMES_FILE, None)
                                    for p in exc.problems]) from None
    if problems:
        raise CaseError(problems)
    return case
