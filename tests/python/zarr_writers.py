"""Fixture writers for the geobatch conformance suite.

Every fixture is written at test time, into a fresh directory, by the
reference implementation that can write it:

* zarr-python 3 for almost everything (v2 and v3);
* tensorstore for a few v3 layouts, as a second, independent writer;
* by hand (metadata JSON plus chunk bytes made with numcodecs or by direct
  editing) where neither can write the feature; each such place says so.

A fixture is described by a ``Case``; ``write_case`` materialises it and
returns the store directory. Expected values are always what zarr-python
reads back from the final store (see conftest.py), never what we think was
written, so that the comparison is "geobatch == zarr-python".

Run this module directly to write every fixture into a temporary directory
and read each one back with zarr-python (a self-check of the writers):

    .venv/bin/python tests/python/zarr_writers.py
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numcodecs
import numpy as np
import zarr
from zarr.codecs import (
    BloscCodec,
    BytesCodec,
    Crc32cCodec,
    GzipCodec,
    ShardingCodec,
    TransposeCodec,
    ZstdCodec,
)



def _quiet(fn):
    """zarr-python warns about numcodecs codecs in v3 metadata, sharding
    combined with other codecs and the like; none of that matters to the
    fixtures, which do it on purpose."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return wrapper

V3_DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
]
BLOSC_CNAMES = list(numcodecs.blosc.list_compressors())  # blosclz, lz4, lz4hc, zlib, zstd
BLOSC_SHUFFLES = ["noshuffle", "shuffle", "bitshuffle"]

# Marker of an empty inner chunk in a shard index (offset and nbytes).
SHARD_EMPTY = 2**64 - 1


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def _float_specials(dt: np.dtype) -> np.ndarray:
    """Values that catch lossy or sloppy float handling, as raw-bit exact
    values: NaN with and without payload and sign, infinities, signed zeros,
    the smallest subnormal, the extremes."""
    fi = np.finfo(dt)
    vals = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, fi.max, fi.min,
            fi.smallest_subnormal, -fi.smallest_subnormal, fi.tiny, fi.eps, 1.0, -1.0]
    out = np.array(vals, dtype=dt)
    # A NaN with a payload and a negative quiet NaN, set through the raw bits.
    uint = np.dtype(f"u{dt.itemsize}")
    bits = out.view(uint)
    nbits = dt.itemsize * 8
    mant = fi.nmant
    exp_all = ((1 << (nbits - 1 - mant)) - 1) << mant
    bits[0] = exp_all | (1 << (mant - 1)) | 1          # quiet NaN, payload 1
    bits[1] = (1 << (nbits - 1)) | exp_all | (1 << (mant - 1)) | 5  # -NaN, payload 5
    return out


