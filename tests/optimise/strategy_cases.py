"""Seeded random strategy cases and a plain-Python reference evaluator (test helpers, not tests).

``random_case`` writes a whole case as the YAML mapping a user would write (so the loader,
checks and compiler all run), shaped like DESIGN.md's "Strategies": a baseline, options with
uncertain scores and failure profiles, hard and soft requirements, dependency chains, exclusions,
enablers of every kind, three budgets, several weight profiles and imprecise statements.

``reference_value`` evaluates one strategy in one scenario straight from the definition in
:mod:`decide.optimise.strategy`, option by option with the recursion on dependencies, in plain
Python -- none of the matrix algebra the engines use. It applies DESIGN.md's two rules itself:
a failed option's unlisted criteria are the baseline's outcome in the same scenario, and a soft
"no" costs, on each criterion, the largest loss among the chosen options that go ahead.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from decide.compile import CaseArrays, apply_enablers


def random_case(n_options: int, seed: int, *, n_criteria: int = 4, n_preconditions: int = 3,
                n_resources: int = 3, budget_share: float = 0.4, imprecise: bool = True,
                n_profiles: int = 3, spread: float | None = None, soft: float = 0.25,
                consequence: float = 0.0) -> dict[str, Any]:
    """A valid case mapping with ``n_options`` options besides the baseline ``status_quo``.

    Outcomes range over the whole 0-10 scale, or, with ``spread``, within ``spread`` of the
    baseline (options that change things less, so the scale's ends bind less often). Each
    requirement is soft with probability ``soft``; a soft one states its cost as a consequence on
    one or two criteria with probability ``consequence`` (else a flat penalty; with 0, the
    random stream is the one cases drew before consequences existed).
    """
    rng = np.random.default_rng(seed)
    criteria = []
    for c in range(n_criteria):
        crit: dict[str, Any] = {
            "id": f"c{c}", "name": f"Criterion {c}",
            "direction": "higher_is_better" if c % 3 != 1 else "lower_is_better",
            "scale": {"low": 0, "high": 10, "low_means": "worst", "high_means": "best"},
        }
        if c % 4 == 2:  # a concave value function
            crit["value_function"] = [[0, 0], [4, 0.6], [10, 1]]
        elif c % 4 == 3:  # a convex one
            crit["value_function"] = [[0, 0], [6, 0.3], [10, 1]]
        criteria.append(crit)

    base_level = rng.uniform(2, 6, n_criteria)

    def score(c: int) -> Any:
        kind = rng.integers(4)
        if spread is None:
            lo, hi = sorted(rng.uniform(0, 10, 2))
        else:
            lo, hi = sorted(np.clip(base_level[c] + rng.uniform(-spread, spread, 2), 0, 10))
        hi = max(hi, lo + 0.5)
        if hi > 10:
            lo, hi = 9.5, 10.0
        if kind == 0:
            return round(float(rng.uniform(lo, hi)), 2)
        if kind == 1:
            return {"kind": "triangular", "low": float(lo), "mode": float((lo + hi) / 2), "high": float(hi)}
        if kind == 2:
            return {"kind": "uniform", "low": float(lo), "high": float(hi)}
        return {"kind": "pert", "low": float(lo), "mode": float(lo + 0.3 * (hi - lo)), "high": float(hi)}

    options: list[dict[str, Any]] = [{
        "id": "status_quo", "name": "Status quo", "baseline": True,
        "scores": {f"c{c}": round(float(base_level[c]), 2) for c in range(n_criteria)},
    }]
    pre_ids = [f"q{q}" for q in range(n_preconditions)]
    res_ids = [f"r{r}" for r in range(n_resources)]
    uses = rng.uniform(1, 10, (n_options, n_resources))
    for k in range(n_options):
        option: dict[str, Any] = {
            "id": f"o{k}", "name": f"Option {k}",
            "scores": {f"c{c}": score(c) for c in range(n_criteria)},
            "uses": {res_ids[r]: round(float(uses[k, r]), 2) for r in range(n_resources)},
        }
        n_req = int(rng.integers(0, 3))
        requires: list[Any] = []
        for q in rng.choice(n_preconditions, size=min(n_req, n_preconditions), replace=False):
            if rng.random() < soft:
                penalty = round(float(rng.uniform(0.01, 0.1)), 3)
                if consequence and rng.random() < consequence:
                    hit = rng.choice(n_criteria, size=min(2, n_criteria), replace=False)
                    requires.append({"precondition": pre_ids[q], "soft": True,
                                     "consequence": {f"c{c}": round(float(rng.uniform(0.05, 0.4)), 3) for c in hit}})
                else:
                    requires.append({"precondition": pre_ids[q], "soft": True, "penalty": penalty})
            else:
                requires.append(pre_ids[q])
        if requires:
            option["requires"] = requires
        if rng.random() < 0.6:
            failing = rng.choice(n_criteria, size=int(rng.integers(1, n_criteria + 1)), replace=False)
            option["failure"] = {f"c{c}": round(float(rng.uniform(0, 10)), 2) for c in failing}
        options.append(option)
    # Dependency chains (later on earlier) and exclusions that no dependency contradicts.
    deps: dict[int, list[int]] = {}
    for k in range(1, n_options):
        if rng.random() < 0.3:
            deps[k] = [int(rng.integers(0, k))]
    closure = {k: {k} for k in range(n_options)}
    for k in range(n_options):
        for d in deps.get(k, []):
            closure[k] |= closure[d]
    excl: list[tuple[int, int]] = []
    for _ in range(max(1, n_options // 4)):
        a, b = sorted(int(v) for v in rng.choice(n_options, 2, replace=False))
        if any(x in closure[b] or y in closure[a] for x in closure[a] for y in closure[b]) or (a, b) in excl:
            continue
        # excluding a from b must not force a clash within any option's own closure
        if any(a in closure[k] and b in closure[k] for k in range(n_options)):
            continue
        excl.append((a, b))
    for k, ds in deps.items():
        options[k + 1]["depends_on"] = [f"o{d}" for d in ds]
    for a, b in excl:
        options[a + 1].setdefault("excludes", []).append(f"o{b}")

    preconditions = []
    for q in range(n_preconditions):
        kind = q % 3
        prob: Any = round(float(rng.uniform(0.3, 0.8)), 2)
        if kind == 1:
            lo = float(rng.uniform(0.2, 0.6))
            prob = {"low": round(lo, 2), "high": round(lo + 0.2, 2)}
        elif kind == 2:
            prob = {"alpha": round(float(rng.uniform(2, 6)), 2), "beta": round(float(rng.uniform(2, 6)), 2)}
        preconditions.append({"id": pre_ids[q], "question": f"Question {q}?", "probability": prob})
    enablers = []
    effects = [{"add": 0.2}, {"odds_ratio": 2.0}, {"to": 0.9}, {"add": -0.1}]
    for q in range(n_preconditions):
        for k in rng.choice(n_options, size=int(rng.integers(0, 3)), replace=False):
            enablers.append({"option": f"o{k}", "precondition": pre_ids[q], **effects[int(rng.integers(4))]})
    resources = [{"id": res_ids[r], "name": f"Resource {r}",
                  "budget": round(float(budget_share * uses[:, r].sum()), 2)} for r in range(n_resources)]
    profiles = []
    for p in range(n_profiles):
        w = rng.dirichlet(np.ones(n_criteria))
        profiles.append({"id": f"p{p}", "name": f"Profile {p}",
                         "weights": {f"c{c}": round(float(w[c]) + 0.01, 3) for c in range(n_criteria)}})
    weights: dict[str, Any] = {"profiles": profiles}
    if imprecise:
        weights["imprecise"] = [{"node": "c0", "low": 0.1, "high": 0.6},
                                {"greater": "c1", "lesser": f"c{n_criteria - 1}"}]
    case = {
        "decide": 1, "id": f"random{seed}", "title": f"Random strategy case {seed}",
        "criteria": {"id": "crit", "name": "Criteria", "criteria": criteria},
        "options": options, "preconditions": preconditions, "enablers": enablers,
        "resources": resources, "weights": weights,
    }
    if n_preconditions >= 2:
        case["correlations"] = [{"between": [pre_ids[0], pre_ids[1]], "rho": 0.5}]
    return case


def reference_value(arrays: CaseArrays, strategy: set[str], planned, failure, probabilities, latent,
                    weights) -> float:
    """Value of ``strategy`` (option ids) in one scenario, straight from the definition.

    ``planned``/``failure`` are ``(option, criterion)`` for the scenario, ``probabilities`` and
    ``latent`` ``(precondition,)``.
    """
    ids = list(arrays.option_ids)
    b = arrays.baseline
    base = planned[b]
    chosen = sorted(ids.index(o) for o in strategy)
    active = np.array([arrays.enabler_option[e] in chosen for e in range(len(arrays.enabler_option))], dtype=bool)
    p = apply_enablers(probabilities, active, arrays)
    holds = [latent[q] < p[q] for q in range(len(latent))]

    def deps(i: int) -> list[int]:
        return [j for j in range(len(ids)) if arrays.closure[i, j] and j != i and j != b]

    def viable(i: int) -> bool:
        return all(holds[q] for j in deps(i) + [i] for q in range(len(latent)) if arrays.hard[j, q])

    planned_change: dict[int, np.ndarray] = {}

    def planned_delta(i: int) -> np.ndarray:
        # own planned outcome minus the dependencies' planned joint outcome
        if i not in planned_change:
            joint = base + sum((planned_delta(j) for j in deps(i)), np.zeros_like(base))
            planned_change[i] = planned[i] - joint
        return planned_change[i]

    def failed(i: int) -> np.ndarray:
        # criteria the failure profile does not list keep the baseline's own outcome in this scenario
        return np.array([base[c] if arrays.failure_is_baseline[i, c] else failure[i, c] for c in range(len(base))])

    actual: dict[int, np.ndarray] = {}

    def change(i: int) -> np.ndarray:
        if i not in actual:
            if viable(i):
                actual[i] = planned_delta(i)
            else:
                # the failure profile replaces the joint outcome of the option with its dependencies
                actual[i] = failed(i) - base - sum((change(j) for j in deps(i)), np.zeros_like(base))
        return actual[i]

    outcome = base + sum((change(i) for i in chosen), np.zeros_like(base))
    value = 0.0
    for c in range(len(base)):
        xs, vs = arrays.value_x[c], arrays.value_v[c]
        e = min(max(outcome[c], arrays.scale_low[c]), arrays.scale_high[c])
        value += weights[c] * float(np.interp(e, xs, vs))
    for q in range(len(latent)):
        if not holds[q]:
            # a soft "no" costs only options that go ahead; on each criterion the largest such loss
            lost = np.max([arrays.soft_loss[i, q] for i in chosen if viable(i)] + [np.zeros(len(base))], axis=0)
            value -= float(np.dot(weights, lost))
    return value


def all_subsets(ids: list[str]):
    """Every subset of ``ids`` (plain itertools; the brute force's candidate list)."""
    for r in range(len(ids) + 1):
        yield from (set(s) for s in itertools.combinations(ids, r))


def plain_feasible(arrays: CaseArrays, strategy: set[str]) -> bool:
    """Dependencies, exclusions, budgets -- checked one by one."""
    ids = list(arrays.option_ids)
    chosen = [ids.index(o) for o in strategy]
    for i in chosen:
        for j in range(len(ids)):
            if arrays.closure[i, j] and j != arrays.baseline and j not in chosen:
                return False
    for i in chosen:
        for j in chosen:
            if arrays.excludes[i, j]:
                return False
    for r in range(len(arrays.budgets)):
        if sum(arrays.uses[i, r] for i in chosen) > arrays.budgets[r] + 1e-9:
            return False
    return True


def is_close(a: float, b: float, tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
