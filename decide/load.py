"""Read case files: YAML -> mapping with line numbers -> validated, frozen :class:`Case`.

Every problem is collected and raised at once as a :class:`~decide.errors.CaseError`, each with
its file, line and field path. ``load_case`` only wraps ``parse_case``, which takes a mapping.
"""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

import decide.arguments as arguments
from decide import bundled
from decide.checks import check_case
from decide.errors import CaseError, DecideError, Problem
from decide.spec import SCORE_KINDS, Case, CriteriaSet

__all__ = ["load_case", "parse_case", "read_yaml", "YamlDocument"]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the line (1-based) of every field path."""

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    file: str | None = None
    problems: tuple[Problem, ...] = ()
    """Problems found while reading (duplicate keys, keys or values that are not plain data);
    :func:`parse_case` reports them together with every other problem in the file."""

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """Line of the deepest ancestor of ``path`` that the file has."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps node marks; we build Python objects ourselves."""


# Fast event parser for the limit pre-scan; the pure-Python loader composes (its messages are better).
_EventLoader = getattr(yaml, "CSafeLoader", _Loader)

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class _Limits:
    """How much a YAML file may hold, each far above any real case (the bundled Mali case, the
    largest, has 97 kB, 6,851 nodes, no aliases and depth 7) and each raised by an environment
    variable, read at every call.

    The node limit is ~36 times Mali rather than ~100: PyYAML's pure-Python composer takes about
    50 us and 0.8 kB a node, so a file crafted to sit just under 250,000 nodes (~0.5 MB) still
    takes 12-16 s and ~0.3 GB to load (measured), while one above it is refused by the libyaml
    pre-scan in ~0.5 s and ~90 MB. Depth stays well inside Python's recursion limit, which the
    composer's two frames a level reach at ~490 levels.
    """

    max_bytes: int = 10_000_000
    max_nodes: int = 250_000
    max_alias_nodes: int = 100_000
    max_depth: int = 100

    @classmethod
    def from_environment(cls) -> _Limits:
        values = {}
        for name, variable in _LIMIT_VARIABLES.items():
            raw = os.environ.get(variable, "").strip()
            if not raw:
                continue
            try:
                value = int(raw.replace("_", ""))
            except ValueError:
                value = 0
            if value <= 0:
                raise DecideError(f"{variable} must be a positive whole number, not {raw!r}")
            values[name] = value
        return cls(**values)


_LIMIT_VARIABLES = {
    "max_bytes": "DECIDE_MAX_YAML_BYTES",
    "max_nodes": "DECIDE_MAX_YAML_NODES",
    "max_alias_nodes": "DECIDE_MAX_YAML_ALIAS_NODES",
    "max_depth": "DECIDE_MAX_YAML_DEPTH",
}


def _raise_it(variable: str, limit: int, example: int | None = None) -> str:
    return (f"if the file is genuine, raise the limit with the environment variable {variable} "
            f"(e.g. {variable}={example or 2 * limit})")


def read_yaml(path: str | Path) -> YamlDocument:
    """Parse a YAML file, recording the line of every key.

    Raises CaseError when the file cannot be read, is larger, deeper or holds more nodes than the
    limits allow (docs/case-format.md, "Limits and criteria files"), or is not valid YAML; lesser problems
    (duplicate keys, unknown tags) are kept in ``problems`` so they are listed with the rest.
    """
    limits = _Limits.from_environment()
    return _parse(_read_text(Path(path), limits.max_bytes), str(path), limits)


