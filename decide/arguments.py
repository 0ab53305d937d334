"""Checks of the arguments of decide's public functions, so a wrong one is named, not a traceback.

Each public function checks its arguments on its first lines with these helpers. A helper takes
the value and the parameter's name, returns the value in the form the function works with (a plain
``int``, a ``tuple`` of ids, a float array), and raises

- :class:`ArgumentTypeError`, a :class:`TypeError`, when the type is wrong (``n_draws="1000"``,
  ``case="mali-2012"``);
- :class:`ArgumentValueError`, a :class:`ValueError`, when the type is right but the value is not
  (``n_draws=0``, ``method="MC"``).

Both are :class:`~decide.errors.DecideError` (as :class:`~decide.errors.CaseError` is), so the
command line prints them as messages; each names the parameter, what was given and what would be
valid. numpy integers are integers and numpy floats are numbers here; ``bool`` is neither.

This module imports nothing of decide's but the errors and the case schema, so every layer may
use it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from decide.errors import DecideError
from decide.spec import Case

__all__ = [
    "ArgumentTypeError",
    "ArgumentValueError",
    "given",
    "require_case",
    "case_reference",
    "path",
    "integer",
    "number",
    "seed",
    "choice",
    "text",
    "flag",
    "ids",
    "callback",
    "float_array",
    "bool_array",
]

T = TypeVar("T")


class ArgumentTypeError(DecideError, TypeError):
    """An argument of a public function has the wrong type."""


class ArgumentValueError(DecideError, ValueError):
    """An argument of a public function has the right type and a value it cannot take."""


def given(value: Any) -> str:
    """What was passed, for a message: its type and a short repr (``str 'mali-2012'``, ``None``)."""
    if value is None:
        return "None"
    if isinstance(value, os.PathLike):
        value = os.fspath(value)  # the type says it is a path; its repr would say so again
    shown = repr(value.item() if isinstance(value, np.generic) else value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{type(value).__name__} {shown}"


def _is_integer(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def require_case(value: Any, name: str, *, arrays: bool = False) -> Case:
    """A loaded :class:`~decide.spec.Case`; a file name or path is refused with what to call instead.

    ``arrays`` only adds "or its CaseArrays" to the message: a function that also takes the
    compiled arrays tests for them itself before calling this (this module imports no numerics).
    """
    if isinstance(value, Case):
        return value
    wanted = "a Case from decide.load_case(...)" + (" or its CaseArrays" if arrays else "")
    if isinstance(value, (str, os.PathLike)):
        raise ArgumentTypeError(f"{name} must be {wanted}, not a case file or name ({given(value)}); "
                                f"pass decide.load_case({os.fspath(value)!r})")
    raise ArgumentTypeError(f"{name} must be {wanted}, not {given(value)}")


def case_reference(value: Any, name: str) -> str | os.PathLike[str]:
    """A case file's path or a bundled case's name (what the report records, with the file's hash)."""
    wanted = "a case file's path or a bundled case's name"
    if isinstance(value, Case):
        raise ArgumentTypeError(f"{name} must be {wanted}, not a loaded Case: the report records the file and "
                                "its hash")
    return path(value, name, what=wanted)


def path(value: Any, name: str, *, what: str = "a path (str or pathlib.Path)") -> str | os.PathLike[str]:
    """A file or directory path: a non-empty ``str`` or an :class:`os.PathLike` (not ``bytes``)."""
    if isinstance(value, str) and value or isinstance(value, os.PathLike) and isinstance(os.fspath(value), str):
        return value
    if isinstance(value, str):
        raise ArgumentValueError(f"{name} must be {what}, not an empty string")
    raise ArgumentTypeError(f"{name} must be {what}, not {given(value)}")


def integer(value: Any, name: str, *, minimum: int | None = 1, maximum: int | None = None) -> int:
    """An ``int`` (or numpy integer) in ``[minimum, maximum]``, returned as a plain ``int``."""
    if not _is_integer(value):
        hint = ""
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            hint = f" (write {int(value)})"
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            hint = f" (write {value.strip()} without quotes)"
        raise ArgumentTypeError(f"{name} must be an integer, not {given(value)}{hint}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ArgumentValueError(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ArgumentValueError(f"{name} must be at most {maximum:,}, not {value:,}")
    return value


def number(value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None,
           above: float | None = None, below: float | None = None) -> float:
    """A finite real number (int, float or numpy scalar; not bool), returned as a ``float``.

    ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` exclusive ones.
    """
    if not _is_number(value):
        raise ArgumentTypeError(f"{name} must be a number, not {given(value)}")
    value = float(value)
    bounds = [f">= {minimum:g}" if minimum is not None else "", f"> {above:g}" if above is not None else "",
              f"<= {maximum:g}" if maximum is not None else "", f"< {below:g}" if below is not None else ""]
    wanted = " and ".join(b for b in bounds if b)
    wanted = f"a finite number {wanted}" if wanted else "a finite number"
    if not (np.isfinite(value)
            and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
            and (above is None or value > above) and (below is None or value < below)):
        raise ArgumentValueError(f"{name} must be {wanted}, not {value:g}")
    return value


def seed(value: T, name: str = "rng") -> T:
    """A seed as the engines take it (see :mod:`decide.seeds`): a non-negative integer, a
    SeedSequence, a Generator, a recorded seed, or None for fresh entropy."""
    from decide.seeds import is_seed_like

    if is_seed_like(value):
        return value
    if _is_integer(value):
        raise ArgumentValueError(f"{name} must be a seed: a non-negative integer, not {int(value)}")
    raise ArgumentTypeError(f"{name} must be a seed: a non-negative integer, a numpy SeedSequence or "
                            f"Generator, a seed recorded in a result, or None for fresh entropy (recorded); "
                            f"not {given(value)}")


def choice(value: Any, name: str, allowed: Iterable[str]) -> str:
    """One of the strings ``allowed`` (a ``str`` enum member counts as its value)."""
    allowed = tuple(allowed)
    shown = ", ".join(repr(a) for a in allowed)
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be one of {shown}, not {given(value)}")
    if value not in allowed:
        raise ArgumentValueError(f"{name} must be one of {shown}, not {value!r}")
    return value


def text(value: Any, name: str, *, optional: bool = False, what: str = "a string") -> str | None:
    """A ``str`` (or None when ``optional``); what it may say is the caller's to check."""
    if isinstance(value, str) or (optional and value is None):
        return value
    raise ArgumentTypeError(f"{name} must be {what}{' or None' if optional else ''}, not {given(value)}")


def flag(value: Any, name: str) -> bool:
    """``True`` or ``False`` (numpy booleans too); not a string like ``"no"``, nor 0 or 1."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ArgumentTypeError(f"{name} must be True or False, not {given(value)}")


def ids(value: Any, name: str, *, what: str = "option ids") -> tuple[str, ...]:
    """Ids as a tuple: one ``str``, or a list, tuple or set of them (not a mapping)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)) and not isinstance(value, Mapping):
        items = list(value.tolist() if isinstance(value, np.ndarray) else value)
        wrong = [item for item in items if not isinstance(item, str)]
        if not wrong:
            return tuple(items)
        raise ArgumentTypeError(f"{name} must be {what} (strings), but holds {given(wrong[0])}")
    raise ArgumentTypeError(f"{name} must be a list of {what}, not {given(value)}")


