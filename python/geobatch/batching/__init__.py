"""Batch generation: xbatcher's semantics (and fixed-size sample batches)
at native speed, with shuffling, sharding, prefetching and transforms."""

from .allocators import NumpyAllocator, PooledAllocator, TorchAllocator
from .batch import Batch
from .generator import BatchGenerator

__all__ = ["Batch", "BatchGenerator", "NumpyAllocator", "PooledAllocator", "TorchAllocator"]
