"""``geobatch.BatchGenerator``: xbatcher's batches, or fixed-size batches of
samples, read natively with shuffling, sharding, prefetching and transforms.

Two modes:

- **xbatcher mode** (``batch_size=None``): the batches of
  ``xbatcher.BatchGenerator`` with the same parameters, in the same order
  (unless shuffled or sharded), each identical to xbatcher's as xarray.
- **sample mode** (``batch_size=N``): a sample is one window (``input_dims``
  along the input dims, a single element along the others); batches hold
  ``N`` samples, arrays shaped (N, *window).

In both, ``shuffle`` gives each epoch its own order (blocks of chunks in a
random order, units within a block in a random order: see ``order.py``),
shards (torch.distributed ranks x DataLoader workers, found automatically)
split every epoch so that each unit is visited once, and batches are built
ahead on background threads through a shared decoded-chunk cache.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any, Iterator

import numpy as np

from .._errors import InvalidArgumentError, NotFoundError
from ..dataset import Dataset
from ..zarr import ChunkCache
from .allocators import PooledAllocator
from .assemble import xbatcher_batch
from .batch import Batch
from .order import (BlockDim, EpochOrder, block_bounds, block_groups, group_footprint, random_positions,
                    shard_range)
from .prefetch import run_ahead
from .samples import SampleReader, SampleSpace
from .schema import Schema
from .source import Source, from_geobatch, from_xarray
from .transforms import Transforms

OUTPUTS = ("numpy", "torch", "xarray")
# Batches read in one native call (sample mode) fill up to GROUP_BYTES: a
# shuffled block's batches then share each chunk's decode and its copies.
GROUP_BYTES = 32 << 20
MAX_GROUP_BATCHES = 16
# Groups of shuffled blocks the chunk cache holds (the one being read, the one
# before it), when that is more than the blocks read at once reach.
WORKING_GROUPS = 2
LAST_BATCH = ("keep", "drop", "pad")


def _describe(ds) -> tuple[dict, dict]:
    """Sizes and {data variable: dtype}, from metadata only."""
    if isinstance(ds, Dataset):
        return ds.sizes, {k: v.dtype for k, v in ds.data_vars.items()}
    if hasattr(ds, "data_vars"):
        return dict(ds.sizes), {k: v.dtype for k, v in ds.data_vars.items()}
    if hasattr(ds, "variable"):
        return dict(ds.sizes), {"<this-array>": ds.dtype}
    raise InvalidArgumentError(f"expected a geobatch or xarray Dataset or an xarray DataArray, got {type(ds).__name__}")


def _subset(ds, variables):
    if variables is None:
        return ds
    names = [variables] if isinstance(variables, str) else list(variables)
    if not hasattr(ds, "data_vars"):
        raise InvalidArgumentError("variables applies to Datasets, not DataArrays")
    unknown = [n for n in names if n not in ds.data_vars]
    if unknown or not names:
        raise NotFoundError(f"no data variables named {unknown or names}; data variables: {list(ds.data_vars)}")
    return ds[names]


def distributed_rank() -> tuple[int, int]:
    """(rank, world size) of torch.distributed in this process, else (0, 1)."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def current_shard(rank: tuple[int, int] | None = None) -> tuple[int, int]:
    """(shard, shards) from the torch.distributed ``rank`` (rank, world) —
    this process's by default — and the DataLoader worker info."""
    torch = sys.modules.get("torch")
    if torch is None:
        return 0, 1
    rank, world = rank or distributed_rank()
    info = torch.utils.data.get_worker_info()
    worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
    return rank * workers + worker, world * workers


