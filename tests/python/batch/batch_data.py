"""Datasets shared by the batch tests: small xarray Datasets written to Zarr
by xarray itself (v2 and v3, consolidated or not), so that geobatch is
always compared with xarray / xbatcher reading the same store."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr


def weather(seed: int = 0, nt: int = 12, ny: int = 10, nx: int = 14) -> xr.Dataset:
    """Variables over different dims, index and non-index coordinates,
    a dimension without coordinate, attributes, NaNs."""
    rng = np.random.default_rng(seed)
    t2m = rng.normal(280, 5, (nt, ny, nx)).astype("f4")
    t2m[rng.random(t2m.shape) < 0.05] = np.nan
    return xr.Dataset(
        {
            "t2m": (("time", "lat", "lon"), t2m, {"units": "K", "long_name": "temperature"}),
            "u10": (("time", "lat", "lon"), rng.normal(0, 3, (nt, ny, nx)).astype("f4")),
            "orog": (("lat", "lon"), rng.random((ny, nx)) * 1000),
            "index": (("time",), np.arange(nt, dtype="i4")),
            "member": (("time", "ens"), rng.random((nt, 2)).astype("f4")),
        },
        coords={
            "time": pd.date_range("2000-01-01", periods=nt, freq="h"),
            "lat": np.linspace(60, 40, ny),
            "lon": np.arange(nx) * 0.5,
            "land": (("lat", "lon"), rng.random((ny, nx)) > 0.5),
            "hour": ("time", np.arange(nt) % 24),
        },
        attrs={"title": "weather", "version": 2},
    )


def write(ds: xr.Dataset, path, zarr_format: int = 2, consolidated: bool = True, chunks=None) -> str:
    encoding = {k: {"chunks": tuple(min(c, n) for c, n in zip(chunks, ds[k].shape))}
                for k in ds.data_vars if chunks and ds[k].ndim == len(chunks)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.to_zarr(path, mode="w", zarr_format=zarr_format, consolidated=consolidated, encoding=encoding)
    return str(path)


def open_xr(path, **kwargs) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xr.open_zarr(path, **kwargs)
