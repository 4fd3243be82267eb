"""Sample mode: every sample is one window — ``input_dims`` long (every
``input_dims - input_overlap``) along the input dims and one element along
every other dim of the data variables. Samples form a grid of window
positions; a batch reads ``batch_size`` of them into freshly allocated
arrays (samples first), decoding each touched chunk once; consecutive
batches are read in groups, into one buffer per variable, so that each
decoded chunk is copied from for every batch of the group at once.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import InvalidArgumentError
from ..zarr import read_windows_many
from .assemble import SUFFIX
from .batch import Batch
from .source import Source
from .transforms import Transforms, nan_fraction


class SampleSpace:
    """The grid of sample positions and where each sample's window starts."""

    def __init__(self, source: Source, input_dims: dict, input_overlap: dict):
        sizes = source.sizes
        self.dims = [d for d in sizes if any(d in v.dims for v in source.data_vars.values())]
        self.window = {d: n for d, n in input_dims.items()}
        self.stride, self.counts, self.limits = [], [], []
        for dim in self.dims:
            size, length = sizes[dim], self.window.get(dim, 1)
            overlap = input_overlap.get(dim, 0)
            stride = length - overlap
            count = (size - overlap) // stride if length <= size else 0
            if count <= 0:
                raise InvalidArgumentError(f"no sample fits along {dim!r} (size {size}, window {length})")
            self.stride.append(stride)
            self.counts.append(count)
            self.limits.append(size - length + 1)
        self.stride = np.asarray(self.stride, np.int64)

    def __len__(self) -> int:
        return math.prod(self.counts)

    def step(self, dim: str) -> int:
        return int(self.stride[self.dims.index(dim)])


class SampleReader:
    """Reads batches of samples given their window origins (N, ndims)."""

    def __init__(self, source: Source, space: SampleSpace, transforms: Transforms, allocator, batch_size: int,
                 pad_value=None):
        self.source, self.space, self.transforms = source, space, transforms
        self.allocator, self.batch_size, self.pad_value = allocator, batch_size, pad_value
        self._columns = {k: [space.dims.index(d) for d in v.dims] for k, v in source.data_vars.items()}
        self.dims = {k: ("sample", *(f"{d}{SUFFIX}" for d in v.dims if d in space.window))
                     for k, v in source.data_vars.items()}
        self._labels = {d: source.variables[d].values for d in space.dims
                        if d in source.coord_names and source.variables[d].dims == (d,)}

    def read(self, batches: list[np.ndarray], pad: bool, with_nan_fraction: bool) -> list[tuple]:
        """The batches of samples at each of ``batches`` (window origins),
        read together: one native read and one buffer per variable for the
        group, each batch a view of it, so that a chunk's windows for every
        batch of the group are copied while it is freshly decoded. The last
        batch is padded to ``batch_size`` when ``pad``. Returns (batch, NaN
        fraction per sample or None) for each."""
        sizes = [len(o) for o in batches]
        origins = np.concatenate(batches) if len(batches) > 1 else batches[0]
        n = len(origins)
        rows = n + (self.batch_size - sizes[-1] if pad else 0)
        decoded, data, requests = {}, {}, []
        for name, var in self.source.data_vars.items():
            extent = [self.space.window.get(d, 1) for d in var.dims]
            shape = (rows, *[self.space.window[d] for d in var.dims if d in self.space.window])
            out = self.allocator(shape, self.transforms.out_dtype(name))
            work = out if out.dtype == var.dtype else np.empty(shape, var.dtype)
            at, windows = origins[:, self._columns[name]], work[:n].reshape(n, *extent)
            request = var.request(at, extent, windows) if var.request else None
            if request is None:
                var.read(at, extent, windows)
            else:
                requests.append(request)
            decoded[name], data[name] = work, out
        if requests:  # every variable's chunks decode together, in one native call
            read_windows_many(requests)
        fraction = nan_fraction([a for a in decoded.values()], n) if with_nan_fraction else None
        for name, out in data.items():
            self.transforms.apply(name, decoded[name][:n])
            if decoded[name] is not out:
                np.copyto(out[:n], decoded[name][:n], casting="unsafe")
            if rows > n:
                out[n:] = self._pad(out.dtype)
        coords = self._coords(origins, rows)
        group, start = [], 0
        for i, size in enumerate(sizes):
            stop = rows if i == len(sizes) - 1 else start + size  # padding rows belong to the last batch
            batch = Batch({k: v[start:stop] for k, v in data.items()}, self.dims,
                          {k: (d, v[start:stop]) for k, (d, v) in coords.items()}, size=size, attrs=self.source.attrs)
            group.append((batch, None if fraction is None else fraction[start:start + size]))
            start = stop
        return group

    def _pad(self, dtype: np.dtype):
        if self.pad_value is not None:
            return self.pad_value
        return np.nan if dtype.kind in "fc" else 0

    def _coords(self, origins: np.ndarray, rows: int) -> dict:
        coords = {"origin": (("sample", "dim"), _padded(origins, rows))}
        for dim, values in self._labels.items():
            start = origins[:, self.space.dims.index(dim)]
            if dim in self.space.window:
                labels = values[start[:, None] + np.arange(self.space.window[dim])]
                coords[dim] = (("sample", f"{dim}{SUFFIX}"), _padded(labels, rows))
            else:
                coords[dim] = (("sample",), _padded(values[start], rows))
        return coords


def _padded(a: np.ndarray, rows: int) -> np.ndarray:
    if rows == len(a):
        return a
    out = np.zeros((rows, *a.shape[1:]), a.dtype)
    out[:len(a)] = a
    return out
