"""Hands batches from DataLoader worker processes to the main process in
shared-memory slots that are mapped once and then reused.

PyTorch moves every tensor a worker yields into a fresh shared-memory segment
and passes its file descriptor; the main process maps it and faults its pages
in again, batch after batch: milliseconds per batch, the bound of any loader
run in workers. Here each worker keeps a few slots (memfds), copies a batch
into a free one and sends only the slot's number and layout. The main process
maps a slot the first time it sees it (its descriptor travels the way PyTorch
passes its own) and gives the slot back when the last tensor viewing it is
gone.

A slot is free for the next batch when no tensor views it on either side. The
worker knows its own views (a lease object they all keep alive); the main
process's are told by a flag in the slot's header, which the worker sets when
it fills the slot and the main process clears when its last view is gone.
The header also tells which process has mapped the slot, so that the worker
sends the descriptor until the receiving process has it. Native
release/acquire stores and loads keep each side's data accesses on the right
side of the flag on every architecture.
"""

from __future__ import annotations

import copy
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
HEADER = 64  # bytes before a slot's data: the flags, padded to a cache line
ALIGN = 64   # each tensor's offset in a slot
FREE, TAKEN = 0, 1


class _InSlot(NamedTuple):
    """Where a tensor lies in its slot (what a handle carries instead of data)."""
    offset: int
    dtype: torch.dtype
    shape: tuple


class _Header:
    """The flags at the start of a slot: ``taken`` (set by the worker, cleared
    by the main process) and ``mapped_by`` (the pid of the last process that
    mapped the slot to read a batch from it)."""

    def __init__(self, memory: mmap.mmap):
        self.taken = np.frombuffer(memory, np.uint32, 1, 0)
        self.mapped_by = np.frombuffer(memory, np.uint32, 1, 4)


def _leaves(tree: dict, path: tuple = ()):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, path + (key,))
        else:
            yield path + (key,), value


def _shareable(value) -> bool:
    return (type(value) is torch.Tensor and value.device.type == "cpu" and value.layout == torch.strided
            and not value.requires_grad and value.numel() > 0)


def _tensor_at(buffer, place: _InSlot) -> torch.Tensor:
    return torch.frombuffer(buffer, dtype=place.dtype, count=math.prod(place.shape),
                            offset=place.offset).view(place.shape)


def _with_leaves(tree: dict, leaf, path: tuple = ()) -> dict:
    """``tree`` with every leaf replaced by ``leaf(path, value)``, as plain dicts."""
    return {k: _with_leaves(v, leaf, path + (k,)) if isinstance(v, dict) else leaf(path + (k,), v)
            for k, v in tree.items()}


def _lease(memory: mmap.mmap, nbytes: int):
    """The data part of a slot as an object every tensor viewing it keeps
    alive (weakref.finalize on it runs when the last one is gone)."""
    return (ctypes.c_ubyte * nbytes).from_buffer(memory, HEADER)


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
        self.header = _Header(self.memory)
        self.views = None  # weak reference to the lease of this process's views, while there are any

    def free(self) -> bool:
        return ((self.views is None or self.views() is None)
                and shared_flag_load(self.header.taken) == FREE)


class _Handoff:
    """One filled slot on its way: sent at most once. If it is never sent,
    the slot's taken flag is cleared when the worker's last view is gone."""

    def __init__(self, ring: SlotRing, index: int, slot: _Slot, layout: dict):
        self.ring, self.index, self.slot, self.layout = ring, index, slot, layout
        self.sent = False
        self.lock = threading.Lock()

    def views_gone(self) -> None:
        with self.lock:
            if not self.sent:
                shared_flag_store(self.slot.header.taken, FREE)

    def claim(self) -> DupFd | None | bool:
        """False when already sent; otherwise marks it sent and returns the
        slot's descriptor unless another process has mapped the slot (then
        None)."""
        with self.lock:
            if self.sent:
                return False
            self.sent = True
        mapped_by = shared_flag_load(self.slot.header.mapped_by)
        return DupFd(self.slot.fd) if mapped_by in (0, os.getpid()) else None


