"""The output directory of a report: decide replaces only what decide wrote.

A report is written into a fresh hidden sibling directory and swapped into place, so a reader
never sees half a report. An existing directory is replaced only if it is empty or carries
decide's manifest (:data:`MANIFEST`: every file decide wrote, with its SHA-256) and holds nothing
else, unchanged; anything the user put there or edited makes the write refuse, naming it. The
case's own folder, the working directory and their ancestors are refused outright.

Hidden siblings are named ``.<dir>.decide-<kind>.<pid>.<random>``: a run killed with SIGKILL
leaves one behind, and the next run into the same directory removes those whose process is gone.
The swap happens under an advisory lock on the parent directory; a run that finds the report
replaced by another run since it started keeps the other's report and says so.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from decide.errors import DecideError

__all__ = ["MANIFEST", "check_output_dir", "write_atomically"]

MANIFEST = ".decide-manifest.json"
"""Written last into every report directory: the files of the report and their hashes."""
_PARTIAL = ".decide-partial"  # marks a hidden sibling as decide's own scratch directory
_NAMED_LIMIT = 5  # files named in a refusal


def write_atomically(out_dir: str | Path, fill: Callable[[Path], None], *,
                     protect: Iterable[str | Path] = ()) -> Path:
    """Call ``fill(tmp)`` to write into a fresh sibling directory, then swap it into ``out_dir``.

    ``out_dir`` must be new, empty, or a report decide wrote and nobody changed since; a folder
    that holds any path in ``protect`` (the case file) or the working directory is refused. If
    ``fill`` fails (including a full disk), nothing is left behind and the old report is intact.
    """
    out_dir = check_output_dir(out_dir, protect)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DecideError(f"cannot create {parent}: {exc.strerror}") from None
    _remove_stale(parent, out_dir.name)
    before = _owned_state(out_dir)  # refuses a directory that is not decide's
    tmp = _scratch(parent, out_dir.name, "tmp")
    try:
        try:
            fill(tmp)
            _write_manifest(tmp)
        except OSError as exc:
            raise DecideError(f"writing the report into {out_dir} failed: {_reason(exc)}; "
                              "the previous report (if any) is unchanged") from None
        os.chmod(tmp, 0o755)
        (tmp / _PARTIAL).unlink()
        with _locked(parent):
            if _owned_state(out_dir, check=False) != before:
                raise DecideError(f"another decide run wrote {out_dir} while this one was running; "
                                  "its report is kept. Run again to replace it.")
            _swap(tmp, out_dir, parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def check_output_dir(out_dir: str | Path, protect: Iterable[str | Path] = ()) -> Path:
    """Refuse, before any work, an output directory a report may not replace; its absolute path."""
    out_dir = Path(os.path.abspath(out_dir))
    _refuse_protected(out_dir, protect)
    if out_dir.exists() and not out_dir.is_dir():
        raise DecideError(f"{out_dir} exists and is not a directory; choose another output directory")
    _owned_state(out_dir)
    return out_dir


def _refuse_protected(out_dir: Path, protect: Iterable[str | Path]) -> None:
    real = Path(os.path.realpath(out_dir))
    for path in protect:
        folder = Path(os.path.realpath(path)).parent
        if folder == real or real in folder.parents:
            raise DecideError(f"{out_dir} holds the case file {path}; a report replaces its whole "
                              "directory, so choose a new folder for it, e.g. -o report")
    cwd = Path(os.path.realpath(os.getcwd()))
    if cwd == real or real in cwd.parents:
        raise DecideError(f"{out_dir} is the working directory (or holds it); a report replaces its "
                          "whole directory, so choose a new folder for it, e.g. -o report")


def _owned_state(out_dir: Path, check: bool = True) -> str | None:
    """The manifest text of a directory decide may replace (None: absent or empty).

    With ``check``, refuse a directory holding anything decide did not write or that was
    changed since.
    """
    if not out_dir.is_dir():
        return None
    entries = sorted(p.name for p in out_dir.iterdir())
    if not entries:
        return None
    manifest_path = out_dir / MANIFEST
    try:
        text = manifest_path.read_text(encoding="utf-8")
        listed = json.loads(text)["files"]
        assert isinstance(listed, dict)
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        if not check:
            return "?"
        raise DecideError(_refusal(out_dir, entries, "it was not written by decide")) from None
    if not check:
        return text
    foreign = [name for name in entries if name != MANIFEST and name not in listed]
    changed = [name for name in entries if name in listed and _hash(out_dir / name) != listed[name]]
    if foreign:
        raise DecideError(_refusal(out_dir, foreign, "decide did not write"))
    if changed:
        raise DecideError(_refusal(out_dir, changed, "were changed since decide wrote them"))
    return text


def _refusal(out_dir: Path, names: list[str], why: str) -> str:
    shown = ", ".join(names[:_NAMED_LIMIT]) + (f" and {len(names) - _NAMED_LIMIT} more"
                                                 if len(names) > _NAMED_LIMIT else "")
    return (f"{out_dir} is not an empty folder or an unchanged decide report, so it is left as it is "
            f"({shown}: {why}). Choose a new output folder, or move those files away.")


def _hash(path: Path) -> str | None:
    if not path.is_file() or path.is_symlink():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(tmp: Path) -> None:
    from decide import __version__

    files = {p.name: _hash(p) for p in sorted(tmp.iterdir()) if p.name != _PARTIAL}
    nested = [name for name, digest in files.items() if digest is None]
    if nested:  # a report is flat; a folder inside could not be checked before replacing it
        raise RuntimeError(f"report wrote non-files {nested}")
    (tmp / MANIFEST).write_text(json.dumps({"written_by": f"decide {__version__}", "files": files},
                                           indent=1), encoding="utf-8")


def _scratch(parent: Path, name: str, kind: str) -> Path:
    try:
        path = Path(tempfile.mkdtemp(prefix=f".{name}.decide-{kind}.{os.getpid()}.", dir=parent))
        (path / _PARTIAL).touch()
    except OSError as exc:
        raise DecideError(f"cannot write next to {parent / name}: {_reason(exc)}") from None
    return path


def _swap(tmp: Path, out_dir: Path, parent: Path) -> None:
    try:
        if out_dir.exists():
            old = _scratch(parent, out_dir.name, "old")
            os.replace(out_dir, old / "report")
            try:
                os.replace(tmp, out_dir)
            except OSError:
                os.replace(old / "report", out_dir)  # put the old report back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except OSError as exc:
        raise DecideError(f"cannot replace {out_dir}: {_reason(exc)}; the previous report is "
                          "unchanged") from None


def _remove_stale(parent: Path, name: str) -> None:
    """Remove hidden scratch siblings of ``name`` left by runs that were killed."""
    pattern = re.compile(rf"\.{re.escape(name)}\.decide-(tmp|old)\.(\d+)\.")
    try:
        siblings = list(parent.iterdir())
    except OSError:
        return
    for path in siblings:
        match = pattern.match(path.name)
        if match and path.is_dir() and not path.is_symlink() and not _alive(int(match.group(2))):
            if match.group(1) == "old" or (path / _PARTIAL).exists():
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _locked(parent: Path):
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks, the swap itself still refuses a clash
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or str(exc)
