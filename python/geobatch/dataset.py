"""Labeled, lazily read datasets over a Zarr group (v2 or v3): variables with
dimension names, coordinates and attributes, CF-decoded as
``xarray.open_zarr`` decodes them, with positional (``isel``) and label
(``sel``) selection that reads nothing until values are asked for.

A variable's selection is kept per stored dimension as a ``range`` (a kept
dimension, any step), an ``int`` (a dropped dimension) or an integer array
(a kept dimension picked by list).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from . import cf
from ._errors import InvalidArgumentError, NotFoundError
from .zarr import Array, ChunkCache, open_group

Index = range | int | np.ndarray


def _compress(positions: np.ndarray) -> range | np.ndarray:
    """An arithmetic progression as a range (so that windows stay boxes)."""
    if positions.size <= 1:
        start = int(positions[0]) if positions.size else 0
        return range(start, start + positions.size)
    step = int(positions[1] - positions[0])
    if step != 0 and np.all(np.diff(positions) == step):
        return range(int(positions[0]), int(positions[-1]) + step, step)
    return positions


def _apply(index: range | np.ndarray, key: Any) -> Index:
    """Selects ``key`` (int, slice or integer/boolean array) from a kept
    dimension's current ``index``."""
    if isinstance(key, (int, np.integer)):
        return int(index[int(key)])
    if isinstance(key, slice):
        picked = index[key]
        return picked if isinstance(picked, range) else _compress(np.asarray(picked))
    key = np.asarray(key)
    if key.ndim != 1 or key.dtype.kind not in "iub":
        raise InvalidArgumentError(f"unsupported indexer {key!r}: use integers, slices or 1-D integer arrays")
    return _compress(np.asarray(index, dtype=np.int64)[key])


def _bounds(index: Index) -> tuple[int, int, Any]:
    """The stored box [lo, hi) that ``index`` needs and the numpy key that
    picks it from that box."""
    if isinstance(index, int):
        return index, index + 1, 0
    if len(index) == 0:
        return 0, 0, slice(None)
    if isinstance(index, range):
        lo, hi = min(index[0], index[-1]), max(index[0], index[-1]) + 1
        return lo, hi, slice(None, None, index.step)
    lo, hi = int(index.min()), int(index.max()) + 1
    return lo, hi, index - lo


