"""The scenarios' block cache: the same draws with or without it, bounded, private to its case."""

from __future__ import annotations

import gc

import numpy as np

from decide.bundled import resolve_case
from decide.compile import compile_case
from decide.load import load_case
from decide.optimise import scenarios as sc


def _arrays():
    return compile_case(load_case(resolve_case("mali-2012")))


def test_cached_draws_equal_fresh_ones_and_callers_get_their_own_arrays(monkeypatch):
    arrays = _arrays()
    first = sc.draw_scenarios(arrays, 2500, rng=7, stream=1)
    again = sc.draw_scenarios(arrays, 2500, rng=7, stream=1)  # from the cache
    monkeypatch.setattr(sc, "_BLOCKS", sc._BlockCache(0))  # nothing kept: every block drawn anew
    fresh = sc.draw_scenarios(arrays, 2500, rng=7, stream=1)
    for field in ("planned", "failure", "probabilities", "latent", "stage_failures"):
        np.testing.assert_array_equal(getattr(again, field), getattr(first, field))
        np.testing.assert_array_equal(getattr(fresh, field), getattr(first, field))
    again.planned[0, 0, 0] = -1.0  # a caller's arrays are its own
    assert sc.draw_scenarios(arrays, 2500, rng=7, stream=1).planned[0, 0, 0] == first.planned[0, 0, 0]


def test_the_cache_stays_within_its_limit_and_forgets_a_case_that_is_gone(monkeypatch):
    arrays = _arrays()
    probe = sc._BlockCache(2**40)
    monkeypatch.setattr(sc, "_BLOCKS", probe)
    sc.draw_scenarios(arrays, sc.BLOCK_SIZE, rng=1, stream=0)
    block_bytes = probe.size
    cache = sc._BlockCache(int(2.5 * block_bytes))
    monkeypatch.setattr(sc, "_BLOCKS", cache)
    sc.draw_scenarios(arrays, 4 * sc.BLOCK_SIZE, rng=1, stream=0)
    assert len(cache.blocks) == 2 and cache.size == 2 * block_bytes  # the two most recent
    assert [key[-1] for key in cache.blocks] == [2, 3]
    assert all(not part.flags.writeable for parts in cache.blocks.values() for part in parts)
    del arrays
    gc.collect()
    assert not cache.blocks and cache.size == 0