class BatchGenerator:
    """Batches of a geobatch :class:`~geobatch.Dataset` or of an xarray
    Dataset/DataArray.

    xbatcher's parameters (``input_dims``, ``input_overlap``, ``batch_dims``,
    ``concat_input_dims``, ``preload_batch``) keep xbatcher's meaning.
    Beyond them:

    batch_size: samples per batch (sample mode); None for xbatcher's batches.
    variables: data variables to read (default all).
    shuffle, seed, block_chunks: per-epoch shuffled order, in blocks of
        ``block_chunks`` chunks per dim; ``set_epoch(n)`` picks the epoch,
        otherwise each iteration moves to the next one.
    sampling: "grid" (the window grid) or "random" (uniformly drawn window
        origins, ``samples_per_epoch`` of them).
    last_batch: "keep" (a smaller last batch), "drop", or "pad" (filled
        with ``pad_value``: NaN for floats, 0 otherwise; ``batch.size`` real).
    max_nan_fraction: skip samples whose NaN fraction (all variables
        together) is above this.
    shard: "auto" (torch.distributed rank x DataLoader worker), None/(0, 1)
        for everything, or (index, count); ``even_shards`` gives every shard
        the same number of units (dropping the remainder).
    prefetch, threads: batches built ahead, and threads building them.
        Sample mode reads consecutive batches in groups (``group_batches``:
        as many as fit in 32 MiB, at most 16; the first batch alone), in
        one native call and one buffer per variable, each batch a view of
        it: a shuffled block's batches then share each decoded chunk, whose
        windows for all of them are copied right after it is decoded, while
        it is still in the CPU's cache (measured 1.23x the samples/s of one
        batch per call, with 20% less CPU per batch, on the benchmark task).
        By default (None) two groups are built ahead (prefetch is rounded up
        to whole groups) by two threads.
        (xbatcher-mode batches of in-memory xarray data are built inline:
        they are xarray selections, made under the GIL in well under a
        millisecond, so threads would only add hand-offs).
    cache_bytes: budget of the decoded-chunk cache.
    dtype, normalize, fill_nan: transforms (see :class:`Transforms`).
    output: "numpy" (:class:`Batch`), "torch" (Batch of tensors) or "xarray".
    allocator: ``allocator(shape, dtype)`` for batch buffers (in sample
        mode, one per variable for each group of batches).
    progress: show a tqdm progress bar.
    """

    def __init__(self, ds, input_dims, input_overlap=None, batch_dims=None, concat_input_dims: bool = False,
                 preload_batch: bool = True, *, batch_size: int | None = None, variables=None,
                 shuffle: bool = False, seed: int = 0, block_chunks: int = 2, sampling: str = "grid",
                 samples_per_epoch: int | None = None, last_batch: str = "keep", pad_value: Any = None,
                 max_nan_fraction: float | None = None, shard: Any = "auto", even_shards: bool = False,
                 prefetch: int | None = None, threads: int | None = None, cache_bytes: int = 1 << 30, dtype=None,
                 normalize=None, fill_nan=None, output: str = "numpy", allocator=None, progress: bool = False):
        self._args = (ds, input_dims, input_overlap, batch_dims, concat_input_dims, preload_batch)
        self._kwargs = dict(batch_size=batch_size, variables=variables, shuffle=shuffle, seed=seed,
                            block_chunks=block_chunks, sampling=sampling, samples_per_epoch=samples_per_epoch,
                            last_batch=last_batch, pad_value=pad_value, max_nan_fraction=max_nan_fraction,
                            shard=shard, even_shards=even_shards, prefetch=prefetch, threads=threads,
                            cache_bytes=cache_bytes, dtype=dtype, normalize=normalize, fill_nan=fill_nan,
                            output=output, allocator=allocator, progress=progress)
        self._setup(*self._args, **self._kwargs)

    def _setup(self, ds, input_dims, input_overlap, batch_dims, concat_input_dims, preload_batch, *, batch_size,
               variables, shuffle, seed, block_chunks, sampling, samples_per_epoch, last_batch, pad_value,
               max_nan_fraction, shard, even_shards, prefetch, threads, cache_bytes, dtype, normalize, fill_nan,
               output, allocator, progress):
        # Everything is checked before any data is read.
        self.ds = ds = _subset(ds, variables)
        sizes, dtypes = _describe(ds)
        self.preload_batch = preload_batch
        if output not in OUTPUTS:
            raise InvalidArgumentError(f"output must be one of {OUTPUTS}, got {output!r}")
        if last_batch not in LAST_BATCH:
            raise InvalidArgumentError(f"last_batch must be one of {LAST_BATCH}, got {last_batch!r}")
        if sampling not in ("grid", "random"):
            raise InvalidArgumentError(f"sampling must be 'grid' or 'random', got {sampling!r}")
        if max_nan_fraction is not None and not 0 <= max_nan_fraction <= 1:
            raise InvalidArgumentError(f"max_nan_fraction must be within [0, 1], got {max_nan_fraction}")
        for name, value in (("prefetch", 2 if prefetch is None else prefetch), ("threads", threads or 0),
                            ("block_chunks", block_chunks - 1)):
            if not isinstance(value, (int, np.integer)) or value < 0:
                raise InvalidArgumentError(f"{name} must be a non-negative integer")
        self._schema = Schema(sizes, input_dims, input_overlap, batch_dims, concat_input_dims)
        if batch_size is not None:
            if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
                raise InvalidArgumentError(f"batch_size must be a positive integer, got {batch_size!r}")
            if self._schema.batch_dims:
                raise InvalidArgumentError("batch_dims and batch_size are exclusive: with batch_size, every "
                                           "window is a sample and batches hold batch_size of them")
        elif sampling == "random" or max_nan_fraction is not None or last_batch != "keep":
            raise InvalidArgumentError("sampling, max_nan_fraction and last_batch need batch_size")
        if samples_per_epoch is not None and (sampling != "random" or samples_per_epoch < 1):
            raise InvalidArgumentError("samples_per_epoch applies to sampling='random' and must be positive")
        self.set_shard(shard)
        self._transforms = Transforms(dtypes, dtype, normalize, fill_nan)
        self.batch_size, self.shuffle, self.seed = batch_size, bool(shuffle), int(seed)
        self._block_chunks, self._sampling, self._samples_per_epoch = int(block_chunks), sampling, samples_per_epoch
        self._last_batch, self._max_nan = last_batch, max_nan_fraction
        self._even = bool(even_shards)
        self.output, self.progress = output, progress
        self._epoch = 0
        self._pid = os.getpid()  # the process whose native reader this generator holds
        self._cache_bytes = int(cache_bytes)
        self.cache = ChunkCache(cache_bytes)
        self._source: Source = from_geobatch(ds, self.cache) if isinstance(ds, Dataset) else from_xarray(ds, self.cache)
        self._allocator = allocator
        self.group_batches = 1
        if batch_size is not None:
            self._space = SampleSpace(self._source, self._schema.input_dims, self._schema.input_overlap)
            self.group_batches = self._auto_group()
            if allocator is None:  # room to recycle two groups' buffers, out of the chunks' way
                self._allocator = PooledAllocator(idle_bytes=2 * self.group_batches * self._batch_bytes())
            self._reader = SampleReader(self._source, self._space, self._transforms, self._allocator, batch_size,
                                        pad_value)
        self.prefetch = self._auto_prefetch() if prefetch is None else int(prefetch)
        self.threads = 2 if threads is None else int(threads)

    def _batch_bytes(self) -> int:
        sample_bytes = sum(math.prod(self._space.window.get(d, 1) for d in var.dims)
                           * self._transforms.out_dtype(name).itemsize
                           for name, var in self._source.data_vars.items())
        return max(1, sample_bytes * self.batch_size)

    def _auto_group(self) -> int:
        """Batches read together (sample mode): as many as fit in GROUP_BYTES,
        up to MAX_GROUP_BATCHES."""
        return int(np.clip(GROUP_BYTES // self._batch_bytes(), 1, MAX_GROUP_BATCHES))

    def _auto_prefetch(self) -> int:
        """Batches ahead: two groups (sample mode); 2 for xbatcher-mode batches."""
        return 2 * self.group_batches if self.batch_size is not None else 2

    # ---- xbatcher's attributes ----
    input_dims = property(lambda self: self._schema.input_dims)
    input_overlap = property(lambda self: self._schema.input_overlap)
    batch_dims = property(lambda self: self._schema.batch_dims)
    concat_input_dims = property(lambda self: self._schema.concat_input_dims)

    # ---- epochs, shards, sizes ----
    def set_epoch(self, epoch: int) -> None:
        """The epoch the next iteration runs (it then moves on by one)."""
        self._epoch = int(epoch)

    @property
    def epoch(self) -> int:
        return self._epoch

    def set_shard(self, shard) -> None:
        """"auto", None (everything) or (index, count), as in the constructor."""
        if shard not in ("auto", None) and not (isinstance(shard, tuple) and len(shard) == 2
                                                and 0 <= shard[0] < shard[1]):
            raise InvalidArgumentError(f"shard must be 'auto', None or (index, count), got {shard!r}")
        self._shard = shard

    def shard(self) -> tuple[int, int]:
        """(index, count) of the shard the next iteration reads."""
        if self._shard == "auto":
            return current_shard()
        return self._shard or (0, 1)

    def _units_per_epoch(self) -> int:
        if self.batch_size is None:
            return len(self._schema)
        if self._sampling == "random":
            return self._samples_per_epoch or len(self._space)
        return len(self._space)

    def __len__(self) -> int:
        """Batches this shard yields per epoch."""
        if self._max_nan is not None:
            raise TypeError("the number of batches is unknown when max_nan_fraction skips samples")
        start, stop = shard_range(self._units_per_epoch(), *self.shard(), self._even)
        if self.batch_size is None:
            return stop - start
        whole, rest = divmod(stop - start, self.batch_size)
        return whole + (rest > 0 and self._last_batch != "drop")

    # ---- iteration ----
    def __iter__(self) -> Iterator:
        if self._source.native and os.getpid() != self._pid:
            self._reopen_after_fork()
        epoch = self._epoch
        self._epoch += 1
        start, stop = shard_range(self._units_per_epoch(), *self.shard(), self._even)
        if self.batch_size is None:
            tasks = self._xbatcher_tasks(epoch, start, stop)
        else:
            tasks = self._sample_tasks(epoch, start, stop)
        if self.batch_size is None:
            # Batches of in-memory data are xarray selections under the GIL: threads only add hand-offs.
            batches = run_ahead(tasks, 0 if self._source.in_memory else self.prefetch, self.threads)
        else:
            groups = run_ahead(tasks, -(-self.prefetch // self.group_batches), self.threads)
            batches = (batch for group in groups for batch in group)
        if self._max_nan is not None:
            batches = self._repack(batches)
        batches = map(self._convert, batches)
        if self.progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, total=None if self._max_nan is not None else len(self))
        yield from batches

    def __getitem__(self, index: int):
        """xbatcher mode: batch ``index`` of the unshuffled, unsharded order."""
        if self.batch_size is not None:
            raise TypeError("indexing needs xbatcher mode (batch_size=None)")
        if not isinstance(index, (int, np.integer)):
            raise NotImplementedError(f"{type(self).__name__}.__getitem__ currently requires a single integer key")
        n = len(self._schema)
        if not -n <= index < n:
            raise IndexError("list index out of range")
        grid = np.unravel_index(int(index) % n, self._schema.grid)
        return self._convert(self._xbatcher(tuple(int(g) for g in grid)))

    def _order(self, counts: list[int], steps: list[int], extents: list[int], dims: list[str],
               epoch: int) -> EpochOrder:
        """The epoch's order; shuffled in blocks of about ``block_chunks``
        chunks per dim, grouped to fit in half the chunk cache. A unit starts
        every ``steps`` elements and covers ``extents`` of them."""
        if not self.shuffle:
            return EpochOrder(tuple(counts), None, self.seed, epoch)
        chunk, size = {}, self._source.sizes
        for var in sorted(self._source.data_vars.values(), key=lambda v: v.nbytes):
            chunk.update(zip(var.dims, var.chunks or var.shape))
        bounds = [block_bounds(count, step, chunk.get(dim, step) * self._block_chunks)
                  for count, step, dim in zip(counts, steps, dims)]
        grid = [BlockDim(len(b) - 1, int(b[1] - b[0]), int(step), int(extent), max(1, chunk.get(dim, extent)),
                         size.get(dim, extent))
                for b, step, extent, dim in zip(bounds, steps, extents, dims)]
        chunk_bytes = sum(math.prod(v.chunks or v.shape) * v.dtype.itemsize for v in self._source.data_vars.values())
        group = block_groups(grid, chunk_bytes, self._cache_bytes // 2)
        self._fit_cache(grid, chunk_bytes, group)
        return EpochOrder(tuple(counts), bounds, self.seed, epoch, group)

    def _fit_cache(self, grid: list[BlockDim], chunk_bytes: int, group: tuple[int, ...]) -> None:
        """Shuffled, the cache needs to hold WORKING_GROUPS groups of blocks
        (the one being read and the one before it, whose edge chunks its
        windows may share) and every block the batches read at once reach
        into; a larger budget only fills with chunks that no later batch of
        the epoch needs (fresh pages and memory for nothing). So that is the
        budget in use, unless all the data fits in ``cache_bytes`` (then later
        epochs decode nothing)."""
        if sum(v.nbytes for v in self._source.data_vars.values()) <= self._cache_bytes:
            working = self._cache_bytes
        else:
            blocks_at_once = -(-self._units_in_flight() // math.prod(dim.units for dim in grid)) + 1
            working = max(WORKING_GROUPS * group_footprint(grid, chunk_bytes, group),
                          blocks_at_once * group_footprint(grid, chunk_bytes, (1,) * len(grid)))
        self.cache.max_bytes = min(self._cache_bytes, working)

    def _units_in_flight(self) -> int:
        """Units read at once: the reads run ahead and the one being handed out."""
        if self.batch_size is None:
            return self.prefetch + 1
        groups = -(-self.prefetch // self.group_batches) + 1
        return groups * self.group_batches * self.batch_size

    def _xbatcher_tasks(self, epoch: int, start: int, stop: int):
        sliced = self._schema.sliced
        steps = [d.per_batch * d.stride for d in sliced]
        extents = [(d.per_batch - 1) * d.stride + d.length for d in sliced]
        order = self._order(list(self._schema.grid), steps, extents, [d.name for d in sliced], epoch)
        for a in range(start, stop, 256):
            for unit in order.units(a, min(stop, a + 256)):
                yield lambda unit=tuple(int(u) for u in unit): self._xbatcher(unit)

    def _xbatcher(self, unit: tuple):
        """The batch at grid position ``unit``: the xarray object itself for
        output="xarray" (``_convert`` passes it on), else a :class:`Batch`."""
        obj = xbatcher_batch(self._source, self._schema, self._schema.patch_starts(unit))
        if self.output == "xarray":
            return obj
        if hasattr(obj, "data_vars"):
            data = {k: v.values for k, v in obj.data_vars.items()}
            dims = {k: v.dims for k, v in obj.data_vars.items()}
        else:
            data, dims = {obj.name: obj.values}, {obj.name: obj.dims}
        return Batch(data, dims, attrs=dict(obj.attrs), xarray=obj)

    def _sample_tasks(self, epoch: int, start: int, stop: int):
        """Tasks that each read a group of consecutive batches (the first
        alone, for a quick first batch) and return [(batch, NaN fraction)]."""
        space, size = self._space, self.batch_size
        filtering = self._max_nan is not None
        if self._sampling == "grid":
            order = self._order(list(space.counts), list(space.stride), [space.window.get(d, 1) for d in space.dims],
                                space.dims, epoch)
        if self._last_batch == "drop" and not filtering:
            stop = start + (stop - start) // size * size
        pad = self._last_batch == "pad" and not filtering
        a, group = start, 1
        while a < stop:
            b = min(stop, a + group * size)
            if self._sampling == "grid":
                origins = order.units(a, b) * space.stride
            else:
                origins = random_positions(np.arange(a, b), tuple(space.limits), self.seed, epoch)
            batches = [origins[i:i + size] for i in range(0, b - a, size)]
            yield lambda batches=batches: self._reader.read(batches, pad, filtering)
            a, group = b, self.group_batches

    def _repack(self, candidates) -> Iterator[Batch]:
        """Batches of ``batch_size`` samples out of the candidates that pass
        the NaN threshold."""
        size, current, filled = self.batch_size, None, 0
        for batch, fraction in candidates:
            keep = np.flatnonzero(fraction <= self._max_nan)
            while len(keep):
                if current is None:
                    current, filled = self._empty_like(batch), 0
                take = keep[:size - filled]
                keep = keep[len(take):]
                for name in batch:
                    current[name][filled:filled + len(take)] = batch[name][take]
                for name, (_, labels) in batch.coords.items():
                    current.coords[name][1][filled:filled + len(take)] = labels[take]
                filled += len(take)
                if filled == size:
                    yield current
                    current = None
        if current is not None and self._last_batch != "drop":
            if self._last_batch == "keep":
                current = Batch({k: v[:filled] for k, v in current.items()}, current.dims,
                                {k: (d, v[:filled]) for k, (d, v) in current.coords.items()},
                                attrs=current.attrs)
            else:
                for name in current:
                    current[name][filled:] = self._reader._pad(current[name].dtype)
                current.size = filled
            yield current

    def _empty_like(self, batch: Batch) -> Batch:
        size = self.batch_size
        data = {k: self._allocator((size, *v.shape[1:]), v.dtype) for k, v in batch.items()}
        coords = {k: (d, np.zeros((size, *v.shape[1:]), v.dtype)) for k, (d, v) in batch.coords.items()}
        return Batch(data, batch.dims, coords, size=size, attrs=batch.attrs)

    def _convert(self, item):
        batch = item[0] if isinstance(item, tuple) else item
        if self.output == "xarray":
            return batch.to_xarray() if isinstance(batch, Batch) else batch
        if self.output == "torch":
            return Batch(batch.to_torch(), batch.dims, batch.coords, batch.size, batch.attrs, batch._xarray)
        return batch

    def _reopen_after_fork(self) -> None:
        """In a forked child (a DataLoader worker started with "fork"), the
        parent's stores and cache cannot be used: their loads ran on threads
        fork did not copy. Open the data again and start a new cache, as
        unpickling a copy would, keeping the epoch and shard."""
        ds = self._args[0]
        if isinstance(ds, Dataset):
            ds = ds.reopened()
        epoch, shard = self._epoch, self._shard
        self._args = (ds, *self._args[1:])
        self._setup(*self._args, **self._kwargs)
        self._epoch, self._shard = epoch, shard

    # ---- pickling (DataLoader workers): rebuilt from the arguments ----
    def __getstate__(self):
        return {"args": self._args, "kwargs": self._kwargs, "epoch": self._epoch}

    def __setstate__(self, state):
        self._args, self._kwargs = state["args"], state["kwargs"]
        self._setup(*self._args, **self._kwargs)
        self._epoch = state["epoch"]
