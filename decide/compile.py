"""Case -> CaseArrays: id-to-index maps, global weights, distribution parameters, value functions.

Engines work only on :class:`CaseArrays`; nothing below this layer sees YAML or pydantic.
Axes are ``(option, criterion)`` for outcomes and ``(option, precondition)`` for requirements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from decide.errors import DecideError
from decide.spec import (
    BetaProbability,
    Case,
    CriteriaGroup,
    DiscreteScore,
    IntervalProbability,
    PointProbability,
    SCORE_KINDS,
    Score,
    WeightMethod,
    WeightProfile,
)
from decide.structure import dependency_closure, imprecise_constraints, iter_nodes, leaves

__all__ = ["CaseArrays", "ScoreArrays", "compile_case", "apply_enablers",
           "KIND_CODES", "ENABLER_ADD", "ENABLER_ODDS", "ENABLER_TO"]

# Distribution codes shared by the samplers.
KIND_CODES = {kind: code for code, kind in enumerate(SCORE_KINDS)}
PROB_POINT, PROB_INTERVAL, PROB_BETA = 0, 1, 2
ENABLER_ADD, ENABLER_ODDS, ENABLER_TO = 0, 1, 2


@dataclass(frozen=True)
class ScoreArrays:
    """Outcome distributions, one per (option, criterion), on the criterion's scale.

    ``params[..., :]`` holds ``(low, centre, high, extra)``: point ``(v, v, v, 0)``; triangular
    ``(low, mode, high, 0)``; PERT ``(low, mode, high, shape)``; uniform ``(low, mean, high, 0)``;
    truncated normal ``(low, mean, high, sd)`` with ``mean`` the untruncated normal's mean;
    lognormal ``(low, mu, high, sigma)``, ``mu`` and ``sigma`` of ``log(x)``;
    discrete ``(min, mean, max, 0)`` with the support in ``discrete_values`` and its probabilities in
    ``discrete_probabilities`` (padded with zero probability).
    """

    kind: NDArray[np.int8]
    params: NDArray[np.float64]
    discrete_values: NDArray[np.float64]
    discrete_probabilities: NDArray[np.float64]
    central: NDArray[np.float64]
    """The central outcome deterministic scoring uses: point; mode (triangular, PERT); mean otherwise."""


@dataclass(frozen=True)
class CaseArrays:
    """A case as arrays, ready for the engines."""

    option_ids: tuple[str, ...]
    option_names: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    """Leaf criteria, depth-first."""
    criterion_names: tuple[str, ...]
    precondition_ids: tuple[str, ...]
    resource_ids: tuple[str, ...]
    profile_ids: tuple[str, ...]
    node_leaves: dict[str, NDArray[np.intp]]
    """Every tree node id (groups and leaves) -> indices of its leaves."""
    group_ids: tuple[str, ...]

    scores: ScoreArrays
    failure: ScoreArrays
    """Outcome of trying and failing; criteria without a failure profile take the baseline's outcome."""
    failure_is_baseline: NDArray[np.bool_]
    """(option, criterion): the failure profile does not list the criterion, so a failed option
    keeps the world as the baseline leaves it: the baseline option's own outcome in that draw, not
    a fresh draw of its distribution (False for the baseline itself, which never fails)."""
    stage: NDArray[np.int8]
    """(option, precondition): the stage of the option's own hard requirement (0 where the option
    has no stages, or no hard requirement on it). ``failure`` is the first stage's profile."""
    stage_failures: tuple[ScoreArrays, ...]
    """The failure profiles of the second, third, ... stage, each over (option, criterion); an
    option with fewer stages repeats its first profile there (never used)."""
    stage_failure_is_baseline: NDArray[np.bool_]
    """(stage - 1, option, criterion): as ``failure_is_baseline``, for ``stage_failures``."""
    scale_low: NDArray[np.float64]
    scale_high: NDArray[np.float64]
    value_x: NDArray[np.float64]
    """(criterion, point) outcomes of each piecewise-linear value function, padded by repetition."""
    value_v: NDArray[np.float64]
    """(criterion, point) values in [0, 1] at ``value_x``."""
    baseline: int | None

    probability_kind: NDArray[np.int8]
    """(precondition,) 0 point, 1 interval, 2 beta."""
    probability_params: NDArray[np.float64]
    """(precondition, 2): (p, p), (low, high) or (alpha, beta)."""
    probability_central: NDArray[np.float64]
    """Point, interval midpoint, Beta mean."""
    correlation: NDArray[np.float64]
    """(precondition, precondition) Gaussian-copula correlation."""

    hard: NDArray[np.bool_]
    """(option, precondition): the option's own hard requirements."""
    soft_loss: NDArray[np.float64]
    """(option, precondition, criterion): value lost on each criterion's 0-1 scale when a soft
    requirement says no (0 where none): its consequence on the criteria it names, or its flat
    penalty on every criterion (with weights summing to one, the penalty itself)."""
    closure: NDArray[np.bool_]
    """(option, option): the option itself and every option it depends on."""
    excludes: NDArray[np.bool_]
    """(option, option), symmetric."""
    enabler_option: NDArray[np.intp]
    enabler_precondition: NDArray[np.intp]
    enabler_kind: NDArray[np.int8]
    """0 add, 1 odds ratio, 2 set to."""
    enabler_amount: NDArray[np.float64]
    uses: NDArray[np.float64]
    """(option, resource)."""
    budgets: NDArray[np.float64]
    """(resource,), inf where unlimited."""

    weights: NDArray[np.float64]
    """(criterion,) global leaf weights of the default profile (or the criteria set's own)."""
    profile_weights: NDArray[np.float64]
    """(profile, criterion) global leaf weights of each stakeholder profile."""
    default_profile: str | None
    imprecise_a: NDArray[np.float64]
    imprecise_b: NDArray[np.float64]
    """Imprecise statements as ``imprecise_a @ w <= imprecise_b`` (with w >= 0, sum w = 1)."""
    consistency: dict[str, dict[str, float]] = field(default_factory=dict)
    """AHP profile id -> group id -> consistency ratio."""
    stage_ids: tuple[tuple[str, ...], ...] = ()
    """Per option, the ids of its stages (empty for an option without stages)."""
    common_rho: NDArray[np.float64] | None = None
    """(criterion,): the correlation of every two options' judgement errors on it (0: independent;
    the case's ``common_mode``); None means all zero."""

    @property
    def common_mode(self) -> NDArray[np.float64]:
        """(criterion,) ``common_rho``, zeros where the case states none."""
        return np.zeros(self.n_criteria) if self.common_rho is None else self.common_rho

    @property
    def n_options(self) -> int:
        return len(self.option_ids)

    @property
    def n_criteria(self) -> int:
        return len(self.criterion_ids)

    @property
    def n_preconditions(self) -> int:
        return len(self.precondition_ids)

    @property
    def eval_hard(self) -> NDArray[np.bool_]:
        """(option, precondition): hard requirements of the option's smallest strategy."""
        return (self.closure.astype(np.int64) @ self.hard.astype(np.int64)) > 0

    @property
    def n_stages(self) -> int:
        """Failure profiles per option: 1 + the most stages after the first any option has."""
        return 1 + len(self.stage_failures)

    @property
    def failure_profiles(self) -> tuple[ScoreArrays, ...]:
        """Each stage's failure profile over (option, criterion), the first stage's first."""
        return (self.failure, *self.stage_failures)

    @property
    def failure_profiles_baseline(self) -> NDArray[np.bool_]:
        """(stage, option, criterion): ``failure_is_baseline`` of each stage's profile."""
        return np.concatenate([np.asarray(self.failure_is_baseline, dtype=bool)[None],
                               np.asarray(self.stage_failure_is_baseline, dtype=bool)]).reshape(
            self.n_stages, self.n_options, self.n_criteria)

    def stage_label(self, option: int, stage: int) -> str:
        """How a stage's failure reads in a table: ``failure`` or ``failure at <stage id>``."""
        ids = self.stage_ids[option] if option < len(self.stage_ids) else ()
        return f"failure at {ids[stage]}" if stage < len(ids) else "failure"

    @property
    def eval_stage(self) -> NDArray[np.int8]:
        """(option, precondition): the stage of each hard requirement of the option's smallest
        strategy: the option's own stages; the requirements of the options it depends on are
        checked first (stage 0)."""
        own = np.where(self.hard, self.stage, 0).astype(np.int8)
        inherited = ((self.closure & ~np.eye(self.n_options, dtype=bool)).astype(np.int64)
                     @ self.hard.astype(np.int64)) > 0
        return np.where(inherited, 0, own).astype(np.int8)

    @property
    def soft(self) -> NDArray[np.bool_]:
        """(option, precondition): the option's own soft requirements."""
        return self.soft_loss.any(axis=2)

    @property
    def eval_soft(self) -> NDArray[np.bool_]:
        """(option, precondition): the soft requirements of the option's smallest strategy."""
        return (self.closure.astype(np.int64) @ self.soft.astype(np.int64)) > 0

    @property
    def eval_enablers(self) -> NDArray[np.bool_]:
        """(option, enabler): enablers active when the option is evaluated with its dependencies."""
        return self.closure[:, self.enabler_option]

    def profile_index(self, profile: str) -> int:
        try:
            return self.profile_ids.index(profile)
        except ValueError:
            known = ", ".join(self.profile_ids) or "none"
            raise DecideError(f"unknown weight profile {profile!r}; the case has: {known}") from None


