"""Array.read_windows (N same-sized windows at once, each chunk decoded once,
optionally through a shared ChunkCache): the same bits as zarr-python for
every fixture, with a fresh cache, a shared cache, and a cache too small to
hold anything (constant eviction); plus cache isolation between stores."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import zarr_writers as zw
from gb_helpers import assert_identical

IDS = [c.id for c in zw.V3_CASES + zw.SHARD_CASES + zw.V2_CASES]


def _windows(shape, rng, n=6):
    extent = [int(rng.integers(0, s + 1)) if s else 0 for s in shape]
    origins = np.array([[int(rng.integers(0, s - e + 1)) for s, e in zip(shape, extent)] for _ in range(n)],
                       dtype=np.uint64).reshape(n, len(shape))
    return origins, extent


def _expected(full, origins, extent):
    out = np.empty((len(origins), *extent), full.dtype)
    for i, o in enumerate(origins):
        out[i] = full[tuple(slice(int(a), int(a) + e) for a, e in zip(o, extent))]
    return out


@pytest.mark.parametrize("case_id", IDS)
def test_read_windows(geobatch, fixtures, case_id):
    w = fixtures.get(case_id)
    a = geobatch.open_array(w.url, path=w.path)
    if a.ndim == 0:
        pytest.skip("windows need at least one dimension")
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    shared = geobatch.ChunkCache(max_bytes=1 << 20)
    tiny = geobatch.ChunkCache(max_bytes=1)
    for _ in range(3):
        origins, extent = _windows(w.expected.shape, rng)
        exp = _expected(w.expected, origins, extent)
        assert_identical(a.read_windows(origins, extent), exp, f"windows {origins.tolist()} {extent}")
        assert_identical(a.read_windows(origins, extent, cache=shared), exp, "shared cache")
        assert_identical(a.read_windows(origins, extent, cache=shared), exp, "shared cache, warm")
        assert_identical(a.read_windows(origins, extent, cache=tiny), exp, "1-byte cache")
        out = np.full((len(origins), *extent), 1, dtype=a.dtype)
        assert a.read_windows(origins, extent, out=out) is out
        assert_identical(out, exp, "out=")
        assert_identical(a.read_windows(origins.reshape(-1).tolist(), extent), exp, "flat list of origins")


def test_shared_cache_isolates_stores(geobatch, tmp_path):
    """Two stores with the same array path, shape and chunk keys but
    different data, read through one cache: each gets its own data."""
    cache = geobatch.ChunkCache(max_bytes=1 << 24)
    stores, datas = [], []
    for k in range(3):
        case = zw.Case(f"iso{k}", (12, 10), "int32", (4, 5), path="arr", seed=100 + k)
        store = zw.write_case(case, tmp_path / f"s{k}")
        stores.append(store)
        datas.append(np.asarray(zw.read_with_zarr(store, "arr")[...]))
    assert not np.array_equal(datas[0], datas[1])
    origins = np.array([[0, 0], [4, 5], [8, 0]], np.uint64)
    for _ in range(2):
        for store, data in zip(stores, datas):
            a = geobatch.open_array(str(store), path="arr")
            got = a.read_windows(origins, [4, 5], cache=cache)
            assert_identical(got, _expected(data, origins, [4, 5]), str(store))


def test_shared_cache_isolates_arrays_in_one_store(geobatch, tmp_path):
    """Arrays "a" and "b" of one store with identical geometry, one cache."""
    import zarr

    g = zarr.open_group(str(tmp_path / "s"), mode="w")
    data = {}
    for name, seed in (("a", 1), ("b", 2)):
        arr = g.create_array(name, shape=(8, 8), dtype="float32", chunks=(4, 4))
        arr[...] = zw.make_data("float32", (8, 8), seed)
        data[name] = np.asarray(arr[...])
    cache = geobatch.ChunkCache(max_bytes=1 << 24)
    origins = np.array([[0, 0], [4, 4]], np.uint64)
    for name in ("a", "b", "a"):
        a = geobatch.open_array(str(tmp_path / "s"), path=name)
        assert_identical(a.read_windows(origins, [4, 4], cache=cache), _expected(data[name], origins, [4, 4]), name)


def test_corrupt_chunk_through_cache(geobatch, tmp_path):
    """A chunk that fails to decode is not cached as data: every read
    through the cache raises, concurrent ones included, and good chunks
    still read."""
    from concurrent.futures import ThreadPoolExecutor

    case = zw.Case("c", (8, 8), "int32", (4, 4), {"compressors": None}, path="arr")
    store = zw.write_case(case, tmp_path / "s")
    good = np.asarray(zw.read_with_zarr(store, "arr")[...])
    p = store / "arr" / "c" / "1" / "1"
    p.write_bytes(p.read_bytes()[:-2])
    a = geobatch.open_array(str(store), path="arr")
    cache = geobatch.ChunkCache(max_bytes=1 << 20)
    bad = np.array([[4, 4]], np.uint64)

    def attempt(_):
        try:
            a.read_windows(bad, [4, 4], cache=cache)
        except geobatch.CorruptError as e:
            return "c/1/1" in str(e)
        return "no error"

    for _ in range(2):
        with ThreadPoolExecutor(8) as ex:
            results = list(ex.map(attempt, range(16)))
        assert all(r is True for r in results), results
    ok = np.array([[0, 0], [0, 4], [4, 0]], np.uint64)
    assert_identical(a.read_windows(ok, [4, 4], cache=cache), _expected(good, ok, [4, 4]))


def test_cache_stats(geobatch, fixtures):
    w = fixtures.get("dtype-int32")
    a = geobatch.open_array(w.url)
    cache = geobatch.ChunkCache(max_bytes=1 << 24)
    origins = np.array([[0, 0], [1, 1], [2, 2]], np.uint64)  # all inside chunk (0, 0)
    a.read_windows(origins, [2, 2], cache=cache)
    s1 = dict(cache.stats())
    a.read_windows(origins, [2, 2], cache=cache)
    s2 = dict(cache.stats())
    assert s1["misses"] == 1, s1
    assert s2["misses"] == 1 and s2["hits"] > s1["hits"], (s1, s2)


def test_one_native_reader_per_array_and_cache(geobatch, fixtures):
    """Requests through one cache share the array's native reader (which keeps
    shard indexes between calls); another array or cache gets its own."""
    a = geobatch.open_array(fixtures.get("dtype-int32").url)
    b = geobatch.open_array(fixtures.get("dtype-int32").url)
    cache, other = geobatch.ChunkCache(1 << 20), geobatch.ChunkCache(1 << 20)
    origins, out = np.zeros((1, 2), np.uint64), np.empty((1, 2, 2), a.dtype)
    first = a.window_request(origins, [2, 2], out, cache)[0]
    assert a.window_request(origins, [2, 2], out, cache)[0] is first
    assert b.window_request(origins, [2, 2], out, cache)[0] is not first
    assert a.window_request(origins, [2, 2], out, other)[0] is not first


def test_windows_out_of_range(geobatch, fixtures):
    w = fixtures.get("dtype-int32")  # (13, 17)
    a = geobatch.open_array(w.url)
    for origins, extent in [([[10, 0]], [4, 4]), ([[0, 0]], [14, 1]), ([[2**63, 0]], [1, 1]),
                            ([[2**64 - 1, 0]], [2, 1])]:
        with pytest.raises((geobatch.InvalidArgumentError, IndexError, ValueError)):
            a.read_windows(np.array(origins, np.uint64), extent)


def test_read_windows_many_across_arrays(geobatch, tmp_path):
    """One call reads windows of several arrays (different dtypes, chunkings
    and compressors) into their own outputs, the same bits as one call each;
    a corrupt chunk in one of them fails the call with that chunk's name, and
    the next call with the chunk mended reads everything."""
    from geobatch.zarr import read_windows_many

    cases = [zw.Case("f", (12, 10), "float32", (4, 5), path="f", seed=1),
             zw.Case("i", (12, 10), "int16", (3, 10), {"compressors": None}, path="i", seed=2),
             zw.Case("d", (12, 10), "float64", (12, 2), path="d", seed=3)]
    stores = [zw.write_case(case, tmp_path / case.id) for case in cases]
    arrays = [geobatch.open_array(str(s), path=c.path) for s, c in zip(stores, cases)]
    data = [np.asarray(zw.read_with_zarr(s, c.path)[...]) for s, c in zip(stores, cases)]
    origins = np.array([[0, 0], [5, 3], [8, 6], [2, 1]], np.uint64)
    cache = geobatch.ChunkCache(max_bytes=1 << 24)

    def read_all():
        outs = [np.full((len(origins), 4, 4), 9, a.dtype) for a in arrays]
        read_windows_many([a.window_request(origins, [4, 4], out, cache) for a, out in zip(arrays, outs)])
        return outs

    for a, got, full in zip(arrays, read_all(), data):
        assert_identical(got, _expected(full, origins, [4, 4]), a.path)
        assert_identical(got, a.read_windows(origins, [4, 4]), a.path)
    read_windows_many([])  # nothing to do

    cache = geobatch.ChunkCache(max_bytes=1 << 24)  # read_all reads through this one from now on
    chunk = stores[1] / "i" / "c" / "1" / "0"
    intact = chunk.read_bytes()
    chunk.write_bytes(intact[:-3])
    with pytest.raises(geobatch.CorruptError, match="c/1/0"):
        read_all()
    chunk.write_bytes(intact)
    for a, got, full in zip(arrays, read_all(), data):
        assert_identical(got, _expected(full, origins, [4, 4]), a.path)
    with pytest.raises(ValueError, match="C-contiguous"):
        arrays[0].window_request(origins, [4, 4], np.empty((4, 4, 4), np.float64), cache)
