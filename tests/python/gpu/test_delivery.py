"""Batches on the GPU equal the CPU batches bit for bit: copies, pinned
staging and its recycling, transforms with NumPy's arithmetic, DLPack export
to PyTorch and CuPy with stream semantics."""

from __future__ import annotations

import numpy as np
import pytest

import geobatch
import geobatch.gpu as gbgpu
from geobatch.batching.transforms import Transforms
from conftest import requires_gpu

pytestmark = requires_gpu


def host_of(device_array) -> np.ndarray:
    cupy = pytest.importorskip("cupy")
    return cupy.asnumpy(cupy.from_dlpack(device_array))


def test_copies_pinned_and_pageable_arrays():
    data = np.random.default_rng(0).standard_normal((16, 3, 7)).astype(np.float32)
    allocator = gbgpu.PinnedAllocator(slots=2)
    pinned = allocator(data.shape, data.dtype)
    pinned[...] = data
    for source, alloc in ((pinned, allocator), (data, None)):
        out = gbgpu.to_device(source, allocator=alloc)
        assert out.shape == list(data.shape) and out.dtype == "<f4"
        np.testing.assert_array_equal(host_of(out), data)


def test_pinned_buffers_are_recycled_when_released():
    allocator = gbgpu.PinnedAllocator(slots=2, timeout=0.05)
    a = allocator((1000,), np.float64)
    b = allocator((10,), np.uint8)
    with pytest.raises(geobatch.TransientError, match="pinned staging buffers are held"):
        allocator((1,), np.uint8)
    gbgpu.to_device(a, allocator=allocator)
    del a
    c = allocator((1000,), np.float64)  # the slot returns once its copy is done
    assert c.shape == (1000,) and b.shape == (10,)


CASES = [
    # (source dtype, output dtype, normalize, fill_nan)
    (np.float32, None, (0.3, 1 / 0.7), None),
    (np.float32, np.float16, (np.float64(0.3), np.float64(1 / 0.7)), -1.0),
    (np.float64, np.float32, (285.5, 1 / 12.25), 0.0),
    (np.float16, np.float32, (0.25, 3.0), 7.0),
    (np.float32, np.int16, (100.0, 1.0), 0.0),
    (np.int32, np.float32, None, None),
    (np.uint16, np.int8, None, None),
]


@pytest.mark.parametrize("src, out, normalize, fill", CASES)
def test_transforms_equal_the_cpu_transforms(src, out, normalize, fill):
    rng = np.random.default_rng(1)
    raw = (rng.standard_normal((8, 5, 6)) * 50 + 10).astype(src)
    if np.dtype(src).kind == "f":
        raw.flat[::7] = np.nan
    transforms = Transforms({"v": np.dtype(src)}, out, {"v": normalize} if normalize else None,
                            {"v": fill} if fill is not None else None)
    # geobatch's CPU path: transform in the source dtype, then cast.
    expected_work = raw.copy()
    transforms.apply("v", expected_work)
    expected = np.empty(raw.shape, transforms.out_dtype("v"))
    with np.errstate(invalid="ignore"):
        np.copyto(expected, expected_work, casting="unsafe")
    got = gbgpu.to_device(raw, dtype=transforms.out_dtype("v"), normalize=transforms._normalize.get("v"),
                          fill_nan=transforms._fill.get("v"))
    result = host_of(got)
    if expected.dtype.kind in "iu" and np.dtype(src).kind == "f" and fill is None:
        keep = ~np.isnan(expected_work)  # NaN to integer is undefined in NumPy
        np.testing.assert_array_equal(result[keep], expected[keep])
    else:
        assert result.tobytes() == expected.tobytes()


def test_padded_rows_get_the_pad_value_in_the_output_dtype():
    raw = np.arange(24, dtype=np.float32).reshape(4, 6)
    got = host_of(gbgpu.to_device(raw, dtype=np.float16, fill_nan=0.0, valid_rows=3))
    np.testing.assert_array_equal(got[:3], raw[:3].astype(np.float16))
    assert np.isnan(got[3]).all()
    ints = host_of(gbgpu.to_device(raw, dtype=np.int32, valid_rows=2, pad=-9))
    assert (ints[2:] == -9).all()


def test_torch_consumes_on_its_current_stream():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(2).standard_normal((64, 32, 32)).astype(np.float32)
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        tensor = torch.from_dlpack(gbgpu.to_device(data))  # the stream waits for the copy
        total = tensor.sum()
    stream.synchronize()
    assert tensor.is_cuda and tensor.dtype == torch.float32
    np.testing.assert_allclose(total.item(), data.sum(dtype=np.float64), rtol=1e-4)
    np.testing.assert_array_equal(tensor.cpu().numpy(), data)


def test_cupy_consumes_through_dlpack():
    cupy = pytest.importorskip("cupy")
    data = np.arange(1000, dtype=np.int64)
    array = cupy.from_dlpack(gbgpu.to_device(data))
    assert array.dtype == np.int64
    np.testing.assert_array_equal(cupy.asnumpy(array * 2), data * 2)


def test_batch_generator_batches_on_the_gpu_equal_cpu_batches():
    import xarray as xr

    rng = np.random.default_rng(3)
    values = rng.standard_normal((24, 10, 12)).astype(np.float32)
    values[values > 2] = np.nan
    ds = xr.Dataset({"t2m": (("time", "lat", "lon"), values)})
    kwargs = dict(input_dims={"lat": 5, "lon": 6}, batch_size=7, last_batch="pad")
    transforms = dict(dtype=np.float16, normalize={"t2m": (0.1, 1.3)}, fill_nan=0.0)
    cpu = list(geobatch.BatchGenerator(ds, **kwargs, **transforms))
    allocator = gbgpu.PinnedAllocator(slots=8)
    raw = geobatch.BatchGenerator(ds, **kwargs, allocator=allocator)
    spec = Transforms({"t2m": np.dtype(np.float32)}, **transforms)
    for want, batch in zip(cpu, raw):
        got = gbgpu.to_device(batch["t2m"], allocator=allocator, dtype=spec.out_dtype("t2m"),
                              normalize=spec._normalize["t2m"], fill_nan=spec._fill["t2m"], valid_rows=batch.size)
        assert host_of(got).tobytes() == np.asarray(want["t2m"]).tobytes()
