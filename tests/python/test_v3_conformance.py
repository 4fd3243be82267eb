"""Zarr v3 conformance, feature by feature: file:// URLs, chunk key
encodings, fill values, must_understand, and what each fixture of
zarr_writers.V3_CASES must contain. The matrix of every V3 fixture through
every read check is test_conformance.py."""

from __future__ import annotations

import os

import numpy as np
from zarr.codecs import ZstdCodec
import pytest

import zarr_writers as zw
from gb_helpers import assert_identical, check_full_read


# ---- specific properties -------------------------------------------------

STORE_CASES = ["dtype-float32", "cke-v2-dot", "nested-path", "zerod-int32", "fill-nan-f32", "zerolen-mid"]


@pytest.mark.parametrize("case_id", STORE_CASES)
def test_file_url(geobatch, fixtures, case_id):
    """The same array opened by plain path and by file:// URL."""
    w = fixtures.get(case_id)
    check_full_read(geobatch, w, url=w.file_url)
    a = geobatch.open_array(w.file_url, path=w.path)
    assert a.shape == w.expected.shape


def test_file_url_trailing_slash_and_relative_path(geobatch, fixtures, monkeypatch):
    w = fixtures.get("dtype-int16")
    check_full_read(geobatch, w, url=str(w.store) + "/")
    check_full_read(geobatch, w, url=w.file_url + "/")
    monkeypatch.chdir(w.store.parent)
    check_full_read(geobatch, w, url=w.store.name)
    check_full_read(geobatch, w, url="./" + w.store.name)


def test_path_with_spaces_and_unicode(geobatch, fixtures, tmp_path):
    case = zw.ALL_CASES["dtype-float64"]
    store = zw.write_case(case, tmp_path / "dir with space ü")
    z = zw.read_with_zarr(store, case.path)
    a = geobatch.open_array(str(store), path=case.path)
    assert_identical(a[...], z[...])


def test_open_returns_array(geobatch, fixtures):
    w = fixtures.get("nested-path")
    a = geobatch.open(w.url, path=w.path)
    assert_identical(a[...], w.expected)
    assert a.zarr_format == 3


def test_nested_path_forms(geobatch, fixtures):
    """"a/b/c" and "/a/b/c/" name the same array."""
    w = fixtures.get("nested-path")
    for p in ("a/b/c", "a/b/c/", "/a/b/c"):
        try:
            a = geobatch.open_array(w.url, path=p)
        except geobatch.InvalidArgumentError:
            continue  # refusing the unusual spellings is acceptable
        assert_identical(a[...], w.expected, f"path={p!r}")


def test_missing_chunks_are_fill(geobatch, fixtures):
    """A case whose chunks are all absent reads entirely as the fill value."""
    for cid in ["empty-float32", "empty-int16", "empty-complex64", "empty-bool"]:
        w = fixtures.get(cid)
        assert not zw.chunk_files(w.store), "fixture should have no chunks"
        a = geobatch.open_array(w.url, path=w.path)
        v = a[...]
        assert_identical(v, np.full(w.expected.shape, w.expected_fill, dtype=w.expected.dtype), cid)


def test_fill_hex_bits_exact(geobatch, fixtures):
    """Hex raw-bit fill values keep every bit (NaN payloads, sNaN, -NaN)."""
    for cid, bits in [("fill-hex-f32-payload", 0x7FC00001), ("fill-hex-f64-snan", 0x7FF0000000000001),
                      ("fill-hex-f64-negnan", 0xFFF8000000000000), ("fill-hex-f16", 0x7E01),
                      ("fill-hex-f32-one", 0x3F800000)]:
        w = fixtures.get(cid)
        a = geobatch.open_array(w.url, path=w.path)
        itemsize = a.dtype.itemsize
        assert int(np.asarray(a.fill_value).view(f"u{itemsize}")) == bits, cid
        last = a[-1, -1]
        assert int(np.asarray(last).view(f"u{itemsize}")) == bits, cid


