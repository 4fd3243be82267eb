"""Zarr v2 conformance, feature by feature (datetime units, orders, filters,
...). The matrix of every V2 fixture through every read check, compared bit
for bit with zarr-python, is test_conformance.py."""

from __future__ import annotations

import numpy as np
import pytest

import zarr_writers as zw
from gb_helpers import assert_identical, check_full_read


@pytest.mark.parametrize("case_id", ["v2-dtype-<M8[ns]", "v2-dtype->M8[ns]", "v2-dtype-<m8[s]", "v2-dtype->m8[ms]",
                                     "v2-dtype-<M8[D]", "v2-fill-dt", "v2-fill-td"])
def test_datetime_dtypes(geobatch, fixtures, case_id):
    """datetime64/timedelta64 keep their unit; NaT survives."""
    w = fixtures.get(case_id)
    a = geobatch.open_array(w.url, path=w.path)
    assert a.dtype == w.zarr.dtype.newbyteorder("=")
    assert a.dtype.kind == np.dtype(w.case.dtype).kind
    v = a[...]
    assert v.dtype == a.dtype
    np.testing.assert_array_equal(v.view("i8"), w.expected.view("i8"))
    assert_identical(v, w.expected)


@pytest.mark.parametrize("case_id", ["v2-dtype->f8", "v2-dtype->u2", "v2-dtype->c16", "v2-fill-nan-be"])
def test_big_endian_read_as_native(geobatch, fixtures, case_id):
    w = fixtures.get(case_id)
    a = geobatch.open_array(w.url, path=w.path)
    assert a.dtype.isnative
    assert a[...].dtype.isnative


def test_xarray_dimensions(geobatch, fixtures):
    w = fixtures.get("v2-xarray-dims")
    a = geobatch.open_array(w.url, path=w.path)
    assert a.dimension_names == ("lat", "lon")
    assert a.attrs["units"] == "K"
    assert geobatch.open_array(fixtures.get("v2-dtype-<i4").url).dimension_names is None


@pytest.mark.parametrize("case_id", ["v2-dtype-<i4", "v2-sep-slash", "v2-nested-path", "v2-orderF->f8", "v2-zerod"])
def test_file_url(geobatch, fixtures, case_id):
    w = fixtures.get(case_id)
    check_full_read(geobatch, w, url=w.file_url)


def test_hand_written_numcodecs(geobatch, fixtures):
    """A v2 array written without zarr-python (numcodecs-encoded chunks,
    order F, '/' separator, Delta + Zstd, one missing chunk)."""
    w = fixtures.get("v2-hand-numcodecs")
    a = geobatch.open_array(w.url)
    assert a.fill_value == 3
    assert_identical(a[...], w.expected)
    assert (a[4:8, 3:6] == 3).all()


def test_fill_value_null(geobatch, fixtures):
    w = fixtures.get("v2-fill-null")
    a = geobatch.open_array(w.url)
    assert a.fill_value is None
    assert_identical(a[...], w.expected)


def test_order_f_on_disk(fixtures):
    """Guards the writers: an order F chunk is stored column-major."""
    w = fixtures.get("v2-orderF-<i4")
    assert zw.load_json(w.store / ".zarray")["order"] == "F"
