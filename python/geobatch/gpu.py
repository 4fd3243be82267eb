"""GPU delivery of batches: pinned staging buffers, asynchronous copies on
geobatch's own CUDA streams, transforms (cast, normalisation, NaN fill) and
chunk decoding (nvCOMP: zstd, gzip, zlib, lz4) on the GPU, and arrays that
reach PyTorch and CuPy through DLPack with the consumer's stream made to wait
for the data (``torch.from_dlpack(array)``, ``cupy.from_dlpack(array)``).

Everything here raises :class:`~geobatch.UnsupportedError`, saying why, when
no GPU is usable; nothing else in geobatch needs one.

nvCOMP (``pip install nvidia-libnvcomp-cu13``) and cuFile (``pip install
nvidia-cufile``) are loaded at run time when installed; without them chunks
decode on the CPU and files are read through pinned staging.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from . import _core
from ._errors import InvalidArgumentError, UnsupportedError



class _NotBuilt:
    """Stands in for _core.gpu in a module built without the GPU bindings."""

    built_with_cuda = False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def unavailable_reason() -> str:
        return "geobatch was built without CUDA (no GPU bindings in geobatch._core)"


_gpu = getattr(_core, "gpu", _NotBuilt)

__all__ = ["DeviceReader", "PinnedAllocator", "device_count", "device_index", "is_available", "nvcomp_error",
           "cufile_error", "read_file", "to_device", "unavailable_reason"]


def _point_at_wheel(variable: str, package: str, relative: str) -> None:
    """Sets ``variable`` to a library shipped by a pip wheel, unless set."""
    if os.environ.get(variable):
        return
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return
    for root in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(root) / relative
        if candidate.is_file():
            os.environ[variable] = str(candidate)
            return


_point_at_wheel("GEOBATCH_NVCOMP_LIBRARY", "nvidia.libnvcomp", "lib64/libnvcomp.so.6")
_point_at_wheel("GEOBATCH_CUFILE_LIBRARY", "nvidia.cu13", "lib/libcufile.so.0")


def device_count() -> int:
    """Usable CUDA devices (0 without a driver, a device, or a CUDA build)."""
    return _gpu.device_count()


def is_available() -> bool:
    return device_count() > 0


def unavailable_reason() -> str:
    """Why no GPU is usable ("" when one is)."""
    return _gpu.unavailable_reason()


def device_index(device: Any = "cuda") -> int:
    """The ordinal of ``device`` ("cuda", "cuda:N", an int or a
    ``torch.device``), checked usable: an UnsupportedError says why not."""
    if not _gpu.built_with_cuda:
        raise UnsupportedError(f"{device!r} asked for, but {_gpu.unavailable_reason()}")
    if isinstance(device, (int, np.integer)):
        ordinal = int(device)
    else:
        text = str(device)
        ordinal = _gpu.parse_device(text)
    _gpu.require_device(ordinal)
    return ordinal


def nvcomp_error() -> str:
    """Why chunks cannot decode on the GPU ("" when nvCOMP is loaded)."""
    return _gpu.nvcomp_error() if _gpu.built_with_cuda else _gpu.unavailable_reason()


def cufile_error() -> str:
    """Why files are read through pinned staging ("" when cuFile is loaded)."""
    return _gpu.cufile_error() if _gpu.built_with_cuda else _gpu.unavailable_reason()


class PinnedAllocator:
    """``allocator(shape, dtype)`` for :class:`~geobatch.BatchGenerator`:
    numpy arrays in a ring of ``slots`` pinned (page-locked) host buffers, so
    that :func:`to_device` copies them by DMA while the next batch decodes.
    A buffer returns to the ring when every view of it is gone and its copy
    has finished; when all are held, the next call waits (``timeout``
    seconds, then raises TransientError)."""

    def __init__(self, device: Any = "cuda", slots: int = 8, timeout: float = 60.0):
        self.device = device_index(device)
        if not isinstance(slots, (int, np.integer)) or slots < 1:
            raise InvalidArgumentError(f"slots must be a positive integer, got {slots!r}")
        self.ring = _gpu.PinnedRing(self.device, int(slots))
        self.timeout = float(timeout)

    def __call__(self, shape, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        shape = tuple(int(n) for n in shape)
        nbytes = math.prod(shape) * dtype.itemsize
        return self.ring.acquire(nbytes, self.timeout).view(dtype).reshape(shape)


def _operation_dtype(dtype: np.dtype, scalar) -> np.dtype:
    """The dtype NumPy computes ``x op scalar`` in for an array x of ``dtype``."""
    return np.result_type(dtype, scalar)


def to_device(host: np.ndarray, device: Any = "cuda", *, allocator: PinnedAllocator | None = None, dtype=None,
              normalize: tuple | None = None, fill_nan: float | None = None, valid_rows: int | None = None,
              pad: Any = None):
    """Copies ``host`` to the GPU, asynchronously, and returns the device
    array (a DLPack producer). Transforms run on the GPU with NumPy's
    arithmetic, equal bit for bit to geobatch's CPU transforms:
    ``normalize=(mean, inv_std)`` gives ``(x - mean) * inv_std`` in x's dtype,
    ``fill_nan`` replaces NaNs, then the cast to ``dtype``; rows from
    ``valid_rows`` on are set to ``pad`` (in the output dtype) instead.
    ``host`` from a :class:`PinnedAllocator` is copied by DMA; any other
    array is staged by the CUDA driver."""
    host = np.ascontiguousarray(host)
    ordinal = allocator.device if allocator is not None and device == "cuda" else device_index(device)
    src = host.dtype
    dst = np.dtype(dtype) if dtype is not None else src
    params = None
    if normalize is not None:
        if src.kind != "f":
            raise InvalidArgumentError(f"normalize needs floating data, got {src}")
        mean, inv_std = normalize
        sub, mul = _operation_dtype(src, mean), _operation_dtype(src, inv_std)
        params = (float(sub.type(mean)), float(mul.type(inv_std)), sub.str, mul.str)
    fill = float(fill_nan) if fill_nan is not None and src.kind == "f" else None
    row = math.prod(host.shape[1:]) if host.ndim else 1
    valid = None if valid_rows is None else int(valid_rows) * row
    pad_bits = 0
    if valid is not None and valid < host.size:
        value = pad if pad is not None else (np.nan if dst.kind in "fc" else 0)
        padded = np.zeros(8, np.uint8)
        padded[:dst.itemsize] = np.array(value, dtype=dst).reshape(1).view(np.uint8)[:8]
        pad_bits = int(padded.view("<u8")[0])
    ring = allocator.ring if allocator is not None else None
    return _gpu.to_device(host.reshape(-1).view(np.uint8), src.str, dst.str, list(host.shape), ordinal, ring,
                          params, fill, valid, pad_bits)


class DeviceReader:
    """Reads windows of geobatch variables straight into GPU memory:
    ``reader.read(variable, origins, extent)`` returns (N, *extent) on the
    device. ``decode="auto"`` decodes chunks on the GPU where the codec and
    nvCOMP allow (zstd, gzip, zlib, lz4, uncompressed) and on the CPU
    otherwise (blosc, filters); "gpu" insists, "cpu" never tries."""

    def __init__(self, device: Any = "cuda", decode: str = "auto", cache=None):
        from .zarr import ChunkCache

        self.device = device_index(device)
        if decode not in ("auto", "gpu", "cpu"):
            raise InvalidArgumentError(f"decode must be 'auto', 'gpu' or 'cpu', got {decode!r}")
        self.decode = decode
        self.cache = cache if cache is not None else ChunkCache(1 << 30)
        self._readers: dict[int, Any] = {}

    def reader(self, array):
        """The native GPU reader of a geobatch.zarr.Array (kept per array)."""
        key = id(array._native)
        if key not in self._readers:
            self._readers[key] = (_gpu.WindowReader(array._native, self.cache._native, self.device, self.decode),
                                  array)
        return self._readers[key][0]

    def read(self, variable, origins, extent):
        """Windows of a geobatch Variable (or zarr Array) as a device array."""
        origins = np.asarray(origins, dtype=np.int64)
        extent = [int(e) for e in extent]
        if hasattr(variable, "window_mapping"):
            if not variable.decoder.identity:
                raise UnsupportedError(f"variable {variable.name!r} needs CF decoding, which runs on the CPU; "
                                       "read it with read_windows and copy it with to_device")
            origins = origins.reshape(-1, variable.ndim)
            src, src_extent = variable.stored_windows(origins, extent)
            array = variable.array
        else:
            array, src, src_extent = variable, origins.astype(np.uint64), extent
        src = np.ascontiguousarray(src.reshape(len(origins), -1), dtype=np.uint64)
        out = self.reader(array).read(src, src_extent)
        return out.reshaped([len(origins), *extent])


def read_file(path, device: Any = "cuda", offset: int = 0, length: int | None = None, io: str = "auto"):
    """Bytes of a local file as a uint8 device array, through GPUDirect
    Storage where available (``io="gds"`` insists), else pinned staging."""
    ordinal = device_index(device)
    path = os.fspath(path)
    if length is None:
        length = os.path.getsize(path) - int(offset)
    return _gpu.FileReader(ordinal, io).read(path, int(offset), int(length), ordinal)
