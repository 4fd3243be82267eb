"""Requests in flight against a remote-like round trip: with 40 ms of RTT
added (netem where the kernel has it, else the delaying relay of
latency_relay.py), many requests in flight must hide the latency that one
request at a time pays per chunk."""

from __future__ import annotations

import time

import geobatch
from conftest import Data
from latency_relay import LatencyRelay
from test_helpers import assert_same

RTT_MS = 40


def timed_read(url: str) -> tuple[float, object]:
    start = time.perf_counter()
    values = geobatch.open_array(url, "t2m")[...]
    return time.perf_counter() - start, values


def test_requests_in_flight_hide_latency(nginx, data: Data, monkeypatch):
    relay = LatencyRelay(nginx.port, RTT_MS)
    try:
        url = relay.url() + "/cube.zarr"
        monkeypatch.setenv("GEOBATCH_MAX_REQUESTS", "1")
        serial, values = timed_read(url)
        assert_same(values, data.t2m)
        monkeypatch.setenv("GEOBATCH_MAX_REQUESTS", "64")
        parallel, values = timed_read(url)
        assert_same(values, data.t2m)
    finally:
        relay.close()
    chunks = 4 * 2 * 2
    assert serial >= chunks * RTT_MS / 1000  # one round trip per chunk at least
    assert parallel < serial / 2, (serial, parallel)  # about 4x on an idle machine
