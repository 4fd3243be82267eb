"""Bad input: damaged chunks, damaged or hostile metadata, unknown codecs and
dtypes, missing paths and paths escaping the store root.

Every case must raise a geobatch.Error subclass whose message names the
array path (and the chunk key where a chunk is involved) -- never crash the
interpreter, never hang, never return garbage. Reads are called directly (no
subprocess): a crash is a bug we want to see.

Each test writes its own small store into tmp_path: a good array written by
zarr-python, then damaged by hand (the damage is what zarr-python cannot
write), or metadata written entirely by hand.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import pytest
from zarr.codecs import BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec, ZstdCodec

import zarr_writers as zw
from gb_helpers import assert_identical, to_native

ARR = "grp/bad"  # every damaged array lives here, so messages can be checked


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def write(tmp_path: Path, shape=(8, 8), dtype="int32", chunks=(4, 4), zarr_format=3, path=ARR, data="random",
          **kwargs) -> Path:
    """A good array written by zarr-python; returns the store directory."""
    case = zw.Case("bad", tuple(shape), dtype, tuple(chunks) if chunks is not None else None, kwargs,
                   zarr_format=zarr_format, path=path, data=data)
    return zw.write_case(case, tmp_path / "store")


def adir(store: Path, path: str = ARR) -> Path:
    return store / path


def open_and_read(gb, store: Path, path: str = ARR, region=None):
    a = gb.open_array(str(store), path=path)
    return a.read() if region is None else a.read(region=region)


def expect(gb, exc, store: Path, path: str = ARR, key: str | None = None, region=None, names=()):
    """Asserts that opening + reading raises ``exc`` and that the message
    names the array path, the chunk key and anything in ``names``."""
    with pytest.raises(exc) as ei:
        open_and_read(gb, store, path, region)
    err = ei.value
    assert isinstance(err, gb.Error), f"{type(err)} is not a geobatch.Error"
    msg = str(err)
    if path:
        assert path in msg, f"message does not name the array path {path!r}: {msg!r}"
    if key is not None:
        assert key in msg, f"message does not name the chunk key {key!r}: {msg!r}"
    for n in names:
        assert n in msg, f"message does not name {n!r}: {msg!r}"
    return err


def rewrite(p: Path, fn) -> None:
    p.write_bytes(bytes(fn(bytearray(p.read_bytes()))))


def v3_meta(shape, data_type="int32", chunks=None, codecs=None, fill_value=0, **extra) -> dict:
    m: dict[str, Any] = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": shape,
        "data_type": data_type,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks if chunks is not None else shape}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": fill_value,
        "codecs": codecs if codecs is not None else [{"name": "bytes", "configuration": {"endian": "little"}}],
    }
    m.update(extra)
    return m


def v2_meta(shape, dtype="<i4", chunks=None, compressor=None, filters=None, fill_value=0, **extra) -> dict:
    m: dict[str, Any] = {
        "zarr_format": 2, "shape": shape, "chunks": chunks if chunks is not None else shape, "dtype": dtype,
        "compressor": compressor, "filters": filters, "fill_value": fill_value, "order": "C",
    }
    m.update(extra)
    return m


def hand_store(tmp_path: Path, meta: dict | str | bytes, zarr_format=3, chunks: dict[str, bytes] | None = None) -> Path:
    """A store whose array metadata (and chunk files) are written by hand."""
    store = tmp_path / "hand"
    d = store / ARR
    d.mkdir(parents=True)
    name = "zarr.json" if zarr_format == 3 else ".zarray"
    if isinstance(meta, dict):
        data = json.dumps(meta).encode()
    elif isinstance(meta, str):
        data = meta.encode()
    else:
        data = meta
    (d / name).write_bytes(data)
    for key, blob in (chunks or {}).items():
        p = d / key
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(blob)
    return store


def crc32c_le(data: bytes) -> bytes:
    return bytes(numcodecs.CRC32C().encode(data))[-4:]


# --------------------------------------------------------------------------
# The exception hierarchy
# --------------------------------------------------------------------------

def test_exception_hierarchy(geobatch):
    gb = geobatch
    assert issubclass(gb.Error, Exception)
    for cls, base in [(gb.InvalidArgumentError, ValueError), (gb.NotFoundError, KeyError),
                      (gb.CorruptError, gb.Error), (gb.UnsupportedError, NotImplementedError),
                      (gb.TransientError, OSError), (gb.PermissionDeniedError, PermissionError)]:
        assert issubclass(cls, gb.Error), cls
        assert issubclass(cls, base), cls


# --------------------------------------------------------------------------
# Damaged chunks
# --------------------------------------------------------------------------

def test_truncated_zstd_chunk(geobatch, tmp_path):
    store = write(tmp_path, compressors=ZstdCodec(level=1))
    rewrite(adir(store) / "c/0/1", lambda b: b[: len(b) // 2])
    expect(geobatch, geobatch.CorruptError, store, key="c/0/1")


def test_truncated_chunk_other_chunks_still_read(geobatch, tmp_path):
    """The damage is local: the same handle still reads the good chunks."""
    store = write(tmp_path, compressors=ZstdCodec(level=1))
    good = to_native(np.asarray(zw.read_with_zarr(store, ARR)[...]))
    rewrite(adir(store) / "c/1/1", lambda b: b[:5])
    a = geobatch.open_array(str(store), path=ARR)
    with pytest.raises(geobatch.CorruptError):
        a.read()
    assert_identical(a.read(region=[(0, 4), (0, 8)]), good[0:4, 0:8])
    assert_identical(a[4:8, 0:4], good[4:8, 0:4])
    with pytest.raises(geobatch.CorruptError):
        a[7, 7]


def test_truncated_raw_chunk(geobatch, tmp_path):
    store = write(tmp_path, compressors=None)
    rewrite(adir(store) / "c/1/0", lambda b: b[:-1])
    expect(geobatch, geobatch.CorruptError, store, key="c/1/0")


def test_empty_chunk_file_raw(geobatch, tmp_path):
    store = write(tmp_path, compressors=None)
    (adir(store) / "c/1/1").write_bytes(b"")
    expect(geobatch, geobatch.CorruptError, store, key="c/1/1")


def test_empty_chunk_file_zstd(geobatch, tmp_path):
    store = write(tmp_path, compressors=ZstdCodec())
    (adir(store) / "c/0/0").write_bytes(b"")
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


@pytest.mark.parametrize("cut", [3, 15, 17, -4])
def test_truncated_blosc_chunk(geobatch, tmp_path, cut):
    """Shorter than the 16-byte header, just past it, and missing the tail."""
    store = write(tmp_path, compressors=BloscCodec(cname="lz4", shuffle="shuffle"))
    rewrite(adir(store) / "c/0/1", lambda b: b[:cut])
    expect(geobatch, geobatch.CorruptError, store, key="c/0/1")


def test_truncated_gzip_chunk(geobatch, tmp_path):
    store = write(tmp_path, compressors=GzipCodec(level=5))
    rewrite(adir(store) / "c/1/0", lambda b: b[:-6])
    expect(geobatch, geobatch.CorruptError, store, key="c/1/0")


def test_truncated_v2_chunk(geobatch, tmp_path):
    store = write(tmp_path, zarr_format=2, compressors=numcodecs.Zstd(level=1))
    rewrite(adir(store) / "0.1", lambda b: b[: len(b) // 2])
    expect(geobatch, geobatch.CorruptError, store, key="0.1")


def test_truncated_v2_chunk_nested_separator(geobatch, tmp_path):
    store = write(tmp_path, zarr_format=2, compressors=None, chunk_key_encoding={"name": "v2", "separator": "/"})
    rewrite(adir(store) / "1/0", lambda b: b[:7])
    expect(geobatch, geobatch.CorruptError, store, key="1/0")


@pytest.mark.parametrize("keep", [0, 3, 20, "half"])
def test_truncated_shard(geobatch, tmp_path, keep):
    store = write(tmp_path, (16, 16), "float32", (8, 8), shards=(16, 16))
    rewrite(adir(store) / "c/0/0", lambda b: b[: len(b) // 2] if keep == "half" else b[:keep])
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_truncated_shard_index_at_start(geobatch, tmp_path):
    store = write(tmp_path, (16, 16), "float32", (16, 16),
                  serializer=ShardingCodec(chunk_shape=(4, 4), index_location="start"), compressors=None)
    rewrite(adir(store) / "c/0/0", lambda b: b[: len(b) - 10])
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


# ---- corrupt bytes --------------------------------------------------------

def _flip(b: bytearray, i: int) -> bytearray:
    b[i] ^= 0xFF
    return b


def test_zstd_bad_magic(geobatch, tmp_path):
    store = write(tmp_path, compressors=ZstdCodec(level=3))
    rewrite(adir(store) / "c/1/1", lambda b: _flip(b, 0))
    expect(geobatch, geobatch.CorruptError, store, key="c/1/1")


def test_zstd_checksum_mismatch(geobatch, tmp_path):
    """A flipped payload byte in a frame with a content checksum."""
    store = write(tmp_path, compressors=ZstdCodec(level=0, checksum=True))
    rewrite(adir(store) / "c/0/1", lambda b: _flip(b, len(b) // 2))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/1")


def test_zstd_garbage(geobatch, tmp_path):
    store = write(tmp_path, compressors=ZstdCodec(level=3))
    rewrite(adir(store) / "c/0/0", lambda b: bytearray(b"\xff" * len(b)))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_zstd_wrong_decoded_size(geobatch, tmp_path):
    """A valid zstd frame whose content is shorter / longer than a chunk."""
    store = write(tmp_path, compressors=ZstdCodec(level=3))
    (adir(store) / "c/0/0").write_bytes(bytes(numcodecs.Zstd().encode(b"\x01" * 10)))
    (adir(store) / "c/1/1").write_bytes(bytes(numcodecs.Zstd().encode(b"\x01" * 1000)))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0", region=[(0, 4), (0, 4)])
    expect(geobatch, geobatch.CorruptError, store, key="c/1/1", region=[(4, 8), (4, 8)])


@pytest.mark.parametrize("field,value", [("nbytes", 4097), ("nbytes", 2**31), ("nbytes", 0),
                                         ("cbytes", 2**31), ("cbytes", 17), ("cbytes", 15),
                                         ("blocksize", 0), ("blocksize", 2**31), ("blocksize", 7)])
def test_blosc_hostile_header(geobatch, tmp_path, field, value):
    """Blosc header fields that lie about the sizes (classic overflow bait).
    The chunk is compressible (4 KiB of smooth int32, so blosc really
    compresses it in blocks rather than storing it). c-blosc1 trusts cbytes
    (it takes no source length), so a cbytes beyond the buffer must be caught
    by the caller; numcodecs does not, and happens to decode this one."""
    store = write(tmp_path, (64, 64), "int32", (32, 32), data="smooth",
                  compressors=BloscCodec(cname="lz4", shuffle="shuffle"))
    off = {"nbytes": 4, "blocksize": 8, "cbytes": 12}[field]

    def damage(b):
        assert not b[2] & 0x2, "fixture chunk is stored uncompressed (memcpyed); test would be vacuous"
        struct.pack_into("<I", b, off, value)
        return b

    rewrite(adir(store) / "c/1/0", damage)
    expect(geobatch, geobatch.CorruptError, store, key="c/1/0")


def test_blosc_garbage(geobatch, tmp_path):
    store = write(tmp_path, compressors=BloscCodec(cname="zstd", shuffle="bitshuffle"))
    rewrite(adir(store) / "c/0/1", lambda b: bytearray(b"\xff" * len(b)))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/1")


def test_blosc_wrong_decoded_size(geobatch, tmp_path):
    store = write(tmp_path, compressors=BloscCodec(cname="lz4", shuffle="noshuffle"))
    (adir(store) / "c/0/0").write_bytes(bytes(numcodecs.Blosc(cname="lz4").encode(b"\x02" * 40)))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_gzip_crc_mismatch(geobatch, tmp_path):
    store = write(tmp_path, compressors=GzipCodec(level=5))
    rewrite(adir(store) / "c/0/0", lambda b: _flip(b, len(b) - 6))  # the CRC32 trailer
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_gzip_garbage(geobatch, tmp_path):
    store = write(tmp_path, compressors=GzipCodec(level=5))
    rewrite(adir(store) / "c/0/0", lambda b: bytearray(b"garbage" * 5))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


@pytest.mark.parametrize("comp", ["zlib", "bz2", "lz4", "lz4-size", "gzip", "blosc", "zstd"])
def test_v2_corrupt_compressed_chunk(geobatch, tmp_path, comp):
    codec = {"zlib": numcodecs.Zlib(level=1), "bz2": numcodecs.BZ2(level=1), "lz4": numcodecs.LZ4(),
             "lz4-size": numcodecs.LZ4(), "gzip": numcodecs.GZip(level=1),
             "blosc": numcodecs.Blosc(cname="zstd"), "zstd": numcodecs.Zstd()}[comp]
    store = write(tmp_path, zarr_format=2, compressors=codec)
    if comp == "lz4-size":
        # numcodecs' LZ4 frame starts with the decoded size: claim 2 GiB.
        damage = lambda b: (struct.pack_into("<I", b, 0, 2**31 - 1), b)[1]  # noqa: E731
    else:
        damage = lambda b: bytearray(b[:4]) + bytearray(b"\xa5" * (len(b) - 4))  # noqa: E731
    rewrite(adir(store) / "1.0", damage)
    expect(geobatch, geobatch.CorruptError, store, key="1.0")


# ---- wrong-sized uncompressed chunks --------------------------------------

@pytest.mark.parametrize("delta", [-1, 1, -64, 4096])
def test_raw_chunk_wrong_size(geobatch, tmp_path, delta):
    store = write(tmp_path, compressors=None)
    p = adir(store) / "c/0/1"
    rewrite(p, lambda b: b[:delta] if delta < 0 else b + bytearray(delta))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/1")


@pytest.mark.parametrize("endian", ["little", "big"])
def test_raw_chunk_wrong_size_endian(geobatch, tmp_path, endian):
    store = write(tmp_path, dtype="float64", serializer=BytesCodec(endian=endian), compressors=None)
    rewrite(adir(store) / "c/1/1", lambda b: b[:-3])
    expect(geobatch, geobatch.CorruptError, store, key="c/1/1")


def test_v2_raw_chunk_wrong_size(geobatch, tmp_path):
    store = write(tmp_path, dtype=">f8", zarr_format=2, compressors=None)
    rewrite(adir(store) / "0.0", lambda b: b + b"\x00")
    expect(geobatch, geobatch.CorruptError, store, key="0.0")


def test_zerod_raw_chunk_wrong_size(geobatch, tmp_path):
    store = write(tmp_path, (), "float64", (), compressors=None)
    rewrite(adir(store) / "c", lambda b: b[:4])
    expect(geobatch, geobatch.CorruptError, store, key="c")


# ---- crc32c --------------------------------------------------------------

@pytest.mark.parametrize("where", ["data", "checksum"])
def test_crc32c_mismatch(geobatch, tmp_path, where):
    store = write(tmp_path, compressors=[Crc32cCodec()])
    rewrite(adir(store) / "c/1/0", lambda b: _flip(b, 3 if where == "data" else len(b) - 1))
    expect(geobatch, geobatch.CorruptError, store, key="c/1/0")


def test_crc32c_after_zstd_mismatch(geobatch, tmp_path):
    store = write(tmp_path, compressors=[ZstdCodec(level=1), Crc32cCodec()])
    rewrite(adir(store) / "c/0/0", lambda b: _flip(b, len(b) - 2))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_crc32c_chunk_too_short(geobatch, tmp_path):
    store = write(tmp_path, compressors=[Crc32cCodec()])
    (adir(store) / "c/0/0").write_bytes(b"\x01\x02")
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_shard_index_crc_mismatch(geobatch, tmp_path):
    store = write(tmp_path, (16, 16), "float32", (4, 4), shards=(16, 16))
    rewrite(adir(store) / "c/0/0", lambda b: _flip(b, len(b) - 10))
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_shard_inner_chunk_crc_mismatch(geobatch, tmp_path):
    store = write(tmp_path, (16, 16), "int16", (16, 16), compressors=None,
                  serializer=ShardingCodec(chunk_shape=(8, 8), codecs=[BytesCodec(), Crc32cCodec()]))
    rewrite(adir(store) / "c/0/0", lambda b: _flip(b, 5))  # inside the first inner chunk
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


# ---- hostile shard indexes (index crc recomputed, so only the values lie) --

def _rewrite_index(b: bytearray, n: int, entries: dict[int, tuple[int, int]]) -> bytearray:
    """Replaces index entries of a shard with the index at the end,
    protected by crc32c, and recomputes the checksum."""
    size = n * 16
    idx = bytearray(b[-(size + 4):-4])
    for i, (off, nb) in entries.items():
        struct.pack_into("<QQ", idx, 16 * i, off, nb)
    return bytearray(b[: -(size + 4)]) + idx + bytearray(crc32c_le(bytes(idx)))


@pytest.mark.parametrize("entry", [
    "past-end", "overflow", "huge-nbytes", "half-empty", "into-index", "wrong-size", "zero-nbytes"])
def test_shard_hostile_index(geobatch, tmp_path, entry):
    store = write(tmp_path, (16, 16), "int32", (16, 16), compressors=None,
                  serializer=ShardingCodec(chunk_shape=(8, 8), codecs=[BytesCodec()]))
    p = adir(store) / "c/0/0"
    size = len(p.read_bytes())  # 4 chunks * 256 bytes + 68 index bytes
    e = {
        "past-end": (size + 100, 256),
        "overflow": (2**64 - 2, 256),
        "huge-nbytes": (0, 2**63),
        "half-empty": (2**64 - 1, 256),
        "into-index": (size - 68 - 100, 256),  # overlaps the index itself; wrong content is OK, size fits
        "wrong-size": (0, 255),
        "zero-nbytes": (0, 0),
    }[entry]
    rewrite(p, lambda b: _rewrite_index(b, 4, {1: e}))
    if entry == "into-index":
        # Bytes are in range and of the right size: reading garbage values is
        # acceptable, crashing is not. Either outcome is fine here.
        try:
            open_and_read(geobatch, store)
        except geobatch.CorruptError as err:
            assert "c/0/0" in str(err)
        return
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


def test_shard_index_wrong_length_big(geobatch, tmp_path):
    """A shard file shorter than its index."""
    store = write(tmp_path, (64, 64), "uint8", (4, 4), shards=(64, 64))  # index = 256*16+4 bytes
    (adir(store) / "c/0/0").write_bytes(b"\x00" * 100)
    expect(geobatch, geobatch.CorruptError, store, key="c/0/0")


# --------------------------------------------------------------------------
# Malformed metadata JSON
# --------------------------------------------------------------------------

GOOD_V3 = v3_meta([8, 8], "int32", [4, 4])
GOOD_V2 = v2_meta([8, 8], "<i4", [4, 4])


@pytest.mark.parametrize("text", [
    json.dumps(GOOD_V3)[:40],      # truncated
    "",                            # empty file
    "[]",                          # not an object
    "null",
    '{"zarr_format": 3, "node_type": "array", ',
    b"\xff\xfe\x00garbage\x80",   # not UTF-8
    json.dumps(GOOD_V3) + "}",     # trailing garbage
], ids=["truncated", "empty", "list", "null", "unterminated", "binary", "trailing"])
def test_malformed_zarr_json(geobatch, tmp_path, text):
    store = hand_store(tmp_path, text)
    # Unparseable JSON is CorruptError; valid JSON of the wrong shape may
    # also be reported as InvalidArgumentError (geobatch's policy for
    # metadata that parses but is invalid).
    err = expect(geobatch, (geobatch.CorruptError, geobatch.InvalidArgumentError), store)
    assert "zarr.json" in str(err) or ARR in str(err)


@pytest.mark.parametrize("text", [
    json.dumps(GOOD_V2)[:30], "", "[1, 2]", "{\"zarr_format\": 2,", b"\x00\x01\x02"],
    ids=["truncated", "empty", "list", "unterminated", "binary"])
def test_malformed_zarray(geobatch, tmp_path, text):
    store = hand_store(tmp_path, text, zarr_format=2)
    expect(geobatch, (geobatch.CorruptError, geobatch.InvalidArgumentError), store)


def test_malformed_zattrs(geobatch, tmp_path):
    store = hand_store(tmp_path, GOOD_V2, zarr_format=2)
    (store / ARR / ".zattrs").write_text('{"a": ')
    expect(geobatch, geobatch.CorruptError, store)


def test_malformed_group_json(geobatch, tmp_path):
    store = tmp_path / "g"
    store.mkdir()
    (store / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": {')
    with pytest.raises(geobatch.CorruptError):
        geobatch.open_group(str(store))


def test_malformed_zmetadata(geobatch, tmp_path):
    """A damaged consolidated .zmetadata is reported (or ignored in favour of
    the per-node metadata), never a crash."""
    store = tmp_path / "g"
    import zarr

    g = zarr.open_group(str(store), mode="w", zarr_format=2)
    g.create_array("x", shape=(3,), dtype="<i2")
    zarr.consolidate_metadata(str(store))
    (store / ".zmetadata").write_text('{"metadata": {')
    try:
        g = geobatch.open_group(str(store))
        list(g)
    except geobatch.CorruptError:
        pass


# ---- missing / wrongly typed required fields --------------------------------

def _without(d: dict, key: str) -> dict:
    d = dict(d)
    del d[key]
    return d


@pytest.mark.parametrize("meta", [
    _without(GOOD_V3, "shape"), _without(GOOD_V3, "data_type"), _without(GOOD_V3, "chunk_grid"),
    _without(GOOD_V3, "codecs"), _without(GOOD_V3, "fill_value"), _without(GOOD_V3, "node_type"),
    {**GOOD_V3, "zarr_format": 4}, {**GOOD_V3, "zarr_format": "3"}, {**GOOD_V3, "node_type": "table"},
    {**GOOD_V3, "shape": "8,8"}, {**GOOD_V3, "shape": [8.5, 8]}, {**GOOD_V3, "shape": ["8", 8]},
    {**GOOD_V3, "shape": [True, 8]}, {**GOOD_V3, "attributes": []},
    {**GOOD_V3, "chunk_grid": {"name": "regular"}},
    {**GOOD_V3, "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": "4"}}},
    {**GOOD_V3, "chunk_key_encoding": {"name": "default", "configuration": {"separator": "-"}}},
    {**GOOD_V3, "codecs": {}},
    {**GOOD_V3, "dimension_names": "xy"},
], ids=["no-shape", "no-data_type", "no-chunk_grid", "no-codecs", "no-fill", "no-node_type",
        "format4", "format-str", "node-table", "shape-str", "shape-float", "shape-strs",
        "shape-bool", "attrs-list", "grid-no-config", "grid-str", "bad-separator", "codecs-obj", "dimnames-str"])
def test_v3_bad_fields(geobatch, tmp_path, meta):
    store = hand_store(tmp_path, meta)
    expect(geobatch, geobatch.Error, store)


@pytest.mark.parametrize("meta", [
    _without(GOOD_V2, "shape"), _without(GOOD_V2, "dtype"), _without(GOOD_V2, "chunks"),
    {**GOOD_V2, "order": "X"}, {**GOOD_V2, "dimension_separator": "-"}, {**GOOD_V2, "zarr_format": 1},
    {**GOOD_V2, "compressor": "zstd"}, {**GOOD_V2, "filters": {"id": "delta"}},
    {**GOOD_V2, "fill_value": "abc"}, {**GOOD_V2, "fill_value": [1, 2]},
], ids=["no-shape", "no-dtype", "no-chunks", "order-X", "bad-separator", "format1", "compressor-str",
        "filters-obj", "fill-str", "fill-list"])
def test_v2_bad_fields(geobatch, tmp_path, meta):
    store = hand_store(tmp_path, meta, zarr_format=2)
    expect(geobatch, geobatch.Error, store)


# --------------------------------------------------------------------------
# Hostile metadata
# --------------------------------------------------------------------------

ZSTD16 = bytes(numcodecs.Zstd().encode(b"\x07" * 16))
ZSTD_CODECS = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 1}}]


@pytest.mark.parametrize("meta,chunks", [
    # Byte size overflows 2**64 (2**83 bytes).
    (v3_meta([2**40, 2**40], "float64", [2**20, 2**20]), None),
    (v3_meta([2**63 - 1, 2**63 - 1], "complex128", [1, 1]), None),
    (v3_meta([2**63], "int64", [2**62]), None),
    # Does not fit in uint64 at all.
    (v3_meta([2**64], "uint8", [1]), None),
    (v3_meta([2**64 + 5, 3], "uint8", [1, 1]), None),
    (v3_meta([10**30], "uint8", [1]), None),
    # Negative sizes.
    (v3_meta([-5], "int32", [5]), None),
    (v3_meta([10], "int32", [-1]), None),
    # Zero chunk sizes.
    (v3_meta([10], "int32", [0]), None),
    (v3_meta([10, 10], "int32", [5, 0]), None),
    (v3_meta([0], "int32", [0]), None),
    # Absurd chunk sizes with a stored chunk: decoding must be refused, not allocated.
    (v3_meta([2**40], "uint8", [2**40], ZSTD_CODECS), {"c/0": ZSTD16}),
    (v3_meta([2**40], "float64", [2**40]), {"c/0": b"\x00" * 16}),
    (v3_meta([10, 10], "uint8", [2**32, 2**32], ZSTD_CODECS), {"c/0/0": ZSTD16}),
    (v3_meta([10, 10, 10], "uint64", [2**22, 2**22, 2**22], ZSTD_CODECS), {"c/0/0/0": ZSTD16}),
    # Rank mismatches.
    (v3_meta([10, 10], "int32", [5]), None),
    (v3_meta([10], "int32", [5, 5]), None),
    (v3_meta([10, 10], "int32", [5, 5], dimension_names=["x"]), None),
    (v3_meta([], "int32", [1]), None),
    # Codec chains that do not fit the array.
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "transpose", "configuration": {"order": [0, 0]}},
                                       {"name": "bytes", "configuration": {"endian": "little"}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "transpose", "configuration": {"order": [1, 0, 2]}},
                                       {"name": "bytes", "configuration": {"endian": "little"}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "transpose", "configuration": {"order": [0, 5]}},
                                       {"name": "bytes", "configuration": {"endian": "little"}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], []), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "zstd", "configuration": {"level": 1}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "bytes", "configuration": {"endian": "little"}},
                                       {"name": "bytes", "configuration": {"endian": "little"}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "bytes", "configuration": {"endian": "middle"}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "bytes", "configuration": {"endian": "little"}},
                                       {"name": "blosc", "configuration": {"cname": "snappy2", "clevel": 5,
                                                                          "shuffle": "shuffle", "typesize": 4,
                                                                          "blocksize": 0}}]), None),
    (v3_meta([8, 8], "int32", [4, 4], [{"name": "bytes", "configuration": {"endian": "little"}},
                                       {"name": "zstd", "configuration": {"level": "high"}}]), None),
    # Sharding that does not tile.
    (v3_meta([16, 16], "int32", [8, 8], [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [3, 4], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]), None),
    (v3_meta([16, 16], "int32", [8, 8], [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [4], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]), None),
    (v3_meta([16, 16], "int32", [8, 8], [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [0, 4], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]), None),
    (v3_meta([16, 16], "int32", [8, 8], [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [4, 4], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_location": "middle"}}]), None),
    # Inner chunk grid of a shard with 2**40 entries: the index alone is 16 TiB.
    (v3_meta([2**40], "uint8", [2**40], [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [1], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_location": "end"}}]), {"c/0": b"\x00" * 64}),
    # Fill values that do not fit the type.
    (v3_meta([4], "int32", [2], fill_value="abc"), None),
    (v3_meta([4], "uint8", [2], fill_value=300), None),
    (v3_meta([4], "int8", [2], fill_value=-129), None),
    (v3_meta([4], "int32", [2], fill_value=1.5), None),
    (v3_meta([4], "bool", [2], fill_value="yes"), None),
    (v3_meta([4], "float32", [2], fill_value="0x7fc0"), None),       # hex of the wrong width
    (v3_meta([4], "float32", [2], fill_value="0xZZZZZZZZ"), None),
    (v3_meta([4], "complex64", [2], fill_value=[1.0]), None),
    (v3_meta([4], "uint64", [2], fill_value=2**64), None),                # parses as the double 2**64
    (v3_meta([4], "uint64", [2], fill_value=1.8446744073709552e19), None),
    (v3_meta([4], "int64", [2], fill_value=9.223372036854775807e18), None),  # the double 2**63
    (v3_meta([4], "float64", [2], fill_value=None), None),
], ids=lambda v: None)
def test_hostile_v3_metadata(geobatch, tmp_path, meta, chunks):
    store = hand_store(tmp_path, meta, chunks=chunks)
    expect(geobatch, geobatch.Error, store)


@pytest.mark.parametrize("meta,chunks", [
    (v2_meta([2**40, 2**40], "<f8", [2**20, 2**20]), None),
    (v2_meta([2**64], "|u1", [1]), None),
    (v2_meta([-1], "<i4", [1]), None),
    (v2_meta([10], "<i4", [0]), None),
    (v2_meta([10], "<i4", [-3]), None),
    (v2_meta([10, 10], "<i4", [5]), None),
    (v2_meta([2**40], "|u1", [2**40], {"id": "zstd", "level": 1}), {"0": ZSTD16}),
    (v2_meta([10, 10], "|u1", [2**32, 2**32], {"id": "zstd", "level": 1}), {"0.0": ZSTD16}),
    (v2_meta([4], "|u1", [2], fill_value=300), None),
    (v2_meta([4], "<i4", [2], filters=[{"id": "delta"}]), {"0": b"\x00" * 8}),        # delta without dtype
    (v2_meta([4], "<f8", [2], filters=[{"id": "fixedscaleoffset", "scale": 1, "offset": 0, "dtype": "<f8",
                                        "astype": "|O"}]), {"0": b"\x00" * 2}),
    (v2_meta([4], "<f8", [2], filters=[{"id": "astype", "encode_dtype": "<f4", "decode_dtype": "<i4"}]),
     {"0": b"\x00" * 8}),  # decode_dtype disagrees with the array dtype
], ids=lambda v: None)
def test_hostile_v2_metadata(geobatch, tmp_path, meta, chunks):
    store = hand_store(tmp_path, meta, zarr_format=2, chunks=chunks)
    expect(geobatch, geobatch.Error, store)


def test_v2_shuffle_elementsize_zero(geobatch, tmp_path):
    """numcodecs treats Shuffle(elementsize=0) as the identity; no division
    by zero (SIGFPE) and the same values as zarr-python."""
    store = hand_store(tmp_path, v2_meta([4], "<i4", [2], filters=[{"id": "shuffle", "elementsize": 0}]),
                       zarr_format=2, chunks={"0": struct.pack("<ii", 7, -8), "1": struct.pack("<ii", 9, 10)})
    z = zw.read_with_zarr(store, ARR)
    try:
        got = open_and_read(geobatch, store)
    except geobatch.Error:
        return  # refusing the degenerate filter is fine too
    assert_identical(got, np.asarray(z[...]))


def test_huge_but_valid_shape_small_read(geobatch, tmp_path):
    """A huge, sparse array is legal: opening it and reading a small box of
    missing chunks must give the fill value (or a geobatch.Error), not a crash."""
    n = 2**30  # 2**60 elements, 2**62 bytes: huge, but every size fits in 64 bits
    store = hand_store(tmp_path, v3_meta([n, n], "float32", [1024, 1024], fill_value=1.5))
    a = geobatch.open_array(str(store), path=ARR)
    assert a.shape == (n, n)
    assert_identical(a[n // 2:n // 2 + 3, 5:7], np.full((3, 2), 1.5, np.float32))
    assert_identical(a.read(region=[(n - 2, n), (0, 1)]), np.full((2, 1), 1.5, np.float32))
    with pytest.raises((geobatch.Error, MemoryError)):  # 4 EiB: numpy's MemoryError is fine
        a.read()


# --------------------------------------------------------------------------
# Unknown codecs, dtypes, extensions
# --------------------------------------------------------------------------

@pytest.mark.parametrize("codecs,name", [
    ([{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "my_fancy_codec"}], "my_fancy_codec"),
    ([{"name": "my_serializer", "configuration": {}}], "my_serializer"),
    ([{"name": "my_filter"}, {"name": "bytes", "configuration": {"endian": "little"}}], "my_filter"),
    ([{"name": "bytes", "configuration": {"endian": "little"}},
      {"name": "numcodecs.not_a_codec", "configuration": {}}], "numcodecs.not_a_codec"),
    ([{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [4, 4], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                          {"name": "inner_mystery"}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}],
     "inner_mystery"),
], ids=["compressor", "serializer", "filter", "numcodecs", "inside-shard"])
def test_unknown_codec_v3(geobatch, tmp_path, codecs, name):
    sharded = codecs[0]["name"] == "sharding_indexed"
    store = hand_store(tmp_path, v3_meta([8, 8], "int32", [8, 8] if sharded else [4, 4], codecs),
                       chunks={"c/0/0": b"\x00" * 80})
    expect(geobatch, geobatch.UnsupportedError, store, names=[name])


@pytest.mark.parametrize("field,codec,name", [
    ("compressor", {"id": "my_fancy_codec", "level": 1}, "my_fancy_codec"),
    ("filters", [{"id": "my_filter"}], "my_filter"),
    ("compressor", {"id": "zfpy", "mode": 4, "tolerance": -1, "rate": -1, "precision": -1}, "zfpy"),
])
def test_unknown_codec_v2(geobatch, tmp_path, field, codec, name):
    store = hand_store(tmp_path, v2_meta([8, 8], "<f8", [4, 4], **{field: codec}), zarr_format=2,
                       chunks={"0.0": b"\x00" * 128})
    expect(geobatch, geobatch.UnsupportedError, store, names=[name])


@pytest.mark.parametrize("dtype", ["my_dtype", "float8_e4m3", "int128", "r24", "Float32", ""])
def test_unknown_dtype_v3(geobatch, tmp_path, dtype):
    store = hand_store(tmp_path, v3_meta([4], dtype, [2]))
    err = expect(geobatch, geobatch.UnsupportedError, store)
    if dtype:
        assert dtype in str(err)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_string_dtype_from_zarr(geobatch, tmp_path, zarr_format):
    """A real-world unsupported type: zarr-python's variable-length strings."""
    import zarr

    store = tmp_path / "store"
    a = zarr.create_array(str(store), name=ARR, shape=(3,), dtype=str, chunks=(3,), zarr_format=zarr_format)
    a[...] = ["a", "bb", "ccc"]
    expect(geobatch, geobatch.UnsupportedError, store)


