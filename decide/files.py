"""Writing a user's output file whole or not at all, and never over a file unasked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from decide.errors import DecideError

__all__ = ["replace_file"]


def replace_file(path: str | Path, fill: Callable[[str], None], *, overwrite: bool = False) -> Path:
    """Write ``path`` by ``fill(temporary sibling)`` and a rename, so that a reader never sees half a
    file; an existing file is replaced only with ``overwrite`` (nothing the user wrote is changed
    unasked). Problems are :class:`DecideError` naming the path."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise DecideError(f"{path} exists; choose another name, or pass --force to replace it")
    if path.is_dir():
        raise DecideError(f"{path} is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DecideError(f"cannot write {path}: no folder {folder}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        fill(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise DecideError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
