"""Experiment designs: which parameters of a case vary, over what, and how they are sampled.

A design is a YAML file (or a mapping) read like a case: every problem is collected and raised at
once as a :class:`~decide.errors.CaseError`, each with the design's file, line and field::

    seed: 20121
    experiments: 200          # Latin hypercube and Sobol'; a full factorial has one per combination
    sampling: lhs             # lhs | sobol | factorial
    draws: 10000              # Monte Carlo draws per experiment
    strategies: {scenarios: 300, out_of_sample: 2000}   # or false: no strategy search
    parameters:
      - id: p_ag_ghali
        target: preconditions.ag_ghali_breaks.probability
        range: [0.1, 0.7]
      - id: profile
        target: weights.default
        values: [brief, algiers, washington]
      - id: costs
        target: options.*.uses.us_funds
        op: scale
        range: [0.5, 1.5]

A ``target`` is a path into the case as written: list entries are named by their ``id`` (an
enabler by its option, then its precondition), ``*`` stands for every entry, and the last part is
the field to change. ``op`` is ``set`` (the default), ``scale`` (multiply what the case says) or
``shift`` (add to it); a target that is a distribution (``{kind: pert, low, mode, high}``) scales or
shifts all its numbers, and one with a ``value`` (a point score, a profile's weight) changes that.
Whether a changed case is still valid is checked per experiment (a mode pushed outside its range is
that experiment's error, not the run's).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from decide.errors import CaseError, Problem
from decide.load import YamlDocument, read_yaml

__all__ = ["Parameter", "Design", "StrategySearch", "load_design", "parse_design", "resolve_target", "SAMPLINGS"]

SAMPLINGS = ("lhs", "sobol", "factorial")
OPS = ("set", "scale", "shift")
NUMERIC_FIELDS = ("value", "low", "mode", "high", "mean", "median", "mu")
"""Numbers of a distribution that ``scale`` and ``shift`` change (its location and range, not its
shape parameters such as ``sd`` or ``alpha``)."""

_FIELDS = {"seed", "experiments", "sampling", "draws", "strategies", "parameters", "description"}
_PARAMETER_FIELDS = {"id", "target", "range", "values", "op", "levels", "integer", "description"}
_STRATEGY_FIELDS = {"scenarios", "out_of_sample", "engine", "time_limit"}


@dataclass(frozen=True)
class Parameter:
    """One uncertain parameter: where it acts in the case and the values it takes."""

    id: str
    target: tuple[str, ...]
    """The path of the field it changes, split at dots (``*`` for every entry)."""
    op: Literal["set", "scale", "shift"] = "set"
    low: float | None = None
    """Range ``[low, high]`` of a continuous parameter (None for one with listed ``values``)."""
    high: float | None = None
    values: tuple[Any, ...] = ()
    """Listed values (a profile id, a number): sampled uniformly as categories."""
    levels: int = 0
    """For a full factorial over a range: that many evenly spaced values."""
    integer: bool = False

    @property
    def is_continuous(self) -> bool:
        return not self.values

    def grid(self) -> tuple[Any, ...]:
        """The values a full factorial takes."""
        if self.values:
            return self.values
        n = self.levels
        step = (self.high - self.low) / (n - 1) if n > 1 else 0.0
        return tuple(self.scale(self.low + k * step) for k in range(n))

    def from_unit(self, u: float) -> Any:
        """The parameter's value at ``u`` in [0, 1): a point of the range, or a category."""
        if self.values:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        return self.scale(self.low + u * (self.high - self.low))

    def scale(self, x: float) -> float:
        return float(round(x)) if self.integer else float(x)


@dataclass(frozen=True)
class StrategySearch:
    """How each experiment searches for its best strategy (:func:`decide.optimise_strategies`)."""

    scenarios: int = 300
    out_of_sample: int = 2000
    engine: str = "auto"
    time_limit: float = 60.0