class Variable:
    """One CF-decoded variable of a :class:`Dataset`; values are read on demand."""

    def __init__(self, name: str, array: Array, source_dims: tuple, decoder: cf.Decoder,
                 attrs: dict, encoding: dict, index: tuple | None = None, cached: np.ndarray | None = None):
        self.name = name
        self.array = array
        self.source_dims = source_dims
        self.decoder = decoder
        self.attrs = attrs
        self.encoding = encoding
        self.index = index if index is not None else tuple(range(n) for n in array.shape)
        self._cached = cached  # decoded values of the whole stored array (index coordinates)
        self._mapping = None  # window_mapping(), once computed

    @property
    def dims(self) -> tuple:
        return tuple(d for d, i in zip(self.source_dims, self.index) if not isinstance(i, int))

    @property
    def shape(self) -> tuple:
        return tuple(len(i) for i in self.index if not isinstance(i, int))

    dtype = property(lambda self: self.decoder.dtype)
    ndim = property(lambda self: len(self.dims))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    sizes = property(lambda self: dict(zip(self.dims, self.shape)))

    def __repr__(self):
        dims = ", ".join(f"{d}: {n}" for d, n in zip(self.dims, self.shape))
        return f"<geobatch.Variable {self.name!r} ({dims}) {self.dtype}>"

    def isel(self, indexers: Mapping[str, Any]) -> Variable:
        index = list(self.index)
        for axis, dim in enumerate(self.source_dims):
            if dim in indexers and not isinstance(index[axis], int):
                index[axis] = _apply(index[axis], indexers[dim])
        return Variable(self.name, self.array, self.source_dims, self.decoder, self.attrs, self.encoding,
                        tuple(index), self._cached)

    def cache(self) -> None:
        """Keeps the decoded stored array in memory (small coordinates)."""
        if self._cached is None:
            self._cached = self.decoder(self.array.read())

    def read(self) -> np.ndarray:
        """The decoded values of the selection."""
        bounds = [_bounds(i) for i in self.index]
        if self._cached is not None:
            data = self._cached[tuple(slice(lo, hi) for lo, hi, _ in bounds)]
        else:
            data = self.array.read([(lo, hi) for lo, hi, _ in bounds])
        basic = tuple(slice(None) if isinstance(k, np.ndarray) else k for _, _, k in bounds)
        data = data[basic]
        axis = 0
        for _, _, key in bounds:
            if isinstance(key, np.ndarray):
                data = np.take(data, key, axis=axis)
            axis += not isinstance(key, int)
        if self._cached is not None:
            return np.array(data, copy=True)
        if not self.decoder.identity:
            return self.decoder(data)
        return data if data.flags.c_contiguous else data.copy()

    @property
    def values(self) -> np.ndarray:
        return self.read()

    def window_mapping(self) -> tuple[np.ndarray, np.ndarray]:
        """For windowed reads: the stored origin of the selection's first
        element per stored dim, and for each stored dim the position of its
        selected dim (or -1 where dropped). Needs unit-step selections."""
        if self._mapping is None:
            self._mapping = self._window_mapping()
        return self._mapping

    def _window_mapping(self) -> tuple[np.ndarray, np.ndarray]:
        start, axis_of = [], []
        for dim, index in zip(self.source_dims, self.index):
            if isinstance(index, int):
                start.append(index)
                axis_of.append(-1)
                continue
            if not isinstance(index, range) or (len(index) > 1 and index.step != 1):
                raise InvalidArgumentError(
                    f"variable {self.name!r}: windows need a contiguous selection along {dim!r}; "
                    "select with unit-step slices")
            start.append(index.start if len(index) else 0)
            axis_of.append(len(axis_of) - axis_of.count(-1))
        return np.asarray(start, np.uint64), np.asarray(axis_of, np.int64)

    def stored_windows(self, origins: np.ndarray, extent: list[int]) -> tuple[np.ndarray, list[int]]:
        """Windows given in the selection's dims (``origins`` (N, ndim),
        ``extent``) as windows of the stored array: (N, stored ndim) uint64
        origins and the stored extent (1 along dims the selection drops)."""
        start, axis_of = self.window_mapping()
        if len(axis_of) == origins.shape[1]:  # no dim dropped: stored dims are the selection's
            return origins.astype(np.uint64) + start, list(extent)
        src = np.tile(start, (len(origins), 1))
        src_extent = [1] * len(start)
        for s, a in enumerate(axis_of):
            if a >= 0:
                src[:, s] += origins[:, a].astype(np.uint64)
                src_extent[s] = extent[a]
        return src, src_extent

    def read_windows(self, origins: np.ndarray, extent: Iterable[int], out: np.ndarray | None = None,
                     cache: ChunkCache | None = None) -> np.ndarray:
        """Decoded windows of the selection: window i starts at ``origins[i]``
        (one value per selected dim) and has size ``extent``; returns
        ``(N, *extent)``. Chunks are decoded once per call (through ``cache``)."""
        origins, extent = self._checked_windows(origins, extent)
        if out is None:
            out = np.empty((len(origins), *extent), self.dtype)
        if len(origins) == 0:
            return out
        src, src_extent = self.stored_windows(origins, extent)
        if self._cached is not None:
            windows = np.lib.stride_tricks.sliding_window_view(self._cached, src_extent)
            out[...] = windows[tuple(src.astype(np.int64).T)].reshape(out.shape)
        elif self._reads_straight_into(out):
            self.array.read_windows(src, src_extent, out=out.reshape(len(src), *src_extent), cache=cache)
        else:
            raw = self.array.read_windows(src, src_extent, cache=cache)
            out[...] = self.decoder(raw).reshape(out.shape)
        return out

    def window_request(self, origins: np.ndarray, extent: Iterable[int], out: np.ndarray,
                       cache: ChunkCache) -> tuple | None:
        """The native request (for :func:`geobatch.zarr.read_windows_many`)
        that reads these windows straight into ``out``; None when they need
        more than that (values held in memory, CF decoding, an ``out`` of
        another dtype or layout): use :meth:`read_windows` then."""
        origins, extent = self._checked_windows(origins, extent)
        if self._cached is not None or len(origins) == 0 or not self._reads_straight_into(out):
            return None
        src, src_extent = self.stored_windows(origins, extent)
        return self.array.window_request(src, src_extent, out.reshape(len(src), *src_extent), cache)

    def _reads_straight_into(self, out: np.ndarray) -> bool:
        return self.decoder.identity and out.dtype == self.decoder.raw_dtype and out.flags.c_contiguous

    def _checked_windows(self, origins, extent) -> tuple[np.ndarray, list[int]]:
        origins = np.asarray(origins, dtype=np.int64).reshape(-1, self.ndim)
        extent = [int(e) for e in extent]
        if len(extent) != self.ndim or np.any(origins < 0) or np.any(origins + extent > np.asarray(self.shape)):
            raise InvalidArgumentError(f"windows of {extent} at these origins do not fit in {self.name!r} "
                                       f"of shape {self.shape}")
        return origins, extent


