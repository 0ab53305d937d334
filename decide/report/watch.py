"""Rewrite a report each time its case file changes: the loop behind ``decide report --watch``.

While an analyst edits a case, the process stays up, so each new report costs only its analyses
and charts, not Python's start-up and the imports of the scientific stack (about 4 s here).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["watch"]


def watch(
    path: str | Path,
    on_change: Callable[[], None],
    *,
    interval: float = 0.5,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call ``on_change()`` now and after every change of the file at ``path``; return the number
    of calls once ``stop()`` is true.

    A change is a new modification time, size or inode (editors that save by renaming a new file
    over the old one change the inode). While the file is missing, as during such a save, nothing
    is called.
    """
    last: tuple[int, int, int] | None = None
    calls = 0
    while not stop():
        try:
            info = os.stat(path)
        except FileNotFoundError:
            sleep(interval)
            continue
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        if stamp != last:
            last = stamp
            on_change()
            calls += 1
        sleep(interval)
    return calls