@dataclass(frozen=True)
class Design:
    """A validated experiment design."""

    parameters: tuple[Parameter, ...]
    sampling: Literal["lhs", "sobol", "factorial"] = "lhs"
    experiments: int = 100
    seed: int = 20121
    draws: int = 10_000
    strategies: StrategySearch | None = field(default_factory=StrategySearch)
    """None: no strategy search (the table has no strategy columns filled)."""
    file: str | None = None

    @property
    def parameter_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parameters)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: what a results file records of the design (and compares on ``--resume``)."""
        return {
            "seed": self.seed, "experiments": self.experiments, "sampling": self.sampling, "draws": self.draws,
            "strategies": None if self.strategies is None else vars(self.strategies),
            "parameters": [{"id": p.id, "target": ".".join(p.target), "op": p.op, "low": p.low, "high": p.high,
                            "values": list(p.values), "levels": p.levels, "integer": p.integer}
                           for p in self.parameters],
        }

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_design(path: str | Path, case_data: Mapping[str, Any] | None = None) -> Design:
    """Read and validate a design file; ``case_data`` (the case as written) checks each target."""
    return parse_design(read_yaml(path), case_data)


def parse_design(data: Mapping[str, Any] | YamlDocument, case_data: Mapping[str, Any] | None = None) -> Design:
    """Validate a design given as a mapping or a parsed YAML document; raise every problem at once."""
    doc = data if isinstance(data, YamlDocument) else YamlDocument(data)
    problems: list[Problem] = list(doc.problems)

    def problem(path: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(message, _dotted(path), doc.file, doc.line_of(path)))

    raw = doc.data
    if not isinstance(raw, Mapping):
        raise CaseError([Problem("a design is a YAML mapping (seed, experiments, sampling, draws, parameters)",
                                 file=doc.file, line=doc.line_of(()))])
    for key in raw:
        if key not in _FIELDS:
            problem((key,), f"unknown field; a design has {', '.join(sorted(_FIELDS))}")
    seed = _integer(raw.get("seed", 20121), ("seed",), problem, minimum=0)
    draws = _integer(raw.get("draws", 10_000), ("draws",), problem, minimum=1)
    sampling = raw.get("sampling", "lhs")
    if sampling not in SAMPLINGS:
        problem(("sampling",), f"unknown sampling {sampling!r}; valid: {', '.join(SAMPLINGS)}")
        sampling = "lhs"
    strategies = _strategy_search(raw.get("strategies", {}), problem)

    parameters: list[Parameter] = []
    given = raw.get("parameters")
    if not isinstance(given, list) or not given:
        problem(("parameters",), "must be a non-empty list of parameters (id, target, and range or values)")
        given = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(given):
        parameter = _parameter(entry, ("parameters", i), problem, sampling, case_data)
        if parameter is None:
            continue
        if parameter.id in seen:
            problem(("parameters", i, "id"), f"duplicate parameter id {parameter.id!r} (first at parameters[{seen[parameter.id]}])")
            continue
        seen[parameter.id] = i
        parameters.append(parameter)

    if sampling == "factorial":
        n = math.prod(len(p.grid()) for p in parameters) if parameters else 0
        if "experiments" in raw and raw["experiments"] != n and not problems:
            problem(("experiments",), f"a full factorial over these values has {n:,} experiments, not "
                                      f"{raw['experiments']!r}; leave experiments out or set it to {n}")
        experiments = n
    else:
        experiments = _integer(raw.get("experiments", 100), ("experiments",), problem, minimum=1)
    if problems:
        raise CaseError(problems)
    return Design(tuple(parameters), sampling, experiments, seed, draws, strategies, doc.file)


def _integer(value: Any, path: tuple[Any, ...], problem, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        problem(path, f"must be a whole number, not {value!r}")
        return minimum
    if value < minimum:
        problem(path, f"must be at least {minimum} (given: {value})")
        return minimum
    return value


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _strategy_search(raw: Any, problem) -> StrategySearch | None:
    if raw is False or raw is None:
        return None
    if raw is True:
        return StrategySearch()
    if not isinstance(raw, Mapping):
        problem(("strategies",), "must be false (no strategy search) or a mapping of scenarios, out_of_sample, "
                                 "engine, time_limit")
        return StrategySearch()
    for key in raw:
        if key not in _STRATEGY_FIELDS:
            problem(("strategies", key), f"unknown field; valid: {', '.join(sorted(_STRATEGY_FIELDS))}")
    out = StrategySearch()
    scenarios = _integer(raw.get("scenarios", out.scenarios), ("strategies", "scenarios"), problem, minimum=1)
    oos = _integer(raw.get("out_of_sample", out.out_of_sample), ("strategies", "out_of_sample"), problem, minimum=1)
    engine = raw.get("engine", out.engine)
    if engine not in ("auto", "enumerate", "milp"):
        problem(("strategies", "engine"), f"unknown engine {engine!r}; valid: auto, enumerate, milp")
        engine = "auto"
    limit = raw.get("time_limit", out.time_limit)
    if not _number(limit) or limit <= 0:
        problem(("strategies", "time_limit"), f"must be a positive number of seconds, not {limit!r}")
        limit = out.time_limit
    return StrategySearch(scenarios, oos, engine, float(limit))


def _parameter(entry: Any, path: tuple[Any, ...], problem, sampling: str,
               case_data: Mapping[str, Any] | None) -> Parameter | None:
    if not isinstance(entry, Mapping):
        problem(path, "a parameter is a mapping of id, target, and range or values")
        return None
    ok = True
    for key in entry:
        if key not in _PARAMETER_FIELDS:
            problem(path + (key,), f"unknown field; a parameter has {', '.join(sorted(_PARAMETER_FIELDS))}")
            ok = False
    pid = entry.get("id")
    if not isinstance(pid, str) or not pid or not (pid[0].isalpha()) or not all(c.isalnum() or c in "_-" for c in pid):
        problem(path + ("id",), "required: an id (a letter, then letters, digits, '_' or '-'), the results' column")
        ok = False
    target = entry.get("target")
    parts: tuple[str, ...] = ()
    if not isinstance(target, str) or not target.strip():
        problem(path + ("target",), "required: the field to vary, e.g. preconditions.ag_ghali_breaks.probability")
        ok = False
    else:
        parts = tuple(target.strip().split("."))
    op = entry.get("op", "set")
    if op not in OPS:
        problem(path + ("op",), f"unknown op {op!r}; valid: {', '.join(OPS)}")
        ok = False
    integer = entry.get("integer", False)
    if not isinstance(integer, bool):
        problem(path + ("integer",), "must be true or false")
        ok = False
    has_range, has_values = "range" in entry, "values" in entry
    low = high = None
    values: tuple[Any, ...] = ()
    levels = 0
    if has_range == has_values:
        problem(path, "give either range: [low, high] or values: [...], not " + ("both" if has_range else "neither"))
        ok = False
    elif has_range:
        rng = entry["range"]
        if not (isinstance(rng, list) and len(rng) == 2 and all(_number(x) for x in rng)):
            problem(path + ("range",), f"must be two finite numbers [low, high], not {rng!r}")
            ok = False
        elif not rng[0] < rng[1]:
            problem(path + ("range",), f"low must be below high (given: {rng[0]} and {rng[1]})")
            ok = False
        else:
            low, high = float(rng[0]), float(rng[1])
        if sampling == "factorial":
            levels = entry.get("levels")
            if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2:
                problem(path + ("levels",), "a full factorial over a range needs levels: a whole number of at least 2 "
                                            "(or list values instead)")
                ok = False
        elif "levels" in entry:
            problem(path + ("levels",), "levels apply to a full factorial only (sampling: factorial)")
            ok = False
    else:
        given = entry["values"]
        if not isinstance(given, list) or not given:
            problem(path + ("values",), "must be a non-empty list")
            ok = False
        elif not all(_number(v) or isinstance(v, str) for v in given):
            problem(path + ("values",), "must list numbers or ids")
            ok = False
        elif len(set(map(repr, given))) != len(given):
            problem(path + ("values",), "lists a value twice")
            ok = False
        else:
            values = tuple(given)
        if op != "set" and values and not all(_number(v) for v in values):
            problem(path + ("values",), f"op {op} needs numbers")
            ok = False
    if ok and case_data is not None:
        try:
            resolve_target(case_data, parts)
        except LookupError as exc:
            problem(path + ("target",), str(exc))
            ok = False
    if not ok:
        return None
    return Parameter(pid, parts, op, low, high, values, levels or 0, integer)


def resolve_target(data: Any, parts: Sequence[str]) -> list[tuple[Any, Any]]:
    """The ``(container, key)`` pairs a target names in a case's data; LookupError says why none.

    List entries are named by ``id`` (enablers by option, then precondition); ``*`` is every entry.
    """
    found: list[tuple[Any, Any]] = []
    _walk(data, tuple(parts), (), found)
    if not found:
        raise LookupError(f"{'.'.join(parts)!r} names nothing in the case")
    return found


def _walk(node: Any, parts: tuple[str, ...], where: tuple[str, ...], found: list) -> None:
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    if isinstance(node, Mapping):
        keys = list(node) if head == "*" else [head] if head in node else []
        if not keys:
            raise LookupError(_missing(where, head, [str(k) for k in node]))
        _each(keys, head, lambda key: _walk(node[key], rest, where + (str(key),), found) if rest
              else found.append((node, key)))
        return
    if isinstance(node, list):
        if where and where[-1] == "enablers":
            if len(parts) < 2:
                raise LookupError(f"name an enabler by its option, then its precondition: "
                                  f"enablers.<option>.<precondition>.<field>")
            match = [e for e in node if isinstance(e, Mapping) and head in ("*", e.get("option"))
                     and parts[1] in ("*", e.get("precondition"))]
            if not match:
                raise LookupError(f"no enabler of option {head!r} on precondition {parts[1]!r}")
            rest = parts[2:]
            if not rest:
                raise LookupError("name the enabler's field to vary (odds_ratio, add, ...)")
        else:
            match = [e for e in node if isinstance(e, Mapping) and (head == "*" or e.get("id") == head)]
            if not match:
                ids = [str(e.get("id")) for e in node if isinstance(e, Mapping) and "id" in e]
                raise LookupError(_missing(where, head, ids))
        if rest:
            _each(match, head, lambda entry: _walk(entry, rest, where + (head,), found))
        else:
            raise LookupError(f"{'.'.join(where + (head,))} is a whole entry; name the field to vary")
        return
    raise LookupError(f"{'.'.join(where) or 'the case'} is a single value; nothing below it to name as {head!r}")


def _each(items: list, head: str, visit) -> None:
    """Visit every item; under ``*`` an item lacking the rest of the path is skipped, unless all do."""
    errors = []
    for item in items:
        try:
            visit(item)
        except LookupError as exc:
            if head != "*":
                raise
            errors.append(exc)
    if errors and len(errors) == len(items):
        raise errors[0]


def _missing(where: tuple[str, ...], head: str, known: list[str]) -> str:
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    at = ".".join(where) or "the case"
    return f"{at} has no {head!r} (it has: {shown or 'nothing'})"


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
