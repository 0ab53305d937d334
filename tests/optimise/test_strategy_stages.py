"""Stages in the strategies engine: enumeration and MILP against a plain first-no-stage reference.

An option whose hard requirements come in stages fails at the *first* stage whose question says
no, and scores that stage's failure profile (DESIGN.md, "Stages"). The reference here reads the
stages from the case mapping itself (not from the compiled arrays), decides each option's
outcome in each scenario by walking its stages in order, and builds a strategy's outcome by the
recursion on dependencies of :func:`strategy_cases.reference_value` -- plain Python, none of the
engines' algebra. Enumeration must agree with it to 1e-12 on every strategy; the MILP must choose
the same best strategy with the same objective; a case without stages must give the numbers it
gave before stages existed; and a single-option strategy's mean over many scenarios must agree
with ``score``'s closed form.
"""

from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from decide.compile import apply_enablers, compile_case
from decide.load import load_case, parse_case
from decide.optimise.milp import model as milp_model
from decide.optimise.scenarios import draw_scenarios, iter_scenarios, scenario_bytes
from decide.model.strategies import strategy_space
from decide.optimise.enumeration import feasible_strategies
from decide.optimise.evaluate import criterion_means, evaluate_strategy, scenario_values
from decide.optimise.strategy import optimise_strategies
from decide.score import score

sys.path.insert(0, str(Path(__file__).parent))
from strategy_cases import random_case  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIRST_EDITION = ROOT / "tests" / "data" / "mali-2012-first-edition.yaml"


def _criterion(cid: str, direction: str, value_function=None) -> dict[str, Any]:
    crit = {"id": cid, "name": cid, "direction": direction,
            "scale": {"low": 0, "high": 10, "low_means": "worst", "high_means": "best"}}
    if value_function is not None:
        crit["value_function"] = value_function
    return crit


