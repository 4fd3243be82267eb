"""insitubatch's side of bench_batches.py's full-field comparison, run by
that script in its own Python >= 3.12 virtualenv (insitubatch needs 3.12;
the project's environment is 3.11). Prints one JSON line.

    python insitubatch_stream.py CUBE BATCHES VAR[,VAR...]

Task: shuffled batches of 32 samples, a sample being every variable's whole
(latitude, longitude) field at one time step, through the train split of a
split covering every chunk; insitubatch's defaults otherwise.
"""

from __future__ import annotations

import json
import pathlib
import resource
import sys
import time

from insitubatch import InSituDataset, obstore_store, open_geometries, split_by_chunk

BATCH = 32


def main() -> None:
    cube, batches, variables = pathlib.Path(sys.argv[1]).resolve(), int(sys.argv[2]), sys.argv[3].split(",")
    start = time.perf_counter()
    store = obstore_store(cube.as_uri())
    geometries = open_geometries(store, variables=variables)
    manifest = split_by_chunk(geometries[variables[0]], fractions=(1.0, 0.0, 0.0))
    dataset = InSituDataset(store, manifest, geometries=geometries, batch_size=BATCH, seed=0)
    it = iter(dataset.train)
    first = next(it)
    first_batch_s = time.perf_counter() - start
    shape = {name: tuple(first.arrays[name].shape) for name in variables}
    t0, samples = time.perf_counter(), 0
    for _, batch in zip(range(batches - 1), it):  # at most one epoch
        samples += len(batch)
    elapsed = time.perf_counter() - t0
    print(json.dumps({"peer": "insitubatch", "samples": samples, "seconds": elapsed,
                      "samples_per_s": samples / elapsed, "first_batch_s": first_batch_s,
                      "batch_shape": shape[variables[0]],
                      "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
