"""Case files as YAML: text -> mapping with the line of every value, within bounds.

:func:`read_yaml` and :func:`parse_yaml_text` give a :class:`YamlDocument`: the data, the line of
each field path (from PyYAML's node marks), and the problems met while reading (syntax, sizes,
depths, anchors), each with its file and line. :mod:`decide.load` validates what they give.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from decide.errors import CaseError, DecideError, Problem

__all__ = ["YamlDocument", "Limits", "read_yaml", "parse_yaml_text", "read_text", "parse_document", "dotted"]


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
class Limits:
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
    def from_environment(cls) -> Limits:
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
    limits = Limits.from_environment()
    return parse_document(read_text(Path(path), limits.max_bytes), str(path), limits)


def read_text(path: Path, max_bytes: int, *, include: bool = False) -> str:
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
    return parse_document(text, file, Limits.from_environment())


def _compose_fast(text: str) -> yaml.Node | None:
    """The document's node tree composed by libyaml (about 10 times faster than PyYAML's Python
    composer: a quarter of a second on the Mali case), or None when libyaml is missing or finds
    anything wrong; the Python composer then reads the file again for its clearer messages."""
    if _EventLoader is _Loader:
        return None
    loader = _EventLoader(text)
    try:
        return loader.get_single_node()
    except Exception:  # noqa: BLE001 - any failure is diagnosed by the pure-Python composer
        return None
    finally:
        loader.dispose()


def parse_document(text: str, file: str | None, limits: Limits, *, include: bool = False) -> YamlDocument:
    if len(text) > limits.max_bytes:
        raise CaseError([_too_large(file, limits.max_bytes)])
    nul = text.find("\0")
    if nul >= 0:
        raise CaseError([Problem("the file contains a NUL byte (character code 0); a case is plain UTF-8 "
                                 "text (is this a binary or UTF-16 file?)", file=file,
                                 line=text.count("\n", 0, nul) + 1)])
    _check_limits(text, file, limits)
    node = _compose_fast(text)
    loader = None
    try:
        if node is None:
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


def _check_limits(text: str, file: str | None, limits: Limits) -> None:
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


def _count_nodes(text: str, file: str | None, limits: Limits, loader: type) -> None:
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
                                    "infinite", dotted(path), file, node.start_mark.line + 1))
            return None
        enclosing = enclosing | {id(node)}
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                problems.append(Problem("merge keys ('<<') are not supported; write the fields out",
                                        dotted(path), file, key_node.start_mark.line + 1))
                continue
            if not isinstance(key_node, yaml.ScalarNode):  # never construct a key that could be large
                problems.append(Problem("keys must be plain text", dotted(path), file,
                                        key_node.start_mark.line + 1))
                continue
            try:
                key = constructor.construct_object(key_node, deep=True)
            except yaml.YAMLError as exc:
                problems.append(Problem(f"cannot read this key: {_reason(exc)}", dotted(path), file,
                                        key_node.start_mark.line + 1))
                continue
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(Problem("keys must be plain text", dotted(path), file, key_node.start_mark.line + 1))
                continue
            if key in out:
                problems.append(Problem(
                    f"duplicate key '{key}' (first given on line {lines[path + (key,)]}); "
                    "each key may appear once", dotted(path + (key,)), file, key_node.start_mark.line + 1))
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
                                "lists and mappings", dotted(path), file, node.start_mark.line + 1))
        return None


def _reason(exc: yaml.YAMLError) -> str:
    """PyYAML's reason without its multi-line snippet (the Problem gives file and line)."""
    return str(getattr(exc, "problem", None) or exc).strip()


def dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