def _read_text(path: Path, max_bytes: int, *, include: bool = False) -> str:
    """The file's text, reading at most ``max_bytes + 1`` bytes.

    ``include`` is for a file a case names (its criteria set): opened without following a
    symbolic link and without blocking, and refused unless it is a regular file, so a FIFO or a
    device swapped in after :func:`bundled.resolve_criteria` checked the path is never read.
    """
    file = str(path)
    try:
        if include:
            flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
            stream = os.fdopen(os.open(path, flags), "rb")
        else:
            stream = open(path, "rb")  # closed below
    except FileNotFoundError:
        raise CaseError([Problem(f"no such file: {path}", file=file)]) from None
    except OSError as exc:
        raise CaseError([Problem(f"cannot read file: {exc.strerror or exc}", file=file)]) from None
    with stream:
        info = os.fstat(stream.fileno())
        if include and not stat.S_ISREG(info.st_mode):
            raise CaseError([Problem("not a regular file; refused without reading it", file=file)])
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise CaseError([_too_large(file, max_bytes, info.st_size)])
        try:
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise CaseError([Problem(f"cannot read file: {exc.strerror or exc}", file=file)]) from None
    if len(data) > max_bytes:
        raise CaseError([_too_large(file, max_bytes)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CaseError([Problem("cannot read file: it is not UTF-8 text (save it as UTF-8)",
                                 file=file, line=line)]) from None


def _too_large(file: str | None, limit: int, size: int | None = None) -> Problem:
    has = (f"has {size:,} bytes; the limit is {limit:,} bytes" if size is not None
           else f"has more than {limit:,} bytes, the limit")
    return Problem(f"the file {has} (a case needs far fewer); {_raise_it('DECIDE_MAX_YAML_BYTES', limit)}",
                   file=file)


def parse_yaml_text(text: str, file: str | None = None) -> YamlDocument:
    """Parse YAML text into a :class:`YamlDocument` (duplicate keys are kept as its problems).

    The same limits as :func:`read_yaml` apply, the size counted in characters.
    """
    return _parse(text, file, _Limits.from_environment())


def _parse(text: str, file: str | None, limits: _Limits, *, include: bool = False) -> YamlDocument:
    if len(text) > limits.max_bytes:
        raise CaseError([_too_large(file, limits.max_bytes)])
    nul = text.find("\0")
    if nul >= 0:
        raise CaseError([Problem("the file contains a NUL byte (character code 0); a case is plain UTF-8 "
                                 "text (is this a binary or UTF-16 file?)", file=file,
                                 line=text.count("\n", 0, nul) + 1)])
    _check_limits(text, file, limits)
    loader = None
    try:
        loader = _Loader(text)  # its reader refuses control characters here
        node = loader.get_single_node()
    except RecursionError:
        raise CaseError([_too_deep(file, loader.line + 1 if loader else None, limits.max_depth,
                                   python=True)]) from None
    except yaml.reader.ReaderError as exc:
        character = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        raise CaseError([Problem(f"the file contains a control character (code {character:#x}) that YAML "
                                 "does not allow", file=file,
                                 line=text.count("\n", 0, max(exc.position, 0)) + 1)]) from None
    except yaml.MarkedYAMLError as exc:
        raise CaseError([_syntax_problem(exc, file, include)]) from None
    except yaml.YAMLError as exc:
        raise CaseError([Problem("YAML error" if include else f"YAML error: {exc}", file=file)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        what = "a criteria set" if include else "a case"
        raise CaseError([Problem(f"the file is empty; {what} is a YAML mapping", file=file)])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []
    constructor = _Loader("")
    try:
        data = _build(node, (), lines, problems, constructor, file)
    except RecursionError:
        deepest = next(reversed(lines.values()), None)
        raise CaseError([_too_deep(file, deepest, limits.max_depth, python=True)]) from None
    return YamlDocument(data, lines, file, tuple(problems))


def _check_limits(text: str, file: str | None, limits: _Limits) -> None:
    """Refuse a file that nests too deep or holds too many nodes, before composing any node.

    Counts parse events, which are dropped as they come, so memory stays that of the text. An
    alias counts as every node it repeats (its anchor's expanded size), so an exponential alias
    bomb is refused at the first alias that passes a limit, long before anything is expanded.
    libyaml's parser is about twenty times faster than PyYAML's; where it stops on an error, the
    pure-Python parser counts instead (the two differ on a few corner cases of the grammar), and
    where that stops too the composer reports the error.
    """
    for loader in dict.fromkeys((_EventLoader, _Loader)):
        try:
            _count_nodes(text, file, limits, loader)
        except (yaml.YAMLError, UnicodeError):
            continue
        return


def _count_nodes(text: str, file: str | None, limits: _Limits, loader: type) -> None:
    nodes = aliased = 0
    open_collections: list[tuple[str | None, int]] = []  # (anchor, nodes before it)
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, aliases inside it expanded
    for event in yaml.parse(text, Loader=loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            nodes += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(open_collections) >= limits.max_depth:
                raise CaseError([_too_deep(file, event.start_mark.line + 1, limits.max_depth)])
            open_collections.append((event.anchor, nodes))
            nodes += 1
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            anchor, before = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = nodes - before
        elif kind is yaml.AliasEvent:
            size = sizes.get(event.anchor, 1)  # 1: undefined, or recursive (reported when built)
            nodes += size
            aliased += size
            if aliased > limits.max_alias_nodes:
                raise CaseError([Problem(
                    f"YAML aliases here repeat more than {limits.max_alias_nodes:,} nodes in all (an "
                    "alias bomb?); a case repeats far fewer — "
                    f"{_raise_it('DECIDE_MAX_YAML_ALIAS_NODES', limits.max_alias_nodes)}",
                    file=file, line=event.start_mark.line + 1)])
        else:
            continue
        if nodes > limits.max_nodes:
            raise CaseError([Problem(
                f"the file holds more than {limits.max_nodes:,} YAML nodes (keys, values, lists and "
                "mappings, counting what aliases repeat) by this line; a case needs far fewer — "
                f"{_raise_it('DECIDE_MAX_YAML_NODES', limits.max_nodes)}",
                file=file, line=event.start_mark.line + 1)])


def _too_deep(file: str | None, line: int | None, limit: int, *, python: bool = False) -> Problem:
    if python:  # the limit was raised beyond what Python's stack holds
        return Problem(f"the data is nested too deeply for Python to read (DECIDE_MAX_YAML_DEPTH is {limit:,}); "
                       "a case nests about ten levels — lower DECIDE_MAX_YAML_DEPTH or the nesting",
                       file=file, line=line)
    return Problem(f"the data is nested more than {limit:,} levels deep; a case nests about ten — "
                   f"{_raise_it('DECIDE_MAX_YAML_DEPTH', limit)}", file=file, line=line)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str | None, include: bool = False) -> Problem:
    """Where the parser stopped, what it expected, and where the construct it was reading began.

    For a file a case names (``include``), only where: PyYAML's words may quote the file (an
    alias's name, a character), and that file may not be a criteria set at all.
    """
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    if include:
        return Problem("not valid YAML: the parser stopped on this line (the file's text is not shown, "
                       "as it may not be a criteria set)", file=file, line=line)
    what = str(exc.problem or exc.context or "the text is not valid YAML").removeprefix("but ")
    if exc.problem and exc.context:
        start = exc.context_mark.line + 1 if exc.context_mark is not None else None
        what += f" ({exc.context}" + (f", from line {start})" if start not in (None, line) else ")")
    return Problem(f"YAML syntax error: {what}", file=file, line=line)


def _build(node, path, lines, problems, constructor, file, enclosing=frozenset()):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in enclosing:  # an alias to an enclosing anchor, e.g. `a: &x [*x]`
            problems.append(Problem("this YAML alias refers to a node that contains it; the data would be "
                                    "infinite", _dotted(path), file, node.start_mark.line + 1))
            return None
        enclosing = enclosing | {id(node)}
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                problems.append(Problem("merge keys ('<<') are not supported; write the fields out",
                                        _dotted(path), file, key_node.start_mark.line + 1))
                continue
            if not isinstance(key_node, yaml.ScalarNode):  # never construct a key that could be large
                problems.append(Problem("keys must be plain text", _dotted(path), file,
                                        key_node.start_mark.line + 1))
                continue
            try:
                key = constructor.construct_object(key_node, deep=True)
            except yaml.YAMLError as exc:
                problems.append(Problem(f"cannot read this key: {_reason(exc)}", _dotted(path), file,
                                        key_node.start_mark.line + 1))
                continue
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(Problem("keys must be plain text", _dotted(path), file, key_node.start_mark.line + 1))
                continue
            if key in out:
                problems.append(Problem(
                    f"duplicate key '{key}' (first given on line {lines[path + (key,)]}); "
                    "each key may appear once", _dotted(path + (key,)), file, key_node.start_mark.line + 1))
                continue
            out[key] = _build(value_node, path + (key,), lines, problems, constructor, file, enclosing)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, problems, constructor, file, enclosing)
                for i, item in enumerate(node.value)]
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(Problem(f"cannot read this value: {_reason(exc)}; write plain numbers, text, "
                                "lists and mappings", _dotted(path), file, node.start_mark.line + 1))
        return None


def _reason(exc: yaml.YAMLError) -> str:
    """PyYAML's reason without its multi-line snippet (the Problem gives file and line)."""
    return str(getattr(exc, "problem", None) or exc).strip()


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
                              _dotted(prefix), doc.file, doc.line_of(()))]
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
            where = _dotted(path)
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
        if where and _within(_dotted(path), where):  # e.g. a score reported as broken, now "missing"
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
    limits = _Limits.from_environment()
    try:
        sub = _parse(_read_text(path, limits.max_bytes, include=True), str(path), limits, include=True)
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
