"""GPU tests: they run where a CUDA device is usable (scripts/gpu_run.sh on
a GPU machine) and skip elsewhere, except the checks of what a caller gets
when no GPU is there."""

from __future__ import annotations

import pytest

import geobatch.gpu as gbgpu

requires_gpu = pytest.mark.skipif(not gbgpu.is_available(), reason=f"no CUDA device: {gbgpu.unavailable_reason()}")
requires_nvcomp = pytest.mark.skipif(not gbgpu.is_available() or bool(gbgpu.nvcomp_error()),
                                     reason=f"no GPU decoding: {gbgpu.unavailable_reason() or gbgpu.nvcomp_error()}")
