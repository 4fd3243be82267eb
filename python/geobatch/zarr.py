"""Zarr arrays and groups backed by the native reader.

Reads allocate the numpy result first and let the engine decode straight
into it; basic indexing (ints, slices with any step, Ellipsis) reads the
bounding box of the selection once.
"""

from __future__ import annotations

import itertools
import operator
from typing import Iterator

import numpy as np

from . import _core


# Strided reads whose bounding box is at most this large read it whole.
_DENSE_STRIDED_READ_BYTES = 64 << 20


def _split_by_chunk(r: range, chunk: int):
    """Splits an ascending range into (output slice, sub-range) pieces, one
    per chunk it visits; unit-step ranges stay whole."""
    if r.step == 1 or len(r) == 0:
        return [(slice(0, len(r)), r)]
    chunk_of = (np.arange(len(r)) * r.step + r.start) // chunk
    cuts = [0, *(np.flatnonzero(np.diff(chunk_of)) + 1).tolist(), len(r)]
    return [(slice(a, b), r[a:b]) for a, b in zip(cuts, cuts[1:])]


def _normalize_key(key, shape):
    """Splits a basic-indexing key into per-dim (start, stop, step, drop)."""
    if not isinstance(key, tuple):
        key = (key,)
    if any(k is None for k in key):
        raise IndexError("geobatch arrays do not support np.newaxis")
    n_ellipsis = sum(1 for k in key if k is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_ellipsis:
        i = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * (len(shape) - len(key) + 1) + key[i + 1 :]
    if len(key) > len(shape):
        raise IndexError(f"too many indices: array is {len(shape)}-dimensional")
    key = key + (slice(None),) * (len(shape) - len(key))
    dims = []
    for k, size in zip(key, shape):
        if isinstance(k, slice):
            dims.append((*k.indices(size), False))
        elif isinstance(k, (int, np.integer)):
            i = int(k)
            if i < -size or i >= size:
                raise IndexError(f"index {i} is out of bounds for axis with size {size}")
            i %= size
            dims.append((i, i + 1, 1, True))
        else:
            raise IndexError(f"unsupported index {k!r}: use integers, slices or Ellipsis")
    return dims


class Array:
    """A lazily read Zarr array (v2 or v3)."""

    def __init__(self, native: _core.Array):
        self._native = native
        self.dtype = np.dtype(native.numpy_dtype)
        self.shape = tuple(native.shape)

    path = property(lambda self: self._native.path)
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.uint64)))
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    zarr_format = property(lambda self: self._native.zarr_format)
    chunks = property(lambda self: tuple(self._native.read_chunk_shape))
    @property
    def shards(self):
        shape = self._native.shard_shape
        return None if shape is None else tuple(shape)
    attrs = property(lambda self: self._native.attributes)
    codecs = property(lambda self: self._native.codecs)

    @property
    def dimension_names(self):
        names = self._native.dimension_names
        return None if names is None else tuple(names)

    @property
    def fill_value(self):
        if self._native.fill_value_metadata is None:
            return None
        return np.frombuffer(self._native.fill_value_bytes, dtype=self.dtype)[0]

    def __repr__(self):
        return f"<geobatch.Array {self.path or '/'} shape={self.shape} dtype={self.dtype}>"

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def read(self, region=None) -> np.ndarray:
        """Reads the whole array, or the box given as [(start, stop), ...]."""
        if region is None:
            region = [(0, n) for n in self.shape]
        if len(region) != self.ndim:
            raise IndexError(f"region has {len(region)} dimensions, array has {self.ndim}")
        origin = [operator.index(a) for a, _ in region]
        extent = [operator.index(b) - a for a, (_, b) in zip(origin, region)]
        if any(e < 0 for e in extent) or any(o < 0 for o in origin):
            raise IndexError(f"invalid region {region}")
        out = np.empty(extent, dtype=self.dtype)
        self._native.read_into(origin, extent, out.reshape(-1).view(np.uint8))
        return out

    def read_chunk(self, coords) -> np.ndarray:
        """Reads one read-chunk (the inner chunk when sharded) by grid coordinates."""
        chunks = self.chunks
        region = [(c * n, min((c + 1) * n, size)) for c, n, size in zip(coords, chunks, self.shape)]
        return self.read(region)

    def iter_chunk_coords(self) -> Iterator[tuple]:
        """Grid coordinates of every read-chunk, in C order."""
        grid = [-(-size // n) for size, n in zip(self.shape, self.chunks)]
        return iter(np.ndindex(*grid))

    def read_windows(self, origins, extent, out=None, cache=None) -> np.ndarray:
        """Reads N same-sized windows at once: window i is the box starting at
        ``origins[i]`` with size ``extent``; returns shape (N, *extent).

        Every chunk the windows touch is decoded once, through ``cache`` (a
        :class:`ChunkCache` shared across calls) when given.
        """
        origins = np.ascontiguousarray(origins, dtype=np.uint64).reshape(-1, self.ndim)
        if out is None:
            out = np.empty((len(origins), *[int(e) for e in extent]), dtype=self.dtype)
        if cache is None:
            cache = ChunkCache(max_bytes=1 << 62)  # this call only: each chunk decoded once
        read_windows_many([self.window_request(origins, extent, out, cache)])
        return out

    def window_request(self, origins, extent, out: np.ndarray, cache: "ChunkCache") -> tuple:
        """What :func:`read_windows_many` takes to read these windows (as in
        :meth:`read_windows`) into ``out`` through ``cache``."""
        origins = np.ascontiguousarray(origins, dtype=np.uint64).reshape(-1, self.ndim)
        extent = [int(e) for e in extent]
        if out.shape != (len(origins), *extent) or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous {self.dtype} array of shape {(len(origins), *extent)}")
        return cache.reader_for(self._native), origins, extent, out.reshape(-1).view(np.uint8)

    def __getitem__(self, key) -> np.ndarray:
        dims = _normalize_key(key, self.shape)
        ranges = [range(start, stop, step) for start, stop, step, _ in dims]
        # Read in ascending order; negative steps are reversed afterwards.
        ascending = [r if r.step > 0 else r[::-1] for r in ranges]
        result = self._read_ranges(ascending)
        flip = tuple(slice(None, None, -1 if r.step < 0 else 1) for r in ranges)
        result = result[flip]
        keep = [n for n, (*_, dropped) in zip(result.shape, dims) if not dropped]
        return result.reshape(keep)

    def _read_ranges(self, ranges, split: bool = True) -> np.ndarray:
        """The elements at the product of ascending per-dimension ranges;
        ``split`` allows reading sparse selections chunk by chunk."""
        shape = [len(r) for r in ranges]
        box = [(r.start, r[-1] + 1) if len(r) else (0, 0) for r in ranges]
        box_bytes = int(np.prod([hi - lo for lo, hi in box], dtype=np.float64)) * self.dtype.itemsize
        selected_bytes = int(np.prod(shape, dtype=np.float64)) * self.dtype.itemsize
        if all(r.step == 1 for r in ranges):
            return self.read(box)
        if not split or box_bytes <= max(4 * selected_bytes, _DENSE_STRIDED_READ_BYTES):
            # Cheap enough to read the bounding box once and subsample it.
            return np.ascontiguousarray(self.read(box)[tuple(slice(None, None, r.step) for r in ranges)])
        # Sparse selection: read, per chunk along each strided dimension, only
        # the span of the selected indices inside that chunk.
        out = np.empty(shape, dtype=self.dtype)
        pieces = [_split_by_chunk(r, c) for r, c in zip(ranges, self.chunks)]
        for combo in itertools.product(*pieces):
            out[tuple(where for where, _ in combo)] = self._read_ranges([sub for _, sub in combo], split=False)
        return out

    def __array__(self, dtype=None, copy=None):
        data = self.read()
        return data if dtype is None else data.astype(dtype)


def read_windows_many(requests: list) -> None:
    """Runs several :meth:`Array.window_request` reads (of one array or
    several, e.g. several batches' worth) in one call: every chunk they need
    is loaded once and starts loading before any copy waits, and each chunk's
    windows are copied as soon as it is decoded."""
    _core.read_windows_many(requests)


class ChunkCache:
    """A byte-budgeted cache of decoded chunks, shareable between arrays and
    readers, so that overlapping windows decode each chunk once."""

    def __init__(self, max_bytes: int = 1 << 30):
        self._native = _core.ChunkCache(int(max_bytes))
        self._readers = {}  # id(native array) -> (the array, its WindowReader through this cache)

    def reader_for(self, native_array) -> "_core.WindowReader":
        """The native window reader of ``native_array`` through this cache:
        one per array, so that what it learns once (shard indexes) serves
        every later read. The array is held, so its id is not reused."""
        held = self._readers.get(id(native_array))
        if held is None:
            held = self._readers[id(native_array)] = (native_array, _core.WindowReader(native_array, self._native))
        return held[1]

    @property
    def max_bytes(self) -> int:
        return self._native.max_bytes

    @max_bytes.setter
    def max_bytes(self, value: int) -> None:
        """A new budget; chunks over it are evicted at once."""
        self._native.max_bytes = int(value)

    def stats(self) -> dict:
        """hits, misses (loads started), bytes held, evictions, and
        idle_bytes: buffers of evicted chunks kept for the next decodes
        (up to a quarter of max_bytes)."""
        return self._native.stats()


class Group:
    """A Zarr group (v2 or v3); children open lazily."""

    def __init__(self, native: _core.Group):
        self._native = native

    path = property(lambda self: self._native.path)
    zarr_format = property(lambda self: self._native.zarr_format)
    attrs = property(lambda self: self._native.attributes)

    def __repr__(self):
        return f"<geobatch.Group {self.path or '/'}>"

    def __iter__(self):
        return iter(self._native.child_names())

    def __len__(self):
        return len(self._native.child_names())

    def __contains__(self, name):
        try:
            self[name]
        except KeyError:
            return False
        return True

    def __getitem__(self, path: str):
        return _wrap(self._native.open(path))

    def arrays(self):
        return [(name, node) for name in self for node in [self[name]] if isinstance(node, Array)]

    def groups(self):
        return [(name, node) for name in self for node in [self[name]] if isinstance(node, Group)]


def _wrap(node):
    return Array(node) if isinstance(node, _core.Array) else Group(node)


def open(url: str, path: str = "", *, storage_options: dict | None = None):
    """Opens the array or group at ``path`` inside the store at ``url``.

    ``storage_options`` configures remote stores (names of RemoteOptions:
    max_requests, cache_bytes, cache_dir, cache_dir_bytes, anonymous, endpoint, region, ...).
    """
    options = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (storage_options or {}).items()}
    return _wrap(_core.open_node(str(url), path, options))


def open_array(url: str, path: str = "", *, storage_options: dict | None = None) -> Array:
    node = open(url, path, storage_options=storage_options)
    if not isinstance(node, Array):
        from ._errors import NotFoundError

        raise NotFoundError(f"'{path}' in {url} is a group, not an array")
    return node


def open_group(url: str, path: str = "", *, storage_options: dict | None = None) -> Group:
    node = open(url, path, storage_options=storage_options)
    if not isinstance(node, Group):
        from ._errors import NotFoundError

        raise NotFoundError(f"'{path}' in {url} is an array, not a group")
    return node
