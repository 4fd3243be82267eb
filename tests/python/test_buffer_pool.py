"""Batch arrays on recycled buffers: memory returns to geobatch's pool only
when the last view of it is gone, and is then reused."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import geobatch

torch = pytest.importorskip("torch")

SHAPE, DTYPE = (32, 3, 48, 48), "float32"  # 884 KB: pooled


def address(a) -> int:
    return a.__array_interface__["data"][0]


@pytest.fixture
def pool():
    before = geobatch.get_buffer_pool_bytes()
    geobatch.set_buffer_pool_bytes(64 << 20)
    yield geobatch.PooledAllocator()
    geobatch.set_buffer_pool_bytes(before)


def test_a_freed_batch_buffer_is_reused(pool):
    first = pool(SHAPE, DTYPE)
    where = address(first)
    assert first.shape == SHAPE and first.dtype == np.float32 and first.flags.c_contiguous and first.flags.writeable
    del first
    gc.collect()
    assert address(pool(SHAPE, DTYPE)) == where


@pytest.mark.parametrize("keep", ["slice", "reshaped", "tensor", "transposed"])
def test_memory_seen_by_any_view_is_not_handed_out_again(pool, keep):
    batch = pool(SHAPE, DTYPE)
    batch[...] = 7.0
    where = address(batch)
    held = {"slice": lambda b: b[3:5], "reshaped": lambda b: b.reshape(-1)[10:],
            "tensor": lambda b: torch.from_numpy(b), "transposed": lambda b: b.T}[keep](batch)
    del batch
    gc.collect()
    others = [pool(SHAPE, DTYPE) for _ in range(3)]
    for other in others:
        assert address(other) != where
        other[...] = -1.0
    values = held.numpy() if keep == "tensor" else held
    assert (values == 7.0).all(), "a view's memory was overwritten by a later batch"
    del held, values
    gc.collect()
    assert where in {address(pool(SHAPE, DTYPE)) for _ in range(4)}


def test_pool_budget_is_settable_and_zero_turns_reuse_off(pool):
    geobatch.set_buffer_pool_bytes(0)
    assert geobatch.get_buffer_pool_bytes() == 0
    a = pool(SHAPE, DTYPE)
    a[...] = 1
    del a
    gc.collect()
    b = pool(SHAPE, DTYPE)
    b[...] = 2  # fresh or not, it must be usable
    assert (b == 2).all()


@pytest.mark.parametrize("shape,dtype", [((0, 3), "f4"), ((5,), "u1"), ((2, 3), "complex128"), ((1000, 70), "f8")])
def test_every_shape_and_dtype(pool, shape, dtype):
    a = pool(shape, dtype)
    assert a.shape == shape and a.dtype == np.dtype(dtype)
    a[...] = 1
    assert a.sum() == np.prod(shape)
