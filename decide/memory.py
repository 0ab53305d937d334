"""Refuse, before starting, work whose memory grows with a count the user chose.

A typo such as ``-S 1000000`` should be a message with the estimate, not a machine out of memory
an hour later. Estimates are measured peaks on the bundled case, scaled by the case's size; they
are deliberately rough (within a factor of two) and only refuse what clearly cannot fit.
"""

from __future__ import annotations

import os

from decide.errors import DecideError

__all__ = ["available_bytes", "check_fits"]

_USABLE = 0.8  # of the memory available now: leave room for everything else running


def available_bytes() -> int | None:
    """Memory available to a new allocation (Linux's MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(needed: float, what: str, fewer: str, per_unit: float) -> None:
    """Raise :class:`DecideError` if ``needed`` bytes would not fit in the memory available.

    ``what`` names the work ("1,000,000 scenarios"), ``fewer`` the knob ("scenarios (-S)") and
    ``per_unit`` the bytes each unit of it costs, to suggest how many would fit.
    """
    available = available_bytes()
    if available is None or needed <= _USABLE * available:
        return
    fits = int(_USABLE * available // per_unit) if per_unit > 0 else 0
    raise DecideError(f"{what} would need about {needed / 2**30:.1f} GiB of memory (an estimate), and "
                      f"{available / 2**30:.1f} GiB is available; use fewer {fewer}, at most about {fits:,}")
