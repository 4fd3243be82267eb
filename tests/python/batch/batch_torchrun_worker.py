"""Run by test_batch_torch.py under ``torchrun --nproc_per_node 2`` (gloo):
each rank iterates two epochs of a shuffled BatchDataset through a
DataLoader with worker processes and rank 0 writes every rank's sequence of
window origins to a JSON file."""

import json
import multiprocessing
import sys

import torch
import torch.distributed as dist

import geobatch
from geobatch.torch import BatchDataset


def main(store: str, out: str, workers: int) -> None:
    dist.init_process_group("gloo")
    dataset = BatchDataset(geobatch.BatchGenerator(geobatch.open_dataset(store)[["t2m"]], {"lat": 4, "lon": 6},
                                                   {"lat": 2}, batch_size=5, shuffle=True, seed=11),
                           include_coords=True)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["torch", "geobatch.torch"])
    loader = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=workers,
                                         multiprocessing_context=context)
    epochs = []
    for epoch in range(2):
        dataset.set_epoch(epoch)
        epochs.append([batch["coords"]["origin"].tolist() for batch in loader])
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, epochs)
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump(gathered, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