def make_data(dtype: str | np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Deterministic test data covering the dtype's range, with the special
    float values at the start of the flattened array when it is big enough."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    if dt.kind == "b":
        flat = rng.integers(0, 2, n).astype(dt)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        flat = rng.integers(info.min, info.max, n, dtype=dt.newbyteorder("="), endpoint=True).astype(dt)
        if n >= 2:
            flat[0], flat[1] = info.min, info.max
    elif dt.kind == "f":
        native = dt.newbyteorder("=")
        flat = (rng.standard_normal(n) * 1000).astype(native)
        sp = _float_specials(native)
        k = min(n, len(sp))
        flat[:k] = sp[:k]
        flat = flat.astype(dt)
    elif dt.kind == "c":
        native = dt.newbyteorder("=")
        part = np.dtype(f"f{native.itemsize // 2}")
        re = (rng.standard_normal(n) * 1000).astype(part)
        im = (rng.standard_normal(n) * 1000).astype(part)
        sp = _float_specials(part)
        k = min(n, len(sp))
        re[:k] = sp[:k]
        im[:k] = sp[::-1][:k]
        flat = np.empty(n, native)
        flat.real = re
        flat.imag = im
        flat = flat.astype(dt)
    elif dt.kind in "mM":
        native = dt.newbyteorder("=")
        ints = rng.integers(-(2**40), 2**40, n, dtype=np.int64)
        if n >= 3:
            ints[0] = np.iinfo(np.int64).min  # NaT
            ints[1] = np.iinfo(np.int64).max
            ints[2] = 0
        flat = ints.view(native).astype(dt)
    else:
        raise ValueError(f"no test data for {dt}")
    return flat.reshape(shape)


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------

@dataclass(eq=False)
class Case:
    """One array fixture.

    writer: "zarr" (zarr.create_array with ``kwargs``), "tensorstore"
    (``ts_metadata`` is the zarr.json to create), or "hand" (``hand`` writes
    the store itself).
    path: array path inside the store ("" = the store root is the array).
    drop_chunks: how many stored chunk (or shard) keys to delete afterwards,
    so that missing chunks must read as the fill value.
    fill_blocks: boxes of the data set to the fill value before writing, so
    that zarr-python omits those chunks (or inner chunks of a shard).
    write_box: write only this box of the data (the rest stays unwritten).
    patch: edits the written store (e.g. the metadata) afterwards; gets the
    array directory.
    """

    id: str
    shape: tuple[int, ...]
    dtype: str
    chunks: tuple[int, ...] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    zarr_format: int = 3
    path: str = ""
    writer: str = "zarr"
    data: str = "random"  # "random" | "smooth" (see smooth_data) | "none"
    drop_chunks: int = 0
    fill_blocks: list[tuple[slice, ...]] = field(default_factory=list)
    write_box: tuple[slice, ...] | None = None
    patch: Callable[[Path], None] | None = None
    ts_metadata: dict[str, Any] | None = None
    hand: Callable[[Path], None] | None = None
    seed: int = 1
    # Raw bits of the fill value per the spec, where zarr-python reads a
    # hand-written hex fill value wrongly (see conftest._expected).
    spec_fill_bits: int | None = None

    def __repr__(self) -> str:  # shows up in pytest ids/tracebacks
        return f"Case({self.id})"


def array_dir(store: Path, path: str) -> Path:
    return store / path if path else store


def metadata_file(case: Case) -> str:
    return "zarr.json" if case.zarr_format == 3 else ".zarray"


def chunk_files(adir: Path) -> list[Path]:
    """Stored chunk/shard files of the array in ``adir`` (metadata excluded)."""
    out = []
    for root, _dirs, files in os.walk(adir):
        for f in files:
            if f in ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"):
                continue
            out.append(Path(root) / f)
    return sorted(out)


@_quiet
def write_case(case: Case, store: Path) -> Path:
    """Writes ``case`` into the (not yet existing) directory ``store``."""
    store = Path(store)
    if store.exists():
        shutil.rmtree(store)
    store.mkdir(parents=True)
    adir = array_dir(store, case.path)

    if case.writer == "zarr":
        kwargs = dict(case.kwargs)
        if case.chunks is not None:
            kwargs.setdefault("chunks", case.chunks)
        arr = zarr.create_array(
            str(store), name=case.path or None, shape=case.shape, dtype=case.dtype,
            zarr_format=case.zarr_format, **kwargs)
        if case.data != "none" and int(np.prod(case.shape)) > 0:
            data = data_for(case, arr.dtype)
            if case.fill_blocks:
                fv = arr.fill_value
                for box in case.fill_blocks:
                    data[box] = fv
            if case.write_box is not None:
                arr[case.write_box] = data[case.write_box]
            else:
                arr[...] = data
    elif case.writer == "tensorstore":
        import tensorstore as ts

        t = ts.open({
            "driver": "zarr3",
            "kvstore": {"driver": "file", "path": str(adir) + "/"},
            "metadata": case.ts_metadata,
            "create": True,
            "delete_existing": True,
        }).result()
        if case.data != "none" and int(np.prod(case.shape)) > 0:
            data = data_for(case, np.dtype(case.dtype))
            box = case.write_box if case.write_box is not None else (slice(None),) * len(case.shape)
            t[box] = data[box]
    elif case.writer == "hand":
        assert case.hand is not None
        case.hand(adir)
    else:
        raise ValueError(case.writer)

    if case.drop_chunks:
        files = chunk_files(adir)
        assert len(files) > case.drop_chunks, (case.id, files)
        rng = np.random.default_rng(case.seed + 99)
        for i in sorted(rng.choice(len(files), case.drop_chunks, replace=False)):
            files[i].unlink()
    if case.patch is not None:
        case.patch(adir)
    return store


# ---- metadata editing helpers (the "by hand" part) ------------------------

def load_json(p: Path) -> dict:
    with open(p) as f:
        return json.load(f)


def dump_json(p: Path, obj: Any) -> None:
    with open(p, "w") as f:
        json.dump(obj, f, indent=2)


def edit_v3(drop: list[str] = (), **fields: Any) -> Callable[[Path], None]:
    """A patch that removes and sets top-level zarr.json fields."""

    def patch(adir: Path) -> None:
        m = load_json(adir / "zarr.json")
        for k in drop:
            m.pop(k, None)
        m.update(fields)
        dump_json(adir / "zarr.json", m)

    return patch


def edit_v2(drop: list[str] = (), **fields: Any) -> Callable[[Path], None]:
    """A patch that removes and sets .zarray fields."""

    def patch(adir: Path) -> None:
        m = load_json(adir / ".zarray")
        for k in drop:
            m.pop(k, None)
        m.update(fields)
        dump_json(adir / ".zarray", m)

    return patch


def zstd_frame_without_size(payload: bytes, blocks: int = 1) -> bytes:
    """A zstd frame written by hand: no frame content size in the header
    (as streaming compressors write it), 1 KiB window, ``blocks`` raw blocks."""
    assert len(payload) <= 1024
    out = b"\x28\xb5\x2f\xfd" + bytes([0x00, 0x00])  # magic, descriptor (no FCS, no checksum), window 1 KiB
    cuts = [len(payload) * i // blocks for i in range(blocks + 1)]
    for i in range(blocks):
        part = payload[cuts[i]:cuts[i + 1]]
        last = 1 if i == blocks - 1 else 0
        out += (last | (len(part) << 3)).to_bytes(3, "little") + part  # raw block header
    return out


def rewrite_chunks(encode: Callable[[bytes], bytes], keys: list[str]) -> Callable[[Path], None]:
    """A patch re-encoding chunks of a v3 array with a bytes->bytes
    compressor as only compressor: decodes the stored chunk with zarr's
    codec (numcodecs), re-encodes the raw bytes with ``encode``."""

    def patch(adir: Path) -> None:
        m = load_json(adir / "zarr.json")
        name = m["codecs"][-1]["name"]
        dec = {"zstd": numcodecs.Zstd(), "gzip": numcodecs.GZip()}[name]
        for key in keys:
            p = adir / key
            raw = bytes(dec.decode(p.read_bytes()))
            p.write_bytes(encode(raw))

    return patch


def set_v3_field(**fields: Any) -> Callable[[Path], None]:
    """A patch that sets top-level zarr.json fields (by hand: zarr-python
    normalises some values, e.g. it never writes hex raw-bit fill values)."""

    def patch(adir: Path) -> None:
        m = load_json(adir / "zarr.json")
        m.update(fields)
        dump_json(adir / "zarr.json", m)

    return patch


# --------------------------------------------------------------------------
# Zarr v3 matrix
# --------------------------------------------------------------------------

NO_COMPRESSION = {"compressors": None}

RICH_ATTRS = {
    "units": "m s-1", "ünïcödé": "✓ ☃ 雪", "u64max": 2**64 - 1, "i64min": -(2**63), "float": 0.1,
    "exp": 1e-300, "negzero": -0.0, "list": [1, 2.5, "x", None, True, {"k": []}], "nested": {"a": {"b": {"c": {}}}},
    "empty_str": "", "escape": "quote\" backslash\\ newline\n tab\t nul\u0000",
}
# zarr-python writes these as bare NaN / Infinity / -Infinity literals.
NAN_ATTRS = {"_FillValue": float("nan"), "valid_max": float("inf"), "valid_min": float("-inf"),
             "range": [float("-inf"), 0, float("nan")]}


def _v3_cases() -> list[Case]:
    cases: list[Case] = []
    # Every core dtype, default codec chain (bytes + zstd), edge chunks.
    for dt in V3_DTYPES:
        cases.append(Case(f"dtype-{dt}", (13, 17), dt, (5, 6), drop_chunks=2))
    # Every core dtype through bytes big-endian, uncompressed and zstd.
    for dt in V3_DTYPES:
        cases.append(Case(f"bytes-big-{dt}", (9, 11), dt, (4, 4),
                          {"serializer": BytesCodec(endian="big"), "compressors": None}))
    for dt in ["int32", "float64", "complex64"]:
        cases.append(Case(f"bytes-little-raw-{dt}", (9, 11), dt, (4, 4),
                          {"serializer": BytesCodec(endian="little"), "compressors": None}))
        cases.append(Case(f"bytes-big-zstd-{dt}", (9, 11), dt, (4, 4),
                          {"serializer": BytesCodec(endian="big"), "compressors": ZstdCodec(level=3)}))
    # Transpose.
    for order, shape, chunks in [
        ((1, 0), (10, 7), (4, 3)),
        ((1, 0, 2), (6, 7, 5), (4, 3, 2)),
        ((2, 0, 1), (6, 7, 5), (4, 3, 2)),
        ((0, 2, 1), (6, 7, 5), (6, 7, 5)),
        ((3, 1, 0, 2), (3, 4, 5, 2), (2, 3, 2, 2)),
    ]:
        oid = "".join(map(str, order))
        for dt in ["int16", "float32"]:
            cases.append(Case(f"transpose-{oid}-{dt}", shape, dt, chunks,
                              {"filters": [TransposeCodec(order=order)]}))
    cases.append(Case("transpose-10-big-blosc", (10, 7), "uint32", (4, 3),
                      {"filters": [TransposeCodec(order=(1, 0))],
                       "serializer": BytesCodec(endian="big"),
                       "compressors": BloscCodec(cname="lz4", shuffle="shuffle")}))
    # Blosc: every cname x shuffle, on a multi-byte type (shuffle matters).
    for cname in BLOSC_CNAMES:
        for shuffle in BLOSC_SHUFFLES:
            for dt in ["float32", "int64"]:
                cases.append(Case(f"blosc-{cname}-{shuffle}-{dt}", (20, 30), dt, (8, 16),
                                  {"compressors": BloscCodec(cname=cname, clevel=5, shuffle=shuffle)}))
    cases.append(Case("blosc-zstd-clevel0", (20, 30), "float32", (8, 16),
                      {"compressors": BloscCodec(cname="zstd", clevel=0, shuffle="shuffle")}))
    cases.append(Case("blosc-lz4-blocksize", (40, 30), "int32", (20, 30),
                      {"compressors": BloscCodec(cname="lz4", clevel=9, shuffle="bitshuffle", blocksize=256)}))
    cases.append(Case("blosc-bool", (20, 30), "bool", (8, 16),
                      {"compressors": BloscCodec(cname="zstd", shuffle="bitshuffle")}))
    cases.append(Case("blosc-complex128", (20, 30), "complex128", (8, 16),
                      {"compressors": BloscCodec(cname="blosclz", shuffle="shuffle")}))
    # zstd with and without checksum, several levels.
    for checksum in (False, True):
        for level in (-3, 0, 5, 19):
            cases.append(Case(f"zstd-l{level}-{'crc' if checksum else 'nocrc'}", (20, 30), "float64", (8, 16),
                              {"compressors": ZstdCodec(level=level, checksum=checksum)}))
    # gzip.
    for level in (0, 1, 6, 9):
        cases.append(Case(f"gzip-l{level}", (20, 30), "int32", (8, 16),
                          {"compressors": GzipCodec(level=level)}))
    # crc32c, alone and after a compressor.
    cases.append(Case("crc32c-raw", (20, 30), "uint16", (8, 16), {"compressors": [Crc32cCodec()]}))
    cases.append(Case("zstd-crc32c", (20, 30), "float32", (8, 16),
                      {"compressors": [ZstdCodec(level=1), Crc32cCodec()]}))
    cases.append(Case("gzip-crc32c-big", (20, 30), "int64", (8, 16),
                      {"serializer": BytesCodec(endian="big"), "compressors": [GzipCodec(level=2), Crc32cCodec()]}))
    cases.append(Case("blosc-zstd-chain", (20, 30), "int16", (8, 16),
                      {"compressors": [BloscCodec(cname="lz4", shuffle="noshuffle"), ZstdCodec(level=1)]}))
    # Chunk key encodings.
    for name, sep in [("default", "/"), ("default", "."), ("v2", "."), ("v2", "/")]:
        sid = "slash" if sep == "/" else "dot"
        cases.append(Case(f"cke-{name}-{sid}", (9, 10, 11), "int32", (4, 5, 3),
                          {"chunk_key_encoding": {"name": name, "separator": sep}}, drop_chunks=3))
        cases.append(Case(f"cke-{name}-{sid}-0d", (), "float64", (),
                          {"chunk_key_encoding": {"name": name, "separator": sep}}))
        cases.append(Case(f"cke-{name}-{sid}-1d", (25,), "uint8", (4,),
                          {"chunk_key_encoding": {"name": name, "separator": sep}}))
    # Attributes as zarr-python writes them, including the non-standard
    # NaN/Infinity JSON literals that it (and xarray's _FillValue) emit.
    cases.append(Case("attrs-rich", (4, 5), "float32", (2, 2), {"attributes": RICH_ATTRS}))
    cases.append(Case("attrs-nan", (4, 5), "float32", (2, 2), {"attributes": NAN_ATTRS}))
    # Valid compressed streams that zarr-python never writes, made by hand:
    # zstd frames without a content size (as streaming compressors emit
    # them), split over several blocks and frames; multi-member gzip.
    cases.append(Case("zstd-streaming-frames", (8, 8), "int32", (4, 4), {"compressors": ZstdCodec()},
                      patch=rewrite_chunks(lambda raw: zstd_frame_without_size(raw, blocks=2), ["c/0/1"])
                      ))
    cases.append(Case("zstd-concatenated-frames", (8, 8), "int32", (4, 4), {"compressors": ZstdCodec()},
                      patch=rewrite_chunks(lambda raw: zstd_frame_without_size(raw[:30])
                                           + zstd_frame_without_size(raw[30:]), ["c/1/0", "c/1/1"])))
    cases.append(Case("gzip-multimember", (8, 8), "int32", (4, 4), {"compressors": GzipCodec()},
                      patch=rewrite_chunks(lambda raw: gzip.compress(raw[:20]) + gzip.compress(raw[20:]),
                                           ["c/0/1"])))
    # "endian" on a 1-byte type is allowed (and meaningless); by hand.
    cases.append(Case("bytes-endian-uint8", (8, 8), "uint8", (4, 4), {"compressors": None},
                      patch=edit_v3(codecs=[{"name": "bytes", "configuration": {"endian": "big"}}])))
    # Dimension names.
    cases.append(Case("dimnames", (6, 8), "int16", (3, 3), {"dimension_names": ["y", "x"]}))
    # Optional fields left out and defaults spelled implicitly (by hand):
    # no attributes / storage_transformers / dimension_names, and a "v2"
    # chunk key encoding without configuration (separator defaults to ".").
    cases.append(Case("minimal-fields", (9, 10), "int32", (4, 4),
                      {"chunk_key_encoding": {"name": "v2", "separator": "."}},
                      patch=edit_v3(drop=["attributes", "storage_transformers", "dimension_names"],
                                    chunk_key_encoding={"name": "v2"})))
    cases.append(Case("default-cke-no-config", (9, 10), "int32", (4, 4),
                      patch=edit_v3(chunk_key_encoding={"name": "default"})))
    cases.append(Case("dimnames-partial", (6, 8, 2), "int16", (3, 3, 2),
                      {"dimension_names": ["time", None, "band"]}))
    # Fill values; each with missing chunks (a write box) so the fill matters.
    box = (slice(0, 5), slice(0, 6))
    fills: list[tuple[str, str, Any]] = [
        ("nan-f32", "float32", np.nan),
        ("nan-f64", "float64", np.nan),
        ("nan-f16", "float16", np.nan),
        ("inf-f32", "float32", np.inf),
        ("ninf-f64", "float64", -np.inf),
        ("inf-f16", "float16", np.inf),
        ("negzero-f64", "float64", -0.0),
        ("num-f32", "float32", 3.25),
        ("num-f64", "float64", -1.0e300),
        ("int-i8", "int8", -128),
        ("int-i16", "int16", -7),
        ("int-i64", "int64", -(2**63)),
        ("int-u64", "uint64", 2**64 - 1),
        ("int-u32", "uint32", 4000000000),
        ("bool-true", "bool", True),
        ("bool-false", "bool", False),
        ("complex-c64", "complex64", complex(1.5, -2.0)),
        ("complex-c128", "complex128", complex(-0.0, 1e300)),
        ("complex-naninf", "complex128", complex(np.nan, -np.inf)),
    ]
    for fid, dt, fv in fills:
        cases.append(Case(f"fill-{fid}", (13, 17), dt, (5, 6), {"fill_value": fv}, write_box=box))
    # Fill values as zarr-python never writes them, so the metadata is edited
    # by hand: hex raw bits (zarr-python writes "NaN") and JSON strings for
    # ordinary special values.
    spelled: list[tuple[str, str, Any]] = [
        ("hex-f32-payload", "float32", "0x7fc00001"),
        ("hex-f32-one", "float32", "0x3f800000"),
        ("hex-f64-snan", "float64", "0x7ff0000000000001"),
        ("hex-f64-negnan", "float64", "0xfff8000000000000"),
        ("hex-f16", "float16", "0x7e01"),
        ("hex-c64", "complex64", ["0x7fc00001", "-Infinity"]),
        ("str-nan-f32", "float32", "NaN"),
        ("str-inf-c128", "complex128", ["Infinity", "NaN"]),
    ]
    for fid, dt, fv in spelled:
        c = Case(f"fill-{fid}", (13, 17), dt, (5, 6), write_box=box, patch=set_v3_field(fill_value=fv))
        if isinstance(fv, str) and fv.startswith("0x"):
            # zarr-python 3.1.6 reads "0x7e01" (float16) as 0x7e00, dropping
            # the payload: the spec's bits are the reference for these.
            c.spec_fill_bits = int(fv, 16)
        cases.append(c)
    # Missing everything.
    for dt in ["float32", "int16", "complex64", "bool"]:
        cases.append(Case(f"empty-{dt}", (7, 9), dt, (3, 4), {"fill_value": 1}, data="none"))
    # Edge chunks, odd ranks, chunk larger than the array, chunk size 1.
    cases.append(Case("rank1", (101,), "int32", (10,)))
    cases.append(Case("rank4", (5, 4, 3, 6), "float32", (2, 3, 2, 4), drop_chunks=4))
    cases.append(Case("rank5", (3, 2, 4, 3, 2), "uint16", (2, 1, 3, 2, 2)))
    cases.append(Case("chunk-bigger", (5, 7), "float64", (16, 16)))
    cases.append(Case("chunk-one", (6, 5), "int8", (1, 1)))
    cases.append(Case("chunk-row", (9, 13), "uint64", (1, 13)))
    cases.append(Case("nested-path", (9, 13), "int32", (4, 4), path="a/b/c"))
    # 0-d arrays.
    for dt in ["float64", "int32", "bool", "complex64", "float16", "uint64"]:
        cases.append(Case(f"zerod-{dt}", (), dt, ()))
    cases.append(Case("zerod-missing", (), "float32", (), {"fill_value": -2.5}, data="none"))
    cases.append(Case("zerod-raw-big", (), "int64", (),
                      {"serializer": BytesCodec(endian="big"), "compressors": None}))
    # Zero-length dimensions.
    cases.append(Case("zerolen-first", (0, 5), "int32", (3, 2)))
    cases.append(Case("zerolen-mid", (4, 0, 3), "float64", (2, 2, 2)))
    cases.append(Case("zerolen-1d", (0,), "uint8", (5,)))
    # numcodecs codecs in v3 metadata ("numcodecs.<id>"), as zarr-python writes them.
    from zarr.codecs import BZ2, LZ4, Delta, Zlib

    cases.append(Case("numcodecs-zlib", (20, 30), "float32", (8, 16), {"compressors": [Zlib(level=4)]}))
    cases.append(Case("numcodecs-lz4", (20, 30), "int32", (8, 16), {"compressors": [LZ4(acceleration=1)]}))
    cases.append(Case("numcodecs-bz2", (20, 30), "int16", (8, 16), {"compressors": [BZ2(level=5)]}))
    cases.append(Case("numcodecs-delta", (20, 30), "int32", (8, 16),
                      {"filters": [Delta(dtype="<i4")], "compressors": [Zlib(level=1)]}))
    # Written by tensorstore (an independent writer).
    cases.append(_ts_case("ts-plain-f32", (13, 17), "float32", [5, 6],
                          [{"name": "bytes", "configuration": {"endian": "little"}},
                           {"name": "zstd", "configuration": {"level": 1, "checksum": True}}],
                          fill_value="NaN", write_box=(slice(0, 10), slice(0, 12))))
    cases.append(_ts_case("ts-transpose-big-u16", (6, 7, 5), "uint16", [4, 3, 2],
                          [{"name": "transpose", "configuration": {"order": [2, 0, 1]}},
                           {"name": "bytes", "configuration": {"endian": "big"}},
                           {"name": "gzip", "configuration": {"level": 5}},
                           {"name": "crc32c"}], fill_value=7))
    cases.append(_ts_case("ts-v2key-c128", (9, 10), "complex128", [4, 4],
                          [{"name": "bytes", "configuration": {"endian": "little"}},
                           {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 3, "shuffle": "bitshuffle",
                                                              "typesize": 16, "blocksize": 0}}],
                          fill_value=[1.0, -1.0], chunk_key_encoding={"name": "v2", "configuration": {"separator": "."}}))
    return cases


def _ts_case(cid: str, shape, dtype: str, chunks, codecs, fill_value, write_box=None,
             chunk_key_encoding=None, dimension_names=None) -> Case:
    md: dict[str, Any] = {
        "shape": list(shape),
        "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
        "codecs": codecs,
        "fill_value": fill_value,
    }
    if chunk_key_encoding is not None:
        md["chunk_key_encoding"] = chunk_key_encoding
    if dimension_names is not None:
        md["dimension_names"] = dimension_names
    return Case(cid, tuple(shape), dtype, tuple(chunks), writer="tensorstore", ts_metadata=md,
                write_box=write_box)


# --------------------------------------------------------------------------
# Sharding
# --------------------------------------------------------------------------

def _shard(chunk_shape, codecs=None, index_codecs=None, index_location="end") -> ShardingCodec:
    kw: dict[str, Any] = {"chunk_shape": chunk_shape, "index_location": index_location}
    if codecs is not None:
        kw["codecs"] = codecs
    if index_codecs is not None:
        kw["index_codecs"] = index_codecs
    return ShardingCodec(**kw)


IDX_CRC = [BytesCodec(endian="little"), Crc32cCodec()]
IDX_RAW = [BytesCodec(endian="little")]


def _sharding_cases() -> list[Case]:
    cases: list[Case] = []
    # Shape (30, 45) with shards (16, 20) and inner chunks (4, 5): partial
    # shards at both edges and partial inner chunks inside them.
    shape, shard, inner = (30, 45), (16, 20), (4, 5)
    # Boxes aligned to inner chunks left at the fill value -> empty inner chunks.
    empty = [(slice(0, 4), slice(0, 5)), (slice(8, 16), slice(10, 20)), (slice(16, 20), slice(40, 45))]
    for loc in ("end", "start"):
        for idx_name, idx in (("crc", IDX_CRC), ("raw", IDX_RAW)):
            for inner_name, inner_codecs in (
                ("zstd", [BytesCodec(), ZstdCodec(level=1)]),
                ("raw", [BytesCodec()]),
                ("blosc", [BytesCodec(), BloscCodec(cname="lz4", shuffle="shuffle")]),
            ):
                cases.append(Case(
                    f"shard-{loc}-{idx_name}-{inner_name}", shape, "float32", None,
                    {"serializer": _shard(inner, inner_codecs, idx, loc), "chunks": shard,
                     "compressors": None, "fill_value": -1.5},
                    fill_blocks=empty))
    # Index codecs with big-endian offsets.
    cases.append(Case("shard-index-big", shape, "int32", None,
                      {"serializer": _shard(inner, [BytesCodec(), ZstdCodec()],
                                            [BytesCodec(endian="big"), Crc32cCodec()], "end"),
                       "chunks": shard, "compressors": None}, fill_blocks=empty))
    # The usual zarr-python way: shards= with inner chunks=, every dtype class.
    for dt in ["uint8", "int16", "float64", "complex64", "bool", "uint64"]:
        cases.append(Case(f"shard-shards-kw-{dt}", shape, dt, inner, {"shards": shard}, fill_blocks=empty))
    # Inner codecs: transpose + big endian + gzip + crc32c.
    cases.append(Case("shard-inner-transpose", (12, 14, 6), "uint16", None,
                      {"serializer": _shard((4, 7, 3), [TransposeCodec(order=(2, 0, 1)), BytesCodec(endian="big"),
                                                        GzipCodec(level=1), Crc32cCodec()]),
                       "chunks": (8, 14, 6), "compressors": None}))
    # Compressor applied to the whole shard after sharding.
    cases.append(Case("shard-outer-zstd", shape, "int32", None,
                      {"serializer": _shard(inner, [BytesCodec()], IDX_CRC, "end"), "chunks": shard,
                       "compressors": ZstdCodec(level=3)}, fill_blocks=empty))
    # Nested sharding: a shard of shards.
    for loc_outer, loc_inner in (("end", "end"), ("start", "end"), ("end", "start")):
        cases.append(Case(
            f"shard-nested-{loc_outer}-{loc_inner}", (40, 36), "int32", None,
            {"serializer": _shard((8, 12), [_shard((4, 4), [BytesCodec(), ZstdCodec(level=1)], IDX_CRC, loc_inner)],
                                  IDX_CRC, loc_outer),
             "chunks": (16, 24), "compressors": None, "fill_value": 42},
            fill_blocks=[(slice(0, 4), slice(0, 4)), (slice(16, 24), slice(0, 12))]))
    # Missing shards, missing inner chunks and partial writes.
    cases.append(Case("shard-missing-shards", shape, "float64", inner, {"shards": shard, "fill_value": np.nan},
                      drop_chunks=2))
    cases.append(Case("shard-partial-write", shape, "int16", inner, {"shards": shard, "fill_value": -9},
                      write_box=(slice(3, 21), slice(7, 33))))
    cases.append(Case("shard-all-empty", shape, "float32", inner, {"shards": shard, "fill_value": 2.0}, data="none"))
    # Shard the size of the whole array, one inner chunk per shard, 1-D and 3-D.
    cases.append(Case("shard-whole", (16, 20), "float32", inner, {"shards": (16, 20)}))
    cases.append(Case("shard-bigger-than-array", (5, 7), "int16", inner, {"shards": (16, 20)}))
    cases.append(Case("shard-single-inner", shape, "int32", shard, {"shards": shard}))
    cases.append(Case("shard-1d", (1000,), "uint16", (16,), {"shards": (128,)}, fill_blocks=[slice(32, 64)]))
    cases.append(Case("shard-3d", (10, 12, 9), "float32", (2, 3, 3), {"shards": (4, 6, 9)}))
    cases.append(Case("shard-cke-dot", shape, "int32", inner,
                      {"shards": shard, "chunk_key_encoding": {"name": "default", "separator": "."}}))
    # zarr-python 3.1.6 cannot write a sharded 0-d array (IndexError in its
    # sharding codec); tensorstore writes it and zarr-python reads it.
    cases.append(_ts_case("shard-zerod", (), "float64", [],
                          [{"name": "sharding_indexed", "configuration": {
                              "chunk_shape": [], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                              "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                               {"name": "crc32c"}], "index_location": "end"}}],
                          fill_value=0))
    # Written by tensorstore.
    sh = lambda inner_codecs, loc, idx=None: [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": list(inner), "codecs": inner_codecs,
        "index_codecs": idx or [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
        "index_location": loc}}]
    cases.append(_ts_case("ts-shard-start-blosc", shape, "int16", list(shard),
                          sh([{"name": "bytes", "configuration": {"endian": "big"}},
                              {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "bitshuffle",
                                                                 "typesize": 2, "blocksize": 0}}], "start"),
                          fill_value=-3, write_box=(slice(2, 25), slice(3, 40)), dimension_names=["y", "x"]))
    cases.append(_ts_case("ts-shard-end-rawindex", shape, "float64", list(shard),
                          sh([{"name": "bytes", "configuration": {"endian": "little"}},
                              {"name": "zstd", "configuration": {"level": 2, "checksum": False}}], "end",
                             [{"name": "bytes", "configuration": {"endian": "little"}}]),
                          fill_value="-Infinity", write_box=(slice(0, 30), slice(5, 45))))
    cases.append(_ts_case("ts-shard-nested", (40, 36), "uint32", [16, 24],
                          [{"name": "sharding_indexed", "configuration": {
                              "chunk_shape": [8, 12],
                              "codecs": [{"name": "sharding_indexed", "configuration": {
                                  "chunk_shape": [4, 4],
                                  "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                             {"name": "gzip", "configuration": {"level": 1}}],
                                  "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                                   {"name": "crc32c"}],
                                  "index_location": "start"}}],
                              "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                               {"name": "crc32c"}],
                              "index_location": "end"}}],
                          fill_value=5, write_box=(slice(1, 39), slice(0, 30))))
    return cases


def shard_index_entries(shard_bytes: bytes, n_inner: int, location: str, crc: bool,
                        big_endian: bool = False) -> list[tuple[int, int]]:
    """Decodes a shard index (bytes codec [+ crc32c]) into (offset, nbytes) pairs."""
    size = n_inner * 16 + (4 if crc else 0)
    raw = shard_bytes[:size] if location == "start" else shard_bytes[-size:]
    fmt = (">" if big_endian else "<") + "Q" * (2 * n_inner)
    vals = struct.unpack(fmt, raw[: n_inner * 16])
    return list(zip(vals[0::2], vals[1::2]))


# --------------------------------------------------------------------------
# Zarr v2 matrix
# --------------------------------------------------------------------------

def _v2_cases() -> list[Case]:
    from numcodecs import BZ2, LZ4, AsType, Blosc, Delta, FixedScaleOffset, GZip, Shuffle, Zlib, Zstd

    cases: list[Case] = []
    v2 = dict(zarr_format=2)
    dtypes = ["<i4", ">f8", ">u2", "|b1", "<c16", "|i1", "|u1", "<i2", ">i2", "<i8", ">i8", "<u4", ">u4",
              "<u8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8", "<c8", ">c8", ">c16"]
    for dt in dtypes:
        cases.append(Case(f"v2-dtype-{dt}", (13, 17), dt, (5, 6), drop_chunks=2, **v2))
    for dt in ["<M8[ns]", ">M8[ns]", "<M8[s]", "<m8[s]", ">m8[ms]", "<m8[ns]", "<M8[D]"]:
        cases.append(Case(f"v2-dtype-{dt}", (13, 17), dt, (5, 6), **v2))
    # Memory order.
    for order in ("C", "F"):
        for dt in ["<i4", ">f8", "<c8"]:
            cases.append(Case(f"v2-order{order}-{dt}", (10, 7), dt, (4, 3), {"order": order}, **v2))
            cases.append(Case(f"v2-order{order}-3d-{dt}", (6, 7, 5), dt, (4, 3, 2), {"order": order},
                              drop_chunks=2, **v2))
    cases.append(Case("v2-orderF-filters", (10, 7), "<i4", (4, 3),
                      {"order": "F", "filters": [Delta(dtype="<i4")], "compressors": Zlib(level=1)}, **v2))
    cases.append(Case("v2-orderF-blosc-shuffle", (20, 30), ">f4", (8, 16),
                      {"order": "F", "compressors": Blosc(cname="lz4", shuffle=Blosc.SHUFFLE)}, **v2))
    cases.append(Case("v2-orderF-4d", (5, 4, 3, 6), "<i2", (2, 3, 2, 4), {"order": "F"}, **v2))
    # Dimension separators.
    for sep in (".", "/"):
        sid = "slash" if sep == "/" else "dot"
        cases.append(Case(f"v2-sep-{sid}", (9, 10, 11), "<i4", (4, 5, 3),
                          {"chunk_key_encoding": {"name": "v2", "separator": sep}}, drop_chunks=3, **v2))
        cases.append(Case(f"v2-sep-{sid}-0d", (), "<f8", (),
                          {"chunk_key_encoding": {"name": "v2", "separator": sep}}, **v2))
    # Compressors.
    comps: list[tuple[str, Any]] = [
        ("none", None),
        ("zstd", Zstd(level=3)),
        ("zstd-neg", Zstd(level=-2)),
        ("lz4", LZ4(acceleration=1)),
        ("lz4-acc", LZ4(acceleration=10)),
        ("gzip", GZip(level=5)),
        ("zlib", Zlib(level=1)),
        ("zlib9", Zlib(level=9)),
        ("bz2", BZ2(level=9)),
    ]
    for cname in BLOSC_CNAMES:
        for sh, shid in ((Blosc.NOSHUFFLE, "noshuffle"), (Blosc.SHUFFLE, "shuffle"), (Blosc.BITSHUFFLE, "bitshuffle")):
            comps.append((f"blosc-{cname}-{shid}", Blosc(cname=cname, clevel=5, shuffle=sh)))
    comps.append(("blosc-autoshuffle", Blosc(cname="lz4", clevel=5, shuffle=Blosc.AUTOSHUFFLE)))
    comps.append(("blosc-blocksize", Blosc(cname="zstd", clevel=5, shuffle=Blosc.SHUFFLE, blocksize=256)))
    for cid, comp in comps:
        for dt in ["<f4", ">i8"]:
            cases.append(Case(f"v2-comp-{cid}-{dt}", (20, 30), dt, (8, 16), {"compressors": comp}, **v2))
    # Filters.
    filt: list[tuple[str, str, list, Any]] = [
        ("delta-i4", "<i4", [Delta(dtype="<i4")], Zlib(level=1)),
        ("delta-i2-astype", "<i2", [Delta(dtype="<i2", astype="<i4")], None),
        ("delta-f8", "<f8", [Delta(dtype="<f8")], None),
        ("fso-f8-i2", "<f8", [FixedScaleOffset(offset=1000, scale=10, dtype="<f8", astype="<i2")], Zstd(level=1)),
        ("fso-f4-u1", "<f4", [FixedScaleOffset(offset=0, scale=1, dtype="<f4", astype="|u1")], None),
        ("shuffle8", "<f8", [Shuffle(elementsize=8)], Zlib(level=1)),
        ("shuffle4-i4", "<i4", [Shuffle(elementsize=4)], None),
        ("astype-f8-f4", "<f8", [AsType(encode_dtype="<f4", decode_dtype="<f8")], None),
        ("astype-i8-i2", "<i8", [AsType(encode_dtype="<i2", decode_dtype="<i8")], GZip(level=1)),
        ("chain", "<i4", [Delta(dtype="<i4"), Shuffle(elementsize=4)], Blosc(cname="zstd", shuffle=Blosc.NOSHUFFLE)),
        # Big-endian arrays through filters (the filters see big-endian bytes).
        ("delta-be", ">i4", [Delta(dtype=">i4")], Zlib(level=1)),
        ("fso-be", ">f8", [FixedScaleOffset(offset=100, scale=1000, dtype=">f8", astype=">i4")], None),
        ("astype-be", ">f8", [AsType(encode_dtype=">f4", decode_dtype=">f8")], Zstd(level=1)),
        ("shuffle-be", ">u2", [Shuffle(elementsize=2)], BZ2(level=1)),
    ]
    for fid, dt, filters, comp in filt:
        cases.append(Case(f"v2-filter-{fid}", (20, 30), dt, (8, 16),
                          {"filters": filters, "compressors": comp}, data="smooth", **v2))
    # Fill values.
    box = (slice(0, 5), slice(0, 6))
    for fid, dt, fv in [
        ("nan", "<f8", np.nan), ("nan-be", ">f4", np.nan), ("inf", "<f4", np.inf), ("ninf", ">f8", -np.inf),
        ("num", "<f8", 2.5), ("int", ">i4", -17), ("u8max", "<u8", 2**64 - 1), ("i8min", ">i8", -(2**63)),
        ("bool", "|b1", True), ("complex", "<c16", complex(1.0, -2.0)), ("complex-be", ">c8", complex(np.nan, 3.0)),
        ("dt", "<M8[ns]", np.datetime64("2000-01-01", "ns")), ("td", "<m8[s]", np.timedelta64(-5, "s")),
    ]:
        cases.append(Case(f"v2-fill-{fid}", (13, 17), dt, (5, 6), {"fill_value": fv}, write_box=box, **v2))
    # Null fill value with every chunk written (missing chunks would be undefined).
    cases.append(Case("v2-fill-null", (13, 17), "<i4", (5, 6), {"fill_value": None}, **v2))
    cases.append(Case("v2-empty", (7, 9), "<f4", (3, 4), {"fill_value": -1.0}, data="none", **v2))
    # Shapes.
    cases.append(Case("v2-zerod", (), "<i8", (), **v2))
    cases.append(Case("v2-zerod-missing", (), ">f4", (), {"fill_value": 1.5}, data="none", **v2))
    cases.append(Case("v2-zerolen", (0, 5), "<f4", (3, 2), **v2))
    cases.append(Case("v2-zerolen-mid", (4, 0, 3), ">i2", (2, 2, 2), **v2))
    cases.append(Case("v2-rank4", (5, 4, 3, 6), "<f4", (2, 3, 2, 4), drop_chunks=4, **v2))
    cases.append(Case("v2-chunk-bigger", (5, 7), ">f8", (16, 16), **v2))
    cases.append(Case("v2-nested-path", (9, 13), "<i4", (4, 4), path="a/b/c", **v2))
    cases.append(Case("v2-attrs-rich", (4, 5), "<f4", (2, 2), {"attributes": RICH_ATTRS}, **v2))
    cases.append(Case("v2-attrs-nan", (4, 5), "<f4", (2, 2),
                      {"attributes": {**NAN_ATTRS, "_ARRAY_DIMENSIONS": ["y", "x"]}}, **v2))
    # Metadata as older writers (zarr-python 2) left it, edited by hand:
    # no dimension_separator key (means "."), filters as an empty list.
    cases.append(Case("v2-no-dimsep", (9, 10), "<i4", (4, 4), patch=edit_v2(drop=["dimension_separator"]), **v2))
    cases.append(Case("v2-filters-empty", (9, 10), "<f8", (4, 4), patch=edit_v2(filters=[]), **v2))
    # xarray's _ARRAY_DIMENSIONS, set by hand (xarray is not installed).
    cases.append(Case("v2-xarray-dims", (6, 8), "<f4", (3, 4),
                      {"attributes": {"_ARRAY_DIMENSIONS": ["lat", "lon"], "units": "K"}}, **v2))
    # Hand-written: a zero-chunk-size-free v2 array whose chunk was encoded
    # directly with numcodecs (no zarr-python in the loop).
    cases.append(Case("v2-hand-numcodecs", (10, 7), ">u4", (4, 3), writer="hand", hand=_hand_v2_array, **v2))
    return cases


def _hand_v2_array(adir: Path) -> None:
    """A v2 array written without zarr-python: .zarray by hand, chunks
    encoded with numcodecs (Delta then Zstd), order F, '/' separator."""
    from numcodecs import Delta, Zstd

    adir.mkdir(parents=True, exist_ok=True)
    shape, chunks, dt = (10, 7), (4, 3), np.dtype(">u4")
    meta = {"zarr_format": 2, "shape": list(shape), "chunks": list(chunks), "dtype": dt.str,
            "fill_value": 3, "order": "F", "filters": [{"id": "delta", "dtype": ">u4"}],
            "compressor": {"id": "zstd", "level": 2}, "dimension_separator": "/"}
    dump_json(adir / ".zarray", meta)
    data = make_data(dt, shape, 5)
    delta, zstd = Delta(dtype=">u4"), Zstd(level=2)
    for i in range(0, shape[0], chunks[0]):
        for j in range(0, shape[1], chunks[1]):
            if (i, j) == (4, 3):
                continue  # leave one chunk missing -> fill value 3
            block = np.full(chunks, 3, dt)
            part = data[i:i + chunks[0], j:j + chunks[1]]
            block[: part.shape[0], : part.shape[1]] = part
            raw = np.asfortranarray(block).tobytes(order="F")
            enc = zstd.encode(delta.encode(np.frombuffer(raw, dt)))
            p = adir / str(i // chunks[0]) / str(j // chunks[1])
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(bytes(enc))


def smooth_data(dtype: str | np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Data within the range that lossy filters (FixedScaleOffset to u1/i2,
    AsType to narrower types) can represent; values still differ per element."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dt.kind == "f":
        v = rng.uniform(0, 200, n)
    else:
        v = rng.integers(-1000, 1000, n)
    return v.astype(dt).reshape(shape)


def data_for(case: Case, dtype: np.dtype) -> np.ndarray:
    if case.data == "smooth":
        return smooth_data(dtype, case.shape, case.seed)
    return make_data(dtype, case.shape, case.seed)


# --------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------

GROUP_ATTRS = {
    "title": "geobatch test ✓ ünïcödé",
    "int": 42,
    "big": 2**62,
    "neg": -7,
    "float": 3.5,
    "list": [1, "two", None, [3.0]],
    "nested": {"a": {"b": {"c": [True, False]}}},
    "null": None,
    "empty": {},
}


@_quiet
def write_group_tree(store: Path, zarr_format: int, consolidated: bool) -> dict[str, Any]:
    """A hierarchy:

        /               attrs GROUP_ATTRS
        /temp           array (20, 30) float32, attrs units
        /flags          array (7,) bool
        /g1             group, attrs {"level": 1}
        /g1/g2          group
        /g1/g2/g3       group, attrs {"deep": true}
        /g1/g2/g3/deep  array (4, 5) int16, dimension names (v3) / _ARRAY_DIMENSIONS (v2)
        /g1/x           array () float64
        /empty_group    group without children

    Returns a description: {path: ("array"|"group", attrs)}.
    """
    store = Path(store)
    if store.exists():
        shutil.rmtree(store)
    root = zarr.open_group(str(store), mode="w", zarr_format=zarr_format, attributes=GROUP_ATTRS)
    t = root.create_array("temp", shape=(20, 30), dtype="float32", chunks=(8, 16), attributes={"units": "K"})
    t[...] = make_data("float32", (20, 30), 3)
    f = root.create_array("flags", shape=(7,), dtype="bool", chunks=(3,))
    f[...] = make_data("bool", (7,), 4)
    g1 = root.create_group("g1", attributes={"level": 1})
    g2 = g1.create_group("g2")
    g3 = g2.create_group("g3", attributes={"deep": True})
    if zarr_format == 3:
        d = g3.create_array("deep", shape=(4, 5), dtype="int16", chunks=(2, 2), dimension_names=["row", "col"])
    else:
        d = g3.create_array("deep", shape=(4, 5), dtype="int16", chunks=(2, 2),
                            attributes={"_ARRAY_DIMENSIONS": ["row", "col"]})
    d[...] = make_data("int16", (4, 5), 6)
    x = g1.create_array("x", shape=(), dtype="float64")
    x[()] = 2.75
    root.create_group("empty_group")
    if consolidated:
        zarr.consolidate_metadata(str(store))
    return {
        "": ("group", GROUP_ATTRS),
        "temp": ("array", {"units": "K"}),
        "flags": ("array", {}),
        "g1": ("group", {"level": 1}),
        "g1/g2": ("group", {}),
        "g1/g2/g3": ("group", {"deep": True}),
        "g1/g2/g3/deep": ("array", {} if zarr_format == 3 else {"_ARRAY_DIMENSIONS": ["row", "col"]}),
        "g1/x": ("array", {}),
        "empty_group": ("group", {}),
    }


# --------------------------------------------------------------------------
# Case tables
# --------------------------------------------------------------------------

V3_CASES = _quiet(_v3_cases)()
SHARD_CASES = _quiet(_sharding_cases)()
V2_CASES = _quiet(_v2_cases)()
ALL_CASES = {c.id: c for c in V3_CASES + SHARD_CASES + V2_CASES}
assert len(ALL_CASES) == len(V3_CASES) + len(SHARD_CASES) + len(V2_CASES), "duplicate case ids"


@_quiet
def read_with_zarr(store: Path, path: str):
    """The zarr-python array for ``path`` in ``store`` (read-only)."""
    return zarr.open_array(str(store), path=path, mode="r")


def _self_check(root: Path) -> None:
    import time

    t0 = time.time()
    for cid, case in ALL_CASES.items():
        store = write_case(case, root / cid)
        z = read_with_zarr(store, case.path)
        v = z[...]
        assert v.shape == case.shape, (cid, v.shape)
        if case.drop_chunks or case.write_box is not None:
            pass
    for fmt in (2, 3):
        for cons in (False, True):
            write_group_tree(root / f"group-v{fmt}-{cons}", fmt, cons)
    print(f"{len(ALL_CASES)} array fixtures + 4 group trees written and read back in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        _self_check(Path(d))
