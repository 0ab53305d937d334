"""Read case files: YAML -> mapping with line numbers -> validated, frozen :class:`Case`.

Every problem is collected and raised at once as a :class:`~decide.errors.CaseError`, each with
its file, line and field path. ``load_case`` only wraps ``parse_case``, which takes a mapping.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import decide.arguments as arguments
from decide import bundled
from decide.checks import check_case
from decide.errors import CaseError, Problem
from decide.spec import SCORE_KINDS, Case, CriteriaSet
from decide.yaml_source import Limits, dotted, parse_document, read_text
from decide.yaml_source import YamlDocument as YamlDocument
from decide.yaml_source import parse_yaml_text as parse_yaml_text
from decide.yaml_source import read_yaml as read_yaml

__all__ = ["load_case", "parse_case", "read_yaml", "parse_yaml_text", "YamlDocument"]


def _problems_from_validation(exc: ValidationError, doc: YamlDocument, prefix: tuple = ()) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = _data_path(doc.data, error["loc"])
        message = _message(error)
        problems.append(Problem(message, dotted(prefix + path), doc.file, doc.line_of(path)))
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
            *SCORE_KINDS, "interval", "beta", "group", "criterion", "order", "function-before", "function-after",
        ):
            path.append(part)  # a missing field: name it
            node = None
        # else: a union tag or an index into a tuple-like: not a user-visible key
    return tuple(path)


def _shown(given: Any) -> str:
    """A user's value as a message shows it: short, and in words for containers and null."""
    if given is None:
        return "an empty value (null)"
    if isinstance(given, Mapping):
        return "a mapping"
    if isinstance(given, (list, tuple)):
        return "a list"
    if isinstance(given, int) and not isinstance(given, bool) and abs(given) > 1e308:
        return "a number too large to use"
    text = repr(given)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECTED = {
    "list_type": "a list", "tuple_type": "a list", "dict_type": "a mapping (key: value)",
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
    "int_parsing": "a whole number", "int_from_float": "a whole number",
}


