"""Differential tests: geobatch's xbatcher-mode batches are identical
(xr.testing.assert_identical, same dims order) to xbatcher 0.4's, in the
same order, over a matrix of data sources and parameters."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import xbatcher

import geobatch
import geobatch.xbatcher
from batch_data import open_xr, weather

PARAMS = {
    "one_dim": dict(input_dims={"lon": 4}),
    "two_dims": dict(input_dims={"lat": 5, "lon": 7}),
    "overlap": dict(input_dims={"lat": 5, "lon": 7}, input_overlap={"lon": 3}),
    "batch_dim": dict(input_dims={"time": 4, "lon": 6}, input_overlap={"time": 2}, batch_dims={"lat": 5}),
    "stack_two": dict(input_dims={"lat": 4}, batch_dims={"time": 5}),
    "concat": dict(input_dims={"lat": 5, "lon": 7}, concat_input_dims=True),
    "concat_batch": dict(input_dims={"lat": 5, "lon": 7}, batch_dims={"time": 4}, concat_input_dims=True),
    "concat_duplicate": dict(input_dims={"lat": 4, "lon": 6}, input_overlap={"lat": 2}, batch_dims={"lat": 8},
                             concat_input_dims=True),
    "concat_mixed": dict(input_dims={"lat": 4, "lon": 6}, batch_dims={"lat": 6, "time": 5}, concat_input_dims=True),
    "whole": dict(input_dims={"time": 12, "lat": 10, "lon": 14}),
    "duplicate_no_concat": dict(input_dims={"lon": 7}, batch_dims={"lon": 7}),
    "concat_3d": dict(input_dims={"time": 3, "lat": 5, "lon": 7}, input_overlap={"time": 1},
                      batch_dims={"time": 6}, concat_input_dims=True),
    "ens": dict(input_dims={"ens": 1, "lat": 3}, input_overlap={"lat": 1}),
}

SOURCES = ["memory", "dataarray", "dataarray_plain", "dask", "lazy", "dask_sliced", "geobatch"]
# xbatcher is slow on dask-backed data: those sources run the cases that differ in how data is read.
DASK_SOURCES, DASK_CASES = {"dask", "lazy", "dask_sliced"}, {"two_dims", "stack_two", "concat"}
MATRIX = [(s, c) for s in SOURCES for c in sorted(PARAMS) if s not in DASK_SOURCES or c in DASK_CASES]


@pytest.fixture(scope="module")
def sources(weather_store):
    ds = weather()
    plain = xr.DataArray(ds.t2m.values, dims=ds.t2m.dims, name="plain", attrs={"a": 1})
    return {
        "memory": (ds, ds),
        "dataarray": (ds.t2m, ds.t2m),
        "dataarray_plain": (plain, plain),
        "dask": (open_xr(weather_store), open_xr(weather_store)),
        "lazy": (open_xr(weather_store, chunks=None), open_xr(weather_store)),
        "dask_sliced": (open_xr(weather_store).isel(lon=slice(1, 13)), open_xr(weather_store).isel(lon=slice(1, 13))),
        "geobatch": (geobatch.open_dataset(weather_store), open_xr(weather_store).load()),
    }


def _needs(params, obj) -> bool:
    sliced = {**params.get("batch_dims", {}), **params["input_dims"]}
    return all(d in obj.sizes and n <= obj.sizes[d] for d, n in sliced.items())


@pytest.mark.parametrize("source,case", MATRIX)
def test_identical_to_xbatcher(sources, source, case):
    params = PARAMS[case]
    obj, reference = sources[source]
    if not _needs(params, obj):
        pytest.skip("dimension not in this source")
    with pytest.warns(UserWarning) if case == "duplicate_no_concat" else _nothing():
        expected = xbatcher.BatchGenerator(reference, **params)
    with pytest.warns(UserWarning) if case == "duplicate_no_concat" else _nothing():
        actual = geobatch.xbatcher.BatchGenerator(obj, **params)
    assert len(actual) == len(expected)
    count = 0
    for mine, theirs in zip(actual, expected):
        xr.testing.assert_identical(mine, theirs)
        assert list(mine.sizes) == list(theirs.sizes)
        assert type(mine) is type(theirs)
        count += 1
    assert count == len(expected)
    for index in (0, -1, len(expected) // 2):
        xr.testing.assert_identical(actual[index], expected[index])


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_native_reads_for_untouched_zarr_data(sources):
    params = PARAMS["two_dims"]
    for name, native in (("dask", True), ("lazy", True), ("dask_sliced", False), ("memory", False)):
        gen = geobatch.xbatcher.BatchGenerator(sources[name][0][["t2m", "u10"]], **params)
        list(gen)
        assert (gen.cache.stats()["misses"] > 0) == native, name


def test_native_generator_xarray_output(sources):
    ds, reference = sources["geobatch"]
    params = PARAMS["concat_batch"]
    gen = geobatch.BatchGenerator(ds, **params, output="xarray")
    for mine, theirs in zip(gen, xbatcher.BatchGenerator(reference, **params)):
        xr.testing.assert_identical(mine, theirs)
    batch = next(iter(geobatch.BatchGenerator(ds, **params)))  # numpy output
    expected = xbatcher.BatchGenerator(reference, **params)[0]
    assert set(batch) == set(expected.data_vars)
    np.testing.assert_array_equal(batch["t2m"], expected["t2m"].values)
    xr.testing.assert_identical(batch.to_xarray(), expected)


def test_shuffled_xbatcher_mode_visits_every_batch(sources):
    ds, reference = sources["geobatch"]
    params = PARAMS["two_dims"]
    expected = [b for b in xbatcher.BatchGenerator(reference, **params)]
    gen = geobatch.xbatcher.BatchGenerator(ds, **params, shuffle=True, seed=3)
    orders = []
    for got in (list(gen), list(gen)):
        assert len(got) == len(expected)
        orders.append([(float(b.lat[0]), float(b.lon[0])) for b in got])
        assert sorted(orders[-1]) == sorted((float(b.lat[0]), float(b.lon[0])) for b in expected)
    assert orders[0] != orders[1]


def test_bad_parameters_fail_before_reading(sources):
    ds = sources["geobatch"][0]
    cases = [
        (dict(input_dims={"lat": 11}), geobatch.InvalidArgumentError, "greater than the dimension length"),
        (dict(input_dims={"lat": 4}, input_overlap={"lat": 4}), geobatch.InvalidArgumentError, "overlap"),
        (dict(input_dims={"depth": 4}), geobatch.NotFoundError, "depth"),
        (dict(input_dims={"lat": 4}, batch_dims={"level": 2}), geobatch.NotFoundError, "level"),
        (dict(input_dims={}), geobatch.InvalidArgumentError, "at least one"),
        (dict(input_dims={"lat": 0}), geobatch.InvalidArgumentError, "positive"),
        (dict(input_dims={"lat": 2.5}), geobatch.InvalidArgumentError, "integer"),
        (dict(input_dims={"lat": 4}, variables=["nope"]), geobatch.NotFoundError, "nope"),
    ]
    for kwargs, error, match in cases:
        with pytest.raises(error, match=match):
            geobatch.BatchGenerator(ds, **kwargs)
    with pytest.raises(geobatch.InvalidArgumentError, match="greater than"):
        geobatch.BatchGenerator(ds.isel(time=slice(3, 3)), input_dims={"time": 1})
    with pytest.raises(ValueError):  # xbatcher's error type too
        geobatch.xbatcher.BatchGenerator(sources["memory"][0], input_dims={"lat": 4}, input_overlap={"lat": 5})
