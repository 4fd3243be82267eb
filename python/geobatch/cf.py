"""CF decoding of Zarr variables, as ``xarray.open_zarr`` does by default.

Mirrors xarray's decoders in the same order and with the same dtype rules:
``_FillValue``/``missing_value`` masking (CFMaskCoder, incl. ``_Unsigned``),
``scale_factor``/``add_offset`` (CFScaleOffsetCoder), ``<unit> since <date>``
times on standard calendars (CFDatetimeCoder, to datetime64[ns]) and
``dtype: bool`` (BooleanCoder). The decoded attributes and the encoding are
what xarray reports. A :class:`Decoder` is planned once per variable from
metadata and applied to every block read.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ._errors import UnsupportedError

_STANDARD_CALENDARS = {"standard", "gregorian", "proleptic_gregorian"}
_NS_PER_UNIT = {"nanoseconds": 1, "microseconds": 10**3, "milliseconds": 10**6, "seconds": 10**9,
                "minutes": 60 * 10**9, "hours": 3600 * 10**9, "days": 86400 * 10**9}
_INT64_MIN = np.iinfo(np.int64).min


@dataclass
class Decoder:
    """Turns stored values of one variable into decoded ones."""

    raw_dtype: np.dtype
    dtype: np.dtype
    steps: list[Callable[[np.ndarray], np.ndarray]] = field(default_factory=list)

    @property
    def identity(self) -> bool:
        return not self.steps

    def __call__(self, data: np.ndarray) -> np.ndarray:
        for step in self.steps:
            data = step(data)
        return data


def _choose_float_dtype(dtype: np.dtype, mapping: dict) -> type:
    """xarray's choice of the float type that holds decoded values."""
    scale, offset = mapping.get("scale_factor"), mapping.get("add_offset")
    if scale is not None or offset is not None:
        scale_type = np.dtype(type(scale)) if scale is not None else None
        offset_type = np.dtype(type(offset)) if offset is not None else None
        if (scale is not None and offset is not None and offset_type == scale_type
                and scale_type in (np.float32, np.float64)):
            if dtype.itemsize == 4 and dtype.kind in "iu":
                return np.float64
            return scale_type.type
        if offset is not None:
            return np.float64
        return scale_type.type
    if dtype.itemsize <= 4 and dtype.kind == "f":
        return np.float32
    if dtype.itemsize <= 2 and dtype.kind in "iu":
        return np.float32
    return np.float64


def _promote(dtype: np.dtype) -> tuple[np.dtype, Any]:
    """xarray's dtypes.maybe_promote: a dtype that can hold a missing value."""
    if dtype.kind in "fc":
        return dtype, dtype.type(np.nan)
    if dtype.kind in "mM":
        return dtype, dtype.type("NaT")
    if dtype.kind in "iu":
        promoted = np.dtype(np.float32 if dtype.itemsize <= 2 else np.float64)
        return promoted, promoted.type(np.nan)
    return np.dtype(object), np.nan


def _time_units(units: Any) -> tuple[str, str] | None:
    """('hours', '2000-01-01') for 'hours since 2000-01-01', else None."""
    if not isinstance(units, str) or "since" not in units:
        return None
    match = re.match(r"(.+) since (.+)", units)
    if not match:
        return None
    unit, ref = (s.strip() for s in match.groups())
    unit = unit.lower() if unit.lower().endswith("s") else unit.lower() + "s"
    if unit not in _NS_PER_UNIT:
        return None
    return unit, ref


def _is_datetime_like(units: Any) -> bool:
    return _time_units(units) is not None


def _mask_step(fill_values: set, fill: Any, dtype: np.dtype):
    def mask(data):
        data = np.array(data, dtype=dtype, copy=True)
        condition = np.zeros(data.shape, bool)
        for value in fill_values:
            condition |= data == value
        data[condition] = fill
        return data
    return mask


def _scale_offset_step(scale: Any, offset: Any, dtype: np.dtype):
    def scale_offset(data):
        data = data.astype(dtype, copy=True)
        if scale is not None:
            data *= scale
        if offset is not None:
            data += offset
        return data
    return scale_offset


