"""The command line's cache of loaded cases: a case file read, checked and validated once.

Reading the Mali case (97 kB of YAML, every field's line recorded, then validated and checked)
takes about a tenth of a second of a ``decide score`` whose whole budget is 0.8 s (issue 18).
A case that loads without a problem is kept, pickled, in the user's cache folder
(``DECIDE_CACHE_DIR``, else ``$XDG_CACHE_HOME/decide`` or ``~/.cache/decide``) under a key made of
everything the result depends on: the case file's bytes, the criteria file it names (its path
and bytes, checked again at each use), the allowed folders, the YAML limits' environment
variables, and the sources of the modules that read and check a case (their names, sizes and
modification times) with the Python and pydantic versions. Anything unexpected -- a missing,
unreadable or stale entry, a folder that cannot be written -- and the case is read as
:func:`decide.load.load_case` reads it; a case with problems is never cached, so its messages
are always the reader's own. ``DECIDE_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["load_case_cached", "cache_folder"]

_PACKAGE = Path(__file__).resolve().parent
_SOURCES = ("spec.py", "spec_base.py", "spec_scores.py", "load.py", "yaml_source.py", "checks.py", "structure.py",
            "weighting.py", "bundled.py", "errors.py", "arguments.py", "case_cache.py")
_FORMAT = 1


def cache_folder() -> Path:
    """Where decide keeps what it may recompute (cases read, Sobol' point sets)."""
    given = os.environ.get("DECIDE_CACHE_DIR")
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "decide"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _code_stamp() -> str:
    import pydantic

    parts = [f"{_FORMAT}", sys.version, pydantic.VERSION]
    for name in _SOURCES:
        info = os.stat(_PACKAGE / name)
        parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    parts += [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("DECIDE_MAX_YAML")]
    return _digest("\n".join(parts).encode())


def _key(case_bytes: bytes, path: Path, allow_paths: Iterable[Path]) -> str:
    folders = "\n".join(os.path.realpath(p) for p in allow_paths)
    return _digest(b"\0".join([case_bytes, os.path.realpath(path).encode(), folders.encode(),
                               _code_stamp().encode()]))


def load_case_cached(case_ref: str | Path, *, allow_paths: Iterable[Path] = ()) -> Any:
    """:func:`decide.load.load_case`, served from the cache when nothing it depends on changed."""
    from decide import bundled

    allow_paths = tuple(allow_paths)
    resolved = bundled.resolve_case(str(case_ref))
    if os.environ.get("DECIDE_NO_CACHE") or not resolved.is_file():
        return _load(case_ref, allow_paths)
    try:
        case_bytes = resolved.read_bytes()
        entry = cache_folder() / "cases" / f"{_key(case_bytes, resolved, allow_paths)}.pickle"
        with open(entry, "rb") as handle:
            stored = pickle.load(handle)
        if all(_digest(Path(p).read_bytes()) == d for p, d in stored["depends_on"]):
            return stored["case"]
    except Exception:  # noqa: BLE001 - any trouble with the cache: read the case as usual
        pass
    case, depends_on = _load_with_dependencies(resolved, allow_paths)
    try:
        folder = cache_folder() / "cases"
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{os.getpid()}.partial"
        with open(partial, "wb") as handle:
            pickle.dump({"case": case, "depends_on": depends_on}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, folder / f"{_key(case_bytes, resolved, allow_paths)}.pickle")
    except Exception:  # noqa: BLE001 - an unwritable cache only costs time
        pass
    return case


def _load(case_ref: str | Path, allow_paths: tuple[Path, ...]) -> Any:
    from decide.load import load_case

    return load_case(case_ref, allow_paths=allow_paths)


def _load_with_dependencies(resolved: Path, allow_paths: tuple[Path, ...]) -> tuple[Any, list[tuple[str, str]]]:
    """Load as load_case does, and name the criteria file the case read (with its digest)."""
    from decide import bundled
    from decide.load import load_case, read_yaml

    case = load_case(resolved, allow_paths=allow_paths)
    depends_on = []
    reference = read_yaml(resolved).data.get("criteria")
    if isinstance(reference, str):
        path = bundled.resolve_criteria(reference, resolved.parent, [Path(p) for p in allow_paths])
        depends_on.append((str(path), _digest(Path(path).read_bytes())))
    return case, depends_on
