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
from .batching import Batch, BatchGenerator, NumpyAllocator, TorchAllocator

__version__ = "0.1.0"

__all__ = [
    "Array", "ChunkCache", "Group", "open", "open_array", "open_group",
    "Dataset", "Variable", "open_dataset", "Batch", "BatchGenerator", "NumpyAllocator", "TorchAllocator",
    "Error", "CorruptError", "InternalError", "InvalidArgumentError", "NotFoundError",
    "PermissionDeniedError", "TransientError", "UnsupportedError",
]