def dim_sizes(variables) -> dict[str, int]:
    """{dim: size} over variables that have ``dims`` and ``shape``, in order
    of first appearance."""
    sizes: dict[str, int] = {}
    for var in variables:
        sizes.update({d: n for d, n in zip(var.dims, var.shape) if d not in sizes})
    return sizes


class Dataset:
    """Variables sharing dimensions, with coordinates and attributes; a
    lazy view of a Zarr group that ``isel``/``sel`` narrow without reading."""

    def __init__(self, variables: dict[str, Variable], coord_names: set, attrs: dict, recipe: tuple):
        self._variables = variables
        self._coord_names = set(coord_names)
        self.attrs = attrs
        self._recipe = recipe  # (url, group, open options): to reopen after pickling

    # ---- structure ----
    @property
    def variables(self) -> dict[str, Variable]:
        return dict(self._variables)

    @property
    def data_vars(self) -> dict[str, Variable]:
        return {k: v for k, v in self._variables.items() if k not in self._coord_names}

    @property
    def coords(self) -> dict[str, Variable]:
        return {k: v for k, v in self._variables.items() if k in self._coord_names}

    @property
    def sizes(self) -> dict[str, int]:
        return dim_sizes(self._variables.values())

    dims = sizes

    def __contains__(self, name) -> bool:
        return name in self._variables

    def __iter__(self):
        return iter(self.data_vars)

    def __len__(self):
        return len(self.data_vars)

    def __repr__(self):
        lines = [f"<geobatch.Dataset> dims {self.sizes}"]
        lines += [f"  coord {v!r}" for v in self.coords.values()]
        lines += [f"  data  {v!r}" for v in self.data_vars.values()]
        return "\n".join(lines)

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self._variables:
                raise NotFoundError(f"no variable named {key!r}; variables: {list(self._variables)}")
            return self._variables[key]
        return self.subset(key)

    def subset(self, names: Iterable[str]) -> Dataset:
        """The listed variables, with the coordinates along their dimensions."""
        names = list(names)
        missing = [n for n in names if n not in self._variables]
        if missing:
            raise NotFoundError(f"no variables named {missing}; variables: {list(self._variables)}")
        variables = {n: self._variables[n] for n in names}
        needed = {d for v in variables.values() for d in v.dims}
        coords = {k for k in self._coord_names if set(self._variables[k].dims) <= needed}
        variables.update({k: v for k, v in self._variables.items() if k in coords})
        return Dataset(variables, coords | (self._coord_names & set(names)), self.attrs, self._recipe)

    # ---- selection ----
    def isel(self, indexers: Mapping[str, Any] | None = None, **kwargs) -> Dataset:
        """Positional selection: ints drop a dimension, slices and integer
        arrays keep it. Nothing is read."""
        indexers = {**(indexers or {}), **kwargs}
        unknown = set(indexers) - set(self.sizes)
        if unknown:
            raise InvalidArgumentError(f"dimensions {sorted(unknown)} do not exist; dimensions: {list(self.sizes)}")
        variables = {k: v.isel(indexers) for k, v in self._variables.items()}
        return Dataset(variables, self._coord_names, self.attrs, self._recipe)

    def sel(self, indexers: Mapping[str, Any] | None = None, method: str | None = None,
            tolerance: Any = None, **kwargs) -> Dataset:
        """Label selection through each dimension's index coordinate, with
        pandas' semantics (as xarray): values, lists, inclusive slices,
        ``method="nearest"`` (also "pad"/"backfill")."""
        indexers = {**(indexers or {}), **kwargs}
        return self.isel({dim: self._positions(dim, label, method, tolerance) for dim, label in indexers.items()})

    def _positions(self, dim: str, label: Any, method: str | None, tolerance: Any):
        import pandas as pd

        coord = self._variables.get(dim)
        if dim not in self.sizes or coord is None or coord.dims != (dim,):
            raise InvalidArgumentError(f"no index coordinate for dimension {dim!r}")
        index = pd.Index(coord.read())
        if isinstance(label, slice):
            if method is not None or tolerance is not None:
                raise InvalidArgumentError("method and tolerance do not apply to slices")
            return index.slice_indexer(label.start, label.stop, label.step)
        if np.ndim(label) == 0 and method is None:
            try:
                found = index.get_loc(label)
            except KeyError as err:
                raise NotFoundError(f"{label!r} not found in index {dim!r}") from err
            return np.flatnonzero(found) if isinstance(found, np.ndarray) else found
        positions = index.get_indexer(np.atleast_1d(np.asarray(label)), method=method, tolerance=tolerance)
        if np.any(positions < 0):
            raise NotFoundError(f"not all values of {label!r} found in index {dim!r}")
        return int(positions[0]) if np.ndim(label) == 0 else positions

    # ---- values ----
    def to_xarray(self):
        """The selection as an in-memory ``xarray.Dataset``, equal to
        ``xr.open_zarr(url).isel(...).load()``."""
        import xarray as xr

        def convert(v: Variable):
            return xr.Variable(v.dims, v.read(), dict(v.attrs), dict(v.encoding))

        return xr.Dataset({k: convert(v) for k, v in self.data_vars.items()},
                          coords={k: convert(v) for k, v in self.coords.items()}, attrs=dict(self.attrs))

    def __reduce__(self):
        indexes = {k: v.index for k, v in self._variables.items()}
        return _reopen, (self._recipe, list(self._variables), self._coord_names, indexes)

    def reopened(self) -> "Dataset":
        """The same selection of the same store, opened again (new store
        handles), as unpickling gives."""
        function, args = self.__reduce__()
        return function(*args)


