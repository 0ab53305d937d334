"""Cross-reference checks on a schema-valid case: ids, cycles, completeness, weights, correlations.

Each check returns :class:`~decide.errors.Problem` objects with a field path; the loader adds the
file and line. All problems are collected, never only the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from pydantic import BaseModel

from decide.errors import Problem
from decide.spec import (
    Case,
    CriteriaGroup,
    DiscreteScore,
    Evidence,
    PointScore,
    Score,
    WeightMethod,
    WeightOrder,
)
from decide.structure import dependency_closure, imprecise_constraints, iter_nodes, leaves
from decide.weighting import RESERVED_PROFILE_IDS

__all__ = ["check_case"]


def check_case(case: Case) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_ids(case)
    problems += _check_criteria_weights(case)
    problems += _check_options(case)
    problems += _check_dependencies(case)
    problems += _check_preconditions(case)
    problems += _check_weights(case)
    problems += _check_findings(case)
    problems += _check_evidence_sections(case)
    problems += _check_common_mode(case)
    return problems


def _check_common_mode(case: Case) -> list[Problem]:
    nodes = dict.fromkeys(n.id for _, n, _ in iter_nodes(case.criteria.criteria))
    return [Problem(f"'{c}' is not a criterion or group of the criteria set; known: {_listing(nodes)}",
                    f"common_mode[{i}].criteria[{j}]")
            for i, entry in enumerate(case.common_mode) for j, c in enumerate(entry.criteria) if c not in nodes]


def _walk_evidence(value, path: str) -> Iterator[tuple[str, Evidence]]:
    if isinstance(value, Evidence):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "criteria":
                yield from _walk_evidence(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_evidence(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk_evidence(item, f"{path}[{i}]")


def _check_evidence_sections(case: Case) -> list[Problem]:
    """Evidence must cite a section the case's source declares (when it declares any)."""
    if case.source is None or not case.source.sections:
        return []
    declared = set(case.source.sections)
    return [Problem(f"section '{ev.section}' is not among the source's sections (source.sections); "
                    "cite a declared heading, spelled as declared", f"{path}.section")
            for path, ev in _walk_evidence(case, "") if ev.section not in declared]


def _check_findings(case: Case) -> list[Problem]:
    problems = _duplicates(((f"findings[{i}]", f.id) for i, f in enumerate(case.findings)), "finding")
    problems += _duplicates(((f"strategies[{i}]", s.id) for i, s in enumerate(case.strategies)), "strategy")
    option_ids = dict.fromkeys(o.id for o in case.options)
    for i, strategy in enumerate(case.strategies):
        for j, ref in enumerate(strategy.options):
            if ref not in option_ids:
                problems.append(Problem(f"unknown option '{ref}'; known: {_listing(option_ids)}",
                                        f"strategies[{i}].options[{j}]"))
    precondition_ids = dict.fromkeys(q.id for q in case.preconditions)
    for i, finding in enumerate(case.findings):
        for j, claim in enumerate(finding.claims):
            here = f"findings[{i}].claims[{j}]"
            for ref in (claim.better, claim.than):
                if ref is not None and ref not in option_ids:
                    problems.append(Problem(f"unknown option '{ref}'; known: {_listing(option_ids)}", here))
            if claim.precondition_matters is not None and claim.precondition_matters not in precondition_ids:
                problems.append(Problem(f"unknown precondition '{claim.precondition_matters}'; known: "
                                        f"{_listing(precondition_ids)}", here))
    return problems


def _duplicates(items: Iterable[tuple[str, str]], what: str) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for path, ident in items:
        if ident in seen:
            problems.append(Problem(f"duplicate {what} id '{ident}' (also at {seen[ident]}); ids must be unique",
                                    f"{path}.id"))
        else:
            seen[ident] = path
    return problems