def staged_case(*, points: bool = False) -> dict[str, Any]:
    """A baseline and five options, two of them staged.

    ``force`` has three stages (approved -> launched -> in the field), with a never-launched
    profile that lists nothing (the baseline's world), a discrete launched-and-failed profile
    that leaves one criterion unlisted, and a continuous in-the-field profile; ``mediation``
    enables a *later-stage* question of the force (``win``); ``support`` depends on the force
    and has two stages of its own (the force's requirements are checked at its first); ``talks``
    has no stages and a soft requirement; ``strike`` excludes ``talks``. ``consent`` and ``win``
    are correlated. With ``points`` every outcome is a point (for ``score``'s closed form).
    """
    def dist(kind: str, *args: float) -> Any:
        if points:
            return {"triangular": args[1], "uniform": (args[0] + args[1]) / 2, "pert": args[1],
                    "discrete": args[0]}[kind]
        if kind == "triangular":
            return {"kind": "triangular", "low": args[0], "mode": args[1], "high": args[2]}
        if kind == "uniform":
            return {"kind": "uniform", "low": args[0], "high": args[1]}
        if kind == "pert":
            return {"kind": "pert", "low": args[0], "mode": args[1], "high": args[2]}
        return {"kind": "discrete", "values": list(args[:2]), "probabilities": [0.3, 0.7]}

    options = [
        {"id": "wait", "name": "Wait", "baseline": True,
         "scores": {"c": dist("triangular", 3, 5, 6), "d": dist("uniform", 4, 6), "e": 5}},
        {"id": "force", "name": "Force", "uses": {"money": 3},
         "scores": {"c": dist("triangular", 7, 9, 10), "d": dist("pert", 5, 7, 9), "e": 8},
         "requires": [{"precondition": "western_support", "soft": True, "penalty": 0.02}],
         "stages": [
             {"id": "approved", "requires": ["consent"], "failure": {}},
             {"id": "launched", "requires": ["deploy"],
              "failure": {"c": dist("discrete", 2, 3), "e": dist("uniform", 3, 5)}},  # d: the baseline's
             {"id": "in_the_field", "requires": ["win", "withstand"],
              "failure": {"c": dist("triangular", 0, 1, 3), "d": dist("uniform", 1, 3), "e": 2}},
         ]},
        {"id": "support", "name": "Support", "depends_on": ["force"], "uses": {"money": 1},
         "scores": {"c": dist("triangular", 8, 9.5, 10), "d": dist("uniform", 6, 8), "e": 9},
         "stages": [
             {"id": "funded", "requires": ["funding"], "failure": {"e": 6}},
             {"id": "holding", "requires": ["hold_ground"],
              "failure": {"c": dist("uniform", 1, 2), "d": 2}},
         ]},
        {"id": "mediation", "name": "Mediation", "uses": {"money": 1},
         "scores": {"c": 5.5, "d": dist("triangular", 5, 6, 7), "e": 5.5},
         "requires": ["mediator"], "failure": {"d": 4}},
        {"id": "talks", "name": "Talks", "uses": {"money": 1}, "excludes": ["strike"],
         "scores": {"c": 6, "d": dist("uniform", 5, 7), "e": 6},
         "requires": ["consent", {"precondition": "western_support", "soft": True, "penalty": 0.03}],
         "failure": {"c": 4.5}},
        {"id": "strike", "name": "Strike", "uses": {"money": 2},
         "scores": {"c": dist("triangular", 6, 7, 9), "d": 3, "e": 4},
         "requires": ["win"], "failure": {"c": 4, "d": 2, "e": dist("discrete", 3, 4)}},
    ]
    probabilities = {"consent": 0.7, "deploy": 0.8, "win": {"low": 0.4, "high": 0.6}, "withstand": 0.8,
                     "funding": {"alpha": 4, "beta": 2}, "hold_ground": 0.6, "mediator": 0.75,
                     "western_support": 0.5}
    if points:  # score evaluates the copula at the central probability; a drawn one averages over it
        probabilities.update(win=0.5, funding=0.65)
    return {
        "id": "staged_strategies", "title": "Staged strategies",
        "criteria": {"id": "t", "name": "t", "criteria": [
            _criterion("c", "max"),
            _criterion("d", "max", [[0, 0], [4, 0.6], [10, 1]]),
            _criterion("e", "max", [[0, 0], [6, 0.3], [10, 1]]),
        ]},
        "options": options,
        "preconditions": [{"id": q, "question": f"{q}?", "probability": p} for q, p in probabilities.items()],
        "correlations": [{"between": ["consent", "win"], "rho": 0.5},
                         {"between": ["deploy", "withstand"], "rho": -0.3}],
        "enablers": [{"option": "mediation", "precondition": "win", "add": 0.25},
                     {"option": "talks", "precondition": "deploy", "odds_ratio": 2.0},
                     {"option": "mediation", "precondition": "hold_ground", "to": 0.9}],
        "resources": [{"id": "money", "name": "Money", "budget": 6}],
        "weights": {"profiles": [
            {"id": "hawks", "name": "Hawks", "weights": {"c": 0.6, "d": 0.2, "e": 0.2}},
            {"id": "doves", "name": "Doves", "weights": {"c": 0.2, "d": 0.5, "e": 0.3}},
        ]},
    }


