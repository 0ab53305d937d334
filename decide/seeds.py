"""The seed policy: what ``rng=`` accepts, what a result records, and the command line's default.

Every stochastic function of decide takes a keyword ``rng`` and resolves it here, once:

- an integer ``>= 0`` seeds the run;
- ``None`` (the default of every library function) draws fresh entropy from the operating system;
- a :class:`numpy.random.Generator` gives one integer seed, drawn from it;
- a :class:`numpy.random.SeedSequence` is used as it is (spawned children included);
- a :class:`SeedRecord` (what a result recorded for a spawned sequence) rebuilds that sequence.

Whatever was passed, the result records the seed it ran from (:attr:`seed`), an integer or a
:class:`SeedRecord`, and passing that record back as ``rng`` reruns it exactly. The command line
and ``decide report`` have a fixed default instead, :data:`DEFAULT_SEED`, stated only here, so a
command gives the same numbers every time it is typed; ``rng=decide.DEFAULT_SEED`` reproduces
them from Python.

This module imports only numpy, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypedDict, Union

import numpy as np

from decide.errors import DecideError

__all__ = ["DEFAULT_SEED", "SeedLike", "SeedRecord", "Seed", "resolve_seed", "record", "is_seed_like"]

DEFAULT_SEED: Final = 20121
"""The seed of ``decide simulate``, ``decide report`` and ``decide strategies`` when ``--seed``
is not given (2012, the year of the crisis, and 1: the first run)."""


class SeedRecord(TypedDict):
    """A seed sequence that is not a plain integer seed: a spawned child, or list entropy."""

    entropy: int | list[int]
    spawn_key: list[int]


Seed = Union[int, SeedRecord]
"""What a result records as its seed: pass it back as ``rng`` to rerun exactly."""

SeedLike = Union[int, np.integer, np.random.SeedSequence, np.random.Generator, SeedRecord, None]
"""What ``rng=`` accepts."""

_WANTED = ("a non-negative integer, a numpy SeedSequence or Generator, a recorded seed "
           "({'entropy': ..., 'spawn_key': [...]}) or None for fresh entropy")


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _entropy_ok(entropy: object) -> bool:
    if _is_integer(entropy):
        return int(entropy) >= 0
    return isinstance(entropy, (list, tuple)) and bool(entropy) and all(
        _is_integer(e) and int(e) >= 0 for e in entropy)


def _is_record(value: object) -> bool:
    return (isinstance(value, Mapping) and set(value) == {"entropy", "spawn_key"} and _entropy_ok(value["entropy"])
            and isinstance(value["spawn_key"], (list, tuple))
            and all(_is_integer(k) and int(k) >= 0 for k in value["spawn_key"]))


def is_seed_like(value: object) -> bool:
    """Whether ``rng=value`` is accepted (a negative integer, a float or a bool is not)."""
    if value is None or isinstance(value, (np.random.SeedSequence, np.random.Generator)):
        return True
    if _is_integer(value):
        return int(value) >= 0
    return _is_record(value)


def record(root: np.random.SeedSequence) -> Seed:
    """The seed to record for a run from ``root``: its integer entropy, or a :class:`SeedRecord`."""
    entropy = root.entropy
    if not root.spawn_key and _is_integer(entropy):
        return int(entropy)
    return SeedRecord(entropy=int(entropy) if _is_integer(entropy) else [int(e) for e in entropy],
                      spawn_key=[int(k) for k in root.spawn_key])


def resolve_seed(rng: SeedLike) -> tuple[np.random.SeedSequence, Seed]:
    """The root seed sequence of a run and the seed to record so the run can be repeated.

    Examples
    --------
    >>> root, seed = resolve_seed(7)
    >>> seed, root.entropy
    (7, 7)
    >>> child = np.random.SeedSequence(7).spawn(2)[1]
    >>> resolve_seed(child)[1]
    {'entropy': 7, 'spawn_key': [1]}
    >>> again, _ = resolve_seed(resolve_seed(child)[1])
    >>> bool((again.generate_state(4) == child.generate_state(4)).all())
    True
    >>> _, fresh = resolve_seed(None)
    >>> resolve_seed(fresh)[1] == fresh
    True
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng, record(rng)
    if isinstance(rng, np.random.Generator):
        seed = int(rng.integers(2**63))
        return np.random.SeedSequence(seed), seed
    if rng is None:
        root = np.random.SeedSequence()
        return root, record(root)
    if _is_integer(rng) and int(rng) >= 0:
        return np.random.SeedSequence(int(rng)), int(rng)
    if _is_record(rng):
        entropy = rng["entropy"]
        entropy = int(entropy) if _is_integer(entropy) else [int(e) for e in entropy]
        root = np.random.SeedSequence(entropy, spawn_key=tuple(int(k) for k in rng["spawn_key"]))
        return root, record(root)
    raise DecideError(f"the seed must be {_WANTED}; not {rng!r} ({type(rng).__name__})")
