"""Where batch buffers come from. The generator asks its allocator for every
output array, ``allocator(shape, dtype) -> writable C-contiguous ndarray``,
and decodes straight into it; a GPU path backs the same interface with
pinned host memory so that batches can be copied to the device
asynchronously."""

from __future__ import annotations

import math

import numpy as np

from .._core import BufferPool, pooled_bytes


class NumpyAllocator:
    """Ordinary numpy arrays."""

    def __call__(self, shape, dtype) -> np.ndarray:
        return np.empty(shape, dtype)


class PooledAllocator:
    """Arrays on geobatch's recycled buffers (the default): when the last view
    of a batch array (numpy view, torch tensor) is gone its memory goes back
    to the pool, and a later batch reuses it instead of having the kernel
    zero-fill and fault in fresh pages. By default the process-wide pool
    (``geobatch.set_buffer_pool_bytes`` bounds the memory it keeps idle);
    with ``idle_bytes``, a pool of this allocator's own that keeps up to that
    many bytes idle — the batch generator gives its allocator room for two
    groups of batches, so that its buffers are not pushed out of the shared
    pool by anything else."""

    def __init__(self, idle_bytes: int | None = None):
        self.idle_bytes = idle_bytes
        self._pool = None if idle_bytes is None else BufferPool(int(idle_bytes))

    def __call__(self, shape, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes == 0:
            return np.empty(shape, dtype)
        raw = pooled_bytes(nbytes) if self._pool is None else self._pool.take(nbytes)
        return raw.view(dtype).reshape(shape)

    def __getstate__(self):
        return {"idle_bytes": self.idle_bytes}

    def __setstate__(self, state):
        self.__init__(state["idle_bytes"])


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