def ordering_case(*, stages: bool = True) -> dict[str, Any]:
    """Two exclusive options alike but for the order of their stages.

    ``a`` asks the unlikely question first (a no there is benign: never launched); ``b`` asks it
    last (a no there is a disaster: launched and failed). ``b``'s planned and benign outcomes are
    a little better, so a model that ignored the order (every no scoring the first stage's
    profile) would choose ``b``; with stages, ``a`` is far better. ``stages=False`` is that model.
    """
    def option(oid: str, first: str, second: str, bonus: float) -> dict[str, Any]:
        o: dict[str, Any] = {"id": oid, "name": oid, "scores": {"c": 8 + bonus, "d": 6}}
        if stages:
            o["stages"] = [{"id": "start", "requires": [first], "failure": {"c": 5 + bonus}},
                           {"id": "field", "requires": [second], "failure": {"c": 1, "d": 2}}]
        else:
            o["requires"] = [first, second]
            o["failure"] = {"c": 5 + bonus}
        return o

    a, b = option("a", "unlikely", "likely", 0.0), option("b", "likely", "unlikely", 0.3)
    a["excludes"] = ["b"]
    return {
        "id": "ordering", "title": "Ordering",
        "criteria": {"id": "t", "name": "t", "criteria": [_criterion("c", "max"), _criterion("d", "max")]},
        "options": [{"id": "wait", "name": "Wait", "baseline": True, "scores": {"c": 5, "d": 5}}, a, b],
        "preconditions": [{"id": "unlikely", "question": "?", "probability": 0.35},
                          {"id": "likely", "question": "?", "probability": 0.9}],
        "weights": {"profiles": [{"id": "p", "name": "p", "weights": {"c": 0.7, "d": 0.3}}]},
    }


def random_staged_case(n_options: int, seed: int, **kwargs: Any) -> dict[str, Any]:
    """:func:`strategy_cases.random_case` with about half its options turned into staged ones.

    A staged option takes two to four questions (not those it requires softly) in two or three
    stages, each with a failure profile listing a random subset of the criteria (points,
    discrete or triangular outcomes; sometimes nothing); its other soft requirements stay.
    """
    n_criteria = kwargs.get("n_criteria", 4)
    case = random_case(n_options, seed, n_preconditions=6, **kwargs)
    rng = np.random.default_rng(10_000 + seed)
    questions = [p["id"] for p in case["preconditions"]]

    def outcome() -> Any:
        kind = rng.integers(3)
        lo = float(np.round(rng.uniform(0, 8), 2))
        if kind == 0:
            return lo
        if kind == 1:
            return {"kind": "discrete", "values": [lo, round(lo + 1.5, 2)], "probabilities": [0.4, 0.6]}
        return {"kind": "triangular", "low": lo, "mode": round(lo + 0.5, 2), "high": round(lo + 2, 2)}

    for option in case["options"][1:]:
        if rng.random() < 0.45:
            continue
        soft = [r for r in option.get("requires", []) if isinstance(r, dict) and r.get("soft")]
        taken = {r["precondition"] for r in soft}
        free = [q for q in rng.permutation(questions) if q not in taken]
        chosen = [str(q) for q in free[:int(rng.integers(2, 5))]]
        n_stages = int(rng.integers(2, min(3, len(chosen)) + 1))
        cuts = sorted(rng.choice(np.arange(1, len(chosen)), size=n_stages - 1, replace=False))
        parts = np.split(np.array(chosen), cuts)
        option["stages"] = [
            {"id": f"s{k}", "requires": [str(q) for q in part],
             "failure": {} if rng.random() < 0.25 else
             {f"c{c}": outcome() for c in rng.choice(n_criteria, size=int(rng.integers(1, n_criteria + 1)),
                                                      replace=False)}}
            for k, part in enumerate(parts)]
        option.pop("failure", None)
        if soft:
            option["requires"] = soft
        else:
            option.pop("requires", None)
    return case


