"""A/B of the in-process batch stream between two builds of geobatch on the
same host, alternating, because this VM's speed drifts by tens of percent
within minutes: only pairs run back to back compare.

The task is bench_batches.py's (three float32 variables, windows of 3 x 48 x
48 with overlap 1 x 16 x 16, 32 samples per batch, shuffled, defaults
otherwise), or with ``--fields`` insitubatch's (whole 361 x 720 fields),
``--batches`` batches after the first, each run in a fresh process. The other build is another checkout's ``python`` directory with its
extension built, e.g.:

    git worktree add /tmp/base <commit> && ln -s $PWD/.venv /tmp/base/.venv
    (cd /tmp/base && cmake --preset release && cmake --build build/release --target _core)
    .venv/bin/python bench/ab_batches.py /tmp/base/python [--batches 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def one_run(cube: str, batches: int, fields: bool) -> dict:
    import geobatch

    ds = geobatch.open_dataset(cube)[["t2m", "u10", "v10"]]
    if fields:  # insitubatch's task: whole fields
        gen = geobatch.BatchGenerator(ds, {"latitude": 361, "longitude": 720}, batch_size=32, shuffle=True, seed=0)
    else:
        gen = geobatch.BatchGenerator(ds, {"time": 3, "latitude": 48, "longitude": 48},
                                      {"time": 1, "latitude": 16, "longitude": 16}, batch_size=32, shuffle=True,
                                      seed=0)
    it = iter(gen)
    next(it)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start, samples = time.perf_counter(), 0
    for _ in range(min(batches, len(gen) - 1)):
        samples += len(next(it)["t2m"])
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"samples_per_s": samples / seconds, "chunks_decoded": gen.cache.stats()["misses"],
            "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "minor_faults": after.ru_minflt - before.ru_minflt, "peak_rss_mb": after.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the other build's python directory")
    parser.add_argument("--cube", default=".data/bench_batches.zarr", help="made by bench_batches.py")
    parser.add_argument("--batches", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fields", action="store_true", help="whole-field batches (insitubatch's task)")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(one_run(args.cube, args.batches, args.fields)))
        return
    builds = {"base": str(pathlib.Path(args.base).resolve()), "this": str(HERE.parent / "python")}
    rates = {name: [] for name in builds}
    for round_ in range(args.rounds):
        for name, path in builds.items():
            out = subprocess.run([sys.executable, __file__, args.base, "--cube", args.cube, "--batches",
                                  str(args.batches), "--run"] + ["--fields"] * args.fields, capture_output=True,
                                 text=True, env={**os.environ, "PYTHONPATH": path}, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            rates[name].append(result["samples_per_s"])
            print(f"round {round_ + 1} {name}: {result['samples_per_s']:.0f} samples/s, {result['cpu_s']:.2f} s CPU, "
                  f"{result['minor_faults']} minor faults, {result['chunks_decoded']} chunks decoded, "
                  f"peak RSS {result['peak_rss_mb']:.0f} MB", flush=True)
    base, this = statistics.median(rates["base"]), statistics.median(rates["this"])
    wins = sum(t > b for b, t in zip(rates["base"], rates["this"]))
    print(f"median samples/s: base {base:.0f}, this {this:.0f} ({this / base:.2f}x); "
          f"this build ahead in {wins} of {args.rounds} rounds")


if __name__ == "__main__":
    main()
