"""The shapes of decide's JSON outputs: a strategy (a set of options) is a list of option ids.

Tables and Markdown show a strategy as its ids joined by " + " (``bolster_transition +
rebuild_army``); JSON gives the list itself (``["bolster_transition", "rebuild_army"]``), and
doing nothing is the empty list. ``docs/json.md`` documents every command's JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from decide.tables import to_jsonable

__all__ = ["option_list", "with_option_lists", "score_json", "simulate_json", "STRATEGY_FIELDS"]

STRATEGY_FIELDS = ("strategy", "options", "evaluated_with", "best", "evppi_answer", "answer_under")
"""Fields that hold a set of options in some JSON output (a strategy's options, the options an
option is evaluated with, the options whose enablers an answer is taken under)."""


def option_list(value: Any) -> list[str]:
    """A strategy as a list of option ids, from a list or from ids joined by " + "."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    text = str(value).strip()
    if not text or text.startswith("("):  # "", "(do nothing)"
        return []
    return [part.strip() for part in text.split(" + ") if part.strip()]


def with_option_lists(frame: pd.DataFrame, columns: Iterable[str], lists: Iterable[Iterable[str]] | None = None,
                      ) -> list[dict[str, Any]]:
    """``frame`` as JSON records (index first) with ``columns`` as lists of option ids.

    ``lists``, when given, are the lists of the (single) column, taken as they are rather than
    split from the text.
    """
    records = to_jsonable(frame)
    columns = list(columns)
    given = [list(map(str, s)) for s in lists] if lists is not None else None
    for k, record in enumerate(records):
        for column in columns:
            if column in record:
                record[column] = given[k] if given is not None else option_list(record[column])
    return records


def score_json(data: dict[str, Any]) -> dict[str, Any]:
    """``decide score --format json``: each option's ``evaluated_with`` as a list."""
    data = to_jsonable(data)
    for record in data.get("options", []):
        if isinstance(record, dict) and "evaluated_with" in record:
            record["evaluated_with"] = option_list(record["evaluated_with"])
    return data


def simulate_json(data: dict[str, Any]) -> dict[str, Any]:
    """``decide simulate --format json``: the strategy and the options an answer is taken under as lists."""
    data = to_jsonable(data)
    if "strategy" in data and data["strategy"] is not None:
        data["strategy"] = option_list(data["strategy"])
    for table, field in (("preconditions", "evppi_answer"), ("value_of_information", "answer_under")):
        for record in data.get(table, []) or []:
            if isinstance(record, dict) and field in record:
                record[field] = option_list(record[field])
    return data
