"""Helpers of the geobatch conformance suite: the bit-exact comparison,
random keys/regions, the lazily written fixture cache and the per-array
checks shared by the v2, v3 and sharding files.

(A uniquely named module rather than conftest.py, so that test files can
import from it even when other conftest.py files exist under tests/.)"""

from __future__ import annotations

import json
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import zarr_writers as zw  # noqa: E402


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def to_native(x: np.ndarray) -> np.ndarray:
    """``x`` in native byte order, bit for bit (a byteswap, never a cast, so
    NaN payloads survive)."""
    x = np.asarray(x)
    if x.dtype.byteorder not in ("=", "|") and not x.dtype.isnative:
        return x.byteswap().view(x.dtype.newbyteorder("="))
    return x


def _element_bytes(x: np.ndarray) -> np.ndarray:
    itemsize = x.dtype.itemsize
    return np.ascontiguousarray(x).reshape(-1).view(np.uint8).reshape(-1, itemsize)


def _show(v: Any) -> str:
    v = np.asarray(v)
    raw = v.tobytes()
    return f"{v!r} (bytes {raw.hex()})"


def assert_identical(actual: Any, expected: Any, what: str = "") -> None:
    """Equal shape, equal dtype, and every element bit for bit identical
    (so NaN == NaN with the same payload, -0.0 != 0.0)."""
    assert isinstance(actual, (np.ndarray, np.generic)), f"{what}: expected a numpy array, got {type(actual)}"
    actual = np.asarray(actual)
    expected = to_native(np.asarray(expected))
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != expected {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != expected {expected.shape}"
    if actual.dtype.kind not in "mM":
        # Readable, NaN-aware value comparison first ...
        np.testing.assert_array_equal(actual, expected, err_msg=what, strict=True)
    # ... then the exact bits (signed zeros, NaN payloads, NaT, bool bytes).
    a, e = _element_bytes(actual), _element_bytes(expected)
    diff = np.nonzero((a != e).any(axis=1))[0]
    if diff.size:
        lines = []
        for flat in diff[:5]:
            idx = np.unravel_index(flat, actual.shape) if actual.ndim else ()
            lines.append(f"  at {tuple(int(i) for i in idx)}: got {_show(actual[idx])}, "
                         f"expected {_show(expected[idx])}")
        raise AssertionError(f"{what}: {diff.size} of {actual.size} elements differ bitwise\n" + "\n".join(lines))


def assert_same_scalar(actual: Any, expected: Any, what: str = "") -> None:
    """Fill values: both None, or numpy scalars of equal dtype and bits."""
    if expected is None:
        assert actual is None, f"{what}: expected None, got {actual!r}"
        return
    assert actual is not None, f"{what}: expected {expected!r}, got None"
    assert_identical(np.asarray(actual), np.asarray(expected), what)


def assert_attrs_equal(actual: Any, expected: Any) -> None:
    """Attribute dicts equal as JSON: NaN equals NaN, 1 differs from 1.0."""
    assert isinstance(actual, dict), f"attrs should be a dict, got {type(actual)}"
    a = json.dumps(actual, sort_keys=True, allow_nan=True)
    e = json.dumps(dict(expected), sort_keys=True, allow_nan=True)
    assert a == e


# --------------------------------------------------------------------------
# Indexing helpers
# --------------------------------------------------------------------------

def random_key(shape: tuple[int, ...], rng: np.random.Generator) -> tuple:
    """A random basic-indexing key: ints (negative too), slices with any
    start/stop (out of range too) and steps (negative too), Ellipsis."""
    key: list[Any] = []
    for n in shape:
        if n > 0 and rng.random() < 0.15:
            key.append(int(rng.integers(-n, n)))
            continue
        cand = [None] + list(range(-n - 2, n + 3))
        start = cand[int(rng.integers(len(cand)))]
        stop = cand[int(rng.integers(len(cand)))]
        step = [None, 1, 1, 2, 3, 7, -1, -2, -3][int(rng.integers(9))]
        key.append(slice(start, stop, step))
    r = rng.random()
    if key and r < 0.15:
        # Leading Ellipsis standing for a run of full slices.
        k = int(rng.integers(0, len(key) + 1))
        key = [Ellipsis] + key[k:]
    elif key and r < 0.3:
        # Trailing dimensions left out.
        key = key[: int(rng.integers(0, len(key) + 1))]
    return tuple(key)


def random_region(shape: tuple[int, ...], rng: np.random.Generator) -> list[tuple[int, int]]:
    region = []
    for n in shape:
        a, b = sorted(int(v) for v in rng.integers(0, n + 1, 2))
        region.append((a, b))
    return region


def region_slices(region) -> tuple[slice, ...]:
    return tuple(slice(a, b) for a, b in region)


def chunk_regions(shape: tuple[int, ...], chunks: tuple[int, ...], limit: int = 64):
    """The boxes of the regular chunk grid, in C order (at most ``limit``,
    spread over the grid)."""
    grid = [max(1, -(-n // c)) if n else 0 for n, c in zip(shape, chunks)]
    total = int(np.prod(grid)) if grid else 1
    step = max(1, total // limit)
    for flat in range(0, total, step):
        idx = np.unravel_index(flat, grid) if grid else ()
        yield [(int(i) * c, min((int(i) + 1) * c, n)) for i, c, n in zip(idx, chunks, shape)]


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

@dataclass
class Written:
    case: zw.Case
    store: Path
    path: str
    zarr: Any  # the zarr-python array
    expected: np.ndarray  # the whole array as zarr-python reads it (native order)
    expected_fill: Any  # numpy scalar or None

    @property
    def url(self) -> str:
        return str(self.store)

    @property
    def file_url(self) -> str:
        return "file://" + str(self.store)


def _expected(case: zw.Case, z) -> tuple[np.ndarray, Any]:
    full = to_native(np.asarray(z[...]))
    fill = z.fill_value
    if case.spec_fill_bits is not None:
        # zarr-python loses the payload of some hex fill values (float16);
        # the spec's raw bits are authoritative. Every chunk outside
        # write_box is missing, so those cells hold exactly the fill bits.
        dt = full.dtype
        bits = np.array(case.spec_fill_bits, dtype=f"u{dt.itemsize}").view(dt)
        mask = np.ones(full.shape, bool)
        if case.write_box is not None:
            mask[case.write_box] = False
        full = full.copy()
        full[mask] = bits
        fill = bits[()]
    return full, fill


class FixtureFactory:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Written] = {}

    def get(self, case_id: str) -> Written:
        w = self._cache.get(case_id)
        if w is None:
            w = self._write(case_id)
        return w

    @zw._quiet
    def _write(self, case_id: str) -> Written:
        w = self._cache.get(case_id)
        if w is None:
            case = zw.ALL_CASES[case_id]
            store = zw.write_case(case, self.root / case_id)
            z = zw.read_with_zarr(store, case.path)
            expected, fill = _expected(case, z)
            w = Written(case, store, case.path, z, expected, fill)
            self._cache[case_id] = w
        return w

    def fresh(self, case: zw.Case, where: Path) -> Path:
        """A private copy of ``case`` (for tests that damage it)."""
        return zw.write_case(case, where)


# --------------------------------------------------------------------------
# Shared checks, used by the v2, v3 and sharding conformance files
# --------------------------------------------------------------------------

def read_metadata_json(w: Written) -> dict:
    adir = zw.array_dir(w.store, w.path)
    if w.case.zarr_format == 3:
        return zw.load_json(adir / "zarr.json")
    return zw.load_json(adir / ".zarray")


def check_metadata(gb, w: Written) -> None:
    a = gb.open_array(w.url, path=w.path)
    z = w.zarr
    assert a.shape == tuple(z.shape) and isinstance(a.shape, tuple)
    assert a.ndim == z.ndim
    assert a.dtype == to_native(np.empty(0, z.dtype)).dtype, f"dtype {a.dtype} vs zarr {z.dtype}"
    assert a.zarr_format == w.case.zarr_format
    assert a.path == w.path
    meta = read_metadata_json(w)
    if w.case.zarr_format == 3 and z.shards is None and meta["codecs"][0]["name"] == "sharding_indexed":
        # zarr-python only reports shards when sharding is the only codec;
        # with a compressor after the sharding codec it reports the shard
        # as the chunk. Either reading is acceptable.
        inner = tuple(meta["codecs"][0]["configuration"]["chunk_shape"])
        assert (tuple(a.chunks), a.shards) in [(tuple(z.chunks), None), (inner, tuple(z.chunks))]
    else:
        assert tuple(a.chunks) == tuple(z.chunks)
        assert (None if a.shards is None else tuple(a.shards)) == (None if z.shards is None else tuple(z.shards))
    assert_same_scalar(a.fill_value, w.expected_fill, "fill_value")
    assert_attrs_equal(a.attrs, z.attrs)
    if w.case.zarr_format == 3:
        dn = z.metadata.dimension_names
        assert a.dimension_names == (None if dn is None else tuple(dn))
        names = [c["name"] for c in meta["codecs"]]
        assert [c["name"] for c in a.codecs] == names
    else:
        dims = z.attrs.get("_ARRAY_DIMENSIONS")
        assert a.dimension_names == (None if dims is None else tuple(dims))
        blob = json.dumps(a.codecs)
        for f in meta.get("filters") or []:
            assert f["id"] in blob, f"filter {f['id']} missing from codecs {a.codecs}"
        if meta.get("compressor"):
            assert meta["compressor"]["id"] in blob, f"compressor missing from codecs {a.codecs}"


def check_full_read(gb, w: Written, url: str | None = None) -> None:
    a = gb.open_array(url or w.url, path=w.path)
    assert_identical(a[...], w.expected, "a[...]")
    assert_identical(a.read(), w.expected, "a.read()")
    if a.ndim == 0:
        assert_identical(a[()], w.expected[()], "a[()]")
    else:
        full = tuple(slice(None) for _ in range(a.ndim))
        assert_identical(a[full], w.expected, "a[:, ...]")
        assert_identical(a.read(region=[(0, n) for n in a.shape]), w.expected, "read(full region)")


def check_random_keys(gb, w: Written, n: int = 20) -> None:
    a = gb.open_array(w.url, path=w.path)
    rng = np.random.default_rng(zlib.crc32(w.case.id.encode()))
    for _ in range(n):
        key = random_key(w.expected.shape, rng)
        assert_identical(a[key], np.asarray(w.expected[key]), f"a[{key!r}]")
    if a.ndim:
        for i in (0, -1, a.shape[0] // 2):
            if a.shape[0]:
                assert_identical(a[i], np.asarray(w.expected[i]), f"a[{i}]")


def check_random_regions(gb, w: Written, n: int = 20) -> None:
    a = gb.open_array(w.url, path=w.path)
    rng = np.random.default_rng(zlib.crc32(w.case.id.encode()) + 1)
    for _ in range(n):
        region = random_region(w.expected.shape, rng)
        assert_identical(a.read(region=region), w.expected[region_slices(region)], f"read(region={region})")


def check_chunk_by_chunk(gb, w: Written) -> None:
    a = gb.open_array(w.url, path=w.path)
    chunks = tuple(w.zarr.chunks)
    for region in chunk_regions(w.expected.shape, chunks):
        exp = w.expected[region_slices(region)]
        assert_identical(a.read(region=region), exp, f"chunk read(region={region})")
        assert_identical(a[region_slices(region)], exp, f"chunk a[{region}]")


def check_chunk_fraction(gb, w: Written) -> None:
    """Reads strictly inside one chunk: a single element, an interior box,
    one row, in the first and in the last (edge) chunk."""
    a = gb.open_array(w.url, path=w.path)
    shape, chunks = w.expected.shape, tuple(w.zarr.chunks)
    if a.ndim == 0 or 0 in shape:
        return
    regions = list(chunk_regions(shape, chunks, limit=10**9))
    for box in (regions[0], regions[-1]):
        single = [(lo, lo + 1) for lo, _hi in box]
        inner = [(lo + (hi - lo) // 3, max(lo + (hi - lo) // 3 + 1, hi - (hi - lo) // 3)) for lo, hi in box]
        row = [box[0]] + [(lo, lo + 1) for lo, _ in box[1:]]
        for region in (single, inner, row):
            exp = w.expected[region_slices(region)]
            assert_identical(a.read(region=region), exp, f"fraction read(region={region})")
        key = tuple(lo + (hi - lo) // 2 for lo, hi in box)
        assert_identical(a[key], np.asarray(w.expected[key]), f"element a[{key}]")
        key = tuple(slice(hi - 1, lo - 1 if lo else None, -1) for lo, hi in box)
        assert_identical(a[key], w.expected[key], f"reversed chunk a[{key}]")
