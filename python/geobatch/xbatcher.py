"""Drop-in replacement for ``xbatcher.BatchGenerator``:

    from geobatch.xbatcher import BatchGenerator

takes xbatcher's arguments and yields the same xarray batches, in the same
order, for xarray Datasets and DataArrays (in memory, or opened from Zarr —
read natively when untouched) and for geobatch Datasets. Windows are read
in one pass per batch and the batch is built directly rather than through
per-patch xarray operations. Every option of
:class:`geobatch.BatchGenerator` is accepted as a keyword argument too.
"""

from __future__ import annotations

from ._errors import UnsupportedError
from .batching import generator


class BatchGenerator(generator.BatchGenerator):
    """``xbatcher.BatchGenerator(ds, input_dims, input_overlap, batch_dims,
    concat_input_dims, preload_batch)``, yielding xarray objects."""

    def __init__(self, ds, input_dims, input_overlap=None, batch_dims=None, concat_input_dims: bool = False,
                 preload_batch: bool = True, cache=None, cache_preprocess=None, **options):
        if cache is not None or cache_preprocess is not None:
            raise UnsupportedError("xbatcher's experimental batch cache is not supported")
        options.setdefault("output", "xarray")
        options.setdefault("shard", None)
        super().__init__(ds, input_dims, input_overlap, batch_dims, concat_input_dims, preload_batch, **options)


__all__ = ["BatchGenerator"]
