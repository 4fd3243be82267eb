"""PyTorch: BatchDataset in DataLoaders with worker processes and under
torchrun with two gloo ranks — every sample exactly once per epoch across
ranks and workers, the same order for the same (seed, epoch) as computed
in-process, a new order next epoch."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import geobatch
from geobatch.torch import BatchDataset

HERE = Path(__file__).resolve().parent


def generator(store, **kwargs):
    ds = geobatch.open_dataset(store)[["t2m"]]
    return geobatch.BatchGenerator(ds, {"lat": 4, "lon": 6}, {"lat": 2}, batch_size=5, shuffle=True, seed=11,
                                   **kwargs)


def expected_rank(store, epoch: int, rank: int, ranks: int, workers: int) -> list:
    """What one rank's DataLoader yields: its workers' shards, taken in turn."""
    per_worker = []
    for worker in range(workers):
        gen = generator(store, shard=(rank * workers + worker, ranks * workers))
        gen.set_epoch(epoch)
        per_worker.append([b.coords["origin"][1].tolist() for b in gen])
    turns = itertools.zip_longest(*per_worker)
    return [batch for turn in turns for batch in turn if batch is not None]


def loader(dataset, workers: int = 2):
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["torch", "geobatch.torch"])
    return torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=workers, multiprocessing_context=context)


def flat(batches) -> list:
    return [tuple(o) for batch in batches for o in batch]


def test_dataloader_workers(weather_store):
    everything = sorted(flat(b.coords["origin"][1].tolist() for b in generator(weather_store, shard=None)))
    dataset = BatchDataset(generator(weather_store), include_coords=True)
    data = loader(dataset)
    epochs = []
    for epoch in range(2):
        dataset.set_epoch(epoch)
        epochs.append([batch["coords"]["origin"].tolist() for batch in data])
        assert sorted(flat(epochs[-1])) == everything
        assert epochs[-1] == expected_rank(weather_store, epoch, 0, 1, 2)
    assert epochs[0] != epochs[1]
    batch = next(iter(data))
    assert isinstance(batch["t2m"], torch.Tensor) and batch["t2m"].shape == (5, 4, 6)
    # Without set_epoch, each pass of the loader takes a new order.
    auto = BatchDataset(generator(weather_store), include_coords=True)
    passes = [[b["coords"]["origin"].tolist() for b in loader(auto)] for _ in range(2)]
    assert sorted(flat(passes[0])) == sorted(flat(passes[1])) == everything and passes[0] != passes[1]


def test_in_process_loader_moves_to_next_epoch(weather_store):
    data = torch.utils.data.DataLoader(BatchDataset(generator(weather_store)), batch_size=None)
    first, second = [b["t2m"].clone() for b in data], [b["t2m"].clone() for b in data]
    assert len(first) == len(second) and not all(torch.equal(a, b) for a, b in zip(first, second))


def test_torchrun_two_ranks_with_workers(weather_store, tmp_path):
    out = tmp_path / "ranks.json"
    torchrun = Path(sys.executable).with_name("torchrun")
    result = subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", "2",
                             str(HERE / "batch_torchrun_worker.py"), weather_store, str(out), "2"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = json.loads(out.read_text())
    everything = sorted(flat(b.coords["origin"][1].tolist() for b in generator(weather_store, shard=None)))
    for epoch in range(2):
        seen = [flat(rank[epoch]) for rank in ranks]
        assert sorted(seen[0] + seen[1]) == everything and not set(seen[0]) & set(seen[1])
        for rank in range(2):
            assert ranks[rank][epoch] == expected_rank(weather_store, epoch, rank, 2, 2)
    assert ranks[0][0] != ranks[0][1]
    np.testing.assert_equal(len(ranks), 2)


@pytest.mark.parametrize("read_before_fork", [False, True])
def test_forked_workers(weather_store, read_before_fork):
    """Workers started by fork (PyTorch's default) give the same batches as
    forkserver workers, also when the parent already ran native reads (its
    decode threads, which fork does not copy, are alive then)."""
    dataset = BatchDataset(generator(weather_store), include_coords=True)
    if read_before_fork:
        assert len([b for b in dataset]) == len(dataset.generator)
    data = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2, multiprocessing_context="fork",
                                       timeout=120)
    for epoch in range(2):
        dataset.set_epoch(epoch)
        batches = [batch["coords"]["origin"].tolist() for batch in data]
        assert batches == expected_rank(weather_store, epoch, 0, 1, 2)
        values = geobatch.BatchGenerator(geobatch.open_dataset(weather_store)[["t2m"]], {"lat": 4, "lon": 6},
                                         {"lat": 2}, batch_size=5, shuffle=True, seed=11, shard=(0, 2))
        values.set_epoch(epoch)
        first = next(iter(data))["t2m"].numpy()
        np.testing.assert_array_equal(first, next(iter(values))["t2m"])
