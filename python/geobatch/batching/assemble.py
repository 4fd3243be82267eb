"""Builds the xarray object xbatcher 0.4 yields for one batch, straight
from the windows read for its patches, without per-patch xarray operations.

xbatcher's rules, reproduced here:

- ``concat_input_dims=False``: the batch is ``ds.isel(patch)``;
- ``concat_input_dims=True``: each patch gets its input dims renamed to
  ``<dim>_input`` (a variable named like an input dim becomes a
  non-index coordinate ``<dim>`` along ``<dim>_input``, moved last), then
  the patches are concatenated along a new leading ``input_batch`` dim with
  ``xr.concat``'s defaults: every data variable is concatenated, coordinates
  only when they differ between patches (none when there is a single patch),
  and the result lists data variables before coordinates;
- finally, when two or more dims are not input dims, they are stacked into
  a ``sample`` dim and the result transposed to ``("sample", *input_dims)``.

DataArrays with ``concat_input_dims=True`` keep their renamed index
coordinates, which xarray then aligns (an outer join) across patches; that
case is built per patch and concatenated by xarray itself.
"""

from __future__ import annotations

import warnings

import numpy as np

from .schema import Schema
from .source import Source, SourceVar, windows_from_memory

SUFFIX = "_input"


def read_patches(var: SourceVar, schema: Schema, starts: np.ndarray) -> np.ndarray:
    """(P, *window) values of ``var`` in each patch (whole along unsliced dims)."""
    column = {d.name: k for k, d in enumerate(schema.sliced)}
    length = {d.name: d.length for d in schema.sliced}
    origins = np.zeros((len(starts), len(var.dims)), np.int64)
    extent = []
    for axis, (dim, n) in enumerate(zip(var.dims, var.shape)):
        if dim in column:
            origins[:, axis] = starts[:, column[dim]]
        extent.append(length.get(dim, n))
    out = np.empty((len(starts), *extent), var.dtype)
    (var.read or windows_from_memory(var.values))(origins, extent, out)
    return out


def stack_samples(obj, input_dims: list):
    """xbatcher's ``_maybe_stack_batch_dims``."""
    batch_dims = [d for d in obj.sizes if d not in input_dims]
    if len(batch_dims) < 2:
        return obj
    return obj.stack(sample=batch_dims).transpose("sample", *input_dims)


def xbatcher_batch(source: Source, schema: Schema, starts: np.ndarray):
    """The xarray Dataset or DataArray xbatcher yields for the batch whose
    patches start at ``starts`` (P, n_sliced)."""
    if len(starts) == 0:
        raise ValueError("must supply at least one object to concatenate")
    if not schema.concat_input_dims and source.skeleton is not None:
        return stack_samples(_from_skeleton(source, schema, starts[:1]), list(schema.input_dims))
    arrays = {name: read_patches(var, schema, starts) for name, var in source.variables.items()}
    if not schema.concat_input_dims:
        return stack_samples(_build(source, {k: _variable(v, v.dims, arrays[k][0])
                                             for k, v in source.variables.items()}), list(schema.input_dims))
    new_input_dims = [f"{d}{SUFFIX}" for d in schema.input_dims]
    if source.kind == "DataArray":
        return stack_samples(_concat_dataarray(source, schema, arrays), new_input_dims)
    return stack_samples(_concat_dataset(source, schema, arrays), new_input_dims)


def _variable(var: SourceVar, dims: tuple, data: np.ndarray):
    import xarray as xr

    return xr.Variable(dims, data, var.attrs)


def _build(source: Source, variables: dict):
    """A Dataset (or the DataArray) of ``variables`` (in the source's order,
    so that dims come in the same order as xarray's)."""
    import xarray as xr

    if source.kind == "DataArray":
        data = variables.pop("<this-array>")
        return xr.DataArray(data, coords=variables, name=source.name, attrs=source.attrs)
    ds = xr.Dataset(variables, attrs=source.attrs)
    return ds.set_coords([k for k in source.coord_names if k not in ds.coords])


def _from_skeleton(source: Source, schema: Schema, start: np.ndarray):
    """``ds.isel(patch)``: xarray selects the coordinates and indexes from the
    skeleton (views and index slices, cheap); the data read for the patch
    replaces the placeholders in new variables (in-memory data is selected
    as it is, views as xbatcher's)."""
    patch = {d.name: slice(int(s), int(s) + d.length) for d, s in zip(schema.sliced, start[0])}
    batch = source.skeleton.isel(patch)
    if source.in_memory:
        return batch
    data = {name: read_patches(var, schema, start)[0] for name, var in source.data_vars.items()}
    if source.kind == "DataArray":
        return batch.copy(data=data["<this-array>"])
    return batch.copy(data=data)


def _renamed(dims: tuple, input_dims) -> tuple:
    return tuple(f"{d}{SUFFIX}" if d in input_dims else d for d in dims)


def _all_equal(stacked: np.ndarray) -> bool:
    """``Variable.equals`` across patches: equal values, NaN/NaT equal too."""
    first = stacked[:1]
    same = stacked == first
    if stacked.dtype.kind in "fcmM":
        import pandas as pd

        same |= pd.isnull(stacked) & pd.isnull(first)
    return bool(np.all(same))


def _concat_dataset(source: Source, schema: Schema, arrays: dict):
    import xarray as xr

    order = list(source.variables)
    for dim in schema.input_dims:  # _drop_input_dims moves a dim's coordinate last
        if dim in source.variables:
            order.remove(dim)
            order.append(dim)
    several = len(next(iter(arrays.values()))) > 1
    data_vars, coords = {}, {}
    for name in order:
        var = source.variables[name]
        dims = _renamed(var.dims, schema.input_dims)
        stacked = arrays[name]
        if name not in source.coord_names:
            data_vars[name] = _variable(var, ("input_batch", *dims), stacked)
        elif several and not _all_equal(stacked):
            coords[name] = _variable(var, ("input_batch", *dims), stacked)
        else:
            coords[name] = _variable(var, dims, stacked[0])
    return xr.Dataset(data_vars, coords=xr.Coordinates(coords), attrs=source.attrs)


def _concat_dataarray(source: Source, schema: Schema, arrays: dict):
    import xarray as xr

    patches = []
    for i in range(len(arrays["<this-array>"])):
        names = {k: f"{k}{SUFFIX}" if k in schema.input_dims else k for k in source.variables}
        patches.append(_build(source, {names[k]: _variable(v, _renamed(v.dims, schema.input_dims), arrays[k][i])
                                       for k, v in source.variables.items()}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return xr.concat(patches, dim="input_batch")