def _check_ids(case: Case) -> list[Problem]:
    problems = _duplicates(((p, n.id) for p, n, _ in iter_nodes(case.criteria.criteria)), "criterion")
    problems += _duplicates(((f"options[{i}]", o.id) for i, o in enumerate(case.options)), "option")
    problems += _duplicates(((f"preconditions[{i}]", q.id) for i, q in enumerate(case.preconditions)), "precondition")
    problems += _duplicates(((f"resources[{i}]", r.id) for i, r in enumerate(case.resources)), "resource")
    problems += _duplicates(((f"weights.profiles[{i}]", w.id) for i, w in enumerate(case.weights.profiles)),
                            "weight profile")
    if len(case.options) < 2:
        problems.append(Problem(f"a decision needs at least two options; found {len(case.options)}", "options"))
    baselines = [o.id for o in case.options if o.baseline]
    if len(baselines) > 1:
        problems.append(Problem(f"at most one option may be the baseline; found {', '.join(baselines)}", "options"))
    return problems


def _check_criteria_weights(case: Case) -> list[Problem]:
    problems = []
    if sum(n.weight for n in case.criteria.criteria) <= 0:
        problems.append(Problem("top-level criteria weights are all zero: they cannot be normalised; "
                                "give at least one a positive weight", "criteria.criteria"))
    for path, node, _ in iter_nodes(case.criteria.criteria):
        if isinstance(node, CriteriaGroup) and sum(c.weight for c in node.children) <= 0:
            problems.append(Problem(f"weights of the children of '{node.id}' are all zero: they cannot be "
                                    "normalised; give at least one a positive weight", f"{path}.children"))
    return problems


def _children(parent: str) -> str:
    """The siblings under ``parent`` in the user's words (the tree's root has no name of theirs)."""
    return "the top-level criteria" if parent == "root" else f"the children of '{parent}'"


def _score_bounds(score: Score) -> tuple[float, float]:
    if isinstance(score, PointScore):
        return score.value, score.value
    if isinstance(score, DiscreteScore):
        return min(score.values), max(score.values)
    return score.low, score.high


