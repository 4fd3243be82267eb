"""sharding_indexed: checks that the fixtures of zarr_writers.SHARD_CASES
contain what they claim (empty inner chunks, index at the start) and reads
that touch a fraction of a shard. Every SHARD fixture through every read
check is in test_conformance.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

import zarr_writers as zw
from gb_helpers import assert_identical, region_slices


def _shard_geometry(w):
    m = json.load(open(w.store / "zarr.json"))
    cfg = m["codecs"][0]["configuration"]
    shard = m["chunk_grid"]["configuration"]["chunk_shape"]
    inner = cfg["chunk_shape"]
    crc = any(c["name"] == "crc32c" for c in cfg["index_codecs"])
    big = cfg["index_codecs"][0].get("configuration", {}).get("endian") == "big"
    n = int(np.prod([s // i for s, i in zip(shard, inner)]))
    return shard, inner, n, cfg.get("index_location", "end"), crc, big


@pytest.mark.parametrize("case_id", ["shard-end-crc-zstd", "shard-start-raw-blosc", "shard-index-big",
                                     "shard-shards-kw-bool", "shard-partial-write", "shard-1d"])
def test_fixture_has_empty_inner_chunks(fixtures, case_id):
    """Guards the writers: these shards contain empty inner chunks (index
    entries 2**64-1) next to stored ones."""
    w = fixtures.get(case_id)
    _shard, _inner, n, loc, crc, big = _shard_geometry(w)
    entries = [e for f in zw.chunk_files(w.store)
               for e in zw.shard_index_entries(f.read_bytes(), n, loc, crc, big)]
    assert any(o == zw.SHARD_EMPTY and nb == zw.SHARD_EMPTY for o, nb in entries)
    assert any(o != zw.SHARD_EMPTY for o, nb in entries)


@pytest.mark.parametrize("case_id", ["shard-end-crc-zstd", "shard-start-crc-zstd", "shard-nested-end-end",
                                     "shard-nested-start-end", "ts-shard-start-blosc", "shard-index-big"])
def test_fraction_of_a_shard(geobatch, fixtures, case_id):
    """Boxes inside one shard: a single inner chunk, a box straddling four
    inner chunks, a single element, an empty inner chunk, a partial edge shard."""
    w = fixtures.get(case_id)
    a = geobatch.open_array(w.url, path=w.path)
    shard = tuple(w.zarr.shards or w.zarr.chunks)
    inner = tuple(w.zarr.chunks)
    shape = w.expected.shape
    boxes = [
        [(0, inner[0]), (0, inner[1])],
        [(inner[0] - 1, inner[0] + 1), (inner[1] - 1, inner[1] + 1)],
        [(1, 2), (2, 3)],
        [(shard[0] - 1, shard[0]), (0, shard[1])],
        [(shard[0], shape[0]), (shard[1], shape[1])],
        [(shape[0] - 1, shape[0]), (shape[1] - 3, shape[1])],
        [(0, 4), (0, 5)],  # an inner chunk left empty in several fixtures
        [(8, 16), (10, 20)],
    ]
    for box in boxes:
        box = [(min(lo, n), min(hi, n)) for (lo, hi), n in zip(box, shape)]
        assert_identical(a.read(region=box), w.expected[region_slices(box)], f"region {box}")
    assert_identical(a[::3, 1::4], w.expected[::3, 1::4])
    assert_identical(a[::-5, ::-7], w.expected[::-5, ::-7])


def test_missing_shards_read_fill(geobatch, fixtures):
    w = fixtures.get("shard-missing-shards")
    a = geobatch.open_array(w.url)
    assert np.isnan(a.fill_value)
    assert_identical(a[...], w.expected)
    assert np.isnan(w.expected).sum() > 0


def test_all_empty(geobatch, fixtures):
    w = fixtures.get("shard-all-empty")
    assert not zw.chunk_files(w.store)
    a = geobatch.open_array(w.url)
    assert_identical(a[...], np.full(w.expected.shape, 2.0, np.float32))


def test_shard_properties(geobatch, fixtures):
    a = geobatch.open_array(fixtures.get("shard-shards-kw-int16").url)
    assert a.chunks == (4, 5) and a.shards == (16, 20)
    a = geobatch.open_array(fixtures.get("dtype-int16").url)
    assert a.shards is None
    a = geobatch.open_array(fixtures.get("shard-nested-end-end").url)
    assert a.shards == (16, 24)
    assert a.codecs[0]["name"] == "sharding_indexed"
