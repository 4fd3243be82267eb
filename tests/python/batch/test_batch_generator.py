"""The native batch API (sample mode): every sample exactly once per epoch,
shuffled per (seed, epoch) with each chunk decoded once, shards that
partition an epoch, last-batch policies, NaN skipping, random windows,
transforms, allocators and outputs, laziness on huge datasets, and errors
raised before any read."""

from __future__ import annotations

import pickle
import resource
import time

import numpy as np
import pytest
import zarr

import geobatch
import geobatch.batching.generator as generator_module
from batch_data import open_xr

WINDOW = {"time": 3, "lat": 4, "lon": 6}
OVERLAP = {"time": 1, "lat": 2}


def make(store, **kwargs) -> geobatch.BatchGenerator:
    ds = geobatch.open_dataset(store)[["t2m", "u10", "orog"]]
    return geobatch.BatchGenerator(ds, WINDOW, OVERLAP, **{"batch_size": 7, **kwargs})


def origins(batches) -> np.ndarray:
    return np.concatenate([b.coords["origin"][1][:b.size] for b in batches])


def as_set(rows: np.ndarray) -> set:
    return {tuple(r) for r in rows.tolist()}


@pytest.fixture(scope="module")
def reference(weather_store):
    return open_xr(weather_store).load()


def test_every_sample_once_with_right_values(weather_store, reference):
    gen = make(weather_store)
    batches = list(gen)
    assert len(batches) == len(gen) == -(-len(gen._space) // 7)
    seen = origins(batches)
    assert len(seen) == len(as_set(seen)) == 5 * 4 * 2  # time (12-1)//2, lat (10-2)//2, lon 14//6
    dims = reference["t2m"].dims
    for batch in batches[::3]:
        for i, o in enumerate(batch.coords["origin"][1]):
            box = {d: slice(int(o[k]), int(o[k]) + WINDOW[d]) for k, d in enumerate(dims)}
            np.testing.assert_array_equal(batch["t2m"][i], reference["t2m"].isel(box).values)
            np.testing.assert_array_equal(batch["orog"][i], reference["orog"].isel(lat=box["lat"], lon=box["lon"]).values)
            np.testing.assert_array_equal(batch.coords["lat"][1][i], reference["lat"].values[box["lat"]])
            assert batch.coords["time"][1][i, 0] == reference["time"].values[int(o[0])]
    assert batches[0]["t2m"].shape == (7, 3, 4, 6) and batches[0].dims["orog"] == ("sample", "lat_input", "lon_input")


def test_shuffle_is_deterministic_new_each_epoch_and_decodes_each_chunk_once(weather_store):
    a, b = make(weather_store, shuffle=True, seed=5), make(weather_store, shuffle=True, seed=5)
    epoch0, epoch1 = origins(a), origins(a)
    np.testing.assert_array_equal(epoch0, origins(b))
    assert not np.array_equal(epoch0, epoch1) and as_set(epoch0) == as_set(epoch1)
    assert not np.array_equal(epoch0, origins(make(weather_store)))
    b.set_epoch(1)
    np.testing.assert_array_equal(origins(b), epoch1)
    assert b.epoch == 2
    assert not np.array_equal(epoch0, origins(make(weather_store, shuffle=True, seed=6)))
    fresh = make(weather_store, shuffle=True, seed=5)
    list(fresh)
    chunks = 3 * 3 * 2  # t2m, u10: the windows touch 3x3x2 of the (5, 4, 6) chunks; orog is one chunk
    assert fresh.cache.stats()["misses"] == 2 * chunks + 1


@pytest.mark.parametrize("count", [1, 3, 4])
@pytest.mark.parametrize("even", [False, True])
def test_shards_partition_every_epoch(weather_store, count, even):
    total = as_set(origins(make(weather_store, shuffle=True)))
    parts = [origins(make(weather_store, shuffle=True, shard=(i, count), even_shards=even)) for i in range(count)]
    union = set().union(*(as_set(p) for p in parts))
    assert sum(len(p) for p in parts) == len(union)  # disjoint
    if even:
        assert len({len(p) for p in parts}) == 1 and len(total) - len(union) < count
    else:
        assert union == total


def test_last_batch_policies(weather_store):
    sizes = {policy: [b.size for b in make(weather_store, last_batch=policy)] for policy in ("keep", "drop", "pad")}
    assert sizes["keep"] == [7] * 5 + [5] and sizes["drop"] == [7] * 5 and sizes["pad"] == sizes["keep"]
    last = list(make(weather_store, last_batch="pad", pad_value=-1.0))[-1]
    assert last["t2m"].shape[0] == 7 and np.all(last["t2m"][5:] == -1)
    assert len(make(weather_store, last_batch="drop")) == 5


def test_nan_threshold_skips_samples(weather_store, reference):
    everything = list(make(weather_store))
    fractions = {}
    for batch in everything:
        for i, o in enumerate(batch.coords["origin"][1]):
            nans = sum(np.isnan(batch[v][i]).sum() for v in ("t2m", "u10", "orog"))
            size = sum(batch[v][i].size for v in ("t2m", "u10", "orog"))
            fractions[tuple(o)] = nans / size
    threshold = sorted(fractions.values())[len(fractions) // 2]
    for policy in ("keep", "pad"):
        kept = list(make(weather_store, max_nan_fraction=threshold, last_batch=policy))
        assert as_set(origins(kept)) == {o for o, f in fractions.items() if f <= threshold}
        assert all(b.size == 7 for b in kept[:-1]) and all(len(b["u10"]) == 7 for b in kept[:-1])
    with pytest.raises(TypeError):
        len(make(weather_store, max_nan_fraction=0.1))


def test_random_windows(weather_store, reference):
    gen = make(weather_store, sampling="random", samples_per_epoch=30, seed=2)
    first, second = origins(gen), origins(gen)
    assert len(first) == 30 and not np.array_equal(first, second)
    gen.set_epoch(0)
    np.testing.assert_array_equal(origins(gen), first)
    limits = np.array([12 - 3, 10 - 4, 14 - 6]) + 1
    assert np.all(first >= 0) and np.all(first < limits)
    assert np.any(first[:, 2] % 6 != 0)  # not restricted to the stride grid
    halves = [origins(make(weather_store, sampling="random", samples_per_epoch=30, seed=2, shard=(i, 2)))
              for i in range(2)]
    np.testing.assert_array_equal(np.concatenate(halves), first)
    batch = next(iter(gen))
    o = batch.coords["origin"][1][0]
    expected = reference["t2m"].values[o[0]:o[0] + 3, o[1]:o[1] + 4, o[2]:o[2] + 6]
    np.testing.assert_array_equal(batch["t2m"][0], expected)


def test_transforms(weather_store):
    plain = next(iter(make(weather_store)))
    gen = make(weather_store, dtype={"t2m": "float16"}, normalize={"t2m": (280.0, 5.0), "u10": (1.0, 2.0)},
               fill_nan=0.0)
    batch = next(iter(gen))
    expected = (plain["t2m"] - np.float32(280.0)) * np.float32(1 / 5.0)
    expected = np.nan_to_num(expected, nan=0.0).astype("float16")
    assert batch["t2m"].dtype == np.float16
    np.testing.assert_array_equal(batch["t2m"], expected)
    assert not np.isnan(batch["u10"]).any() and batch["u10"].dtype == np.float32
    np.testing.assert_allclose(batch["orog"], np.nan_to_num(plain["orog"]))
    with pytest.raises(geobatch.NotFoundError):
        make(weather_store, normalize={"nope": (0, 1)})
    with pytest.raises(geobatch.InvalidArgumentError, match="zero"):
        make(weather_store, normalize={"t2m": (0, 0)})


def test_allocators_outputs_prefetch_and_pickle(weather_store):
    import torch

    calls = []

    def allocator(shape, dtype):
        calls.append(shape)
        return np.full(shape, 7, dtype)

    reference = list(make(weather_store, prefetch=0))
    for kwargs in (dict(allocator=allocator), dict(prefetch=4, threads=3), dict(progress=True)):
        for mine, theirs in zip(make(weather_store, **kwargs), reference):
            np.testing.assert_array_equal(mine["t2m"], theirs["t2m"])
    assert calls and calls[0] == (7, 3, 4, 6)
    tensors = next(iter(make(weather_store, output="torch", allocator=geobatch.TorchAllocator())))
    assert isinstance(tensors["t2m"], torch.Tensor) and tensors["t2m"].shape == (7, 3, 4, 6)
    batch = reference[0]
    shared = batch.to_torch()["t2m"]
    assert shared.data_ptr() == batch["t2m"].ctypes.data  # no copy
    xr_batch = next(iter(make(weather_store, output="xarray")))
    assert xr_batch["t2m"].dims == ("sample", "time_input", "lat_input", "lon_input")
    clone = pickle.loads(pickle.dumps(make(weather_store, shuffle=True, seed=9)))
    np.testing.assert_array_equal(origins(clone), origins(make(weather_store, shuffle=True, seed=9)))


def test_default_groups_prefetch_and_threads_follow_the_batch_bytes(weather_store):
    """Batches read together fill up to 32 MiB (1 to 16 of them); two groups
    are built ahead, by two threads."""
    ds = geobatch.open_dataset(weather_store)[["t2m"]]  # float32 (time, lat, lon)
    window = {"lat": 4, "lon": 6}  # 96 bytes per sample

    def defaults(**kwargs):
        gen = geobatch.BatchGenerator(ds, window, **kwargs)
        return gen.group_batches, gen.prefetch, gen.threads

    assert defaults(batch_size=7) == (16, 32, 2)  # small batches: at most 16 a group
    assert defaults(batch_size=100_000) == (3, 6, 2)  # 9.6 MB: 3 fit in 32 MiB
    assert defaults(batch_size=200_000) == (1, 2, 2)  # 19.2 MB: one at a time
    assert defaults(batch_size=100_000, dtype="float64") == (1, 2, 2)  # 19.2 MB once cast
    assert defaults(batch_size=7, prefetch=1, threads=3) == (16, 1, 3)  # as asked
    assert defaults() == (1, 2, 2)  # xbatcher mode
    # Freed batch buffers: room for two groups in the generator's own pool.
    gen = geobatch.BatchGenerator(ds, window, batch_size=7)
    assert gen._allocator.idle_bytes == 2 * 16 * 7 * 96


@pytest.mark.parametrize("kwargs", [dict(), dict(shuffle=True, seed=3), dict(last_batch="pad", pad_value=-2.0),
                                    dict(last_batch="drop"), dict(max_nan_fraction=0.2, last_batch="pad"),
                                    dict(dtype="float64", normalize={"t2m": (280.0, 10.0)}, fill_nan=0.0)])
def test_batches_read_in_groups_are_those_read_one_by_one(weather_store, monkeypatch, kwargs):
    grouped = list(make(weather_store, **kwargs))
    first_group = make(weather_store, **kwargs).group_batches
    assert first_group > 1
    monkeypatch.setattr(generator_module, "GROUP_BYTES", 1)
    alone = make(weather_store, **kwargs)
    assert alone.group_batches == 1
    singles = list(alone)
    assert len(grouped) == len(singles)
    for mine, theirs in zip(grouped, singles):
        assert mine.size == theirs.size
        for name in ("t2m", "u10", "orog"):
            np.testing.assert_array_equal(mine[name], theirs[name])
        for name, (dims, labels) in theirs.coords.items():
            assert mine.coords[name][0] == dims
            np.testing.assert_array_equal(mine.coords[name][1], labels)
    if "max_nan_fraction" not in kwargs:  # batches of one group are views of one buffer per variable
        assert grouped[1]["t2m"].base is grouped[2]["t2m"].base is not None


def test_huge_dataset_is_lazy(tmp_path):
    """About 3 * 10^8 samples over a 4.4 TB (never written) store: planning and
    the first batch cost neither time nor memory."""
    group = zarr.open_group(str(tmp_path / "huge.zarr"), mode="w", zarr_format=3)
    shape = (350_640, 721, 1440)  # 40 years hourly at 0.25 degrees
    for name in ("t2m", "u10", "v10"):
        group.create_array(name, shape=shape, chunks=(24, 721, 1440), dtype="f4", fill_value=np.nan,
                           dimension_names=["time", "lat", "lon"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    ds = geobatch.open_dataset(str(tmp_path / "huge.zarr"))
    gen = geobatch.BatchGenerator(ds, {"time": 3, "lat": 48, "lon": 48}, {"time": 2, "lat": 16, "lon": 16},
                                  batch_size=32, shuffle=True, cache_bytes=1 << 28, prefetch=0)
    batch = next(iter(gen))
    elapsed = time.perf_counter() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert len(gen._space) > 3 * 10**8 and batch["t2m"].shape == (32, 3, 48, 48)
    assert elapsed < 5 and grown < 400_000  # kB: the cache budget plus one decoded time slab
    assert np.isnan(batch["t2m"]).all()


def test_errors_before_reading(weather_store):
    ds = geobatch.open_dataset(weather_store)
    bad = [
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=4, batch_dims={"time": 2}), "exclusive"),
        (dict(output="pandas"), "output"),
        (dict(batch_size=4, last_batch="fill"), "last_batch"),
        (dict(sampling="random"), "batch_size"),
        (dict(batch_size=4, max_nan_fraction=1.5), "max_nan_fraction"),
        (dict(batch_size=4, shard=(2, 2)), "shard"),
        (dict(batch_size=4, samples_per_epoch=3), "samples_per_epoch"),
        (dict(batch_size=4, prefetch=-1), "prefetch"),
    ]
    for kwargs, match in bad:
        with pytest.raises(geobatch.InvalidArgumentError, match=match):
            geobatch.BatchGenerator(ds, {"lat": 2}, **kwargs)
    with pytest.raises(geobatch.InvalidArgumentError, match="contiguous"):
        geobatch.BatchGenerator(ds.isel(lat=slice(None, None, 2)), {"lat": 2}, batch_size=2)
    with pytest.raises(geobatch.InvalidArgumentError, match="no sample fits"):
        geobatch.BatchGenerator(ds.isel(time=slice(0, 0)), {"lat": 2}, batch_size=2)


@pytest.mark.parametrize("kind", ["memory", "dask", "dask_sliced"])
def test_xarray_sources_in_sample_mode(weather_store, reference, kind):
    ds = {"memory": reference, "dask": open_xr(weather_store),
          "dask_sliced": open_xr(weather_store).isel(lon=slice(2, 14))}[kind][["t2m", "orog"]]
    gen = geobatch.BatchGenerator(ds, {"lat": 4, "lon": 6}, batch_size=9, shuffle=True, seed=1)
    expected = ds.load()
    seen = 0
    for batch in gen:
        for i, (t, la, lo) in enumerate(batch.coords["origin"][1]):
            np.testing.assert_array_equal(batch["t2m"][i], expected["t2m"].values[t, la:la + 4, lo:lo + 6])
            np.testing.assert_array_equal(batch["orog"][i], expected["orog"].values[la:la + 4, lo:lo + 6])
        seen += batch.size
    assert seen == len(gen._space) == 12 * 2 * (ds.sizes["lon"] // 6)
