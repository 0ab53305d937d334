"""Hostile YAML: files small on disk that would take the machine's memory, time or stack.

Every file is generated here, at test time; none is stored. The bombs run in a child process that
reports the time the load took and its peak memory, under an address-space cap so that a
regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import decide
from decide.errors import CaseError, DecideError
from decide.load import load_case, parse_yaml_text, read_yaml

sys.path.insert(0, str(Path(__file__).parent))
from child_load import load_in_child  # noqa: E402

# The default limits (docs/case-format.md, "Limits and criteria files").
MAX_BYTES, MAX_NODES, MAX_ALIAS_NODES, MAX_DEPTH = 10_000_000, 250_000, 100_000, 100

MAX_SECONDS = 5.0  # the refusals take well under 1 s; the margin is for a slow CI machine
MAX_PEAK_MB = 200.0

def assert_fast_and_small(outcome: dict) -> None:
    assert outcome["seconds"] < MAX_SECONDS, outcome
    assert outcome["peak_mb"] < MAX_PEAK_MB, outcome


def alias_bomb(levels: int = 7, width: int = 9) -> str:
    """The "billion laughs": each level an anchored list of ``width`` aliases of the level below."""
    lines = ['a0: &a0 [' + ",".join(['"lol"'] * width) + ']']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    assert path.stat().st_size == 386  # the reliability pass's file, byte for byte
    outcome = load_in_child(path)
    [problem] = outcome["problems"]
    assert problem["line"] == 6  # a5's first alias of a4 (66,430 nodes) passes 100,000
    assert "aliases here repeat more than 100,000 nodes" in problem["message"]
    assert "DECIDE_MAX_YAML_ALIAS_NODES" in problem["message"]
    assert_fast_and_small(outcome)


def test_a_smaller_bomb_as_text_and_through_the_cli(tmp_path):
    # 4 levels of 12 (248,832 "lol"s): the 4th alias of a3 on line 5 passes 100,000 repeated nodes.
    # Small enough that code without the limit builds it in-process in seconds, not gigabytes.
    bomb = alias_bomb(levels=4, width=12)
    with pytest.raises(CaseError) as info:
        parse_yaml_text(bomb, file="bomb.yaml")
    assert [str(p) for p in info.value.problems] == [
        "bomb.yaml:5: YAML aliases here repeat more than 100,000 nodes in all (an alias bomb?); a case "
        "repeats far fewer — if the file is genuine, raise the limit with the environment variable "
        "DECIDE_MAX_YAML_ALIAS_NODES (e.g. DECIDE_MAX_YAML_ALIAS_NODES=200000)"]
    from decide.cli import cli

    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:5: YAML aliases here repeat more than 100,000 nodes" in result.output
    assert "Traceback" not in result.output


def test_wide_alias_fan_out_counts_every_repeat(tmp_path):
    # No exponential growth: one anchored list of 1,000 numbers, repeated 200 times (200,000 nodes).
    text = "base: &b [" + ",".join(["1"] * 1000) + "]\nrepeats:\n" + "".join("  - *b\n" for _ in range(200))
    with pytest.raises(CaseError) as info:
        parse_yaml_text(text, file="fan.yaml")
    [problem] = info.value.problems
    assert "DECIDE_MAX_YAML_ALIAS_NODES" in problem.message
    assert problem.line == 2 + 100  # the 100th alias passes 100,000 repeated nodes (1,001 each)


def test_fifty_megabytes_of_small_nodes_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    row = "- {a: 1}\n"  # three nodes in nine bytes
    with path.open("w") as f:
        f.write("id: big\nitems:\n")
        for _ in range(60):
            f.write(row * 10_000)  # 60 x 10,000 rows: 1.8 M nodes in 5.4 MB ...
        f.write("# " + "x" * 45_000_000 + "\n")  # ... and a comment to 50 MB
    assert path.stat().st_size > 50_000_000
    outcome = load_in_child(path)
    [problem] = outcome["problems"]
    assert problem["message"].startswith(f"the file has {path.stat().st_size:,} bytes; the limit is 10,000,000")
    assert "DECIDE_MAX_YAML_BYTES" in problem["message"]
    assert_fast_and_small(outcome)


def test_many_small_nodes_under_the_size_limit_are_refused_by_count(tmp_path):
    limit = MAX_NODES
    path = tmp_path / "many.yaml"
    rows = limit // 3 + 10_000
    path.write_text("id: many\nitems:\n" + "- {a: 1}\n" * rows)  # 3 nodes a row, ~1 MB
    assert path.stat().st_size < MAX_BYTES
    outcome = load_in_child(path)
    [problem] = outcome["problems"]
    assert f"the file holds more than {limit:,} YAML nodes" in problem["message"]
    assert "DECIDE_MAX_YAML_NODES" in problem["message"]
    # The root mapping, 2 nodes for id, the key items and its list: 5; then 3 nodes a row.
    assert problem["line"] == 2 + (limit + 1 - 5 + 2) // 3
    assert_fast_and_small(outcome)


@pytest.mark.parametrize("style", ["flow", "block"])
def test_500_deep_nesting_is_refused_with_its_line(write_case, style):
    if style == "flow":
        text = "a: " + "[" * 500 + "]" * 500 + "\n"
        line = 1
    else:  # a mapping in a mapping, one more space each line
        text = "".join(" " * i + f"k{i}:\n" for i in range(500)) + " " * 500 + "leaf: 1\n"
        line = 101  # the 101st mapping starts on line 101
    path = write_case(text)
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(path), line)
    assert "nested more than 100 levels deep" in problem.message
    assert "DECIDE_MAX_YAML_DEPTH" in problem.message


def test_nesting_beyond_the_stack_after_raising_the_limit_is_still_a_message(monkeypatch):
    monkeypatch.setenv("DECIDE_MAX_YAML_DEPTH", "100000")
    depth = sys.getrecursionlimit() // 2 + 100  # PyYAML's composer takes two frames a level
    with pytest.raises(CaseError) as info:
        parse_yaml_text("a: " + "[" * depth + "]" * depth + "\n", file="deep.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.line) == ("deep.yaml", 1)
    assert "nested too deeply for Python to read" in problem.message


def test_limits_are_raised_by_environment_variables(monkeypatch):
    deep = "a: " + "[" * 150 + "]" * 150 + "\n"
    with pytest.raises(CaseError):
        parse_yaml_text(deep)
    monkeypatch.setenv("DECIDE_MAX_YAML_DEPTH", "200")
    assert parse_yaml_text(deep).data["a"] is not None
    monkeypatch.setenv("DECIDE_MAX_YAML_ALIAS_NODES", "1_000")
    with pytest.raises(CaseError, match="more than 1,000 nodes"):
        parse_yaml_text("a: &a [" + ",".join(["1"] * 600) + "]\nb: *a\nc: *a\n")
    monkeypatch.setenv("DECIDE_MAX_YAML_BYTES", "10")
    with pytest.raises(CaseError, match="has more than 10 bytes, the limit"):
        parse_yaml_text("a: 12345678\n")
    monkeypatch.setenv("DECIDE_MAX_YAML_NODES", "lots")
    with pytest.raises(DecideError, match="DECIDE_MAX_YAML_NODES must be a positive whole number, not 'lots'"):
        parse_yaml_text("a: 1\n")


def test_the_bundled_case_loads_with_a_tenth_of_each_limit(monkeypatch):
    monkeypatch.setenv("DECIDE_MAX_YAML_BYTES", str(MAX_BYTES // 10))
    monkeypatch.setenv("DECIDE_MAX_YAML_NODES", str(MAX_NODES // 10))
    monkeypatch.setenv("DECIDE_MAX_YAML_ALIAS_NODES", "1")
    monkeypatch.setenv("DECIDE_MAX_YAML_DEPTH", str(MAX_DEPTH // 10))
    assert len(load_case("mali-2012").options) >= 2


def test_a_nul_byte_is_located(write_case):
    path = write_case("id: x\ntitle: a\x00b\n")
    with pytest.raises(CaseError) as info:
        read_yaml(path)
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert problem.message.startswith("the file contains a NUL byte")


def test_another_control_character_is_located(write_case):
    path = write_case("id: x\n\ntitle: a\x07b\n")
    with pytest.raises(CaseError) as info:
        read_yaml(path)
    [problem] = info.value.problems
    assert (problem.line, problem.message) == (
        3, "the file contains a control character (code 0x7) that YAML does not allow")


def test_merge_keys_are_refused_plainly(mutate_case, line_of):
    path, text = mutate_case(("  - id: wait\n", "  - <<: {note: x}\n    id: wait\n"))
    with pytest.raises(CaseError) as info:
        load_case(path)
    [problem] = info.value.problems
    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "<<:"), "options[0]", "merge keys ('<<') are not supported; write the fields out")


def test_a_file_not_utf8_is_located_without_its_bytes(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\ntitle: Bamako \xe9\n".encode("latin-1"))
    with pytest.raises(CaseError) as info:
        read_yaml(path)
    [problem] = info.value.problems
    assert (problem.line, problem.message) == (2, "cannot read file: it is not UTF-8 text (save it as UTF-8)")
