"""The case format: frozen, closed schema types for criteria sets and cases.

This module fixes what a case file may say (see ``docs/case-format.md``); it checks each field on
its own (types, finiteness, ranges, ``low <= mode <= high``) and each distribution as a whole
(only what the engines can draw and compute: see :data:`MAX_MAGNITUDE`, :data:`MAX_PERT_SHAPE`,
:data:`TRUNCNORMAL_MAX_SDS_OUTSIDE`). Cross-references between fields (unknown ids, cycles,
missing scores) are checked in :mod:`decide.checks`. It imports no numerics.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

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


def _size(value: float) -> str:
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


def _pert_shape(value: float) -> float:
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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Evidence(Frozen):
    """Where a number comes from: a section of the source and the author's reason."""

    section: Text
    """A section heading of the case's source (declared in ``source.sections``)."""
    rationale: Text
    """One line, in the case author's words, on why the number is what it is."""
    assumption: bool = False
    """True where the source says nothing and the number is the author's assumption."""


# --------------------------------------------------------------------------- criteria


class Direction(str, Enum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"

    @classmethod
    def from_alias(cls, value: Any) -> Any:
        aliases = {"max": cls.HIGHER_IS_BETTER, "benefit": cls.HIGHER_IS_BETTER,
                   "min": cls.LOWER_IS_BETTER, "cost": cls.LOWER_IS_BETTER}
        return aliases.get(value, value) if isinstance(value, str) else value


class Scale(Frozen):
    """The range outcomes are measured on, with plain-words anchors for both ends."""

    low: Finite
    high: Finite
    low_means: Text
    """What an outcome at ``low`` looks like."""
    high_means: Text
    """What an outcome at ``high`` looks like."""
    unit: str = "points"

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.low < self.high:
            raise ValueError(f"scale low ({self.low}) must be below high ({self.high})")
        size = max(abs(self.low), abs(self.high))
        if self.high - self.low < MIN_SCALE_RESOLUTION * size:
            raise ValueError(
                f"scale [{self.low:.17g}, {self.high:.17g}] is too narrow for the size of its ends: its width "
                f"must be at least {MIN_SCALE_RESOLUTION:g} of {_size(size)} for values to be exact; "
                "measure from a nearer origin (e.g. subtract a round offset from low, high and every outcome)")
        return self


class Criterion(Frozen):
    """A leaf of the value tree: one thing outcomes are judged on."""

    id: Id
    name: Text
    description: str = ""
    direction: Annotated[Direction, BeforeValidator(Direction.from_alias)]
    scale: Scale
    value_function: list[tuple[Finite, Annotated[float, Field(ge=0, le=1)]]] | None = None
    """Optional piecewise-linear value function: ``[outcome, value]`` points with increasing
    outcomes from ``scale.low`` to ``scale.high`` and values in [0, 1]. Linear by default
    (0 at the worst end, 1 at the best)."""
    weight: NonNegative = 1.0
    """Weight relative to its siblings (normalised within the parent group)."""

    @field_validator("value_function")
    @classmethod
    def _value_function(cls, points: Any, info: ValidationInfo) -> Any:
        # A field validator, so a bad value function is reported at ``value_function`` itself.
        if points is None:
            return points
        if len(points) < 2:
            raise ValueError("value_function needs at least two [outcome, value] points")
        xs = [x for x, _ in points]
        if any(b <= a for a, b in zip(xs, xs[1:])):
            raise ValueError("value_function outcomes must strictly increase")
        scale = info.data.get("scale")
        if scale is not None and not (math.isclose(xs[0], scale.low) and math.isclose(xs[-1], scale.high)):
            raise ValueError(
                f"value_function must run from scale.low ({scale.low}) "
                f"to scale.high ({scale.high}); it runs from {xs[0]} to {xs[-1]}"
            )
        return points


class CriteriaGroup(Frozen):
    """An inner node of the value tree grouping criteria (Security, Politics, Cost...)."""

    id: Id
    name: Text
    description: str = ""
    weight: NonNegative = 1.0
    children: Annotated[list["Node"], Field(min_length=1)]


def _node_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "group" if "children" in value else "criterion"
    return "group" if hasattr(value, "children") else "criterion"


Node = Annotated[
    Union[Annotated[CriteriaGroup, Tag("group")], Annotated[Criterion, Tag("criterion")]],
    Discriminator(_node_kind),
]
CriteriaGroup.model_rebuild()


class CriteriaSet(Frozen):
    """A reusable value tree of criteria."""

    id: Id
    name: Text
    description: str = ""
    criteria: Annotated[list[Node], Field(min_length=1)]
    """Top-level nodes of the tree (groups or criteria)."""


# --------------------------------------------------------------------------- scores


# Each kind states here, once, how the engines read it: ``summary()`` gives its
# ``(low, centre, high, extra)`` parameters (:class:`decide.compile.ScoreArrays`) and its central
# value (what ``decide score`` uses); ``describe()`` its short form in reports. Its inverse CDF is in
# :mod:`decide.montecarlo.distributions`.


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
    shape: Annotated[float, Field(gt=0, allow_inf_nan=False), AfterValidator(_pert_shape)] = 4.0
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
                f"[low, high] ({_size(width)}): the distribution is then flat on [low, high]; use kind: "
                f"uniform, or an sd at most {TRUNCNORMAL_MAX_SD_WIDTHS:g} times high - low")
        below = self.mean < self.low
        gap = self.low - self.mean if below else self.mean - self.high
        if gap > TRUNCNORMAL_MAX_SDS_OUTSIDE * self.sd:
            bound, name = (self.low, "low") if below else (self.high, "high")
            sds = gap / self.sd
            raise ValueError(
                f"mean ({self.mean!r}) lies {_size(sds) if math.isfinite(sds) else 'over 1e308'} sd "
                f"{'below' if below else 'above'} {name} ({bound!r}): the distribution is then all at "
                f"{name}, within {_size(self.sd * self.sd / gap)} of it, which is almost surely not meant "
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


# --------------------------------------------------------------------------- options


class Requirement(Frozen):
    """Option requires a precondition. Hard by default: a no makes the option fail."""

    precondition: Id
    soft: bool = False
    consequence: dict[Id, Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]] = {}
    """For a soft requirement: leaf criterion id -> value lost on that criterion's own 0-1 value
    scale when the answer is no (only where the option goes ahead). Stated on the criteria it
    affects, the cost scales with every stakeholder's weight on them."""
    penalty: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    """For a soft requirement without a consequence: value (on the 0-1 value scale of the whole
    tree) lost when the answer is no, the same under every weight profile (the fallback)."""
    evidence: Evidence | None = None

    def cost(self) -> str:
        """What a "no" costs, in words: "fails", or the soft consequence or penalty."""
        if not self.soft:
            return "fails"
        parts = [f"−{amount:g} on {crit}" for crit, amount in self.consequence.items()]
        if self.penalty is not None:
            parts.append(f"−{self.penalty:g} overall")
        return ", ".join(parts)

    @model_validator(mode="after")
    def _penalty(self) -> Requirement:
        if self.soft and self.penalty is None and not self.consequence:
            raise ValueError("a soft requirement needs a consequence (value lost on the criteria it affects, "
                             "e.g. consequence: {humanitarian: 0.2}) or a penalty (value lost, between 0 and 1)")
        if not self.soft and (self.penalty is not None or self.consequence):
            raise ValueError("penalty and consequence apply only to a soft requirement: add 'soft: true'")
        return self