def _reopen(recipe, names, coord_names, indexes) -> Dataset:
    full = open_dataset(recipe[0], recipe[1], **recipe[2])
    variables = {}
    for name in names:
        v = full._variables[name]
        variables[name] = Variable(v.name, v.array, v.source_dims, v.decoder, v.attrs, v.encoding,
                                   indexes[name], v._cached)
    return Dataset(variables, coord_names, full.attrs, recipe)


def _stored_attrs(array: Array) -> dict:
    """Attributes as xarray's Zarr backend exposes them (``_FillValue`` set
    from the v2 fill value, decoded from the v3 attribute)."""
    attrs = dict(array.attrs)
    if array.zarr_format == 2:
        attrs = {k: v for k, v in attrs.items() if k != "_ARRAY_DIMENSIONS" and not k.lower().startswith("_nc")}
        if array.fill_value is not None:
            attrs["_FillValue"] = array.fill_value
    elif "_FillValue" in attrs:
        attrs["_FillValue"] = cf.decode_fill_value_attr(attrs["_FillValue"], array.dtype)
    return attrs


def open_dataset(url: str, group: str = "", *, decode_times: bool = True, mask_and_scale: bool = True,
                 storage_options: dict | None = None) -> Dataset:
    """Opens the Zarr group at ``group`` in ``url`` as a lazy :class:`Dataset`.

    Only metadata and the 1-D index coordinates are read. Decoding follows
    ``xarray.open_zarr``'s defaults (masking, scaling, CF times).
    ``storage_options`` configures remote stores, as in :func:`geobatch.open`.
    """
    root = open_group(url, group, storage_options=storage_options)
    arrays = dict(root.arrays())
    stored = {name: _stored_attrs(a) for name, a in arrays.items()}
    if decode_times:
        cf.propagate_time_bounds(stored)
    variables: dict[str, Variable] = {}
    coord_names: set = set()
    sizes: dict[str, int] = {}
    for name, array in arrays.items():
        dims = array.dimension_names
        if dims is None or len(dims) != array.ndim or any(d is None for d in dims):
            raise InvalidArgumentError(f"array {name!r} in {url} has no dimension names "
                                       "(zarr v3 dimension_names or v2 _ARRAY_DIMENSIONS)")
        for dim, n in zip(dims, array.shape):
            if sizes.setdefault(dim, n) != n:
                raise InvalidArgumentError(f"dimension {dim!r} has conflicting sizes {sizes[dim]} and {n} "
                                           f"(array {name!r})")
        decoder, attrs, encoding = cf.plan(name, array.dtype, stored[name], mask_and_scale=mask_and_scale,
                                           decode_times=decode_times)
        if "coordinates" in attrs:
            encoding["coordinates"] = attrs.pop("coordinates")
            coord_names.update(c for c in encoding["coordinates"].split() if c in arrays)
        variables[name] = Variable(name, array, tuple(dims), decoder, attrs, encoding)
        if dims == (name,):
            coord_names.add(name)
    attrs = {k: v for k, v in root.attrs.items() if not k.lower().startswith("_nc")}
    if isinstance(attrs.get("coordinates"), str):
        coord_names.update(c for c in attrs.pop("coordinates").split() if c in arrays)
    for name in coord_names:
        if variables[name].dims == (name,):
            variables[name].cache()
    ordered = {k: v for k, v in variables.items() if k not in coord_names}
    ordered.update({k: v for k, v in variables.items() if k in coord_names})
    recipe = (url, group, {"decode_times": decode_times, "mask_and_scale": mask_and_scale,
                           "storage_options": storage_options})
    return Dataset(ordered, coord_names, attrs, recipe)
