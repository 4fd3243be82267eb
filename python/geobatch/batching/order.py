"""The order in which one epoch visits the units (samples, or xbatcher
batches) of a grid, and the share of it each shard takes — all lazy index
arithmetic: no list of units is ever built.

Unshuffled, units go in C order. Shuffled, the grid is cut into blocks of
consecutive positions per dimension (chosen so that a block covers a few
chunks of the data) and the epoch visits the blocks in a random order and the
units of each block in a random order, so that the chunks a block needs stay
hot in the cache while its units are read. Windows near a block's edge reach
into its neighbours' chunks; so that those are not decoded again when the
neighbour comes, neighbouring blocks form groups that fit in the chunk cache,
and the epoch visits groups in a random order and each group's blocks in a
random order. Only per-block arrays (one entry per block, i.e. per few
chunks) are built per epoch.

Shard ``s`` of ``S`` takes the contiguous part ``[N*s//S, N*(s+1)//S)`` of the
epoch's order (or ``N//S`` units each with ``even=True``), so every unit is
visited exactly once per epoch across shards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def block_bounds(count: int, step: int, block_extent: int) -> np.ndarray:
    """Where blocks start along one dim (and the end): unit ``p`` starts at
    element ``p * step`` and belongs to block ``p * step // block_extent``."""
    block = (np.arange(count, dtype=np.int64) * step) // max(1, block_extent)
    starts = np.flatnonzero(np.diff(block, prepend=-1))
    return np.append(starts, count)