def _as_requirement(value: Any) -> Any:
    return {"precondition": value} if isinstance(value, str) else value


class Stage(Frozen):
    """One stage of an option's requirements: checked after the stages before it.

    The first stage whose question says no decides the option's outcome: that stage's failure
    profile ("launched and failed" differs from "never launched")."""

    id: Id
    name: str = ""
    requires: Annotated[list[Id], Field(min_length=1)]
    """The preconditions this stage needs (hard requirements: a no fails the option here)."""
    failure: dict[Id, Score] = {}
    """Leaf criterion id -> outcome of failing at this stage; criteria not listed fail to the
    baseline option's outcome."""
    evidence: Evidence | None = None


class Option(Frozen):
    """An action some actor can take."""

    id: Id
    name: Text
    description: str = ""
    actors: list[Text] = []
    baseline: bool = False
    """True for the status quo: its scores are the baseline strategies build on."""
    requires: list[Annotated[Requirement, BeforeValidator(_as_requirement)]] = []
    depends_on: list[Id] = []
    """Options that must be pursued too; this option's scores are the joint outcome."""
    excludes: list[Id] = []
    uses: dict[Id, NonNegative] = {}
    """Resource id -> amount used."""
    scores: dict[Id, Score]
    """Leaf criterion id -> outcome if the option goes ahead and its preconditions hold."""
    failure: dict[Id, Score] = {}
    """Leaf criterion id -> outcome of trying and failing (a required precondition says no).
    Criteria not listed fail to the baseline option's outcome."""
    stages: list[Stage] = []
    """Hard requirements in order, each stage with its own failure profile (instead of hard
    ``requires`` and ``failure``; soft requirements stay in ``requires``)."""

    @model_validator(mode="after")
    def _staged(self) -> Option:
        if self.stages:
            hard = [r.precondition for r in self.requires if not r.soft]
            if hard:
                raise ValueError(f"an option with stages lists its hard requirements in its stages; move "
                                 f"{', '.join(hard)} from 'requires' into a stage (or mark it soft)")
            if self.failure:
                raise ValueError("an option with stages gives a failure profile per stage "
                                 "(stages[k].failure), not 'failure'")
        return self

    @property
    def hard_requirements(self) -> list[tuple[str, int]]:
        """Every hard requirement as (precondition, stage index); 0 for an option without stages."""
        if self.stages:
            return [(q, k) for k, stage in enumerate(self.stages) for q in stage.requires]
        return [(r.precondition, 0) for r in self.requires if not r.soft]

    @property
    def failure_profiles(self) -> list[dict[str, Score]]:
        """The failure profile of each stage (one for an option without stages)."""
        return [stage.failure for stage in self.stages] if self.stages else [self.failure]