class Reference:
    """A strategy's value in one scenario, from the case mapping and the definition.

    Each option's hard requirements in order: those of the options it depends on first (they
    are checked before its first stage), then its own stages'. An option's outcome alone is its
    planned outcome where every one says yes, else the failure profile of the stage of the
    first no (criteria the profile leaves out: the baseline's outcome in that scenario).
    """

    def __init__(self, data: dict[str, Any], arrays):
        self.arrays = arrays
        self.ids = list(arrays.option_ids)
        self.base_index = arrays.baseline
        self.options = {o["id"]: o for o in data["options"]}
        self.crit = list(arrays.criterion_ids)
        self.q_index = {q: k for k, q in enumerate(arrays.precondition_ids)}

    def deps(self, oid: str) -> list[str]:
        """Every option ``oid`` depends on, directly or not (not itself)."""
        out: list[str] = []
        for d in self.options[oid].get("depends_on", []):
            for e in self.deps(d) + [d]:
                if e not in out:
                    out.append(e)
        return out

    def own_stages(self, oid: str) -> list[list[str]]:
        """The option's own hard requirements, stage by stage (one stage without ``stages``)."""
        o = self.options[oid]
        if "stages" in o:
            return [list(s["requires"]) for s in o["stages"]]
        return [[r for r in o.get("requires", []) if isinstance(r, str)]]

    def profiles(self, oid: str) -> list[dict[str, Any]]:
        o = self.options[oid]
        return [s.get("failure", {}) for s in o["stages"]] if "stages" in o else [o.get("failure", {})]

    def hard(self, oid: str) -> set[str]:
        return {q for d in self.deps(oid) + [oid] for stage in self.own_stages(d) for q in stage}

    def first_no(self, oid: str, holds: dict[str, bool]) -> int | None:
        """The stage at which the option's smallest strategy first fails (None: it goes ahead)."""
        inherited = {q for d in self.deps(oid) for stage in self.own_stages(d) for q in stage}
        if not all(holds[q] for q in sorted(inherited)):
            return 0
        for k, stage in enumerate(self.own_stages(oid)):
            if not all(holds[q] for q in stage):
                return k
        return None

    def value(self, strategy: set[str], scenarios, d: int, weights) -> float:
        a = self.arrays
        planned = scenarios.planned[d]
        n_c = planned.shape[1]
        base = planned[self.base_index]
        chosen = [o for o in self.ids if o in strategy]
        active = np.array([self.ids[a.enabler_option[e]] in strategy for e in range(len(a.enabler_option))],
                          dtype=bool)
        p = apply_enablers(scenarios.probabilities[d], active, a)
        holds = {q: bool(scenarios.latent[d, k] < p[k]) for q, k in self.q_index.items()}

        planned_change: dict[str, np.ndarray] = {}

        def planned_delta(oid: str) -> np.ndarray:
            if oid not in planned_change:
                joint = base + sum((planned_delta(e) for e in self.deps(oid)), np.zeros(n_c))
                planned_change[oid] = planned[self.ids.index(oid)] - joint
            return planned_change[oid]

        def failed(oid: str, k: int) -> np.ndarray:
            listed = self.profiles(oid)[k]
            drawn = scenarios.failure[d] if k == 0 else scenarios.stage_failures[d, k - 1]
            i = self.ids.index(oid)
            return np.array([drawn[i, c] if self.crit[c] in listed else base[c] for c in range(n_c)])

        actual: dict[str, np.ndarray] = {}

        def change(oid: str) -> np.ndarray:
            if oid not in actual:
                k = self.first_no(oid, holds)
                if k is None:
                    actual[oid] = planned_delta(oid)
                else:
                    actual[oid] = failed(oid, k) - base - sum((change(e) for e in self.deps(oid)), np.zeros(n_c))
            return actual[oid]

        # An option's change is its smallest strategy's outcome (planned, or the failure profile
        # of its first failed stage) minus its dependencies' changes, as in reference_value.
        outcome = base + sum((change(o) for o in chosen), np.zeros(n_c))
        value = 0.0
        for c in range(n_c):
            e = min(max(outcome[c], a.scale_low[c]), a.scale_high[c])
            value += weights[c] * float(np.interp(e, a.value_x[c], a.value_v[c]))
        for q, k in self.q_index.items():
            if not holds[q]:
                paid = [a.soft_loss[self.ids.index(o), k] for o in chosen
                        if self.first_no(o, holds) is None]
                value -= float(np.dot(weights, np.max(paid + [np.zeros(n_c)], axis=0)))
        return value


@pytest.fixture(scope="module")
def staged():
    data = staged_case()
    arrays = compile_case(parse_case(data))
    return data, arrays, draw_scenarios(arrays, 300, rng=17)


