"""Bundled criteria sets and cases, found by name from any folder.

In an installed wheel they live in ``decide/_bundled/``; in a source checkout, in the top-level
``criteria/`` and ``cases/`` folders beside the package.
"""

from __future__ import annotations

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


def resolve_criteria(ref: str, base_dir: str | Path | None = None) -> Path:
    """Resolve a case's ``criteria:`` reference: a bundled name or a path relative to the case."""
    known = bundled_criteria()
    if ref in known:
        return known[ref]
    path = Path(ref)
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    if path.exists():
        return path
    names = ", ".join(known) or "none"
    raise LookupError(f"unknown criteria set {ref!r}: not a bundled set ({names}) nor an existing file")