# --------------------------------------------------------------------------- preconditions


class PointProbability(Frozen):
    kind: Literal["point"] = "point"
    value: Probability


class IntervalProbability(Frozen):
    """Only bounds are known; Monte Carlo draws uniformly between them, scoring uses the midpoint."""

    kind: Literal["interval"] = "interval"
    low: Probability
    high: Probability

    @model_validator(mode="after")
    def _ordered(self) -> IntervalProbability:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class BetaProbability(Frozen):
    kind: Literal["beta"] = "beta"
    alpha: BetaParameter
    """From 0.01 to 1e6 (:data:`BETA_PARAMETER_RANGE`), as ``beta``."""
    beta: BetaParameter


def _as_probability(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"kind": "point", "value": value}
    return value


def _probability_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        if "kind" in value:
            return value["kind"]
        if "alpha" in value or "beta" in value:
            return "beta"
        if "low" in value or "high" in value:
            return "interval"
        return "point"
    return getattr(value, "kind", None)


ProbabilitySpec = Annotated[
    Union[
        Annotated[PointProbability, Tag("point")],
        Annotated[IntervalProbability, Tag("interval")],
        Annotated[BetaProbability, Tag("beta")],
    ],
    Discriminator(_probability_kind),
    BeforeValidator(_as_probability),
]


class Precondition(Frozen):
    """A yes/no question about the world that options may depend on."""

    id: Id
    question: Text
    probability: ProbabilitySpec
    """Probability of yes: a number, ``{low, high}`` or ``{alpha, beta}``."""
    evidence: Evidence | None = None


class Correlation(Frozen):
    """Correlation of two preconditions' answers (Gaussian copula, latent normal scale)."""

    between: tuple[Id, Id]
    rho: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]
    evidence: Evidence | None = None


class Enabler(Frozen):
    """Pursuing ``option`` changes the probability that ``precondition`` holds.

    Exactly one effect: ``add`` (a change in probability, clipped to [0, 1]), ``odds_ratio``
    (multiplies the odds of yes) or ``to`` (sets the probability).
    """

    option: Id
    precondition: Id
    add: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] | None = None
    odds_ratio: Positive | None = None
    to: Probability | None = None
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _one_effect(self) -> Enabler:
        given = [k for k in ("add", "odds_ratio", "to") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one effect: 'add' (-1..1), 'odds_ratio' (> 0) or 'to' (0..1)"
                + (f"; found {', '.join(given)}" if given else "")
            )
        return self


class Resource(Frozen):
    """A limited resource options use: money, troops, political capital."""

    id: Id
    name: Text
    unit: str = ""
    budget: NonNegative | None = None
    """Total available to a strategy; none means unlimited."""


# --------------------------------------------------------------------------- weights


class WeightEntry(Frozen):
    value: NonNegative
    evidence: Evidence | None = None


def _as_weight_entry(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"value": value}
    return value


class PairwiseComparison(Frozen):
    """AHP pairwise comparisons of one group's children (Saaty scale 1/9 .. 9)."""

    parent: Id | Literal["root"] = "root"
    """The group whose children are compared; ``root`` for the top-level nodes."""
    order: Annotated[list[Id], Field(min_length=2)]
    matrix: list[list[Positive]]
    """``matrix[i][j]``: how much more important ``order[i]`` is than ``order[j]``."""
    evidence: Evidence | None = None


class WeightMethod(str, Enum):
    DIRECT = "direct"
    SWING = "swing"
    AHP = "ahp"