def _datetime_step(name: str, unit: str, ref_ns: int):
    per_unit = np.int64(_NS_PER_UNIT[unit])

    def to_datetime(data):
        if data.dtype.kind == "f":
            missing = np.isnan(data)
            with np.errstate(invalid="ignore"):
                ns = (data.astype(np.float64) * per_unit).astype(np.int64)
        else:
            missing = data == _INT64_MIN if data.dtype.kind == "i" else np.zeros(data.shape, bool)
            values = data.astype(np.int64)
            limit = (np.iinfo(np.int64).max - abs(ref_ns)) // per_unit
            if values.size and np.abs(values[~missing]).max(initial=0) > limit:
                raise UnsupportedError(f"variable {name!r}: times outside the datetime64[ns] range; "
                                       "open with decode_times=False")
            ns = values * per_unit
        out = (ns + np.int64(ref_ns)).view("M8[ns]")
        out[missing] = np.datetime64("NaT")
        return out
    return to_datetime


_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _reference_ns(name: str, ref: str) -> int:
    """The reference date in ns since 1970, read as pandas reads it (numpy
    for plain ISO dates, which spares importing pandas)."""
    try:
        if not re.match(r".*\d{4}.*", ref):  # xarray reads a short first number as a year < 1000
            raise ValueError("years before 1000 are outside datetime64[ns]")
        if _PLAIN_DATE.fullmatch(ref) and 1678 <= int(ref[:4]) <= 2261:  # well inside datetime64[ns]
            ns = int(np.datetime64(ref.replace(" ", "T"), "ns").astype(np.int64))
        else:
            import pandas as pd

            stamp = pd.Timestamp(ref)
            if stamp.tz is not None:
                stamp = stamp.tz_convert("UTC").tz_convert(None)
            ns = int(stamp.as_unit("ns").value)
    except (ValueError, OverflowError) as err:
        raise UnsupportedError(f"variable {name!r}: reference date {ref!r} cannot be decoded to "
                               "datetime64[ns]; open with decode_times=False") from err
    # Every datetime64[ns] is after 1582-10-15, so standard and proleptic Gregorian calendars agree.
    return ns


def decode_fill_value_attr(value: Any, dtype: np.dtype) -> Any:
    """A Zarr v3 ``_FillValue`` attribute as xarray reads it."""
    if dtype.kind == "f":
        return struct.unpack("<d", base64.standard_b64decode(value))[0]
    if dtype.kind == "b":
        return bool(value)
    if dtype.kind in "iu":
        return int(value)
    return value


def _unsigned(dtype: np.dtype, unsigned: Any, raw_fill: Any, fill_values: set, steps: list) -> np.dtype:
    """The ``_Unsigned`` reinterpretation of integers (xarray's rules)."""
    if dtype.kind == "i" and unsigned == "true":
        new_dtype = np.dtype(f"u{dtype.itemsize}")
        converted = None if raw_fill is None else np.array(raw_fill, dtype=dtype).view(new_dtype).item()
    elif dtype.kind == "u" and unsigned == "false":
        new_dtype = np.dtype(f"i{dtype.itemsize}")
        converted = None if raw_fill is None else new_dtype.type(raw_fill)
    else:
        return dtype
    if raw_fill is not None:
        fill_values.discard(raw_fill)
        fill_values.add(converted)
    steps.append(lambda data: np.asarray(data, dtype=new_dtype))
    return new_dtype


def _mask(dtype: np.dtype, attrs: dict, encoding: dict, steps: list, decode_times: bool) -> np.dtype:
    """CFMaskCoder: moves fill values to the encoding and masks them to NaN
    (or NaT) in the dtype xarray promotes to."""
    raw_fill = {k: attrs.pop(k) for k in ("missing_value", "_FillValue") if k in attrs}
    fill_values: set = set()
    for key in list(raw_fill):
        values = {v for v in np.ravel(raw_fill[key]) if not _isnull(v)}
        if not values and dtype.kind in "iu":
            del raw_fill[key]  # a NaN fill value on integers: xarray drops it
        else:
            fill_values |= values
    if "_Unsigned" not in attrs and not raw_fill:
        return dtype
    encoding.update(raw_fill)
    if "_Unsigned" in attrs:
        encoding["_Unsigned"] = attrs.pop("_Unsigned")
        dtype = _unsigned(dtype, encoding["_Unsigned"], raw_fill.get("_FillValue"), fill_values, steps)
    if fill_values:
        if "scale_factor" in attrs or "add_offset" in attrs:
            new_dtype, fill = np.dtype(_choose_float_dtype(dtype, attrs)), np.nan
        elif decode_times and _is_datetime_like(attrs.get("units")) and dtype.kind in "iu":
            new_dtype, fill = np.dtype(np.int64), _INT64_MIN
        else:
            new_dtype, fill = _promote(dtype)
        steps.append(_mask_step(fill_values, fill, new_dtype))
        dtype = new_dtype
    return dtype


