"""The drop-in module against xbatcher: ``from geobatch.xbatcher import
BatchGenerator`` in place of ``from xbatcher import BatchGenerator``, same
arguments, same xarray Dataset, side by side in one run.

Cases, on bench_batches.py's ERA5-like cube (written there, reused here):

- ``zarr-patches``: ``xr.open_zarr(cube)`` (dask-backed), windows of
  3 x 48 x 48 with overlap 1 x 16 x 16: one patch per batch, in order.
- ``zarr-batch-dims``: the same store, 48 x 48 windows (overlap 16) with
  ``batch_dims={"time": 24}``: 24 hours of a window per batch.
- ``memory-patches``: the first 96 hours loaded into memory (numpy-backed),
  the windows of the first case: no decoding, only batch building, which
  for one patch per batch is ``ds.isel(patch)`` in both.
- ``memory-concat``: the same in-memory data, 24 x 24 windows in batches of
  4 hours x 96 x 96 (``batch_dims``) with ``concat_input_dims=True``: 16
  patches per batch, which xbatcher selects one by one and concatenates.

Each case times the first N batches of each generator (N differs: xbatcher
is slow) after building it, reports batches/s, time to the first batch (from
constructing the generator) and the ratio, and checks the first batches of
both for identity (``xr.testing.assert_identical``).

    PYTHONPATH=python .venv/bin/python bench/bench_dropin.py [--batches 2000] [--xbatcher-batches 200]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import xarray as xr  # noqa: E402
import xbatcher  # noqa: E402

import geobatch.xbatcher  # noqa: E402
from bench_batches import VARIABLES, machine, write_cube  # noqa: E402

PATCH = dict(input_dims={"time": 3, "latitude": 48, "longitude": 48},
             input_overlap={"time": 1, "latitude": 16, "longitude": 16})
TIME_BATCHES = dict(input_dims={"latitude": 48, "longitude": 48}, input_overlap={"latitude": 16, "longitude": 16},
                    batch_dims={"time": 24})
CONCAT = dict(input_dims={"latitude": 24, "longitude": 24}, batch_dims={"time": 4, "latitude": 96, "longitude": 96},
              concat_input_dims=True)
CHECKED = 20  # leading batches compared for identity


def cases(cube: pathlib.Path) -> dict:
    """{name: (dataset, generator arguments)}."""
    stored = xr.open_zarr(cube)[list(VARIABLES)]
    loaded = stored.isel(time=slice(0, 96)).load()
    return {"zarr-patches": (stored, PATCH), "zarr-batch-dims": (stored, TIME_BATCHES),
            "memory-patches": (loaded, PATCH), "memory-concat": (loaded, CONCAT)}


def timed(make, batches: int) -> dict:
    """Batches/s over ``batches`` batches after the first, and the time to the first."""
    start = time.perf_counter()
    iterator = iter(make())
    first = next(iterator)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    done = 0
    for done, _ in enumerate(iterator, 1):
        if done == batches:
            break
    return {"batches_per_s": done / (time.perf_counter() - start), "first_batch_s": first_s, "first": first}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cube", type=pathlib.Path, default=pathlib.Path(".data/bench_batches.zarr"))
    parser.add_argument("--hours", type=int, default=1008)
    parser.add_argument("--batches", type=int, default=2000, help="batches timed per geobatch case")
    parser.add_argument("--xbatcher-batches", type=int, default=200, help="batches timed per xbatcher case")
    args = parser.parse_args()
    write_cube(args.cube, args.hours)
    rows = []
    for name, (ds, kwargs) in cases(args.cube).items():
        theirs = xbatcher.BatchGenerator(ds, **kwargs)
        mine = geobatch.xbatcher.BatchGenerator(ds, **kwargs)
        for i in range(min(CHECKED, len(theirs))):
            xr.testing.assert_identical(mine[i], theirs[i])
        ref = timed(lambda: xbatcher.BatchGenerator(ds, **kwargs), args.xbatcher_batches)
        new = timed(lambda: geobatch.xbatcher.BatchGenerator(ds, **kwargs), args.batches)
        xr.testing.assert_identical(new["first"], ref["first"])
        rows.append((name, len(theirs), new, ref))
        print(f"{name}: geobatch {new['batches_per_s']:.0f}/s, xbatcher {ref['batches_per_s']:.1f}/s", file=sys.stderr)
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"xbatcher {xbatcher.__version__}, xarray {xr.__version__}; first {CHECKED} batches identical in every case\n")
    print("| case | batches in an epoch | geobatch.xbatcher batches/s | xbatcher batches/s | speedup | "
          "first batch geobatch / xbatcher (s) |")
    print("|---|---|---|---|---|---|")
    for name, total, new, ref in rows:
        print(f"| {name} | {total} | {new['batches_per_s']:.0f} | {ref['batches_per_s']:.1f} | "
              f"{new['batches_per_s'] / ref['batches_per_s']:.1f}x | {new['first_batch_s']:.3f} / {ref['first_batch_s']:.3f} |")


if __name__ == "__main__":
    main()
