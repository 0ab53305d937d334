"""The outcome distributions a score may take, one schema class per kind, tagged by ``kind``.

Each kind states here, once, how the engines read it: ``summary()`` gives its ``(low, centre,
high, extra)`` parameters (:class:`decide.compile.ScoreArrays`) and its central value (what
``decide score`` uses); ``describe()`` its short form in reports. Its inverse CDF is in
:mod:`decide.montecarlo.distributions`. :mod:`decide.spec` re-exports every name here.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from decide.spec_base import (
    TRUNCNORMAL_MAX_SDS_OUTSIDE,
    TRUNCNORMAL_MAX_SD_WIDTHS,
    size_text,
    pert_shape,
    Finite,
    NonNegative,
    Positive,
    Probability,
    Frozen,
    Evidence,
)

__all__ = ["PointScore", "TriangularScore", "PertScore", "UniformScore", "TruncNormalScore", "LogNormalScore",
           "DiscreteScore", "Score", "SCORE_KINDS"]


class PointScore(Frozen):
    kind: Literal["point"] = "point"
    value: Finite
    evidence: Evidence | None = None

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        return (self.value, self.value, self.value, 0.0), self.value

    def describe(self) -> str:
        return f"{self.value:g}"


class TriangularScore(Frozen):
    kind: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TriangularScore:
        _check_low_mode_high(self.low, self.mode, self.high)
        return self

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        return (self.low, self.mode, self.high, 0.0), self.mode

    def describe(self) -> str:
        return f"triangular {self.low:g}–{self.mode:g}–{self.high:g}"


class PertScore(Frozen):
    """Beta-PERT with the usual shape 4 (Vose 2008); ``shape`` changes its peakedness."""

    kind: Literal["pert"]
    low: Finite
    mode: Finite
    high: Finite
    shape: Annotated[float, Field(gt=0, allow_inf_nan=False), AfterValidator(pert_shape)] = 4.0
    """Peakedness: 4 is the classic PERT, 0 a uniform; at most :data:`MAX_PERT_SHAPE`."""
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PertScore:
        _check_low_mode_high(self.low, self.mode, self.high)
        return self

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        return (self.low, self.mode, self.high, self.shape), self.mode

    def describe(self) -> str:
        return f"PERT {self.low:g}–{self.mode:g}–{self.high:g}"


class UniformScore(Frozen):
    kind: Literal["uniform"]
    low: Finite
    high: Finite
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _ordered(self) -> UniformScore:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        mean = (self.low + self.high) / 2
        return (self.low, mean, self.high, 0.0), mean

    def describe(self) -> str:
        return f"uniform {self.low:g}–{self.high:g}"


class TruncNormalScore(Frozen):
    """A normal distribution with ``mean`` and ``sd`` truncated to [low, high].

    The mean may lie outside [low, high], by at most :data:`TRUNCNORMAL_MAX_SDS_OUTSIDE` sd; the
    sd may be at most :data:`TRUNCNORMAL_MAX_SD_WIDTHS` times ``high - low``.
    """

    kind: Literal["truncnormal"]
    mean: Finite
    sd: Positive
    low: Finite
    high: Finite
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormalScore:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        width = self.high - self.low
        if self.sd > TRUNCNORMAL_MAX_SD_WIDTHS * width:
            raise ValueError(
                f"sd ({self.sd!r}) is more than {TRUNCNORMAL_MAX_SD_WIDTHS:g} times the width of "
                f"[low, high] ({size_text(width)}): the distribution is then flat on [low, high]; use kind: "
                f"uniform, or an sd at most {TRUNCNORMAL_MAX_SD_WIDTHS:g} times high - low")
        below = self.mean < self.low
        gap = self.low - self.mean if below else self.mean - self.high
        if gap > TRUNCNORMAL_MAX_SDS_OUTSIDE * self.sd:
            bound, name = (self.low, "low") if below else (self.high, "high")
            sds = gap / self.sd
            raise ValueError(
                f"mean ({self.mean!r}) lies {size_text(sds) if math.isfinite(sds) else 'over 1e308'} sd "
                f"{'below' if below else 'above'} {name} ({bound!r}): the distribution is then all at "
                f"{name}, within {size_text(self.sd * self.sd / gap)} of it, which is almost surely not meant "
                f"(an sd in the wrong unit?); give a mean within {TRUNCNORMAL_MAX_SDS_OUTSIDE:g} sd of "
                "[low, high], or a point score")
        return self

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        from scipy.stats import truncnorm

        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return (self.low, self.mean, self.high, self.sd), float(truncnorm.mean(a, b, loc=self.mean, scale=self.sd))

    def describe(self) -> str:
        return f"normal {self.mean:g}±{self.sd:g} in [{self.low:g}, {self.high:g}]"


class LogNormalScore(Frozen):
    """A lognormal distribution truncated to [low, high]: ``log(x)`` is normal with mean ``mu`` and
    standard deviation ``sigma`` (JSMAA's LogNormalMeasurement, bounded by the criterion's scale).

    For right-skewed outcomes on a ratio scale (casualties, displaced people, cost): ``exp(mu)``
    is the median before truncation. ``low`` may be 0.
    """

    kind: Literal["lognormal"]
    mu: Finite
    sigma: Positive
    low: NonNegative
    high: Positive
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _ordered(self) -> LogNormalScore:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.sigma > 50:
            raise ValueError(f"sigma ({self.sigma!r}) is the standard deviation of log(x): above 50 the "
                             "distribution is all at low and high; give sigma on the log scale")
        from scipy.special import ndtr

        a, b = self._log_bounds()
        if not ndtr(b) - ndtr(a) > 1e-12:
            raise ValueError(f"[low, high] holds almost none of the lognormal (median exp(mu) = "
                             f"{math.exp(min(self.mu, 700)):.3g}): give mu near log of the outcomes you mean")
        return self

    def _log_bounds(self) -> tuple[float, float]:
        """The bounds in standard units of log(x)."""
        log_low = math.log(self.low) if self.low > 0 else -math.inf
        return (log_low - self.mu) / self.sigma, (math.log(self.high) - self.mu) / self.sigma

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        from scipy.special import ndtr

        a, b = self._log_bounds()
        # E[x | low <= x <= high] = exp(mu + sigma^2 / 2) (Phi(b - sigma) - Phi(a - sigma)) / (Phi(b) - Phi(a))
        mass = ndtr(b) - ndtr(a)
        log_mean = self.mu + 0.5 * self.sigma ** 2 + math.log(max(ndtr(b - self.sigma) - ndtr(a - self.sigma), 1e-300))
        mean = min(max(math.exp(log_mean - math.log(mass)), self.low), self.high)
        return (self.low, self.mu, self.high, self.sigma), mean

    def describe(self) -> str:
        return f"lognormal μ {self.mu:g}, σ {self.sigma:g} in [{self.low:g}, {self.high:g}]"


class DiscreteScore(Frozen):
    kind: Literal["discrete"]
    values: Annotated[list[Finite], Field(min_length=1)]
    probabilities: Annotated[list[Probability], Field(min_length=1)]
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _probabilities(self) -> DiscreteScore:
        if len(self.values) != len(self.probabilities):
            raise ValueError(
                f"values ({len(self.values)}) and probabilities ({len(self.probabilities)}) "
                "must have the same length"
            )
        if not math.isclose(sum(self.probabilities), 1.0, abs_tol=1e-6):
            raise ValueError(f"probabilities must sum to 1 (they sum to {sum(self.probabilities):g})")
        return self

    def summary(self) -> tuple[tuple[float, float, float, float], float]:
        mean = float(sum(v * p for v, p in zip(self.values, self.probabilities)))
        return (min(self.values), mean, max(self.values), 0.0), mean

    def describe(self) -> str:
        return ", ".join(f"{v:g} (p {p:g})" for v, p in zip(self.values, self.probabilities))


def _check_low_mode_high(low: float, mode: float, high: float) -> None:
    if not low <= mode <= high:
        raise ValueError(f"need low <= mode <= high, got low={low}, mode={mode}, high={high}")
    if not low < high:
        raise ValueError(f"low ({low}) must be below high ({high})")


def _as_point(value: Any) -> Any:
    """A bare number is shorthand for a point score (bools are not numbers here)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"kind": "point", "value": value}
    return value


def _score_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("kind", "point")
    return getattr(value, "kind", None)


Score = Annotated[
    Union[
        Annotated[PointScore, Tag("point")],
        Annotated[TriangularScore, Tag("triangular")],
        Annotated[PertScore, Tag("pert")],
        Annotated[UniformScore, Tag("uniform")],
        Annotated[TruncNormalScore, Tag("truncnormal")],
        Annotated[LogNormalScore, Tag("lognormal")],
        Annotated[DiscreteScore, Tag("discrete")],
    ],
    Discriminator(_score_kind),
    BeforeValidator(_as_point),
]
SCORE_KINDS = ("point", "triangular", "pert", "uniform", "truncnormal", "discrete", "lognormal")
"""Every outcome distribution kind, in the order of their codes (:data:`decide.compile.KIND_CODES`)."""