def _check_options(case: Case) -> list[Problem]:
    problems = []
    leaf_by_id = {c.id: c for c in leaves(case.criteria.criteria)}
    group_ids = {n.id for _, n, _ in iter_nodes(case.criteria.criteria) if isinstance(n, CriteriaGroup)}
    option_ids = dict.fromkeys(o.id for o in case.options)
    precondition_ids = dict.fromkeys(q.id for q in case.preconditions)
    resource_ids = dict.fromkeys(r.id for r in case.resources)
    has_baseline = any(o.baseline for o in case.options)
    for i, option in enumerate(case.options):
        here = f"options[{i}]"
        tables = [("scores", option.scores), ("failure", option.failure)] + [
            (f"stages[{k}].failure", stage.failure) for k, stage in enumerate(option.stages)]
        for field_name, table in tables:
            for crit_id, score in table.items():
                crit = leaf_by_id.get(crit_id)
                if crit is None:
                    kind = "a group, not a leaf criterion" if crit_id in group_ids else "not a criterion"
                    problems.append(Problem(f"'{crit_id}' is {kind}; score leaf criteria: "
                                            f"{_listing(leaf_by_id)}", f"{here}.{field_name}.{crit_id}"))
                    continue
                low, high = _score_bounds(score)
                if low < crit.scale.low or high > crit.scale.high:
                    problems.append(Problem(
                        f"outcome range [{low:g}, {high:g}] leaves the scale of '{crit_id}' "
                        f"[{crit.scale.low:g}, {crit.scale.high:g}]", f"{here}.{field_name}.{crit_id}"))
        missing = [c for c in leaf_by_id if c not in option.scores]
        if missing:
            problems.append(Problem(f"no score for {'criterion' if len(missing) == 1 else 'criteria'} "
                                    f"{', '.join(missing)}; every option scores "
                                    "every leaf criterion", f"{here}.scores"))
        hard = [r for r in option.requires if not r.soft]
        if hard and not has_baseline and set(option.failure) != set(leaf_by_id):
            problems.append(Problem(
                "an option with hard requirements needs a failure profile for every criterion, or the case "
                "needs a baseline option (baseline: true) whose outcomes fill the gaps", f"{here}.failure"))
        seen_stage: dict[str, int] = {}
        seen_question: dict[str, str] = {}
        for k, stage in enumerate(option.stages):
            where = f"{here}.stages[{k}]"
            if stage.id in seen_stage:
                problems.append(Problem(f"stage id '{stage.id}' is used twice in this option (also "
                                        f"stages[{seen_stage[stage.id]}])", f"{where}.id"))
            seen_stage.setdefault(stage.id, k)
            if not has_baseline and set(stage.failure) != set(leaf_by_id):
                problems.append(Problem(
                    "a stage needs a failure profile for every criterion, or the case needs a baseline option "
                    "(baseline: true) whose outcomes fill the gaps", f"{where}.failure"))
            for j, q in enumerate(stage.requires):
                if q not in precondition_ids:
                    problems.append(Problem(f"requires unknown precondition '{q}'; known: "
                                            f"{_listing(precondition_ids)}", f"{where}.requires[{j}]"))
                elif q in seen_question:
                    problems.append(Problem(f"'{q}' is already required at stage '{seen_question[q]}'; a question "
                                            "belongs to one stage", f"{where}.requires[{j}]"))
                seen_question.setdefault(q, stage.id)
        for j, req in enumerate(option.requires):
            if req.precondition not in precondition_ids:
                problems.append(Problem(f"requires unknown precondition '{req.precondition}'; known: "
                                        f"{_listing(precondition_ids)}", f"{here}.requires[{j}]"))
            for crit_id in req.consequence:
                if crit_id not in leaf_by_id:
                    kind = "a group, not a leaf criterion" if crit_id in group_ids else "not a criterion"
                    problems.append(Problem(f"'{crit_id}' is {kind}; a consequence names leaf criteria: "
                                            f"{_listing(leaf_by_id)}", f"{here}.requires[{j}].consequence.{crit_id}"))
        for field_name in ("depends_on", "excludes"):
            for j, other in enumerate(getattr(option, field_name)):
                if other not in option_ids:
                    problems.append(Problem(f"unknown option '{other}'; known: {_listing(option_ids)}",
                                            f"{here}.{field_name}[{j}]"))
                elif other == option.id:
                    problems.append(Problem(f"an option cannot list itself in {field_name}", f"{here}.{field_name}[{j}]"))
        for other in set(option.depends_on) & set(option.excludes):
            problems.append(Problem(f"'{option.id}' both depends on and excludes '{other}'", f"{here}.excludes"))
        for res in option.uses:
            if res not in resource_ids:
                problems.append(Problem(f"unknown resource '{res}'; declare it under resources (known: "
                                        f"{_listing(resource_ids)})", f"{here}.uses.{res}"))
    return problems


def _check_dependencies(case: Case) -> list[Problem]:
    deps = {o.id: [d for d in o.depends_on if d != o.id] for o in case.options}
    index = {o.id: i for i, o in enumerate(case.options)}
    state: dict[str, int] = {}
    problems = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in deps.get(node, []):
            if nxt not in deps:
                continue
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                problems.append(Problem(f"dependency cycle: {' -> '.join(cycle)}; depends_on must not loop",
                                        f"options[{index[node]}].depends_on"))
            elif state.get(nxt) is None:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for option_id in deps:
        if option_id not in state:
            visit(option_id, [option_id])
    # Exclusions that a dependency forces make an option impossible.
    closure = dependency_closure({o: d for o, d in deps.items()}) if not problems else {}
    excluded = {o.id: set(o.excludes) for o in case.options}
    for option in case.options:
        needed = closure.get(option.id, set())
        # Self-exclusion and an option excluding its own direct dependency are reported above.
        clashes = sorted({(a, b) for a in needed for b in excluded[a] & needed
                          if a != b and (a != option.id or b not in option.depends_on)})
        for a, b in clashes:
            problems.append(Problem(f"'{option.id}' needs both '{a}' and '{b}' (through depends_on), but '{a}' "
                                    "excludes it", f"options[{index[option.id]}].depends_on"))
    return problems


