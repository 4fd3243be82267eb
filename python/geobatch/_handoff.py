"""Hands batches from DataLoader worker processes to the main process in
shared-memory slots that are mapped once and then reused.

PyTorch moves every tensor a worker yields into a fresh shared-memory segment
and passes its file descriptor; the main process maps it and faults its pages
in again, batch after batch: milliseconds per batch, the bound of any loader
run in workers. Here each worker keeps a few slots (memfds), copies a batch
into a free one and sends only the slot's number and layout. The main process
maps a slot the first time it sees it (the descriptor travels once, the way
PyTorch passes its own) and gives the slot back when the last tensor viewing
it is gone.

A slot starts with a flag, the only memory both processes write: the worker
sets it when it fills the slot, the main process clears it when it holds no
view of the slot any more. Native release/acquire stores and loads keep each
side's data accesses on the right side of the flag on every architecture.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import mmap
import os
import secrets
import threading
import weakref
from multiprocessing.reduction import DupFd
from typing import NamedTuple

import numpy as np
import torch

from ._core import shared_flag_load, shared_flag_store

AVAILABLE = hasattr(os, "memfd_create")  # Linux; elsewhere batches go PyTorch's way
HEADER = 64  # bytes before a slot's data: the flag, padded to a cache line
ALIGN = 64   # each tensor's offset in a slot
FREE, TAKEN = 0, 1


class _InSlot(NamedTuple):
    """Where a tensor lies in its slot (what a handle carries instead of data)."""
    offset: int
    dtype: torch.dtype
    shape: tuple


def _leaves(tree: dict, path: tuple = ()):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, path + (key,))
        else:
            yield path + (key,), value


def _shareable(value) -> bool:
    return (isinstance(value, torch.Tensor) and value.device.type == "cpu" and value.layout == torch.strided
            and not value.requires_grad and value.numel() > 0)


def _tensor_at(buffer, place: _InSlot, base: int = 0) -> torch.Tensor:
    return torch.frombuffer(buffer, dtype=place.dtype, count=math.prod(place.shape),
                            offset=base + place.offset).view(place.shape)


def _with_leaves(tree: dict, leaf, path: tuple = ()) -> dict:
    """``tree`` with every leaf replaced by ``leaf(path, value)``, as plain dicts."""
    return {k: _with_leaves(v, leaf, path + (k,)) if isinstance(v, dict) else leaf(path + (k,), v)
            for k, v in tree.items()}


# ---------------------------------------------------------------- worker side
class _Slot:
    """A memfd of HEADER + nbytes, mapped; ``serial`` tells its mapping apart
    from an earlier slot at the same place in the ring."""

    _serials = itertools.count()

    def __init__(self, nbytes: int):
        self.fd = os.memfd_create("geobatch-batch", os.MFD_CLOEXEC)
        try:
            os.ftruncate(self.fd, HEADER + nbytes)
            # Pages exist now or this fails: no SIGBUS on a full shared-memory filesystem later.
            os.posix_fallocate(self.fd, 0, HEADER + nbytes)
            self.memory = mmap.mmap(self.fd, HEADER + nbytes)
        except OSError:
            os.close(self.fd)
            raise
        weakref.finalize(self, os.close, self.fd)
        self.nbytes = nbytes
        self.serial = next(self._serials)
        self.flag = np.frombuffer(self.memory, np.uint32, 1)
        self.announced = False  # its descriptor has been sent


class _Handoff:
    """One filled slot on its way: sent at most once, and given back to the
    ring if the batch (and every copy of it) is dropped unsent."""

    def __init__(self, ring: SlotRing, index: int, slot: _Slot, layout: dict):
        self.ring, self.index, self.slot, self.layout = ring, index, slot, layout
        self.holders = 0
        self.sent = False
        self.lock = threading.Lock()

    def hold(self, batch: SharedBatch) -> None:
        with self.lock:
            self.holders += 1
        weakref.finalize(batch, self._drop)

    def _drop(self) -> None:
        with self.lock:
            self.holders -= 1
            if self.holders == 0 and not self.sent:
                shared_flag_store(self.slot.flag, FREE)

    def claim(self) -> DupFd | None | bool:
        """False when already sent; otherwise marks it sent and returns the
        slot's descriptor for the main process the first time, else None."""
        with self.lock:
            if self.sent:
                return False
            self.sent = True
            if self.slot.announced:
                return None
            self.slot.announced = True
            return DupFd(self.slot.fd)


