"""Per-variable transforms applied to each batch in place, in numpy's
native loops (which release the GIL, so they overlap with training): NaN
fraction per sample, normalisation, NaN fill, and the cast to the output
dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import InvalidArgumentError, NotFoundError


def _per_variable(what: str, value: Any, names) -> dict:
    if value is None:
        return {}
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise NotFoundError(f"{what} names unknown variables {unknown}; variables: {list(names)}")
        return dict(value)
    return {name: value for name in names}


class Transforms:
    """``dtype``: output dtype (one for all variables, or per variable);
    ``normalize``: {variable: (mean, std)} giving ``(x - mean) / std``;
    ``fill_nan``: the value NaNs become (one for all, or per variable)."""

    def __init__(self, dtypes: dict[str, np.dtype], dtype=None, normalize=None, fill_nan=None):
        names = list(dtypes)
        self._out = {k: np.dtype(v) for k, v in _per_variable("dtype", dtype, names).items()}
        self._normalize = {}
        for name, stats in _per_variable("normalize", normalize, names).items():
            mean, std = stats
            if dtypes[name].kind != "f":
                raise InvalidArgumentError(f"normalize needs a floating variable; {name!r} is {dtypes[name]}")
            if std == 0:
                raise InvalidArgumentError(f"normalize: std of {name!r} is zero")
            self._normalize[name] = (mean, 1.0 / std)
        self._fill = {k: v for k, v in _per_variable("fill_nan", fill_nan, names).items() if dtypes[k].kind in "fc"}
        self._dtypes = dtypes

    def out_dtype(self, name: str) -> np.dtype:
        return self._out.get(name, self._dtypes[name])

    def apply(self, name: str, data: np.ndarray) -> None:
        """Normalises and fills ``data`` (the decoded values) in place."""
        if name in self._normalize:
            mean, inv_std = self._normalize[name]
            np.subtract(data, mean, out=data, casting="unsafe")
            np.multiply(data, inv_std, out=data, casting="unsafe")
        if name in self._fill:
            np.nan_to_num(data, copy=False, nan=self._fill[name], posinf=np.inf, neginf=-np.inf)


def nan_fraction(arrays: list[np.ndarray], n: int) -> np.ndarray:
    """Fraction of NaN elements of each of the first ``n`` samples, over all
    the floating ``arrays`` (samples first) together."""
    nans = np.zeros(n, np.int64)
    total = 0
    for a in arrays:
        if a.dtype.kind in "fc":
            flat = a[:n].reshape(n, -1)
            nans += np.count_nonzero(np.isnan(flat), axis=1)
            total += flat.shape[1]
    return nans / max(total, 1)