def _check_preconditions(case: Case) -> list[Problem]:
    problems = []
    ids = [q.id for q in case.preconditions]
    known = dict.fromkeys(ids)
    option_ids = dict.fromkeys(o.id for o in case.options)
    for i, enabler in enumerate(case.enablers):
        if enabler.option not in option_ids:
            problems.append(Problem(f"unknown option '{enabler.option}'; known: {_listing(option_ids)}",
                                    f"enablers[{i}].option"))
        if enabler.precondition not in known:
            problems.append(Problem(f"unknown precondition '{enabler.precondition}'; known: {_listing(known)}",
                                    f"enablers[{i}].precondition"))
    rho = np.eye(len(ids))
    seen: dict[frozenset[str], int] = {}
    for i, corr in enumerate(case.correlations):
        a, b = corr.between
        bad = [x for x in (a, b) if x not in known]
        if bad:
            problems.append(Problem(f"unknown precondition {', '.join(map(repr, bad))}; known: {_listing(known)}",
                                    f"correlations[{i}].between"))
            continue
        if a == b:
            problems.append(Problem("a precondition's correlation with itself is 1; name two different ones",
                                    f"correlations[{i}].between"))
            continue
        pair = frozenset((a, b))
        if pair in seen:
            problems.append(Problem(f"correlation of {a} and {b} given twice (also correlations[{seen[pair]}])",
                                    f"correlations[{i}]"))
            continue
        seen[pair] = i
        rho[ids.index(a), ids.index(b)] = rho[ids.index(b), ids.index(a)] = corr.rho
    if case.correlations and len(ids) and np.linalg.eigvalsh(rho).min() < -1e-10:
        problems.append(Problem(
            f"the correlations do not form a valid correlation matrix (not positive semi-definite; smallest "
            f"eigenvalue {np.linalg.eigvalsh(rho).min():.3g}); weaken the correlations that contradict each other",
            "correlations"))
    return problems


