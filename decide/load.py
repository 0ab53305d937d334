"""Read case files: YAML -> mapping with line numbers -> validated, frozen :class:`Case`.

Every problem is collected and raised at once as a :class:`~decide.errors.CaseError`, each with
its file, line and field path. ``load_case`` only wraps ``parse_case``, which takes a mapping.
"""

from __future__ import annotations

import copy

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from decide import bundled
from decide.checks import check_case
from decide.errors import CaseError, Problem
from decide.spec import Case, CriteriaSet

__all__ = ["load_case", "parse_case", "read_yaml", "YamlDocument"]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the line (1-based) of every field path."""

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    file: str | None = None

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """Line of the deepest ancestor of ``path`` that the file has."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps node marks; we build Python objects ourselves."""


def read_yaml(path: str | Path) -> YamlDocument:
    """Parse a YAML file, recording the line of every key; raise CaseError on bad YAML."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError([Problem(f"no such file: {path}", file=str(path))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([Problem(f"cannot read file: {exc}", file=str(path))]) from None
    return parse_yaml_text(text, file=str(path))


def parse_yaml_text(text: str, file: str | None = None) -> YamlDocument:
    """Parse YAML text into a :class:`YamlDocument` (duplicate keys are problems)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise CaseError([Problem(f"YAML syntax error: {what}", file=file, line=line)]) from None
    except yaml.YAMLError as exc:
        raise CaseError([Problem(f"YAML error: {exc}", file=file)]) from None
    if node is None:
        raise CaseError([Problem("the file is empty; a case is a YAML mapping", file=file)])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []
    constructor = _Loader("")
    data = _build(node, (), lines, problems, constructor, file)
    if problems:
        raise CaseError(problems)
    return YamlDocument(data, lines, file)


def _build(node, path, lines, problems, constructor, file):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            try:
                key = constructor.construct_object(key_node, deep=True)
            except yaml.YAMLError as exc:
                problems.append(Problem(f"bad key: {exc}", _dotted(path), file, key_node.start_mark.line + 1))
                continue
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(Problem("keys must be plain text", _dotted(path), file, key_node.start_mark.line + 1))
                continue
            if key in out:
                problems.append(Problem(
                    f"duplicate key '{key}' (first given on line {lines[path + (key,)]}); "
                    "each key may appear once", _dotted(path + (key,)), file, key_node.start_mark.line + 1))
                continue
            out[key] = _build(value_node, path + (key,), lines, problems, constructor, file)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, problems, constructor, file)
                for i, item in enumerate(node.value)]
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(Problem(f"bad value: {exc}", _dotted(path), file, node.start_mark.line + 1))
        return None


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --------------------------------------------------------------------------- validation