@pytest.mark.parametrize("dtype", ["<U10", "|S5", "|O", "<f16", "|V8", [["a", "<i4"], ["b", "<f8"]], "<q8", "abc"])
def test_unknown_dtype_v2(geobatch, tmp_path, dtype):
    store = hand_store(tmp_path, v2_meta([4], dtype, [2], fill_value=None), zarr_format=2)
    expect(geobatch, geobatch.UnsupportedError, store)


def test_must_understand_true_refused(geobatch, tmp_path):
    store = write(tmp_path)
    m = zw.load_json(adir(store) / "zarr.json")
    m["my_extension_field"] = {"must_understand": True, "value": 1}
    zw.dump_json(adir(store) / "zarr.json", m)
    expect(geobatch, geobatch.Error, store, names=["my_extension_field"])


def test_must_understand_false_accepted(geobatch, tmp_path):
    store = write(tmp_path, dtype="float32")
    z = zw.read_with_zarr(store, ARR)
    expected = np.asarray(z[...])
    m = zw.load_json(adir(store) / "zarr.json")
    m["my_extension_field"] = {"must_understand": False, "value": [1, 2]}
    zw.dump_json(adir(store) / "zarr.json", m)
    # zarr-python accepts it too (reads the same values).
    assert_identical(np.asarray(zw.read_with_zarr(store, ARR)[...]), expected)
    a = geobatch.open_array(str(store), path=ARR)
    assert_identical(a[...], expected)


