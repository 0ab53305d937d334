"""Variants of a case: the case as written, with an experiment's parameter values put in.

A variant is built from the case's data (the mapping read from its YAML file, never the user's
file itself) and validated like any case (:func:`decide.load.parse_case`), so a value that makes
the case invalid (a mode outside its range, a probability above 1) is that experiment's error,
located in the case file.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decide import bundled
from decide.errors import CaseError, Problem
from decide.explore.design import NUMERIC_FIELDS, Parameter, resolve_target
from decide.load import YamlDocument, parse_case, read_yaml
from decide.spec import Case

__all__ = ["CaseSource", "read_case_source", "apply_parameters", "build_variant"]


@dataclass(frozen=True)
class CaseSource:
    """What a worker needs to build any variant of a case: its data, line map and criteria.

    The criteria set is read once, here, and carried as data, so a worker on another machine needs
    neither the case's folder nor its criteria file.
    """

    data: Mapping[str, Any]
    lines: Mapping[tuple[Any, ...], int] = field(default_factory=dict)
    file: str | None = None
    base_dir: str | None = None


def read_case_source(case: str | Path, allow_paths: Sequence[str | Path] = ()) -> CaseSource:
    """Read a case file (or a bundled case's name) and check it, keeping its data for variants.

    Raises :class:`CaseError` when the case itself is invalid: the experiments would all fail.
    """
    path = bundled.resolve_case(case)
    if not path.exists():
        names = ", ".join(bundled.bundled_cases()) or "none"
        raise CaseError([Problem(f"no such file; give a case file's path or a bundled case's name "
                                 f"(bundled: {names})", file=str(path))])
    doc = read_yaml(path)
    parse_case(doc, base_dir=path.parent, allow_paths=allow_paths)  # the case as written must be valid
    data = copy.deepcopy(doc.data)
    ref = data.get("criteria")
    if isinstance(ref, str):  # valid, so it resolves; carried as data from here on
        criteria = read_yaml(bundled.resolve_criteria(ref, path.parent, [Path(p) for p in allow_paths]))
        data["criteria"] = criteria.data
    return CaseSource(data, dict(doc.lines), str(path), str(path.parent))


def apply_parameters(data: Mapping[str, Any], parameters: Sequence[Parameter],
                     values: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each parameter's value put at its target."""
    out = copy.deepcopy(dict(data))
    for parameter in parameters:
        value = values[parameter.id]
        for container, key in resolve_target(out, parameter.target):
            container[key] = _changed(container[key], parameter, value)
    return out


def _changed(current: Any, parameter: Parameter, value: Any) -> Any:
    if parameter.op == "set":
        if isinstance(current, Mapping) and "value" in current and not isinstance(value, Mapping):
            return {**current, "value": value}  # a point score or a profile's weight, evidence kept
        return value  # e.g. an interval or Beta probability replaced by a point
    apply = (lambda x: x * value) if parameter.op == "scale" else (lambda x: x + value)
    if isinstance(current, Mapping):
        changed = dict(current)
        hit = False
        for name in NUMERIC_FIELDS:
            if _is_number(changed.get(name)):
                changed[name] = apply(changed[name])
                hit = True
        if not hit:
            raise CaseError([Problem(f"{parameter.op} needs numbers at {'.'.join(parameter.target)}; "
                                     f"it has none of {', '.join(NUMERIC_FIELDS)}")])
        return changed
    if not _is_number(current):
        raise CaseError([Problem(f"{parameter.op} needs a number at {'.'.join(parameter.target)}, "
                                 f"not {current!r}")])
    return apply(current)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def build_variant(source: CaseSource, parameters: Sequence[Parameter], values: Mapping[str, Any]) -> Case:
    """The validated case of one experiment; raises CaseError (located in the case file) if invalid."""
    data = apply_parameters(source.data, parameters, values)
    return parse_case(YamlDocument(data, dict(source.lines), source.file), base_dir=source.base_dir)
