"""Fixtures of the batch tests (helpers in batch_data.py)."""

from __future__ import annotations

import warnings

import pytest

from batch_data import weather, write


@pytest.fixture(scope="session")
def weather_store(tmp_path_factory) -> str:
    return write(weather(), tmp_path_factory.mktemp("batch") / "weather.zarr", chunks=(5, 4, 6))


@pytest.fixture(autouse=True)
def _quiet_xarray_warnings():
    # xbatcher's xr.concat call warns about xarray's future defaults.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        yield
