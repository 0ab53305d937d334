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
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from decide.spec_base import FORMAT_VERSION as FORMAT_VERSION
from decide.spec_base import Id as Id
from decide.spec_base import MAX_MAGNITUDE as MAX_MAGNITUDE
from decide.spec_base import MIN_SCALE_RESOLUTION as MIN_SCALE_RESOLUTION
from decide.spec_base import MAX_PERT_SHAPE as MAX_PERT_SHAPE
from decide.spec_base import BETA_PARAMETER_RANGE as BETA_PARAMETER_RANGE
from decide.spec_base import TRUNCNORMAL_MAX_SDS_OUTSIDE as TRUNCNORMAL_MAX_SDS_OUTSIDE
from decide.spec_base import TRUNCNORMAL_MAX_SD_WIDTHS as TRUNCNORMAL_MAX_SD_WIDTHS
from decide.spec_base import size_text as size_text
from decide.spec_base import pert_shape as pert_shape
from decide.spec_base import Finite as Finite
from decide.spec_base import NonNegative as NonNegative
from decide.spec_base import Positive as Positive
from decide.spec_base import BetaParameter as BetaParameter
from decide.spec_base import Probability as Probability
from decide.spec_base import Text as Text
from decide.spec_base import Frozen as Frozen
from decide.spec_base import Evidence as Evidence
from decide.spec_scores import PointScore as PointScore
from decide.spec_scores import TriangularScore as TriangularScore
from decide.spec_scores import PertScore as PertScore
from decide.spec_scores import UniformScore as UniformScore
from decide.spec_scores import TruncNormalScore as TruncNormalScore
from decide.spec_scores import LogNormalScore as LogNormalScore
from decide.spec_scores import DiscreteScore as DiscreteScore
from decide.spec_scores import Score as Score
from decide.spec_scores import SCORE_KINDS as SCORE_KINDS


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
                f"must be at least {MIN_SCALE_RESOLUTION:g} of {size_text(size)} for values to be exact; "
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
