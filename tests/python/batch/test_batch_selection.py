"""isel / sel / variable subsets of a geobatch Dataset against the same
selections of xr.open_zarr(...) on the same store: lazy until read, equal
after."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import geobatch
from batch_data import open_xr

ISEL = [
    {"time": 3},
    {"time": slice(2, 9)},
    {"time": slice(None, None, 3), "lat": slice(8, 1, -2)},
    {"lat": [4, 1, 1, 7], "lon": -1},
    {"lon": np.array([True, False] * 7)},
    {"time": slice(5, 5)},
    {"ens": 1, "lat": slice(-3, None)},
    {"lon": [2, 3, 4, 5]},
]

SEL = [
    ({"time": "2000-01-01T03:00"}, {}),
    ({"time": slice("2000-01-01T02", "2000-01-01T06")}, {}),
    ({"time": "2000-01-01"}, {}),  # partial date string: a slice of the whole day
    ({"lat": slice(55, 45)}, {}),  # descending coordinate
    ({"lat": 51.3, "lon": [1.2, 5.9]}, {"method": "nearest"}),
    ({"lon": [0.5, 2.0]}, {}),
    ({"time": pd.Timestamp("2000-01-01T05:20")}, {"method": "pad"}),
    ({"lon": 3.1}, {"method": "nearest", "tolerance": 0.2}),
]


@pytest.mark.parametrize("indexers", ISEL, ids=range(len(ISEL)))
def test_isel(weather_store, indexers):
    actual = geobatch.open_dataset(weather_store).isel(indexers)
    expected = open_xr(weather_store).isel(indexers).load()
    xr.testing.assert_identical(actual.to_xarray(), expected)
    assert actual.sizes == dict(expected.sizes)


@pytest.mark.parametrize("indexers,options", SEL, ids=range(len(SEL)))
def test_sel(weather_store, indexers, options):
    actual = geobatch.open_dataset(weather_store).sel(indexers, **options)
    expected = open_xr(weather_store).sel(indexers, **options).load()
    xr.testing.assert_identical(actual.to_xarray(), expected)


def test_chained_selection_and_subset(weather_store):
    ds = geobatch.open_dataset(weather_store)
    actual = ds.isel(time=slice(1, 11)).sel(lat=slice(58, 42))[["u10", "orog"]].isel(time=[0, 2, 4], lon=slice(3, 9))
    expected = open_xr(weather_store).isel(time=slice(1, 11)).sel(lat=slice(58, 42))[["u10", "orog"]]
    expected = expected.isel(time=[0, 2, 4], lon=slice(3, 9)).load()
    xr.testing.assert_identical(actual.to_xarray(), expected)
    assert list(actual.variables) == list(expected.variables)


def test_variable_values_and_lazyness(weather_store):
    ds = geobatch.open_dataset(weather_store)
    t2m = ds.isel(time=slice(2, 4))["t2m"]
    assert t2m.shape == (2, 10, 14) and t2m.dims == ("time", "lat", "lon")
    expected = open_xr(weather_store)["t2m"].isel(time=slice(2, 4)).values
    np.testing.assert_array_equal(t2m.values, expected)
    windows = t2m.read_windows(np.array([[0, 1, 2], [1, 5, 7]]), [1, 3, 4])
    np.testing.assert_array_equal(windows[1], expected[1:2, 5:8, 7:11])


def test_selection_errors(weather_store):
    ds = geobatch.open_dataset(weather_store)
    with pytest.raises(geobatch.NotFoundError):
        ds.sel(lon=0.7)
    with pytest.raises(geobatch.NotFoundError):
        ds.sel(lon=[0.5, 0.7])
    with pytest.raises(geobatch.InvalidArgumentError, match="index coordinate"):
        ds.sel(ens=0)
    with pytest.raises(geobatch.InvalidArgumentError):
        ds.sel(lat=slice(50, 40), method="nearest")
    with pytest.raises(IndexError):
        ds.isel(time=40)


def test_windows_stay_inside_the_selection(weather_store):
    t2m = geobatch.open_dataset(weather_store).isel(lat=slice(2, 6))["t2m"]
    with pytest.raises(geobatch.InvalidArgumentError, match="do not fit"):
        t2m.read_windows(np.array([[0, 2, 0]]), [1, 3, 4])
    with pytest.raises(geobatch.InvalidArgumentError, match="do not fit"):
        t2m.read_windows(np.array([[0, 0, 0]]), [1, 3])