def test_dimension_names(geobatch, fixtures):
    assert geobatch.open_array(fixtures.get("dimnames").url).dimension_names == ("y", "x")
    assert geobatch.open_array(fixtures.get("dimnames-partial").url).dimension_names == ("time", None, "band")
    assert geobatch.open_array(fixtures.get("dtype-int8").url).dimension_names is None


def test_chunk_key_encodings_on_disk(fixtures):
    """The fixtures really use the encodings they claim (guards the writers)."""
    expect = {
        "cke-default-slash": "c/0/0/0", "cke-default-dot": "c.0.0.0",
        "cke-v2-dot": "0.0.0", "cke-v2-slash": "0/0/0",
        "cke-default-slash-0d": "c", "cke-default-dot-0d": "c", "cke-v2-dot-0d": "0", "cke-v2-slash-0d": "0",
    }
    for cid, key in expect.items():
        w = fixtures.get(cid)
        keys = {os.path.relpath(p, w.store) for p in zw.chunk_files(w.store)}
        if cid in ("cke-default-slash", "cke-v2-slash", "cke-default-dot", "cke-v2-dot"):
            # some chunks were dropped; the rest use the encoding
            sep = "/" if "slash" in cid else "."
            assert all(k.count(sep) >= 2 for k in keys), (cid, sorted(keys)[:3])
        else:
            assert key in keys, (cid, keys)


def test_many_reads_same_handle(geobatch, fixtures):
    """One handle reused for many reads (no state leaks between reads)."""
    w = fixtures.get("blosc-zstd-shuffle-float32")
    a = geobatch.open_array(w.url)
    for _ in range(3):
        assert_identical(a[...], w.expected)
        assert_identical(a[3:7, 10:20], w.expected[3:7, 10:20])


def test_result_is_writable_and_owned(geobatch, fixtures):
    """The returned array is an ordinary writable C-contiguous numpy array,
    independent of any cache: mutating it does not change later reads."""
    w = fixtures.get("dtype-int32")
    a = geobatch.open_array(w.url)
    v = a[...]
    assert v.flags.writeable
    v[...] = 0
    assert_identical(a[...], w.expected)


def test_index_errors(geobatch, fixtures):
    w = fixtures.get("dtype-int32")  # shape (13, 17)
    a = geobatch.open_array(w.url)
    for key in [(13,), (-14,), (0, 17), (0, 0, 0)]:
        with pytest.raises((IndexError, geobatch.InvalidArgumentError)):
            a[key]
    with pytest.raises((ValueError, geobatch.InvalidArgumentError)):
        a[::0]
    for region in ([(0, 14), (0, 17)], [(5, 4), (0, 1)], [(0, 1)], [(-1, 2), (0, 1)]):
        with pytest.raises((IndexError, ValueError, geobatch.InvalidArgumentError)):
            a.read(region=region)


def test_numpy_integer_indices(geobatch, fixtures):
    w = fixtures.get("dtype-float64")
    a = geobatch.open_array(w.url)
    for key in [(np.int64(3), np.int32(-2)), (np.uint8(1),), (slice(np.int64(2), np.int16(9), np.int8(2)),)]:
        assert_identical(a[key], np.asarray(w.expected[key]), repr(key))


def test_concurrent_reads_from_threads(geobatch, fixtures):
    """Several Python threads reading through one handle and through
    separate handles at once get the same bits as a serial read."""
    from concurrent.futures import ThreadPoolExecutor

    from gb_helpers import random_region, region_slices

    cases = ["shard-end-crc-zstd", "blosc-zstd-bitshuffle-float32", "v2-comp-zstd->i8", "transpose-201-float32"]
    ws = [fixtures.get(c) for c in cases]
    shared = [geobatch.open_array(w.url, path=w.path) for w in ws]

    def job(i):
        rng = np.random.default_rng(i)
        k = i % len(ws)
        w = ws[k]
        a = shared[k] if i % 2 else geobatch.open_array(w.url, path=w.path)
        for _ in range(10):
            region = random_region(w.expected.shape, rng)
            got = a.read(region=region)
            exp = w.expected[region_slices(region)]
            if got.tobytes() != np.ascontiguousarray(exp).tobytes() or got.shape != exp.shape:
                return f"{cases[k]} {region}"
        return None

    with ThreadPoolExecutor(8) as ex:
        bad = [r for r in ex.map(job, range(48)) if r]
    assert not bad, bad


