"""Fuzz the case loader and the CLI: no mutation of a valid case may end in a Python traceback.

Each example takes the valid minimal case, applies one to three random mutations at random
places (drop a key, swap a type, NaN/inf, huge or negative numbers, unicode, lists <-> dicts,
None), writes it and runs ``decide validate`` and ``decide score``. A user's mistake must end in
a message and an exit status (``SystemExit``), never in an uncaught exception.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decide.cli import cli

MINIMAL_CASE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"
BASE = yaml.safe_load(MINIMAL_CASE.read_text(encoding="utf-8"))
# Widen what mutations reach: an AHP profile, an option with dependencies, a finding.
BASE["weights"]["profiles"].append({
    "id": "algiers", "name": "Algiers", "method": "ahp",
    "comparisons": [{"parent": "root", "order": ["security", "cost"], "matrix": [[1, 3], [0.3333, 1]]},
                    {"parent": "security", "order": ["armed_groups", "territory"], "matrix": [[1, 0.5], [2, 1]]}]})
BASE["options"].append({
    "id": "phase2", "name": "Phase two", "depends_on": ["mediate"], "excludes": ["intervene"],
    "requires": ["backing"], "scores": {"armed_groups": {"kind": "pert", "low": 2, "mode": 4, "high": 6},
                                        "territory": 6, "cost": 3}})
BASE["findings"] = [{"id": "talks_first", "statement": "Talks before force.",
                     "claims": [{"better": "mediate", "than": "intervene"}, {"precondition_matters": "backing"}]}]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.just(math.nan),
    st.sampled_from([math.inf, -math.inf]),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([10**400, -(10**400), 1e308, -1e308, 5e-324, -1, -0.5, 0, 1, 2, 100]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "é", "Ünïcödé", "中文", "🙂", "\u200b", "null", "yes", "1e3", "NaN",
                     "point", "triangular", "interval", "root", "wait", "backing", "security"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["kind", "low", "high", "value", "id", "x"]), SCALARS, max_size=3),
)
MUTATIONS = ("drop", "replace", "wrap_list", "wrap_dict", "list_to_dict", "dict_to_list", "duplicate_item")


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, path + (i,))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    """Return ``data`` with the node at ``path`` mutated (``data`` itself may be replaced)."""
    target = _get(data, path)
    if how == "drop":
        new: Any = _DROP
    elif how == "replace":
        new = value
    elif how == "wrap_list":
        new = [target]
    elif how == "wrap_dict":
        new = {"value": target}
    elif how == "list_to_dict":
        new = {f"k{i}": v for i, v in enumerate(target)} if isinstance(target, list) else value
    elif how == "dict_to_list":
        new = list(target.values()) if isinstance(target, dict) else value
    else:  # duplicate_item: repeat a list entry (duplicate ids, duplicate correlations...)
        new = target + target[:1] if isinstance(target, list) else value
    if not path:
        return None if new is _DROP else new
    parent = _get(data, path[:-1])
    if new is _DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return data


_DROP = object()


@st.composite
def mutated_cases(draw: st.DrawFn) -> Any:
    data: Any = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(MUTATIONS))
        data = _mutate(data, path, how, draw(VALUES))
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _assert_no_crash(result, args) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"decide {' '.join(args)} raised {type(exc).__name__}: {exc}\n{result.output}")
    assert "Traceback" not in result.output
    if exc is not None and result.exit_code != 0:
        assert result.output.strip(), "a failing run must say why"


def test_the_fuzzed_base_case_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(_dump(BASE), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 options, 3 criteria, 2 preconditions, 3 weight profiles" in result.output


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_cases(), fmt=st.sampled_from(["table", "json", "csv", "markdown"]),
       profile=st.sampled_from([None, "neutral", "hawk"]))
def test_mutated_cases_never_crash(tmp_path: Path, data: Any, fmt: str, profile: str | None) -> None:
    path = tmp_path / "fuzzed.yaml"
    path.write_text(_dump(data), encoding="utf-8")
    before = path.read_bytes()
    runner = CliRunner()
    for args in (["validate", str(path)],
                 ["score", str(path), "--format", fmt, *(["--weights", profile] if profile else [])]):
        result = runner.invoke(cli, args, catch_exceptions=True)
        _assert_no_crash(result, args)
    assert path.read_bytes() == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_cases(), weights=st.sampled_from([None, "imprecise", "uniform", "profiles", "hawk"]))
def test_mutated_cases_never_crash_the_simulation_or_strategies(tmp_path: Path, data: Any,
                                                                 weights: str | None) -> None:
    path = tmp_path / "fuzzed.yaml"
    path.write_text(_dump(data), encoding="utf-8")
    runner = CliRunner()
    for args in (["simulate", str(path), "-n", "300", "-q", *(["--weights", weights] if weights else [])],
                 ["strategies", str(path), "-S", "50"]):
        result = runner.invoke(cli, args, catch_exceptions=True)
        _assert_no_crash(result, args)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{},'\"\n #&*!|>.0123456789\t")), max_size=80))
def test_arbitrary_text_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "noise.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=True)
    _assert_no_crash(result, ["validate", str(path)])
    assert result.exit_code != 0


@pytest.mark.parametrize("snippet", [
    "!!python/object/apply:os.system ['echo hi']",
    "a: &x [*x]",
    "--- {}\n--- {}\n",
    "id: x\nid: y\n",
    "? [a, b]\n: c\n",
    "\ufeffid: bom",
    "a: b: c",
])
def test_hostile_yaml_is_a_message(tmp_path: Path, snippet: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(snippet, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=True)
    _assert_no_crash(result, ["validate", str(path)])
    assert result.exit_code == 2
