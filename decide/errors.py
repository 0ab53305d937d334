"""Errors and warnings raised by decide.

A user's mistake raises a :class:`DecideError` subclass with a message that names the file,
line and field; the CLI turns it into a one-screen message and a non-zero exit status. Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in a case file."""

    message: str
    """What is wrong, and what would be valid."""
    path: str = ""
    """Field path inside the file, e.g. ``options[3].scores.civilian_harm.low``."""
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or "<case>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class DecideError(Exception):
    """Root of every error decide raises for bad input or an impossible request."""

    exit_code = 1


class CaseError(DecideError, ValueError):
    """A case file (or criteria set) has one or more problems; all are listed at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        # In line order, file by file (files in the order their first problem came), as a reader
        # goes through them; problems without a line keep their order, after the located ones.
        first = {}
        for p in problems:
            first.setdefault(p.file, len(first))
        self.problems = sorted(problems, key=lambda p: (first[p.file], p.line is None, p.line or 0))
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in case:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class SolverError(DecideError, RuntimeError):
    """The optimisation solver failed for a reason other than infeasibility."""


class DecideWarning(UserWarning):
    """Warnings about questionable but valid input (e.g. an inconsistent AHP matrix)."""