def compile_case(case: Case) -> CaseArrays:
    """Turn a validated case into arrays. Pure: the case is not changed."""
    crits = leaves(case.criteria.criteria)
    crit_index = {c.id: i for i, c in enumerate(crits)}
    options = case.options
    opt_index = {o.id: i for i, o in enumerate(options)}
    pre_index = {q.id: i for i, q in enumerate(case.preconditions)}
    res_index = {r.id: i for i, r in enumerate(case.resources)}
    n_o, n_c, n_p = len(options), len(crits), len(case.preconditions)

    baseline = next((i for i, o in enumerate(options) if o.baseline), None)
    score_specs = [[o.scores[c.id] for c in crits] for o in options]
    n_stages = max([len(o.failure_profiles) for o in options], default=1)
    # Stage k's profile of each option; an option with fewer stages repeats its first (never used).
    profiles = [[o.failure_profiles[k] if k < len(o.failure_profiles) else o.failure_profiles[0]
                 for o in options] for k in range(n_stages)]
    failure_specs = [
        [[profile.get(c.id) or (options[baseline].scores[c.id] if baseline is not None else o.scores[c.id])
          for c in crits]
         for o, profile in zip(options, stage_profiles)]
        for stage_profiles in profiles
    ]
    failure_is_baseline = np.array([[[baseline is not None and i != baseline and c.id not in profile
                                      for c in crits] for i, profile in enumerate(stage_profiles)]
                                    for stage_profiles in profiles], dtype=bool).reshape(n_stages, n_o, -1)

    value_x, value_v = _value_functions(crits)
    closure_sets = dependency_closure({o.id: list(o.depends_on) for o in options})
    closure = np.zeros((n_o, n_o), dtype=bool)
    excludes = np.zeros((n_o, n_o), dtype=bool)
    hard = np.zeros((n_o, n_p), dtype=bool)
    stage = np.zeros((n_o, n_p), dtype=np.int8)
    soft_loss = np.zeros((n_o, n_p, n_c))
    uses = np.zeros((n_o, len(case.resources)))
    for i, o in enumerate(options):
        closure[i, [opt_index[d] for d in closure_sets[o.id]]] = True
        for other in o.excludes:
            excludes[i, opt_index[other]] = excludes[opt_index[other], i] = True
        for req in o.requires:
            if req.soft:
                loss = soft_loss[i, pre_index[req.precondition]]
                loss += req.penalty or 0.0
                for crit, amount in req.consequence.items():
                    loss[crit_index[crit]] += amount
        for q, k in o.hard_requirements:  # a question listed in two stages counts at the first
            if not hard[i, pre_index[q]]:
                hard[i, pre_index[q]], stage[i, pre_index[q]] = True, k
        for res, amount in o.uses.items():
            uses[i, res_index[res]] = amount

    kinds, params, central = [], [], []
    for q in case.preconditions:
        p = q.probability
        if isinstance(p, PointProbability):
            kinds.append(PROB_POINT), params.append((p.value, p.value)), central.append(p.value)
        elif isinstance(p, IntervalProbability):
            kinds.append(PROB_INTERVAL), params.append((p.low, p.high)), central.append((p.low + p.high) / 2)
        elif isinstance(p, BetaProbability):
            kinds.append(PROB_BETA), params.append((p.alpha, p.beta)), central.append(p.alpha / (p.alpha + p.beta))
    correlation = np.eye(n_p)
    for corr in case.correlations:
        a, b = pre_index[corr.between[0]], pre_index[corr.between[1]]
        correlation[a, b] = correlation[b, a] = corr.rho

    enabler_kind = [ENABLER_ADD if e.add is not None else ENABLER_ODDS if e.odds_ratio is not None else ENABLER_TO
                    for e in case.enablers]
    enabler_amount = [e.add if e.add is not None else e.odds_ratio if e.odds_ratio is not None else e.to
                      for e in case.enablers]

    node_leaves: dict[str, NDArray[np.intp]] = {}
    group_ids = []
    for _, node, _ in iter_nodes(case.criteria.criteria):
        ids = [c.id for c in leaves([node])]
        node_leaves[node.id] = np.array([crit_index[c] for c in ids], dtype=np.intp)
        if isinstance(node, CriteriaGroup):
            group_ids.append(node.id)

    consistency: dict[str, dict[str, float]] = {}
    profile_weights = []
    for profile in case.weights.profiles:
        w, crs = profile_leaf_weights(case, profile)
        profile_weights.append(w)
        if crs:
            consistency[profile.id] = crs
    default_profile = case.weights.default or (case.weights.profiles[0].id if case.weights.profiles else None)
    profile_ids = tuple(p.id for p in case.weights.profiles)
    weights = (profile_weights[profile_ids.index(default_profile)] if default_profile is not None
               else tree_leaf_weights(case, {}))
    a_ub, b_ub = imprecise_constraints(case)

    return CaseArrays(
        option_ids=tuple(opt_index),
        option_names=tuple(o.name for o in options),
        criterion_ids=tuple(crit_index),
        criterion_names=tuple(c.name for c in crits),
        precondition_ids=tuple(pre_index),
        resource_ids=tuple(res_index),
        profile_ids=profile_ids,
        node_leaves=node_leaves,
        group_ids=tuple(group_ids),
        scores=_score_arrays(score_specs),
        failure=_score_arrays(failure_specs[0]),
        failure_is_baseline=failure_is_baseline[0],
        stage=stage,
        stage_failures=tuple(_score_arrays(specs) for specs in failure_specs[1:]),
        stage_failure_is_baseline=failure_is_baseline[1:],
        scale_low=np.array([c.scale.low for c in crits]),
        scale_high=np.array([c.scale.high for c in crits]),
        value_x=value_x,
        value_v=value_v,
        baseline=baseline,
        probability_kind=np.array(kinds, dtype=np.int8),
        probability_params=np.array(params, dtype=float).reshape(n_p, 2),
        probability_central=np.array(central, dtype=float),
        correlation=correlation,
        hard=hard,
        soft_loss=soft_loss,
        closure=closure,
        excludes=excludes,
        enabler_option=np.array([opt_index[e.option] for e in case.enablers], dtype=np.intp),
        enabler_precondition=np.array([pre_index[e.precondition] for e in case.enablers], dtype=np.intp),
        enabler_kind=np.array(enabler_kind, dtype=np.int8),
        enabler_amount=np.array(enabler_amount, dtype=float),
        uses=uses,
        budgets=np.array([np.inf if r.budget is None else r.budget for r in case.resources]),
        weights=weights,
        profile_weights=np.array(profile_weights).reshape(len(profile_weights), n_c),
        default_profile=default_profile,
        imprecise_a=a_ub,
        imprecise_b=b_ub,
        consistency=consistency,
        stage_ids=tuple(tuple(st.id for st in o.stages) for o in options),
        common_rho=_common_rho(case, node_leaves, n_c),
    )