class WeightProfile(Frozen):
    """One stakeholder's weights over the criteria tree.

    ``direct``: relative weights of siblings, normalised within each parent. ``swing``: points
    for swinging each sibling from worst to best, 100 for the most valued swing in each group.
    ``ahp``: pairwise comparison matrices per group. Groups not mentioned keep the criteria
    set's weights.
    """

    id: Id
    name: Text
    stakeholder: str = ""
    method: WeightMethod = WeightMethod.DIRECT
    weights: dict[Id, Annotated[WeightEntry, BeforeValidator(_as_weight_entry)]] = {}
    comparisons: list[PairwiseComparison] = []
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _method_fields(self) -> WeightProfile:
        if self.method is WeightMethod.AHP and (self.weights or not self.comparisons):
            raise ValueError("an 'ahp' profile gives 'comparisons' (and no 'weights')")
        if self.method is not WeightMethod.AHP and self.comparisons:
            raise ValueError(f"'comparisons' belong to method 'ahp', not '{self.method.value}'")
        return self


class WeightInterval(Frozen):
    """The global weight of ``node`` (sum of its leaves' weights) lies in [low, high]."""

    node: Id
    low: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    high: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 1.0
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WeightInterval:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class WeightOrder(Frozen):
    """The global weight of ``greater`` is at least that of ``lesser``."""

    greater: Id
    lesser: Id
    evidence: Evidence | None = None


def _statement_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "order" if "greater" in value or "lesser" in value else "interval"
    return "order" if hasattr(value, "greater") else "interval"


WeightStatement = Annotated[
    Union[Annotated[WeightInterval, Tag("interval")], Annotated[WeightOrder, Tag("order")]],
    Discriminator(_statement_kind),
]


class Weights(Frozen):
    default: Id | None = None
    """The profile used when none is named; the first profile if not given."""
    profiles: list[WeightProfile] = []
    imprecise: list[WeightStatement] = []
    """Imprecise statements all parties accept: intervals and orderings of global weights."""


# --------------------------------------------------------------------------- findings


class Claim(Frozen):
    """A checkable reading of a source's finding.

    ``{better: A, than: B}``: option A should beat option B. ``{precondition_matters: Q}``:
    question Q should be among the three that matter most (by value of information).
    """

    better: Id | None = None
    than: Id | None = None
    precondition_matters: Id | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Claim:
        pair = self.better is not None and self.than is not None
        if pair == (self.precondition_matters is not None) or (self.better is None) != (self.than is None):
            raise ValueError("a claim is either {better: OPTION, than: OPTION} or {precondition_matters: PRECONDITION}")
        return self


class Finding(Frozen):
    """One of the source's own conclusions, for the report to set beside the numbers."""

    id: Id
    statement: Text
    """The finding in the case author's words."""
    claims: Annotated[list[Claim], Field(min_length=1)]
    evidence: Evidence | None = None


class NamedStrategy(Frozen):
    """A combination of options the case wants compared (e.g. the plan a source argues for)."""

    id: Id
    name: Text
    options: Annotated[list[Id], Field(min_length=1)]
    description: str = ""


# --------------------------------------------------------------------------- case


class Source(Frozen):
    """The document a case encodes."""

    title: Text
    author: str = ""
    publisher: str = ""
    date: str = ""
    description: str = ""
    sections: list[Text] = []
    """The source's section headings; evidence cites them by name."""


class CommonMode(Frozen):
    """Judgement errors shared by every option on some criteria: a criterion misjudged is misjudged
    for everyone (the outcomes' uniforms share a normal factor with weight ``rho``; Gaussian copula)."""

    criteria: Annotated[list[Id], Field(min_length=1)]
    """Leaf criteria, or groups (meaning all their leaves)."""
    rho: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    """Correlation of any two options' outcomes on such a criterion, on the normal scale (1: the
    same error for all, comonotone)."""
    evidence: Evidence | None = None


class Case(Frozen):
    """One decision problem."""

    decide: Literal[1] = FORMAT_VERSION
    """Format version of the case file."""
    id: Id
    title: Text
    description: str = ""
    source: Source | None = None
    criteria: CriteriaSet
    options: list[Option]
    preconditions: list[Precondition] = []
    correlations: list[Correlation] = []
    common_mode: list[CommonMode] = []
    """Criteria whose judgement errors are shared across options (default: independent)."""
    enablers: list[Enabler] = []
    resources: list[Resource] = []
    weights: Weights = Weights()
    findings: list[Finding] = []
    strategies: list[NamedStrategy] = []
    """Named combinations of options to compare in reports (checked against budgets there)."""