def callback(value: T, name: str) -> T:
    """None or something callable."""
    if value is None or callable(value):
        return value
    raise ArgumentTypeError(f"{name} must be a function or None, not {given(value)}")


def float_array(value: Any, name: str, *, min_ndim: int = 0, what: str = "numbers") -> NDArray[np.float64]:
    """``value`` as a float array, refusing what only numpy would read as numbers.

    Asked for floats, numpy turns ``None`` into NaN and ``"2"`` into 2.0; an argument of numbers
    should say neither.
    """
    raw = _array(value, name, what)
    if raw.dtype.kind == "O":
        numeric = all(_is_number(x) or isinstance(x, (bool, np.bool_)) for x in raw.flat)
    else:
        numeric = raw.dtype.kind in "biuf"
    if not numeric:
        raise ArgumentTypeError(f"{name} must be an array of {what}, not {given(value)}")
    array = raw.astype(float, copy=False)
    if array.ndim < min_ndim:
        raise ArgumentValueError(f"{name} must have at least {min_ndim} dimension{'s' if min_ndim > 1 else ''}, "
                                 f"got shape {array.shape}")
    return array


def bool_array(value: Any, name: str, *, what: str = "booleans") -> NDArray[np.bool_]:
    """``value`` as a boolean array: booleans, or the integers 0 and 1; not strings or other numbers."""
    raw = _array(value, name, what)
    if raw.dtype.kind == "b":
        return raw
    if raw.dtype.kind in "iu" and np.all((raw == 0) | (raw == 1)):
        return raw.astype(bool)
    raise ArgumentTypeError(f"{name} must be an array of {what}, not {given(value)}")


def _array(value: Any, name: str, what: str) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes, Mapping)):
        raise ArgumentTypeError(f"{name} must be an array of {what}, not {given(value)}")
    try:
        return np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ArgumentValueError(f"{name} must be a rectangular array of {what}, not {given(value)}") from None