def _common_rho(case: Case, node_leaves: dict[str, NDArray[np.intp]], n_c: int) -> NDArray[np.float64]:
    rho = np.zeros(n_c)
    for entry in case.common_mode:  # a criterion named twice takes the last entry's rho
        for node in entry.criteria:
            rho[node_leaves[node]] = entry.rho
    return rho


def apply_enablers(
    probabilities: NDArray[np.float64],
    active: NDArray[np.bool_],
    arrays: CaseArrays,
) -> NDArray[np.float64]:
    """Probabilities of yes after the active enablers, applied in case-file order.

    ``probabilities`` has shape ``(..., precondition)`` and ``active`` ``(..., enabler)``; both
    broadcast. ``add`` shifts the probability (clipped to [0, 1]), ``odds_ratio`` multiplies the
    odds of yes, ``to`` sets it.
    """
    p = np.array(probabilities, dtype=float, copy=True)
    active = np.asarray(active, dtype=bool)
    shape = np.broadcast_shapes(p.shape[:-1], active.shape[:-1])
    p = np.broadcast_to(p, shape + p.shape[-1:]).copy()
    for e in range(len(arrays.enabler_option)):
        q = arrays.enabler_precondition[e]
        on = np.broadcast_to(active[..., e], shape)
        old = p[..., q]
        p[..., q] = np.where(on, enable(arrays, e, old), old)
    return p


