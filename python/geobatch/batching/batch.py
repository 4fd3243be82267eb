"""One batch: a mapping from variable name to an array whose first axis is
the samples, with the dims of each array, the coordinate labels of every
sample, and conversions to PyTorch tensors (sharing memory) and xarray."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


class Batch(Mapping):
    """``batch[name]`` is an array of shape (samples, *window). When the last
    batch of an epoch is padded, only the first ``size`` samples are real."""

    def __init__(self, data: dict[str, np.ndarray], dims: dict[str, tuple], coords: dict[str, tuple] | None = None,
                 size: int | None = None, attrs: dict | None = None, xarray: Any = None):
        self._data = data
        self.dims = dims
        self.coords = coords or {}   # name -> (dims, labels)
        self.size = size if size is not None else (len(next(iter(data.values()))) if data else 0)
        self.attrs = attrs or {}
        self._xarray = xarray

    def __getitem__(self, name: str):
        return self._data[name]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self):
        shapes = ", ".join(f"{k}: {tuple(v.shape)} {v.dtype}" for k, v in self._data.items())
        return f"<geobatch.Batch {self.size} samples; {shapes}>"

    def to_torch(self, device=None, non_blocking: bool = False) -> dict:
        """{name: torch.Tensor}, sharing memory with the batch on the CPU
        (handed over through DLPack)."""
        import torch

        out = {k: v if isinstance(v, torch.Tensor) else torch.from_dlpack(v) for k, v in self._data.items()}
        if device is not None:
            out = {k: v.to(device, non_blocking=non_blocking) for k, v in out.items()}
        return out

    def to_xarray(self):
        """The batch as an xarray Dataset (xbatcher's object in xbatcher
        mode; otherwise ``sample`` first, with per-sample coordinates)."""
        if self._xarray is not None:
            return self._xarray
        import xarray as xr

        n = self.size
        data_vars = {k: xr.Variable(self.dims[k], np.asarray(v)[:n]) for k, v in self._data.items()}
        coords = {k: xr.Variable(d, np.asarray(v)[:n]) for k, (d, v) in self.coords.items()}
        return xr.Dataset(data_vars, coords=coords, attrs=self.attrs)
