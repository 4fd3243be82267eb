"""Datasets and batches over a remote URL: the same variables and the same
batches as from the local copy of the store."""

from __future__ import annotations

import numpy as np
import pytest

import geobatch
from conftest import Data
from test_helpers import assert_same


def test_dataset_over_http(nginx, data: Data):
    ds = geobatch.open_dataset(nginx.url + "/cube.zarr")
    assert ds["t2m"].dims == ("time", "lat", "lon")
    assert_same(ds["t2m"].read(), data.t2m)


def test_batches_over_http_equal_local_batches(nginx, data: Data):
    def batches(url):
        ds = geobatch.open_dataset(url).subset(["t2m"])
        generator = geobatch.BatchGenerator(ds, input_dims={"lat": 30, "lon": 45}, batch_dims={"time": 6})
        return [np.asarray(batch["t2m"]) for batch in generator]

    remote, local = batches(nginx.url + "/cube.zarr"), batches(str(data.www / "cube.zarr"))
    assert len(remote) == len(local) > 0
    for r, l in zip(remote, local):
        assert_same(r, l)


def test_dataset_storage_options_are_used_and_survive_pickling(moto_open, data: Data):
    import pickle

    # No environment: the endpoint and anonymous access come from storage_options only.
    options = {"endpoint": moto_open.endpoint, "anonymous": True, "region": "us-east-1"}
    ds = geobatch.open_dataset("s3://public/cube.zarr", storage_options=options)
    assert_same(ds["t2m"].read(), data.t2m)
    again = pickle.loads(pickle.dumps(ds.isel(time=slice(1, 3))))
    assert_same(again["t2m"].read(), data.t2m[1:3])


def test_forked_dataloader_workers_read_over_http(nginx, data: Data):
    """A fork-started DataLoader worker inherits none of the parent's HTTP
    event-loop threads; after the parent has read a batch over HTTP (its
    client is running; the other chunks are not cached), forked workers open
    their own and yield the local batches."""
    torch = pytest.importorskip("torch")
    from geobatch.torch import BatchDataset

    def generator(url):
        ds = geobatch.open_dataset(url).subset(["t2m"])
        return geobatch.BatchGenerator(ds, {"lat": 30, "lon": 45}, batch_size=4, shuffle=True, seed=3)

    remote = BatchDataset(generator(nginx.url + "/cube.zarr"))
    next(iter(remote))
    remote.set_epoch(0)
    loader = torch.utils.data.DataLoader(remote, batch_size=None, num_workers=2, multiprocessing_context="fork",
                                         timeout=120)
    got = sorted((b["t2m"].numpy().tobytes() for b in loader))
    local = generator(str(data.www / "cube.zarr"))
    want = []
    for shard in range(2):
        local.set_shard((shard, 2))
        local.set_epoch(0)
        want += [np.asarray(b["t2m"]).tobytes() for b in local]
    assert got == sorted(want)