def test_case_has_what_the_tests_need(staged):
    data, arrays, scenarios = staged
    assert arrays.n_stages == 3
    assert scenarios.stage_failures.shape == (300, 2, arrays.n_options, arrays.n_criteria)
    force, support = arrays.option_ids.index("force"), arrays.option_ids.index("support")
    q = {k: arrays.precondition_ids.index(k) for k in ("consent", "deploy", "win", "funding", "hold_ground")}
    # a later-stage question that an option enables
    assert arrays.eval_stage[force, q["win"]] == 2
    # the force's questions are checked at the first stage of the option depending on it
    assert arrays.eval_stage[support, q["win"]] == 0 and arrays.eval_stage[support, q["hold_ground"]] == 1
    # every stage of the force fails somewhere, and each is the first no somewhere
    ref = Reference(data, arrays)
    first = [ref.first_no("force", {p: bool(scenarios.latent[d, k] < scenarios.probabilities[d, k])
                                    for p, k in ref.q_index.items()}) for d in range(300)]
    assert {0, 1, 2, None} <= set(first)


def test_unlisted_criteria_of_every_stage_are_the_baselines_own_draw(staged):
    data, arrays, scenarios = staged
    ids = list(arrays.option_ids)
    force, support, wait = ids.index("force"), ids.index("support"), ids.index("wait")
    c, d, e = 0, 1, 2
    # force: approved lists nothing, launched leaves d out; support: holding leaves e out
    for crit in (c, d, e):
        np.testing.assert_array_equal(scenarios.failure[:, force, crit], scenarios.planned[:, wait, crit])
    np.testing.assert_array_equal(scenarios.stage_failures[:, 0, force, d], scenarios.planned[:, wait, d])
    np.testing.assert_array_equal(scenarios.stage_failures[:, 0, support, e], scenarios.planned[:, wait, e])
    # the discrete launched profile draws both its values, the uniform one spreads
    assert set(np.unique(scenarios.stage_failures[:, 0, force, c])) == {2.0, 3.0}
    assert np.unique(scenarios.stage_failures[:, 1, force, d]).size > 100
    # an option without a third stage keeps its first stage's outcome there (never used)
    np.testing.assert_array_equal(scenarios.stage_failures[:, 1, support], scenarios.failure[:, support])
    np.testing.assert_array_equal(scenarios.stage_failures[:, :, ids.index("talks")],
                                  np.repeat(scenarios.failure[:, None, ids.index("talks")], 2, axis=1))


@pytest.mark.parametrize("profile", ["hawks", "doves"])
def test_enumeration_equals_the_first_no_stage_reference_on_every_strategy(staged, profile):
    data, arrays, scenarios = staged
    space = strategy_space(arrays)
    X = feasible_strategies(space)
    assert len(X) > 10
    w = np.asarray(arrays.profile_weights[arrays.profile_ids.index(profile)], dtype=float)
    means, losses = criterion_means(space, X, scenarios)
    values = (means - losses) @ w
    per_draw = scenario_values(space, X, scenarios, w)
    ref = Reference(data, arrays)
    for r, x in enumerate(X):
        strategy = set(space.ids(x))
        expected = np.array([ref.value(strategy, scenarios, d, w) for d in range(scenarios.n_draws)])
        np.testing.assert_allclose(per_draw[r], expected, rtol=0, atol=1e-12, err_msg=str(strategy))
        assert values[r] == pytest.approx(expected.mean(), abs=1e-12), strategy


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_enumeration_equals_the_reference_on_random_staged_cases(seed):
    data = random_staged_case(6, seed, spread=3.0)
    arrays = compile_case(parse_case(data))
    assert arrays.n_stages > 1
    scenarios = draw_scenarios(arrays, 80, rng=seed)
    space = strategy_space(arrays)
    X = feasible_strategies(space)
    w = np.asarray(arrays.weights, dtype=float)
    means, losses = criterion_means(space, X, scenarios)
    ref = Reference(data, arrays)
    for r, x in enumerate(X):
        strategy = set(space.ids(x))
        expected = np.mean([ref.value(strategy, scenarios, d, w) for d in range(scenarios.n_draws)])
        assert (means[r] - losses[r]) @ w == pytest.approx(expected, abs=1e-12), strategy


