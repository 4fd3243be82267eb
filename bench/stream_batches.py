"""Streams shuffled training batches from a datacube with geobatch and
prints throughput: the batch half of the README's main job.

    python bench/stream_batches.py CUBE.zarr [--seconds 10] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import geobatch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cube")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    ds = geobatch.open_dataset(args.cube)
    print(ds)
    start = time.perf_counter()
    gen = geobatch.BatchGenerator(
        ds, input_dims={"time": 3, "latitude": 48, "longitude": 48},
        input_overlap={"time": 1, "latitude": 16, "longitude": 16},
        batch_size=args.batch_size, shuffle=True, seed=0, block_chunks=4, variables=["t2m"],
        normalize={"t2m": (280.0, 20.0)}, dtype="float32")
    first = None
    samples = nbytes = batches = 0
    for batch in gen:
        now = time.perf_counter()
        if first is None:
            first = now - start
        t2m = batch["t2m"]
        assert np.isfinite(t2m).all()
        samples += t2m.shape[0]
        nbytes += t2m.nbytes
        batches += 1
        if now - start > args.seconds:
            break
    elapsed = time.perf_counter() - start
    print(f"{batches} shuffled batches of {args.batch_size} windows (3x48x48 t2m) in {elapsed:.2f} s: "
          f"{samples / elapsed:.0f} samples/s, {nbytes / elapsed / 1e6:.0f} MB/s of batches, "
          f"first batch after {first:.3f} s")


if __name__ == "__main__":
    main()
