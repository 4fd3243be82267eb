"""Batches handed from DataLoader workers to the main process in
shared-memory slots (geobatch._handoff): values intact, slots reused only once
the main process holds no view of them, every fallback to PyTorch's own
pickling correct."""

from __future__ import annotations

import copy
import gc
import itertools
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pytest
import torch

import geobatch
from geobatch import _handoff
from geobatch._handoff import FREE, TAKEN, SharedBatch, SlotRing
from geobatch._core import shared_flag_load, shared_flag_store
from geobatch.torch import BatchDataset


def sample(value: float, n: int = 10) -> dict:
    return {"t2m": torch.full((n, 3), value), "coords": {"origin": torch.arange(2 * n).reshape(n, 2)},
            "info": ("kept", 7)}


def hand_over(batch):
    """What the main process unpickles from a worker's queue."""
    return ForkingPickler.loads(ForkingPickler.dumps(batch))


def flags(ring: SlotRing) -> list[int]:
    """Each slot's taken flag (what the main process clears)."""
    return [shared_flag_load(slot.header.taken) for slot in ring.slots]


def test_round_trip_keeps_values_and_frees_the_slot_with_the_last_view():
    ring = SlotRing(max_slots=2)
    shared = ring.send(sample(1.5))
    assert isinstance(shared, SharedBatch) and flags(ring) == [TAKEN]
    out = hand_over(shared)
    assert type(out) is dict and type(out["coords"]) is dict and out["info"] == ("kept", 7)
    torch.testing.assert_close(out["t2m"], torch.full((10, 3), 1.5))
    assert out["coords"]["origin"].tolist() == torch.arange(20).reshape(10, 2).tolist()
    del shared
    gc.collect()
    assert flags(ring) == [TAKEN]  # the main process still views the slot
    row = out["t2m"][3]
    del out
    gc.collect()
    assert flags(ring) == [TAKEN]  # a view of a view holds it too
    del row
    gc.collect()
    assert flags(ring) == [FREE]
    again = hand_over(ring.send(sample(2.5)))
    assert len(ring.slots) == 1  # the slot was reused, and its mapping with it
    torch.testing.assert_close(again["t2m"], torch.full((10, 3), 2.5))


def test_batches_the_main_process_keeps_are_never_overwritten():
    ring = SlotRing(max_slots=2)
    kept = [hand_over(ring.send(sample(float(i)))) for i in range(5)]
    assert len(ring.slots) == 2 and flags(ring) == [TAKEN, TAKEN]
    for i, batch in enumerate(kept):
        torch.testing.assert_close(batch["t2m"], torch.full((10, 3), float(i)))
    assert not isinstance(ring.send(sample(9.0)), SharedBatch)


def test_full_ring_hands_the_batch_back_unchanged():
    ring = SlotRing(max_slots=1)
    held = hand_over(ring.send(sample(1.0)))
    batch = sample(2.0)
    assert ring.send(batch) is batch
    del held


def test_a_batch_dropped_unsent_frees_its_slot_after_its_last_copy():
    ring = SlotRing(max_slots=1)
    shared = ring.send(sample(1.0))
    clone = copy.copy(shared)  # what DataLoader's default_convert does
    assert isinstance(clone, SharedBatch)
    del shared
    gc.collect()
    assert flags(ring) == [TAKEN]
    del clone
    gc.collect()
    assert flags(ring) == [FREE]


def test_tensors_taken_out_of_a_batch_keep_its_slot():
    """A collate_fn may put the batch's tensors in a new container and drop
    the batch unsent: the slot stays taken while those tensors live."""
    ring = SlotRing(max_slots=2)
    shared = ring.send(sample(1.0))
    out = (shared["t2m"],)
    del shared
    gc.collect()
    assert flags(ring) == [TAKEN]
    ring.send(sample(2.0))  # takes another slot
    assert len(ring.slots) == 2
    torch.testing.assert_close(hand_over(out)[0], torch.full((10, 3), 1.0))
    del out
    gc.collect()
    assert flags(ring)[0] == FREE


def test_a_deep_copy_is_plain_and_leaves_the_hand_over_alone():
    ring = SlotRing(max_slots=1)
    shared = ring.send(sample(1.0))
    deep = copy.deepcopy(shared)
    assert type(deep) is dict and deep["t2m"].data_ptr() != shared["t2m"].data_ptr()
    assert not shared._handoff.sent
    torch.testing.assert_close(hand_over(shared)["t2m"], deep["t2m"])


