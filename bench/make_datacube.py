"""Writes a reanalysis-like datacube with zarr-python: hourly float32 2 m
temperature on a regular lat/lon grid (a smooth climatology, moving weather
waves and sensor-like noise), with time/latitude/longitude coordinates and
xarray dimension names. Used by the demo and the benchmarks.

    python bench/make_datacube.py OUT.zarr [--gigabytes 0.5] [--codec zstd]
        [--sharded] [--chunks 24,90,180]

An existing store written with the same parameters is reused.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil

import numpy as np
import zarr
import zarr.codecs as zc

CODECS = {
    "zstd": lambda: [zc.ZstdCodec(level=3)],
    "blosc-lz4": lambda: [zc.BloscCodec(cname="lz4", clevel=5, shuffle=zc.BloscShuffle.shuffle)],
    "gzip": lambda: [zc.GzipCodec(level=5)],
    "none": lambda: [],
}


def temperature(times: np.ndarray, lat: np.ndarray, lon: np.ndarray, rng) -> np.ndarray:
    """Kelvin temperatures for the given hours, shape (time, lat, lon)."""
    la = np.deg2rad(lat)[None, :, None]
    lo = np.deg2rad(lon)[None, None, :]
    t = times[:, None, None].astype(np.float32)
    climate = 300.0 - 45.0 * np.sin(la) ** 2
    seasonal = 12.0 * np.sin(la) * np.cos(2 * np.pi * t / (24 * 365))
    diurnal = 4.0 * np.cos(la) * np.cos(lo + 2 * np.pi * t / 24)
    waves = 3.0 * np.sin(3 * lo - 0.05 * t) * np.cos(2 * la + 0.03 * t)
    noise = rng.normal(0.0, 0.3, size=(len(times), len(lat), len(lon)))
    return (climate + seasonal + diurnal + waves + noise).astype(np.float32)


def write_cube(path: pathlib.Path, gigabytes: float, codec: str, sharded: bool,
               chunks: tuple[int, int, int]) -> None:
    n_lat, n_lon = 361, 720  # 0.5 degree grid
    n_time = max(chunks[0], int(gigabytes * 1e9 / (n_lat * n_lon * 4)) // chunks[0] * chunks[0])
    params = dict(gigabytes=gigabytes, codec=codec, sharded=sharded, chunks=list(chunks),
                  shape=[n_time, n_lat, n_lon])
    stamp = path / "params.json"
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        print(f"reusing {path} ({n_time}x{n_lat}x{n_lon} float32, {codec}{', sharded' if sharded else ''})")
        return
    shutil.rmtree(path, ignore_errors=True)
    root = zarr.open_group(str(path), mode="w", zarr_format=3,
                           attributes={"title": "geobatch sample reanalysis-like datacube"})
    lat = np.linspace(90, -90, n_lat, dtype=np.float64)
    lon = np.arange(n_lon, dtype=np.float64) * 0.5
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
        # Shards of 4 x 2 x 2 inner chunks.
        shard_kwargs["shards"] = (chunks[0] * 4, chunks[1] * 2, chunks[2] * 2)
    t2m = root.create_array(
        "t2m", shape=(n_time, n_lat, n_lon), dtype="float32", chunks=chunks,
        compressors=CODECS[codec](), fill_value=float("nan"),
        dimension_names=["time", "latitude", "longitude"],
        attributes={"units": "K", "long_name": "2 metre temperature"}, **shard_kwargs)
    rng = np.random.default_rng(42)
    step = shard_kwargs.get("shards", chunks)[0]
    for start in range(0, n_time, step):
        stop = min(start + step, n_time)
        t2m[start:stop] = temperature(hours[start:stop], lat, lon, rng)
    zarr.consolidate_metadata(str(path))
    stamp.write_text(json.dumps(params))
    print(f"wrote {path} ({n_time}x{n_lat}x{n_lon} float32, {codec}{', sharded' if sharded else ''})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--gigabytes", type=float, default=0.5)
    parser.add_argument("--codec", choices=sorted(CODECS), default="zstd")
    parser.add_argument("--sharded", action="store_true")
    parser.add_argument("--chunks", default="24,91,180")
    args = parser.parse_args()
    chunks = tuple(int(c) for c in args.chunks.split(","))
    write_cube(args.out, args.gigabytes, args.codec, args.sharded, chunks)


if __name__ == "__main__":
    main()