def test_scenarios_are_the_same_however_they_are_chunked(staged):
    _, arrays, scenarios = staged
    whole = draw_scenarios(arrays, 2100, rng=17)
    parts = list(iter_scenarios(arrays, 2100, rng=17, chunk=1024))
    np.testing.assert_array_equal(np.concatenate([p.stage_failures for p in parts]), whole.stage_failures)
    np.testing.assert_array_equal(whole.stage_failures[:300], scenarios.stage_failures)
    assert scenario_bytes(arrays) == 8 * (4 * arrays.n_options * arrays.n_criteria + 2 * arrays.n_preconditions)


def _milp_and_enumeration(arrays, **common):
    milp = optimise_strategies(arrays, engine="milp", **common)
    enum = optimise_strategies(arrays, engine="enumerate", **common)
    assert milp.status == "optimal" and milp.engine == "milp"
    assert milp.best == enum.best
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)
    # At optimality the MILP's own objective is the exact sample-average value: its formulation
    # of the stages is exact, not merely good enough to pick the same strategy.
    assert milp.bound == pytest.approx(enum.in_sample[0], abs=1e-7)
    return milp, enum


@pytest.mark.parametrize("pattern_limit", [milp_model.PATTERN_LIMIT, 1, 0])
@pytest.mark.parametrize("weights", ["hawks", "doves"])
def test_milp_equals_enumeration_on_the_staged_case(monkeypatch, pattern_limit, weights):
    # PATTERN_LIMIT 0 writes every stage prefix's viability with per-scenario y rows; 1 mixes them
    monkeypatch.setattr(milp_model, "PATTERN_LIMIT", pattern_limit)
    arrays = compile_case(parse_case(staged_case()))
    _milp_and_enumeration(arrays, n_scenarios=120, rng=5, weights=weights, out_of_sample=0, stability=0, top=3)


@pytest.mark.parametrize("weights", ["maximin", "minimax_regret"])
def test_robust_objectives_with_stages(weights):
    arrays = compile_case(parse_case(staged_case()))
    milp = optimise_strategies(arrays, engine="milp", n_scenarios=100, rng=8, weights=weights, out_of_sample=0,
                               stability=0, top=1)
    enum = optimise_strategies(arrays, engine="enumerate", n_scenarios=100, rng=8, weights=weights,
                               out_of_sample=0, stability=0, top=1)
    assert milp.best == enum.best
    np.testing.assert_allclose(milp.in_sample, enum.in_sample, atol=1e-9)


@pytest.mark.parametrize("n_options, seed, pattern_limit", [(7, 1, None), (8, 2, None), (7, 4, 0), (9, 6, None)])
def test_milp_equals_enumeration_on_random_staged_cases(monkeypatch, n_options, seed, pattern_limit):
    if pattern_limit is not None:
        monkeypatch.setattr(milp_model, "PATTERN_LIMIT", pattern_limit)
    arrays = compile_case(parse_case(random_staged_case(n_options, seed, spread=2.5)))
    assert arrays.n_stages > 1
    _milp_and_enumeration(arrays, n_scenarios=80, rng=seed, out_of_sample=0, stability=0, top=2)