def _message(error: dict[str, Any]) -> str:
    """Say what is wrong in a policy analyst's words, and what would be valid."""
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/case-format.md for the fields allowed here)"
    if kind == "finite_number":
        return f"must be a finite number, not {_shown(given)}"
    if kind == "union_tag_invalid":
        return f"unknown kind {ctx.get('tag')!r}; valid kinds: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        discriminator = str(ctx.get("discriminator", ""))
        if "score" in discriminator:
            return (f"must be a number or a distribution with a 'kind' ({', '.join(SCORE_KINDS)}), "
                    f"not {_shown(given)}")
        if "probability" in discriminator:
            return (f"must be a probability: a number from 0 to 1, {{low, high}} or {{alpha, beta}}; "
                    f"not {_shown(given)}")
        return f"must be a mapping with a 'kind' field, not {_shown(given)}"
    if kind == "string_pattern_mismatch":
        return f"{_shown(given)} is not a valid id: start with a letter, then letters, digits, '_' or '-'"
    bounds = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"),
              "greater_than": ("greater than", "gt"), "less_than": ("less than", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        bound = ctx.get(key)
        bound = f"{bound:g}" if isinstance(bound, (int, float)) else bound
        return f"must be {words} {bound} (given: {_shown(given)})"
    if isinstance(given, int) and not isinstance(given, bool) and abs(given) > 1e308:
        return "is too large to use: must be a finite number"
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, not {_shown(given)}"
    if kind == "model_type":
        return f"must be a mapping of the fields of a {ctx.get('class_name', 'record')}, not {_shown(given)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        words = "at least" if kind == "too_short" else "at most"
        return f"needs {words} {bound} item{'s' if bound != 1 else ''}; has {ctx.get('actual_length')}"
    if kind == "literal_error" and error["loc"][:1] == ("decide",):
        return f"unsupported format version {_shown(given)}; this version of decide reads 'decide: 1'"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    if msg.startswith("Input should be "):
        msg = "must be " + msg[len("Input should be "):]
    if given is not None and not isinstance(given, (Mapping, list)):
        msg += f" (given: {_shown(given)})"
    return msg


def parse_criteria(doc: YamlDocument, prefix: tuple = ()) -> tuple[CriteriaSet | None, list[Problem]]:
    """Validate a criteria-set mapping."""
    if not isinstance(doc.data, Mapping):
        return None, [Problem("a criteria set is a YAML mapping with id, name and criteria",
                              dotted(prefix), doc.file, doc.line_of(()))]
    try:
        return CriteriaSet.model_validate(doc.data), []
    except ValidationError as exc:
        return None, _problems_from_validation(exc, doc, prefix)


def parse_case(data: Mapping[str, Any] | YamlDocument, *, base_dir: str | Path | None = None,
               allow_paths: str | os.PathLike | Iterable[str | os.PathLike] = ()) -> Case:
    """Validate a case given as a mapping (or a parsed YAML document) and return a frozen Case.

    ``criteria`` may be a bundled set's name, a mapping, or the path of a regular file under
    ``base_dir`` (default: the current folder) or under one of the folders in ``allow_paths``;
    any other path (outside those folders, also through ``..`` or a symbolic link, or a device or
    FIFO) is refused without being opened. Raises :class:`CaseError` listing every problem found.
    """
    if not isinstance(data, (Mapping, YamlDocument)):
        hint = "; for a case file, call decide.load_case(path)" if isinstance(data, (str, os.PathLike)) else ""
        raise arguments.ArgumentTypeError(f"data must be a mapping (a parsed case), not {arguments.given(data)}{hint}")
    allowed = _folders(allow_paths)
    doc = data if isinstance(data, YamlDocument) else YamlDocument(data)
    if not isinstance(doc.data, Mapping):
        raise CaseError([Problem("a case is a YAML mapping (id, title, criteria, options, ...)",
                                 file=doc.file, line=doc.line_of(()))])
    raw = dict(doc.data)
    problems: list[Problem] = list(doc.problems)
    read_paths = {p.path for p in doc.problems}  # a value already reported as unreadable
    criteria_ref = raw.get("criteria")
    criteria_set: CriteriaSet | None = None
    if isinstance(criteria_ref, str):
        where = ("criteria", doc.file, doc.line_of(("criteria",)))
        try:
            path = bundled.resolve_criteria(criteria_ref, base_dir, allowed)
        except LookupError as exc:
            problems.append(Problem(str(exc), *where))
        else:
            criteria_set, found = _read_criteria(path, criteria_ref, where)
            problems.extend(found)
    elif isinstance(criteria_ref, Mapping):
        criteria_set, found = parse_criteria(YamlDocument(criteria_ref, {
            k[1:]: v for k, v in doc.lines.items() if k[:1] == ("criteria",)}, doc.file), ("criteria",))
        problems.extend(p for p in found if p.path not in read_paths)
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
        if criteria_set is None and criteria_ref is not None:  # reported where the set was read
            found = [p for p in found if not p.path.startswith("criteria")]
        problems.extend(p for p in found if p.path not in read_paths)
        if criteria_set is not None:
            # Drop what is broken and check the rest, so cross-reference problems are listed too.
            case, dropped = _validate_remainder(raw, exc)
    if case is not None:
        for p in check_case(case):
            path = _original_path(_parse_path(p.path), dropped)
            where = dotted(path)
            if not _hidden_by(p.message, where, dropped) and where not in read_paths:
                problems.append(Problem(p.message, where, doc.file, doc.line_of(path)))
    if problems:
        raise CaseError(problems)
    return case


# Required top-level fields no cross-reference check reads: a broken one is replaced, not dropped.
_PLACEHOLDERS: dict[tuple[Any, ...], Any] = {("id",): "case", ("title",): "case"}


def _validate_remainder(raw: dict[str, Any], exc: ValidationError) -> tuple[Case | None, list[tuple]]:
    """Remove each broken entry (deepest list item or mapping key) and validate what remains.

    Returns the case made of the rest (or None) and the removed ``(path, value)`` pairs, with
    paths as in the user's file (removing a list item shifts the items after it; see
    :func:`_original_path`).
    """
    data = copy.deepcopy({k: v for k, v in raw.items() if k != "criteria"})
    data["criteria"] = raw["criteria"]
    dropped: list[tuple] = []
    for _ in range(5):
        paths = {_droppable(_data_path(data, e["loc"])) for e in exc.errors()}
        paths.discard(None)
        changed = False
        # Deepest and last first, so removing one entry does not move another still to remove.
        for path in sorted(paths, key=lambda p: [str(x).zfill(8) for x in p], reverse=True):
            if path in _PLACEHOLDERS:
                value = data.get(path[0])
                if value == _PLACEHOLDERS[path]:
                    continue
                data[path[0]] = _PLACEHOLDERS[path]
            else:
                try:
                    parent = _get(data, path[:-1])
                    value = parent[path[-1]]
                    del parent[path[-1]]
                except (KeyError, IndexError, TypeError):
                    continue  # missing, or inside an entry already removed
            dropped.append((_original_path(path, dropped), value))
            changed = True
        if not changed:
            return None, dropped
        try:
            return Case.model_validate(data), dropped
        except ValidationError as again:
            exc = again
    return None, dropped


def _droppable(path: tuple) -> tuple | None:
    """The entry to remove for an error at ``path``: a score, the deepest list item, else the field."""
    for end in range(len(path), 0, -1):
        head = path[:end]
        if len(head) >= 3 and head[-2] in ("scores", "failure", "uses", "weights"):
            return head
        if isinstance(head[-1], int) and head[0] != "criteria":
            return head
    return path if path and path[0] != "criteria" else None


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _original_path(path: tuple[Any, ...], dropped: list[tuple]) -> tuple[Any, ...]:
    """Map a path in what remains after removing ``dropped`` entries to the same entry in the file."""
    removed = {p for p, _ in dropped}
    out: list[Any] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            index = -1
            for _ in range(part + 1):
                index += 1
                while tuple(out) + (index,) in removed:
                    index += 1
            part = index
        out.append(part)
    return tuple(out)


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer + ".") or inner.startswith(outer + "[")


