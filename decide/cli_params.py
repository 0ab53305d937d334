"""Command-line parameter types shared by the commands."""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["Count", "COUNT"]


class Count(click.ParamType):
    """A positive whole number as people write large ones: ``100000``, ``100_000``, ``100,000``
    or ``1e5`` (scientific notation only where it is a whole number)."""

    name = "count"

    def __init__(self, minimum: int = 1) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip().replace("_", "").replace(",", "")
            try:
                number = int(text)
            except ValueError:
                try:
                    as_float = float(text)
                except ValueError:
                    self.fail(f"{value!r} is not a whole number (write 100000, 100_000, 100,000 or 1e5)", param, ctx)
                if not math.isfinite(as_float) or as_float != int(as_float):
                    self.fail(f"{value!r} is not a whole number", param, ctx)
                number = int(as_float)
        if number < self.minimum:
            self.fail(f"{value!r} is less than {self.minimum}", param, ctx)
        return number

    def __repr__(self) -> str:
        return f"Count(minimum={self.minimum})"


COUNT = Count(1)
"""Counts of one or more (draws, scenarios, strategies shown)."""
