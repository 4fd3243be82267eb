"""PyTorch integration: an ``IterableDataset`` of geobatch batches for
``DataLoader(dataset, batch_size=None)``.

Each DataLoader worker of each torch.distributed rank reads its own shard
of every epoch (every unit exactly once across all of them). Call
``set_epoch(n)`` before each epoch (as with ``DistributedSampler``) for a
reproducible order per (seed, epoch); without it, an in-process loader moves
to the next epoch on every pass and worker processes take the DataLoader's
per-epoch base seed (reproducible under ``torch.manual_seed``). Persistent
workers (``persistent_workers=True``) keep the copy of the dataset they
started with, so ``set_epoch`` reaches them only before their first pass;
after it, each pass moves them on by one epoch, which matches calling
``set_epoch`` with consecutive epochs.

Workers may start with any multiprocessing context. Native reads run on
thread pools and HTTP event loops that ``fork`` does not copy, so a worker
started by ``fork`` (PyTorch's default on Linux) opens the data again and
builds its own pools and cache on its first batch, as a worker started with
``"forkserver"`` or ``"spawn"`` does when it unpickles the dataset.
A worker hands each batch to the main process in a shared-memory slot of its
own (``geobatch._handoff``) rather than through PyTorch's pickling, which
makes a fresh shared-memory segment for every tensor: the main process maps a
slot once and every later batch in it costs a copy in the worker and a few
microseconds to unpickle.
In-process loading (``num_workers=0``) is usually fastest: geobatch already
decodes on every core and prefetches on background threads. Workers keep a
full-size decode pool each: sizing each to its share of the cores with
``geobatch.set_num_threads`` measured slower, as a worker waiting on one
decode then has no other to overlap.
"""

from __future__ import annotations

import warnings

import torch
import torch.utils.data

from ._handoff import AVAILABLE as handoff_available
from ._handoff import worker_ring
from .batching.generator import BatchGenerator, current_shard, distributed_rank


class BatchDataset(torch.utils.data.IterableDataset):
    """Yields each batch of ``generator`` as {variable: torch.Tensor}
    (sharing memory with the batch buffers); with ``include_coords``, also
    ``"coords"``: {name: tensor} of per-sample labels (times as int64 ns) and
    window origins. In a DataLoader worker, up to ``handoff_slots`` batches
    at a time travel to the main process in shared-memory slots (0: through
    PyTorch's pickling); a batch the main process keeps holds its slot, and
    batches beyond that many go PyTorch's way."""

    def __init__(self, generator: BatchGenerator, include_coords: bool = False, handoff_slots: int = 8):
        super().__init__()
        self.generator = generator
        self.include_coords = include_coords
        self.handoff_slots = handoff_slots
        self._explicit_epoch = False
        self._rank = None  # (rank, world) of the process that sent this dataset to its workers

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_rank"] = self._rank or distributed_rank()
        return state

    def set_epoch(self, epoch: int) -> None:
        self.generator.set_epoch(epoch)
        self._explicit_epoch = True

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rank = self._rank or distributed_rank()
        if info is not None and self.generator._shard == "auto":
            # A worker's own copy; torch.distributed lives in the process that started it.
            self.generator.set_shard(current_shard(rank))
        if info is not None and not self._explicit_epoch:
            if rank[1] > 1:
                warnings.warn("call set_epoch(epoch) before each epoch: without it, ranks cannot agree on a "
                              "new order and every epoch repeats the same one", stacklevel=2)
            else:
                self.generator.set_epoch(info.seed - info.id)
        handoff = info is not None and self.handoff_slots > 0 and handoff_available
        ring = worker_ring(self.handoff_slots) if handoff else None
        for batch in self.generator:
            if not hasattr(batch, "to_torch"):  # xarray output
                yield batch
                continue
            out = batch.to_torch()
            if self.include_coords:
                out["coords"] = {k: torch.from_dlpack(v.view("i8") if v.dtype.kind == "M" else v)
                                 for k, (_, v) in batch.coords.items()}
            yield out if ring is None else ring.send(out)