def test_the_descriptor_travels_until_another_process_has_mapped_the_slot():
    ring = SlotRing(max_slots=2)
    first = ring.send(sample(1.0))
    assert first._handoff.claim() not in (None, False)  # nobody has mapped the slot
    second = ring.send(sample(2.0))
    shared_flag_store(ring.slots[1].header.mapped_by, 1)  # as if pid 1 had
    assert second._handoff.claim() is None
    assert second._handoff.claim() is False  # sent already


def test_a_second_pickle_is_a_copy():
    ring = SlotRing(max_slots=1)
    shared = ring.send(sample(1.0))
    first, second = hand_over(shared), hand_over(shared)
    del first, shared
    gc.collect()
    assert flags(ring) == [FREE]
    reused = hand_over(ring.send(sample(3.0)))
    torch.testing.assert_close(second["t2m"], torch.full((10, 3), 1.0))
    torch.testing.assert_close(reused["t2m"], torch.full((10, 3), 3.0))


def test_replaced_and_added_values_travel_as_they_are():
    ring = SlotRing(max_slots=1)
    shared = ring.send(sample(1.0))
    shared["t2m"] = shared["t2m"] * 2  # a collate_fn's own tensor
    shared["extra"] = torch.ones(2)
    origins = shared["coords"]["origin"]
    shared["coords"]["origin"] = origins.as_strided((10, 2), (1, 10))  # the slot's memory, seen otherwise
    out = hand_over(shared)
    torch.testing.assert_close(out["t2m"], torch.full((10, 3), 2.0))
    torch.testing.assert_close(out["extra"], torch.ones(2))
    assert out["coords"]["origin"].tolist() == origins.as_strided((10, 2), (1, 10)).tolist()


def test_a_larger_batch_takes_a_larger_slot_in_place_of_a_free_one():
    ring = SlotRing(max_slots=1)
    ring.send(sample(1.0))  # dropped unsent
    gc.collect()
    small = ring.slots[0]
    big = hand_over(ring.send(sample(4.0, n=1000)))
    assert len(ring.slots) == 1 and ring.slots[0] is not small and ring.slots[0].nbytes > small.nbytes
    torch.testing.assert_close(big["t2m"], torch.full((1000, 3), 4.0))


def test_nothing_to_share_is_handed_back():
    ring = SlotRing(max_slots=1)
    for batch in ({"a": np.ones(3)}, {"a": torch.ones(3, requires_grad=True)}, {"a": torch.ones(0)}):
        assert ring.send(batch) is batch
    assert ring.slots == []


def test_a_slot_never_mapped_is_a_clear_error():
    ring = SlotRing(max_slots=1)
    shared = ring.send(sample(1.0))
    shared_flag_store(ring.slots[0].header.mapped_by, 1)  # as if another process had mapped it
    with pytest.raises(RuntimeError, match="never mapped"):
        hand_over(shared)


def test_conjugate_views_and_shared_tensors():
    ring = SlotRing(max_slots=1)
    z = torch.tensor([1 + 2j, 3 - 1j])
    shared = ring.send({"z": z, "a": z, "x": torch.arange(4.0)})
    shared["z"] = shared["z"].conj()  # same memory, conjugate bit: must not pass as the slot's layout
    out = hand_over(shared)
    assert out["z"].tolist() == [1 - 2j, 3 + 1j]
    assert out["a"].tolist() == z.tolist() and out["x"].tolist() == [0, 1, 2, 3]
    # One tensor under two names is copied once and arrives as one memory, as PyTorch's pickling keeps it.
    assert shared["a"].data_ptr() != shared["x"].data_ptr()
    assert out["a"].data_ptr() != out["x"].data_ptr()
    twice = hand_over(SlotRing(max_slots=1).send({"b": z, "c": z}))
    assert twice["b"].data_ptr() == twice["c"].data_ptr()


# ---------------------------------------------------------------- in a DataLoader
def generator(store, **kwargs):
    ds = geobatch.open_dataset(store)[["t2m"]]
    return geobatch.BatchGenerator(ds, {"lat": 4, "lon": 6}, {"lat": 2}, batch_size=3, shuffle=True, seed=5,
                                   **kwargs)


