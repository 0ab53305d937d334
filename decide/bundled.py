"""Bundled criteria sets and cases, found by name from any folder.

In an installed wheel they live in ``decide/_bundled/``; in a source checkout, in the top-level
``criteria/`` and ``cases/`` folders beside the package.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _folder(kind: str) -> Path:
    installed = _PACKAGE / "_bundled" / kind
    return installed if installed.is_dir() else _PACKAGE.parent / kind


def bundled_cases() -> dict[str, Path]:
    """Name -> path of every bundled case."""
    return {p.stem: p for p in sorted(_folder("cases").glob("*.yaml"))}


def bundled_criteria() -> dict[str, Path]:
    """Name -> path of every bundled criteria set."""
    return {p.stem: p for p in sorted(_folder("criteria").glob("*.yaml"))}


def resolve_case(ref: str | Path) -> Path:
    """A path to a case file as given, or a bundled case's path when ``ref`` names one."""
    path = Path(ref)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return path
    return bundled_cases().get(str(ref), path)


def resolve_criteria(ref: str, base_dir: str | Path | None = None,
                     allow_paths: Iterable[str | Path] = ()) -> Path:
    """Resolve a case's ``criteria:`` reference to the file to read.

    ``ref`` is a bundled set's name, or a path relative to ``base_dir`` (the case's folder;
    default the current folder) or absolute. A path is allowed only if, once symbolic links and
    ``..`` are resolved, it lies under ``base_dir`` or one of ``allow_paths``, and is a regular
    file: the file a case names may be written by someone else, and must not make decide read
    ``/dev/zero``, block on a FIFO or quote a file from elsewhere. The checks use ``stat``, never
    ``open``. Returns the resolved path; raises :class:`LookupError` saying why a path is refused.
    """
    known = bundled_criteria()
    if ref in known:
        return known[ref]
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    try:
        path = Path(os.path.realpath(base / ref))  # base / an absolute ref is the ref
        roots = [Path(os.path.realpath(folder)) for folder in (base, *allow_paths)]
    except (OSError, ValueError) as exc:
        raise LookupError(f"criteria {ref!r} is not a usable path ({exc})") from None
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(root) for root in roots)
        folders = "the case's folder and the allowed folders" if allow_paths else "the case's folder"
        raise LookupError(
            f"criteria file {ref!r} is outside {folders} ({allowed}), once symbolic links and '..' "
            "are followed; a case may name a bundled "
            f"criteria set ({_names(known)}) or a file under its own folder. To use a file elsewhere, "
            "allow its folder explicitly (decide --allow-path FOLDER; allow_paths= in load_case)")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise LookupError(f"unknown criteria set {ref!r}: not a bundled set ({_names(known)}) nor an "
                          "existing file") from None
    except (OSError, ValueError) as exc:
        raise LookupError(f"cannot read criteria file {ref!r}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise LookupError(f"criteria file {ref!r} is {_kind(info.st_mode)}, not a regular file; refused "
                          "without reading it")
    return path


def _names(known: dict[str, Path]) -> str:
    return ", ".join(known) or "none"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
