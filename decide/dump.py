"""A case back to YAML: :func:`dump_case`, so a case built in Python can be saved, shared and reported."""

from __future__ import annotations

import yaml

import decide.arguments as arguments
from decide.spec import FORMAT_VERSION, Case

__all__ = ["dump_case"]


def dump_case(case: Case) -> str:
    """The case as the text of a case file, which :func:`decide.load_case` reads back to an equal case.

    Fields at their default values are left out; the criteria set is written inline.

    Parameters
    ----------
    case
        A validated case (from :func:`decide.load_case`, :func:`decide.parse_case` or
        :func:`decide.case_from_frames`).

    Returns
    -------
    str
        YAML text.

    Examples
    --------
    >>> from decide.load import load_case, parse_case
    >>> case = load_case("tests/data/minimal_case.yaml")
    >>> parse_case(yaml.safe_load(dump_case(case))) == case
    True
    """
    case = arguments.require_case(case, "case")
    data = {"decide": FORMAT_VERSION, **case.model_dump(mode="json", exclude_defaults=True)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
