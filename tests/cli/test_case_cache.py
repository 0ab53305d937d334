"""The CLI's cache of loaded cases (decide/case_cache.py): equal cases, and never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from decide.case_cache import load_case_cached
from decide.errors import CaseError
from decide.load import load_case

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DECIDE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_cached_case_equals_the_read_one(cache_dir) -> None:
    first = load_case_cached("mali-2012")
    assert list((cache_dir / "cases").glob("*.pickle"))
    assert load_case_cached("mali-2012") == first == load_case("mali-2012")


def test_an_edited_case_or_criteria_file_is_read_again(tmp_path) -> None:
    case = tmp_path / "case.yaml"
    shutil.copy(DATA / "minimal_case.yaml", case)
    text = case.read_text()
    first = load_case_cached(case)
    case.write_text(text.replace(first.title, first.title + " (edited)", 1))
    assert load_case_cached(case).title == first.title + " (edited)"
    case.write_text(text + "\nnot_a_field: 1\n")
    with pytest.raises(CaseError):
        load_case_cached(case)
    case.write_text(text)
    assert load_case_cached(case) == first


def test_criteria_file_changes_are_seen(tmp_path) -> None:
    import yaml

    case = tmp_path / "case.yaml"
    from decide.bundled import resolve_case, resolve_criteria

    data = yaml.safe_load(resolve_case("mali-2012").read_text())
    source = resolve_criteria(data["criteria"], resolve_case("mali-2012").parent)
    shutil.copy(source, tmp_path / "crit.yaml")
    data["criteria"] = "crit.yaml"
    case.write_text(yaml.safe_dump(data, sort_keys=False))
    first = load_case_cached(case)
    crit = tmp_path / "crit.yaml"
    crit.write_text(crit.read_text() + "\n# a comment changes the bytes\n")
    assert load_case_cached(case) == first  # read again (same meaning), not a stale entry
    crit.write_text("not: a criteria set\n")
    with pytest.raises(CaseError):
        load_case_cached(case)
