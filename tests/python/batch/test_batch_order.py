"""The shuffled epoch order: blocks of chunks grouped to fit in the chunk
cache, groups and blocks in a random order, every unit exactly once, and
fewer decodes per epoch than visiting blocks at random."""

from __future__ import annotations

import math

import numpy as np
import pytest
import zarr

import geobatch
import geobatch.batching.generator as generator
from geobatch.batching.order import BlockDim, EpochOrder, block_bounds, block_groups


def bench_dims(time_blocks: int = 21) -> list[BlockDim]:
    # The benchmark cube: 1008 x 361 x 720 in chunks of 24 x 91 x 180, windows 3 x 48 x 48 every 2 x 32 x 32,
    # blocks of 2 chunks per dim (24 x 6 x 12 window starts).
    return [BlockDim(time_blocks, 24, 2, 3, 24, 1008), BlockDim(2, 6, 32, 48, 91, 361),
            BlockDim(2, 12, 32, 48, 180, 720)]


def test_a_block_touches_its_chunks_and_the_margin_its_windows_reach():
    time, lat, lon = bench_dims()
    assert [time.chunks_touched(n) for n in (1, 2, 3)] == [3, 5, 7]
    assert [lat.chunks_touched(n) for n in (1, 2)] == [3, 4]  # 4 chunks in all
    assert [lon.chunks_touched(n) for n in (1, 2)] == [3, 4]
    whole_field = BlockDim(1, 1, 361, 361, 91, 361)
    assert whole_field.chunks_touched(1) == 4


def test_block_groups_grow_the_thinnest_dim_while_the_footprint_fits():
    chunk_bytes = 3 * 24 * 91 * 180 * 4  # 4.7 MB: three variables
    # Half of 1 GiB holds 113 chunk positions: 7 x 4 x 4 = 112 (3 time blocks); 4 would need 9 x 4 x 4.
    assert block_groups(bench_dims(), chunk_bytes, (1 << 30) // 2) == (3, 2, 2)
    assert block_groups(bench_dims(), chunk_bytes, 3 * 3 * 2 * chunk_bytes) == (1, 1, 1)
    assert block_groups(bench_dims(), chunk_bytes, 1) == (1, 1, 1)
    assert block_groups(bench_dims(time_blocks=2), chunk_bytes, 10**12) == (2, 2, 2)  # everything in one group


def test_block_groups_grow_only_where_neighbouring_blocks_share_chunks():
    chunk_bytes = 3 * 24 * 91 * 180 * 4
    # Whole fields, one time step each: a block's samples never reach into the next block's chunks.
    fields = [BlockDim(21, 48, 1, 1, 24, 1008), BlockDim(1, 1, 361, 361, 91, 361), BlockDim(1, 1, 720, 720, 180, 720)]
    assert block_groups(fields, chunk_bytes, (1 << 30) // 2) == (1, 1, 1)
    # Two time steps per sample, one apart: they do, along time only.
    overlapping = [BlockDim(21, 48, 1, 2, 24, 1008)] + fields[1:]
    assert block_groups(overlapping, chunk_bytes, (1 << 30) // 2)[0] > 1


@pytest.mark.parametrize("group", [(1, 1, 1), (2, 1, 3), (5, 4, 4)])
def test_grouped_order_visits_every_unit_once_and_each_group_in_one_run(group):
    counts = (20, 7, 9)
    bounds = [block_bounds(n, 1, 2) for n in counts]  # blocks of 2 units
    order = EpochOrder(counts, bounds, seed=3, epoch=1, group=group)
    units = order.units(0, len(order))
    assert len({tuple(u) for u in units.tolist()}) == len(units) == math.prod(counts)
    np.testing.assert_array_equal(units[17:40], order.units(17, 40))
    group_of = [tuple(int(u[d]) // 2 // group[d] for d in range(3)) for u in units]
    runs = [g for i, g in enumerate(group_of) if i == 0 or g != group_of[i - 1]]
    assert len(runs) == len(set(runs)), "a group's units are split across the epoch"
    again = EpochOrder(counts, bounds, seed=3, epoch=2, group=group).units(0, len(order))
    assert not np.array_equal(units, again)


@pytest.fixture(scope="module")
def cube(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("order") / "cube.zarr")
    group = zarr.open_group(path, mode="w", zarr_format=3)
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        array = group.create_array(name, shape=(192, 48, 48), chunks=(8, 12, 12), dtype="f4",
                                   dimension_names=["time", "lat", "lon"])
        array[:] = rng.random((192, 48, 48), dtype="f4")
    return path


def epoch_decodes(cube: str, cache_bytes: int) -> tuple[int, list]:
    gen = geobatch.BatchGenerator(geobatch.open_dataset(cube), {"time": 3, "lat": 6, "lon": 6},
                                  {"time": 1, "lat": 2, "lon": 2}, batch_size=16, shuffle=True, seed=2,
                                  cache_bytes=cache_bytes)
    seen = [tuple(o) for batch in gen for o in batch.coords["origin"][1].tolist()]
    return gen.cache.stats()["misses"], seen


def test_grouping_cuts_redundant_decodes_with_a_cache_smaller_than_the_data(cube, monkeypatch):
    chunks, chunk_bytes = 2 * 24 * 4 * 4, 8 * 12 * 12 * 4
    cache = chunks * chunk_bytes // 2  # half the data; measured 1.08x the chunks grouped, 1.38x not
    grouped, seen = epoch_decodes(cube, cache)
    # Ungrouped, with all of the cache (grouped, it works in a few groups' footprint).
    monkeypatch.setattr(generator, "block_groups", lambda blocks, *_: (1,) * len(blocks))
    monkeypatch.setattr(generator, "WORKING_GROUPS", 10**6)
    ungrouped, seen_ungrouped = epoch_decodes(cube, cache)
    assert sorted(seen) == sorted(seen_ungrouped) and len(set(seen)) == len(seen)
    assert chunks <= grouped < 0.9 * ungrouped
    assert grouped <= 1.2 * chunks


def test_the_cache_holds_what_a_few_groups_and_the_reads_ahead_need_unless_all_the_data_fits(cube, monkeypatch):
    data_bytes = 2 * 192 * 48 * 48 * 4
    chunks = 2 * 24 * 4 * 4

    def fields(cache_bytes: int):
        gen = geobatch.BatchGenerator(geobatch.open_dataset(cube), {"lat": 48, "lon": 48}, batch_size=8,
                                      shuffle=True, seed=1, cache_bytes=cache_bytes)
        assert sum(len(b["a"]) for b in gen) == 192
        return gen.cache

    # One batch a read, two read ahead: 24 samples (fields) at once, in up to 3 blocks of 16. Whole fields
    # share no chunk across blocks: a group is one block, 2 chunks of time x 4 x 4 chunk positions of two
    # variables' 8 x 12 x 12 float32 chunks. Each chunk is still decoded once.
    monkeypatch.setattr(generator, "GROUP_BYTES", 1)
    small = fields(data_bytes // 2)
    block_bytes = 2 * 4 * 4 * (2 * 8 * 12 * 12 * 4)
    assert small.max_bytes == 3 * block_bytes < data_bytes // 2
    assert small.stats()["misses"] == chunks
    # All the data fits: the whole budget stays, for the next epochs to decode nothing.
    assert fields(2 * data_bytes).max_bytes == 2 * data_bytes