@dataclass(frozen=True)
class BlockDim:
    """One dim of a shuffled grid, as far as grouping its blocks goes."""

    blocks: int  # blocks along the dim
    units: int   # units in a whole block
    step: int    # elements from one unit's start to the next
    extent: int  # elements one unit covers
    chunk: int   # elements per chunk
    size: int    # elements along the dim

    def chunks_touched(self, n: int) -> int:
        """Chunks the units of ``n`` neighbouring blocks reach. Blocks start
        on chunk boundaries; a block's first unit starts less than a step in."""
        span = (self.step - 1) + (n * self.units - 1) * self.step + self.extent
        return min(-(-span // self.chunk), -(-self.size // self.chunk))


def group_footprint(dims: list[BlockDim], chunk_bytes: int, group: tuple[int, ...]) -> int:
    """Bytes of every chunk the units of a group reach (``chunk_bytes`` per
    chunk position, all variables)."""
    return chunk_bytes * math.prod(dim.chunks_touched(n) for dim, n in zip(dims, group))


def block_groups(dims: list[BlockDim], chunk_bytes: int, budget: int) -> tuple[int, ...]:
    """Blocks per dim in a group: grown one block at a time along the dim
    whose group touches the fewest chunks, while the group's footprint fits
    in ``budget`` bytes, and only along dims where a block added to the group
    shares chunks with it (its windows reach across block edges): elsewhere
    a group saves no decode and only needs more cache."""
    group = [1] * len(dims)

    def shares(d: int) -> bool:
        dim = dims[d]
        return dim.chunks_touched(group[d] + 1) - dim.chunks_touched(group[d]) < dim.chunks_touched(1)

    while True:
        growable = [d for d, dim in enumerate(dims) if group[d] < dim.blocks and shares(d)]
        if not growable:
            return tuple(group)
        d = min(growable, key=lambda d: dims[d].chunks_touched(group[d]))
        grown = group.copy()
        grown[d] += 1
        if group_footprint(dims, chunk_bytes, grown) > budget:
            return tuple(group)
        group = grown


class EpochOrder:
    """Units of a grid ``counts`` in the order of one epoch; shuffled when
    ``bounds`` (block starts per dim, from :func:`block_bounds`) are given,
    with ``group`` blocks per dim visited together."""

    def __init__(self, counts: tuple[int, ...], bounds: list[np.ndarray] | None, seed: int, epoch: int,
                 group: tuple[int, ...] | None = None):
        self.counts = tuple(int(c) for c in counts)
        self._total = math.prod(self.counts)
        self._shuffled = bounds is not None
        if not self._shuffled or not self.counts:
            return
        self._seed = (int(seed), int(epoch))
        self._bounds = bounds
        n_blocks = tuple(len(b) - 1 for b in bounds)
        order = _grouped_permutation(n_blocks, group or (1,) * len(n_blocks), np.random.default_rng([*self._seed, 0]))
        self._blocks = np.stack(np.unravel_index(order, n_blocks), axis=1) if n_blocks else np.zeros((1, 0), np.int64)
        sizes = np.ones(len(order), np.int64)
        for d, b in enumerate(bounds):
            sizes *= np.diff(b)[self._blocks[:, d]]
        self._ids = order
        self._cum = np.concatenate([[0], np.cumsum(sizes)])
        self._last_block: tuple[int, np.ndarray | None] = (-1, None)

    def __len__(self) -> int:
        return self._total

    def _block_units(self, k: int) -> np.ndarray:
        """(n, ndim) grid positions of the units of the epoch's k-th block,
        in their random order. Batches take consecutive places, so a block
        serves many batches in a row: its last order is kept rather than
        drawn again for each."""
        if self._last_block[0] != k:
            size = int(self._cum[k + 1] - self._cum[k])
            local = np.random.default_rng([*self._seed, 1, int(self._ids[k])]).permutation(size)
            origin = [b[i] for b, i in zip(self._bounds, self._blocks[k])]
            extent = [int(b[i + 1] - b[i]) for b, i in zip(self._bounds, self._blocks[k])]
            units = np.stack(np.unravel_index(local, extent), axis=1) + np.asarray(origin, np.int64)
            self._last_block = (k, units)
        return self._last_block[1]

    def units(self, start: int, stop: int) -> np.ndarray:
        """(stop - start, ndim) grid positions of the units at places
        [start, stop) of the epoch."""
        if not self._shuffled or not self.counts:
            flat = np.arange(start, stop, dtype=np.int64)
            return np.stack(np.unravel_index(flat, self.counts), axis=1) if self.counts else np.zeros((len(flat), 0), np.int64)
        out = []
        first = self._last_block[0]
        if not (first >= 0 and self._cum[first] <= start < self._cum[first + 1]):
            first = int(np.searchsorted(self._cum, start, side="right")) - 1
        pos = start
        for k in range(first, len(self._ids)):
            if pos >= stop:
                break
            lo, hi = int(self._cum[k]), int(self._cum[k + 1])
            out.append(self._block_units(k)[pos - lo:min(stop, hi) - lo])
            pos = min(stop, hi)
        return np.concatenate(out) if out else np.zeros((0, len(self.counts)), np.int64)


def _grouped_permutation(n_blocks: tuple[int, ...], group: tuple[int, ...], rng) -> np.ndarray:
    """Flat block ids: groups in a random order, each group's blocks in a
    random order."""
    ids = np.arange(math.prod(n_blocks))
    position = np.unravel_index(ids, n_blocks)
    n_groups = tuple(-(-n // g) for n, g in zip(n_blocks, group))
    group_of = np.ravel_multi_index(tuple(p // g for p, g in zip(position, group)), n_groups)
    group_rank = rng.permutation(math.prod(n_groups))
    return ids[np.lexsort((rng.random(len(ids)), group_rank[group_of]))]


def shard_range(total: int, shard: int, num_shards: int, even: bool = False) -> tuple[int, int]:
    """The places [start, stop) of an epoch of ``total`` units that shard
    ``shard`` of ``num_shards`` takes."""
    if even:
        share = total // num_shards
        return shard * share, (shard + 1) * share
    return total * shard // num_shards, total * (shard + 1) // num_shards


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijective scramble of uint64 values."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def random_positions(places: np.ndarray, limits: tuple[int, ...], seed: int, epoch: int) -> np.ndarray:
    """(N, ndim) positions drawn uniformly in ``[0, limits[d])`` for each
    place of the epoch; a pure function of (seed, epoch, place, dim)."""
    key = _mix(np.uint64(int(seed) & (2**64 - 1)) ^ _mix(np.uint64(int(epoch) + 0x9E3779B97F4A7C15)))
    places = places.astype(np.uint64)
    out = np.empty((len(places), len(limits)), np.int64)
    with np.errstate(over="ignore"):
        for d, limit in enumerate(limits):
            h = _mix(places * np.uint64(len(limits)) + np.uint64(d) + key)
            out[:, d] = (h % np.uint64(limit)).astype(np.int64)
    return out