def enable(arrays: CaseArrays, e: int, p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Enabler ``e`` applied to probabilities of yes of its precondition (any shape)."""
    amount = arrays.enabler_amount[e]
    kind = arrays.enabler_kind[e]
    if kind == ENABLER_ADD:
        return np.clip(p + amount, 0.0, 1.0)
    if kind == ENABLER_ODDS:
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = p / (1.0 - p) * amount
            return np.where(p >= 1.0, 1.0, odds / (1.0 + odds))
    return np.full_like(p, amount)


def tree_leaf_weights(case: Case, local: dict[str, float]) -> NDArray[np.float64]:
    """Global leaf weights: local weights (overrides by node id, else the tree's), normalised per group."""

    def walk(nodes, scale: float) -> list[float]:
        raw = np.array([local.get(n.id, n.weight) for n in nodes], dtype=float)
        raw = raw / raw.sum()
        out: list[float] = []
        for node, w in zip(nodes, raw):
            out += walk(node.children, scale * w) if isinstance(node, CriteriaGroup) else [scale * w]
        return out

    return np.array(walk(case.criteria.criteria, 1.0))


def profile_leaf_weights(case: Case, profile: WeightProfile) -> tuple[NDArray[np.float64], dict[str, float]]:
    """A profile's global leaf weights, and each AHP matrix's consistency ratio."""
    if profile.method is not WeightMethod.AHP:
        # Direct and swing weights both normalise within each group; swing points are 0-100.
        return tree_leaf_weights(case, {k: e.value for k, e in profile.weights.items()}), {}
    from decide.mcda.ahp import ahp_weights

    local: dict[str, float] = {}
    ratios: dict[str, float] = {}
    for comp in profile.comparisons:
        result = ahp_weights(np.asarray(comp.matrix, dtype=float))
        local.update(zip(comp.order, np.asarray(result.weights, dtype=float)))
        ratios[comp.parent] = float(result.consistency_ratio)
    return tree_leaf_weights(case, local), ratios


def _value_functions(crits) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    points = []
    for c in crits:
        if c.value_function is not None:
            points.append([(x, v) for x, v in c.value_function])
        elif c.direction.value == "higher_is_better":
            points.append([(c.scale.low, 0.0), (c.scale.high, 1.0)])
        else:
            points.append([(c.scale.low, 1.0), (c.scale.high, 0.0)])
    width = max(len(p) for p in points)
    xs = np.array([[x for x, _ in p] + [p[-1][0]] * (width - len(p)) for p in points])
    vs = np.array([[v for _, v in p] + [p[-1][1]] * (width - len(p)) for p in points])
    return xs, vs


def _score_arrays(specs: list[list[Score]]) -> ScoreArrays:
    n_o, n_c = len(specs), len(specs[0]) if specs else 0
    width = max([len(s.values) for row in specs for s in row if isinstance(s, DiscreteScore)], default=1)
    kind = np.zeros((n_o, n_c), dtype=np.int8)
    params = np.zeros((n_o, n_c, 4))
    values = np.zeros((n_o, n_c, width))
    probabilities = np.zeros((n_o, n_c, width))
    central = np.zeros((n_o, n_c))
    for i, row in enumerate(specs):
        for j, s in enumerate(row):
            kind[i, j] = KIND_CODES[s.kind]
            params[i, j], central[i, j] = _score_params(s)
            if isinstance(s, DiscreteScore):
                values[i, j, : len(s.values)] = s.values
                probabilities[i, j, : len(s.values)] = s.probabilities
            else:
                values[i, j, 0], probabilities[i, j, 0] = central[i, j], 1.0
    return ScoreArrays(kind, params, values, probabilities, central)


def _score_params(s: Score) -> tuple[tuple[float, float, float, float], float]:
    return s.summary()