def test_the_order_of_the_stages_changes_the_choice():
    common = dict(n_scenarios=400, rng=3, out_of_sample=2000, stability=0, top=2)
    arrays = compile_case(parse_case(ordering_case()))
    milp, enum = _milp_and_enumeration(arrays, **common)
    assert enum.best == milp.best == ("a",)
    # A model ignoring the order (every no scores the first stage's profile) picks b, by both engines.
    ignoring = compile_case(parse_case(ordering_case(stages=False)))
    wrong_milp, wrong_enum = _milp_and_enumeration(ignoring, **common)
    assert wrong_enum.best == wrong_milp.best == ("b",)
    # ... and b is in truth worse than a by a clear margin, on fresh scenarios
    fresh = draw_scenarios(arrays, 20_000, rng=99)
    gap = evaluate_strategy(arrays, ["a"], fresh) - evaluate_strategy(arrays, ["b"], fresh)
    assert gap.mean() > 10 * gap.std(ddof=1) / np.sqrt(len(gap))


def _digest(s) -> str:
    return hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes()
                                   for a in (s.planned, s.failure, s.probabilities, s.latent))).hexdigest()


# Recorded with the parent commit of stages in the strategies engine (485a423), on this platform's
# NumPy: the scenarios' bytes and the results, to the last bit.
PARENT_MALI_SCENARIOS = "f0e834b4e24c447587160c620a5da5746b961201589cb8cfc3a64a30fe615782"
PARENT_MALI_IN_SAMPLE = [0.5954299538171818, 0.5937951789581404, 0.5866046987240536]
PARENT_MALI_OUT_OF_SAMPLE = [0.5987177387493753, 0.5964347532817711, 0.5902165043080658]
PARENT_MALI_ADDED = [0.03295643131843551, 0.0022829854676041927, 0.025047991864456165, 0.02073688685858055]
PARENT_RANDOM_SCENARIOS = "7afdc25a227963a50475c7f009af38ba7943a575b61c8f1a99decc0a76c1fa74"
PARENT_RANDOM_IN_SAMPLE = [0.4200959098234394, 0.4081775637255656]
PARENT_RANDOM_OUT_OF_SAMPLE = [0.4239813158441345, 0.40691363281321413]


def test_a_case_without_stages_gives_the_parent_commits_numbers():
    mali = compile_case(load_case(FIRST_EDITION))
    assert mali.n_stages == 1
    scenarios = draw_scenarios(mali, 2500, rng=7)
    assert scenarios.n_stages == 1 and scenarios.stage_failures.shape == (2500, 0, mali.n_options, mali.n_criteria)
    assert _digest(scenarios) == PARENT_MALI_SCENARIOS
    result = optimise_strategies(mali, n_scenarios=400, rng=7, out_of_sample=500, stability=0, top=3)
    assert result.best == ("algeria_mediation", "eu_ransom_policy", "humanitarian_aid", "us_neighbour_aid")
    assert result.in_sample.tolist() == pytest.approx(PARENT_MALI_IN_SAMPLE, rel=1e-12, abs=0)
    assert result.out_of_sample.tolist() == pytest.approx(PARENT_MALI_OUT_OF_SAMPLE, rel=1e-12, abs=0)
    assert result.added.tolist() == pytest.approx(PARENT_MALI_ADDED, rel=1e-12, abs=1e-15)
    assert not any("stages" in note for note in result.notes)

    other = compile_case(parse_case(random_case(7, 2, spread=2.0)))
    assert _digest(draw_scenarios(other, 1500, rng=9)) == PARENT_RANDOM_SCENARIOS
    for engine in ("enumerate", "milp"):
        r = optimise_strategies(other, n_scenarios=150, rng=9, out_of_sample=300, stability=0, top=2, engine=engine)
        assert r.strategies == (("o0", "o3"), ("o0", "o1"))
        # to the last bits: summation order may differ by an ulp between builds of NumPy/numba
        assert r.in_sample.tolist() == pytest.approx(PARENT_RANDOM_IN_SAMPLE, rel=1e-12, abs=0)
        assert r.out_of_sample.tolist() == pytest.approx(PARENT_RANDOM_OUT_OF_SAMPLE, rel=1e-12, abs=0)