def test_must_understand_true_in_group(geobatch, tmp_path):
    store = tmp_path / "g"
    store.mkdir()
    zw.dump_json(store / "zarr.json", {"zarr_format": 3, "node_type": "group", "attributes": {},
                                       "my_group_ext": {"must_understand": True}})
    with pytest.raises(geobatch.Error) as ei:
        list(geobatch.open_group(str(store)))
    assert "my_group_ext" in str(ei.value)


@pytest.mark.parametrize("field,value,name", [
    ("chunk_grid", {"name": "rectilinear", "configuration": {"chunk_shapes": [[4, 4], [4, 4]]}}, "rectilinear"),
    ("chunk_key_encoding", {"name": "my_encoding"}, "my_encoding"),
    ("storage_transformers", [{"name": "my_transformer"}], "my_transformer"),
])
def test_unknown_v3_extension_points(geobatch, tmp_path, field, value, name):
    store = hand_store(tmp_path, v3_meta([8, 8], "int32", [4, 4], **{field: value}))
    expect(geobatch, geobatch.UnsupportedError, store, names=[name])


# --------------------------------------------------------------------------
# Missing things and paths escaping the store
# --------------------------------------------------------------------------

def test_missing_array_path(geobatch, tmp_path):
    store = write(tmp_path)
    for p in ["nope", "grp/nope", "grp/bad/c", "grp/bad/c/0/0"]:
        with pytest.raises(geobatch.NotFoundError) as ei:
            geobatch.open_array(str(store), path=p)
        assert isinstance(ei.value, KeyError)
        assert p in str(ei.value)