def test_new_handle_sees_rewritten_chunks(geobatch, tmp_path):
    """No stale data across opens: after a chunk is rewritten on disk, a
    newly opened handle reads the new bytes."""
    import zarr

    case = zw.Case("stale", (8, 8), "int32", (4, 4), {"compressors": ZstdCodec(level=1)})
    store = zw.write_case(case, tmp_path / "s")
    a1 = geobatch.open_array(str(store))
    first = a1[...]
    z = zarr.open_array(str(store), mode="r+")
    z[0:4, 0:4] = -1
    a2 = geobatch.open_array(str(store))
    assert (a2[0:4, 0:4] == -1).all()
    assert_identical(a2[4:, :], first[4:, :])


def test_stream_fixtures_are_nonstandard(fixtures):
    """Guards the writers: the hand-made streams really differ from what
    numcodecs writes (no content size / several gzip members)."""
    w = fixtures.get("zstd-streaming-frames")
    b = (w.store / "c/0/1").read_bytes()
    assert b[4] & 0xC0 == 0 and not (b[4] & 0x20)  # no frame content size, not single-segment
    w = fixtures.get("gzip-multimember")
    b = (w.store / "c/0/1").read_bytes()
    assert b.count(b"\x1f\x8b\x08") >= 2


def test_strided_read_memory_is_bounded(tmp_path):
    """a[::step] on a huge, sparse array reads the selected elements, not
    the whole bounding box: run under a 4 GiB address-space limit, where a
    64 GiB bounding box cannot be allocated. (A subprocess, only so that the
    memory limit does not apply to the rest of the suite.)"""
    import json
    import subprocess
    import sys

    store = tmp_path / "huge"
    store.mkdir()
    zw.dump_json(store / "zarr.json", {
        "zarr_format": 3, "node_type": "array", "shape": [2**34], "data_type": "float32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2**20]}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": 1.5,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]})
    code = f"""
import resource, sys, numpy as np
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, resource.RLIM_INFINITY))
import geobatch
a = geobatch.open_array({str(store)!r})
v = a[::2**30]
assert v.shape == (16,) and (v == 1.5).all(), v
v = a[2**34 - 1:0:-(2**31)]
assert v.shape == (8,) and (v == 1.5).all(), v
print("ok")
"""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0 and "ok" in p.stdout, p.stderr[-2000:]


def test_unsupported_keys_raise_cleanly(geobatch, fixtures):
    """Keys outside basic indexing raise an ordinary Python error."""
    w = fixtures.get("dtype-int32")  # (13, 17)
    a = geobatch.open_array(w.url)
    for key in [(2**70,), (-(2**70),), 1.5, "x", (slice(0, 2**70),), [1, 2], np.array([1, 2]),
                (Ellipsis, Ellipsis), (0, 0, Ellipsis, 0)]:
        try:
            got = a[key]
        except (IndexError, TypeError, ValueError, OverflowError, geobatch.Error):
            continue
        # Accepting a key is fine only where numpy gives the same answer.
        assert_identical(got, np.asarray(w.expected[key]), repr(key))
    for region in ([(0, 2**64), (0, 1)], [(2**63, 2**63 + 1), (0, 1)], [(0, 2**70), (0, 1)], [(1.5, 3), (0, 1)]):
        with pytest.raises((IndexError, TypeError, ValueError, OverflowError, geobatch.Error)):
            a.read(region=region)


def test_array_protocol_and_len(geobatch, fixtures):
    w = fixtures.get("dtype-float32")
    a = geobatch.open_array(w.url)
    assert len(a) == 13
    assert_identical(np.asarray(a), w.expected)
