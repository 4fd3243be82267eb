"""Without a usable GPU, asking for one is a clear UnsupportedError and
nothing else changes."""

import numpy as np
import pytest

import geobatch
import geobatch.gpu as gbgpu

pytestmark = pytest.mark.skipif(gbgpu.is_available(), reason="a GPU is usable here")


def test_reports_no_device_and_why():
    assert gbgpu.device_count() == 0
    assert not gbgpu.is_available()
    assert gbgpu.unavailable_reason()


@pytest.mark.parametrize("call", [
    lambda: gbgpu.device_index("cuda"),
    lambda: gbgpu.PinnedAllocator("cuda:0"),
    lambda: gbgpu.to_device(np.zeros(3, np.float32)),
    lambda: gbgpu.DeviceReader("cuda"),
])
def test_asking_for_a_gpu_is_a_clear_error(call):
    with pytest.raises(geobatch.UnsupportedError, match="cuda:0 asked for|built without CUDA"):
        call()


def test_malformed_device_strings_are_invalid():
    if not gbgpu._gpu.built_with_cuda:
        pytest.skip("built without CUDA")
    for bad in ("gpu", "cuda:x", "cuda:-1"):
        with pytest.raises(geobatch.InvalidArgumentError):
            gbgpu.device_index(bad)


def test_cpu_batches_work_unchanged():
    import xarray as xr

    ds = xr.Dataset({"t": (("time", "y"), np.arange(40, dtype=np.float32).reshape(8, 5))})
    batches = list(geobatch.BatchGenerator(ds, input_dims={"time": 2, "y": 5}, batch_size=2))
    assert batches[0]["t"].shape == (2, 2, 5)