def test_missing_store(geobatch, tmp_path):
    for url in [str(tmp_path / "does-not-exist"), "file://" + str(tmp_path / "nope")]:
        with pytest.raises(geobatch.NotFoundError):
            geobatch.open_array(url)
        with pytest.raises(geobatch.NotFoundError):
            geobatch.open(url)
    (tmp_path / "empty").mkdir()
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open_array(str(tmp_path / "empty"))
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open_group(str(tmp_path / "empty"))


def test_missing_memory_store(geobatch):
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open_array("memory://geobatch-test-never-created", path="x")


def test_unknown_url_scheme(geobatch):
    with pytest.raises(geobatch.Error):
        geobatch.open_array("nosuchscheme://bucket/x")


@pytest.mark.parametrize("path", ["../x", "../x/", "grp/../../x", "..", "grp/bad/../../../x", "./../x"])
def test_path_escaping_root(geobatch, tmp_path, path):
    """A valid array right next to the store root must not be reachable."""
    store = write(tmp_path)
    zw.write_case(zw.Case("x", (4,), "int32", (2,)), tmp_path / "x")  # the sibling bait
    with pytest.raises(geobatch.InvalidArgumentError):
        geobatch.open_array(str(store), path=path)
    with pytest.raises(geobatch.InvalidArgumentError):
        geobatch.open("file://" + str(store), path=path)


def test_group_item_escaping_root(geobatch, tmp_path):
    import zarr

    store = tmp_path / "root"
    zarr.open_group(str(store), mode="w").create_array("a", shape=(2,), dtype="i4")
    zw.write_case(zw.Case("x", (4,), "int32", (2,)), tmp_path / "x")
    g = geobatch.open_group(str(store))
    for name in ["../x", "a/../../x"]:
        with pytest.raises((geobatch.InvalidArgumentError, geobatch.NotFoundError)):
            g[name]


def test_chunk_is_a_directory(geobatch, tmp_path):
    """A chunk key that names a directory is not a chunk."""
    store = write(tmp_path, compressors=None)
    p = adir(store) / "c/0/0"
    p.unlink()
    p.mkdir()
    try:
        v = open_and_read(geobatch, store)
    except geobatch.Error as err:
        assert "c/0/0" in str(err)
    else:
        assert (v[:4, :4] == 0).all()  # treated as missing: the fill value


def test_unreadable_chunk(geobatch, tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads files regardless of permissions")
    store = write(tmp_path, compressors=None)
    p = adir(store) / "c/0/0"
    p.chmod(0)
    expect(geobatch, geobatch.PermissionDeniedError, store, key="c/0/0")