class SharedBatch(dict):
    """A worker's batch: {name: tensor} (and nested dicts of tensors) viewing
    a shared-memory slot. Pickled, it carries the slot's place and the
    tensors' layout, and becomes a plain dict of tensors on the slot in the
    unpickling process; tensors that are not the slot's own views (a
    collate_fn may replace some) travel the usual way."""

    _handoff: _Handoff | None = None

    def __copy__(self):
        clone = SharedBatch(self)
        clone._handoff = self._handoff
        return clone

    def __deepcopy__(self, memo):
        return copy.deepcopy(_with_leaves(self, lambda path, value: value), memo)

    def __reduce__(self):
        handoff = self._handoff
        descriptor = False if handoff is None else handoff.claim()
        if descriptor is False:
            return (dict, (_with_leaves(self, lambda path, value: value),))

        def leaf(path, value):
            if not isinstance(value, torch.Tensor):
                return value
            if value.is_conj() or value.is_neg():  # bits PyTorch's own pickling drops
                return value.resolve_conj().resolve_neg()
            place = handoff.layout.get(path)
            if (place is not None and value.data_ptr() == place[1] and value.dtype == place[0].dtype
                    and tuple(value.shape) == place[0].shape and value.is_contiguous()):
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
        SharedBatch (other values stay as they are; a tensor found twice is
        copied once); ``batch`` itself when it has no such tensor, or when
        no slot is free and the ring is full (PyTorch's pickling takes it
        then)."""
        leaves = [(path, value) for path, value in _leaves(batch) if _shareable(value)]
        if not leaves:
            return batch
        places, by_tensor, size = {}, {}, 0
        for path, value in leaves:
            if id(value) not in by_tensor:
                by_tensor[id(value)] = _InSlot(size, value.dtype, tuple(value.shape))
                size += -(-value.numel() * value.element_size() // ALIGN) * ALIGN
            places[path] = by_tensor[id(value)]
        taken = self._take(size)
        if taken is None:
            return batch
        index, slot = taken
        lease = _lease(slot.memory, slot.nbytes)
        views = {}
        for path, value in leaves:
            if places[path] not in views:
                views[places[path]] = _tensor_at(lease, places[path])
                views[places[path]].copy_(value)
        handoff = _Handoff(self, index, slot, {p: (place, views[place].data_ptr()) for p, place in places.items()})
        slot.views = weakref.ref(lease)
        weakref.finalize(lease, handoff.views_gone)
        shared = SharedBatch(_with_leaves(batch, lambda path, value: views[places[path]] if path in places else value))
        shared._handoff = handoff
        return shared

    def _take(self, nbytes: int) -> tuple[int, _Slot] | None:
        free = [i for i, slot in enumerate(self.slots) if slot.free()]
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
        shared_flag_store(slot.header.taken, TAKEN)
        return index, slot


_ring: SlotRing | None = None


def worker_ring(max_slots: int) -> SlotRing:
    """This process's ring (a forked child makes its own), holding up to
    ``max_slots`` from now on."""
    global _ring
    if _ring is None or _ring.token[0] != os.getpid():
        _ring = SlotRing(max_slots)
    _ring.max_slots = max_slots
    return _ring


# ---------------------------------------------------------------- main side
# (ring token, index) -> (slot serial, its mapping, the mapping's header)
_mappings: dict[tuple, tuple[int, mmap.mmap, _Header]] = {}
# Reentrant: a lease's finalizer (which takes it) may run in a garbage collection that
# _rebuild's allocations start while holding it.
_mappings_lock = threading.RLock()


def _forget_exited_workers() -> None:
    """Drops the mappings of rings whose process is gone (tensors still
    viewing them keep their memory)."""
    with _mappings_lock:  # list(): a finalizer may run this again, in this thread, while it loops
        for token in {key[0] for key in list(_mappings)}:
            try:
                os.kill(token[0], 0)
            except ProcessLookupError:
                for key in [key for key in list(_mappings) if key[0] == token]:
                    _mappings.pop(key, None)
            except PermissionError:
                pass


def _release(taken: np.ndarray) -> None:
    """The last view of a batch is gone: its slot goes back to the worker,
    and the mappings of workers that have exited since are dropped."""
    shared_flag_store(taken, FREE)
    _forget_exited_workers()


def _rebuild(token: tuple, index: int, serial: int, nbytes: int, descriptor: DupFd | None, tree: dict) -> dict:
    with _mappings_lock:
        fd = descriptor.detach() if descriptor is not None else None
        try:
            known = _mappings.get((token, index))
            if known is None or known[0] != serial:
                if fd is None:
                    raise RuntimeError(f"a batch arrived in shared-memory slot {index} of worker {token[0]}, which "
                                       f"this process never mapped")
                if not any(key[0] == token for key in _mappings):
                    _forget_exited_workers()
                memory = mmap.mmap(fd, HEADER + nbytes)
                known = _mappings[(token, index)] = (serial, memory, _Header(memory))
                shared_flag_store(known[2].mapped_by, os.getpid())
        finally:
            if fd is not None:
                os.close(fd)
    _, memory, header = known
    lease = _lease(memory, nbytes)
    weakref.finalize(lease, _release, header.taken)
    return _with_leaves(tree, lambda path, value: _tensor_at(lease, value) if isinstance(value, _InSlot) else value)