def _isnull(value: Any) -> bool:
    try:
        return bool(np.isnan(value))
    except TypeError:
        return value is None


def _scale_offset(dtype: np.dtype, attrs: dict, encoding: dict, steps: list, decode_times: bool) -> np.dtype:
    """CFScaleOffsetCoder: decoded = stored * scale_factor + add_offset."""
    for key in ("scale_factor", "add_offset"):
        if key in attrs:
            encoding[key] = attrs.pop(key)
    scale, offset = encoding.get("scale_factor"), encoding.get("add_offset")
    scale = np.asarray(scale).item() if np.ndim(scale) > 0 else scale
    offset = np.asarray(offset).item() if np.ndim(offset) > 0 else offset
    masked = "_FillValue" in encoding or "missing_value" in encoding
    if not masked or (decode_times and _is_datetime_like(attrs.get("units"))):
        dtype = np.dtype(_choose_float_dtype(dtype, encoding))
    steps.append(_scale_offset_step(scale, offset, dtype))
    return dtype


def _times(name: str, attrs: dict, encoding: dict, steps: list) -> np.dtype:
    """CFDatetimeCoder on standard calendars, to datetime64[ns]."""
    unit, ref = _time_units(attrs.get("units"))
    encoding["units"] = attrs.pop("units")
    if "calendar" in attrs:
        encoding["calendar"] = attrs.pop("calendar")
    calendar = str(encoding.get("calendar") or "standard").lower()
    if calendar not in _STANDARD_CALENDARS:
        raise UnsupportedError(f"variable {name!r}: calendar {calendar!r} needs cftime; "
                               "open with decode_times=False")
    steps.append(_datetime_step(name, unit, _reference_ns(name, ref)))
    return np.dtype("M8[ns]")


def plan(name: str, dtype: np.dtype, attrs: dict, *, mask_and_scale: bool = True,
         decode_times: bool = True) -> tuple[Decoder, dict, dict]:
    """Plans the decoding of one variable from its stored dtype and
    attributes (``_FillValue`` already set as the Zarr backend sets it).
    Returns the decoder, the decoded attributes and the encoding."""
    attrs, encoding = dict(attrs), {}
    decoder = Decoder(np.dtype(dtype), np.dtype(dtype))
    if decoder.raw_dtype.kind in "mM":
        return decoder, attrs, encoding
    dtype, steps = decoder.raw_dtype, decoder.steps
    if mask_and_scale:
        dtype = _mask(dtype, attrs, encoding, steps, decode_times)
        if "scale_factor" in attrs or "add_offset" in attrs:
            dtype = _scale_offset(dtype, attrs, encoding, steps, decode_times)
    if decode_times and _is_datetime_like(attrs.get("units")):
        dtype = _times(name, attrs, encoding, steps)
    if attrs.get("dtype") == "bool":
        encoding["dtype"] = attrs.pop("dtype")
        steps.append(lambda data: np.asarray(data, dtype=bool))
        dtype = np.dtype(bool)
    decoder.dtype = dtype
    return decoder, attrs, encoding


def propagate_time_bounds(attrs_by_name: dict[str, dict]) -> None:
    """Copies time units and calendar onto CF bounds variables, as xarray
    does before decoding (in place)."""
    for attrs in attrs_by_name.values():
        units = attrs.get("units")
        bounds = attrs.get("bounds")
        if isinstance(units, str) and "since" in units and bounds in attrs_by_name:
            target = attrs_by_name[bounds]
            target.setdefault("units", units)
            if "calendar" in attrs:
                target.setdefault("calendar", attrs["calendar"])
