"""The case format's building blocks: limits, annotated number and text types, the frozen base model, evidence.

:mod:`decide.spec` and :mod:`decide.spec_scores` build on these; :mod:`decide.spec` re-exports
every name here. It imports no numerics.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

__all__ = ["FORMAT_VERSION", "Id", "MAX_MAGNITUDE", "MIN_SCALE_RESOLUTION", "MAX_PERT_SHAPE", "BETA_PARAMETER_RANGE",
           "TRUNCNORMAL_MAX_SDS_OUTSIDE", "TRUNCNORMAL_MAX_SD_WIDTHS", "size_text", "pert_shape", "Finite",
           "NonNegative", "Positive", "BetaParameter", "Probability", "Text", "Frozen", "Evidence"]

FORMAT_VERSION = 1

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64),
    Field(description="An identifier: a letter, then letters, digits, '_' or '-'."),
]
MAX_MAGNITUDE = 1e15
"""The largest size of a number a case gives (outcomes, scale ends, sds, weights, amounts, odds
ratios). Up to it a double holds whole units exactly (exact integers end at 2**53, about 9.0e15),
and the engines' squares, sums and products of such numbers stay far from overflow; 1e308 passed
as a mean or an sd crashed ``score`` and ``report``. A larger number is better given in a larger
unit (thousands, millions)."""
MIN_SCALE_RESOLUTION = 1e-9
"""A scale's width must be at least this fraction of the size of its ends: values are computed
from ``(x - low) / (high - low)``, exact then to 2e-7 of the scale (a scale [1e15, 1e15 + 1]
would give values in steps of an eighth)."""
MAX_PERT_SHAPE = 20.0
"""The largest PERT shape: up to it the engines' tabulated Beta inverse CDFs stay within 0.5% of
the distribution's own sd between its 0.1% and 99.9% quantiles and within 3e-3 of the range
everywhere (measured; a test checks 20); beyond about 50 they pass 1%, and by 1e20 the tables
fail (NaN draws, exit 0). Vose's default is 4."""
BETA_PARAMETER_RANGE = (0.01, 1e6)
"""Bounds of a Beta probability's ``alpha`` and ``beta``: inside them the tabulated Beta inverse
CDF keeps its mean within 0.5% of the sd (measured; a test checks the corners); at 0.001 building
a table can overflow (a traceback), and from about 1e17 draws come from the wrong end."""
TRUNCNORMAL_MAX_SDS_OUTSIDE = 100.0
"""How far (in sd) a truncated normal's mean may lie outside [low, high]. Beyond it the whole
distribution sits within ``sd / 100`` of one bound, almost surely a slip (an sd in the wrong
unit), and the truncated mean that ``score`` uses (SciPy's) loses precision: within it, and with
:data:`TRUNCNORMAL_MAX_SD_WIDTHS`, it is exact to 1e-9 of the width (measured against
quadrature). The sampler itself draws any distance correctly
(:func:`decide.montecarlo.distributions.truncnormal_ppf`)."""
TRUNCNORMAL_MAX_SD_WIDTHS = 100.0
"""A truncated normal's sd may be at most this many times ``high - low``: a wider normal is flat on
[low, high] (a uniform), and beyond it the truncated mean loses precision (at 1e9 times SciPy's
is off by a tenth of the width)."""


def size_text(value: float) -> str:
    """A computed number, to three digits."""
    return f"{value:.3g}"


def _within_magnitude(value: float) -> float:
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(
            f"{value!r} is too large: numbers in a case are at most {MAX_MAGNITUDE:g} in size "
            "(decide computes in double precision, exact to whole units up to there); "
            "give it in a larger unit, e.g. thousands or millions")
    return value


def _beta_parameter(value: float) -> float:
    low, high = BETA_PARAMETER_RANGE
    if not low <= value <= high:
        raise ValueError(
            f"must be from {low:g} to {high:g} (given: {value!r}): decide draws Beta probabilities "
            f"from tables that are accurate in that range; {low:g} already puts most of the mass at "
            f"an end, {high:g} pins the probability to within 0.1%")
    return value


def pert_shape(value: float) -> float:
    if value > MAX_PERT_SHAPE:
        raise ValueError(
            f"shape must be at most {MAX_PERT_SHAPE:g} (given: {value!r}): decide draws PERT outcomes "
            f"from Beta tables accurate up to there (the usual shape is 4); for an outcome more "
            "concentrated around its mode use kind: truncnormal, or a narrower low-high")
    return value


Finite = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_within_magnitude)]
"""A finite number of at most :data:`MAX_MAGNITUDE` in size."""
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_within_magnitude)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False), AfterValidator(_within_magnitude)]
BetaParameter = Annotated[float, Field(gt=0, allow_inf_nan=False), AfterValidator(_beta_parameter)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Frozen(BaseModel):
    """Base of every schema type: immutable, unknown keys rejected, NaN/inf rejected."""

    # Schemas are built on first validation, not at import: a command that reads a validated case
    # from the cache (decide score, decide validate) never pays for them (start-up, issue 18).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


class Evidence(Frozen):
    """Where a number comes from: a section of the source and the author's reason."""

    section: Text
    """A section heading of the case's source (declared in ``source.sections``)."""
    rationale: Text
    """One line, in the case author's words, on why the number is what it is."""
    assumption: bool = False
    """True where the source says nothing and the number is the author's assumption."""
