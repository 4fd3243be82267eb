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


def test_an_allocator_with_its_own_pool_recycles_outside_the_shared_one():
    """PooledAllocator(idle_bytes) keeps its freed buffers in a pool of its own:
    reused even when the process-wide pool keeps nothing, and pickled with its budget."""
    import pickle

    before = geobatch.get_buffer_pool_bytes()
    geobatch.set_buffer_pool_bytes(0)
    try:
        own = geobatch.PooledAllocator(idle_bytes=8 << 20)
        first = own(SHAPE, DTYPE)
        where = address(first)
        del first
        gc.collect()
        assert address(own(SHAPE, DTYPE)) == where
        clone = pickle.loads(pickle.dumps(own))
        assert clone.idle_bytes == 8 << 20 and clone(SHAPE, DTYPE).shape == SHAPE
    finally:
        geobatch.set_buffer_pool_bytes(before)


def test_chunk_cache_keeps_evicted_chunk_buffers_for_the_next_decodes(tmp_path):
    """Decoded chunks live on the cache's own pool: evicting them keeps their
    buffers (up to a quarter of the budget) for the next decodes."""
    import zarr

    big = zarr.open_array(str(tmp_path / "big.zarr"), mode="w", shape=(64, 4096), chunks=(8, 4096), dtype="f8",
                          fill_value=-1.0)
    big[:32] = np.arange(32 * 4096, dtype="f8").reshape(32, 4096)  # chunks 0-3 of 256 KiB; 4-7 never written
    a = geobatch.open_array(str(tmp_path / "big.zarr"))
    chunk_bytes = 8 * 4096 * 8
    cache = geobatch.ChunkCache(max_bytes=4 * chunk_bytes)
    written = a.read_windows(np.array([[i, 0] for i in range(0, 32, 8)], np.uint64), [8, 4096], cache=cache)
    np.testing.assert_array_equal(written.reshape(32, 4096), big[:32])
    assert cache.stats()["idle_bytes"] == 0
    # Four absent chunks (no buffers) evict the four decoded ones: a quarter of the budget is kept.
    absent = a.read_windows(np.array([[i, 0] for i in range(32, 64, 8)], np.uint64), [8, 4096], cache=cache)
    assert (absent == -1.0).all()
    stats = cache.stats()
    assert stats["evictions"] == 4 and stats["idle_bytes"] == chunk_bytes
    # The next decode takes it.
    a.read_windows(np.array([[0, 0]], np.uint64), [8, 4096], cache=cache)
    assert cache.stats()["idle_bytes"] == 0
