"""Writes a reanalysis-like datacube with zarr-python: hourly float32 2 m
temperature on a regular 0.5 degree lat/lon grid (a smooth climatology, a
seasonal and a diurnal cycle, moving weather waves and sensor-like noise),
with time/latitude/longitude coordinates and xarray dimension names. Used by
the demo and the benchmarks.

    python bench/make_datacube.py OUT.zarr [--gigabytes 0.5] [--codec zstd]
        [--sharded] [--chunks 24,91,180] [--shard-chunks 4,2,2] [--no-quantize]

By default values are rounded to multiples of 1/256 K, as ERA5's 16-bit GRIB
packing leaves them once converted to float32; that gives the compression
ratios (about 2x) of real reanalysis stores. --no-quantize keeps full float32
noise (about 1.3x with zstd).

The data depend only on the hour (each day's noise has its own seed), so
cubes of the same size hold the same values whatever their codec, chunks or
sharding. An existing store written with the same parameters is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil

import numpy as np
import zarr
import zarr.codecs as zc

# Bump when the generated values change, so that stale stores are rewritten.
GENERATOR_VERSION = 2

CODECS = {
    "zstd": lambda: [zc.ZstdCodec(level=3)],
    "blosc-lz4": lambda: [zc.BloscCodec(cname="lz4", clevel=5, shuffle=zc.BloscShuffle.shuffle)],
    "gzip": lambda: [zc.GzipCodec(level=5)],
    "none": lambda: [],
}

N_LAT, N_LON = 361, 720  # 0.5 degree grid, poles included
QUANTUM = 1.0 / 256.0    # K; ERA5 t2m GRIB packing step (16 bits over ~130 K)


def grid() -> tuple[np.ndarray, np.ndarray]:
    lat = np.linspace(90, -90, N_LAT, dtype=np.float64)
    lon = np.arange(N_LON, dtype=np.float64) * 0.5
    return lat, lon


def temperature(times: np.ndarray, lat: np.ndarray, lon: np.ndarray, rng) -> np.ndarray:
    """Kelvin temperatures for the given hours, shape (time, lat, lon)."""
    la = np.deg2rad(lat)[None, :, None]
    lo = np.deg2rad(lon)[None, None, :]
    t = times[:, None, None].astype(np.float64)
    climate = 300.0 - 45.0 * np.sin(la) ** 2
    seasonal = 12.0 * np.sin(la) * np.cos(2 * np.pi * t / (24 * 365))
    diurnal = 4.0 * np.cos(la) * np.cos(lo + 2 * np.pi * t / 24)
    waves = 3.0 * np.sin(3 * lo - 0.05 * t) * np.cos(2 * la + 0.03 * t)
    noise = rng.normal(0.0, 0.3, size=(len(times), len(lat), len(lon)))
    return (climate + seasonal + diurnal + waves + noise).astype(np.float32)


def t2m_hours(start: int, stop: int, quantize: bool = True) -> np.ndarray:
    """The cube's values for hours [start, stop): generated day by day, each
    day from its own seed, so any slab can be regenerated independently."""
    lat, lon = grid()
    out = np.empty((stop - start, N_LAT, N_LON), dtype=np.float32)
    for day in range(start // 24, (stop - 1) // 24 + 1):
        hours = np.arange(day * 24, day * 24 + 24, dtype=np.int64)
        values = temperature(hours, lat, lon, np.random.default_rng([42, day]))
        lo, hi = max(start, day * 24), min(stop, day * 24 + 24)
        out[lo - start:hi - start] = values[lo - day * 24:hi - day * 24]
    if quantize:
        np.multiply(out, 1.0 / QUANTUM, out=out)
        np.round(out, out=out)
        np.multiply(out, QUANTUM, out=out)
    return out


def stored_bytes(path: pathlib.Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files if f != "zarr.json")
    return total


def cube_shape(gigabytes: float, chunks: tuple[int, int, int]) -> tuple[int, int, int]:
    n_time = max(chunks[0], int(gigabytes * 1e9 / (N_LAT * N_LON * 4)) // chunks[0] * chunks[0])
    return n_time, N_LAT, N_LON


def write_cube(path: pathlib.Path, gigabytes: float, codec: str, sharded: bool,
               chunks: tuple[int, int, int] = (24, 91, 180),
               shard_chunks: tuple[int, int, int] = (4, 2, 2),
               quantize: bool = True, verbose: bool = True) -> dict:
    """Writes (or reuses) the cube; returns its parameters plus the stored
    and decoded sizes of t2m and their ratio."""
    path = pathlib.Path(path)
    n_time, n_lat, n_lon = cube_shape(gigabytes, chunks)
    params = dict(version=GENERATOR_VERSION, gigabytes=gigabytes, codec=codec, sharded=sharded,
                  chunks=list(chunks), shard_chunks=list(shard_chunks) if sharded else None,
                  quantize=quantize, shape=[n_time, n_lat, n_lon])
    stamp = path / "params.json"
    what = f"{n_time}x{n_lat}x{n_lon} float32, {codec}{', sharded' if sharded else ''}"
    if stamp.exists():
        info = json.loads(stamp.read_text())
        if {k: info.get(k) for k in params} == params:
            if verbose:
                print(f"reusing {path} ({what}, ratio {info['ratio']:.2f})")
            return info
    shutil.rmtree(path, ignore_errors=True)
    root = zarr.open_group(str(path), mode="w", zarr_format=3,
                           attributes={"title": "geobatch sample reanalysis-like datacube"})
    lat, lon = grid()
    hours = np.arange(n_time, dtype=np.int64)
    for name, values, attrs in [
        ("latitude", lat, {"units": "degrees_north"}),
        ("longitude", lon, {"units": "degrees_east"}),
        ("time", hours, {"units": "hours since 2020-01-01 00:00:00", "calendar": "proleptic_gregorian"}),
    ]:
        arr = root.create_array(name, shape=values.shape, dtype=values.dtype, chunks=values.shape,
                                dimension_names=[name], attributes=attrs)
        arr[:] = values
    shard_kwargs = {}
    if sharded:
        shard_kwargs["shards"] = tuple(c * s for c, s in zip(chunks, shard_chunks))
    t2m = root.create_array(
        "t2m", shape=(n_time, n_lat, n_lon), dtype="float32", chunks=chunks,
        compressors=CODECS[codec](), fill_value=float("nan"),
        dimension_names=["time", "latitude", "longitude"],
        attributes={"units": "K", "long_name": "2 metre temperature"}, **shard_kwargs)
    step = shard_kwargs.get("shards", chunks)[0]
    step *= max(1, 96 // step)  # write whole chunk (or shard) rows, a few at a time
    for start in range(0, n_time, step):
        stop = min(start + step, n_time)
        t2m[start:stop] = t2m_hours(start, stop, quantize)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "consolidated metadata is not in the v3 spec"
        zarr.consolidate_metadata(str(path))
    decoded = n_time * n_lat * n_lon * 4
    stored = stored_bytes(path / "t2m")
    info = dict(params, decoded_bytes=decoded, stored_bytes=stored, ratio=decoded / stored)
    stamp.write_text(json.dumps(info))
    if verbose:
        print(f"wrote {path} ({what}): {stored / 1e6:.0f} MB stored for {decoded / 1e6:.0f} MB, "
              f"ratio {decoded / stored:.2f}")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--gigabytes", type=float, default=0.5, help="decoded size of t2m")
    parser.add_argument("--codec", choices=sorted(CODECS), default="zstd")
    parser.add_argument("--sharded", action="store_true")
    parser.add_argument("--chunks", default="24,91,180", help="(inner) chunk shape")
    parser.add_argument("--shard-chunks", default="4,2,2", help="inner chunks per shard, per dimension")
    parser.add_argument("--no-quantize", dest="quantize", action="store_false",
                        help="keep full-precision float32 noise")
    args = parser.parse_args()
    chunks = tuple(int(c) for c in args.chunks.split(","))
    shard_chunks = tuple(int(c) for c in args.shard_chunks.split(","))
    write_cube(args.out, args.gigabytes, args.codec, args.sharded, chunks, shard_chunks, args.quantize)


if __name__ == "__main__":
    main()