def _problems_from_validation(exc: ValidationError, doc: YamlDocument, prefix: tuple = ()) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = _data_path(doc.data, error["loc"])
        message = _message(error)
        problems.append(Problem(message, _dotted(prefix + path), doc.file, doc.line_of(path)))
    return problems


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Map a pydantic error location onto the user's data, dropping union tags."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, (Mapping, list)) and not isinstance(part, int) and part not in (
            "point", "triangular", "pert", "uniform", "truncnormal", "discrete", "interval", "beta",
            "group", "criterion", "order", "function-before", "function-after",
        ):
            path.append(part)  # a missing field: name it
            node = None
        # else: a union tag or an index into a tuple-like: not a user-visible key
    return tuple(path)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/case-format.md for the fields allowed here)"
    if kind == "finite_number":
        return f"must be a finite number, not {given!r}"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return f"unknown kind {ctx.get('tag')!r}; valid kinds: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "cannot tell which kind this is; give a 'kind' field"
    if kind == "string_pattern_mismatch":
        return (f"{given!r} is not a valid id: start with a letter, then letters, digits, '_' or '-'")
    bounds = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"),
              "greater_than": ("greater than", "gt"), "less_than": ("less than", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {error.get('ctx', {}).get(key)} (given: {given!r})"
    if kind in ("float_parsing", "float_type", "int_type", "int_parsing"):
        return f"must be a number, not {given!r}"
    if kind == "literal_error" and error["loc"][:1] == ("decide",):
        return f"unsupported format version {given!r}; this version of decide reads 'decide: 1'"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if given is not None and kind not in ("value_error",) and not isinstance(given, (dict, list)):
        msg += f" (given: {given!r})"
    return msg


def parse_criteria(doc: YamlDocument, prefix: tuple = ()) -> tuple[CriteriaSet | None, list[Problem]]:
    """Validate a criteria-set mapping."""
    if not isinstance(doc.data, Mapping):
        return None, [Problem("a criteria set is a YAML mapping with id, name and criteria",
                              _dotted(prefix), doc.file, doc.line_of(()))]
    try:
        return CriteriaSet.model_validate(doc.data), []
    except ValidationError as exc:
        return None, _problems_from_validation(exc, doc, prefix)


def parse_case(data: Mapping[str, Any] | YamlDocument, *, base_dir: str | Path | None = None) -> Case:
    """Validate a case given as a mapping (or a parsed YAML document) and return a frozen Case.

    ``criteria`` may be a bundled set's name, a path (relative to ``base_dir``) or a mapping.
    Raises :class:`CaseError` listing every problem found.
    """
    doc = data if isinstance(data, YamlDocument) else YamlDocument(data)
    if not isinstance(doc.data, Mapping):
        raise CaseError([Problem("a case is a YAML mapping (id, title, criteria, options, ...)",
                                 file=doc.file, line=doc.line_of(()))])
    raw = dict(doc.data)
    problems: list[Problem] = []
    criteria_ref = raw.get("criteria")
    criteria_set: CriteriaSet | None = None
    if isinstance(criteria_ref, str):
        try:
            path = bundled.resolve_criteria(criteria_ref, base_dir)
        except LookupError as exc:
            problems.append(Problem(str(exc), "criteria", doc.file, doc.line_of(("criteria",))))
        else:
            try:
                sub = read_yaml(path)
            except CaseError as exc:
                problems.extend(exc.problems)
            else:
                criteria_set, found = parse_criteria(sub)
                problems.extend(found)
    elif isinstance(criteria_ref, Mapping):
        criteria_set, found = parse_criteria(YamlDocument(criteria_ref, {
            k[1:]: v for k, v in doc.lines.items() if k[:1] == ("criteria",)}, doc.file), ("criteria",))
        problems.extend(found)
    elif criteria_ref is not None:
        problems.append(Problem("criteria must be a bundled set's name, a path or a mapping",
                                "criteria", doc.file, doc.line_of(("criteria",))))

    if criteria_set is not None:
        raw["criteria"] = criteria_set
    case, dropped = None, []
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        found = _problems_from_validation(exc, YamlDocument(raw, doc.lines, doc.file))
        if criteria_set is None and problems:  # already reported where the set was read
            found = [p for p in found if not p.path.startswith("criteria")]
        problems.extend(found)
        if criteria_set is not None:
            # Drop what is broken and check the rest, so cross-reference problems are listed too.
            case, dropped = _validate_remainder(raw, exc)
    if case is not None:
        for p in check_case(case):
            if not _hidden_by(p, dropped):
                problems.append(Problem(p.message, p.path, doc.file, doc.line_of(_parse_path(p.path))))
    if problems:
        raise CaseError(problems)
    return case


def _validate_remainder(raw: dict[str, Any], exc: ValidationError) -> tuple[Case | None, list[tuple]]:
    """Remove each broken entry (deepest list item or mapping key) and validate what remains."""
    data = copy.deepcopy({k: v for k, v in raw.items() if k != "criteria"})
    data["criteria"] = raw["criteria"]
    dropped: list[tuple] = []
    for _ in range(5):
        paths = {_droppable(data, _data_path(data, e["loc"])) for e in exc.errors()}
        paths.discard(None)
        if not paths:
            return None, dropped
        for path in sorted(paths, key=lambda p: [str(x).zfill(8) for x in p], reverse=True):
            parent = _get(data, path[:-1])
            dropped.append((path, parent[path[-1]]))
            del parent[path[-1]]
        try:
            return Case.model_validate(data), dropped
        except ValidationError as again:
            exc = again
    return None, dropped


def _droppable(data: Any, path: tuple) -> tuple | None:
    """The entry to remove for an error at ``path``: a score, or the deepest list item."""
    for end in range(len(path), 0, -1):
        head = path[:end]
        if len(head) >= 3 and head[-2] in ("scores", "failure", "uses", "weights"):
            return head
        if isinstance(head[-1], int) and head[0] != "criteria":
            return head
    return None


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _hidden_by(problem: Problem, dropped: list[tuple]) -> bool:
    """A cross-reference problem caused by an entry already reported and dropped."""
    for path, value in dropped:
        where = _dotted(path)
        if where.startswith(problem.path) and problem.path:
            return True
        ident = value.get("id") if isinstance(value, Mapping) else None
        if isinstance(ident, str) and f"'{ident}'" in problem.message:
            return True
    return False


def _parse_path(dotted: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for chunk in dotted.replace("]", "").split("."):
        for i, piece in enumerate(chunk.split("[")):
            if piece == "":
                continue
            parts.append(int(piece) if i > 0 and piece.lstrip("-").isdigit() else piece)
    return tuple(parts)


def load_case(path: str | Path) -> Case:
    """Load and validate a case file, or name a bundled case (e.g. ``"mali-2012"``).

    Raises :class:`~decide.errors.CaseError` listing every problem with file, line and field.
    """
    resolved = bundled.resolve_case(path)
    doc = read_yaml(resolved)
    return parse_case(doc, base_dir=resolved.parent)