def test_one_stage_is_the_option_without_stages():
    plain = staged_case()
    single = copy.deepcopy(plain)
    for data in (plain, single):  # the force without its later stages, two ways
        force = next(o for o in data["options"] if o["id"] == "force")
        support = next(o for o in data["options"] if o["id"] == "support")
        questions = [q for s in force["stages"] for q in s["requires"]]
        failure = force["stages"][1]["failure"]
        support_q = [q for s in support["stages"] for q in s["requires"]]
        support_failure = support["stages"][0]["failure"]
        if data is plain:
            for o, qs, f in ((force, questions, failure), (support, support_q, support_failure)):
                del o["stages"]
                o["requires"] = [*qs, *o.get("requires", [])]
                o["failure"] = f
        else:
            force["stages"] = [{"id": "all", "requires": questions, "failure": failure}]
            support["stages"] = [{"id": "all", "requires": support_q, "failure": support_failure}]
    a, b = compile_case(parse_case(plain)), compile_case(parse_case(single))
    assert a.n_stages == b.n_stages == 1
    sa, sb = draw_scenarios(a, 700, rng=4), draw_scenarios(b, 700, rng=4)
    assert _digest(sa) == _digest(sb)
    common = dict(n_scenarios=150, rng=4, out_of_sample=400, top=3, weights="doves")
    for engine in ("enumerate", "milp"):
        ra = optimise_strategies(a, engine=engine, stability=1 if engine == "enumerate" else 0, **common)
        rb = optimise_strategies(b, engine=engine, stability=1 if engine == "enumerate" else 0, **common)
        assert ra.strategies == rb.strategies
        for name in ("in_sample", "out_of_sample", "oos_sd", "added", "without_value", "profile_means"):
            np.testing.assert_array_equal(getattr(ra, name), getattr(rb, name), err_msg=name)
        assert ra.stability_runs == rb.stability_runs


def test_stages_leave_the_other_draws_as_they_were(staged):
    # The later stages' uniforms come after a block's other draws: the same case without its
    # later stages draws the same planned and first-stage outcomes, probabilities and uniforms.
    data, arrays, scenarios = staged
    flat = copy.deepcopy(data)
    for o in flat["options"]:
        if "stages" in o:
            o["requires"] = [q for s in o["stages"] for q in s["requires"]] + o.get("requires", [])
            o["failure"] = o.pop("stages")[0]["failure"]
    plain = draw_scenarios(compile_case(parse_case(flat)), 300, rng=17)
    for name in ("planned", "failure", "probabilities", "latent"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(scenarios, name))


def test_a_single_option_strategy_agrees_with_scores_expected_value():
    data = staged_case(points=True)
    arrays = compile_case(parse_case(data))
    table = score(arrays).table
    n = 200_000
    scenarios = draw_scenarios(arrays, n, rng=23)
    space = strategy_space(arrays)
    checked = 0
    for k, oid in enumerate(space.option_ids):
        members = [space.option_ids[m] for m in np.flatnonzero(space.closure[k])]  # its smallest strategy
        values = evaluate_strategy(arrays, members, scenarios)
        se = values.std(ddof=1) / np.sqrt(n)
        expected = table.loc[oid, "expected_value"]
        assert abs(values.mean() - expected) < 4 * se, (oid, values.mean(), expected, se)
        checked += 1
    assert checked == 5


@pytest.mark.parametrize("pattern_limit", [milp_model.PATTERN_LIMIT, 0])
@pytest.mark.parametrize("include, exclude", [(["support"], []), (["mediation"], ["talks"])])
def test_milp_with_demanded_staged_options(monkeypatch, pattern_limit, include, exclude):
    # a demanded option's terms bound the outcome directly (not through the knapsack)
    monkeypatch.setattr(milp_model, "PATTERN_LIMIT", pattern_limit)
    arrays = compile_case(parse_case(staged_case()))
    _milp_and_enumeration(arrays, n_scenarios=100, rng=2, out_of_sample=0, stability=0, top=2,
                          include=include, exclude=exclude)