def expected_values(store, epoch: int, workers: int) -> list[np.ndarray]:
    per_worker = []
    for worker in range(workers):
        gen = generator(store, shard=(worker, workers))
        gen.set_epoch(epoch)
        per_worker.append([np.array(b["t2m"]) for b in gen])
    return [b for turn in itertools.zip_longest(*per_worker) for b in turn if b is not None]


def add_one(batch):
    batch["t2m"] += 1  # in place, in the worker's slot
    return batch


@pytest.mark.parametrize("slots", [8, 2, 0])
def test_dataloader_batches_kept_by_the_training_loop(weather_store, slots):
    """Every batch kept until the epoch ends: more batches than slots, so
    later ones go PyTorch's way, and none is overwritten (0 slots: all go
    PyTorch's way)."""
    dataset = BatchDataset(generator(weather_store), handoff_slots=slots)
    data = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2, multiprocessing_context="fork",
                                       timeout=120)
    workers = set()
    for epoch in range(2):
        dataset.set_epoch(epoch)
        batches = iter(data)
        workers |= {w.pid for w in batches._workers}
        kept = [next(batches)["t2m"]]
        assert any(key[0][0] in workers for key in _handoff._mappings) == (slots > 0)
        kept += [batch["t2m"] for batch in batches]
        expected = expected_values(weather_store, epoch, 2)
        assert len(kept) == len(expected) > 2 * slots
        for got, want in zip(kept, expected):
            np.testing.assert_array_equal(got.numpy(), want)
    del kept, got, batches
    gc.collect()
    # The workers have exited: once the batches they sent are released, their slots are unmapped.
    assert not any(key[0][0] in workers for key in _handoff._mappings)


def test_dataloader_batches_dropped_at_once_reuse_few_slots(weather_store):
    dataset = BatchDataset(generator(weather_store))
    data = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2, multiprocessing_context="fork",
                                       timeout=120, persistent_workers=True, collate_fn=add_one)
    for epoch in range(2):
        dataset.set_epoch(epoch)
        expected = expected_values(weather_store, epoch, 2)
        sums = [float(batch["t2m"].sum()) for batch in data]
        np.testing.assert_allclose(sums, [float((e + 1).sum()) for e in expected], rtol=1e-6)
    workers = {w.pid for w in data._iterator._workers}
    mine = [key for key in _handoff._mappings if key[0][0] in workers]
    # Two batches in flight per worker, one being read: a few slots each, not one per batch.
    assert 2 <= len(mine) <= 2 * 4


def test_persistent_workers_after_an_epoch_left_early(weather_store):
    """Batches in flight when the loop breaks are drained at the next epoch's
    start; their slots come back and the next epoch's batches are intact."""
    dataset = BatchDataset(generator(weather_store), handoff_slots=3)
    data = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2, multiprocessing_context="fork",
                                       timeout=120, persistent_workers=True)
    dataset.set_epoch(0)
    for _ in zip(range(3), data):
        pass
    for epoch in (1, 2):
        dataset.set_epoch(epoch)
        got = [batch["t2m"].clone() for batch in data]
        expected = expected_values(weather_store, epoch, 2)
        assert len(got) == len(expected)
        for g, want in zip(got, expected):
            np.testing.assert_array_equal(g.numpy(), want)
    workers = {w.pid for w in data._iterator._workers}
    assert len([key for key in _handoff._mappings if key[0][0] in workers]) <= 2 * 3


class Numbered(torch.utils.data.IterableDataset):
    """Batch i is full of i, handed over through this worker's ring."""

    def __iter__(self):
        ring = _handoff.worker_ring(2)
        for i in range(120):
            yield ring.send({"x": torch.full((64,), float(i))})


def as_tuple(batch):
    return (batch["x"],)  # a new container: the SharedBatch itself is dropped unsent


def copies_first(batch):
    if batch["x"][0] == 0:
        copy.deepcopy(batch)
        ForkingPickler.loads(ForkingPickler.dumps(batch))  # a round trip inside the worker
    return batch


@pytest.mark.parametrize("collate", [as_tuple, copies_first])
def test_dataloader_with_collate_functions_that_copy_or_rewrap(collate):
    data = torch.utils.data.DataLoader(Numbered(), batch_size=None, num_workers=1, multiprocessing_context="fork",
                                       collate_fn=collate, timeout=60)
    tensors = [b[0] if isinstance(b, tuple) else b["x"] for b in data]
    assert len(tensors) == 120
    assert all(bool((t == i).all()) for i, t in enumerate(tensors))
