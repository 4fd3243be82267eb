"""xbatcher's batch plan as index arithmetic (xbatcher 0.4 ``BatchSchema``).

Patches are the boxes xbatcher's ``_iterate_through_dimensions`` yields: the
product, in C order, of per-dimension windows over the *sliced* dims (the
batch dims that are not input dims, then the input dims), each window
``length`` long every ``stride = length - overlap``, windows that do not fit
dropped. A batch is a sub-box of patch positions: per sliced dim, positions
``[b * per_batch, min((b + 1) * per_batch, n_patches))`` for the batch's index
``b`` along it; batches are numbered in C order. This covers every grouping
xbatcher has (one patch per batch, all patches in one batch, grouping by batch
dims, and dims that are both batch and input dims) without listing patches.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .._errors import InvalidArgumentError, NotFoundError


def _int_sizes(what: str, mapping) -> dict:
    out = {}
    for dim, n in dict(mapping or {}).items():
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise InvalidArgumentError(f"{what}[{dim!r}] must be an integer, got {n!r}")
        out[dim] = int(n)
    return out


@dataclass(frozen=True)
class SlicedDim:
    name: str
    length: int
    stride: int
    n_patches: int
    per_batch: int    # patch positions per batch
    n_batches: int

    def positions(self, b: int) -> range:
        return range(b * self.per_batch, min((b + 1) * self.per_batch, self.n_patches))


class Schema:
    """The batches of ``xbatcher.BatchGenerator(ds, input_dims, ...)``."""

    def __init__(self, sizes: dict, input_dims, input_overlap=None, batch_dims=None,
                 concat_input_dims: bool = False):
        self.input_dims = _int_sizes("input_dims", input_dims)
        self.input_overlap = _int_sizes("input_overlap", input_overlap)
        self.batch_dims = _int_sizes("batch_dims", batch_dims)
        self.concat_input_dims = bool(concat_input_dims)
        if not self.input_dims:
            raise InvalidArgumentError("input_dims must name at least one dimension")
        for what, mapping in (("input_dims", self.input_dims), ("batch_dims", self.batch_dims),
                              ("input_overlap", self.input_overlap)):
            unknown = [d for d in mapping if d not in sizes]
            if unknown:
                raise NotFoundError(f"{what} names dimensions {unknown} that the data does not have; "
                                    f"dimensions: {list(sizes)}")
        duplicate = {d: n for d, n in self.batch_dims.items() if d in self.input_dims}
        unique = {d: n for d, n in self.batch_dims.items() if d not in self.input_dims}
        if duplicate and not self.concat_input_dims:
            warnings.warn("The following dimensions were included in both ``input_dims`` and ``batch_dims``. "
                          "Since ``concat_input_dims`` is ``False``, these dimensions will not impact batch "
                          f"generation: {duplicate}", UserWarning, stacklevel=3)
        sliced = {**unique, **self.input_dims}
        dims = []
        for dim, length in sliced.items():
            overlap = self.input_overlap.get(dim, 0)
            if length < 1:
                raise InvalidArgumentError(f"window length along {dim!r} must be positive, got {length}")
            if length > sizes[dim]:
                raise InvalidArgumentError(
                    f"input sample length must be less than or equal to the dimension length, but the sample "
                    f"length of {length} is greater than the dimension length of {sizes[dim]} for {dim}")
            if overlap < 0 or overlap >= length:
                raise InvalidArgumentError(
                    f"input overlap must be less than the input sample length, but the input sample length "
                    f"is {length} and the overlap is {overlap} (dimension {dim!r})")
            stride = length - overlap
            n_patches = (sizes[dim] - overlap) // stride
            per_batch, n_batches = self._grouping(dim, n_patches, stride, sizes[dim], duplicate)
            dims.append(SlicedDim(dim, length, stride, n_patches, per_batch, n_batches))
        self.sliced = tuple(dims)

    def _grouping(self, dim, n_patches, stride, size, duplicate) -> tuple[int, int]:
        """(patch positions per batch, batches) along one sliced dim."""
        if not self.concat_input_dims:
            return 1, n_patches
        if not self.batch_dims:
            return n_patches, 1
        if not duplicate:
            return (1, n_patches) if dim in self.batch_dims else (n_patches, 1)
        if dim not in self.batch_dims:
            return n_patches + 1, 1
        input_stride = stride if dim in self.input_dims else self.batch_dims[dim]
        return math.ceil(self.batch_dims[dim] / input_stride), size // self.batch_dims[dim]

    @property
    def grid(self) -> tuple[int, ...]:
        """Batches along each sliced dim."""
        return tuple(d.n_batches for d in self.sliced)

    def __len__(self) -> int:
        return math.prod(self.grid)

    def patch_starts(self, batch: tuple[int, ...]) -> np.ndarray:
        """(P, n_sliced) window starts of the patches of the batch with grid
        index ``batch``, in xbatcher's order."""
        axes = [np.asarray(d.positions(b), np.int64) * d.stride for d, b in zip(self.sliced, batch)]
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.reshape(-1) for m in mesh], axis=1)
