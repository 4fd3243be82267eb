"""Faults between geobatch and the server, injected by a proxy in front of
nginx: reads still return exactly the right bytes while the retry budget
lasts, and fail with a clear TransientError once faults outlast it."""

from __future__ import annotations

import time

import pytest

import geobatch
from conftest import Data
from test_helpers import assert_same


def test_reads_are_exact_through_every_kind_of_fault(fault_proxy, data: Data, monkeypatch):
    monkeypatch.setenv("GEOBATCH_MAX_RETRIES", "25")
    fault_proxy.set_faults(drop=0.04, stall=0.02, **{"500": 0.04, "503": 0.04, "429": 0.04},
                           truncate=0.06, short_range=0.06)
    for _ in range(3):
        assert_same(geobatch.open_array(fault_proxy.url + "/cube.zarr", "t2m")[...], data.t2m)
        assert_same(geobatch.open_array(fault_proxy.url + "/cube.zarr", "sharded")[...], data.sharded)
    assert all(count > 0 for count in fault_proxy.injected.values()), fault_proxy.injected


def test_gives_up_on_a_persistent_503(fault_proxy, monkeypatch):
    monkeypatch.setenv("GEOBATCH_MAX_RETRIES", "3")
    fault_proxy.set_faults(**{"503": 1.0})
    start = time.monotonic()
    with pytest.raises(geobatch.TransientError) as info:
        geobatch.open_array(fault_proxy.url + "/cube.zarr", "t2m")
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert "503" in message and "gave up after 4 attempts" in message
    assert fault_proxy.url + "/cube.zarr/zarr.json" in message
    assert fault_proxy.requests == 4


def test_gives_up_on_dropped_connections_within_the_time_budget(fault_proxy, monkeypatch):
    monkeypatch.setenv("GEOBATCH_MAX_RETRIES", "1000")
    monkeypatch.setenv("GEOBATCH_RETRY_BUDGET_S", "1.5")
    fault_proxy.set_faults(drop=1.0)
    start = time.monotonic()
    with pytest.raises(geobatch.TransientError, match="gave up after"):
        geobatch.open_array(fault_proxy.url + "/cube.zarr", "t2m")
    assert time.monotonic() - start < 5


def test_stalls_time_out_and_are_retried(fault_proxy, data: Data, monkeypatch):
    fault_proxy.set_faults(stall=0.5)
    assert_same(geobatch.open_array(fault_proxy.url + "/cube.zarr", "sharded")[...], data.sharded)
    assert fault_proxy.injected["stall"] > 0


def test_truncated_bodies_are_detected_and_fetched_again(fault_proxy, data: Data, monkeypatch):
    monkeypatch.setenv("GEOBATCH_MAX_RETRIES", "30")
    fault_proxy.set_faults(truncate=0.3, short_range=0.3)
    assert_same(geobatch.open_array(fault_proxy.url + "/cube.zarr", "sharded")[...], data.sharded)
    assert_same(geobatch.open_array(fault_proxy.url + "/cube.zarr", "t2m")[...], data.t2m)
    assert fault_proxy.injected["truncate"] > 0 and fault_proxy.injected["short_range"] > 0
