"""Turn a workbook's sheets into the mapping a case file holds, part by part.

One method per part of a case (the case sheet's fields, the value tree, the options with their
stages, scores, requirements and uses, the plain lists, the weight profiles, the findings), each
recording the cell of every field it fills and reporting the workbook's own structural problems
(a score for an option no row defines, a row for an unknown profile) at their cells.
"""

from __future__ import annotations

from typing import Any

from decide.workbook.cells import _Cells, _Row
from decide.workbook.layout import CASE_FIELDS


class _Builder:
    def __init__(self, sheets: dict[str, list[_Row]], cells: _Cells):
        self.sheets, self.cells = sheets, cells

    def rows(self, name: str) -> list[_Row]:
        return self.sheets.get(name, [])

    def build(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        self.case_fields(data)
        self.criteria(data)
        options = self.options(data)
        self.scores(options)
        self.requirements(options)
        self.uses(options)
        self.simple_lists(data)
        self.weights(data)
        self.findings(data)
        return data

    # -- case sheet
    def case_fields(self, data: dict[str, Any]) -> None:
        paths = {name: tuple(p.split(".")) for name, p, _ in CASE_FIELDS}
        source: dict[str, Any] = {}
        self.criteria_meta: dict[str, Any] = {}
        self.criteria_ref: str | None = None
        seen: dict[str, str] = {}
        for row in self.rows("case"):
            name = row.get("field")
            if name is None:
                continue
            if name not in paths:
                self.cells.problem(f"unknown field {name!r}; the case sheet's fields are: "
                                   f"{', '.join(paths)}", "case", row.at("field"))
                continue
            if name in seen:
                self.cells.problem(f"field {name!r} is given twice (first on row {seen[name]})", "case", row.at("field"))
                continue
            seen[name] = str(row.number)
            path = paths[name]
            self.cells.put(path, "case", row.at("value"), name)  # messages name the field, not "value"
            value = row.get("value")
            if name == "criteria" and value is not None:
                self.criteria_ref = value.strip() if isinstance(value, str) else value
                continue
            if value is None:
                continue
            if path[0] == "source":
                source[path[1]] = value
            elif path[0] == "criteria":
                self.criteria_meta[path[1]] = value
            elif path[0] == "weights":
                data.setdefault("weights", {})["default"] = value.strip() if isinstance(value, str) else value
            else:
                data[path[0]] = value
            if name == "id" and isinstance(value, str):
                data["id"] = value.strip()
        for key in ("id", "title"):
            if key not in data and key not in seen:
                self.cells.problem(f"the case sheet has no {key!r} row", "case", "A1", (key,))
        sections = []
        for i, row in enumerate(self.rows("sections")):
            value = row.get("section", ("source", "sections", i))
            if value is not None:
                sections.append(value)
        if self.rows("sections"):
            self.rows("sections")[0].mark(("source", "sections"), "section")
        if sections:
            source["sections"] = sections
        if source:
            data["source"] = source

    # -- criteria sheet
    def criteria(self, data: dict[str, Any]) -> None:
        rows = self.rows("criteria")
        if self.criteria_ref is not None:
            if rows:
                self.cells.problem("the case sheet names a bundled criteria set and the criteria sheet holds one "
                                   "too: leave one of them empty", "case", self._case_row("criteria"), ("criteria",))
            data["criteria"] = self.criteria_ref
            return
        criteria: dict[str, Any] = dict(self.criteria_meta)
        if not rows:
            self.cells.problem("no criteria: fill the criteria sheet, or name a bundled criteria set in the "
                               "case sheet's criteria row", "criteria", "A2", ("criteria",))
            return
        ids = [row.get("id") for row in rows]
        parents = {row.get("parent") for row in rows} - {None}
        nodes: dict[str, tuple[dict[str, Any], tuple]] = {}
        top: list[dict[str, Any]] = []
        leaf_fields = {"direction": "direction", "value_function": "value_function"}
        scale_fields = {"scale_low": "low", "scale_high": "high", "low_means": "low_means",
                        "high_means": "high_means", "unit": "unit"}
        for row, ident in zip(rows, ids):
            parent = row.get("parent")
            if parent is None:
                container, path = top, ("criteria", "criteria", len(top))
            elif parent in nodes and "children" in nodes[parent][0]:
                node, ppath = nodes[parent]
                container, path = node["children"], ppath + ("children", len(node["children"]))
            else:
                known = parent in ids
                self.cells.problem(
                    f"parent {parent!r} " + ("must come on a row above its children" if known else
                                             "is not an id on the criteria sheet"), "criteria", row.at("parent"))
                continue
            node: dict[str, Any] = {}
            row.mark(path, "id")
            row.fill(node, path, {"id": "id", "name": "name", "description": "description", "weight": "weight"})
            if ident in parents:
                node["children"] = []
                for header in (*leaf_fields, *scale_fields):
                    if row.has(header):
                        self.cells.problem(f"{header} belongs to a leaf criterion, and {ident!r} is a group (rows "
                                           "name it as their parent): leave it empty", "criteria", row.at(header))
            else:
                row.fill(node, path, leaf_fields)
                scale: dict[str, Any] = {}
                row.mark(path + ("scale",), "scale_low")
                row.fill(scale, path + ("scale",), scale_fields)
                node["scale"] = scale
            if isinstance(ident, str) and ident not in nodes:
                nodes[ident] = (node, path)
            container.append(node)
        criteria["criteria"] = top
        for key, header in (("id", "criteria_id"), ("name", "criteria_name")):
            if key not in criteria:
                self.cells.problem(f"{header} is required when the criteria sheet holds the value tree",
                                   "case", self._case_row(header), ("criteria", key))
        data["criteria"] = criteria

    def _case_row(self, field_name: str) -> str:
        for row in self.rows("case"):
            if row.values.get("field") == field_name:
                return row.at("value")
        return "A1"

    # -- options and what hangs on them
    def options(self, data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], tuple, _Row]]:
        options: dict[str, tuple[dict[str, Any], tuple, _Row]] = {}
        out = []
        for i, row in enumerate(self.rows("options")):
            path = ("options", i)
            option: dict[str, Any] = {}
            row.mark(path, "id")
            row.fill(option, path, {"id": "id", "name": "name", "description": "description", "actors": "actors",
                                    "baseline": "baseline", "depends_on": "depends_on", "excludes": "excludes"})
            option["scores"] = {}
            row.mark(path + ("scores",), "id")
            ident = option.get("id")
            if isinstance(ident, str) and ident not in options:
                options[ident] = (option, path, row)
            out.append(option)
        data["options"] = out
        # stages
        for row in self.rows("stages"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            stages = option.setdefault("stages", [])
            spath = path + ("stages", len(stages))
            stage: dict[str, Any] = {"requires": []}
            row.mark(spath, "stage")
            row.mark(spath + ("requires",), "stage")
            row.fill(stage, spath, {"stage": "id", "name": "name"})
            row.evidence(stage, spath)
            stages.append(stage)
        return options

    def _option(self, options, row: _Row):
        ident = row.get("option")
        if ident is None:
            self.cells.problem("option is required: the id of an option on the options sheet",
                               row.sheet.name, row.at("option"))
            return None
        if ident not in options:
            self.cells.problem(f"unknown option {ident!r}: not an id on the options sheet", row.sheet.name,
                               row.at("option"))
            return None
        return options[ident]

    def _stage(self, option: dict[str, Any], path: tuple, row: _Row) -> tuple[dict[str, Any], tuple] | None:
        ident = row.get("stage")
        for k, stage in enumerate(option.get("stages", [])):
            if stage.get("id") == ident:
                return stage, path + ("stages", k)
        self.cells.problem(f"unknown stage {ident!r} of option {option.get('id')!r}: not on the stages sheet",
                           row.sheet.name, row.at("stage"))
        return None

    def scores(self, options) -> None:
        shape = {h: h for h in ("kind", "value", "low", "mode", "high", "shape", "mean", "sd", "mu", "sigma",
                                "values", "probabilities")}
        for row in self.rows("scores"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            outcome = row.get("outcome") or "planned"
            if outcome not in ("planned", "failure"):
                self.cells.problem(f"outcome must be planned or failure (given: {outcome!r})", "scores",
                                   row.at("outcome"))
                continue
            if row.has("stage"):
                if outcome != "failure":
                    self.cells.problem("a stage is given only for a failure outcome", "scores", row.at("stage"))
                    continue
                found = self._stage(option, path, row)
                if found is None:
                    continue
                holder, hpath = found[0].setdefault("failure", {}), found[1] + ("failure",)
            else:
                key = "scores" if outcome == "planned" else "failure"
                holder, hpath = option.setdefault(key, {}), path + (key,)
            criterion = row.get("criterion")
            if criterion is None:
                self.cells.problem("criterion is required: a leaf criterion's id", "scores", row.at("criterion"))
                continue
            if criterion in holder:
                first = self.cells.cells[self.cells.lines[hpath + (criterion,)] - 1][1]
                self.cells.problem(f"{criterion!r} is scored twice for this outcome of {option.get('id')!r} "
                                   f"(first in {first})", "scores", row.at("criterion"))
                continue
            spath = hpath + (criterion,)
            score: dict[str, Any] = {}
            row.fill(score, spath, shape)
            row.mark(spath, "kind")  # a problem of the distribution as a whole (an unknown kind, low > high)
            row.evidence(score, spath)
            if "kind" not in score:
                score["kind"] = "point"
            holder[criterion] = score

    def requirements(self, options) -> None:
        for row in self.rows("requirements"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            if row.has("stage"):
                found = self._stage(option, path, row)
                if found is None:
                    continue
                stage, spath = found
                extra = [h for h in ("soft", "penalty", "consequence", "section", "rationale", "assumption")
                         if row.has(h)]
                if extra:
                    self.cells.problem(f"a stage's requirement is hard and carries no {extra[0]} (evidence for a "
                                       "stage goes on the stages sheet)", "requirements", row.at(extra[0]))
                    continue
                value = row.get("precondition", spath + ("requires", len(stage["requires"])))
                stage["requires"].append(value)
                continue
            requires = option.setdefault("requires", [])
            rpath = path + ("requires", len(requires))
            requirement: dict[str, Any] = {}
            row.mark(rpath, "precondition")
            row.fill(requirement, rpath, {"precondition": "precondition", "soft": "soft", "penalty": "penalty",
                                          "consequence": "consequence"})
            row.evidence(requirement, rpath)
            requires.append(requirement)

    def uses(self, options) -> None:
        for row in self.rows("uses"):
            target = self._option(options, row)
            if target is None:
                continue
            option, path, _ = target
            uses = option.setdefault("uses", {})
            resource = row.get("resource")
            if resource is None:
                self.cells.problem("resource is required", "uses", row.at("resource"))
                continue
            if resource in uses:
                self.cells.problem(f"{option.get('id')!r} uses {resource!r} on two rows", "uses", row.at("resource"))
                continue
            row.mark(path + ("uses",), "option")
            uses[resource] = row.get("amount", path + ("uses", resource))

    # -- plain lists
    def simple_lists(self, data: dict[str, Any]) -> None:
        specs = {
            "preconditions": {"id": "id", "question": "question"},
            "correlations": {"rho": "rho"},
            "common_mode": {"criteria": "criteria", "rho": "rho"},
            "enablers": {"option": "option", "precondition": "precondition", "add": "add",
                         "odds_ratio": "odds_ratio", "to": "to"},
            "resources": {"id": "id", "name": "name", "unit": "unit", "budget": "budget"},
            "strategies": {"id": "id", "name": "name", "options": "options", "description": "description"},
        }
        for name, headers in specs.items():
            items = []
            for i, row in enumerate(self.rows(name)):
                path = (name, i)
                item: dict[str, Any] = {}
                row.mark(path, next(iter(headers)) if name != "correlations" else "precondition_a")
                row.fill(item, path, headers)
                if name == "preconditions":
                    self._probability(row, item, path)
                if name == "correlations":
                    row.mark(path + ("between",), "precondition_a")
                    pair = [row.get("precondition_a", path + ("between", 0)),
                            row.get("precondition_b", path + ("between", 1))]
                    item["between"] = pair
                if name not in ("resources", "strategies"):
                    row.evidence(item, path)
                items.append(item)
            if items:
                data[name] = items

    def _probability(self, row: _Row, item: dict[str, Any], path: tuple) -> None:
        given = [h for h in ("probability", "low", "high", "alpha", "beta") if row.has(h)]
        ppath = path + ("probability",)
        if given == ["probability"]:
            item["probability"] = row.get("probability", ppath)  # a bare number, as in a case file
            return
        if given and set(given) <= {"low", "high"}:
            row.mark(ppath, given[0])
            item["probability"] = {}
            row.fill(item["probability"], ppath, {"low": "low", "high": "high"})
            return
        if given and set(given) <= {"alpha", "beta"}:
            row.mark(ppath, given[0])
            item["probability"] = {}
            row.fill(item["probability"], ppath, {"alpha": "alpha", "beta": "beta"})
            return
        header = given[1] if len(given) > 1 else "probability"
        self.cells.problem("give the probability of yes in one way: a number in probability, or low and high (an "
                           "interval), or alpha and beta (a Beta distribution)"
                           + (f"; this row gives {', '.join(given)}" if given else ""),
                           row.sheet.name, row.at(header), ppath)

    # -- weights
    def weights(self, data: dict[str, Any]) -> None:
        weights = data.get("weights", {})
        profiles: dict[str, tuple[dict[str, Any], tuple]] = {}
        out = []
        for i, row in enumerate(self.rows("profiles")):
            path = ("weights", "profiles", i)
            profile: dict[str, Any] = {}
            row.mark(path, "id")
            row.fill(profile, path, {"id": "id", "name": "name", "stakeholder": "stakeholder", "method": "method"})
            row.evidence(profile, path)
            if isinstance(profile.get("id"), str) and profile["id"] not in profiles:
                profiles[profile["id"]] = (profile, path)
            out.append(profile)
        for sheet, key in (("weights", "weights"), ("comparisons", "comparisons")):
            for row in self.rows(sheet):
                ident = row.get("profile")
                if ident not in profiles:
                    self.cells.problem(f"unknown profile {ident!r}: not an id on the profiles sheet" if ident else
                                       "profile is required: an id on the profiles sheet", sheet, row.at("profile"))
                    continue
                profile, path = profiles[ident]
                if key == "weights":
                    node = row.get("node")
                    entries = profile.setdefault("weights", {})
                    if node is None:
                        self.cells.problem("node is required: a criterion or group", sheet, row.at("node"))
                        continue
                    if node in entries:
                        self.cells.problem(f"profile {ident!r} weighs {node!r} on two rows", sheet, row.at("node"))
                        continue
                    epath = path + ("weights", node)
                    row.mark(path + ("weights",), "node")
                    entry: dict[str, Any] = {}
                    row.mark(epath, "weight")
                    row.fill(entry, epath, {"weight": "value"})
                    row.evidence(entry, epath)
                    entries[node] = entry
                else:
                    comparisons = profile.setdefault("comparisons", [])
                    cpath = path + ("comparisons", len(comparisons))
                    comparison: dict[str, Any] = {}
                    row.mark(cpath, "parent")
                    row.fill(comparison, cpath, {"parent": "parent", "order": "order", "matrix": "matrix"})
                    row.evidence(comparison, cpath)
                    comparisons.append(comparison)
        if out:
            weights["profiles"] = out
        imprecise = []
        for i, row in enumerate(self.rows("imprecise")):
            path = ("weights", "imprecise", i)
            statement: dict[str, Any] = {}
            interval = [h for h in ("node", "low", "high") if row.has(h)]
            order = [h for h in ("greater", "lesser") if row.has(h)]
            if interval and order:
                self.cells.problem("a statement is an interval (node, low, high) or an order (greater, lesser), "
                                   "not both", "imprecise", row.at(order[0]), path)
                continue
            row.mark(path, (interval or order or ["node"])[0])
            row.fill(statement, path, {"greater": "greater", "lesser": "lesser"} if order else
                     {"node": "node", "low": "low", "high": "high"})
            row.evidence(statement, path)
            imprecise.append(statement)
        if imprecise:
            weights["imprecise"] = imprecise
        if weights:
            data["weights"] = weights

    def findings(self, data: dict[str, Any]) -> None:
        findings: dict[str, tuple[dict[str, Any], tuple]] = {}
        out = []
        for i, row in enumerate(self.rows("findings")):
            path = ("findings", i)
            finding: dict[str, Any] = {"claims": []}
            row.mark(path, "id")
            row.mark(path + ("claims",), "id")
            row.fill(finding, path, {"id": "id", "statement": "statement"})
            row.evidence(finding, path)
            if isinstance(finding.get("id"), str) and finding["id"] not in findings:
                findings[finding["id"]] = (finding, path)
            out.append(finding)
        for row in self.rows("claims"):
            ident = row.get("finding")
            if ident not in findings:
                self.cells.problem(f"unknown finding {ident!r}: not an id on the findings sheet" if ident else
                                   "finding is required: an id on the findings sheet", "claims", row.at("finding"))
                continue
            finding, path = findings[ident]
            cpath = path + ("claims", len(finding["claims"]))
            claim: dict[str, Any] = {}
            row.mark(cpath, "better")
            row.fill(claim, cpath, {"better": "better", "than": "than", "precondition_matters": "precondition_matters"})
            finding["claims"].append(claim)
        if out:
            data["findings"] = out
