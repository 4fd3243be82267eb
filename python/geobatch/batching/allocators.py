"""Where batch buffers come from. The generator asks its allocator for every
output array, ``allocator(shape, dtype) -> writable C-contiguous ndarray``,
and decodes straight into it; a GPU path backs the same interface with
pinned host memory so that batches can be copied to the device
asynchronously."""

from __future__ import annotations

import math

import numpy as np

from .._core import pooled_bytes


class NumpyAllocator:
    """Ordinary numpy arrays."""

    def __call__(self, shape, dtype) -> np.ndarray:
        return np.empty(shape, dtype)


class PooledAllocator:
    """Arrays on geobatch's recycled buffers (the default): when the last view
    of a batch array (numpy view, torch tensor) is gone its memory goes back
    to the pool, and a later batch reuses it instead of having the kernel
    zero-fill and fault in fresh pages. ``geobatch.set_buffer_pool_bytes``
    bounds the memory kept idle."""

    def __call__(self, shape, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes == 0:
            return np.empty(shape, dtype)
        return pooled_bytes(nbytes).view(dtype).reshape(shape)


class TorchAllocator:
    """Memory owned by torch tensors (pinned with ``pin_memory=True``, which
    needs CUDA), seen as numpy arrays; ``torch.from_numpy`` on a batch array
    then shares the tensor's memory."""

    def __init__(self, pin_memory: bool = False):
        import torch

        if pin_memory and not torch.cuda.is_available():
            from .._errors import UnsupportedError

            raise UnsupportedError("pinned memory needs a CUDA device")
        self.pin_memory = pin_memory

    def __call__(self, shape, dtype) -> np.ndarray:
        import torch

        dtype = np.dtype(dtype)
        tensor = torch.empty(tuple(shape), dtype=torch.from_numpy(np.empty(0, dtype)).dtype,
                             pin_memory=self.pin_memory)
        return tensor.numpy()
