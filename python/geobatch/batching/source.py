"""What the batch generator reads from: a geobatch :class:`~geobatch.Dataset`
or an xarray Dataset/DataArray, seen the same way — variables in their
original order, data variables read as windows, coordinates held in memory.

Windows of a data variable are read by ``read(origins, extent, out)``:
``origins`` is (N, ndim) in the variable's own dimension order and ``out``
is (N, *extent). geobatch datasets read natively (each chunk decoded once per
call through a shared :class:`~geobatch.ChunkCache`); in-memory xarray data
is gathered with numpy; lazily loaded xarray data that came straight from a
Zarr store geobatch can open is redirected to the native reader, and any
other lazy data is loaded box by box through xarray.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .._errors import Error, InvalidArgumentError
from ..dataset import Dataset, dim_sizes
from ..zarr import ChunkCache

Reader = Callable[[np.ndarray, list, np.ndarray], None]
# (origins, extent, out) -> a request for geobatch.zarr.read_windows_many, or
# None when those windows must go through ``read``.
Requester = Callable[[np.ndarray, list, np.ndarray], Any]


@dataclass
class SourceVar:
    name: str
    dims: tuple
    shape: tuple
    dtype: np.dtype
    attrs: dict
    values: np.ndarray | None = None   # coordinates: always in memory
    read: Reader | None = None         # data variables
    request: Requester | None = None   # native reads, batched across variables
    chunks: tuple | None = None        # read-chunk shape, for planning

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


@dataclass
class Source:
    kind: str                           # "Dataset" or "DataArray"
    name: Any                           # the DataArray's name
    attrs: dict
    variables: dict[str, SourceVar]     # original order, data and coordinates
    coord_names: set = field(default_factory=set)
    native: bool = False                # reads through geobatch's native reader
    in_memory: bool = False             # an xarray source whose data is all numpy arrays
    # An xarray source with zero-stride placeholders for its data variables,
    # or the source itself when in memory: ``skeleton.isel(patch)`` is a
    # batch's structure (coordinates, indexes, attributes, encodings) as
    # xarray itself builds it.
    skeleton: Any = None

    @property
    def data_vars(self) -> dict[str, SourceVar]:
        return {k: v for k, v in self.variables.items() if k not in self.coord_names}

    @property
    def sizes(self) -> dict[str, int]:
        return dim_sizes(self.variables.values())


def windows_from_memory(values: np.ndarray) -> Reader:
    def read(origins, extent, out):
        view = np.lib.stride_tricks.sliding_window_view(values, extent) if values.ndim else values
        out[...] = view[tuple(origins.T)] if values.ndim else values
    return read


def from_geobatch(ds: Dataset, cache: ChunkCache) -> Source:
    variables = {}
    for name, v in ds.variables.items():
        if name in ds.coords:
            variables[name] = SourceVar(name, v.dims, v.shape, v.dtype, dict(v.attrs), values=v.read())
            continue
        v.window_mapping()  # fails early on selections windows cannot follow
        chunks = tuple(c for c, i in zip(v.array.chunks, v.index) if not isinstance(i, int))
        variables[name] = SourceVar(name, v.dims, v.shape, v.dtype, dict(v.attrs), chunks=chunks,
                                    **_native_access(v, cache))
    return Source("Dataset", None, dict(ds.attrs), variables, set(ds.coords), native=True)


def from_xarray(obj, cache: ChunkCache) -> Source:
    import xarray as xr

    kind, name = "Dataset", None
    if isinstance(obj, xr.DataArray):
        kind, name = "DataArray", obj.name
        variables = {"<this-array>": obj.variable, **{k: c.variable for k, c in obj.coords.items()}}
        coord_names, attrs, encoding = set(obj.coords), obj.attrs, {}
    elif isinstance(obj, xr.Dataset):
        variables, coord_names, attrs, encoding = dict(obj.variables), set(obj.coords), obj.attrs, obj.encoding
    else:
        raise InvalidArgumentError(f"expected a geobatch or xarray Dataset or an xarray DataArray, "
                                   f"got {type(obj).__name__}")
    native = _NativeRedirect(encoding.get("source"))
    out, redirected = {}, False
    for key, var in variables.items():
        if key in coord_names:
            out[key] = SourceVar(key, var.dims, var.shape, var.dtype, dict(var.attrs), values=np.asarray(var.values))
            continue
        stored = native.variable(key, var)
        redirected |= stored is not None
        access = _native_access(stored, cache) if stored is not None else {"read": _xarray_reader(var)}
        out[key] = SourceVar(key, var.dims, var.shape, var.dtype, dict(var.attrs), chunks=_xarray_chunks(var),
                             **access)
    in_memory = all(isinstance(variables[k]._data, np.ndarray) for k in out if k not in coord_names)
    return Source(kind, name, dict(attrs), out, coord_names, native=redirected, in_memory=in_memory,
                  skeleton=obj if in_memory else _skeleton(obj))


def _skeleton(obj):
    """``obj`` with its data variables replaced by placeholders that take no
    memory (coordinates loaded)."""
    import xarray as xr

    def placeholder(var):
        return np.broadcast_to(np.zeros((), var.dtype), var.shape)

    if isinstance(obj, xr.DataArray):
        return obj.copy(data=placeholder(obj)).load()
    return obj.copy(data={k: placeholder(v) for k, v in obj.data_vars.items()}).load()


def _native_access(v, cache: ChunkCache) -> dict:
    """``read`` and ``request`` of a geobatch Variable through ``cache``."""
    def read(origins, extent, out):
        v.read_windows(origins, extent, out=out, cache=cache)

    def request(origins, extent, out):
        return v.window_request(origins, extent, out, cache)
    return {"read": read, "request": request}


def _xarray_chunks(var) -> tuple | None:
    chunks = getattr(var, "chunks", None)
    if chunks:
        return tuple(c[0] for c in chunks)
    chunks = var.encoding.get("chunks")
    return tuple(chunks) if chunks and len(chunks) == var.ndim else None


def _xarray_reader(var) -> Reader:
    if isinstance(var._data, np.ndarray):  # (var.data would load lazily indexed arrays)
        return windows_from_memory(var._data)

    def read(origins, extent, out):
        # One load through xarray (dask, lazy backends) of the box the windows span.
        lo = origins.min(axis=0) if len(origins) else np.zeros(var.ndim, np.int64)
        hi = origins.max(axis=0) + np.asarray(extent) if len(origins) else lo
        box = np.asarray(var[tuple(slice(a, b) for a, b in zip(lo, hi))].values)
        windows_from_memory(box)(origins - lo, extent, out)
    return read


class _NativeRedirect:
    """Finds, for xarray variables opened by ``xr.open_zarr`` and left
    untouched, the geobatch variable of the same stored array, after checking
    that geobatch decodes it to the same dims, shape, dtype and attributes."""

    def __init__(self, url):
        self._url = url
        self._dataset: Dataset | None | bool = None

    def _open(self) -> Dataset | None:
        if self._dataset is None:
            try:
                from ..dataset import open_dataset
                self._dataset = open_dataset(self._url) if isinstance(self._url, str) else False
            except (Error, OSError, ValueError, KeyError):
                self._dataset = False
        return self._dataset or None

    def variable(self, name, var):
        if "preferred_chunks" not in var.encoding or not _untouched(var) or self._open() is None:
            return None
        native = self._dataset._variables.get(name)
        if (native is None or native.dims != var.dims or native.shape != var.shape
                or native.dtype != var.dtype or native.attrs != var.attrs):
            return None
        return native


def _untouched(var) -> bool:
    """Whether lazily loaded data is still exactly the stored array."""
    layers = getattr(getattr(var._data, "dask", None), "layers", None)
    if layers is not None:
        return all(k.startswith(("open_dataset-", "original-open_dataset-")) for k in layers)
    inner = var._data
    while hasattr(inner, "array") and not hasattr(inner, "key"):
        inner = inner.array
    key = getattr(inner, "key", None)
    return key is not None and all(k == slice(None) for k in getattr(key, "tuple", (None,)))