def _hidden_by(message: str, where: str, dropped: list[tuple]) -> bool:
    """A cross-reference problem caused by an entry already reported and removed."""
    for path, value in dropped:
        if where and _within(dotted(path), where):  # e.g. a score reported as broken, now "missing"
            return True
        if isinstance(value, Mapping):
            ident = value.get("id")
            if isinstance(ident, str) and f"'{ident}'" in message:
                return True
            if value.get("baseline") not in (None, False) and "baseline" in message:
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


def _read_criteria(path: Path, ref: str, where: tuple[str, str | None, int | None],
                   ) -> tuple[CriteriaSet | None, list[Problem]]:
    """Read the criteria set a case names, never quoting a file that is not one.

    ``path`` is a regular file :func:`bundled.resolve_criteria` allowed; ``where`` locates the
    case's ``criteria:`` field. A file that is not valid YAML, or not a mapping of a criteria
    set's fields, gets one message naming it and nothing of its text: it might be any file the
    case could reach (a key file, a password list). Only a file shaped like a criteria set has its
    problems listed field by field.
    """
    limits = Limits.from_environment()
    try:
        sub = parse_document(read_text(path, limits.max_bytes, include=True), str(path), limits, include=True)
    except CaseError as exc:
        return None, exc.problems  # written without the file's text (``include``)
    if not (isinstance(sub.data, Mapping) and "criteria" in sub.data
            and all(isinstance(k, str) and k in CriteriaSet.model_fields for k in sub.data)):
        return None, [Problem(f"{ref!r} is not a criteria set (a YAML mapping of id, name, description "
                              "and criteria); its content is not shown", *where)]
    criteria_set, found = parse_criteria(sub)
    return criteria_set, [*sub.problems, *found]


def _folders(allow_paths: Any) -> tuple[Path, ...]:
    if isinstance(allow_paths, (str, os.PathLike)):
        allow_paths = (allow_paths,)
    try:
        folders = tuple(allow_paths)
    except TypeError:
        folders = None
    if folders is None or not all(isinstance(f, (str, os.PathLike)) for f in folders):
        raise TypeError(f"allow_paths must be a folder's path or a list of them, not {allow_paths!r}")
    return tuple(Path(f) for f in folders)


def load_case(path: str | Path, *,
              allow_paths: str | os.PathLike | Iterable[str | os.PathLike] = ()) -> Case:
    """Load and validate a case file, or name a bundled case (e.g. ``"mali-2012"``).

    The case's ``criteria:`` may name a bundled set or a regular file under the case's folder or
    under one of the folders in ``allow_paths`` (see :func:`parse_case`). Raises
    :class:`~decide.errors.CaseError` listing every problem with file, line and field.
    """
    resolved = bundled.resolve_case(arguments.path(path, "path"))
    if not resolved.exists():
        names = ", ".join(bundled.bundled_cases()) or "none"
        raise CaseError([Problem(f"no such file; give a case file's path or a bundled case's name "
                                 f"(bundled: {names})", file=str(resolved))])
    allowed = _folders(allow_paths)
    doc = read_yaml(resolved)
    return parse_case(doc, base_dir=resolved.parent, allow_paths=allowed)
