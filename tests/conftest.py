"""Shared fixtures: the minimal case, and helpers that write mutated copies of it to ``tmp_path``.

Mutations edit the YAML *text* (exact, unique replacements), so the tests can say on which line
of the written file each problem must be reported: :func:`line_of` finds it by content.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

# CI runs the property tests on a fixed set of examples (.ci/run sets HYPOTHESIS_PROFILE=ci), so
# that a landing does not depend on the luck of the draw; runs elsewhere keep exploring.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

DATA = Path(__file__).parent / "data"
MINIMAL_CASE = DATA / "minimal_case.yaml"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` that contains ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    if len(hits) < nth:
        raise AssertionError(f"{needle!r} occurs on {len(hits)} lines, wanted occurrence {nth}")
    return hits[nth - 1]


def replace_once(text: str, old: str, new: str) -> str:
    """``text`` with its single occurrence of ``old`` replaced (fails loudly if not exactly one)."""
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"{old!r} occurs {count} times in the case text; the mutation needs exactly one")
    return text.replace(old, new)


@pytest.fixture(name="line_of")
def line_of_fixture() -> Callable[..., int]:
    """:func:`line_of` as a fixture (test modules do not import conftest)."""
    return line_of


@pytest.fixture
def minimal_case_path() -> Path:
    """The bundled test case, read-only: tests that change it write a copy."""
    return MINIMAL_CASE


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL_CASE.read_text(encoding="utf-8")


@pytest.fixture
def minimal_data() -> dict[str, Any]:
    """The minimal case as plain Python data (a fresh copy per test)."""
    return copy.deepcopy(yaml.safe_load(MINIMAL_CASE.read_text(encoding="utf-8")))


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """Write a case to ``tmp_path``: YAML text as is, or data dumped as YAML.

    ``write_case(text)`` / ``write_case(data, name="other.yaml")`` returns the file's path.
    """

    def write(content: str | dict[str, Any] | list[Any], name: str = "case.yaml") -> Path:
        path = tmp_path / name
        if not isinstance(content, str):
            content = yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def mutate_case(minimal_text: str, write_case: Callable[..., Path]) -> Callable[..., tuple[Path, str]]:
    """Apply exact text replacements ``(old, new), ...`` to the minimal case and write it.

    Returns ``(path, text)`` so a test can find lines in the text it wrote.
    """

    def mutate(*replacements: tuple[str, str], name: str = "case.yaml") -> tuple[Path, str]:
        text = minimal_text
        for old, new in replacements:
            text = replace_once(text, old, new)
        return write_case(text, name), text

    return mutate


@pytest.fixture
def point_probability() -> Callable[..., Any]:
    """``point_probability(arrays, q, p)``: the compiled case with question q's probability a point
    at p (the reference a question's answer is set against: every draw's probability is p)."""
    from dataclasses import replace

    import numpy as np

    from decide.compile import PROB_POINT

    def with_point(arrays: Any, q: int, p: float) -> Any:
        kind = np.array(arrays.probability_kind, copy=True)
        params = np.array(arrays.probability_params, dtype=float, copy=True)
        central = np.array(arrays.probability_central, dtype=float, copy=True)
        kind[q], params[q], central[q] = PROB_POINT, (p, p), p
        return replace(arrays, probability_kind=kind, probability_params=params, probability_central=central)

    return with_point