class SharedBatch(dict):
    """A worker's batch: {name: tensor} (and nested dicts of tensors) viewing
    a shared-memory slot. Pickled, it carries the slot's place and the
    tensors' layout, and becomes a plain dict of tensors on the slot in the
    unpickling process; tensors that are not the slot's own views (a
    collate_fn may replace some) travel the usual way."""

    _handoff: _Handoff | None = None

    def __copy__(self):
        clone = SharedBatch(self)
        if self._handoff is not None:
            clone._handoff = self._handoff
            self._handoff.hold(clone)
        return clone

    def __reduce__(self):
        handoff = self._handoff
        descriptor = False if handoff is None else handoff.claim()
        if descriptor is False:
            return (dict, (_with_leaves(self, lambda path, value: value),))

        def leaf(path, value):
            place = handoff.layout.get(path)
            if (place is not None and isinstance(value, torch.Tensor) and value.data_ptr() == place[1]
                    and value.dtype == place[0].dtype and tuple(value.shape) == place[0].shape
                    and value.is_contiguous()):
                return place[0]
            return value

        return (_rebuild, (handoff.ring.token, handoff.index, handoff.slot.serial, handoff.slot.nbytes, descriptor,
                           _with_leaves(self, leaf)))


class SlotRing:
    """A worker process's slots: at most ``max_slots`` batches in flight."""

    def __init__(self, max_slots: int):
        self.token = (os.getpid(), secrets.token_hex(8))
        self.max_slots = max_slots
        self.slots: list[_Slot] = []

    def send(self, batch: dict) -> dict:
        """``batch`` with its CPU tensors copied into a free slot, as a
        SharedBatch (other values stay as they are); ``batch`` itself when it
        has no such tensor, or when no slot is free and the ring is full
        (PyTorch's pickling takes it then)."""
        leaves = [(path, value) for path, value in _leaves(batch) if _shareable(value)]
        if not leaves:
            return batch
        places, size = {}, 0
        for path, value in leaves:
            places[path] = _InSlot(size, value.dtype, tuple(value.shape))
            size += -(-value.numel() * value.element_size() // ALIGN) * ALIGN
        taken = self._take(size)
        if taken is None:
            return batch
        index, slot = taken
        layout = {}
        for path, value in leaves:
            view = _tensor_at(slot.memory, places[path], HEADER)
            view.copy_(value)
            layout[path] = (places[path], view.data_ptr(), view)
        shared = SharedBatch(_with_leaves(batch, lambda path, value: layout[path][2] if path in layout else value))
        shared._handoff = _Handoff(self, index, slot, {p: (place, ptr) for p, (place, ptr, _) in layout.items()})
        shared._handoff.hold(shared)
        return shared

    def _take(self, nbytes: int) -> tuple[int, _Slot] | None:
        free = [i for i, slot in enumerate(self.slots) if shared_flag_load(slot.flag) == FREE]
        fitting = [i for i in free if self.slots[i].nbytes >= nbytes]
        try:
            if fitting:
                index = fitting[0]
            elif free:  # a free slot too small for this batch: a larger one in its place
                index = min(free, key=lambda i: self.slots[i].nbytes)
                self.slots[index] = _Slot(nbytes)
            elif len(self.slots) < self.max_slots:
                index = len(self.slots)
                self.slots.append(_Slot(nbytes))
            else:
                return None
        except OSError:  # no room for shared memory: this batch goes PyTorch's way
            return None
        slot = self.slots[index]
        shared_flag_store(slot.flag, TAKEN)
        return index, slot


_ring: SlotRing | None = None


def worker_ring(max_slots: int) -> SlotRing:
    """This process's ring (a forked child makes its own)."""
    global _ring
    if _ring is None or _ring.token[0] != os.getpid():
        _ring = SlotRing(max_slots)
    return _ring


# ---------------------------------------------------------------- main side
_mappings: dict[tuple, tuple[int, mmap.mmap]] = {}  # (ring token, index) -> (slot serial, its mapping)
_mappings_lock = threading.Lock()


def _forget_exited_workers() -> None:
    """Drops the mappings of rings whose process is gone (tensors still
    viewing them keep their memory)."""
    for key in list(_mappings):
        try:
            os.kill(key[0][0], 0)
        except ProcessLookupError:
            del _mappings[key]
        except PermissionError:
            pass


def _rebuild(token: tuple, index: int, serial: int, nbytes: int, descriptor: DupFd | None, tree: dict) -> dict:
    with _mappings_lock:
        fd = descriptor.detach() if descriptor is not None else None
        known = _mappings.get((token, index))
        if known is None or known[0] != serial:
            if fd is None:
                raise RuntimeError(f"a batch arrived in shared-memory slot {index} of worker {token[0]}, which this "
                                   f"process never mapped (was an earlier batch of that worker lost unpickled?)")
            if not any(key[0] == token for key in _mappings):
                _forget_exited_workers()
            known = _mappings[(token, index)] = (serial, mmap.mmap(fd, HEADER + nbytes))
        if fd is not None:
            os.close(fd)
    memory = known[1]
    lease = (ctypes.c_ubyte * nbytes).from_buffer(memory, HEADER)
    weakref.finalize(lease, shared_flag_store, np.frombuffer(memory, np.uint32, 1), FREE)
    return _with_leaves(tree, lambda path, value: _tensor_at(lease, value) if isinstance(value, _InSlot) else value)
