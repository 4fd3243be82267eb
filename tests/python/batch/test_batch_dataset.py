"""open_dataset against xr.open_zarr(...).load() on the same stores: values,
dtypes (CF decoding), dims and their order, coordinates, attributes; for Zarr
v2 and v3, consolidated or not."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import xarray as xr
import zarr

import geobatch
from batch_data import open_xr, weather, write


def assert_same(gb_ds: geobatch.Dataset, path, ordered: bool = True, **kwargs):
    """Identical to xarray; with ``ordered``, variables and dims in xarray's
    order too (xarray lists arrays in directory order without consolidated
    metadata, geobatch always sorted by name)."""
    expected = open_xr(path, **kwargs).load()
    actual = gb_ds.to_xarray()
    xr.testing.assert_identical(actual, expected)
    for name in expected.variables:
        assert actual[name].dtype == expected[name].dtype, name
    if ordered:
        assert list(gb_ds.variables) == list(expected.variables)
        assert list(gb_ds.sizes) == list(expected.sizes)
    assert set(gb_ds.coords) == set(expected.coords)
    return expected


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("consolidated", [True, False])
def test_weather(tmp_path, zarr_format, consolidated):
    path = write(weather(), tmp_path / "w.zarr", zarr_format, consolidated, chunks=(5, 4, 6))
    ds = geobatch.open_dataset(path)
    assert_same(ds, path, ordered=consolidated)
    assert ds["t2m"].dims == ("time", "lat", "lon") and ds["t2m"].dtype == np.float32
    assert ds["land"].dtype == bool  # BooleanCoder: stored as int8 with dtype: bool
    assert ds["time"].dtype == np.dtype("M8[ns]")


PACKED = {
    "scale_offset_int16": dict(dtype="int16", scale_factor=0.01, add_offset=273.15, _FillValue=-32767),
    "scale_only_int16": dict(dtype="int16", scale_factor=0.5, _FillValue=-1),
    "offset_only_int16": dict(dtype="int16", add_offset=100.0),
    "scale_int32": dict(dtype="int32", scale_factor=0.001, add_offset=1.0, _FillValue=-99),
    "scale_uint8": dict(dtype="uint8", scale_factor=0.1, _FillValue=255),
    "scale_int8_nofill": dict(dtype="int8", scale_factor=2.0, add_offset=-3.0),
    "float32_fill": dict(dtype="float32", _FillValue=-999.0),
    "int16_fill_only": dict(dtype="int16", _FillValue=-5),
    "int64_fill_only": dict(dtype="int64", _FillValue=-5),
}


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("case", sorted(PACKED))
def test_packed(tmp_path, zarr_format, case):
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 10, (6, 5))
    values[0, 0] = np.nan
    ds = xr.Dataset({"v": (("y", "x"), values)}, coords={"x": np.arange(5)})
    path = tmp_path / "p.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.to_zarr(path, zarr_format=zarr_format, encoding={"v": PACKED[case]})
    gb = geobatch.open_dataset(str(path))
    assert_same(gb, path)


def _raw_store(path, zarr_format, arrays, attrs=None):
    """Arrays written by zarr-python with hand-made attributes:
    {name: (dims, values, attrs, fill_value)}."""
    group = zarr.open_group(str(path), mode="w", zarr_format=zarr_format, attributes=attrs or {})
    for name, (dims, values, a, fill) in arrays.items():
        kwargs = dict(dimension_names=dims) if zarr_format == 3 else {}
        a = dict(a) if zarr_format == 3 else {**a, "_ARRAY_DIMENSIONS": list(dims)}
        arr = group.create_array(name, shape=values.shape, dtype=values.dtype, fill_value=fill,
                                 attributes=a, chunks=values.shape or None, **kwargs)
        arr[...] = values
    zarr.consolidate_metadata(str(path))
    return str(path)


def _raw_cases():
    i8 = np.array([-1, 0, 5, -128, 127], "i1")
    times = np.array([0, 6, 12, 18, 24], "i8")
    return {
        "unsigned_true": {"v": (("x",), i8, {"_Unsigned": "true", "_FillValue": -1}, None)},
        "unsigned_false": {"v": (("x",), i8.view("u1"), {"_Unsigned": "false"}, None)},
        "missing_value": {"v": (("x",), np.array([1, 2, 3, 2, 1], "i2"), {"missing_value": 2}, None)},
        "both_fill_and_missing": {"v": (("x",), np.array([1., 2, 3, 2, 9], "f8"),
                                        {"missing_value": 2.0, "scale_factor": 2.0}, 9.0)},
        "v2_int_fill_zero": {"v": (("x",), np.array([0, 1, 2, 0, 3], "i4"), {}, 0)},
        "hours_since": {"time": (("time",), times, {"units": "hours since 2001-02-03 04:05:06"}, None)},
        "days_float": {"time": (("time",), np.array([0.5, 1.25, np.nan, 3, 4]),
                                {"units": "days since 1970-01-01", "calendar": "gregorian"}, None)},
        "seconds_tz": {"time": (("time",), times, {"units": "seconds since 2000-01-01T00:00:00+01:00"}, None)},
        "time_fill": {"time": (("time",), times, {"units": "minutes since 2000-01-01", "_FillValue": 12}, None)},
        "time_bounds": {"time": (("time",), times, {"units": "hours since 2000-01-01", "bounds": "time_bnds"}, None),
                        "time_bnds": (("time", "nv"), np.stack([times, times + 6], 1), {}, None)},
        "coordinates_attr": {"v": (("x",), np.arange(5.), {"coordinates": "lat nothere"}, None),
                             "lat": (("x",), np.arange(5.) * 2, {}, None)},
        "bool_attr": {"v": (("x",), np.array([0, 1, 1, 0, 1], "i1"), {"dtype": "bool"}, None)},
        "uint_time": {"time": (("time",), times.astype("u4"), {"units": "hours since 2000-01-01"}, None)},
    }


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("case", sorted(_raw_cases()))
def test_cf_raw_attributes(tmp_path, zarr_format, case):
    arrays = _raw_cases()[case]
    if zarr_format == 3 and case == "v2_int_fill_zero":
        pytest.skip("v3 fill values are not masks")
    path = _raw_store(tmp_path / "r.zarr", zarr_format, arrays)
    assert_same(geobatch.open_dataset(path), path)


def test_global_coordinates_and_v3_fill_attribute(tmp_path):
    import base64
    import struct

    fill = base64.standard_b64encode(struct.pack("<d", -9.0)).decode()
    path = _raw_store(tmp_path / "g.zarr", 3, {"v": (("x",), np.array([1., -9, 3]), {"_FillValue": fill}, None),
                                              "aux": (("x",), np.arange(3.), {}, None)},
                      attrs={"coordinates": "aux"})
    ds = geobatch.open_dataset(path)
    assert "aux" in ds.coords and np.isnan(ds["v"].values[1])
    assert_same(ds, path)


def test_decode_options_and_unsupported_calendar(tmp_path):
    path = _raw_store(tmp_path / "c.zarr", 2, {"time": (("time",), np.arange(3), {"units": "days since 2000-01-01",
                                                                                   "calendar": "noleap"}, None),
                                               "v": (("time",), np.array([1, 2, -1], "i2"),
                                                     {"scale_factor": 0.5, "_FillValue": -1}, None)})
    with pytest.raises(geobatch.UnsupportedError, match="noleap"):
        geobatch.open_dataset(path)
    short = _raw_store(tmp_path / "s.zarr", 2, {"time": (("time",), np.arange(3), {"units": "days since 1-1-1"}, None)})
    with pytest.raises(geobatch.UnsupportedError, match="1-1-1"):  # xarray needs cftime for year 1
        geobatch.open_dataset(short)
    raw = geobatch.open_dataset(path, decode_times=False, mask_and_scale=False)
    assert_same(raw, path, decode_times=False, mask_and_scale=False)
    assert raw["v"].dtype == np.int16


def test_group_lazy_and_pickle(tmp_path):
    path = tmp_path / "grp.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weather().to_zarr(path, group="inner/g", zarr_format=3)
    ds = geobatch.open_dataset(str(path), group="inner/g")
    xr.testing.assert_identical(ds.to_xarray(), open_xr(path, group="inner/g").load())
    sub = ds[["t2m"]].isel(time=slice(2, 7), lon=[3, 1])
    again = pickle.loads(pickle.dumps(sub))
    xr.testing.assert_identical(again.to_xarray(), sub.to_xarray())


def test_errors(tmp_path, weather_store):
    with pytest.raises(geobatch.NotFoundError):
        geobatch.open_dataset(str(tmp_path / "missing.zarr"))
    ds = geobatch.open_dataset(weather_store)
    with pytest.raises(geobatch.NotFoundError, match="nope"):
        ds["nope"]
    with pytest.raises(geobatch.NotFoundError):
        ds[["t2m", "nope"]]
    with pytest.raises(geobatch.InvalidArgumentError, match="depth"):
        ds.isel(depth=0)
    group = zarr.open_group(str(tmp_path / "nodims.zarr"), mode="w", zarr_format=3)
    group.create_array("a", shape=(2,), dtype="f4")
    with pytest.raises(geobatch.InvalidArgumentError, match="dimension names"):
        geobatch.open_dataset(str(tmp_path / "nodims.zarr"))
    group = zarr.open_group(str(tmp_path / "clash.zarr"), mode="w", zarr_format=3)
    group.create_array("a", shape=(2,), dtype="f4", dimension_names=["x"])
    group.create_array("b", shape=(3,), dtype="f4", dimension_names=["x"])
    with pytest.raises(geobatch.InvalidArgumentError, match="conflicting sizes"):
        geobatch.open_dataset(str(tmp_path / "clash.zarr"))
