"""geobatch: a native engine for Earth-system machine-learning data loading."""

from ._errors import (
    CorruptError,
    Error,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    TransientError,
    UnsupportedError,
)
from .zarr import Array, ChunkCache, Group, open, open_array, open_group
from .dataset import Dataset, Variable, open_dataset
from .batching import Batch, BatchGenerator, NumpyAllocator, PooledAllocator, TorchAllocator

from ._core import get_buffer_pool_bytes, get_num_threads, set_buffer_pool_bytes, set_num_threads as _set_num_threads

__version__ = "0.1.0"


def set_num_threads(n: int) -> None:
    """Threads decoding and copying in this process (default: one per core;
    ``get_num_threads()`` tells the current count)."""
    if int(n) < 1:
        raise InvalidArgumentError(f"set_num_threads needs a positive count, got {n}")
    _set_num_threads(int(n))


__all__ = [
    "set_num_threads", "get_num_threads", "set_buffer_pool_bytes", "get_buffer_pool_bytes",
    "Array", "ChunkCache", "Group", "open", "open_array", "open_group",
    "Dataset", "Variable", "open_dataset", "Batch", "BatchGenerator", "NumpyAllocator", "PooledAllocator",
    "TorchAllocator",
    "Error", "CorruptError", "InternalError", "InvalidArgumentError", "NotFoundError",
    "PermissionDeniedError", "TransientError", "UnsupportedError",
]