def _check_weights(case: Case) -> list[Problem]:
    problems = []
    nodes = {n.id: (n, parent) for _, n, parent in iter_nodes(case.criteria.criteria)}
    groups = {n.id: n for n, _ in nodes.values() if isinstance(n, CriteriaGroup)}
    children_of = {"root": [n.id for n in case.criteria.criteria]} | {
        g: [c.id for c in grp.children] for g, grp in groups.items()}
    profile_ids = [p.id for p in case.weights.profiles]
    if case.weights.default is not None and case.weights.default not in profile_ids:
        problems.append(Problem(f"default profile '{case.weights.default}' is not among the profiles: "
                                f"{_listing(profile_ids)}", "weights.default"))
    for i, profile in enumerate(case.weights.profiles):
        here = f"weights.profiles[{i}]"
        if profile.id in RESERVED_PROFILE_IDS:
            problems.append(Problem(f"'{profile.id}' is a keyword of weights= (reserved: "
                                    f"{_listing(sorted(RESERVED_PROFILE_IDS))}); give the profile another id",
                                    f"{here}.id"))
        by_parent: dict[str, list[tuple[str, float]]] = {}
        for node_id, entry in profile.weights.items():
            if node_id not in nodes:
                problems.append(Problem(f"unknown criterion '{node_id}'; known: {_listing(nodes)}",
                                        f"{here}.weights.{node_id}"))
                continue
            parent = nodes[node_id][1] or "root"
            by_parent.setdefault(parent, []).append((node_id, entry.value))
        for parent, given in by_parent.items():
            siblings = children_of[parent]
            missing = [s for s in siblings if s not in dict(given)]
            if missing:
                problems.append(Problem(
                    f"weights given for some of {_children(parent)} but not for {', '.join(missing)}; "
                    "give all siblings or none", f"{here}.weights"))
            if sum(v for _, v in given) <= 0:
                problems.append(Problem(f"weights of {_children(parent)} are all zero: they cannot be "
                                        "normalised", f"{here}.weights"))
            if profile.method is WeightMethod.SWING and given and max(v for _, v in given) != 100:
                problems.append(Problem(f"swing weights of {_children(parent)} must give 100 points to "
                                        "the most valued swing", f"{here}.weights"))
        for j, comp in enumerate(profile.comparisons):
            where = f"{here}.comparisons[{j}]"
            if comp.parent not in children_of:
                problems.append(Problem(f"'{comp.parent}' is not a group; compare the children of a group or "
                                        f"'root' (groups: {_listing(children_of)})", f"{where}.parent"))
                continue
            if sorted(comp.order) != sorted(children_of[comp.parent]):
                problems.append(Problem(f"order must list exactly {_children(comp.parent)}: "
                                        f"{', '.join(children_of[comp.parent])}", f"{where}.order"))
            n = len(comp.order)
            matrix = np.asarray(comp.matrix, dtype=float) if all(len(r) == n for r in comp.matrix) else None
            if matrix is None or matrix.shape != (n, n):
                problems.append(Problem(f"matrix must be {n} x {n} (one row and column per entry of order)",
                                        f"{where}.matrix"))
            elif not np.allclose(matrix * matrix.T, 1.0, rtol=1e-2) or not np.allclose(np.diag(matrix), 1.0):
                problems.append(Problem("matrix must be reciprocal (a[j][i] = 1 / a[i][j], ones on the diagonal)",
                                        f"{where}.matrix"))
    for i, statement in enumerate(case.weights.imprecise):
        refs = (statement.greater, statement.lesser) if isinstance(statement, WeightOrder) else (statement.node,)
        for ref in refs:
            if ref not in nodes:
                problems.append(Problem(f"unknown criterion '{ref}'; known: {_listing(nodes)}",
                                        f"weights.imprecise[{i}]"))
    if case.weights.imprecise and not problems:
        a_ub, b_ub = imprecise_constraints(case)
        if not _feasible(a_ub, b_ub, _candidate_weights(case)):
            problems.append(Problem("the imprecise weight statements contradict each other: no weights satisfy "
                                    "them all", "weights.imprecise"))
    return problems


def _candidate_weights(case: Case) -> list[np.ndarray]:
    """Weight vectors the case states (the tree's, each direct or swing profile's), tried before an LP."""
    from decide.compile import tree_leaf_weights

    local = [{}] + [{k: e.value for k, e in p.weights.items()} for p in case.weights.profiles
                    if p.method is not WeightMethod.AHP]
    out = []
    for weights in local:
        try:
            with np.errstate(all="ignore"):
                out.append(tree_leaf_weights(case, weights))
        except (ArithmeticError, ValueError):
            continue
    return out


def _feasible(a_ub: np.ndarray, b_ub: np.ndarray, candidates: Iterable[np.ndarray] = ()) -> bool:
    # A stated weight vector that meets every statement proves them consistent without SciPy's
    # linprog, whose import alone (about 0.5 s) would double the start-up of validate and score.
    for w in candidates:
        if w.shape == (a_ub.shape[1],) and np.isfinite(w).all() and (a_ub @ w <= b_ub + 1e-9).all():
            return True
    from scipy.optimize import linprog

    n = a_ub.shape[1]
    res = linprog(np.zeros(n), A_ub=a_ub if len(a_ub) else None, b_ub=b_ub if len(b_ub) else None,
                  A_eq=np.ones((1, n)), b_eq=[1.0], bounds=[(0, 1)] * n, method="highs")
    return res.status == 0


def _listing(ids: Iterable[str]) -> str:
    ids = list(ids)
    if not ids:
        return "none"
    return ", ".join(ids[:12]) + (f", ... ({len(ids)} in all)" if len(ids) > 12 else "")
